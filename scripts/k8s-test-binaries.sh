#!/usr/bin/env bash
# Builds kube-apiserver, etcd and kubectl (and helm, for the chart test) from their Go modules at
# pinned versions, for the operator's integration tests (fabric8 kube-api-test). Binaries are
# cached outside the repository and reused when present; only the Go module proxy is needed.
#
# Layout (what kube-api-test expects, plus helm):
#   $CACHE/k8s/<K8S_VERSION>-linux-amd64/{kube-apiserver,etcd,kubectl,helm}
# The last line printed on stdout is the directory to use as KUBE_API_TEST_DIR ($CACHE).
#
# Environment:
#   DYNLOG_K8S_CACHE  cache root (default /var/cache/dynlog/k8s)
#   GOFLAGS, GOPROXY  passed through to go
set -euo pipefail

K8S_VERSION=1.34.4      # k8s.io/kubernetes v1.34.4; staging modules published as v0.34.4
ETCD_VERSION=3.6.16     # go.etcd.io/etcd/server/v3 (kube-apiserver 1.34 wants etcd >= 3.5)
HELM_VERSION=3.19.0     # helm.sh/helm/v3 (renders charts/dynlog-operator in HelmChartTest)

CACHE="${DYNLOG_K8S_CACHE:-/var/cache/dynlog/k8s}"
BIN_DIR="$CACHE/k8s/${K8S_VERSION}-linux-amd64"
STAGING_VERSION="v0.${K8S_VERSION#1.}"

log() { echo "k8s-test-binaries: $*" >&2; }

have_all() {
  for b in kube-apiserver etcd kubectl helm; do [[ -x "$BIN_DIR/$b" ]] || return 1; done
}

if have_all; then
  log "cached binaries found in $BIN_DIR"
  echo "$CACHE"
  exit 0
fi

command -v go >/dev/null || { log "go is required to build the binaries"; exit 1; }
mkdir -p "$BIN_DIR"
WORK="$(mktemp -d /tmp/dynlog-k8s-build.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod" GOWORK=off

# --- kube-apiserver and kubectl: a wrapper module replacing every staging module -----------
if [[ ! -x "$BIN_DIR/kube-apiserver" || ! -x "$BIN_DIR/kubectl" ]]; then
  K8S_MOD="$WORK/k8s"
  mkdir -p "$K8S_MOD"
  log "fetching k8s.io/kubernetes v$K8S_VERSION go.mod"
  (cd "$K8S_MOD" && go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" >"$WORK/k8s.json")
  K8S_GOMOD="$(sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' "$WORK/k8s.json")"
  STAGING=$(grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$K8S_GOMOD" | awk '{print $1}')
  [[ -n "$STAGING" ]] || { log "no staging replace directives found in $K8S_GOMOD"; exit 1; }
  {
    echo "module dynlog.dev/k8s-test-binaries"
    echo
    echo "go 1.24.0"
    echo
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo
    echo "replace ("
    for m in $STAGING; do echo "	$m => $m $STAGING_VERSION"; done
    echo ")"
  } >"$K8S_MOD/go.mod"

  VERSION_PKG=k8s.io/component-base/version
  LDFLAGS="-s -w -X $VERSION_PKG.gitVersion=v$K8S_VERSION -X $VERSION_PKG.gitMajor=1"
  LDFLAGS="$LDFLAGS -X $VERSION_PKG.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
  LDFLAGS="$LDFLAGS -X $VERSION_PKG.gitTreeState=clean"
  LDFLAGS="$LDFLAGS -X k8s.io/client-go/pkg/version.gitVersion=v$K8S_VERSION"

  cd "$K8S_MOD"
  log "resolving modules for kube-apiserver and kubectl"
  go get "k8s.io/kubernetes/cmd/kube-apiserver@v$K8S_VERSION" "k8s.io/kubernetes/cmd/kubectl@v$K8S_VERSION"
  for cmd in kube-apiserver kubectl; do
    if [[ ! -x "$BIN_DIR/$cmd" ]]; then
      log "building $cmd v$K8S_VERSION (takes several minutes on 2 cores)"
      go build -trimpath -ldflags "$LDFLAGS" -o "$BIN_DIR/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd"
      mv "$BIN_DIR/$cmd.tmp" "$BIN_DIR/$cmd"
    fi
  done
fi

# --- etcd: a tiny main calling etcdmain.Main ---------------------------------------------------
if [[ ! -x "$BIN_DIR/etcd" ]]; then
  ETCD_MOD="$WORK/etcd"
  mkdir -p "$ETCD_MOD"
  cat >"$ETCD_MOD/main.go" <<'EOF'
// Command etcd runs the etcd server from go.etcd.io/etcd/server/v3.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
  cat >"$ETCD_MOD/go.mod" <<EOF
module dynlog.dev/etcd

go 1.24.0

require go.etcd.io/etcd/server/v3 v$ETCD_VERSION
EOF
  cd "$ETCD_MOD"
  log "building etcd v$ETCD_VERSION"
  go mod tidy
  go build -trimpath -ldflags "-s -w" -o "$BIN_DIR/etcd.tmp" .
  mv "$BIN_DIR/etcd.tmp" "$BIN_DIR/etcd"
fi

# --- helm ------------------------------------------------------------------------------------
if [[ ! -x "$BIN_DIR/helm" ]]; then
  log "building helm v$HELM_VERSION"
  mkdir -p "$WORK/helm-bin"
  (cd "$WORK" && GOBIN="$WORK/helm-bin" GOFLAGS="${GOFLAGS/-mod=mod/}" go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION")
  mv "$WORK/helm-bin/helm" "$BIN_DIR/helm"
fi

have_all || { log "build finished but binaries are missing in $BIN_DIR"; exit 1; }
"$BIN_DIR/kube-apiserver" --version >&2
"$BIN_DIR/etcd" --version >&2
"$BIN_DIR/helm" version --short >&2
log "binaries ready in $BIN_DIR"
echo "$CACHE"
