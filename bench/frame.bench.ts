/**
 * Physical-memory benchmarks: allocation, segment copies, frame vectors, and
 * the cost of the use-after-free check.
 *
 * @module
 */

import { FrameAllocOptions, FrameVec, PAGE_SIZE, PhysicalMemory, VmReader, u32, type UFrame } from "vmio";
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

export const cases: BenchCase[] = [
  allocCase(1, true, 200_000),
  allocCase(1, false, 500_000),
  allocCase(256, true, 2_000),
  allocCase(256, false, 20_000),
  segmentRead(64 * 1024, "64 KiB", 20_000),
  segmentRead(1 << 20, "1 MiB", 400),
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
