// The AMO arithmetic helpers that CpuMemory implementations use.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { AmoOp, amo32Result, amo64Result } from "../../../kernel/cpu/memory.js";
import { uintN } from "./support.js";

const ops = Object.values(AmoOp);

function model(op: number, old: bigint, v: bigint, bits: number): bigint {
  const s = (x: bigint): bigint => BigInt.asIntN(bits, x);
  const u = (x: bigint): bigint => BigInt.asUintN(bits, x);
  switch (op) {
    case AmoOp.Add:
      return u(old + v);
    case AmoOp.Swap:
      return u(v);
    case AmoOp.Xor:
      return u(old ^ v);
    case AmoOp.Or:
      return u(old | v);
    case AmoOp.And:
      return u(old & v);
    case AmoOp.Min:
      return s(old) < s(v) ? u(old) : u(v);
    case AmoOp.Max:
      return s(old) > s(v) ? u(old) : u(v);
    case AmoOp.MinU:
      return u(old) < u(v) ? u(old) : u(v);
    default:
      return u(old) > u(v) ? u(old) : u(v);
  }
}

test("AmoOp values are the AMO instructions' funct5 fields", () => {
  assert.deepEqual(AmoOp, { Add: 0, Swap: 1, Xor: 4, Or: 8, And: 12, Min: 16, Max: 20, MinU: 24, MaxU: 28 });
});

test("amo32Result and amo64Result compute each operation's stored value (signed and unsigned min/max)", () => {
  const value = fc.oneof(uintN(64), fc.constantFrom(0n, 1n << 63n, (1n << 63n) - 1n, 0xffffffffn, 0x80000000n, (1n << 64n) - 1n));
  fc.assert(
    fc.property(fc.constantFrom(...ops), value, value, (op, old, v) => {
      const o32 = Number(BigInt.asIntN(32, old));
      const v32 = Number(BigInt.asIntN(32, v));
      assert.equal(BigInt.asUintN(32, BigInt(amo32Result(op, o32, v32))), model(op, old & 0xffffffffn, v & 0xffffffffn, 32));
      const out = new Int32Array(1);
      const lo = amo64Result(op, o32, Number(BigInt.asIntN(32, old >> 32n)), v32, Number(BigInt.asIntN(32, v >> 32n)), out);
      assert.equal(BigInt.asUintN(64, (BigInt(out[0]!) << 32n) | BigInt(lo >>> 0)), model(op, old, v, 64));
    }),
    { seed: 8, numRuns: 5000 },
  );
});
