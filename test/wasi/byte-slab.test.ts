/** Output buffers: slab ranges are never handed out twice (a sink may keep them); scratch is reused. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { GuestMemory, Iovec32, VmError, VmReaderArray } from "vmio";
import { ByteSlab, Scratch } from "../../src/wasi/byte-slab.js";

/** Guest memory with a byte pattern from 4096 on, and an I/O vector at 0 of `lens` buffers over it. */
function iovecs(lens: number[]): { bufs: VmReaderArray; n: number; expected: Uint8Array } {
  const buffer = new ArrayBuffer(1 << 18);
  const u8 = new Uint8Array(buffer);
  const dv = new DataView(buffer);
  for (let i = 4096; i < u8.length; i++) u8[i] = (i * 7) & 0xff;
  let at = 4096;
  const parts: Uint8Array[] = [];
  lens.forEach((len, i) => {
    dv.setUint32(i * 8, at, true);
    dv.setUint32(i * 8 + 4, len, true);
    parts.push(u8.slice(at, at + len));
    at += len + 3;
  });
  const n = lens.reduce((a, b) => a + b, 0);
  const expected = new Uint8Array(n);
  let k = 0;
  for (const p of parts) {
    expected.set(p, k);
    k += p.length;
  }
  return { bufs: VmReaderArray.fromIovecs(new GuestMemory(buffer), 0, lens.length, Iovec32), n, expected };
}

test("slab ranges hold exactly the gathered bytes, never overlap (across slabs too) and start 8-aligned", () => {
  const slab = new ByteSlab();
  const kept: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < 500; i++) {
    const { bufs, n, expected } = iovecs([1 + (i % 97), i % 5, 1 + (i % 13)]);
    const r = slab.gather(bufs, n);
    assert.deepEqual(r, expected);
    assert.equal(r.byteOffset % 8, 0);
    assert.equal(bufs.sumLens(), 0, "the vector was read to its end");
    kept.push([r, expected.slice()]);
  }
  kept.forEach(([r, e], i) => assert.deepEqual(r, e, `range ${i} was overwritten`));
  const buffers = new Set(kept.map(([r]) => r.buffer));
  assert.ok(buffers.size > 1 && buffers.size < 500, "several writes share a slab; a full slab is replaced");
});

test("a large write gets an array of its own", () => {
  const { bufs, n, expected } = iovecs([3000, 2000]);
  const big = new ByteSlab().gather(bufs, n);
  assert.deepEqual(big, expected);
  assert.equal(big.byteOffset, 0);
  assert.equal(big.buffer.byteLength, 5000);
});

test("scratch is one buffer reused, grown on demand; huge requests are not kept", () => {
  const s = new Scratch();
  const a = s.take(100);
  const b = s.take(50);
  assert.equal(a.buffer, b.buffer);
  const c = s.take(1000);
  assert.equal(c.length, 1000);
  assert.equal(s.take(10).buffer, c.buffer);
  const huge = s.take(1 << 20);
  assert.notEqual(s.take(10).buffer, huge.buffer);
});

test("scratch gathers into its one buffer, wrapping and growing as needed", () => {
  const s = new Scratch();
  const first = s.gather(iovecs([10]).bufs, 10).buffer;
  for (const lens of [[100, 20], [200], [7, 7, 7], [300, 400], [5], [60000]]) {
    const { bufs, n, expected } = iovecs(lens);
    assert.deepEqual(s.gather(bufs, n), expected, String(lens));
  }
  assert.equal(s.gather(iovecs([10]).bufs, 10).buffer, s.take(1).buffer, "take and gather share the buffer");
  assert.notEqual(s.take(1).buffer, first, "it grew");
  const { bufs, n, expected } = iovecs([70000, 50000]);
  const huge = s.gather(bufs, n);
  assert.deepEqual(huge, expected);
  assert.notEqual(s.take(1).buffer, huge.buffer, "a huge write is not kept");
});

test("a gather that faults hands nothing out, and the ranges handed out after it are whole and apart", () => {
  const buffer = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer & { resize(n: number): void })(8192, { maxByteLength: 8192 });
  const mem = new GuestMemory(buffer);
  const dv = new DataView(buffer);
  dv.setUint32(0, 6000, true);
  dv.setUint32(4, 100, true);
  const bufs = VmReaderArray.fromIovecs(mem, 0, 1, Iovec32);
  buffer.resize(6050); // the buffer now ends inside the checked one: the copy faults there
  const slab = new ByteSlab();
  const before = slab.gather(iovecs([40]).bufs, 40);
  assert.throws(() => slab.gather(bufs, 100), (e: unknown) => e instanceof VmError && e.code === "PageFault" && e.copied === 50);
  const kept = before.slice();
  const { bufs: next, n, expected } = iovecs([33, 7]);
  const after = slab.gather(next, n);
  assert.deepEqual(after, expected);
  assert.deepEqual(before, kept, "the earlier range is untouched");
  assert.ok(after.buffer !== before.buffer || after.byteOffset >= before.byteOffset + 40, "the later range does not overlap the earlier one");
});
