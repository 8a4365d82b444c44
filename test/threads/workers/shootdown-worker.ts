// A worker with its own view of a shared address space (attached and
// activated at start): it fills its TLB, keeps readers and writers made
// before the parent changes the mappings, and reports what its next
// accesses do. `watch` reads mapped pages in a loop and checks that every
// byte it gets is the byte its page is supposed to hold.

import { workerData } from "node:worker_threads";
import {
  CachePolicy,
  FrameAllocOptions,
  PAGE_SIZE,
  PageFlags,
  PageProperty,
  PhysicalMemory,
  VmError,
  VmReader,
  VmSpace,
  VmWriter,
  u32,
  u64,
  type Fallible,
  type MemoryToken,
  type SpaceToken,
} from "../../../src/index.js";
import { serve } from "./kit.js";
import { caught, errorInfo, type ErrorInfo } from "./protocol.js";

interface Setup {
  readonly memory: MemoryToken;
  readonly space: SpaceToken;
  readonly control: Int32Array;
}

const setup = workerData as Setup;
const mem = PhysicalMemory.attach(setup.memory);
const space = VmSpace.attach(mem, setup.space);
space.activate();
const control = setup.control;

let reader: VmReader<Fallible> | undefined;
let writer: VmWriter<Fallible> | undefined;

/** Reads `len` bytes at the reader's position through a clone of it (the kept reader does not move). */
function readThroughKept(len: number): Uint8Array | ErrorInfo {
  const out = new Uint8Array(len);
  try {
    (reader as VmReader<Fallible>).clone().readFallible(VmWriter.from(out));
    return out;
  } catch (e) {
    return errorInfo(e);
  }
}

function attempt<T>(fn: () => T): T | ErrorInfo {
  try {
    return fn();
  } catch (e) {
    return errorInfo(e);
  }
}

interface WatchArgs {
  /** First page watched. */
  readonly va: number;
  /** Number of pages; page i must hold byte `i + 1` everywhere (or fault). */
  readonly pages: number;
  /** "copy": whole-range fallible copies; "values": u64 values at scattered offsets; "bytes": VmIo readBytes across page boundaries. */
  readonly mode: "copy" | "values" | "bytes";
  readonly stopIndex: number;
  readonly countIndex: number;
}

function expectedWord(page: number): number {
  return ((page + 1) * 0x0101_0101) >>> 0;
}

/** Checks that `words[0 … copied / 4)` of a copy that started at page `first` hold each page's byte. */
function checkPrefix(words: Uint32Array, copied: number, first: number, what: string): void {
  const n = copied >>> 2;
  for (let k = 0; k < n; k++) {
    const page = first + ((k * 4) >>> 12);
    if (words[k] !== expectedWord(page)) {
      throw new Error(`${what}: byte ${k * 4} (page ${page}) holds 0x${(words[k] as number).toString(16)}, expected 0x${expectedWord(page).toString(16)}: another frame's bytes`);
    }
  }
}

serve({
  /** Makes the kept reader and writer over `[va, va + len)`, and reads through the reader (filling this thread's TLB). */
  prime: ({ va, len }: { va: number; len: number }) => {
    reader = space.reader(va, len);
    writer = space.writer(va, len);
    return readThroughKept(len);
  },
  /** Writes `value` through the kept writer and with writeVal (filling this thread's TLB with a writable entry). */
  writeBoth: ({ va, value }: { va: number; value: number }) => {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, value, true);
    const viaWriter = caught(() => (writer as VmWriter<Fallible>).cloneExclusive().writeFallible(VmReader.from(bytes)));
    const viaWriteVal = caught(() => space.writeVal(va, u32, value + 1));
    return { ...(viaWriter === undefined ? {} : { viaWriter }), ...(viaWriteVal === undefined ? {} : { viaWriteVal }) };
  },
  /** Reads `va` every way there is: the kept reader, readVal, readBytes, a fresh reader. */
  readAll: ({ va, len }: { va: number; len: number }) => ({
    viaKeptReader: readThroughKept(len),
    viaReadVal: attempt(() => space.readVal(va, u32)),
    viaReadBytes: attempt(() => {
      const out = new Uint8Array(len);
      space.readBytes(va, out);
      return out;
    }),
    viaNewReader: attempt(() => {
      const out = new Uint8Array(len);
      space.reader(va, len).readFallible(VmWriter.from(out));
      return out;
    }),
  }),

  watch: ({ va, pages, mode, stopIndex, countIndex }: WatchArgs) => {
    const stats = { ok: 0, faults: 0, partial: 0, loops: 0 };
    const size = pages * PAGE_SIZE;
    const buf = new Uint8Array(size);
    const words = new Uint32Array(buf.buffer);
    let k = 0;
    while (Atomics.load(control, stopIndex) === 0) {
      stats.loops++;
      Atomics.add(control, countIndex, 1);
      k = (k + 1) % pages;
      if (mode === "copy") {
        buf.fill(0);
        let copied = size;
        try {
          space.reader(va, size).readFallible(VmWriter.from(buf));
        } catch (e) {
          if (!(e instanceof VmError) || e.code !== "PageFault") throw e;
          copied = e.copied;
          stats.faults++;
          if (copied > 0) stats.partial++;
        }
        if (copied === size) stats.ok++;
        checkPrefix(words, copied, 0, "copy");
      } else if (mode === "values") {
        for (let p = 0; p < pages; p++) {
          const at = va + p * PAGE_SIZE + ((k * 8 * 61) % PAGE_SIZE);
          try {
            const v = space.readVal(at, u64);
            const w = BigInt(expectedWord(p));
            if (v !== (w << 32n) + w) throw new Error(`readVal(u64) in page ${p}: 0x${v.toString(16)}, another frame's bytes`);
            stats.ok++;
          } catch (e) {
            if (!(e instanceof VmError) || e.code !== "PageFault") throw e;
            stats.faults++;
          }
        }
      } else {
        // A range that starts mid-page and crosses into the next page.
        const first = k % (pages - 1);
        const start = va + first * PAGE_SIZE + 2048;
        const out = buf.subarray(0, PAGE_SIZE);
        out.fill(0);
        let copied = PAGE_SIZE;
        try {
          space.readBytes(start, out);
        } catch (e) {
          if (!(e instanceof VmError) || e.code !== "PageFault") throw e;
          copied = e.copied;
          stats.faults++;
          if (copied > 0) stats.partial++;
        }
        if (copied === PAGE_SIZE) stats.ok++;
        // The first 2048 bytes are page `first`'s, the rest page `first + 1`'s.
        const half = Math.min(copied, 2048) >>> 2;
        for (let j = 0; j < half; j++) if (words[j] !== expectedWord(first)) throw new Error(`readBytes: page ${first} holds another frame's bytes`);
        for (let j = 512; j < copied >>> 2; j++) if (words[j] !== expectedWord(first + 1)) throw new Error(`readBytes: page ${first + 1} holds another frame's bytes`);
      }
    }
    return stats;
  },

  /**
   * Demand paging: a fault handler that maps a fresh frame holding the
   * page's byte at any faulting page of `[va, va + pages)`, and a loop of
   * whole-range copies checking the bytes, until the stop word is set.
   */
  demandPaging: ({ va, pages, stopIndex, countIndex }: { va: number; pages: number; stopIndex: number; countIndex: number }) => {
    const opts = new FrameAllocOptions(mem);
    const stats = { ok: 0, faults: 0, handled: 0 };
    space.setPageFaultHandler(({ address }) => {
      const page = Math.floor((address - va) / PAGE_SIZE);
      if (page < 0 || page >= pages) return false;
      const f = opts.allocFrame();
      f.writeBytes(0, new Uint8Array(PAGE_SIZE).fill(page + 1));
      const c = space.cursorMut({ start: va + page * PAGE_SIZE, end: va + (page + 1) * PAGE_SIZE });
      try {
        c.map(f, PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback));
      } finally {
        c.dispose();
        f.dispose();
      }
      stats.handled++;
      return true;
    });
    const size = pages * PAGE_SIZE;
    const buf = new Uint8Array(size);
    const words = new Uint32Array(buf.buffer);
    try {
      while (Atomics.load(control, stopIndex) === 0) {
        Atomics.add(control, countIndex, 1);
        buf.fill(0);
        let copied = size;
        try {
          space.reader(va, size).readFallible(VmWriter.from(buf));
          stats.ok++;
        } catch (e) {
          // A page unmapped again between the handler's map and the retry: the fault stands.
          if (!(e instanceof VmError) || e.code !== "PageFault") throw e;
          copied = e.copied;
          stats.faults++;
        }
        checkPrefix(words, copied, 0, "demand-paged copy");
      }
    } finally {
      space.setPageFaultHandler(undefined);
    }
    return stats;
  },

  /**
   * Fills the page at `va` with byte 1, 2, 3, … (wrapping before 256) in a
   * loop until the stop word is set; counts loops at `countIndex` and
   * faulted writes at `countIndex + 1`.
   */
  writeLoop: ({ va, stopIndex, countIndex }: { va: number; stopIndex: number; countIndex: number }) => {
    const pages = Array.from({ length: 255 }, (_, k) => new Uint8Array(PAGE_SIZE).fill(k + 1));
    let k = 0;
    while (Atomics.load(control, stopIndex) === 0) {
      try {
        space.writeBytes(va, pages[k] as Uint8Array);
      } catch (e) {
        if (!(e instanceof VmError) || e.code !== "PageFault" || e.copied !== 0) throw e;
        Atomics.add(control, countIndex + 1, 1);
      }
      k = (k + 1) % 255;
      Atomics.add(control, countIndex, 1);
    }
  },

  /** Copies `[va, va + len)` in a loop, forever, mostly inside the copy's critical section (to be terminated there); counts loops at `countIndex` and VmErrors at `countIndex + 1`. */
  spin: ({ va, len, countIndex }: { va: number; len: number; countIndex: number }) => {
    const buf = new Uint8Array(len);
    for (;;) {
      Atomics.add(control, countIndex, 1);
      for (let i = 0; i < 16; i++) {
        try {
          space.readBytes(va, buf);
        } catch (e) {
          if (!(e instanceof VmError)) throw e;
          Atomics.add(control, countIndex + 1, 1);
        }
      }
    }
  },

  dispose: () => space.dispose(),
});
