/**
 * `FrameVec`: untyped frames that need not be adjacent, read and written as
 * one range.
 *
 * Safety contract: a `FrameVec` holds a reference of its own to each frame
 * (the frames given to the constructor keep theirs), drops them on
 * `dispose()`, and is dead afterwards; its readers and writers borrow it and
 * throw once it is dead. Copies go through the copy engine one run at a
 * time, where a run is a maximal stretch of frames that are physically
 * adjacent in RAM — a vector of adjacent frames copies like one segment. Its
 * state is private; on shared RAM each run's references are one entry of
 * its thread's holdings ledger.
 *
 * @module
 */

import { illegalConstructor, invalidType, outOfRange, useAfterDispose } from "../base/contract.js";
import { INTERNAL } from "../base/internal-key.js";
import type { Infallible } from "../io/fallibility.js";
import { MemorySpace } from "../io/memory-space.js";
import { withVmIo, type IoMemory } from "../io/vm-io.js";
import { newReader, type VmReader } from "../io/vm-reader.js";
import { newWriter, type VmWriter } from "../io/vm-writer.js";
import { untypedFrame, type UFrame } from "./frame.js";
import { PAGE_SIZE } from "./page-size.js";
import type { Ram } from "./ram.js";
import { isSegment, untypedSegment } from "./segment.js";

/** A vector's frames: what the constructor works out, and what `clone()` copies. */
interface Frames {
  /** Their RAM (undefined for an empty vector). */
  readonly ram: Ram | undefined;
  /** Frame numbers, in vector order. */
  readonly indices: Int32Array;
}

/** The liveness a vector shares with its memory space. */
interface Liveness {
  dead: boolean;
}

/** The memory space of a `FrameVec`: addresses are offsets into the vector. */
class FrameVecSpace extends MemorySpace {
  readonly shared: boolean;
  readonly #life: Liveness;
  readonly #describe: () => string;
  /** Physical address of each frame. */
  readonly #paddrs: Float64Array;
  /** For each frame, the vector offset where its physically contiguous run ends. */
  readonly #runEnds: Float64Array;
  /** For each frame, a view from its start to the end of its physically contiguous run. */
  readonly #slices: Uint8Array[];

  constructor(life: Liveness, describe: () => string, ram: Ram | undefined, indices: Int32Array) {
    super();
    this.#life = life;
    this.#describe = describe;
    // An empty vector has no memory: its space is never asked for a run.
    if (ram !== undefined) {
      this.runBytes = ram.bytes;
      this.runView = ram.view;
    }
    this.shared = ram?.shared ?? false;
    const n = indices.length;
    const paddrs = new Float64Array(n);
    const runEnds = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      paddrs[i] = (indices[i] as number) * PAGE_SIZE;
      const adjacent = i + 1 < n && indices[i + 1] === (indices[i] as number) + 1;
      runEnds[i] = adjacent ? (runEnds[i + 1] as number) : (i + 1) * PAGE_SIZE;
    }
    this.#paddrs = paddrs;
    this.#runEnds = runEnds;
    this.#slices = Array.from(paddrs, (paddr, i) => this.runBytes.subarray(paddr, paddr + (runEnds[i] as number) - i * PAGE_SIZE));
  }

  generation(): number {
    return this.#life.dead ? 1 : 0;
  }

  run(addr: number, len: number): number {
    if (this.#life.dead) useAfterDispose(this.#describe());
    const i = Math.floor(addr / PAGE_SIZE);
    const offset = addr - i * PAGE_SIZE;
    this.runOffset = (this.#paddrs[i] as number) + offset;
    const rest = (this.#runEnds[i] as number) - addr;
    if (offset === 0 && len >= rest) {
      // The whole run from a frame's start: hand out its cached view.
      this.runSlice = this.#slices[i] as Uint8Array;
      return rest;
    }
    this.runSlice = null;
    return len < rest ? len : rest;
  }
}

/** Runs of consecutive frame numbers in `indices`, in order: `[start, end)` pairs. */
function runsOf(indices: Int32Array): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const f of indices) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === f) last[1]++;
    else runs.push([f, f + 1]);
  }
  return runs;
}

/** The frames of the constructor's argument, checked (without taking references). */
function framesOf(frames: Iterable<UFrame>): Frames {
  if (frames == null || typeof (frames as Iterable<UFrame>)[Symbol.iterator] !== "function") {
    invalidType("frames", "an iterable of UFrame", frames);
  }
  // A segment is taken by reference, not iterated: iterating consumes it.
  if (isSegment(frames)) {
    const s = untypedSegment(frames, "frames");
    return { ram: s.ram, indices: Int32Array.from({ length: s.count }, (_, i) => s.start + i) };
  }
  let ram: Ram | undefined;
  const indices: number[] = [];
  for (const f of [...frames]) {
    const s = untypedFrame(f, `frames[${indices.length}]`);
    if (ram !== undefined && s.ram !== ram) invalidType(`frames[${indices.length}]`, "a frame of the same PhysicalMemory as frames[0]", f);
    ram = s.ram;
    indices.push(s.index);
  }
  return { ram, indices: Int32Array.from(indices) };
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
  readonly #ram: Ram | undefined;
  readonly #indices: Int32Array;
  readonly #runs: Array<[number, number]>;
  /** The ledger entries of the runs' references (shared RAM). */
  readonly #held: number[];
  readonly #life: Liveness = { dead: false };
  readonly #space: FrameVecSpace;
  readonly #io: IoMemory;

  /**
   * Makes a vector of `frames`, in order, taking a reference of its own to
   * each (the caller still disposes its handles). A `USegment` gives its
   * frames without being consumed.
   *
   * @throws {TypeError} an element is not a live untyped `UFrame`, or the
   *   frames belong to different memories.
   * @throws {VmError} `NoMemory` on shared RAM when the thread's ledger needs a page and none is free.
   */
  constructor(frames: Iterable<UFrame>);
  /** @internal clone(): the same frames, with references of its own. */
  constructor(frames: undefined, key: symbol, from: Frames);
  constructor(frames: Iterable<UFrame> | undefined, key?: symbol, from?: Frames) {
    super();
    if (key !== undefined && key !== INTERNAL) illegalConstructor("FrameVec", "use new FrameVec(frames)");
    const { ram, indices } = key === INTERNAL ? (from as Frames) : framesOf(frames as Iterable<UFrame>);
    const runs = runsOf(indices);
    this.#held = [];
    if (ram !== undefined) {
      ram.reserveHoldings(runs.length);
      for (const [start, end] of runs) ram.frames.ref(start, end - start);
      for (const [start, end] of runs) this.#held.push(ram.holdFrames(start, end));
    }
    this.#ram = ram;
    this.#indices = indices;
    this.#runs = runs;
    this.#space = new FrameVecSpace(this.#life, () => this.describeLease(), ram, indices);
    this.#io = { bytes: null, view: null, space: this.#space, lease: null, base: 0, size: indices.length * PAGE_SIZE, fallible: false, beyond: "InvalidArgs" };
    ram?.leaks?.track(this, "FrameVec", indices.length > 0 ? (indices[0] as number) * PAGE_SIZE : 0, indices.length * PAGE_SIZE);
  }

  /** True once disposed. @internal */
  get leaseExpired(): boolean {
    return this.#life.dead;
  }

  /** @internal */
  describeLease(): string {
    return `FrameVec of ${this.#indices.length} frames`;
  }

  /** Checks that `vec` is a live `FrameVec` (a prototype method called on anything else is a coded TypeError). */
  static #live(vec: unknown): FrameVec {
    if (typeof vec !== "object" || vec === null || !(#life in vec)) invalidType("this", "a FrameVec", vec);
    const v = vec as FrameVec;
    if (v.#life.dead) useAfterDispose(v.describeLease());
    return v;
  }

  /**
   * Number of frames.
   *
   * @throws {TypeError} the vector was disposed.
   */
  get length(): number {
    return FrameVec.#live(this).#indices.length;
  }

  /**
   * Size in bytes: `length × PAGE_SIZE`.
   *
   * @throws {TypeError} the vector was disposed.
   */
  size(): number {
    return FrameVec.#live(this).#indices.length * PAGE_SIZE;
  }

  /**
   * Physical address of frame `i`.
   *
   * @throws {RangeError} `i` is out of range.
   * @throws {TypeError} the vector was disposed.
   */
  paddrOf(i: number): number {
    const indices = FrameVec.#live(this).#indices;
    if (!Number.isSafeInteger(i) || i < 0 || i >= indices.length) outOfRange("i", `a frame index in [0, ${indices.length})`, i);
    return (indices[i] as number) * PAGE_SIZE;
  }

  /**
   * An infallible reader over the whole vector; it borrows the vector.
   *
   * @throws {TypeError} the vector was disposed.
   */
  reader(): VmReader<Infallible> {
    const v = FrameVec.#live(this);
    return newReader<Infallible>(null, null, v.#space, null, 0, v.#indices.length * PAGE_SIZE, false);
  }

  /**
   * An infallible writer over the whole vector; it borrows the vector.
   *
   * @throws {TypeError} the vector was disposed.
   */
  writer(): VmWriter<Infallible> {
    const v = FrameVec.#live(this);
    return newWriter<Infallible>(null, null, v.#space, null, 0, v.#indices.length * PAGE_SIZE, false);
  }

  /**
   * A new vector over the same frames, with references of its own.
   *
   * @throws {TypeError} the vector was disposed.
   * @throws {VmError} `NoMemory` on shared RAM when the thread's ledger needs a page and none is free.
   */
  clone(): FrameVec {
    const v = FrameVec.#live(this);
    return new FrameVec(undefined, INTERNAL, { ram: v.#ram, indices: v.#indices });
  }

  /**
   * Drops the vector's reference to each frame.
   *
   * @throws {TypeError} the vector was already disposed.
   */
  dispose(): void {
    const v = FrameVec.#live(this);
    v.#life.dead = true;
    const ram = v.#ram;
    if (ram === undefined) return;
    ram.leaks?.untrack(v);
    for (const id of v.#held) ram.dropHolding(id);
    for (const [start, end] of v.#runs) ram.frames.unref(start, end - start);
  }

  /** Same as {@link FrameVec.dispose}, for `using` declarations. */
  [Symbol.dispose](): void {
    FrameVec.prototype.dispose.call(this);
  }

  /** @internal */
  protected _ioMemory(): IoMemory {
    return FrameVec.#live(this).#io;
  }

  static {
    frameVecIo = (v) => v._ioMemory();
  }
}
