// The lock-free frame allocator under real concurrency: workers allocate and
// free at random on one shared RAM, never get the same frame twice, leak
// nothing, and a worker terminated in the middle of it all leaves the
// allocator usable for everyone else.

import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { FrameAllocOptions, PAGE_SIZE, UFrame, USegment, VmError } from "../../src/index.js";
import { NOTHING_HELD, background, controlWords, sharedMemory, startOn, terminateAll, waitFor, type MemoryWorker } from "./support.js";

afterEach(terminateAll);

const T = { timeout: 60_000 };
/** Largest segment the churn asks for (FrameAllocOptions is also asked for 33..40 now and then). */
const MAX_REQUEST = 40;

/** Control words: [0, 8) progress per worker id, 8 stop flag, [16, 24) frames held per worker id. */
const STOP = 8;
const HELD = 16;

interface ChurnStats {
  allocs: number;
  frames: number;
  frees: number;
  clones: number;
  noMemory: number;
  maxHeldFrames: number;
}

function churnArgs(id: number, ops: number, maxHeld = 24, maxSegment = 8) {
  return { id, seed: 0x5eed + 7919 * id, ops, maxHeld, maxSegment, stopIndex: STOP, heldIndex: HELD + id };
}

function isNoMemory(e: unknown): boolean {
  return e instanceof VmError && e.code === "NoMemory";
}

/** Allocates and frees in this thread: throws on anything but NoMemory; returns how many allocations succeeded. */
function allocateHere(opts: FrameAllocOptions, rounds: number): number {
  let ok = 0;
  for (let i = 0; i < rounds; i++) {
    const held: Array<UFrame | USegment> = [];
    for (const n of [1, 3, 1, 8, 33]) {
      try {
        const x = n === 1 ? opts.allocFrame() : opts.allocSegment(n);
        x.writeBytes(0, new Uint8Array([i & 0xff]));
        held.push(x);
        ok++;
      } catch (e) {
        if (!isNoMemory(e)) throw e;
      }
    }
    for (const x of held) x.dispose();
  }
  return ok;
}

describe("the frame allocator shared by workers", () => {
  test("concurrent random alloc/free from three workers never hands a frame out twice and leaks nothing", T, async () => {
    const mem = sharedMemory(4096);
    const free0 = mem.freeFrames();
    const control = controlWords(32);
    const workers: MemoryWorker[] = [];
    for (let id = 0; id < 3; id++) workers.push(startOn(mem, "alloc-worker.js", { control }));
    const OPS = 25_000;
    const stats = await Promise.all(workers.map((w, id) => w.call<ChurnStats>("churn", churnArgs(id, OPS), 15_000)));
    await Promise.all(workers.map((w) => w.done()));
    for (const w of workers) assert.deepEqual(await w.reclaim(), NOTHING_HELD, "a worker that disposed everything held nothing at exit");

    let allocs = 0;
    for (const s of stats) {
      allocs += s.allocs;
      assert.ok(s.allocs > OPS / 4, `each worker allocated a lot (${JSON.stringify(s)})`);
      assert.ok(s.maxHeldFrames <= 24 * MAX_REQUEST);
    }
    assert.ok(allocs > 20_000, `tens of thousands of allocations (${allocs})`);
    // With at most 3 × 24 × 40 frames held out of ~4000, a run of ≤ 40 frames always exists:
    // NoMemory would be a lie of the allocator's search tree.
    assert.deepEqual(
      stats.map((s) => s.noMemory),
      [0, 0, 0],
      "no spurious NoMemory",
    );

    assert.equal(mem.freeFrames(), free0, "every frame is back");
    const all = new FrameAllocOptions(mem).allocSegment(mem.freeFrames());
    assert.equal(all.size(), free0 * PAGE_SIZE, "and the free frames form one run again");
    assert.equal(mem.freeFrames(), 0);
    assert.throws(() => new FrameAllocOptions(mem).allocFrame(), isNoMemory);
    all.dispose();
    assert.equal(mem.freeFrames(), free0);
  });

  test("a worker terminated while it allocates and frees, once reclaimed, gives back what it held and leaves the allocator usable by everyone", T, async (t) => {
    const mem = sharedMemory(2048);
    const free0 = mem.freeFrames();
    const opts = new FrameAllocOptions(mem);
    const control = controlWords(32);
    let lostAtMost = 0;

    // Three kills, at different depths into the run.
    for (const [round, progress] of [2_000, 9_000, 20_000].entries()) {
      const id = round;
      const w = startOn(mem, "alloc-worker.js", { control });
      // Rejected by the termination below, or earlier if the worker fails.
      const running = background(w.call("churn", churnArgs(id, Number.MAX_SAFE_INTEGER, 16, 8), 15_000));
      // Let this thread allocate too while the doomed worker runs.
      await waitFor(() => Atomics.load(control, id) >= progress / 2, 10_000, `worker ${id} to start churning`, [running]);
      assert.ok(allocateHere(opts, 50) > 0);
      await waitFor(() => Atomics.load(control, id) >= progress, 10_000, `worker ${id} to reach ${progress} operations`, [running]);
      await w.terminate();
      await assert.rejects(running);
      const heldAtDeath = Atomics.load(control, HELD + id);
      const report = await w.reclaim();
      t.diagnostic(`round ${round}: held ${heldAtDeath} frames at death; reclaim ${JSON.stringify(report)}`);
      assert.equal(report.attached, true);
      // Reclaiming drops what its handles held; only a request in flight when it died may be lost.
      assert.ok(Math.abs(report.frames - heldAtDeath) <= MAX_REQUEST, `reclaimed ${report.frames} frame references of the ${heldAtDeath} it held`);
      lostAtMost += MAX_REQUEST;

      // This thread can still allocate and free.
      const ok = allocateHere(opts, 200);
      assert.equal(ok, 200 * 5, "no NoMemory with most of RAM free");

      // So can a fresh worker.
      const other = startOn(mem, "alloc-worker.js", { control });
      const stats = await other.call<ChurnStats>("churn", churnArgs(10 + round, 5_000, 16, 8), 15_000);
      assert.ok(stats.allocs > 1000, JSON.stringify(stats));
      await other.done();
      assert.deepEqual(await other.reclaim(), NOTHING_HELD);
      assert.ok(mem.freeFrames() >= free0 - lostAtMost, `at most ${lostAtMost} frames lost (free ${mem.freeFrames()} of ${free0})`);
    }

    // Allocate every frame that is left, one at a time: each is handed out once, then NoMemory.
    const frames: UFrame[] = [];
    const seen = new Set<number>();
    const expected = mem.freeFrames();
    for (;;) {
      try {
        const f = opts.allocFrame();
        assert.ok(!seen.has(f.startPaddr()), "a frame handed out twice");
        seen.add(f.startPaddr());
        frames.push(f);
      } catch (e) {
        assert.ok(isNoMemory(e), `only NoMemory ends the loop, got ${String(e)}`);
        break;
      }
      assert.ok(frames.length <= expected, "more frames handed out than were free");
    }
    // This thread's holdings ledger keeps 24 handles in its slot and 511 more per frame of RAM.
    const ledgerPages = Math.ceil(Math.max(0, frames.length - 24) / 511);
    assert.equal(frames.length + ledgerPages, expected);
    assert.ok(frames.length + ledgerPages >= free0 - lostAtMost);
    for (const f of frames) f.dispose();
    assert.equal(mem.freeFrames(), expected, "the ledger's pages are given back with the handles");
  });

  test("the last references to the same frames and segments, dropped on four threads at once, free each frame exactly once", T, async () => {
    const mem = sharedMemory(1024);
    const free0 = mem.freeFrames();
    const opts = new FrameAllocOptions(mem);
    const control = controlWords(32);
    const READY = 24;
    const GO = 25;
    const workers = [0, 1, 2].map(() => startOn(mem, "alloc-worker.js", { control }));
    for (let round = 0; round < 5; round++) {
      const frames = Array.from({ length: 200 }, () => opts.allocFrame());
      const segments = Array.from({ length: 20 }, (_, i) => opts.allocSegment(1 + (i % 7)));
      const held = free0 - mem.freeFrames();
      for (const w of workers) {
        const n = await w.call<number>("adopt", { frames: frames.map((f) => f.share()), segments: segments.map((s) => s.share()) });
        assert.equal(n, frames.length + segments.length);
      }
      assert.equal(frames[0]?.referenceCount(), 4);
      Atomics.store(control, READY, 0);
      Atomics.store(control, GO, 0);
      const drops = workers.map((w) => background(w.call("disposeAdopted", { readyIndex: READY, goIndex: GO })));
      await waitFor(() => Atomics.load(control, READY) === workers.length, 10_000, "the workers at the start line", drops);
      Atomics.store(control, GO, 1);
      Atomics.notify(control, GO);
      // This thread drops its references at the same time.
      for (const f of frames) f.dispose();
      for (const s of segments) s.dispose();
      await Promise.all(drops);
      assert.equal(mem.freeFrames(), free0, `round ${round}: all ${held} frames freed once each`);
    }
    await Promise.all(workers.map((w) => w.done()));
    for (const w of workers) assert.deepEqual(await w.reclaim(), NOTHING_HELD);
    const all = opts.allocSegment(free0);
    all.dispose();
  });
});
