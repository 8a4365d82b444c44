/**
 * TLB shootdown: how a change that removes or narrows a translation (unmap,
 * protect) reaches every thread's TLB before the memory behind the old
 * translation can change hands.
 *
 * Protocol, in order:
 * 1. `issue(start, end)` — this thread drops its own TLB entries for the
 *    range at once (the page table already says the new thing);
 * 2. `dispatch()` — bumps the space's TLB epoch (in its control block).
 *    Every thread compares the epoch with the one its TLB is in step with on
 *    every translation, TLB hits included, and flushes before it uses an
 *    entry from before the bump;
 * 3. `synchronize(released)` — waits for a grace period: every read-side
 *    critical section that began before the bump has ended, so no thread is
 *    still copying through an old translation or walking an unlinked node
 *    (see `frame/grace-period.ts`). Only then are the references of the
 *    frames and page-table nodes the change released dropped.
 *
 * On unshared RAM there is one thread: step 3 waits for nothing.
 *
 * OSTD counterpart: `ostd::mm::tlb::TlbFlusher` (`issue_tlb_flush_with`,
 * `dispatch_tlb_flush`, `sync_tlb_flush`), split out of `vm_space.rs` in the
 * same way.
 *
 * @module
 */

import { PAGE_SIZE } from "../frame/page-size.js";
import type { PhysicalMemory } from "../frame/physical-memory.js";
import type { SpaceControl } from "./space-control.js";
import type { Tlb } from "./tlb.js";

/**
 * One thread's side of TLB shootdown for one address space.
 *
 * @internal
 */
export class TlbFlusher {
  readonly #mem: PhysicalMemory;
  readonly #control: SpaceControl;
  readonly #tlb: Tlb;

  constructor(mem: PhysicalMemory, control: SpaceControl, tlb: Tlb) {
    this.#mem = mem;
    this.#control = control;
    this.#tlb = tlb;
  }

  /** Step 1: drops this thread's translations of `[start, end)`. */
  issue(start: number, end: number): void {
    this.#tlb.invalidate(start / PAGE_SIZE, end / PAGE_SIZE);
  }

  /** Step 2: makes every other TLB of the space flush before its next translation; returns the new epoch. */
  dispatch(): number {
    return this.#control.bumpEpoch();
  }

  /**
   * Step 3: returns once no thread can still be using a translation from
   * before {@link TlbFlusher.dispatch}, then drops one reference to each of
   * `released` (frames an unmap took out of the table, and unlinked nodes).
   */
  synchronize(released: readonly number[]): void {
    const mem = this.#mem;
    mem._gp.synchronize();
    for (const frame of released) mem._unrefFrames(frame, 1);
  }
}
