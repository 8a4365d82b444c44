// Compiler output end to end: freestanding C programs (test/kernel/cpu/programs,
// built by gen/build.sh with riscv64-linux-gnu-gcc -O2, RV64GC) run on a Hart
// over flat memory and produce answers computed independently.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { programHart } from "./support.js";

function finish(hart: ReturnType<typeof programHart>["hart"], slice = 1_000_000): void {
  let reason;
  do reason = hart.run(slice);
  while (reason === "budget");
  assert.equal(reason, "ecall");
  assert.equal(hart.getReg(17), 93, "stopped at the exit call");
}

test("primes: counts the primes below 1000 and 100000 (integer division, multiply, branches)", () => {
  for (const [limit, count] of [
    [1000, 168],
    [100_000, 9592],
  ] as const) {
    const { hart } = programHart("primes", limit);
    finish(hart);
    assert.equal(hart.getReg(10), count);
  }
});

test("sha256: the digest of 64 KiB of xorshift data equals node:crypto's (loads, stores, shifts, 32-bit arithmetic)", () => {
  const kib = 64;
  const data = Buffer.alloc(kib * 1024);
  let x = 2463534242;
  for (let i = 0; i < data.length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    data.writeUInt32LE(x, i);
  }
  const out = 0x700000;
  const { hart, mem } = programHart("sha256", kib, out);
  finish(hart, 777); // odd slices: results must not depend on where run() stops
  assert.equal(hart.getReg(10), 0);
  assert.equal(Buffer.from(mem.bytes.subarray(out, out + 32)).toString("hex"), createHash("sha256").update(data).digest("hex"));
});

test("mandel: double arithmetic in a loop gives the sum a JavaScript loop of the same IEEE operations gives", () => {
  const size = 48;
  const limit = 200;
  let total = 0;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const cx = -2.0 + (2.5 * px) / size;
      const cy = -1.25 + (2.5 * py) / size;
      let x = 0;
      let y = 0;
      let i = 0;
      while (i < limit && x * x + y * y <= 4.0) {
        const t = x * x - y * y + cx;
        y = 2 * x * y + cy;
        x = t;
        i++;
      }
      total += i;
    }
  }
  const { hart } = programHart("mandel", size, limit);
  finish(hart);
  assert.equal(hart.getReg(10), total);
  assert.equal(hart.fflags & 0x1e, 0, "no NV, DZ, OF or UF on this grid");
});
