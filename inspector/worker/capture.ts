/**
 * A sample of a running kernel for the page: the kernel's snapshot
 * (`Kernel.inspect()`: processes, regions, their present pages read
 * through vmio cursors, frames by kind), its counters, what vmio says about
 * the RAM, and what the observer recorded since the previous sample.
 *
 * The kernel's types are passed through as they are; the assignments below
 * are where the compiler checks that they still fit the page's protocol.
 *
 * @module
 */

import type { Kernel, KernelSnapshot, FaultResolution } from "../../kernel/core/index.js";
import type { CountersView, FaultKind, FramesView, ProcessView, Sample } from "../protocol.js";
import type { Recorder } from "./recorder.js";

/** Compile-time proof that the page's fault kinds are the kernel's, both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const faultKindsMatch: Same<FaultKind, FaultResolution> = true;
void faultKindsMatch;

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
  const processes: readonly ProcessView[] = snap.processes;
  return { seq, processes, frames: frames(kernel, snap), counters: counters(kernel), ...recorder.take() };
}
