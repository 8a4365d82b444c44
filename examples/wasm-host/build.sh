#!/bin/sh
# Builds guest.wasm from guest.c: freestanding wasm32, no libc, no entry point,
# the host's fd_write left as an import. Needs clang and lld (Debian:
#   apt-get install -y clang lld
# ). The .wasm is committed, so running the example needs none of this.
set -eu
cd "$(dirname "$0")"
clang --target=wasm32 -O2 -nostdlib -fno-builtin -Wl,--no-entry -Wl,--strip-all -o guest.wasm guest.c
echo "built $(pwd)/guest.wasm ($(wc -c < guest.wasm) bytes)"
