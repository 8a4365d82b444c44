/**
 * Thread benchmarks: copy scaling over workers, contended allocation, the
 * cost of a cross-thread TLB shootdown, and copies on shared vs unshared RAM.
 * The machine these figures are read on has 2 cores.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import { CachePolicy, FrameAllocOptions, PAGE_SIZE, PageFlags, PageProperty, PhysicalMemory, VmSpace, type USegment } from "vmio";
import type { BenchCase } from "./harness.js";

const workerUrl = new URL("./workers/bench-worker.js", import.meta.url);

interface Pool {
  run(job: object, workers?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Workers on `mem`, each with its own setup (a memory token of its own
 * added); `run` sends a job to the first `n` and waits for them all. Closing
 * terminates them and reclaims what they held.
 */
function pool(mem: PhysicalMemory, setups: object[]): Pool {
  const tokens = setups.map(() => mem.share());
  const workers = setups.map((setup, i) => new Worker(workerUrl, { workerData: { ...setup, memory: tokens[i] } }));
  const reply = (w: Worker): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const fail = (e: unknown): void => {
        clearTimeout(timer);
        reject(e);
      };
      const timer = setTimeout(() => fail(new Error("bench worker timed out")), 60_000);
      w.once("error", fail);
      w.once("message", (m) => {
        clearTimeout(timer);
        w.off("error", fail);
        resolve(m);
      });
    });
  return {
    async run(job, n = workers.length) {
      const chosen = workers.slice(0, n);
      const replies = chosen.map(reply);
      for (const w of chosen) w.postMessage(job);
      await Promise.all(replies);
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
      for (const token of tokens) mem.reclaim(token);
    },
  };
}

function shared(size: number): PhysicalMemory {
  return new PhysicalMemory({ size, shared: true });
}

function copyOn(sharedRam: boolean, size: number, label: string, ops: number): BenchCase {
  return {
    id: `shared-copy-${label}`,
    group: "threads",
    title: `USegment.readBytes of ${label} on shared RAM (SharedArrayBuffer)`,
    limitLabel: "the same on unshared RAM (ArrayBuffer)",
    ops,
    unit: "copy",
    setup() {
      const onShared = new FrameAllocOptions(new PhysicalMemory({ size: 8 << 20, shared: sharedRam })).allocSegment(size / PAGE_SIZE);
      const onPlain = new FrameAllocOptions(new PhysicalMemory({ size: 8 << 20 })).allocSegment(size / PAGE_SIZE);
      const dst = new Uint8Array(size);
      return {
        limit: (n) => {
          for (let i = 0; i < n; i++) onPlain.readBytes(0, dst);
          return dst[1];
        },
        vmio: (n) => {
          for (let i = 0; i < n; i++) onShared.readBytes(0, dst);
          return dst[1];
        },
      };
    },
  };
}

export const cases: BenchCase[] = [
  {
    id: "threads-copy-scaling",
    group: "threads",
    title: "copy throughput, 2 workers on disjoint 1 MiB segments (ratio = scaling over 1 worker; 2 cores)",
    limitLabel: "1 worker doing the same total",
    ops: 256,
    unit: "MiB",
    samples: 5,
    warmup: 2,
    async setup() {
      const mem = shared(16 << 20);
      const options = new FrameAllocOptions(mem);
      const segs: USegment[] = [options.allocSegment(256), options.allocSegment(256)];
      const workers = pool(mem, segs.map((s) => ({ segment: s.share() })));
      return {
        limit: (n) => workers.run({ kind: "copy", rounds: n }, 1),
        vmio: (n) => workers.run({ kind: "copy", rounds: n / 2 }, 2),
        teardown: () => workers.close(),
      };
    },
  },
  {
    id: "threads-alloc-contended",
    group: "threads",
    title: "frame alloc + free, 2 workers on one shared RAM (ratio = scaling over 1 worker)",
    limitLabel: "1 worker doing the same total",
    ops: 400_000,
    unit: "frame",
    samples: 5,
    warmup: 2,
    async setup() {
      const mem = shared(16 << 20);
      const workers = pool(mem, [{}, {}]);
      return {
        limit: (n) => workers.run({ kind: "alloc", ops: n }, 1),
        vmio: (n) => workers.run({ kind: "alloc", ops: n / 2 }, 2),
        teardown: () => workers.close(),
      };
    },
  },
  {
    id: "threads-shootdown",
    group: "threads",
    title: "map + unmap of a page while another thread reads through the space (TLB shootdown + grace period)",
    limitLabel: "the same with no other thread attached",
    ops: 20_000,
    unit: "page",
    samples: 5,
    async setup() {
      const RW = PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback);
      const BASE = 0x1000_0000;
      const make = () => {
        const mem = shared(16 << 20);
        const space = new VmSpace(mem);
        const frame = new FrameAllocOptions(mem).allocFrame();
        const reading = space.cursorMut({ start: BASE, end: BASE + 64 * PAGE_SIZE });
        for (let i = 0; i < 64; i++) reading.map(frame, RW);
        reading.dispose();
        const cursor = space.cursorMut({ start: BASE + 64 * PAGE_SIZE, end: BASE + 65 * PAGE_SIZE });
        const body = (n: number): number => {
          for (let i = 0; i < n; i++) {
            cursor.jump(BASE + 64 * PAGE_SIZE);
            cursor.map(frame, RW);
            cursor.jump(BASE + 64 * PAGE_SIZE);
            cursor.unmap(PAGE_SIZE);
          }
          return frame.referenceCount();
        };
        return { mem, space, body };
      };
      const busy = make();
      const quiet = make();
      const workers = pool(busy.mem, [{ space: busy.space.share() }]);
      await workers.run({ kind: "read", base: BASE, pages: 64 });
      return {
        limit: quiet.body,
        vmio: busy.body,
        teardown: async () => {
          await workers.run({ kind: "stop" });
          await workers.close();
        },
      };
    },
  },
  copyOn(true, 4096, "4 KiB", 200_000),
  copyOn(true, 64 * 1024, "64 KiB", 20_000),
  copyOn(true, 1 << 20, "1 MiB", 400),
];
