// The view caches of memory-cursor.ts: the arrays `VmReader.from`/`VmWriter.from`
// remember (A, B) and the ones a VM object's byte methods remember (C, D,
// through ioBytes) are kept apart, so that neither kind of use evicts the
// other's; copyView hands out a DataView over exactly an array's bytes only
// on its 32nd small copy and only while the array is unchanged.

import { test } from "node:test";
import assert from "node:assert/strict";
import { copyView, fromBytes, ioBytes, knownView } from "../../src/io/memory-cursor.js";

/** Detaches `buffer` by transferring it to a `MessageChannel`'s port. */
function detach(buffer: ArrayBuffer): void {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(null, [buffer]);
  port1.close();
  port2.close();
}

function code(e: unknown): unknown {
  return (e as { code?: unknown }).code;
}

/** Asks copyView for `bytes`'s view `n` times; the answers. */
function ask(bytes: Uint8Array, n: number): Array<DataView | null> {
  return Array.from({ length: n }, () => copyView(bytes));
}

test("ioBytes hands back a plain Uint8Array itself and remembers it; other views are rewrapped over the same bytes, not remembered", () => {
  const plain = new Uint8Array(16);
  assert.equal(ioBytes(plain, "buf"), plain);
  assert.equal(ioBytes(plain, "buf"), plain, "known: the same object again");
  const backing = new ArrayBuffer(32);
  const dv = new DataView(backing, 4, 8);
  const a = ioBytes(dv, "slice");
  const b = ioBytes(dv, "slice");
  assert.ok(a instanceof Uint8Array && a.buffer === backing && a.byteOffset === 4 && a.length === 8);
  assert.notEqual(a, b, "a rewrapped view is made anew each time");
  assert.equal(ask(a, 40).filter((v) => v !== null).length, 0, "a rewrapped array is never remembered, so never given a view");
  for (const bad of [null, undefined, 3, "x", [1, 2], {}, new Proxy(new Uint8Array(4), {})]) {
    assert.throws(() => ioBytes(bad, "buf"), (e: unknown) => e instanceof TypeError && code(e) === "ERR_INVALID_ARG_TYPE");
  }
});

test("copyView of an array ioBytes remembered: null for 31 asks, then one DataView over exactly its bytes, kept", () => {
  const backing = new Uint8Array(64);
  const buf = backing.subarray(8, 40);
  ioBytes(buf, "buf");
  const answers = ask(buf, 34);
  assert.ok(answers.slice(0, 31).every((v) => v === null));
  const view = answers[31] as DataView;
  assert.ok(view instanceof DataView && view.buffer === backing.buffer && view.byteOffset === 8 && view.byteLength === 32);
  assert.ok(answers.slice(32).every((v) => v === view), "the same view after");
  // Remembered again, it starts over: a new view only after 32 more asks.
  ioBytes(new Uint8Array(4), "buf");
  ioBytes(new Uint8Array(4), "buf");
  ioBytes(buf, "buf");
  assert.equal(copyView(buf), null);
});

test("the byte methods' arrays never evict the cursors' (nor the reverse): a loop mixing both keeps every view", () => {
  const r = fromBytes(new Uint8Array(64));
  const w = fromBytes(new Uint8Array(64));
  const rv = ask(r, 32)[31] as DataView;
  const wv = ask(w, 32)[31] as DataView;
  assert.ok(rv instanceof DataView && wv instanceof DataView);
  const c = new Uint8Array(64);
  const d = new Uint8Array(64);
  ioBytes(c, "buf");
  ioBytes(d, "buf");
  const cv = ask(c, 32)[31] as DataView;
  assert.ok(ask(d, 32)[31] instanceof DataView);
  for (let i = 0; i < 5; i++) {
    // Three more arrays through the byte methods, two through from: each cache keeps only its own last two.
    for (const x of [new Uint8Array(8), new Uint8Array(8), new Uint8Array(8)]) ioBytes(x, "buf");
    ioBytes(c, "buf");
    ioBytes(d, "buf");
    assert.equal(knownView(r), rv, "the reader's array is still known with its view");
    assert.equal(knownView(w), wv);
    assert.equal(copyView(c), null, "c was remembered again: its view is made anew on its 32nd ask");
  }
  assert.equal(knownView(c), null, "the byte methods' arrays are not the cursors'");
  const c2 = ask(c, 31)[30] as DataView;
  assert.ok(c2 instanceof DataView && c2 !== cv && c2.byteLength === 64);
  fromBytes(new Uint8Array(8));
  fromBytes(new Uint8Array(8));
  assert.equal(knownView(r), null, "the cursors' cache keeps its own last two");
  assert.equal(copyView(c), c2, "and the byte methods' cache is untouched by them");
});

test("a remembered array whose buffer is detached is no longer known: ioBytes refuses it, copyView has no view for it", () => {
  const buf = new Uint8Array(16);
  ioBytes(buf, "buf");
  const view = ask(buf, 32)[31];
  assert.ok(view instanceof DataView);
  detach(buf.buffer as ArrayBuffer);
  assert.equal(copyView(buf), null);
  assert.throws(() => ioBytes(buf, "buf"), (e: unknown) => e instanceof TypeError && code(e) === "ERR_DETACHED_BUFFER");
});
