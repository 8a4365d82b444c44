// TLB shootdown across threads: once unmap or protect returns on one
// thread, no other thread reaches the page through what it cached — its
// TLB, a reader or writer made before — and an unmapped frame goes back to
// the allocator only after every thread has let go of it.

import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CachePolicy,
  FrameAllocOptions,
  PAGE_SIZE,
  PageFlags,
  PageProperty,
  PhysicalMemory,
  UFrame,
  VmSpace,
  u32,
} from "../../src/index.js";
import { waitBounds } from "../../src/base/futex-lock.js";
import { background, controlWords, finishAll, sharedMemory, startOn, terminateAll, waitFor, type ErrorInfo, type MemoryWorker } from "./support.js";
import { noWait } from "../base/no-wait.js";

const savedBounds = { ...waitBounds };
afterEach(async () => {
  Object.assign(waitBounds, savedBounds);
  await terminateAll();
});

const T = { timeout: 60_000 };
const VA = 0x1_0000_0000;

function fill(frame: UFrame, byte: number): void {
  frame.writeBytes(0, new Uint8Array(PAGE_SIZE).fill(byte));
}

/** Maps a fresh frame filled with `byte` at `va`; the mapping holds the only reference. Returns its physical address. */
function mapFresh(space: VmSpace, opts: FrameAllocOptions, va: number, byte: number, flags: number = PageFlags.RW): number {
  const f = opts.allocFrame();
  fill(f, byte);
  const c = space.cursorMut({ start: va, end: va + PAGE_SIZE });
  c.map(f, PageProperty.newUser(flags, CachePolicy.Writeback));
  c.dispose();
  const paddr = f.startPaddr();
  f.dispose();
  return paddr;
}

function unmap(space: VmSpace, va: number, len: number): void {
  const c = space.cursorMut({ start: va, end: va + len });
  c.unmap(len);
  c.dispose();
}

function isFault(x: unknown): boolean {
  const e = x as ErrorInfo;
  return typeof e === "object" && e !== null && !(x instanceof Uint8Array) && e.name === "VmError" && e.code === "PageFault";
}

function assertFault(x: unknown, what: string): void {
  assert.ok(isFault(x), `${what}: expected VmError PageFault, got ${x instanceof Uint8Array ? `bytes [${x.subarray(0, 4).join(", ")}, …]` : JSON.stringify(x)}`);
  assert.equal((x as ErrorInfo).copied ?? 0, 0, `${what}: nothing copied`);
}

function setup(frames = 256): { mem: PhysicalMemory; free0: number; opts: FrameAllocOptions; space: VmSpace; control: Int32Array; spawn(): MemoryWorker } {
  const mem = sharedMemory(frames);
  const free0 = mem.freeFrames();
  const space = new VmSpace(mem);
  space.activate();
  const control = controlWords(16);
  return {
    mem,
    free0,
    opts: new FrameAllocOptions(mem),
    space,
    control,
    spawn: () => startOn(mem, "shootdown-worker.js", { space: space.share(), control }),
  };
}

describe("TLB shootdown across threads", () => {
  test("after unmap returns here, the worker's next access through its TLB, an old reader, readVal or readBytes faults", T, async () => {
    const { mem, free0, opts, space, spawn } = setup();
    const paddr = mapFresh(space, opts, VA, 0xa5);
    mapFresh(space, opts, VA + PAGE_SIZE, 0x11); // keeps the page-table nodes alive, so that unmap frees one frame
    // Root and control block, three more table levels, two frames: the mappings hold the frames, no handle does.
    assert.equal(mem.freeFrames(), free0 - 2 - 3 - 2);
    const w = spawn();
    const primed = await w.call<Uint8Array>("prime", { va: VA, len: PAGE_SIZE });
    assert.deepEqual(primed, new Uint8Array(PAGE_SIZE).fill(0xa5), "the worker reads the page (its TLB now holds it)");
    assert.equal(space.readVal(VA, u32), 0xa5a5a5a5, "so does this thread's");

    const held = mem.freeFrames();
    unmap(space, VA, PAGE_SIZE);
    assert.equal(mem.freeFrames(), held + 1, "the frame is freed by the unmap — not before (the handle was long gone), and not later");

    // The allocator hands the freed frame out next (its policy): scribble on it.
    const reused = opts.allocFrame();
    assert.equal(reused.startPaddr(), paddr, "the unmapped frame is reused at once");
    fill(reused, 0x5a);
    const after = await w.call<Record<string, unknown>>("readAll", { va: VA, len: PAGE_SIZE });
    for (const [how, result] of Object.entries(after)) assertFault(result, how);
    assert.throws(() => space.readVal(VA, u32), { name: "VmError", code: "PageFault" });

    reused.dispose();
    await w.call("dispose");
    await finishAll([w]);
    space.dispose();
    assert.equal(mem.freeFrames(), free0);
  });

  test("after protectNext makes a page read-only here, the worker's next write faults (its TLB entry was writable) and reads still work", T, async () => {
    const { mem, free0, opts, space, spawn } = setup();
    mapFresh(space, opts, VA, 0);
    const w = spawn();
    await w.call("prime", { va: VA, len: 4 });
    const before = await w.call<{ viaWriter?: ErrorInfo; viaWriteVal?: ErrorInfo }>("writeBoth", { va: VA, value: 41 });
    assert.deepEqual(before, {}, "the worker can write (its TLB now holds a writable entry)");
    assert.equal(space.readVal(VA, u32), 42, "written by the worker's writeVal, seen here");

    const c = space.cursorMut({ start: VA, end: VA + PAGE_SIZE });
    const changed = c.protectNext(PAGE_SIZE, (p) => {
      p.flags = PageFlags.R;
    });
    c.dispose();
    assert.deepEqual(changed, { start: VA, end: VA + PAGE_SIZE });

    const after = await w.call<{ viaWriter?: ErrorInfo; viaWriteVal?: ErrorInfo }>("writeBoth", { va: VA, value: 99 });
    assertFault(after.viaWriter, "the kept writer");
    assertFault(after.viaWriteVal, "writeVal");
    const reads = await w.call<{ viaReadVal: unknown }>("readAll", { va: VA, len: 4 });
    assert.equal(reads.viaReadVal, 42, "reads still work, and no faulted write landed");
    assert.equal(space.readVal(VA, u32), 42);

    await w.call("dispose");
    await finishAll([w]);
    space.dispose();
    assert.equal(mem.freeFrames(), free0);
  });

  test("protectNext while a worker writes the page in a loop: no write lands after it returns, and writes resume once W is back", T, async () => {
    const { mem, free0, opts, space, control, spawn } = setup();
    mapFresh(space, opts, VA, 0);
    const w = spawn();
    const STOP = 0;
    const LOOPS = 1;
    const FAULTS = 2;
    const run = background(w.call("writeLoop", { va: VA, stopIndex: STOP, countIndex: LOOPS }, 15_000));
    const page = (): Uint8Array => {
      const b = new Uint8Array(PAGE_SIZE);
      space.readBytes(VA, b);
      return b;
    };
    const protect = (flags: number): void => {
      const c = space.cursorMut({ start: VA, end: VA + PAGE_SIZE });
      c.protectNext(PAGE_SIZE, (p) => {
        p.flags = flags;
      });
      c.dispose();
    };
    try {
      for (let round = 0; round < 5; round++) {
        await waitFor(() => Atomics.load(control, LOOPS) > 200 * (round + 1), 10_000, "the worker to write", [run]);
        protect(PageFlags.R);
        const frozen = page();
        assert.ok(frozen.every((b) => b === frozen[0]), "the last write before the protect completed whole");
        const faults = Atomics.load(control, FAULTS);
        await waitFor(() => Atomics.load(control, FAULTS) > faults + 50, 10_000, "the worker's writes to fault", [run]);
        assert.deepEqual(page(), frozen, "no write landed on the read-only page");
        protect(PageFlags.RW);
        const loops = Atomics.load(control, LOOPS);
        await waitFor(() => Atomics.load(control, LOOPS) > loops + 50, 10_000, "the worker to write again", [run]);
        await waitFor(() => page()[0] !== frozen[0], 10_000, "a write to land again", [run]);
      }
    } finally {
      Atomics.store(control, STOP, 1);
      await Promise.allSettled([run]);
    }
    await run;
    await w.call("dispose");
    await finishAll([w]);
    space.dispose();
    assert.equal(mem.freeFrames(), free0);
  });

  test("frames unmapped while workers copy from them in loops are never reused while a worker can still reach them", T, async (t) => {
    const PAGES = 16;
    const { mem, free0, opts, space, control, spawn } = setup(512);
    for (let p = 0; p < PAGES; p++) mapFresh(space, opts, VA + p * PAGE_SIZE, p + 1);
    const STOP = 0;
    const modes = ["copy", "values", "bytes"] as const;
    const watchers = modes.map(() => spawn());
    let watcherFailed = false;
    const runs = watchers.map((w, i) =>
      background(w.call<{ ok: number; faults: number; partial: number; loops: number }>("watch", { va: VA, pages: PAGES, mode: modes[i], stopIndex: STOP, countIndex: 1 + i }, 15_000)),
    );
    for (const r of runs) r.catch(() => (watcherFailed = true));
    let iterations = 0;
    try {
      await waitFor(() => [1, 2, 3].every((i) => Atomics.load(control, i) > 10), 10_000, "the watchers to start", runs);
      const deadline = performance.now() + 3_000;
      // Unmap a page (or three), let the allocator hand the freed frames to someone who
      // scribbles on them, map fresh frames with the right bytes, repeat: 50 times at least, however slow the
      // machine (the deadline only cuts a fast run short of 600).
      for (; iterations < 600 && (iterations < 50 || performance.now() < deadline) && !watcherFailed; iterations++) {
        const p = (iterations * 7) % PAGES;
        const n = iterations % 5 === 0 ? Math.min(3, PAGES - p) : 1;
        unmap(space, VA + p * PAGE_SIZE, n * PAGE_SIZE);
        const junk: UFrame[] = [];
        for (let j = 0; j < 4; j++) {
          const f = opts.allocFrame();
          fill(f, 0xee);
          junk.push(f);
        }
        for (let q = p; q < p + n; q++) mapFresh(space, opts, VA + q * PAGE_SIZE, q + 1);
        for (const f of junk) f.dispose();
        // Give the watchers a moment with the new mapping now and then.
        if (iterations % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    } finally {
      Atomics.store(control, STOP, 1);
      await Promise.allSettled(runs);
    }
    const stats = await Promise.all(runs);
    t.diagnostic(`${iterations} remaps; watchers (${modes.join(", ")}): ${JSON.stringify(stats)}`);
    for (const s of stats) assert.ok(s.ok > 0, `each watcher read the pages whole at least once: ${JSON.stringify(stats)}`);
    assert.ok(iterations >= 50, `${iterations} remaps`);

    await Promise.all(watchers.map((w) => w.call("dispose")));
    await finishAll(watchers);
    space.dispose();
    assert.equal(mem.freeFrames(), free0, "no frame leaked or freed twice");
  });

  test("a worker's demand-paging fault handler races this thread's unmaps: every byte it reads is its page's, and nothing leaks", T, async (t) => {
    const PAGES = 8;
    const { mem, free0, space, control, spawn } = setup(512);
    const w = spawn();
    const STOP = 0;
    const run = background(w.call<{ ok: number; faults: number; handled: number }>("demandPaging", { va: VA, pages: PAGES, stopIndex: STOP, countIndex: 1 }, 15_000));
    let iterations = 0;
    try {
      await waitFor(() => Atomics.load(control, 1) > 10, 10_000, "the worker to page in", [run]);
      let failed = false;
      run.catch(() => (failed = true));
      const deadline = performance.now() + 1_000;
      for (; iterations < 400 && performance.now() < deadline && !failed; iterations++) {
        // One page or two at a time, wherever the worker may be.
        const p = (iterations * 3) % (PAGES - 1);
        unmap(space, VA + p * PAGE_SIZE, (1 + (iterations % 2)) * PAGE_SIZE);
        if (iterations % 40 === 39) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    } finally {
      Atomics.store(control, STOP, 1);
      await Promise.allSettled([run]);
    }
    const stats = await run;
    t.diagnostic(`${iterations} unmaps; worker: ${JSON.stringify(stats)}`);
    assert.ok(stats.handled >= PAGES, "the handler paged every page in at least once");
    assert.ok(stats.ok > 0);
    await w.call("dispose");
    await finishAll([w]);
    space.dispose();
    assert.equal(mem.freeFrames(), free0, "every demand-paged frame is back");
  });

  test("a worker terminated in the middle of copies: unmaps defer their frees instead of presuming it dead, and reclaiming it frees them and its view of the space", T, async (t) => {
    const PAGES = 32;
    const { mem, free0, opts, space, control, spawn } = setup(512);
    for (let p = 0; p < PAGES; p++) mapFresh(space, opts, VA + p * PAGE_SIZE, p + 1);
    const w = spawn();
    const spinning = background(w.call("spin", { va: VA, len: PAGES * PAGE_SIZE, countIndex: 1 }, 15_000));
    await waitFor(() => Atomics.load(control, 1) > 20, 10_000, "the worker to copy", [spinning]);
    await w.terminate();
    await assert.rejects(spinning);

    // The worker most likely died inside a copy's critical section, which it never leaves:
    // an unmap waits for it at most the retire bound, then leaves the frame allocated.
    let before = mem.freeFrames();
    let start = performance.now();
    unmap(space, VA, PAGE_SIZE);
    const first = performance.now() - start;
    // A long bound now: waiting again for the reader found stuck would show as seconds.
    const retireMs = waitBounds.retireMs;
    waitBounds.retireMs = 10_000;
    start = performance.now();
    for (let p = 1; p < 6; p++) unmap(space, VA + p * PAGE_SIZE, PAGE_SIZE);
    const next = performance.now() - start;
    const deferred = before - mem.freeFrames() === 0;
    t.diagnostic(`first unmap ${first.toFixed(0)} ms, next five ${next.toFixed(1)} ms; frees deferred: ${deferred}; ${Atomics.load(control, 1)} loops`);
    // Bounded by the retire bound (1 s), not the synchronize bound (10 s); margin for a loaded machine. (Unbounded,
    // it would never return: the reader is dead.)
    assert.ok(first < retireMs + 7_000, `the first unmap after the death took ${first.toFixed(0)} ms`);
    assert.ok(noWait(next, waitBounds.retireMs), `five more unmaps took ${next.toFixed(0)} ms: a reader found stuck is not waited for again`);

    // Mapping, copying and allocating still work here.
    mapFresh(space, opts, VA, 0x77);
    assert.equal(space.readVal(VA, u32), 0x77777777);
    const bytes = new Uint8Array(PAGE_SIZE);
    space.readBytes(VA + 10 * PAGE_SIZE, bytes);
    assert.deepEqual(bytes, new Uint8Array(PAGE_SIZE).fill(11));

    // Once the worker has exited, reclaiming it releases its section and its view of the space.
    before = mem.freeFrames();
    const report = await w.reclaim();
    t.diagnostic(`reclaim: ${JSON.stringify(report)}`);
    assert.equal(report.attached, true);
    assert.equal(report.spaces, 1, "its VmSpace view");
    assert.equal(report.locks, 0);
    if (deferred) {
      assert.equal(report.inAccess, true);
      assert.equal(mem.freeFrames(), before + 6, "the six deferred frames are freed now");
    }
    space.dispose();
    assert.equal(mem.freeFrames(), free0, "the space, its tables and every frame are back: nothing leaks");
  });
});
