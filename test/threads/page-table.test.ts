// Mapping changes from several threads on one shared address space are
// serialised by the space's lock: racing maps of one page have exactly one
// winner, and the page-table nodes' bookkeeping comes out exact.

import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { FrameAllocOptions, PAGE_SIZE, VmSpace } from "../../src/index.js";
import { background, controlWords, finishAll, sharedMemory, startOn, terminateAll, waitFor } from "./support.js";

afterEach(terminateAll);

const T = { timeout: 60_000 };
const VA = 0x3_0000_0000;
const READY = 0;
const GO = 1;

describe("mapping changes from several threads", () => {
  test("three workers racing to map one page: each map either wins the page outright or is refused, and nothing leaks", T, async (t) => {
    const mem = sharedMemory(256);
    const free0 = mem.freeFrames();
    const space = new VmSpace(mem);
    space.activate();
    const control = controlWords(8);
    // race-worker.js also attaches a frame: this one is only there for it.
    const holder = new FrameAllocOptions(mem).allocFrame();
    const workers = [0, 1, 2].map(() => startOn(mem, "race-worker.js", { frame: holder.share(), space: space.share(), control }));
    const ROUNDS = 2_000;
    const runs = workers.map((w, id) => background(w.call<{ wins: number; losses: number }>("mapRace", { id, va: VA, rounds: ROUNDS, readyIndex: READY, goIndex: GO }, 15_000)));
    await waitFor(() => Atomics.load(control, READY) === workers.length, 10_000, "the workers at the start line", runs);
    Atomics.store(control, GO, 1);
    Atomics.notify(control, GO);
    const results = await Promise.all(runs);
    t.diagnostic(JSON.stringify(results));
    for (const r of results) assert.equal(r.wins + r.losses, ROUNDS);
    assert.ok(results.some((r) => r.wins > 0));

    const c = space.cursor({ start: VA, end: VA + PAGE_SIZE });
    assert.equal(c.query().item, undefined, "every winner unmapped its page");
    c.dispose();
    await Promise.all(workers.map((w) => w.call("dispose")));
    await finishAll(workers);
    holder.dispose();
    space.dispose();
    assert.equal(mem.freeFrames(), free0, "frames and page-table nodes are all back");
  });
});
