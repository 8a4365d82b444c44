/**
 * The zero page: one frame of zeros per physical memory, mapped read-only
 * wherever a program reads anonymous memory it never wrote. A read fault
 * then costs no frame; the first write faults again and gets a frame of
 * its own (copy-on-write from the zero page: the kernel's handle keeps its
 * reference count above the "sole owner" mark, so it is never written).
 *
 * Linux counterpart: `ZERO_PAGE` and `do_anonymous_page`'s read path.
 *
 * @module
 */

import { FrameAllocOptions, type PhysicalMemory, type UFrame } from "vmio";

const zeroPages = new WeakMap<PhysicalMemory, UFrame>();

/** The zero frame of `memory` (made on first use, kept for the memory's life). @throws {VmError} `NoMemory`. */
export function zeroPage(memory: PhysicalMemory): UFrame {
  let f = zeroPages.get(memory);
  if (f === undefined) {
    f = new FrameAllocOptions(memory).allocFrame();
    zeroPages.set(memory, f);
  }
  return f;
}

/** Whether `frame` is the zero frame of its memory. */
export function isZeroPage(memory: PhysicalMemory, frame: UFrame): boolean {
  const z = zeroPages.get(memory);
  return z !== undefined && z.startPaddr() === frame.startPaddr();
}

/** The physical address of the zero frame of `memory`, if it has one yet. */
export function zeroPageAddress(memory: PhysicalMemory): number | undefined {
  return zeroPages.get(memory)?.startPaddr();
}
