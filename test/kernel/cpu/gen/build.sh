#!/bin/sh
# Rebuilds the CPU test vectors in test/kernel/cpu/vectors/ from independent
# references. Needs the RISC-V cross toolchain and qemu-user:
#   apt-get install -y gcc-riscv64-linux-gnu libc6-dev-riscv64-cross qemu-user
# and a built tree (npm run build) for the two TypeScript generators.
#
#   fp.bin.gz          F/D results and fflags from qemu-riscv64 (gen/fp-vectors.c)
#   compressed.bin.gz  the expansion of every RVC parcel, from binutils (gen/compressed-vectors.ts)
#   diff.json.gz       random RV64GC sequences and their final state under qemu (gen/diff-vectors.ts)
# and the freestanding programs in test/kernel/cpu/programs (primes, sha256, mandel).
#
# Every generator is seeded: rerunning it reproduces the committed files.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
out="$root/test/kernel/cpu/vectors"
build="$root/build/test/kernel/cpu/gen"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

riscv64-linux-gnu-gcc -static -O2 -Wall -o "$tmp/fp-vectors" "$here/fp-vectors.c"
qemu-riscv64 "$tmp/fp-vectors" | gzip -9n > "$out/fp.bin.gz"
node "$build/compressed-vectors.js" "$out/compressed.bin.gz"
node "$build/diff-vectors.js" "$out/diff.json.gz" 300

programs="$root/test/kernel/cpu/programs"
for p in primes sha256 mandel; do
  # mandel: no FMA contraction, so that a JavaScript loop computes the same sum
  riscv64-linux-gnu-gcc -O2 -march=rv64gc -mabi=lp64d -ffreestanding -fno-builtin -nostdlib -static -no-pie -ffp-contract=off \
    -Wl,-Ttext=0x10000 -Wl,--build-id=none -o "$programs/$p.elf" "$programs/$p.c"
  riscv64-linux-gnu-strip "$programs/$p.elf"
done
ls -l "$out" "$programs"
