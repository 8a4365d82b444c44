// 64-bit multiply and divide on int32 halves against bigint arithmetic,
// with operands around every fast-path boundary (int32, 2^53, 2^63).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { div, divw, mul, mulh } from "../../../kernel/cpu/int64.js";
import { uintN } from "./support.js";

const M64 = (1n << 64n) - 1n;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

function regs(a: bigint, b: bigint): { xl: Int32Array; xh: Int32Array } {
  const xl = new Int32Array(33);
  const xh = new Int32Array(33);
  xl[1] = Number(BigInt.asIntN(32, a));
  xh[1] = Number(BigInt.asIntN(32, a >> 32n));
  xl[2] = Number(BigInt.asIntN(32, b));
  xh[2] = Number(BigInt.asIntN(32, b >> 32n));
  return { xl, xh };
}
const out = (xl: Int32Array, xh: Int32Array, r = 3): bigint => BigInt.asUintN(64, (BigInt(xh[r]!) << 32n) | BigInt(xl[r]! >>> 0));

const edge = fc.oneof(
  uintN(64),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => BigInt.asUintN(64, BigInt(n))),
  fc.integer({ min: 0, max: 63 }).chain((k) => fc.integer({ min: -3, max: 3 }).map((d) => BigInt.asUintN(64, (1n << BigInt(k)) + BigInt(d)))),
  fc.integer({ min: 0, max: 63 }).chain((k) => fc.integer({ min: -3, max: 3 }).map((d) => BigInt.asUintN(64, -(1n << BigInt(k)) + BigInt(d)))),
  fc.constantFrom(0n, 1n, M64, 1n << 63n, 94906265n, 94906266n, -94906267n & M64), // ±√2^53 around the product fast path
);

test("mul is the low 64 bits and mulh/mulhsu/mulhu the high 64 bits of the 128-bit product", () => {
  fc.assert(
    fc.property(edge, edge, (a, b) => {
      let { xl, xh } = regs(a, b);
      mul(xl, xh, 3, 1, 2);
      assert.equal(out(xl, xh), BigInt.asUintN(64, a * b));
      ({ xl, xh } = regs(a, b));
      mulh(xl, xh, 3, 1, 2, true, true);
      assert.equal(out(xl, xh), BigInt.asUintN(64, (s64(a) * s64(b)) >> 64n));
      ({ xl, xh } = regs(a, b));
      mulh(xl, xh, 3, 1, 2, true, false);
      assert.equal(out(xl, xh), BigInt.asUintN(64, (s64(a) * b) >> 64n));
      ({ xl, xh } = regs(a, b));
      mulh(xl, xh, 3, 1, 2, false, false);
      assert.equal(out(xl, xh), (a * b) >> 64n);
    }),
    { seed: 64, numRuns: 5000 },
  );
});

test("div/divu/rem/remu truncate toward zero; x/0 is all ones and x%0 is x; -2^63 / -1 overflows to -2^63 with remainder 0", () => {
  fc.assert(
    fc.property(edge, fc.oneof(edge, fc.constantFrom(0n, M64)), fc.boolean(), fc.boolean(), (a, b, signed, rem) => {
      const { xl, xh } = regs(a, b);
      div(xl, xh, 3, 1, 2, signed, rem);
      let want: bigint;
      if (b === 0n) want = rem ? a : M64;
      else if (signed) want = BigInt.asUintN(64, rem ? s64(a) % s64(b) : s64(a) / s64(b));
      else want = rem ? a % b : a / b;
      assert.equal(out(xl, xh), want);
    }),
    { seed: 65, numRuns: 5000 },
  );
  const { xl, xh } = regs(1n << 63n, M64);
  div(xl, xh, 3, 1, 2, true, false);
  assert.equal(out(xl, xh), 1n << 63n);
  div(xl, xh, 3, 1, 2, true, true);
  assert.equal(out(xl, xh), 0n);
});

test("the W divisions work on the low 32 bits and sign-extend, divuw/remuw included", () => {
  fc.assert(
    fc.property(edge, fc.oneof(edge, fc.constant(0n)), fc.boolean(), fc.boolean(), (a, b, signed, rem) => {
      const { xl, xh } = regs(a, b);
      divw(xl, xh, 3, 1, 2, signed, rem);
      const x = signed ? BigInt.asIntN(32, a) : BigInt.asUintN(32, a);
      const y = signed ? BigInt.asIntN(32, b) : BigInt.asUintN(32, b);
      const v = y === 0n ? (rem ? x : -1n) : rem ? x % y : x / y;
      assert.equal(out(xl, xh), BigInt.asUintN(64, BigInt.asIntN(32, v)));
    }),
    { seed: 66, numRuns: 5000 },
  );
});
