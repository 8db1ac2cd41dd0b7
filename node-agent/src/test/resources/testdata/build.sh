#!/usr/bin/env bash
# Rebuilds dynlog's checked-in test fixtures (small C, C++ and Go ELF binaries) from src/ and
# regenerates the independent oracles' output stored next to each binary:
#   NAME.readelf.txt    readelf -W -h -l -S -s -n NAME
#   NAME.dwarfdump.txt  llvm-dwarfdump-14 --debug-info NAME (Go: the main unit and chosen types)
#   NAME.objdump.txt    objdump -d -z --insn-width=16 NAME (Go: the main package and the assembly
#                       functions, one --start-address/--stop-address run per symbol)
# The quick test tier (mvn -Pquick test) reads only these files: no compiler or tool runs there.
#
# Reproducible: fixed relative source paths, -fdebug-prefix-map, -trimpath, -buildvcs=false, pinned
# tool versions (the script refuses others). Run it from anywhere, then commit the changed files.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

GO=/usr/local/go/bin/go
GO_VERSION=go1.26.8

require_version() { # tool, expected substring of its --version's first line
  local line
  line="$("$1" --version 2>&1 | head -n 1)"
  [[ "$line" == *"$2"* ]] || { echo "build.sh: $1 is \"$line\", expected $2" >&2; exit 1; }
}
require_version gcc "12.2.0"
require_version g++ "12.2.0"
require_version readelf "2.40"
require_version objdump "2.40"
require_version llvm-dwarfdump-14 "14.0.6"
[[ "$("$GO" env GOVERSION)" == "$GO_VERSION" ]] || { echo "build.sh: $GO is not $GO_VERSION" >&2; exit 1; }

# --- build -----------------------------------------------------------------------------------
(
  cd src
  prefix=(-fdebug-prefix-map="$PWD"=.)
  gcc -g -O0 "${prefix[@]}" -o ../c-O0 cprog.c
  gcc -g -O2 "${prefix[@]}" -o ../c-O2 cprog.c
  gcc -g -O2 -gz=zlib "${prefix[@]}" -o ../c-O2-zlib cprog.c
  g++ -g -O2 "${prefix[@]}" -o ../cpp-O2 cppprog.cpp
)
(
  cd src/go
  # Default (optimised) flags; -trimpath and -buildvcs=false only keep the build reproducible.
  env -u GOFLAGS GOTOOLCHAIN=local CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOAMD64=v1 \
    "$GO" build -trimpath -buildvcs=false -o ../../go-fixture .
)

# --- oracles -----------------------------------------------------------------------------------
for bin in c-O0 c-O2 c-O2-zlib cpp-O2 go-fixture; do
  readelf -W -h -l -S -s -n "$bin" > "$bin.readelf.txt"
done

for bin in c-O0 c-O2 c-O2-zlib cpp-O2; do
  llvm-dwarfdump-14 --debug-info "$bin" > "$bin.dwarfdump.txt"
  objdump -d -z --insn-width=16 "$bin" > "$bin.objdump.txt"
done

# Go: the whole dump is ~10 MB (the runtime); keep the main package's unit and the types the tests
# read, each printed by llvm-dwarfdump itself (DIE offsets are the binary's).
main_unit="$(llvm-dwarfdump-14 --debug-info go-fixture | grep -B1 -P '^\s+DW_AT_name\t\("main"\)$' \
  | sed -n 's/^\(0x[0-9a-f]*\): DW_TAG_compile_unit$/\1/p')"
[[ -n "$main_unit" ]] || { echo "build.sh: no compile unit named main in go-fixture" >&2; exit 1; }
{
  llvm-dwarfdump-14 --debug-info="$main_unit" --show-children go-fixture
  names=()
  for t in main.Point main.Ten main.Counter main.failure runtime.g runtime.stack runtime.gobuf \
      string error '[]int' '[]uint8' int int32 int64 uint8 float64 runtime.iface; do
    names+=("--name=$t")
  done
  llvm-dwarfdump-14 --debug-info "${names[@]}" --show-children go-fixture
} > go-fixture.dwarfdump.txt

# Go: objdump of every main.* function and every assembly (ABI0) function, symbol by symbol.
nm -S --defined-only go-fixture | awk '$3 ~ /^[Tt]$/ && ($4 ~ /^main\./ || $4 ~ /\.abi0$/) {print $1, $2}' \
  | sort | while read -r addr size; do
    start=$((16#$addr))
    stop=$((start + 16#$size))
    (( stop > start )) || continue
    objdump -d -z --insn-width=16 --start-address="$(printf '0x%x' "$start")" \
      --stop-address="$(printf '0x%x' "$stop")" go-fixture
  done > go-fixture.objdump.txt

ls -l c-O0 c-O2 c-O2-zlib cpp-O2 go-fixture ./*.txt
