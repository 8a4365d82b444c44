// readOnce/writeOnce never tear, and atomicCompareExchange never loses an
// update, with real workers racing on one location of shared memory: a
// frame of shared RAM (through VmIoOnce and through readers/writers), a
// plain SharedArrayBuffer (VmReader.from/VmWriter.from), and user memory of
// a shared VmSpace.

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
  VmReader,
  VmSpace,
  VmWriter,
  u16,
  u32,
  u64,
  type PodOnceType,
} from "../../src/index.js";
import { background, controlWords, finishAll, sharedMemory, startOn, terminateAll, waitFor, type MemoryWorker } from "./support.js";
import type { Target, Width } from "./workers/once-worker.js";

afterEach(terminateAll);

// A guard against a hang only: each race ends as soon as both values were seen, however long that takes on a
// loaded machine (up to its own 10 s).
const T = { timeout: 120_000 };
const VA = 0x7000_0000;
/** Where the typed-memory reader's view starts in the SharedArrayBuffer (so addresses are not buffer offsets). */
const VIEW_START = 64;

/** Control words: 0..3 store counts, 4 stop, 5 ready, 6 go. */
const STOP = 4;
const READY = 5;
const GO = 6;

interface Fixture {
  readonly mem: PhysicalMemory;
  readonly frame: UFrame;
  readonly space: VmSpace;
  readonly sab: SharedArrayBuffer;
  readonly control: Int32Array;
  readonly workers: MemoryWorker[];
}

/** Shared RAM with one frame, mapped at VA in a shared space (active here), a SharedArrayBuffer, and `n` workers attached to all three. */
function fixture(n: number): Fixture {
  const mem = sharedMemory(64);
  const frame = new FrameAllocOptions(mem).allocFrame();
  const space = new VmSpace(mem);
  const c = space.cursorMut({ start: VA, end: VA + PAGE_SIZE });
  c.map(frame, PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback));
  c.dispose();
  space.activate();
  const sab = new SharedArrayBuffer(PAGE_SIZE);
  const control = controlWords(16);
  const workers: MemoryWorker[] = [];
  for (let i = 0; i < n; i++) {
    workers.push(startOn(mem, "once-worker.js", { frame: frame.share(), space: space.share(), sab, control }));
  }
  return { mem, frame, space, sab, control, workers };
}

async function teardown(fx: Fixture): Promise<void> {
  const free = fx.mem.size / PAGE_SIZE - fx.mem.reservedFrames();
  await Promise.all(fx.workers.map((w) => w.call("dispose")));
  await finishAll(fx.workers);
  assert.equal(fx.frame.referenceCount(), 2, "this thread's handle and the mapping");
  fx.space.dispose();
  fx.frame.dispose();
  assert.equal(fx.mem.freeFrames(), free, "nothing leaked");
}

const TYPES: Record<Width, PodOnceType<number> | PodOnceType<bigint>> = { u16, u32, u64 };
const ALL_ONES: Record<Width, number | bigint> = { u16: 0xffff, u32: 0xffff_ffff, u64: 0xffff_ffff_ffff_ffffn };

/** Where a racing location is for `target`, `offset` bytes into the frame / buffer / page. */
function addressOf(target: Target, offset: number): number {
  return target === "space" ? VA + offset : offset;
}

/** This thread's load of the location: the same path as the workers' stores, seen from the reading side. */
function loader(fx: Fixture, target: Target, offset: number, t: PodOnceType<number | bigint>): () => number | bigint {
  switch (target) {
    case "frameIo":
      return () => fx.frame.readOnce(offset, t);
    case "frameCursor": {
      const r = fx.frame.reader().skip(offset);
      return () => r.clone().readOnce(t);
    }
    case "typed": {
      const r = VmReader.from(new Uint8Array(fx.sab, VIEW_START)).skip(offset - VIEW_START);
      return () => r.clone().readOnce(t);
    }
    case "space":
      return () => fx.space.readOnce(VA + offset, t);
  }
}

/**
 * Two workers store `a` and `b` alternately (in opposite phase) with
 * writeOnce at `offset` while this thread loads the location at least
 * `reads` times (and until it has seen both values); every load must be
 * `a` or `b`.
 */
async function race(fx: Fixture, target: Target, width: Width, offset: number, a: number | bigint, b: number | bigint, reads: number): Promise<void> {
  const t = TYPES[width] as PodOnceType<number | bigint>;
  const load = loader(fx, target, offset, t);
  const c = fx.control;
  // Start from a known value.
  if (target === "typed") VmWriter.from(new Uint8Array(fx.sab)).skip(offset).writeOnce(t, a);
  else fx.frame.writeOnce(offset, t, a);
  Atomics.store(c, STOP, 0);
  for (let i = 0; i < 2; i++) Atomics.store(c, i, 0);
  const loops = fx.workers.slice(0, 2).map((w, i) =>
    background(w.call<number>("storeLoop", { target, width, at: addressOf(target, offset), values: i === 0 ? [a, b] : [b, a], stopIndex: STOP, countIndex: i }, 60_000)),
  );
  try {
    await waitFor(() => Atomics.load(c, 0) > 0 && Atomics.load(c, 1) > 0, 10_000, "both writers to start", loops);
    const storesBefore = Atomics.load(c, 0) + Atomics.load(c, 1);
    let seenA = 0;
    let seenB = 0;
    let torn: number | bigint | undefined;
    // Stop once both values were seen (after `reads` loads); the deadline only guards against writers that never
    // run, and the assertions below then say so.
    const deadline = performance.now() + 10_000;
    for (let n = 0; ; n++) {
      const v = load();
      if (v === a) seenA++;
      else if (v === b) seenB++;
      else {
        torn = v;
        break;
      }
      if ((n & 4095) === 0 && n >= reads && ((seenA > 0 && seenB > 0) || performance.now() > deadline)) break;
    }
    const storesDuring = Atomics.load(c, 0) + Atomics.load(c, 1) - storesBefore;
    assert.equal(torn, undefined, `a torn ${width} load: 0x${torn?.toString(16)} is neither 0x${a.toString(16)} nor 0x${b.toString(16)}`);
    assert.ok(seenA + seenB >= reads, `${seenA + seenB} loads`);
    assert.ok(storesDuring > 0, "the workers stored while this thread loaded");
    assert.ok(seenA > 0 && seenB > 0, `both values were seen (${seenA} × a, ${seenB} × b, ${storesDuring} stores meanwhile)`);
  } finally {
    Atomics.store(c, STOP, 1);
    await Promise.allSettled(loops);
  }
  for (const stores of await Promise.all(loops)) assert.ok(stores > 0);
}

describe("writeOnce/readOnce race between workers without tearing", () => {
  test("u64: 10^6 readOnce of a shared frame (VmIoOnce) see only 0 or ~0 while two workers writeOnce them", T, async () => {
    const fx = fixture(2);
    await race(fx, "frameIo", "u64", 8 * 37, 0n, ALL_ONES.u64, 1_000_000);
    await race(fx, "frameIo", "u64", 8 * 101, 0x1111_1111_1111_1111n, 0x2222_2222_2222_2222n, 200_000);
    await teardown(fx);
  });

  test("u64: through a frame's reader and writer (VmReader/VmWriter<Infallible>.readOnce/writeOnce)", T, async () => {
    const fx = fixture(2);
    await race(fx, "frameCursor", "u64", 8 * 201, 0n, ALL_ONES.u64, 300_000);
    await teardown(fx);
  });

  test("u64: 10^6 readOnce of a plain SharedArrayBuffer via VmReader.from while workers writeOnce via VmWriter.from", T, async () => {
    const fx = fixture(2);
    await race(fx, "typed", "u64", VIEW_START + 8 * 5, 0n, ALL_ONES.u64, 1_000_000);
    await teardown(fx);
  });

  test("u64: user memory of a shared VmSpace (VmIoOnce on the space)", T, async () => {
    const fx = fixture(2);
    await race(fx, "space", "u64", 8 * 300, 0n, ALL_ONES.u64, 200_000);
    await teardown(fx);
  });

  for (const width of ["u32", "u16"] as const) {
    test(`${width}: frame, frame cursors, SharedArrayBuffer and VmSpace never tear`, T, async () => {
      const fx = fixture(2);
      const size = width === "u32" ? 4 : 2;
      await race(fx, "frameIo", width, size * 401, 0, ALL_ONES[width], 200_000);
      await race(fx, "frameCursor", width, size * 403, 0, ALL_ONES[width], 100_000);
      await race(fx, "typed", width, VIEW_START + size * 7, 0, ALL_ONES[width], 200_000);
      await race(fx, "space", width, size * 409, 0, ALL_ONES[width], 100_000);
      await teardown(fx);
    });
  }
});

describe("atomicCompareExchange from several workers", () => {
  const N = 3;
  const M = 10_000;
  for (const target of ["frameCursor", "typed", "space"] as const) {
    test(`${N} workers × ${M} CAS increments of one u32 (${target}) add up to exactly ${N * M}`, T, async () => {
      const fx = fixture(N);
      const c = fx.control;
      const offset = 4 * 600;
      const at = addressOf(target, offset);
      Atomics.store(c, READY, 0);
      Atomics.store(c, GO, 0);
      const runs = fx.workers.map((w) => background(w.call<number>("casIncrement", { target, at, times: M, readyIndex: READY, goIndex: GO }, 15_000)));
      await waitFor(() => Atomics.load(c, READY) === N, 10_000, "every worker at the start line", runs);
      Atomics.store(c, GO, 1);
      Atomics.notify(c, GO);
      await Promise.all(runs);
      const final = target === "typed" ? new DataView(fx.sab).getUint32(offset, true) : fx.frame.readVal(offset, u32);
      assert.equal(final, N * M);
      if (target === "space") assert.equal(fx.space.reader(at, 4).atomicLoad(u32), N * M);
      await teardown(fx);
    });
  }
});
