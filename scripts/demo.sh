#!/usr/bin/env bash
# The demo: builds dynlog and a small Go service (examples/demo), starts the service under
# synthetic load, and traces both of its functions live with dynlog: Login(username) and
# Sum(l, r Money) (Money, error), whose structs travel by value in registers. Rows show the
# arguments, results and latency of every call. Runs for DURATION (default 30s) or until Ctrl-C.
#
#   sudo scripts/demo.sh [DURATION] [--output jsonl]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
duration="${1:-30s}"
shift || true

bash scripts/install-deps.sh >&2
export PATH="/usr/local/go/bin:$PATH"

work="$(mktemp -d /tmp/dynlog-demo.XXXXXX)"
echo "demo: building the demo service and dynlog ..." >&2
(cd examples/demo && go build -o "$work/demo" .)
mvn -B -q -ntp -DskipTests -pl node-agent -am package >&2

"$work/demo" -rate 4 &
demo_pid=$!
trap 'kill $demo_pid 2>/dev/null || true; rm -rf "$work"' EXIT

cat > "$work/tracepoints.yaml" <<YAML
apiVersion: dynlog.dev/v1alpha1
kind: Tracepoint
metadata:
  name: login
spec:
  target:
    pid: $demo_pid
  function: main.(*Service).Login
  capture:
    - name: user
      expr: username
    - name: ok
      expr: \$0
    - name: err
      expr: \$1
  latency: true
  ttl: $duration
---
apiVersion: dynlog.dev/v1alpha1
kind: Tracepoint
metadata:
  name: sum
spec:
  target:
    pid: $demo_pid
  function: main.Sum
  capture:
    - name: l
      expr: l
    - name: r_units
      expr: r.Units
    - name: result
      expr: \$0
    - name: err
      expr: \$1
  latency: true
  ttl: $duration
YAML
echo "demo: tracing pid $demo_pid for $duration with: bin/dynlog run -f $work/tracepoints.yaml" >&2
bin/dynlog run -f "$work/tracepoints.yaml" "$@"
