/**
 * The kernel's counters, for `--stats`, `npm start`'s summary and the
 * inspector: page faults by how they ended, copy-on-write copies, frames in
 * use at the peak, instructions retired, processes created.
 *
 * @module
 */

import type { PhysicalMemory } from "vmio";
import type { FaultEvent, FaultResolution } from "../mm/mm-events.js";

/** Least time between two samples of the frames in use driven by faults. */
export const SAMPLE_INTERVAL_MS = 20;

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
  readonly #frames: number;
  /** Faults that allocated a frame since the last sample, and when that was. */
  #unsampled = 0;
  #sampledAt = 0;

  constructor(memory: PhysicalMemory) {
    this.#memory = memory;
    this.#frames = memory.size / 4096 - memory.reservedFrames();
  }

  /**
   * Counts a fault. Frames in use are sampled after faults that allocate,
   * but at most every {@link SAMPLE_INTERVAL_MS} (unless many faults
   * piled up): vmio's free-frame count walks the allocator's bitmap, far
   * too slow for every fault. The peak is therefore a sampled one.
   */
  fault(e: FaultEvent): void {
    this.faults[e.resolution]++;
    if (e.stackGrowth) this.stackGrowth++;
    const r = e.resolution;
    if (r !== "demand-zero" && r !== "file" && r !== "shared" && r !== "cow-copy") return;
    const n = ++this.#unsampled;
    if (n >= 4096 || (n >= 16 && performance.now() - this.#sampledAt >= SAMPLE_INTERVAL_MS)) this.sampleFrames();
  }

  /** Frames in use now (data pages and page tables). */
  framesInUse(): number {
    return this.#frames - this.#memory.freeFrames();
  }

  /** Samples the frames in use into the peak (at every `fork` and `execve`, and every few faults). */
  sampleFrames(): void {
    this.#unsampled = 0;
    this.#sampledAt = performance.now();
    const n = this.framesInUse();
    if (n > this.framesPeak) this.framesPeak = n;
  }
}
