/**
 * The kernel's counters, for `--stats`, `npm start`'s summary and the
 * inspector: page faults by how they ended, copy-on-write copies, frames in
 * use at the peak, instructions retired, processes created.
 *
 * @module
 */

import type { PhysicalMemory } from "vmio";
import type { FaultEvent, FaultResolution } from "../mm/mm-events.js";

/** Counters of one kernel. */
export class KernelStats {
  /** Page faults by resolution. */
  readonly faults: Record<FaultResolution, number> = {
    "demand-zero": 0,
    "zero-page": 0,
    file: 0,
    shared: 0,
    "cow-copy": 0,
    "cow-reuse": 0,
    spurious: 0,
    fatal: 0,
    oom: 0,
  };
  /** Faults that grew a stack. */
  stackGrowth = 0;
  /** Frames in use (data and page tables) at the peak. */
  framesPeak = 0;
  /** Processes created (the first one included). */
  processes = 0;
  /** System calls handled. */
  syscalls = 0;
  /** Instructions retired by threads that exited (live ones are added when asked). */
  instructions = 0;
  readonly #memory: PhysicalMemory;

  constructor(memory: PhysicalMemory) {
    this.#memory = memory;
  }

  /**
   * Counts a fault. Frames in use are sampled into the peak after every
   * fault that allocates (vmio's count of frames in use is O(1)), so the
   * peak is exact for faults.
   */
  fault(e: FaultEvent): void {
    this.faults[e.resolution]++;
    if (e.stackGrowth) this.stackGrowth++;
    const r = e.resolution;
    if (r === "demand-zero" || r === "file" || r === "shared" || r === "cow-copy") this.sampleFrames();
  }

  /** Frames in use now (data pages and page tables). */
  framesInUse(): number {
    return this.#memory.usedFrames();
  }

  /** Samples the frames in use into the peak (at every `fork` and `execve`, and every fault that allocates). */
  sampleFrames(): void {
    const n = this.framesInUse();
    if (n > this.framesPeak) this.framesPeak = n;
  }
}
