#!/bin/sh
# Builds wc.wasm from wc.c for wasm32-wasi (WASI preview1).
# Needs Debian's clang, lld, wasi-libc and libclang-rt-dev-wasm32:
#   apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32
# The .wasm is committed, so running the example needs none of this.
set -eu
cd "$(dirname "$0")"
clang --target=wasm32-wasi -O2 -s -o wc.wasm wc.c
echo "built $(pwd)/wc.wasm ($(wc -c < wc.wasm) bytes)"
