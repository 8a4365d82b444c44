// The exact softfloat core: rounding in every mode, tininess after rounding,
// overflow per mode, exact zeros, against values worked out by hand (the
// qemu vectors in fpu.test.ts check it wholesale).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as sf from "../../../kernel/cpu/softfloat.js";
import { uintN } from "./support.js";

function round(fmt: sf.Format, sign: number, exp: number, sig: bigint, sticky: boolean, rm: number): [bigint, number] {
  sf.status.flags = 0;
  const r = sf.roundPack(fmt, sign, exp, sig, sticky, rm);
  return [r, sf.status.flags];
}

test("roundPack: ties go to even under RNE and away from zero under RMM; directed modes follow the sign", () => {
  // 1 + 2^-24 (24 bits after the leading one): halfway between 1 and 1 + 2^-23 in binary32.
  const sig = (1n << 24n) + 1n;
  const exp = -24;
  assert.deepEqual(round(sf.F32, 0, exp, sig, false, sf.RNE), [0x3f800000n, sf.NX]);
  assert.deepEqual(round(sf.F32, 0, exp, sig, false, sf.RMM), [0x3f800001n, sf.NX]);
  assert.deepEqual(round(sf.F32, 0, exp, sig, false, sf.RTZ), [0x3f800000n, sf.NX]);
  assert.deepEqual(round(sf.F32, 0, exp, sig, false, sf.RUP), [0x3f800001n, sf.NX]);
  assert.deepEqual(round(sf.F32, 0, exp, sig, false, sf.RDN), [0x3f800000n, sf.NX]);
  assert.deepEqual(round(sf.F32, 1, exp, sig, false, sf.RDN), [0xbf800001n, sf.NX]);
  assert.deepEqual(round(sf.F32, 1, exp, sig, false, sf.RUP), [0xbf800000n, sf.NX]);
  // With a sticky bit below, the tie is broken upwards even under RNE.
  assert.deepEqual(round(sf.F32, 0, exp - 1, sig << 1n, true, sf.RNE), [0x3f800001n, sf.NX]);
  // Exact values raise nothing.
  assert.deepEqual(round(sf.F32, 0, 0, 3n, false, sf.RNE), [0x40400000n, 0]);
});

test("roundPack: tininess is detected after rounding (RISC-V): UF only when the unbounded-exponent result is below 2^emin", () => {
  // (2^24 - 1)·2^-150 = 2^-126 - 2^-150: rounds (bounded) to 2^-126, but with 24 bits and an
  // unbounded exponent it is exact and below 2^-126: tiny and inexact, UF.
  assert.deepEqual(round(sf.F32, 0, -150, (1n << 24n) - 1n, false, sf.RNE), [0x00800000n, sf.UF | sf.NX]);
  // (2^25 - 1)·2^-151 = 2^-126 - 2^-151: rounded to 24 bits with an unbounded exponent it
  // becomes 2^-126 (a tie, to even): not tiny, so only NX.
  assert.deepEqual(round(sf.F32, 0, -151, (1n << 25n) - 1n, false, sf.RNE), [0x00800000n, sf.NX]);
  // Rounding towards zero keeps it below: tiny, UF.
  assert.deepEqual(round(sf.F32, 0, -151, (1n << 25n) - 1n, false, sf.RTZ), [0x007fffffn, sf.UF | sf.NX]);
  // An exact subnormal is not an underflow.
  assert.deepEqual(round(sf.F64, 0, -1074, 5n, false, sf.RNE), [5n, 0]);
  // Below half the smallest subnormal: zero (or the smallest subnormal rounding up).
  assert.deepEqual(round(sf.F64, 0, -1080, 1n, false, sf.RNE), [0n, sf.UF | sf.NX]);
  assert.deepEqual(round(sf.F64, 0, -1080, 1n, false, sf.RUP), [1n, sf.UF | sf.NX]);
  assert.deepEqual(round(sf.F64, 1, -1080, 1n, false, sf.RDN), [0x8000000000000001n, sf.UF | sf.NX]);
});

test("roundPack: overflow gives ±∞ or the largest finite value depending on the mode and sign, with OF and NX", () => {
  const huge = 1n << 2000n;
  const inf = 0x7ff0000000000000n;
  const max = 0x7fefffffffffffffn;
  const neg = 1n << 63n;
  assert.deepEqual(round(sf.F64, 0, 0, huge, false, sf.RNE), [inf, sf.OF | sf.NX]);
  assert.deepEqual(round(sf.F64, 0, 0, huge, false, sf.RTZ), [max, sf.OF | sf.NX]);
  assert.deepEqual(round(sf.F64, 0, 0, huge, false, sf.RDN), [max, sf.OF | sf.NX]);
  assert.deepEqual(round(sf.F64, 1, 0, huge, false, sf.RDN), [neg | inf, sf.OF | sf.NX]);
  assert.deepEqual(round(sf.F64, 1, 0, huge, false, sf.RUP), [neg | max, sf.OF | sf.NX]);
  assert.deepEqual(round(sf.F64, 1, 0, huge, false, sf.RMM), [neg | inf, sf.OF | sf.NX]);
  // Just above the largest finite value but rounding back to it is not an overflow.
  assert.deepEqual(round(sf.F64, 0, 1023 - 53, (1n << 54n) - 1n, false, sf.RTZ), [max, sf.NX]);
});

test("exact zero results: x - x is +0, except -0 when rounding down; -0 + -0 = -0", () => {
  const one = 0x3ff0000000000000n;
  for (const rm of [sf.RNE, sf.RTZ, sf.RUP, sf.RMM]) assert.equal(sf.sub(sf.F64, one, one, rm), 0n);
  assert.equal(sf.sub(sf.F64, one, one, sf.RDN), 1n << 63n);
  assert.equal(sf.add(sf.F64, 1n << 63n, 1n << 63n, sf.RNE), 1n << 63n);
  assert.equal(sf.add(sf.F64, 1n << 63n, 0n, sf.RNE), 0n);
  assert.equal(sf.add(sf.F64, 1n << 63n, 0n, sf.RDN), 1n << 63n);
});

test("sqrt is correctly rounded (the hardware's square root) and raises NX exactly when the root is inexact", () => {
  fc.assert(
    fc.property(uintN(52), fc.integer({ min: -1022, max: 1023 }), (mant, e) => {
      const x = ((BigInt(e + 1023) & 0x7ffn) << 52n) | mant;
      sf.status.flags = 0;
      const r = sf.sqrt(sf.F64, x, sf.RNE);
      const rv = new Float64Array(new BigUint64Array([r]).buffer)[0]!;
      const xv = new Float64Array(new BigUint64Array([x]).buffer)[0]!;
      assert.equal(rv, Math.sqrt(xv)); // RNE square root is what the hardware computes
      const exact = (sf.status.flags & sf.NX) === 0;
      sf.status.flags = 0;
      const square = sf.mul(sf.F64, r, r, sf.RNE);
      assert.equal(exact, square === x && (sf.status.flags & sf.NX) === 0);
    }),
    { seed: 11, numRuns: 2000 },
  );
  // Perfect squares: exact roots, no NX.
  for (let k = 1; k < 3000; k += 7) {
    const y = k * 2 ** -5;
    const x = new BigUint64Array(new Float64Array([y * y]).buffer)[0]!;
    sf.status.flags = 0;
    const r = sf.sqrt(sf.F64, x, sf.RNE);
    assert.equal(new Float64Array(new BigUint64Array([r]).buffer)[0], y);
    assert.equal(sf.status.flags, 0);
  }
});

test("conversions: float to integer saturates (NaN to the maximum) with NV only; integer to float rounds per mode", () => {
  sf.status.flags = 0;
  assert.equal(sf.toInteger(sf.F64, 0x7ff8000000000000n, sf.RNE, 64, true), (1n << 63n) - 1n);
  assert.equal(sf.status.flags, sf.NV);
  sf.status.flags = 0;
  assert.equal(sf.toInteger(sf.F64, 0xbff0000000000000n, sf.RNE, 64, false), 0n); // -1 to unsigned
  assert.equal(sf.status.flags, sf.NV);
  sf.status.flags = 0;
  assert.equal(sf.toInteger(sf.F64, 0xbfe0000000000000n, sf.RTZ, 64, false), 0n); // -0.5 truncates to 0: fine
  assert.equal(sf.status.flags, sf.NX);
  sf.status.flags = 0;
  // 2^53 + 1 is not a double: RNE gives 2^53, RUP 2^53 + 2.
  assert.equal(sf.fromInteger(sf.F64, (1n << 53n) + 1n, sf.RNE), 0x4340000000000000n);
  assert.equal(sf.fromInteger(sf.F64, (1n << 53n) + 1n, sf.RUP), 0x4340000000000001n);
  assert.equal(sf.status.flags, sf.NX);
});
