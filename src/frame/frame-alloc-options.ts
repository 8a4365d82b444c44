/**
 * `FrameAllocOptions`: how frames and segments are allocated.
 *
 * @module
 */

import { invalidType } from "../base/contract.js";
import { checkFunction, checkIndex } from "../base/validate.js";
import { VmError } from "../io/vm-error.js";
import { adoptFrame, adoptUFrame, type Frame, type UFrame } from "./frame.js";
import { FLAG_TYPED } from "./meta.js";
import { PAGE_SIZE } from "./page-size.js";
import { PhysicalMemory, checkedRamOf } from "./physical-memory.js";
import type { Ram } from "./ram.js";
import { adoptSegment, type Segment, type USegment } from "./segment.js";

/**
 * Options for allocating frames and segments from a {@link PhysicalMemory}.
 * Frames are zeroed unless `zeroed(false)` is set, as in OSTD.
 *
 * OSTD counterpart: `ostd::mm::FrameAllocOptions`.
 */
export class FrameAllocOptions {
  readonly #ram: Ram;
  #zero = true;

  /** Checks that `this` really is a `FrameAllocOptions` (a prototype method called on anything else is a coded TypeError). */
  static #check(options: unknown): FrameAllocOptions {
    if (typeof options !== "object" || options === null || !(#ram in options)) invalidType("this", "a FrameAllocOptions", options);
    return options as FrameAllocOptions;
  }

  /**
   * @param memory the RAM to allocate from; omitted, the process-wide
   *   `PhysicalMemory.default`.
   * @throws {TypeError} `memory` is not a `PhysicalMemory`.
   */
  constructor(memory?: PhysicalMemory) {
    this.#ram = checkedRamOf(memory === undefined ? PhysicalMemory.default : memory, "memory");
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
    FrameAllocOptions.#check(this).#zero = z;
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
    const ram = FrameAllocOptions.#check(this).#ram;
    ram.reserveHoldings();
    return adoptUFrame(ram, ram.frames.alloc(1, this.#zero, 0));
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
    const ram = FrameAllocOptions.#check(this).#ram;
    if (nframes === 0) throw new VmError("InvalidArgs", "allocSegment: a segment needs at least one frame");
    ram.reserveHoldings();
    return adoptSegment(ram, ram.frames.alloc(nframes, this.#zero, 0), nframes, true) as USegment;
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
    const ram = FrameAllocOptions.#check(this).#ram;
    ram.reserveHoldings();
    const index = ram.frames.alloc(1, this.#zero, FLAG_TYPED);
    ram.frames.setMeta(index, meta);
    return adoptFrame(ram, index, false) as Frame<M>;
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
    const ram = FrameAllocOptions.#check(this).#ram;
    if (nframes === 0) throw new VmError("InvalidArgs", "allocSegmentWith: a segment needs at least one frame");
    ram.reserveHoldings();
    const start = ram.frames.alloc(nframes, this.#zero, FLAG_TYPED);
    let f = start;
    try {
      for (; f < start + nframes; f++) ram.frames.setMeta(f, meta(f * PAGE_SIZE));
    } catch (e) {
      for (let g = start; g < f; g++) ram.frames.deleteMeta(g);
      ram.frames.unref(start, nframes);
      throw e;
    }
    return adoptSegment(ram, start, nframes, false) as Segment<M>;
  }
}
