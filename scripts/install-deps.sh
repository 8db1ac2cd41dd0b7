#!/usr/bin/env bash
# Installs what dynlog's tests need on Debian 12, as root. Idempotent: packages already installed
# are not touched (no apt-get update when nothing is missing), and the pinned Go toolchains are
# fetched once into the Go module cache.
#
#   - clang-14 / llvm-14 (clang++-14, llvm-dwarfdump, llvm-objdump; `llvm` adds the unversioned
#     llvm-* names), binutils (objdump, readelf, objcopy, nm), g++, gdb, zlib1g-dev,
#     libbpf-dev and bpftool;
#   - Go: the local toolchain (in /usr/local/go, installed when missing or older than 1.21, see
#     install_local_go), then GOTOOLCHAIN pre-fetches the other pinned versions through the module
#     proxy so the tests' builds need no download.
#
# The pinned Go versions come from node-agent/src/test/targets/go-versions, which the tests
# (dev.dynlog.testing.Targets.GO_VERSIONS) read too: one per line, the local one marked "local".
set -euo pipefail

GO_VERSIONS_FILE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/node-agent/src/test/targets/go-versions"
LOCAL_GO=
PINNED_GO=()
# Sets LOCAL_GO (the version marked "local") and PINNED_GO (the others) from $GO_VERSIONS_FILE.
read_go_versions() {
  local version mark rest
  while read -r version mark rest || [[ -n "$version" ]]; do
    [[ -z "$version" || "$version" == \#* ]] && continue
    if [[ ! "$version" =~ ^go1\.[0-9]+\.[0-9]+$ || -n "$rest" || ( -n "$mark" && "$mark" != local ) ]]; then
      echo "install-deps: $GO_VERSIONS_FILE: expected \"go1.N.M\" or \"go1.N.M local\", not: $version $mark $rest" >&2
      exit 1
    fi
    if [[ "$mark" != local ]]; then
      PINNED_GO+=("$version")
    elif [[ -z "$LOCAL_GO" ]]; then
      LOCAL_GO=$version
    else
      echo "install-deps: $GO_VERSIONS_FILE marks more than one version local" >&2
      exit 1
    fi
  done < "$GO_VERSIONS_FILE"
  if [[ -z "$LOCAL_GO" ]]; then
    echo "install-deps: $GO_VERSIONS_FILE marks no version local" >&2
    exit 1
  fi
}
read_go_versions
PACKAGES=(clang-14 clang-format-14 llvm-14 llvm binutils g++ gdb zlib1g-dev libbpf-dev bpftool
          make git curl ca-certificates openssl openjdk-17-jdk-headless maven)

log() { echo "install-deps: $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: must run as root (it installs Debian packages)" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  log "Debian packages already installed"
fi

export PATH="/usr/local/go/bin:$PATH"
go_ok() {
  command -v go >/dev/null 2>&1 || return 1
  local v
  v="$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null)" || return 1
  # go1.21 or newer understands GOTOOLCHAIN
  [[ "$v" =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] >= 21))
}
# Bootstraps the local toolchain without go.dev downloads: Debian's Go 1.19 fetches the official
# toolchain module golang.org/toolchain (what GOTOOLCHAIN itself uses) through the module proxy,
# checked against the Go checksum database, and it is copied to /usr/local/go.
install_local_go() {
  local boot tmp mod dir
  if [[ "$(dpkg-query -W -f='${Status}' golang-1.19-go 2>/dev/null)" != "install ok installed" ]]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends golang-1.19-go
  fi
  boot=/usr/lib/go-1.19/bin/go
  tmp="$(mktemp -d)"
  mod="golang.org/toolchain@v0.0.1-$LOCAL_GO.linux-amd64"
  dir="$(cd "$tmp" && GO111MODULE=on GOFLAGS=-modcacherw GOTOOLCHAIN=local "$boot" mod download -json "$mod" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  rm -rf "$tmp"
  if [[ -z "$dir" || ! -f "$dir/bin/go" ]]; then
    echo "install-deps: could not download $mod through the Go module proxy" >&2
    exit 1
  fi
  rm -rf /usr/local/go
  cp -a "$dir" /usr/local/go
  chmod -R u+w /usr/local/go
  chmod +x /usr/local/go/bin/* /usr/local/go/pkg/tool/linux_amd64/*
}
if ! go_ok; then
  log "installing $LOCAL_GO into /usr/local/go (toolchain module via the Go module proxy)"
  install_local_go
fi

for v in "$LOCAL_GO" "${PINNED_GO[@]}"; do
  got="$(GOTOOLCHAIN=$v go env GOVERSION)"
  if [[ "$got" != "$v" ]]; then
    echo "install-deps: GOTOOLCHAIN=$v runs $got" >&2
    exit 1
  fi
done
log "Go toolchains ready: $LOCAL_GO ${PINNED_GO[*]}"

mkdir -p /var/cache/dynlog/targets
