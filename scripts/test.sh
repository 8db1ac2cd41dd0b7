#!/usr/bin/env bash
# Runs the whole dynlog test suite on a Debian machine as root: installs what the tests need
# (toolchains, BPF tools, a kube-apiserver + etcd built from Go modules, cached outside the
# repository), then builds every module and runs every test. BPF, root and toolchain tests run
# for real; a missing capability fails the run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

bash scripts/install-deps.sh
export PATH="/usr/local/go/bin:$PATH"
export KUBE_API_TEST_DIR="$(bash scripts/k8s-test-binaries.sh)"

mvn -B -ntp verify "$@"
