// The reclaim rule with real workers: a thread's hold on shared memory is
// released only by that thread, or by `PhysicalMemory.reclaim(token)` once
// its worker has exited. A worker terminated inside an access, inside a
// copy, or holding a space's page-table lock leaves everything waiting for
// it until it is reclaimed — never freed early, never presumed dead — and
// afterwards nothing leaks. A live worker stalled longer than any deadline
// keeps its frames and their bytes.

import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CachePolicy, FrameAllocOptions, PAGE_SIZE, PageFlags, PageProperty, PhysicalMemory, VmSpace, u32, type UFrame } from "../../src/index.js";
import { waitBounds } from "../../src/base/futex-lock.js";
import { NOTHING_HELD, background, controlWords, finishAll, sharedMemory, startOn, terminateAll, waitFor, type ErrorInfo, type MemoryWorker } from "./support.js";

const saved = { ...waitBounds };
afterEach(async () => {
  Object.assign(waitBounds, saved);
  await terminateAll();
});

const T = { timeout: 60_000 };
const VA = 0x2000_0000;
const READY = 0;
const COUNT = 1;
const RELEASE = 2;

interface Fixture {
  readonly mem: PhysicalMemory;
  readonly free0: number;
  readonly space: VmSpace;
  readonly control: Int32Array;
  /** Physical address of the page mapped at VA, which holds `byte` everywhere. */
  readonly paddr: number;
  spawn(frame?: UFrame): MemoryWorker;
}

/** Shared RAM, a shared space (active here) with one page at VA filled with `byte`. */
function fixture(byte = 0x5c, frames = 256): Fixture {
  const mem = sharedMemory(frames);
  const free0 = mem.freeFrames();
  const space = new VmSpace(mem);
  space.activate();
  const f = new FrameAllocOptions(mem).allocFrame();
  f.writeBytes(0, new Uint8Array(PAGE_SIZE).fill(byte));
  const c = space.cursorMut({ start: VA, end: VA + PAGE_SIZE });
  c.map(f, PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback));
  c.dispose();
  const paddr = f.startPaddr();
  f.dispose();
  const control = controlWords(16);
  return {
    mem,
    free0,
    space,
    control,
    paddr,
    spawn: (frame) => startOn(mem, "reclaim-worker.js", { space: space.share(), control, ...(frame === undefined ? {} : { frame: frame.share() }) }),
  };
}

function unmap(space: VmSpace, va: number): void {
  const c = space.cursorMut({ start: va, end: va + PAGE_SIZE });
  c.unmap(PAGE_SIZE);
  c.dispose();
}

/** Takes every free frame, fills it with `byte`, and returns the handles and whether `paddr` was among them. */
function grabAll(mem: PhysicalMemory, byte: number, paddr: number): { frames: UFrame[]; gotIt: boolean } {
  const opts = new FrameAllocOptions(mem);
  const frames: UFrame[] = [];
  for (;;) {
    try {
      const f = opts.allocFrame();
      f.writeBytes(0, new Uint8Array(PAGE_SIZE).fill(byte));
      frames.push(f);
    } catch {
      break;
    }
  }
  return { frames, gotIt: frames.some((f) => f.startPaddr() === paddr) };
}

describe("reclaiming exited workers", () => {
  test("a worker terminated inside an access: the frame it may still read is never freed before it is reclaimed, and nothing leaks after", T, async (t) => {
    waitBounds.retireMs = 200;
    const fx = fixture();
    const w = fx.spawn();
    const parked = background(w.call("stallInAccess", { paddr: fx.paddr, readyIndex: READY, stallMs: -1 }, 20_000));
    await waitFor(() => Atomics.load(fx.control, READY) === 1, 10_000, "the worker inside its access", [parked]);

    const before = fx.mem.freeFrames();
    const start = performance.now();
    unmap(fx.space, VA);
    t.diagnostic(`unmap returned after ${(performance.now() - start).toFixed(0)} ms`);
    assert.equal(fx.mem.freeFrames(), before, "the unmapped frame is not freed: the worker may still be reading it");
    const grabbed = grabAll(fx.mem, 0xee, fx.paddr);
    assert.equal(grabbed.gotIt, false, "and never handed out");

    await w.terminate();
    await assert.rejects(parked);
    assert.equal(fx.mem.freeFrames(), 0, "terminated is not reclaimed: still held");
    const report = await w.reclaim();
    assert.deepEqual(report, { attached: true, inAccess: true, locks: 0, frames: 0, spaces: 1, retired: 0 });
    assert.equal(fx.mem.freeFrames(), 4, "now the frame is free, and the three page-table nodes the unmap emptied");
    for (const f of grabbed.frames) f.dispose();
    fx.space.dispose();
    assert.equal(fx.mem.freeFrames(), fx.free0, "nothing leaks");
  });

  test("a live worker stalled inside an access for 3 s — past any old deadline — keeps its frame and its bytes; the frame is freed once it is done", T, async (t) => {
    const fx = fixture(0x5c);
    const w = fx.spawn();
    // The worker stays inside its access until this thread releases it (after its checks, and 3 s at least): no
    // race between a timed stall and a slow main thread. 20 s is only the worker's guard against a hang.
    const stalled = background(w.call<{ bytes: Uint8Array; released: boolean }>("stallInAccess", { paddr: fx.paddr, readyIndex: READY, releaseIndex: RELEASE, stallMs: 20_000 }, 25_000));
    await waitFor(() => Atomics.load(fx.control, READY) === 1, 10_000, "the worker inside its access", [stalled]);
    const entered = performance.now();

    const before = fx.mem.freeFrames();
    const start = performance.now();
    unmap(fx.space, VA);
    const waited = performance.now() - start;
    t.diagnostic(`unmap waited ${waited.toFixed(0)} ms, then deferred the free`);
    // Its bound is retireMs (1 s); an unbounded wait would last until the worker's guard, 20 s.
    assert.ok(waited < 10_000, "the unmap itself is bounded");
    // Everybody else now takes every frame there is and scribbles on it.
    const grabbed = grabAll(fx.mem, 0xee, fx.paddr);
    assert.equal(grabbed.gotIt, false, "the stalled worker's frame is not among them");
    // (Holding that many handles, this thread's ledger took a frame of its own.)
    assert.equal(grabbed.frames.length, before - 1, "every other free frame was");
    // Past any old deadline (a lower bound on wall time: a loaded machine only lengthens it), then let it go on.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 3_000 - (performance.now() - entered))));
    Atomics.store(fx.control, RELEASE, 1);
    Atomics.notify(fx.control, RELEASE);

    const { bytes: seen, released } = await stalled;
    assert.ok(released, "the worker stayed in its access until released");
    assert.ok(seen.every((b) => b === 0x5c), "after its stall the worker reads its own bytes, not another owner's");
    // Its access is over: the frame (and the three page-table nodes the unmap emptied) are freed at this thread's next look.
    assert.equal(fx.mem.freeFrames(), 4);
    for (const f of grabbed.frames) f.dispose();
    await w.call("dispose");
    await finishAll([w]);
    fx.space.dispose();
    assert.equal(fx.mem.freeFrames(), fx.free0);
  });

  test("a worker terminated in the middle of copies between its frame and the space: reclaiming releases its frame, its view and its access", T, async (t) => {
    const fx = fixture();
    const reports: string[] = [];
    for (const rounds of [5, 50, 500]) {
      const frame = new FrameAllocOptions(fx.mem).allocFrame();
      const w = fx.spawn(frame);
      frame.dispose(); // the worker's handle (from the token) is the only one
      Atomics.store(fx.control, COUNT, 0);
      const copying = background(w.call("copyForever", { va: VA, len: PAGE_SIZE, countIndex: COUNT }, 20_000));
      await waitFor(() => Atomics.load(fx.control, COUNT) >= rounds, 10_000, "the worker to copy", [copying]);
      await w.terminate();
      await assert.rejects(copying);
      const report = await w.reclaim();
      reports.push(JSON.stringify(report));
      assert.equal(report.attached, true);
      assert.equal(report.frames, 1, "its frame handle");
      assert.equal(report.spaces, 1, "its view of the space");
      assert.equal(report.locks, 0);
      assert.equal(fx.space.readVal(VA, u32), 0x5c5c5c5c, "the space still works here");
    }
    t.diagnostic(reports.join("; "));
    fx.space.dispose();
    assert.equal(fx.mem.freeFrames(), fx.free0, "nothing leaks");
  });

  test("a worker terminated holding a space's page-table lock: other threads' changes give up with ERR_LOCK_TIMEOUT and change nothing; reclaiming frees the lock", T, async () => {
    waitBounds.lockMs = 300;
    const fx = fixture();
    const w = fx.spawn();
    const holding = background(w.call("holdSpaceLock", { va: VA, readyIndex: READY }, 20_000));
    await waitFor(() => Atomics.load(fx.control, READY) === 1, 10_000, "the worker to hold the lock", [holding]);
    await w.terminate();
    await assert.rejects(holding);

    const frame = new FrameAllocOptions(fx.mem).allocFrame();
    const c = fx.space.cursorMut({ start: VA + PAGE_SIZE, end: VA + 2 * PAGE_SIZE });
    const free = fx.mem.freeFrames();
    assert.throws(
      () => c.map(frame, PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback)),
      (e: Error) => (e as { code?: string }).code === "ERR_LOCK_TIMEOUT" && /reclaim/.test(e.message),
    );
    assert.equal(frame.referenceCount(), 1, "no mapping took a reference");
    assert.equal(fx.mem.freeFrames(), free, "no table was allocated");
    assert.equal(c.virtAddr(), VA + PAGE_SIZE, "the cursor did not move");

    const report = await w.reclaim();
    assert.deepEqual(report, { attached: true, inAccess: false, locks: 1, frames: 0, spaces: 1, retired: 0 });
    c.map(frame, PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback));
    c.dispose();
    frame.dispose();
    fx.space.dispose();
    assert.equal(fx.mem.freeFrames(), fx.free0, "nothing leaks");
  });

  test("protect while a terminated worker is inside an access waits at most its bound, then fails with ERR_GRACE_PERIOD_TIMEOUT; after reclaiming, it succeeds", T, async () => {
    waitBounds.synchronizeMs = 300;
    const fx = fixture();
    const w = fx.spawn();
    const parked = background(w.call("stallInAccess", { paddr: fx.paddr, readyIndex: READY, stallMs: -1 }, 20_000));
    await waitFor(() => Atomics.load(fx.control, READY) === 1, 10_000, "the worker inside its access", [parked]);
    await w.terminate();
    await assert.rejects(parked);
    const protect = (flags: number): void => {
      const c = fx.space.cursorMut({ start: VA, end: VA + PAGE_SIZE });
      try {
        c.protectNext(PAGE_SIZE, (p) => {
          p.flags = flags;
        });
      } finally {
        c.dispose();
      }
    };
    assert.throws(() => protect(PageFlags.R), (e: Error) => (e as { code?: string }).code === "ERR_GRACE_PERIOD_TIMEOUT");
    assert.equal((await w.reclaim()).inAccess, true);
    protect(PageFlags.RW);
    fx.space.dispose();
    assert.equal(fx.mem.freeFrames(), fx.free0);
  });

  test("a worker that ends without disposing its handles and views: reclaiming it releases them", T, async () => {
    const fx = fixture();
    const w = fx.spawn();
    const held = await w.call<number>("holdHandles");
    await w.done();
    const report = await w.reclaim();
    assert.deepEqual(report, { attached: true, inAccess: false, locks: 0, frames: held, spaces: 1, retired: 0 });
    fx.space.dispose();
    assert.equal(fx.mem.freeFrames(), fx.free0);
  });

  test("a worker cannot reclaim itself (TypeError); one that let go of everything is reclaimed with nothing to release", T, async () => {
    const fx = fixture();
    const w = fx.spawn();
    const info = await w.call<ErrorInfo>("reclaimSelf");
    assert.equal(info.name, "TypeError");
    assert.equal(info.code, "ERR_INVALID_ARG_TYPE");
    await w.call("dispose");
    await w.done();
    assert.deepEqual(await w.reclaim(), NOTHING_HELD);
    fx.space.dispose();
    assert.equal(fx.mem.freeFrames(), fx.free0);
  });
});
