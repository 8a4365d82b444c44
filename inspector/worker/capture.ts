/**
 * A sample of a running kernel for the page: the kernel's snapshot
 * (`Kernel.inspect()`: processes, regions, their present pages read
 * through vmio cursors, frames by kind), its counters, what vmio says about
 * the RAM, and what the observer recorded since the previous sample.
 *
 * The kernel's snapshot is passed through as it is: the protocol's types
 * are its types.
 *
 * @module
 */

import type { Kernel, KernelSnapshot } from "../../kernel/core/index.js";
import type { CountersView, FramesView, Sample } from "../protocol.js";
import type { Recorder } from "./recorder.js";

/** The kernel's counters now. */
export function counters(kernel: Kernel): CountersView {
  const s = kernel.sys.stats;
  return {
    instructions: kernel.sys.instructions(),
    syscalls: s.syscalls,
    processes: s.processes,
    faults: { ...s.faults },
    stackGrowth: s.stackGrowth,
    framesPeak: s.framesPeak,
  };
}

/** The frames of `snap`, with the RAM's size and reserved frames from vmio. */
function frames(kernel: Kernel, snap: KernelSnapshot): FramesView {
  return { ...snap.frames, size: kernel.memory.size, reserved: kernel.memory.reservedFrames() };
}

/** Takes sample number `seq` of `kernel`, with what `recorder` recorded since the previous one. */
export function capture(kernel: Kernel, recorder: Recorder, seq: number): Sample {
  const snap = kernel.inspect();
  return { seq, processes: snap.processes, frames: frames(kernel, snap), counters: counters(kernel), ...recorder.take() };
}
