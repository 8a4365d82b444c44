// A thread's holdings ledger: what a reclaimer reads back is exactly what
// the thread recorded and has not erased, in its slot and in the overflow
// pages chained from it; pages are taken as needed and given back once
// little is held, relinking the chain so that it never leads to a freed page.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FrameAllocOptions } from "../../src/index.js";
import { HOLD_FRAMES, HOLD_RETIRED, HOLD_SPACE, takeLedger } from "../../src/frame/holdings.js";
import { ramOf } from "../../src/frame/physical-memory.js";
import { memory, otherThread } from "./support.js";

describe("holdings ledger", () => {
  test("reads back what was recorded, with in-place changes, and nothing erased", () => {
    const mem = memory(256, { shared: true });
    const { memory: b, token } = otherThread(mem);
    const ram = ramOf(b);
    const holdings = ram.holdings!;
    holdings.reserve(40);
    const ids = Array.from({ length: 40 }, (_, i) => holdings.record(i % 3 === 0 ? HOLD_SPACE : HOLD_FRAMES, 100 + i, 200 + i));
    holdings.setFirst(ids[1]!, 150);
    holdings.setSecond(ids[2]!, 250);
    for (const id of ids.slice(10, 30)) holdings.erase(id);
    const retired = holdings.record(HOLD_RETIRED, 7, 9);
    const { holdings: got, pages } = takeLedger(ram.i32, ram.frames, ram.nframes, token.slot);
    const want = ids
      .map((id, i) => ({ id, kind: i % 3 === 0 ? HOLD_SPACE : HOLD_FRAMES, first: i === 1 ? 150 : 100 + i, second: i === 2 ? 250 : 200 + i }))
      .filter((_, i) => i < 10 || i >= 30)
      .map(({ kind, first, second }) => ({ kind, first, second }));
    want.push({ kind: HOLD_RETIRED, first: 7, second: 9 });
    const key = (h: { kind: number; first: number; second: number }): string => `${h.kind}:${h.first}:${h.second}`;
    assert.deepEqual(got.map(key).sort(), want.map(key).sort());
    assert.equal(pages.length, 1, "24 entries in the slot, the rest on one page");
    assert.deepEqual(takeLedger(ram.i32, ram.frames, ram.nframes, token.slot).holdings, [], "read once: taking erases");
    void retired;
  });

  test("overflow pages emptied in the middle of the chain are unlinked before they are freed; the chain still leads to every entry", () => {
    const mem = memory(2048, { shared: true });
    const free0 = mem.freeFrames();
    const { memory: b, token } = otherThread(mem);
    const opts = new FrameAllocOptions(b);
    // The slot's 24 entries, two full pages of 511, and 5 on a third page.
    const frames = Array.from({ length: 24 + 2 * 511 + 5 }, () => opts.allocFrame());
    assert.equal(mem.freeFrames(), free0 - frames.length - 3);
    const last = frames.splice(frames.length - 5);
    for (const f of frames) f.dispose();
    assert.equal(mem.freeFrames(), free0 - 5 - 1, "the two emptied pages went back; the third holds the last five");
    assert.equal(mem.reclaim(token).frames, 5, "found through the relinked chain");
    assert.equal(mem.freeFrames(), free0);
    void last;
  });

  test("a thread that disposed everything holds no ledger page, whatever it held on the way", () => {
    const mem = memory(2048, { shared: true });
    const free0 = mem.freeFrames();
    const opts = new FrameAllocOptions(mem);
    for (let round = 0; round < 3; round++) {
      const held = Array.from({ length: 700 }, (_, i) => (i % 2 === 0 ? opts.allocFrame() : opts.allocSegment(1)));
      for (const h of held.reverse()) h.dispose();
      assert.equal(mem.freeFrames(), free0);
    }
  });

  test("unshared RAM keeps no ledger", () => {
    const mem = memory(64);
    assert.equal(ramOf(mem).holdings, null);
    const free0 = mem.freeFrames();
    const frames = Array.from({ length: 40 }, () => new FrameAllocOptions(mem).allocFrame());
    assert.equal(mem.freeFrames(), free0 - 40);
    for (const f of frames) f.dispose();
  });
});
