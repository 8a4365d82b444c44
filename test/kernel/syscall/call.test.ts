// A system call's argument accessors against a bigint model of the 64-bit
// registers: no accessor rounds a value at or above 2^53 — a pointer becomes
// a non-user address with its page offset, a size and a `long` saturate, and
// `u64` is exact — and the calls that hinge on it answer from the exact low
// bits (futex alignment, mmap's offset) or give the exact value back
// (get_robust_list).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { u64 } from "vmio";
import { Call, HUGE, NOT_USER } from "../../../kernel/syscall/call.js";
import { NR, SCRATCH, harness } from "../support/syscall-harness.js";

const TWO53 = 2n ** 53n;
const U64 = 2n ** 64n;

/** A 64-bit register value: around 0, 2^32, 2^53 and 2^63, or anything. */
const reg = fc.oneof(
  fc.bigInt({ min: 0n, max: U64 - 1n }),
  fc.constantFrom(0n, 1n, 0xfffn, 0x1000n, 2n ** 32n - 1n, 2n ** 32n, TWO53 - 1n, TWO53, TWO53 + 1n, TWO53 + 0xfffn, 2n ** 63n - 1n, 2n ** 63n, U64 - 1n, U64 - 4096n),
  fc.bigInt({ min: -4096n, max: 4096n }).map((d) => BigInt.asUintN(64, TWO53 + d)),
  fc.bigInt({ min: -4096n, max: 4096n }).map((d) => BigInt.asUintN(64, -TWO53 + d)),
);

test("each accessor is its model: ptr exact below 2^53 else NOT_USER + page offset, size exact else HUGE, long exact in range else ±HUGE, u64 exact", () => {
  const h = harness();
  fc.assert(
    fc.property(fc.array(reg, { minLength: 6, maxLength: 6 }), (regs) => {
      regs.forEach((v, i) => h.t.hart.setRegBigInt(10 + i, v));
      const c = new Call(h.sys, h.t, 0);
      regs.forEach((v, i) => {
        const signed = BigInt.asIntN(64, v);
        assert.equal(c.ptr(i), v < TWO53 ? Number(v) : NOT_USER + Number(v & 0xfffn), `ptr(${v})`);
        assert.equal(c.size(i), v < TWO53 ? Number(v) : HUGE, `size(${v})`);
        assert.equal(c.u64(i), v, `u64(${v})`);
        assert.equal(c.long(i), signed >= TWO53 ? HUGE : signed < -TWO53 ? -HUGE : Number(signed), `long(${v})`);
        assert.equal(c.int(i), Number(BigInt.asIntN(32, v)), `int(${v})`);
        assert.equal(c.uint(i), Number(BigInt.asUintN(32, v)), `uint(${v})`);
        for (const n of [c.ptr(i), c.size(i), c.long(i)]) assert.ok(Number.isSafeInteger(n) || Math.abs(n) === HUGE, `${n} is exact or the saturated marker`);
      });
    }),
    { seed: 0x0ca1_1001, numRuns: 300 },
  );
});

test("NOT_USER and HUGE lie beyond user space and keep a page offset exact", () => {
  assert.ok(NOT_USER > 0x8000_0000_0000 && NOT_USER % 4096 === 0);
  assert.ok(Number.isSafeInteger(NOT_USER + 4095));
  assert.equal(HUGE, 2 ** 53);
});

test("futex at an unaligned address at or above 2^53 is EINVAL (the exact low bits), not a wait or wake on a rounded one", () => {
  const h = harness();
  assert.equal(h.callRaw(NR.futex, [TWO53 + 1n, 1n, 1n]), -22n, "FUTEX_WAKE at 2^53 + 1");
  assert.equal(h.callRaw(NR.futex, [U64 - 3n, 1n, 1n]), -22n, "FUTEX_WAKE at 2^64 - 3");
});

test("get_robust_list gives back set_robust_list's head exactly, all 64 bits", () => {
  const h = harness();
  for (const head of [TWO53 + 1n, U64 - 1n, BigInt(SCRATCH) + 8n]) {
    assert.equal(h.callRaw(NR.set_robust_list, [head, 24n]), 0n);
    assert.equal(h.callRaw(100, [0n, BigInt(SCRATCH), BigInt(SCRATCH) + 8n]), 0n);
    const got = h.p.mm.as.space.readVal(SCRATCH, u64);
    assert.equal(got, head);
  }
});

test("mmap with an offset that is not page-aligned is EINVAL also above 2^53 (its low bits are read exactly)", () => {
  const h = harness();
  const PRIVATE_ANON = 0x22n;
  assert.equal(h.callRaw(NR.mmap, [0n, 4096n, 3n, PRIVATE_ANON, U64 - 1n, TWO53 + 1n]), -22n);
  assert.equal(h.callRaw(NR.mmap, [0n, 4096n, 3n, PRIVATE_ANON, U64 - 1n, TWO53 + 0x800n]), -22n);
  assert.ok(h.callRaw(NR.mmap, [0n, 4096n, 3n, PRIVATE_ANON, U64 - 1n, TWO53 + 0x1000n]) > 0n, "an aligned offset is ignored for an anonymous mapping");
});

test("a pointer at or above 2^53 is EFAULT wherever user memory is touched", () => {
  const h = harness();
  assert.equal(h.callRaw(NR.clock_gettime, [1n, TWO53 + 8n]), -14n);
  assert.equal(h.callRaw(NR.write, [1n, U64 - 4096n, 1n]), -14n);
  assert.equal(h.callRaw(NR.uname, [TWO53]), -14n);
});
