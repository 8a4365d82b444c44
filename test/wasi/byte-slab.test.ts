/** Output buffers: slab ranges are never handed out twice (a sink may keep them); scratch is reused. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { ByteSlab, Scratch } from "../../src/wasi/byte-slab.js";

test("slab ranges never overlap, across slabs too, and start zeroed", () => {
  const slab = new ByteSlab();
  const kept: Uint8Array[] = [];
  for (let i = 0; i < 500; i++) {
    const r = slab.take(1 + (i % 97));
    assert.ok(r.every((b) => b === 0));
    r.fill(i & 0xff || 1);
    kept.push(r);
  }
  kept.forEach((r, i) => assert.ok(r.every((b) => b === (i & 0xff || 1)), `range ${i} was overwritten`));
});

test("a large write gets an array of its own", () => {
  const big = new ByteSlab().take(5000);
  assert.equal(big.length, 5000);
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
