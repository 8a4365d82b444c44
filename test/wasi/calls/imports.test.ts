/**
 * The preview1 import object as a hostile guest calls it: the README's
 * bad-pointer table (every row an errno with nothing written), negative
 * int32 pointers, and memory growth during a call.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { E, testGuest } from "../guest.js";
import { POINTER_CASES, makeHost } from "../suite/bad-pointers.js";

describe("guest memory discipline", () => {
  for (const c of POINTER_CASES) {
    test(`${c.name}: errno ${c.errno}, nothing written`, async () => {
      const h = await makeHost("vmio/wasi");
      const r = c.run(h);
      assert.equal(r.answer, c.errno);
      assert.equal(r.sideEffect, false);
    });
  }

  test("a pointer passed as a negative int32 means its unsigned value (out of bounds here)", async () => {
    const g = await testGuest();
    assert.equal(g.call.fd_write!(1, -8, 1, 200), E.FAULT);
    assert.equal(g.call.random_get!(-1, 1), E.FAULT);
    assert.equal(g.call.random_get!(65535, 1), E.SUCCESS, "the last byte is in bounds");
    assert.equal(g.call.random_get!(65536, 0), E.SUCCESS, "an empty range at the end is in bounds");
  });

  test("a sink that grows memory during fd_write: the result lands in the grown memory", async () => {
    let grow = () => {};
    const g = await testGuest({ stdout: () => grow() });
    grow = () => void g.memory.grow(1);
    g.put(1000, "hello");
    g.iovecs(100, [[1000, 5]]);
    assert.equal(g.call.fd_write!(1, 100, 1, 200), E.SUCCESS);
    assert.equal(g.memory.buffer.byteLength, 2 * 65536);
    assert.equal(g.u32(200), 5);
  });
});
