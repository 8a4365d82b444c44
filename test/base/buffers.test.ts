// The one way a caller's bytes enter vmio (plainBytes), the views vmio
// makes over them (exactView), and the facts about buffers several layers
// need (isShared, isDetached): exact ranges, refusals with a code, and no
// user code run — not even getters a program redefined on the prototypes.

import { test } from "node:test";
import assert from "node:assert/strict";
import { exactView, isDetached, isShared, plainBytes } from "../../src/base/buffers.js";
import { withLyingViewGetters } from "./support.js";

/** Detaches `buffer` by transferring it to a `MessageChannel`'s port. */
function detach(buffer: ArrayBuffer): ArrayBuffer {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(null, [buffer]);
  port1.close();
  port2.close();
  return buffer;
}

function code(e: unknown): unknown {
  return (e as { code?: unknown }).code;
}

test("exactView covers exactly the array's bytes, index 0 at its first byte", () => {
  const backing = new Uint8Array(64).map((_, i) => i);
  const bytes = backing.subarray(8, 24);
  const view = exactView(bytes);
  assert.equal(view.buffer, backing.buffer);
  assert.equal(view.byteOffset, 8);
  assert.equal(view.byteLength, 16);
  assert.equal(view.getUint8(0), 8);
  view.setUint8(15, 0xff);
  assert.equal(backing[23], 0xff);
  assert.equal(backing[24], 24);
});

test("exactView runs no getter a program redefined on the prototypes", () => {
  const bytes = new Uint8Array(32).subarray(4, 20);
  let view: DataView | undefined;
  const ran = withLyingViewGetters({ buffer: new ArrayBuffer(8), byteOffset: 0, byteLength: 1 }, () => {
    view = exactView(bytes);
  });
  assert.equal(ran, 0);
  assert.equal(view?.byteOffset, 4);
  assert.equal(view?.byteLength, 16);
});

test("exactView of a detached array is ERR_DETACHED_BUFFER", () => {
  const bytes = new Uint8Array(16);
  detach(bytes.buffer);
  assert.throws(() => exactView(bytes), (e) => e instanceof TypeError && code(e) === "ERR_DETACHED_BUFFER");
});

test("plainBytes: a plain Uint8Array is itself; other views are rewrapped over exactly their bytes", () => {
  const backing = new Uint8Array(32);
  const plain = backing.subarray(2, 10);
  assert.equal(plainBytes(plain, "b"), plain);
  const dv = new DataView(backing.buffer, 4, 8);
  const fromDv = plainBytes(dv, "b");
  assert.equal(fromDv.constructor, Uint8Array);
  assert.deepEqual([fromDv.byteOffset, fromDv.length], [4, 8]);
  const u32 = new Uint32Array(backing.buffer, 8, 2);
  const fromU32 = plainBytes(u32, "b");
  assert.deepEqual([fromU32.byteOffset, fromU32.length], [8, 8]);
  class Sub extends Uint8Array {}
  const sub = new Sub(backing.buffer, 1, 3);
  const fromSub = plainBytes(sub, "b");
  assert.equal(fromSub.constructor, Uint8Array);
  assert.deepEqual([fromSub.byteOffset, fromSub.length], [1, 3]);
});

test("plainBytes refuses what is not a view (a Proxy without running a trap) and a detached buffer", () => {
  let trapped = 0;
  const proxy = new Proxy(new Uint8Array(4), {
    get(t, k) {
      trapped++;
      return Reflect.get(t, k) as unknown;
    },
  });
  for (const bad of [null, 3, "bytes", [1, 2], new ArrayBuffer(4), proxy]) {
    assert.throws(() => plainBytes(bad, "bytes"), (e) => e instanceof TypeError && code(e) === "ERR_INVALID_ARG_TYPE");
  }
  assert.equal(trapped, 0);
  const dv = new DataView(new ArrayBuffer(16));
  detach(dv.buffer);
  assert.throws(() => plainBytes(dv, "bytes"), (e) => e instanceof TypeError && code(e) === "ERR_DETACHED_BUFFER");
});

test("isShared and isDetached", () => {
  assert.equal(isShared(new SharedArrayBuffer(8)), true);
  assert.equal(isShared(new ArrayBuffer(8)), false);
  assert.equal(isDetached(new ArrayBuffer(8)), false);
  assert.equal(isDetached(new ArrayBuffer(0)), false);
  assert.equal(isDetached(new SharedArrayBuffer(0)), false);
  assert.equal(isDetached(detach(new ArrayBuffer(8))), true);
});
