#!/bin/sh
# Rebuilds the committed RV64GC Linux programs from their C sources.
#
#   kernel/guest/build.sh           build src/*.c -> bin/<name>, src/extra/*.c -> bin/extra/<name>
#   kernel/guest/build.sh --check   build into a temporary directory and compare with the
#                                   committed binaries byte for byte (up to date + deterministic)
#
# Every program is a static, non-PIE, stripped glibc executable, built exactly
# as issue 12 asks: riscv64-linux-gnu-gcc -static -no-pie -O2, then
# riscv64-linux-gnu-strip. The script installs nothing; it needs Debian's
# cross toolchain:
#
#   apt-get install -y gcc-riscv64-linux-gnu libc6-dev-riscv64-cross qemu-user
#
# The build is deterministic: sources are compiled from inside src/ under
# relative names, with a fixed locale, so the same sources and toolchain give
# the same bytes (check with --check, or build twice and compare).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
CC=riscv64-linux-gnu-gcc
STRIP=riscv64-linux-gnu-strip
CFLAGS="-static -no-pie -O2 -Wall -Wextra -Werror"
LIBS="-lm"

for tool in "$CC" "$STRIP"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build.sh: $tool not found; install Debian's cross toolchain:" >&2
    echo "  apt-get install -y gcc-riscv64-linux-gnu libc6-dev-riscv64-cross qemu-user" >&2
    exit 1
  fi
done

mode=build
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: build.sh [--check]" >&2; exit 2 ;;
esac

if [ "$mode" = check ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
else
  out="$here/bin"
fi
mkdir -p "$out/extra"

export LC_ALL=C SOURCE_DATE_EPOCH=0

# build DIR NAME.c OUTPUT: compile from inside DIR so no absolute path reaches the binary.
build() {
  (cd "$1" && $CC $CFLAGS -I"$(realpath --relative-to="$1" "$here/src")" -o "$3.tmp" "$2" $LIBS)
  $STRIP -o "$3" "$3.tmp"
  rm -f "$3.tmp"
}

count=0
for src in "$here"/src/*.c; do
  name=$(basename "$src" .c)
  build "$here/src" "$name.c" "$out/$name"
  count=$((count + 1))
done
for src in "$here"/src/extra/*.c; do
  [ -e "$src" ] || continue
  name=$(basename "$src" .c)
  build "$here/src/extra" "$name.c" "$out/extra/$name"
  count=$((count + 1))
done

if [ "$mode" = check ]; then
  status=0
  for f in "$out"/* "$out"/extra/*; do
    [ -f "$f" ] || continue
    rel=${f#"$out"/}
    if ! cmp -s "$f" "$here/bin/$rel"; then
      echo "build.sh --check: bin/$rel differs from a fresh build" >&2
      status=1
    fi
  done
  for f in "$here"/bin/* "$here"/bin/extra/*; do
    [ -f "$f" ] || continue
    rel=${f#"$here/bin"/}
    [ -f "$out/$rel" ] || { echo "build.sh --check: bin/$rel has no source" >&2; status=1; }
  done
  [ "$status" = 0 ] && echo "build.sh --check: $count programs, all identical to the committed binaries"
  exit "$status"
fi
echo "build.sh: built $count programs into $out"
