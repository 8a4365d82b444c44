// FlatMemory: bounds (faults before any side effect), little-endian and
// misaligned accesses, AMOs and compare-and-swap the same over an
// ArrayBuffer and a SharedArrayBuffer, and its argument checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FlatMemory, MemoryFault } from "../../../kernel/cpu/flat-memory.js";
import { AmoOp } from "../../../kernel/cpu/memory.js";
import { uintN } from "./support.js";

const BASE = 0x4000;
const SIZE = 256;

test("every access inside [base, base + size) works, misaligned ones included; one byte outside faults with MemoryFault", () => {
  const m = new FlatMemory(SIZE, BASE);
  m.store64(BASE + 3, 0x55667788, 0x11223344);
  assert.deepEqual([...m.bytes.subarray(3, 11)], [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
  assert.equal(m.load64(BASE + 3), 0x55667788);
  assert.equal(m.hi, 0x11223344);
  assert.equal(m.load32(BASE + 5), 0x33445566);
  assert.equal(m.load16(BASE + 4), 0x6677);
  assert.equal(m.fetch16(BASE + 4), 0x6677);
  assert.equal(m.load8(BASE + 10), 0x11);
  m.store32(BASE + SIZE - 4, -1);
  m.store16(BASE + SIZE - 2, 0x1234);
  m.store8(BASE + SIZE - 1, 0x1ff);
  assert.equal(m.load32(BASE + SIZE - 4), 0xff34ffff | 0); // ff ff, then 34 12, then ff over the 12
  const edges: Array<[string, () => unknown, number]> = [
    ["load8 below", () => m.load8(BASE - 1), BASE - 1],
    ["load8 past", () => m.load8(BASE + SIZE), BASE + SIZE],
    ["load16 straddling", () => m.load16(BASE + SIZE - 1), BASE + SIZE - 1],
    ["load32 straddling", () => m.load32(BASE + SIZE - 3), BASE + SIZE - 3],
    ["load64 straddling", () => m.load64(BASE + SIZE - 7), BASE + SIZE - 7],
    ["fetch16 past", () => m.fetch16(BASE + SIZE), BASE + SIZE],
    ["huge address", () => m.load8(2 ** 60), 2 ** 60],
    ["NaN", () => m.load8(NaN), NaN],
  ];
  for (const [what, access, addr] of edges) {
    assert.throws(access, (e: unknown) => e instanceof MemoryFault && Object.is(e.address, addr), what);
  }
});

test("a store that faults writes nothing, not even the bytes inside memory", () => {
  const m = new FlatMemory(SIZE, BASE);
  m.bytes.fill(0xaa);
  assert.throws(() => m.store64(BASE + SIZE - 4, -1, -1), MemoryFault);
  assert.throws(() => m.store32(BASE + SIZE - 2, -1), MemoryFault);
  assert.throws(() => m.store16(BASE + SIZE - 1, -1), MemoryFault);
  assert.throws(() => m.amo32(AmoOp.Swap, BASE + SIZE, 1), MemoryFault);
  assert.throws(() => m.cas64(BASE + SIZE, 0, 0, 1, 1), MemoryFault);
  assert.ok(m.bytes.every((b) => b === 0xaa));
});

for (const shared of [false, true]) {
  test(`AMOs and compare-and-swap over ${shared ? "a SharedArrayBuffer (Atomics)" : "an ArrayBuffer"} return the old value and store the result`, () => {
    const buf = shared ? new SharedArrayBuffer(SIZE) : new ArrayBuffer(SIZE);
    const m = new FlatMemory(new Uint8Array(buf), BASE);
    assert.equal(m.shared, shared);
    const view = new DataView(buf);
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(AmoOp)), uintN(64), uintN(64), (op, old, v) => {
        view.setBigUint64(8, old, true);
        const oldLo = m.amo64(op, BASE + 8, Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
        assert.equal(BigInt.asUintN(64, (BigInt(m.hi) << 32n) | BigInt(oldLo >>> 0)), old);
        const stored = view.getBigUint64(8, true);
        view.setUint32(16, Number(old & 0xffffffffn), true);
        assert.equal(m.amo32(op, BASE + 16, Number(BigInt.asIntN(32, v))) >>> 0, Number(old & 0xffffffffn));
        const stored32 = view.getUint32(16, true);
        // Cross-check with the other kind of buffer.
        const other = new FlatMemory(new Uint8Array(shared ? new ArrayBuffer(SIZE) : new SharedArrayBuffer(SIZE)), BASE);
        new DataView(other.bytes.buffer).setBigUint64(8, old, true);
        other.amo64(op, BASE + 8, Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
        assert.equal(new DataView(other.bytes.buffer).getBigUint64(8, true), stored);
        new DataView(other.bytes.buffer).setUint32(16, Number(old & 0xffffffffn), true);
        other.amo32(op, BASE + 16, Number(BigInt.asIntN(32, v)));
        assert.equal(new DataView(other.bytes.buffer).getUint32(16, true), stored32);
      }),
      { seed: shared ? 2 : 1, numRuns: 500 },
    );
    view.setBigUint64(32, 0x1111111122222222n, true);
    assert.equal(m.cas64(BASE + 32, 0x22222222, 0x11111112, 5, 6), false);
    assert.equal(view.getBigUint64(32, true), 0x1111111122222222n);
    assert.equal(m.cas64(BASE + 32, 0x22222222, 0x11111111, 5, 6), true);
    assert.equal(view.getBigUint64(32, true), 0x0000000600000005n);
    assert.equal(m.cas32(BASE + 32, 4, 9), false);
    assert.equal(m.cas32(BASE + 32, 5, -1), true);
    assert.equal(view.getUint32(32, true), 0xffffffff);
    m.fence();
  });
}

test("constructor: a size or bytes, base a multiple of 8 below 2^47; shared bytes must start 8-aligned in their buffer", () => {
  assert.equal(new FlatMemory(64).base, 0);
  assert.equal(new FlatMemory(64).bytes.length, 64);
  assert.throws(() => new FlatMemory(4), { name: "RangeError" });
  assert.throws(() => new FlatMemory(64, 4), { name: "RangeError", code: "ERR_CONTRACT" });
  assert.throws(() => new FlatMemory(64, 2 ** 47), { name: "RangeError" });
  assert.throws(() => new FlatMemory("64" as unknown as number), { name: "TypeError" });
  assert.throws(() => new FlatMemory(new Uint8Array(new SharedArrayBuffer(64), 4, 32)), { name: "RangeError", code: "ERR_CONTRACT" });
  const sub = new FlatMemory(new Uint8Array(new ArrayBuffer(64), 3, 32), 8);
  sub.store8(8, 7);
  assert.equal(new Uint8Array(sub.bytes.buffer)[3], 7, "a view's offset is respected");
});
