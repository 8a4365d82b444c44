/**
 * Physical-memory benchmarks: allocation, segment copies, frame vectors, and
 * the cost of the use-after-free check.
 *
 * @module
 */

import { FrameAllocOptions, FrameVec, PAGE_SIZE, PhysicalMemory, VmError, VmReader, u32, type UFrame } from "vmio";
// Internal: the allocator's own failure path, without the VmError that the public API throws.
import { ramOf } from "../src/frame/physical-memory.js";
import type { BenchCase } from "./harness.js";

function memory(): PhysicalMemory {
  return new PhysicalMemory({ size: 64 << 20 });
}

function filled(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + 7) & 0xff;
  return b;
}

function segmentRead(size: number, label: string, ops: number): BenchCase {
  return {
    id: `segment-read-${label}`,
    group: "frame",
    title: `USegment.readBytes of ${label}`,
    limitLabel: `one Uint8Array.prototype.set of ${label}`,
    target: 0.9,
    ops,
    unit: "copy",
    setup() {
      const mem = memory();
      const seg = new FrameAllocOptions(mem).allocSegment(size / PAGE_SIZE);
      seg.writeBytes(0, filled(size));
      const src = filled(size);
      const dst = new Uint8Array(size);
      return {
        limit: (n) => {
          for (let i = 0; i < n; i++) dst.set(src);
          return dst[7];
        },
        vmio: (n) => {
          for (let i = 0; i < n; i++) seg.readBytes(0, dst);
          return dst[7];
        },
        teardown: () => seg.dispose(),
      };
    },
  };
}

/**
 * Allocation and release of a frame (`frames` = 1) or a segment, zeroed or
 * not; the zeroed cases are compared with allocating as many zeroed bytes
 * in plain JS.
 */
function allocCase(frames: number, zeroed: boolean, ops: number): BenchCase {
  const what = frames === 1 ? "allocFrame()" : `allocSegment(${frames})`;
  const bytes = frames * PAGE_SIZE;
  return {
    id: `${frames === 1 ? "frame-alloc" : `segment-alloc-${frames}`}${zeroed ? "" : "-nozero"}`,
    group: "frame",
    title: `${what} + dispose() ${zeroed ? "(zeroed, the default)" : "with zeroed(false)"}`,
    ...(zeroed ? { limitLabel: `new Uint8Array(${frames === 1 ? "4096" : `${bytes / (1 << 20)} MiB`})` } : {}),
    ops,
    unit: frames === 1 ? "frame" : "segment",
    setup() {
      const options = new FrameAllocOptions(memory()).zeroed(zeroed);
      const vmio = (n: number): number => {
        let x = 0;
        for (let i = 0; i < n; i++) {
          const h = frames === 1 ? options.allocFrame() : options.allocSegment(frames);
          x += h.startPaddr();
          h.dispose();
        }
        return x;
      };
      if (!zeroed) return { vmio };
      const keep: Uint8Array[] = [];
      const limit = (n: number): number => {
        let x = 0;
        for (let i = 0; i < n; i++) {
          const b = new Uint8Array(bytes);
          if ((i & 1023) === 0) keep[0] = b;
          x += b.length;
        }
        return x;
      };
      return { vmio, limit };
    },
  };
}

/** RAM sizes of the scaling rows. */
const SCALES: ReadonlyArray<[label: string, bytes: number]> = [
  ["16 MiB", 16 << 20],
  ["64 MiB", 64 << 20],
  ["256 MiB", 256 << 20],
  ["1 GiB", 1 << 30],
];

/**
 * RAM of `bytes`, clean (every frame free) or fragmented: every other frame
 * of the lower seven eighths held (free runs of one frame), the top eighth
 * free. Returns the handles that keep the fragmentation.
 */
function ram(bytes: number, fragmented: boolean): { mem: PhysicalMemory; held: UFrame[]; singles: number } {
  const mem = new PhysicalMemory({ size: bytes });
  if (!fragmented) return { mem, held: [], singles: 0 };
  const opts = new FrameAllocOptions(mem).zeroed(false);
  const frames = [...opts.allocSegment(Math.floor((mem.freeFrames() * 7) / 8))];
  const held = frames.filter((f, i) => (i % 2 === 0 ? true : (f.dispose(), false)));
  return { mem, held, singles: frames.length - held.length };
}

/** Fragmented RAM whose top eighth is taken too: every free frame is a run of one. */
function singlesOnly(bytes: number): { mem: PhysicalMemory; release(): void } {
  const { mem, held, singles } = ram(bytes, true);
  const top = new FrameAllocOptions(mem).zeroed(false).allocSegment(mem.freeFrames() - singles);
  return {
    mem,
    release: () => {
      top.dispose();
      for (const f of held) f.dispose();
    },
  };
}

/**
 * Allocation as RAM grows: 64 `allocFrame()`s (or `allocSegment(2)`s, which
 * a fragmented RAM can only serve from its top eighth) then their 64
 * `dispose()`s, so that the reuse hint serves one request in 64 and the
 * tree search the rest. Absolute figures: flat across sizes is O(log n).
 */
function allocScale(label: string, bytes: number, fragmented: boolean, frames: 1 | 2): BenchCase {
  const what = frames === 1 ? "allocFrame()" : "allocSegment(2)";
  return {
    id: `alloc-scale-${frames}-${fragmented ? "frag" : "clean"}-${label.replace(" ", "")}`,
    group: "frame",
    title: `${what} + dispose() at RAM ${label}, ${fragmented ? "fragmented (free runs of 1, then a free eighth)" : "clean"}`,
    ops: 64 * 2_000,
    unit: frames === 1 ? "frame" : "segment",
    setup() {
      const { mem, held } = ram(bytes, fragmented);
      const opts = new FrameAllocOptions(mem).zeroed(false);
      const batch: Array<{ startPaddr(): number; dispose(): void }> = [];
      return {
        vmio: (n) => {
          let x = 0;
          for (let done = 0; done < n; done += 64) {
            for (let i = 0; i < 64; i++) batch.push(frames === 1 ? opts.allocFrame() : opts.allocSegment(2));
            for (const h of batch) {
              x += h.startPaddr();
              h.dispose();
            }
            batch.length = 0;
          }
          return x;
        },
        teardown: () => {
          for (const f of held) f.dispose();
        },
      };
    },
  };
}

/**
 * A request that cannot be met (issue 10: it used to rebuild the allocator's
 * tree, O(n)). `allocSegment(2)` on RAM whose free frames are all single
 * (fragmented, the free eighth taken too), caught; against the floor of any
 * failure the API reports: the same `VmError`, made as deep in the stack as
 * the allocator makes it (three calls down), thrown and caught. Its stack
 * trace is nearly all of the cost — microseconds, growing with the depth —
 * where the allocator's own refusal takes nanoseconds (the next rows).
 */
function noMemory(label: string, bytes: number): BenchCase {
  return {
    id: `alloc-nomem-${label.replace(" ", "")}`,
    group: "frame",
    title: `failed allocSegment(2) (VmError NoMemory) at RAM ${label}, fragmented`,
    limitLabel: "a new VmError thrown three calls down and caught (the floor)",
    target: 0.8,
    ops: 20_000,
    unit: "request",
    setup() {
      const { mem, release } = singlesOnly(bytes);
      const opts = new FrameAllocOptions(mem).zeroed(false);
      let floor = 0;
      return {
        limit: (n) => {
          for (let i = 0; i < n; i++) {
            try {
              floor += throwsAtDepth(3);
            } catch (e) {
              floor += (e as VmError).copied + 1;
            }
          }
          return floor;
        },
        vmio: (n) => {
          let x = 0;
          for (let i = 0; i < n; i++) {
            try {
              opts.allocSegment(2);
            } catch (e) {
              x += (e as VmError).copied + 1;
            }
          }
          return x;
        },
        teardown: release,
      };
    },
  };
}

/** Throws a NoMemory `VmError` from `depth` nested calls (the floor of a failed allocation). */
function throwsAtDepth(depth: number): number {
  if (depth > 1) return throwsAtDepth(depth - 1) + 1;
  throw new VmError("NoMemory", "no run of 2 free frames (the longest is 1)");
}

/** The allocator's own answer to a request it cannot meet (internal; no error object): O(1) from the tree's root. */
function noMemorySearch(label: string, bytes: number): BenchCase {
  return {
    id: `alloc-nomem-search-${label.replace(" ", "")}`,
    group: "frame",
    title: `the allocator refusing a run of 2 at RAM ${label}, fragmented (internal, no VmError)`,
    ops: 2_000_000,
    unit: "request",
    setup() {
      const { mem, release } = singlesOnly(bytes);
      const allocator = ramOf(mem).allocator;
      return {
        vmio: (n) => {
          let x = 0;
          for (let i = 0; i < n; i++) x += allocator.alloc(2);
          if (x !== -n) throw new Error("the allocator found a run of 2 where there is none");
          return x;
        },
        teardown: release,
      };
    },
  };
}

export const cases: BenchCase[] = [
  ...SCALES.flatMap(([label, bytes]) => [allocScale(label, bytes, false, 1), allocScale(label, bytes, true, 1), allocScale(label, bytes, true, 2)]),
  ...SCALES.map(([label, bytes]) => noMemory(label, bytes)),
  ...SCALES.map(([label, bytes]) => noMemorySearch(label, bytes)),
  allocCase(1, true, 200_000),
  allocCase(1, false, 500_000),
  allocCase(256, true, 2_000),
  allocCase(256, false, 20_000),
  segmentRead(64 * 1024, "64 KiB", 20_000),
  segmentRead(1 << 20, "1 MiB", 400),
  // No cursor on this row's path: `FrameVec.readBytes` goes from `VmIo`
  // straight to the copy engine (copyRaw → copyWithSpace), so the fresh
  // reader's one-field change (vm-reader.ts) could not have slowed it; the
  // 0.80 measured after it against 0.87–0.89 was the machine. A/B of main's
  // build (32d3210) and the one that brought frame and segment readers'
  // copies back inline, harness, six rounds alternated (load 5–10):
  // 0.85–0.96 (median 0.93) and 0.79–0.96 (0.91), the same within the spread.
  {
    id: "framevec-copy-64k",
    group: "frame",
    title: "FrameVec.readBytes of 64 KiB across 16 scattered frames",
    limitLabel: "one Uint8Array.prototype.set of 64 KiB",
    target: 0.6,
    ops: 20_000,
    unit: "copy",
    setup() {
      const options = new FrameAllocOptions(memory());
      // Scatter: take every other frame of a 32-frame run, in reverse order.
      const run = options.allocSegment(32);
      const all = [...run] as UFrame[];
      const picked = all.filter((_, i) => i % 2 === 0).reverse();
      const vec = new FrameVec(picked);
      for (const f of all) f.dispose();
      vec.writeBytes(0, filled(64 * 1024));
      const src = filled(64 * 1024);
      const dst = new Uint8Array(64 * 1024);
      return {
        limit: (n) => {
          for (let i = 0; i < n; i++) dst.set(src);
          return dst[9];
        },
        vmio: (n) => {
          for (let i = 0; i < n; i++) vec.readBytes(0, dst);
          return dst[9];
        },
        teardown: () => vec.dispose(),
      };
    },
  },
  // An experiment that did not pay (not landed): Frame's `#s` stored once
  // by its initializer (handed over by makeTyped/makeUntyped, as VmSpace's
  // `#state`), so that V8 keeps it const — `--trace-generalization` shows
  // main's field turning mutable at `new Frame` — and TurboFan could fold
  // `frame.#s` in the lease check (`leaseExpired`) of a frame held in a
  // closure. The vmio side stayed at 4.99–5.03 ns/value against main's
  // 5.01–5.09 (two processes each, alternated, loaded machine); why the
  // load saved does not show (whether the check's load is folded at all
  // here) was not traced.
  {
    id: "uaf-check",
    group: "frame",
    title: "use-after-free check: readVal(u32) through a UFrame reader (lease checked per access)",
    limitLabel: "the same over typed memory (no lease)",
    ops: 1024 * 2000,
    unit: "value",
    setup() {
      const frame = new FrameAllocOptions(memory()).allocFrame();
      frame.writeBytes(0, filled(PAGE_SIZE));
      const bytes = filled(PAGE_SIZE);
      const T = u32;
      return {
        limit: (n) => {
          let s = 0;
          for (let done = 0; done < n; done += 1024) {
            const r = VmReader.from(bytes);
            for (let i = 0; i < 1024; i++) s += r.readVal(T);
          }
          return s;
        },
        vmio: (n) => {
          let s = 0;
          for (let done = 0; done < n; done += 1024) {
            const r = frame.reader();
            for (let i = 0; i < 1024; i++) s += r.readVal(T);
          }
          return s;
        },
        teardown: () => frame.dispose(),
      };
    },
  },
];
