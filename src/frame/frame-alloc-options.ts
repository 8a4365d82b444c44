/**
 * `FrameAllocOptions`: how frames and segments are allocated.
 *
 * @module
 */

import { invalidType } from "../base/contract.js";
import { checkFunction, checkIndex } from "../base/validate.js";
import { VmError } from "../io/vm-error.js";
import { Frame, UFrame } from "./frame.js";
import { PAGE_SIZE } from "./page-size.js";
import { PhysicalMemory } from "./physical-memory.js";
import { Segment, USegment } from "./segment.js";

/**
 * Options for allocating frames and segments from a {@link PhysicalMemory}.
 * Frames are zeroed unless `zeroed(false)` is set, as in OSTD.
 *
 * OSTD counterpart: `ostd::mm::FrameAllocOptions`.
 */
export class FrameAllocOptions {
  private readonly memory: PhysicalMemory;
  private zero = true;

  /**
   * @param memory the RAM to allocate from; omitted, the process-wide
   *   `PhysicalMemory.default`.
   * @throws {TypeError} `memory` is not a `PhysicalMemory`.
   */
  constructor(memory?: PhysicalMemory) {
    if (memory !== undefined && !(memory instanceof PhysicalMemory)) invalidType("memory", "a PhysicalMemory", memory);
    this.memory = memory ?? PhysicalMemory.default;
  }

  /**
   * Whether new frames are filled with zeros (default `true`). `false` skips
   * the fill and leaves whatever the frames last held.
   *
   * OSTD counterpart: `FrameAllocOptions::zeroed`.
   *
   * @throws {TypeError} `z` is not a boolean.
   */
  zeroed(z: boolean): this {
    if (typeof z !== "boolean") invalidType("z", "a boolean", z);
    this.zero = z;
    return this;
  }

  /**
   * Allocates one untyped frame.
   *
   * OSTD counterpart: `FrameAllocOptions::alloc_frame`.
   *
   * @throws {VmError} `NoMemory` when no frame is free (nothing changes).
   */
  allocFrame(): UFrame {
    return UFrame._adopt(this.memory, this.memory._allocFrames(1, this.zero, false));
  }

  /**
   * Allocates `nframes` physically contiguous untyped frames.
   *
   * OSTD counterpart: `FrameAllocOptions::alloc_segment`.
   *
   * @throws {VmError} `InvalidArgs` when `nframes` is 0; `NoMemory` when no
   *   free run is that long (nothing changes).
   * @throws {TypeError | RangeError} `nframes` is not a non-negative safe integer.
   */
  allocSegment(nframes: number): USegment {
    checkIndex(nframes, "nframes");
    if (nframes === 0) throw new VmError("InvalidArgs", "allocSegment: a segment needs at least one frame");
    return USegment._adopt(this.memory, this.memory._allocFrames(nframes, this.zero, false), nframes);
  }

  /**
   * Allocates one typed frame carrying `meta`. Typed frames are not readable
   * or writable through `VmIo`.
   *
   * OSTD counterpart: `FrameAllocOptions::alloc_frame_with`.
   *
   * @throws {VmError} `NoMemory` when no frame is free (nothing changes).
   */
  allocFrameWith<M>(meta: M): Frame<M> {
    const index = this.memory._allocFrames(1, this.zero, true);
    this.memory._metas.set(index, meta);
    return (Frame as { prototype: Frame<M> } & typeof Frame)._adopt(this.memory, index);
  }

  /**
   * Allocates `nframes` contiguous typed frames; `meta(paddr)` gives each
   * frame its metadata. If `meta` throws, the frames are freed again and the
   * exception propagates.
   *
   * OSTD counterpart: `FrameAllocOptions::alloc_segment_with`.
   *
   * @throws {VmError} `InvalidArgs` when `nframes` is 0; `NoMemory` when no
   *   free run is that long (nothing changes).
   * @throws {TypeError | RangeError} bad arguments.
   */
  allocSegmentWith<M>(nframes: number, meta: (paddr: number) => M): Segment<M> {
    checkIndex(nframes, "nframes");
    checkFunction(meta, "meta");
    if (nframes === 0) throw new VmError("InvalidArgs", "allocSegmentWith: a segment needs at least one frame");
    const mem = this.memory;
    const start = mem._allocFrames(nframes, this.zero, true);
    let f = start;
    try {
      for (; f < start + nframes; f++) mem._metas.set(f, meta(f * PAGE_SIZE));
    } catch (e) {
      for (let g = start; g < f; g++) mem._metas.delete(g);
      mem._unrefFrames(start, nframes);
      throw e;
    }
    return (Segment as { prototype: Segment<M> } & typeof Segment)._adopt(mem, start, nframes);
  }
}
