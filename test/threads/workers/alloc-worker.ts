// A worker that hammers the shared frame allocator: a seeded random mix of
// allocFrame, allocSegment(n), clone and dispose. Every frame it owns
// carries its tag (worker id and a serial number) in its first and last
// words, checked before every dispose: a frame handed out twice would show
// another owner's tag, or lose its own.

import { workerData } from "node:worker_threads";
import {
  FrameAllocOptions,
  PAGE_SIZE,
  PhysicalMemory,
  UFrame,
  USegment,
  VmError,
  u32,
  type FrameToken,
  type MemoryToken,
  type SegmentToken,
} from "../../../src/index.js";
import { barrier, prng, serve } from "./kit.js";

interface Setup {
  readonly memory: MemoryToken;
  /** Shared words: progress counters (index = worker id), stop flags, held-frame counts (indices given per call). */
  readonly control: Int32Array;
}

const setup = workerData as Setup;
const mem = PhysicalMemory.attach(setup.memory);
const opts = new FrameAllocOptions(mem);
const control = setup.control;
const LAST = PAGE_SIZE - 8;

interface Held {
  readonly obj: UFrame | USegment;
  readonly nframes: number;
  readonly serial: number;
}

function frameTag(id: number, serial: number, k: number): [number, number] {
  return [0x7a00_0000 + id, (serial * 64 + k) >>> 0];
}

function stamp(h: Held, id: number): void {
  for (let k = 0; k < h.nframes; k++) {
    const [a, b] = frameTag(id, h.serial, k);
    const base = k * PAGE_SIZE;
    // Fresh frames are zeroed (FrameAllocOptions' default): anything else was written by another owner.
    if (h.obj.readVal(base, u32) !== 0 || h.obj.readVal(base + LAST + 4, u32) !== 0) {
      throw new Error(`worker ${id}: a freshly allocated frame at 0x${(h.obj.startPaddr() + base).toString(16)} is not zeroed`);
    }
    h.obj.writeVal(base, u32, a);
    h.obj.writeVal(base + 4, u32, b);
    h.obj.writeVal(base + LAST, u32, a);
    h.obj.writeVal(base + LAST + 4, u32, b);
  }
}

function check(h: Held, id: number): void {
  for (let k = 0; k < h.nframes; k++) {
    const [a, b] = frameTag(id, h.serial, k);
    const base = k * PAGE_SIZE;
    const got = [h.obj.readVal(base, u32), h.obj.readVal(base + 4, u32), h.obj.readVal(base + LAST, u32), h.obj.readVal(base + LAST + 4, u32)];
    if (got[0] !== a || got[1] !== b || got[2] !== a || got[3] !== b) {
      throw new Error(
        `worker ${id}: frame at 0x${(h.obj.startPaddr() + base).toString(16)} lost its tag: expected ${a.toString(16)}/${b.toString(16)}, found ${got.map((x) => x.toString(16)).join("/")}`,
      );
    }
  }
}

interface ChurnArgs {
  readonly id: number;
  readonly seed: number;
  /** Operations to do; `Infinity` runs until the stop word is set. */
  readonly ops: number;
  readonly maxHeld: number;
  readonly maxSegment: number;
  readonly stopIndex: number;
  /** Where to publish the number of frames this worker holds (for a parent that may terminate it). */
  readonly heldIndex: number;
}

/** Handles adopted from tokens, to be dropped all at once by `disposeAdopted`. */
const adopted: Array<UFrame | USegment> = [];

serve({
  adopt: ({ frames, segments }: { frames: FrameToken[]; segments: SegmentToken[] }) => {
    for (const t of frames) adopted.push(UFrame.attach(mem, t));
    for (const t of segments) adopted.push(USegment.attach(mem, t));
    return adopted.length;
  },
  /** Waits at the barrier, then disposes every adopted handle. */
  disposeAdopted: ({ readyIndex, goIndex }: { readyIndex: number; goIndex: number }) => {
    barrier(control, readyIndex, goIndex);
    for (const h of adopted.splice(0)) h.dispose();
  },
  churn: ({ id, seed, ops, maxHeld, maxSegment, stopIndex, heldIndex }: ChurnArgs) => {
    const rand = prng(seed);
    const held: Held[] = [];
    let serial = 0;
    const stats = { allocs: 0, frames: 0, frees: 0, clones: 0, noMemory: 0, maxHeldFrames: 0 };
    let heldFrames = 0;
    const drop = (i: number): void => {
      const h = held[i] as Held;
      check(h, id);
      held[i] = held[held.length - 1] as Held;
      held.pop();
      h.obj.dispose();
      heldFrames -= h.nframes;
      Atomics.store(control, heldIndex, heldFrames);
      stats.frees++;
    };
    for (let op = 0; op < ops; op++) {
      if ((op & 255) === 0 && Atomics.load(control, stopIndex) !== 0) break;
      Atomics.add(control, id, 1);
      const r = rand();
      if (held.length > 0 && (held.length >= maxHeld || r < 0.4)) {
        drop(Math.floor(rand() * held.length));
      } else if (held.length > 0 && r < 0.45) {
        // A clone shares the frames: the tags must be there through it too, and its dispose frees nothing.
        const h = held[Math.floor(rand() * held.length)] as Held;
        const c = h.obj.clone();
        check({ obj: c, nframes: h.nframes, serial: h.serial }, id);
        c.dispose();
        stats.clones++;
      } else {
        const n = r < 0.7 ? 1 : r < 0.98 ? 1 + Math.floor(rand() * maxSegment) : 33 + Math.floor(rand() * 8);
        let obj: UFrame | USegment;
        try {
          obj = n === 1 && r < 0.6 ? opts.allocFrame() : opts.allocSegment(n);
        } catch (e) {
          if (e instanceof VmError && e.code === "NoMemory") {
            stats.noMemory++;
            continue;
          }
          throw e;
        }
        const h: Held = { obj, nframes: n, serial: serial++ };
        held.push(h);
        heldFrames += n;
        Atomics.store(control, heldIndex, heldFrames);
        stats.maxHeldFrames = Math.max(stats.maxHeldFrames, heldFrames);
        stamp(h, id);
        stats.allocs++;
        stats.frames += n;
      }
    }
    while (held.length > 0) drop(held.length - 1);
    return stats;
  },
});
