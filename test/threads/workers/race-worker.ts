// A worker for the plain-copy races: copies bytes into a shared frame or
// shared user memory over and over (through writeBytes, or a reader's
// readFallible into the frame's or space's writer), reads the region back
// and checks that every byte is one some thread wrote; or churns reference
// counts and mappings around the copies.

import { workerData } from "node:worker_threads";
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
  u32,
  type Fallibility,
  type FrameToken,
  type MemoryToken,
  type SpaceToken,
} from "../../../src/index.js";
import { barrier, serve } from "./kit.js";

interface Setup {
  readonly memory: MemoryToken;
  readonly frame: FrameToken;
  readonly space: SpaceToken;
  readonly control: Int32Array;
}

const setup = workerData as Setup;
const mem = PhysicalMemory.attach(setup.memory);
const frame = UFrame.attach(mem, setup.frame);
const space = VmSpace.attach(mem, setup.space);
space.activate();
const control = setup.control;

/** Bytes `[start, end)` (offsets in the frame, or virtual addresses) may only hold the bytes in `allowed`. */
interface Zone {
  readonly start: number;
  readonly end: number;
  readonly allowed: readonly number[];
}

interface CopyArgs {
  /** "frame": offsets in the shared frame; "space": virtual addresses in the shared space. */
  readonly where: "frame" | "space";
  /** "writeBytes": VmIo.writeBytes; "readFallible": a typed reader's readFallible into the frame's or space's writer. */
  readonly how: "writeBytes" | "readFallible";
  readonly at: number;
  readonly len: number;
  readonly byte: number;
  readonly rounds: number;
  readonly zones: readonly Zone[];
  readonly readyIndex: number;
  readonly goIndex: number;
  /** After `rounds`, go on until this control word is set (so that the copies overlap everything the others do). */
  readonly stopIndex: number;
}

function writerAt(where: "frame" | "space", at: number, len: number): VmWriter<Fallibility> {
  return where === "frame" ? frame.writer().skip(at).limit(len) : space.writer(at, len);
}

serve({
  copies: ({ where, how, at, len, byte, rounds, zones, readyIndex, goIndex, stopIndex }: CopyArgs) => {
    const src = new Uint8Array(len).fill(byte);
    const lo = Math.min(...zones.map((z) => z.start));
    const hi = Math.max(...zones.map((z) => z.end));
    const back = new Uint8Array(hi - lo);
    const ok = zones.map((z) => {
      const table = new Uint8Array(256);
      for (const b of z.allowed) table[b] = 1;
      return table;
    });
    barrier(control, readyIndex, goIndex);
    let r = 0;
    for (; r < rounds || Atomics.load(control, stopIndex) === 0; r++) {
      if (how === "writeBytes") {
        if (where === "frame") frame.writeBytes(at, src);
        else space.writeBytes(at, src);
      } else {
        const n = VmReader.from(src).readFallible(writerAt(where, at, len));
        if (n !== len) throw new Error(`readFallible copied ${n} of ${len} bytes`);
      }
      // Read the whole watched region back, through the other path.
      if (where === "frame") frame.reader().skip(lo).limit(hi - lo).read(VmWriter.from(back));
      else space.reader(lo, hi - lo).readFallible(VmWriter.from(back));
      for (let z = 0; z < zones.length; z++) {
        const zone = zones[z] as Zone;
        const table = ok[z] as Uint8Array;
        for (let i = zone.start; i < zone.end; i++) {
          const b = back[i - lo] as number;
          if (table[b] !== 1) throw new Error(`round ${r}: byte at ${i} is 0x${b.toString(16)}, not one of ${zone.allowed.map((x) => "0x" + x.toString(16)).join(", ")}`);
        }
      }
    }
    return r;
  },

  /** Clones and disposes the shared frame, and passes it to itself through share/attach, `rounds` times. */
  refChurn: ({ rounds, readyIndex, goIndex }: { rounds: number; readyIndex: number; goIndex: number }) => {
    barrier(control, readyIndex, goIndex);
    let maxSeen = 0;
    for (let r = 0; r < rounds; r++) {
      const c = frame.clone();
      const again = UFrame.attach(mem, c.share());
      maxSeen = Math.max(maxSeen, again.referenceCount());
      again.dispose();
      c.dispose();
    }
    return maxSeen;
  },

  /** Maps fresh frames at `[va, va + pages)` and unmaps them again, `rounds` times (TLB shootdowns for everyone). */
  mapChurn: ({ va, pages, rounds, readyIndex, goIndex }: { va: number; pages: number; rounds: number; readyIndex: number; goIndex: number }) => {
    const opts = new FrameAllocOptions(mem);
    barrier(control, readyIndex, goIndex);
    for (let r = 0; r < rounds; r++) {
      const c = space.cursorMut({ start: va, end: va + pages * PAGE_SIZE });
      for (let p = 0; p < pages; p++) {
        const f = opts.allocFrame();
        c.map(f, PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback));
        f.dispose();
      }
      c.jump(va);
      c.unmap(pages * PAGE_SIZE);
      c.dispose();
    }
    return rounds;
  },

  /**
   * Races the other workers to map a fresh frame at `va`, `rounds` times.
   * A winner stamps the page with its tag, checks the stamp through the
   * translation (nobody else may have mapped over it), and unmaps it; a
   * loser must get the RangeError of mapping over a mapped page.
   */
  mapRace: ({ id, va, rounds, readyIndex, goIndex }: { id: number; va: number; rounds: number; readyIndex: number; goIndex: number }) => {
    const opts = new FrameAllocOptions(mem);
    const prop = PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback);
    let wins = 0;
    let losses = 0;
    barrier(control, readyIndex, goIndex);
    for (let r = 0; r < rounds; r++) {
      const c = space.cursorMut({ start: va, end: va + PAGE_SIZE });
      try {
        const f = opts.allocFrame();
        let mapped = false;
        try {
          c.map(f, prop);
          mapped = true;
        } catch (e) {
          if (!(e instanceof RangeError) || !/already mapped/.test(e.message)) throw e;
          losses++;
        } finally {
          f.dispose();
        }
        if (!mapped) continue;
        const tag = ((id << 24) | r) >>> 0;
        space.writeVal(va, u32, tag);
        for (let k = 0; k < 4; k++) {
          const seen = space.readVal(va, u32);
          if (seen !== tag) throw new Error(`round ${r}: the page this worker mapped reads ${seen.toString(16)}, not its tag ${tag.toString(16)}`);
        }
        c.jump(va);
        c.unmap(PAGE_SIZE);
        wins++;
      } finally {
        c.dispose();
      }
    }
    return { wins, losses };
  },

  dispose: () => {
    frame.dispose();
    space.dispose();
  },
});
