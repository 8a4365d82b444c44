// A worker that is left (or stopped) in the states a reclaimer must handle:
// inside an access to shared memory, holding a space's page-table lock, in
// the middle of copies, or just holding handles — and one that outlives a
// long stall inside an access, to show that nobody presumed it dead.

import { workerData } from "node:worker_threads";
import { FrameAllocOptions, FrameVec, PAGE_SIZE, PhysicalMemory, UFrame, VmError, VmSpace, type FrameToken, type MemoryToken, type SpaceToken } from "../../../src/index.js";
import { ramOf } from "../../../src/frame/physical-memory.js";
import { serve } from "./kit.js";
import { caught } from "./protocol.js";

interface Setup {
  readonly memory: MemoryToken;
  readonly space: SpaceToken;
  readonly frame?: FrameToken;
  readonly control: Int32Array;
}

const setup = workerData as Setup;
const mem = PhysicalMemory.attach(setup.memory);
const space = VmSpace.attach(mem, setup.space);
space.activate();
const frame = setup.frame === undefined ? undefined : UFrame.attach(mem, setup.frame);
const control = setup.control;
/** A control word nobody ever changes: waiting on it is sleeping. */
const NEVER = 15;

function signal(index: number): void {
  Atomics.store(control, index, 1);
  Atomics.notify(control, index);
}

/** Handles kept on purpose. */
const kept: Array<{ dispose(): void }> = [];

serve({
  /**
   * Enters a read-side critical section — as a copy does before its first
   * translation — having translated `paddr` already; signals, stalls until
   * the word at `releaseIndex` is set (forever without one; `stallMs` at
   * most, a hang guard), then reads the frame's bytes through that
   * translation, leaves the section and returns them with whether it was
   * released (not timed out).
   */
  stallInAccess: ({ paddr, readyIndex, releaseIndex, stallMs }: { paddr: number; readyIndex: number; releaseIndex?: number; stallMs: number }) => {
    const ram = ramOf(mem);
    ram.gp.enter();
    try {
      signal(readyIndex);
      const word = releaseIndex ?? NEVER;
      const end = stallMs < 0 ? Infinity : performance.now() + stallMs;
      while (Atomics.load(control, word) === 0 && performance.now() < end) Atomics.wait(control, word, 0, end - performance.now());
      return { bytes: ram.bytes.slice(paddr, paddr + PAGE_SIZE), released: Atomics.load(control, word) !== 0 };
    } finally {
      ram.gp.exit();
    }
  },

  /** Takes the space's page-table lock (inside a protectNext callback), signals, and sleeps there forever. */
  holdSpaceLock: ({ va, readyIndex }: { va: number; readyIndex: number }) => {
    const c = space.cursorMut({ start: va, end: va + PAGE_SIZE });
    c.protectNext(PAGE_SIZE, () => {
      signal(readyIndex);
      Atomics.wait(control, NEVER, 0);
    });
  },

  /** Copies `[va, va + len)` into its frame and back, forever; counts rounds at `countIndex`. */
  copyForever: ({ va, len, countIndex }: { va: number; len: number; countIndex: number }) => {
    const f = frame as UFrame;
    for (;;) {
      try {
        space.reader(va, len).readFallible(f.writer());
        space.writer(va, len).writeFallible(f.reader());
      } catch (e) {
        if (!(e instanceof VmError)) throw e;
      }
      Atomics.add(control, countIndex, 1);
    }
  },

  /** Allocates handles of every kind and keeps them; returns the frame references they hold. */
  holdHandles: () => {
    const opts = new FrameAllocOptions(mem);
    const f = opts.allocFrame();
    const seg = opts.allocSegment(4);
    const vec = new FrameVec([f, f]);
    const [a, b] = opts.allocSegment(3).split(PAGE_SIZE);
    kept.push(f, f.clone(), seg, vec, a, b, opts.allocFrameWith("typed"));
    return 1 + 1 + 4 + 2 + 3 + 1;
  },

  /** What `mem.reclaim` says when a thread names itself. */
  reclaimSelf: () => caught(() => mem.reclaim(setup.memory)),

  /** Lets go of everything. */
  dispose: () => {
    for (const h of kept.splice(0)) h.dispose();
    frame?.dispose();
    space.dispose();
  },
});
