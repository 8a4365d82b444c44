/**
 * Leak tracking: reporting handles that were garbage-collected without
 * `dispose()`.
 *
 * JavaScript has no destructors, so a forgotten `dispose()` keeps a frame
 * allocated until the process ends. With `trackLeaks`, every handle is
 * registered with a `FinalizationRegistry` when it is made and unregistered
 * when it is disposed (or consumed); one that is collected while still
 * registered is reported, with the stack of the code that made it. Off by
 * default: it costs a registry entry and a stack trace per handle.
 *
 * @module
 */

import { invalidType } from "../base/contract.js";

/** What a leaked handle looked like. */
export interface LeakReport {
  /** The handle's class: `"UFrame"`, `"Frame"`, `"USegment"`, `"Segment"` or `"FrameVec"`. */
  readonly kind: string;
  /** Physical address of its first frame. */
  readonly paddr: number;
  /** Its size in bytes. */
  readonly size: number;
  /** Stack trace of the allocation or clone that created it. */
  readonly stack: string | undefined;
}

/** The `trackLeaks` option of `PhysicalMemory`. */
export type TrackLeaksOption = boolean | ((report: LeakReport) => void);

/**
 * One thread's leak tracker for one RAM.
 *
 * OSTD counterpart: none — Rust drops frames deterministically.
 *
 * @internal
 */
export class LeakTracker {
  readonly #registry: FinalizationRegistry<LeakReport>;

  constructor(report: (r: LeakReport) => void) {
    this.#registry = new FinalizationRegistry(report);
  }

  /**
   * The tracker the option asks for, or `undefined` when it is off.
   *
   * @throws {TypeError} the option is neither a boolean nor a function.
   */
  static fromOption(option: TrackLeaksOption | undefined): LeakTracker | undefined {
    if (option === undefined || option === false) return undefined;
    if (option !== true && typeof option !== "function") invalidType("opts.trackLeaks", "a boolean or a function", option);
    return new LeakTracker(option === true ? warn : option);
  }

  /** Starts watching `handle`. */
  track(handle: object, kind: string, paddr: number, size: number): void {
    this.#registry.register(handle, { kind, paddr, size, stack: new Error("allocated here").stack }, handle);
  }

  /** Stops watching `handle` (it was disposed or consumed). */
  untrack(handle: object): void {
    this.#registry.unregister(handle);
  }
}

function warn(r: LeakReport): void {
  console.warn(`vmio: a ${r.kind} (paddr 0x${r.paddr.toString(16)}, ${r.size} bytes) was garbage-collected without dispose()${r.stack === undefined ? "" : `\n${r.stack}`}`);
}
