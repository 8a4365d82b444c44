/**
 * Grace periods: when RAM is shared between threads, memory that a
 * translation pointed to is freed only after every thread that might still
 * be using that translation has finished its access.
 *
 * Safety contract. An access to user memory on shared RAM (a copy, a value,
 * an atomic) runs inside a read-side critical section: `enter()` before the
 * first translation, `exit()` after the last byte moved. A thread that
 * changes a mapping (unmap, protect) first makes the change and bumps the
 * space's TLB epoch, then calls `synchronize()`, which returns only when
 * every critical section that began before it has ended. So when `unmap`
 * returns, no thread holds the old translation — OSTD's `TlbFlusher`
 * promise — and the unmapped frames and page-table nodes can be freed.
 *
 * The protocol is a two-slot counter, as in sleepable RCU. The header holds
 * an epoch and one reader count per epoch parity. A reader reads the epoch,
 * increments the count of its parity, and re-reads the epoch (backing out
 * and retrying if it moved). `synchronize` flips the epoch under a writers'
 * lock and waits for the old parity's count to drain: readers that entered
 * before the flip are counted there, readers that enter after it see the new
 * epoch — and, because the TLB epoch was bumped before the flip, a flushed TLB.
 *
 * A worker terminated inside a critical section never exits it. After
 * waiting `DRAIN_DEADLINE_MS` a writer presumes such a reader dead, records
 * the count it left behind, and does not wait for it again. (A thread that
 * stays in a single access for longer — a copy of gigabytes in one call —
 * would be presumed dead too; nothing vmio does takes that long.)
 *
 * On unshared RAM there is one thread: every method is a no-op.
 *
 * Fault handlers run outside the critical section (`suspend`/`resume`), so a
 * handler may unmap and map; the copy engine re-takes any run that the
 * handler may have invalidated.
 *
 * @module
 */

import { lockWord, unlockWord, waitUntil } from "../base/futex-lock.js";

/** How long `synchronize` waits for a reader before presuming it dead. */
export const DRAIN_DEADLINE_MS = 2_000;

/** Header words used by grace periods, relative to their base. */
const G_EPOCH = 0;
const G_COUNT = 1; // two words: parity 0 and 1
const G_LOCK = 3;
const G_WAITING = 4;
const G_STUCK = 5; // two words (5, 6): counts left by presumed-dead readers, per parity

/**
 * One thread's side of the grace-period protocol over one RAM.
 *
 * @internal
 */
export class GracePeriod {
  private readonly i32: Int32Array;
  private readonly base: number;
  private readonly shared: boolean;
  /** Nesting depth of this thread's critical sections. */
  private depth = 0;
  /** Parity of the count this thread incremented when it entered. */
  private parity = 0;

  constructor(i32: Int32Array, base: number, shared: boolean) {
    this.i32 = i32;
    this.base = base;
    this.shared = shared;
  }

  /** Enters a read-side critical section (nests). */
  enter(): void {
    if (!this.shared || this.depth++ > 0) return;
    const i32 = this.i32;
    const b = this.base;
    for (;;) {
      const epoch = Atomics.load(i32, b + G_EPOCH);
      const parity = epoch & 1;
      Atomics.add(i32, b + G_COUNT + parity, 1);
      if (Atomics.load(i32, b + G_EPOCH) === epoch) {
        this.parity = parity;
        return;
      }
      this.leave(parity);
    }
  }

  /** Leaves the critical section entered last. */
  exit(): void {
    if (!this.shared || --this.depth > 0) return;
    this.leave(this.parity);
  }

  /** Leaves every critical section of this thread (around a fault handler); returns the depth to resume. */
  suspend(): number {
    const depth = this.depth;
    if (this.shared && depth > 0) {
      this.depth = 0;
      this.leave(this.parity);
    }
    return depth;
  }

  /** Re-enters after {@link GracePeriod.suspend}. */
  resume(depth: number): void {
    if (!this.shared || depth === 0) return;
    this.enter();
    this.depth = depth;
  }

  private leave(parity: number): void {
    const i32 = this.i32;
    const b = this.base;
    if (Atomics.sub(i32, b + G_COUNT + parity, 1) === 1 && Atomics.load(i32, b + G_WAITING) !== 0) {
      Atomics.notify(i32, b + G_COUNT + parity);
    }
  }

  /**
   * Returns once every critical section that began before the call has
   * ended (or was presumed dead). Must not be called inside a critical
   * section.
   */
  synchronize(): void {
    if (!this.shared) return;
    const i32 = this.i32;
    const b = this.base;
    lockWord(i32, b + G_LOCK, "the grace-period lock");
    try {
      const old = Atomics.add(i32, b + G_EPOCH, 1) & 1;
      const count = b + G_COUNT + old;
      const stuck = b + G_STUCK + old;
      Atomics.add(i32, b + G_WAITING, 1);
      try {
        const drained = waitUntil(i32, count, (readers) => readers <= Atomics.load(i32, stuck), performance.now() + DRAIN_DEADLINE_MS);
        const left = Atomics.load(i32, count);
        // A presumed-dead reader that was only slow has left: forget it.
        if (left < Atomics.load(i32, stuck)) Atomics.store(i32, stuck, left);
        if (!drained) Atomics.store(i32, stuck, left);
      } finally {
        Atomics.sub(i32, b + G_WAITING, 1);
      }
    } finally {
      unlockWord(i32, b + G_LOCK);
    }
  }
}
