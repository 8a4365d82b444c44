/**
 * `FrameVec`: untyped frames that need not be adjacent, read and written as
 * one range.
 *
 * Safety contract: a `FrameVec` holds a reference of its own to each frame
 * (the frames given to the constructor keep theirs), drops them on
 * `dispose()`, and is dead afterwards; its readers and writers borrow it and
 * throw once it is dead. Copies go through the copy engine one run at a
 * time, where a run is a maximal stretch of frames that are physically
 * adjacent in RAM — a vector of adjacent frames copies like one segment.
 *
 * @module
 */

import { invalidType, useAfterDispose } from "../base/contract.js";
import type { Infallible } from "../io/fallibility.js";
import { MemorySpace } from "../io/memory-space.js";
import { withVmIo, type IoMemory } from "../io/vm-io.js";
import { newReader, type VmReader } from "../io/vm-reader.js";
import { newWriter, type VmWriter } from "../io/vm-writer.js";
import { UFrame, trackHandle, untrackHandle } from "./frame.js";
import { Segment, USegment } from "./segment.js";
import { PAGE_SIZE } from "./page-size.js";
import type { PhysicalMemory } from "./physical-memory.js";

/** The memory space of a `FrameVec`: addresses are offsets into the vector. */
class FrameVecSpace extends MemorySpace {
  readonly shared: boolean;
  /** For each frame, a view from its start to the end of its physically contiguous run. */
  private readonly slices: Uint8Array[];

  constructor(
    private readonly vec: FrameVec,
    mem: PhysicalMemory | undefined,
    /** Physical address of each frame. */
    private readonly paddrs: Float64Array,
    /** For each frame, the vector offset where its physically contiguous run ends. */
    private readonly runEnds: Float64Array,
  ) {
    super();
    // An empty vector has no memory: its space is never asked for a run.
    if (mem !== undefined) {
      this.runBytes = mem._ram;
      this.runView = mem._view;
    }
    this.shared = mem?._shared ?? false;
    this.slices = Array.from(paddrs, (paddr, i) => this.runBytes.subarray(paddr, paddr + (runEnds[i] as number) - i * PAGE_SIZE));
  }

  generation(): number {
    return this.vec.leaseExpired ? 1 : 0;
  }

  run(addr: number, len: number): number {
    if (this.vec.leaseExpired) useAfterDispose(this.vec.describeLease());
    const i = Math.floor(addr / PAGE_SIZE);
    const offset = addr - i * PAGE_SIZE;
    this.runOffset = (this.paddrs[i] as number) + offset;
    const rest = (this.runEnds[i] as number) - addr;
    if (offset === 0 && len >= rest) {
      // The whole run from a frame's start: hand out its cached view.
      this.runSlice = this.slices[i] as Uint8Array;
      return rest;
    }
    this.runSlice = null;
    return len < rest ? len : rest;
  }
}

/** New handles (one reference each) to the frames of a live segment, which is left as it is. */
function segmentFrames(seg: USegment): UFrame[] {
  const start = seg.startPaddr() / PAGE_SIZE;
  const count = seg.size() / PAGE_SIZE;
  seg._paddrUntyped();
  seg._mem._refFrames(start, count);
  return Array.from({ length: count }, (_, i) => UFrame._adopt(seg._mem, start + i));
}

/** The memory of a `FrameVec`, for its VmIo methods (set in the class body, where `_ioMemory` is reachable). */
let frameVecIo: (v: FrameVec) => IoMemory;

/**
 * Untyped frames in a given order, addressed as one range of
 * `length × PAGE_SIZE` bytes.
 *
 * OSTD counterpart: `Vec<UFrame>` as a `VmIo` object.
 */
export class FrameVec extends withVmIo(Object, (v) => frameVecIo(v as FrameVec)) implements Disposable {
  private readonly mem: PhysicalMemory | undefined;
  private readonly indices: Int32Array;
  private readonly space: FrameVecSpace;
  private readonly io: IoMemory;
  /** True once disposed. @internal */ leaseExpired = false;

  /**
   * Makes a vector of `frames`, in order, taking a reference of its own to
   * each (the caller still disposes its handles).
   *
   * @throws {TypeError} an element is not a live untyped `UFrame`, or the
   *   frames belong to different memories.
   */
  constructor(frames: Iterable<UFrame>) {
    super();
    if (frames == null || typeof (frames as Iterable<UFrame>)[Symbol.iterator] !== "function") {
      invalidType("frames", "an iterable of UFrame", frames);
    }
    // A segment is taken by reference, not iterated: iterating consumes it.
    if (frames instanceof Segment && !(frames instanceof USegment)) invalidType("frames", "untyped frames (a typed Segment has no VmIo)", frames);
    const list = frames instanceof USegment ? segmentFrames(frames) : [...frames];
    let mem: PhysicalMemory | undefined;
    for (const [i, f] of list.entries()) {
      if (!(f instanceof UFrame)) invalidType(`frames[${i}]`, "a UFrame", f);
      f._paddrUntyped();
      if (mem !== undefined && f._mem !== mem) invalidType(`frames[${i}]`, "a frame of the same PhysicalMemory as frames[0]", f);
      mem = f._mem;
    }
    this.mem = mem;
    this.indices = Int32Array.from(list, (f) => f._index);
    const n = list.length;
    const paddrs = new Float64Array(n);
    const runEnds = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      paddrs[i] = (this.indices[i] as number) * PAGE_SIZE;
      const adjacent = i + 1 < n && this.indices[i + 1] === (this.indices[i] as number) + 1;
      runEnds[i] = adjacent ? (runEnds[i + 1] as number) : (i + 1) * PAGE_SIZE;
    }
    if (mem !== undefined) for (const index of this.indices) mem._refFrames(index, 1);
    if (frames instanceof USegment) for (const f of list) f.dispose();
    this.space = new FrameVecSpace(this, mem, paddrs, runEnds);
    this.io = { bytes: null, view: null, space: this.space, lease: null, base: 0, size: n * PAGE_SIZE, fallible: false, beyond: "InvalidArgs" };
    if (mem !== undefined) trackHandle(mem, this, "FrameVec", n > 0 ? (paddrs[0] as number) : 0, n * PAGE_SIZE);
  }

  /** @internal */
  describeLease(): string {
    return `FrameVec of ${this.indices.length} frames`;
  }

  private live(): void {
    if (this.leaseExpired) useAfterDispose(this.describeLease());
  }

  /**
   * Number of frames.
   *
   * @throws {TypeError} the vector was disposed.
   */
  get length(): number {
    this.live();
    return this.indices.length;
  }

  /**
   * Size in bytes: `length × PAGE_SIZE`.
   *
   * @throws {TypeError} the vector was disposed.
   */
  size(): number {
    this.live();
    return this.indices.length * PAGE_SIZE;
  }

  /**
   * Physical address of frame `i`.
   *
   * @throws {RangeError} `i` is out of range.
   * @throws {TypeError} the vector was disposed.
   */
  paddrOf(i: number): number {
    this.live();
    if (!Number.isSafeInteger(i) || i < 0 || i >= this.indices.length) {
      throw new RangeError(`frame index ${String(i)} is out of range [0, ${this.indices.length})`);
    }
    return (this.indices[i] as number) * PAGE_SIZE;
  }

  /**
   * An infallible reader over the whole vector; it borrows the vector.
   *
   * @throws {TypeError} the vector was disposed.
   */
  reader(): VmReader<Infallible> {
    return newReader<Infallible>(null, null, this.space, null, 0, this.size(), false);
  }

  /**
   * An infallible writer over the whole vector; it borrows the vector.
   *
   * @throws {TypeError} the vector was disposed.
   */
  writer(): VmWriter<Infallible> {
    return newWriter<Infallible>(null, null, this.space, null, 0, this.size(), false);
  }

  /**
   * A new vector over the same frames, with references of its own.
   *
   * @throws {TypeError} the vector was disposed.
   */
  clone(): FrameVec {
    this.live();
    const mem = this.mem;
    if (mem === undefined) return new FrameVec([]);
    const frames = Array.from(this.indices, (i) => {
      mem._refFrames(i, 1);
      return UFrame._adopt(mem, i);
    });
    try {
      return new FrameVec(frames);
    } finally {
      for (const f of frames) f.dispose();
    }
  }

  /**
   * Drops the vector's reference to each frame.
   *
   * @throws {TypeError} the vector was already disposed.
   */
  dispose(): void {
    this.live();
    this.leaseExpired = true;
    if (this.mem !== undefined) {
      untrackHandle(this.mem, this);
      for (const index of this.indices) this.mem._unrefFrames(index, 1);
    }
  }

  /** Same as {@link FrameVec.dispose}, for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal */
  protected _ioMemory(): IoMemory {
    this.live();
    return this.io;
  }

  static {
    frameVecIo = (v) => v._ioMemory();
  }
}
