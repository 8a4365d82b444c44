// A worker that attaches to shared RAM and does, on request, what the
// sharing tests ask of "the other thread": attach frames, segments and
// address spaces from tokens, read and write them, map, unmap, copy,
// activate, and dispose.

import { workerData } from "node:worker_threads";
import {
  FrameAllocOptions,
  PAGE_SIZE,
  PageProperty,
  CachePolicy,
  PhysicalMemory,
  UFrame,
  USegment,
  VmReader,
  VmSpace,
  VmWriter,
  u32,
  type FrameToken,
  type MemoryToken,
  type SegmentToken,
  type SpaceToken,
} from "../../../src/index.js";
import { barrier, serve } from "./kit.js";

const setup = workerData as { memory: MemoryToken; control?: Int32Array };
const mem = PhysicalMemory.attach(setup.memory);
const frames = new Map<string, UFrame>();
const segments = new Map<string, USegment>();
const spaces = new Map<string, VmSpace>();

function get<T>(map: Map<string, T>, name: string): T {
  const x = map.get(name);
  if (x === undefined) throw new Error(`no object named ${name}`);
  return x;
}

/** Reference counts of a segment's frames, seen through a clone (minus the clone's own reference). */
function segmentRefs(seg: USegment): number[] {
  const refs: number[] = [];
  for (const f of seg.clone()) {
    refs.push(f.referenceCount() - 1);
    f.dispose();
  }
  return refs;
}

serve({
  memoryInfo: () => ({ size: mem.size, shared: mem.shared, freeFrames: mem.freeFrames(), reserved: mem.reservedFrames() }),

  // ---- frames ----
  attachFrame: ({ name, token }: { name: string; token: FrameToken }) => {
    const f = UFrame.attach(mem, token);
    frames.set(name, f);
    return { paddr: f.startPaddr(), refs: f.referenceCount() };
  },
  /** Attaches `token` (which must have been attached already) and reports what happened. */
  attachFrameAgain: ({ token }: { token: FrameToken }) => {
    UFrame.attach(mem, token).dispose();
  },
  frameRefs: ({ name }: { name: string }) => get(frames, name).referenceCount(),
  readFrame: ({ name, offset, len }: { name: string; offset: number; len: number }) => {
    const out = new Uint8Array(len);
    get(frames, name).readBytes(offset, out);
    return out;
  },
  /** Reads through a reader over the whole frame (an infallible copy into a local buffer). */
  readFrameByReader: ({ name }: { name: string }) => {
    const out = new Uint8Array(PAGE_SIZE);
    get(frames, name).reader().read(VmWriter.from(out));
    return out;
  },
  writeFrame: ({ name, offset, bytes }: { name: string; offset: number; bytes: Uint8Array }) => {
    get(frames, name).writeBytes(offset, bytes);
  },
  cloneFrame: ({ name, as }: { name: string; as: string }) => {
    frames.set(as, get(frames, name).clone());
  },
  disposeFrame: ({ name }: { name: string }) => {
    get(frames, name).dispose();
    frames.delete(name);
  },
  /** Allocates a frame here, fills it with `bytes`, and hands it back as a token (this thread keeps no handle). */
  allocAndShare: ({ bytes }: { bytes: Uint8Array }) => {
    const f = new FrameAllocOptions(mem).allocFrame();
    try {
      f.writeBytes(0, bytes);
      return { token: f.share(), refs: f.referenceCount() };
    } finally {
      f.dispose();
    }
  },

  // ---- segments ----
  attachSegment: ({ name, token }: { name: string; token: SegmentToken }) => {
    const s = USegment.attach(mem, token);
    segments.set(name, s);
    return { paddr: s.startPaddr(), size: s.size(), refs: segmentRefs(s) };
  },
  attachSegmentAgain: ({ token }: { token: SegmentToken }) => {
    USegment.attach(mem, token).dispose();
  },
  segmentRefs: ({ name }: { name: string }) => segmentRefs(get(segments, name)),
  readSegment: ({ name, offset, len }: { name: string; offset: number; len: number }) => {
    const out = new Uint8Array(len);
    get(segments, name).readBytes(offset, out);
    return out;
  },
  writeSegment: ({ name, offset, bytes }: { name: string; offset: number; bytes: Uint8Array }) => {
    get(segments, name).writeBytes(offset, bytes);
  },
  disposeSegment: ({ name }: { name: string }) => {
    get(segments, name).dispose();
    segments.delete(name);
  },

  // ---- address spaces ----
  /** Makes a new address space here and hands out a token for it (keeping this thread's object under `name`). */
  newSpace: ({ name }: { name: string }) => {
    const v = new VmSpace(mem);
    spaces.set(name, v);
    return v.share();
  },
  attachSpace: ({ name, token }: { name: string; token: SpaceToken }) => {
    spaces.set(name, VmSpace.attach(mem, token));
  },
  attachSpaceAgain: ({ token }: { token: SpaceToken }) => {
    VmSpace.attach(mem, token).dispose();
  },
  activate: ({ name }: { name: string }) => get(spaces, name).activate(),
  /** Makes a reader (which needs the space to be active here) and reads `len` bytes at `va`. */
  spaceRead: ({ name, va, len }: { name: string; va: number; len: number }) => {
    const out = new Uint8Array(len);
    get(spaces, name).reader(va, len).readFallible(VmWriter.from(out));
    return out;
  },
  spaceReadVal: ({ name, va }: { name: string; va: number }) => get(spaces, name).readVal(va, u32),
  spaceWrite: ({ name, va, bytes }: { name: string; va: number; bytes: Uint8Array }) => {
    get(spaces, name).writer(va, bytes.length).writeFallible(VmReader.from(bytes));
  },
  /** Copies `len` bytes from `from` to `to` inside the space, through a fallible reader and writer. */
  spaceCopy: ({ name, from, to, len }: { name: string; from: number; to: number; len: number }) => {
    const s = get(spaces, name);
    return s.reader(from, len).readFallible(s.writer(to, len));
  },
  /** Allocates a frame here, fills it with `bytes` and maps it at `va` (the mapping keeps it; this thread keeps no handle). */
  mapNew: ({ name, va, bytes, flags }: { name: string; va: number; bytes: Uint8Array; flags: number }) => {
    const f = new FrameAllocOptions(mem).allocFrame();
    try {
      f.writeBytes(0, bytes);
      const c = get(spaces, name).cursorMut({ start: va, end: va + PAGE_SIZE });
      c.map(f, PageProperty.newUser(flags, CachePolicy.Writeback));
      c.dispose();
      return f.startPaddr();
    } finally {
      f.dispose();
    }
  },
  unmap: ({ name, va, len }: { name: string; va: number; len: number }) => {
    const c = get(spaces, name).cursorMut({ start: va, end: va + len });
    c.unmap(len);
    c.dispose();
  },
  /** What the page table holds at `va`: the frame's physical address and the flags, or null. */
  query: ({ name, va }: { name: string; va: number }) => {
    const c = get(spaces, name).cursor({ start: va, end: va + PAGE_SIZE });
    try {
      const q = c.query();
      if (q.item === undefined) return null;
      const paddr = q.item.frame.startPaddr();
      q.item.frame.dispose();
      return { paddr, flags: q.item.prop.flags };
    } finally {
      c.dispose();
    }
  },
  /** Waits at the barrier of `workerData.control`, then disposes the space. */
  disposeSpaceAt: ({ name, readyIndex, goIndex }: { name: string; readyIndex: number; goIndex: number }) => {
    const v = get(spaces, name);
    barrier(setup.control as Int32Array, readyIndex, goIndex);
    v.dispose();
    spaces.delete(name);
  },
  disposeSpace: ({ name }: { name: string }) => {
    get(spaces, name).dispose();
    spaces.delete(name);
  },
});
