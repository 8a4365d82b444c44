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
 * 3. a grace period: every read-side critical section that began before
 *    the bump ends (see `frame/grace-period.ts`), so no thread is still
 *    copying through an old translation or walking an unlinked node. An
 *    unmap `retire`s what it released: the references of its frames and
 *    page-table nodes are dropped once the grace period is over — at once
 *    when it ends within a bound, later otherwise, never early. A protect
 *    `synchronize`s: it returns only once no write through a permission it
 *    removed can still be in flight.
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
import type { Ram } from "../frame/ram.js";
import type { SpaceControl } from "./space-control.js";
import type { Tlb } from "./tlb.js";

/**
 * One thread's side of TLB shootdown for one address space.
 *
 * @internal
 */
export class TlbFlusher {
  readonly #ram: Ram;
  readonly #control: SpaceControl;
  readonly #tlb: Tlb;

  constructor(ram: Ram, control: SpaceControl, tlb: Tlb) {
    this.#ram = ram;
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
   * Step 3 of an unmap: drops one reference to each frame of `released`
   * (the runs of frames it took out of the table, and of unlinked nodes:
   * `frame/frame-runs.ts`) once no thread can still be using a translation
   * from before {@link TlbFlusher.dispatch}.
   */
  retire(released: readonly number[]): void {
    this.#ram.gp.retireRuns(released);
  }

  /**
   * Step 3 of a protect: returns once no thread can still be using a
   * translation from before {@link TlbFlusher.dispatch}.
   *
   * @throws {Error} `ERR_GRACE_PERIOD_TIMEOUT` (see `GracePeriod.synchronize`).
   */
  synchronize(): void {
    this.#ram.gp.synchronize();
  }
}
