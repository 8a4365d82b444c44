/**
 * Grace periods: when RAM is shared between threads, memory that a
 * translation pointed to is freed only after every thread that might still
 * be using that translation has finished its access.
 *
 * Safety contract. An access to user memory on shared RAM (a copy, a value,
 * an atomic) runs inside a read-side critical section: `enter()` before the
 * first translation, `exit()` after the last byte moved. A thread that
 * changes a mapping (unmap, protect) first makes the change and bumps the
 * space's TLB epoch, then starts a grace period: it moves the RAM's
 * grace-period epoch on and waits until no thread is still inside a section
 * that began before. So when `unmap` returns, no thread holds the old
 * translation — OSTD's `TlbFlusher` promise — and the frames can be freed.
 *
 * The protocol, per thread rather than anonymous counters, as in userspace
 * RCU: each thread's slot (thread-slots.ts) holds the epoch its current
 * section began in, or 0 outside. A reader stores the epoch it reads; a
 * grace period adds 2 to the epoch (it stays odd, never 0) and waits, for
 * every other slot, until that slot is outside or holds an epoch at least the
 * new one. With every access sequentially consistent, a reader whose slot a
 * waiter saw as outside sees the bumped TLB epoch in its next translation.
 *
 * Nothing is ever presumed dead. Waits are bounded, and what happens at the
 * bound depends on what waits:
 *
 * - {@link GracePeriod.retire} (frames unmapped, page-table nodes unlinked)
 *   waits up to `waitBounds.retireMs`; if some section is still open, the
 *   frees are *deferred* — recorded in this thread's ledger and done by this
 *   thread later (at its next grace period, its next outermost `exit()`, an
 *   allocation that would otherwise fail, or `freeFrames()`), once every
 *   section that could see them has ended. Never early. A slot found in
 *   the same section as at an earlier timeout is not waited for again.
 * - {@link GracePeriod.synchronize} (a protect: the caller must know that no
 *   write through the old permission is still in flight) waits up to
 *   `waitBounds.synchronizeMs`, then throws `ERR_GRACE_PERIOD_TIMEOUT`.
 *
 * A worker that exited inside a section (terminated mid-copy) keeps its slot
 * marked until `PhysicalMemory.reclaim(token)` releases it; until then the
 * frees wait for it, and memory is lost for a while, never reused early.
 *
 * Re-entry: a grace period started inside the calling thread's own section
 * (a callback that unmaps during an access) does not wait for that section
 * — waiting for itself could never end — but its frees are deferred until
 * the section ends, so the access in progress never touches a freed frame.
 *
 * Fault handlers run outside the critical section (`suspend`/`resume`), so a
 * handler may unmap and map; the copy engine re-takes any run that the
 * handler may have invalidated.
 *
 * On unshared RAM there is one thread: sections are no-ops and frees happen
 * at once.
 *
 * @module
 */

import { sleepWhile, waitBounds, waitTimedOut } from "../base/futex-lock.js";
import type { Holdings } from "./holdings.js";
import { HOLD_RETIRED } from "./holdings.js";
import { H_EPOCH, H_WAITING, SLOTS } from "./layout.js";
import { runsOf } from "./frame-runs.js";
import type { FrameTable } from "./meta.js";
import { S_READ, slotBase } from "./thread-slots.js";

/** Frames waiting for the grace period that ends the sections older than `epoch`. */
interface Retired {
  readonly epoch: number;
  readonly start: number;
  readonly count: number;
  /** Its ledger entry, or -1 when none could be recorded (RAM full). */
  readonly id: number;
}

/** Whether a section that began at epoch `v` began before epoch `epoch` (wrap-around safe). */
function before(v: number, epoch: number): boolean {
  return ((epoch - v) | 0) > 0;
}

/**
 * One thread's side of the grace-period protocol over one RAM.
 *
 * OSTD counterpart: the RCU of `ostd::sync::rcu` as `TlbFlusher` uses it to
 * defer freeing unmapped frames until every CPU has flushed; Linux's
 * `synchronize_rcu`/`call_rcu`.
 *
 * @internal
 */
export class GracePeriod {
  readonly #i32: Int32Array;
  readonly #shared: boolean;
  readonly #frames: FrameTable;
  readonly #holdings: Holdings | null;
  /** This thread's slot, and the index of its read-side word (-1 unshared). */
  readonly #slot: number;
  readonly #read: number;
  /** Nesting depth of this thread's sections. */
  #depth = 0;
  /** Slots that were still in a section when a wait gave up, with that section's epoch. */
  readonly #stuck = new Map<number, number>();
  /** Deferred frees, oldest first. */
  readonly #pending: Retired[] = [];

  constructor(i32: Int32Array, frames: FrameTable, holdings: Holdings | null, slot: number) {
    this.#i32 = i32;
    this.#shared = holdings !== null;
    this.#frames = frames;
    this.#holdings = holdings;
    this.#slot = slot;
    this.#read = slot < 0 ? -1 : slotBase(slot) + S_READ;
  }

  /** Enters a read-side critical section (nests). */
  enter(): void {
    if (!this.#shared || this.#depth++ > 0) return;
    Atomics.store(this.#i32, this.#read, Atomics.load(this.#i32, H_EPOCH));
  }

  /** Leaves the section entered last; the outermost exit does the frees that waited for it. */
  exit(): void {
    if (!this.#shared || --this.#depth > 0) return;
    this.#leave();
    if (this.#pending.length !== 0) this.collect();
  }

  /** Leaves every section of this thread (around a fault handler); returns the depth to resume. */
  suspend(): number {
    const depth = this.#depth;
    if (this.#shared && depth > 0) {
      this.#depth = 0;
      this.#leave();
    }
    return depth;
  }

  /** Re-enters after {@link GracePeriod.suspend}. */
  resume(depth: number): void {
    if (!this.#shared || depth === 0) return;
    this.enter();
    this.#depth = depth;
  }

  #leave(): void {
    Atomics.store(this.#i32, this.#read, 0);
    if (Atomics.load(this.#i32, H_WAITING) !== 0) Atomics.notify(this.#i32, this.#read);
  }

  /**
   * Returns once every other thread's section that began before the call
   * has ended. The caller's own section, if it is in one, is not waited for.
   *
   * @throws {Error} `ERR_GRACE_PERIOD_TIMEOUT`: some thread stayed in such a
   *   section for `waitBounds.synchronizeMs` (or already did at an earlier
   *   wait and is still in it). What the caller changed before stays changed.
   */
  synchronize(): void {
    if (!this.#shared) return;
    const epoch = this.#advance();
    const stalled = this.#waitOthers(epoch, waitBounds.synchronizeMs);
    if (stalled >= 0) {
      waitTimedOut(
        `vmio: a grace period did not end: thread slot ${stalled} has been inside an access to shared memory since before it began, ` +
          `for over ${waitBounds.synchronizeMs / 1000} s. If that thread's worker has exited, call reclaim(token) on the PhysicalMemory with the token it attached.`,
        "ERR_GRACE_PERIOD_TIMEOUT",
      );
    }
    if (this.#pending.length !== 0) this.collect();
  }

  /**
   * Drops one reference from each frame in `frames` (frame numbers the
   * caller holds a reference to) once every section that began before the
   * call has ended: {@link GracePeriod.retireRuns} of their runs.
   */
  retire(frames: readonly number[]): void {
    this.retireRuns(runsOf(frames));
  }

  /**
   * Drops one reference from each frame of `runs` (runs of frames,
   * `frame-runs.ts`: what an unmap took out of a page table) once
   * every section that began before the call has ended: at once if they
   * end within `waitBounds.retireMs`, later otherwise (see the module
   * comment). Never throws for a wait.
   */
  retireRuns(runs: readonly number[]): void {
    if (runs.length === 0) return;
    const frames = this.#frames;
    // Unshared: one thread, nothing to wait for.
    let now = true;
    let epoch = 0;
    if (this.#shared) {
      epoch = this.#advance();
      now = this.#waitOthers(epoch, waitBounds.retireMs) < 0 && this.#depth === 0;
    }
    for (let k = 0; k < runs.length; k++) {
      // frame-runs.ts: a lone frame, or -count then the run's first frame.
      const x = runs[k] as number;
      const start = x >= 0 ? x : (runs[++k] as number);
      const count = x >= 0 ? 1 : -x;
      if (now) frames.unref(start, count);
      else this.#defer(epoch, start, count);
    }
    if (this.#pending.length !== 0) this.collect();
  }

  /**
   * Takes over frames `[start, start + count)` that another thread retired
   * (its ledger said so, and it has exited): they are freed once every
   * section open now has ended.
   */
  adopt(start: number, count: number): void {
    this.#defer(this.#advance(), start, count);
  }

  /** Does the deferred frees whose grace period has ended; returns how many frames they were. */
  collect(): number {
    let freed = 0;
    while (this.#pending.length !== 0) {
      const r = this.#pending[0] as Retired;
      if (!this.#over(r.epoch)) break;
      this.#pending.shift();
      if (r.id >= 0) (this.#holdings as Holdings).erase(r.id);
      this.#frames.unref(r.start, r.count);
      freed += r.count;
    }
    return freed;
  }

  #defer(epoch: number, start: number, count: number): void {
    let id = -1;
    const holdings = this.#holdings as Holdings;
    try {
      holdings.reserve();
      id = holdings.record(HOLD_RETIRED, start, start + count);
    } catch {
      // No frame for the ledger: the frees still wait, unrecorded (lost only if this thread dies first).
    }
    this.#pending.push({ epoch, start, count, id });
  }

  /** Starts a grace period: returns the new epoch; sections that began at an earlier one must end. */
  #advance(): number {
    return Atomics.add(this.#i32, H_EPOCH, 2) + 2;
  }

  /** Whether every section (this thread's included) that began before `epoch` has ended. */
  #over(epoch: number): boolean {
    for (let s = 0; s < SLOTS; s++) {
      const v = Atomics.load(this.#i32, slotBase(s) + S_READ);
      if (v !== 0 && before(v, epoch)) return false;
    }
    return true;
  }

  /**
   * Waits up to `ms` until no other slot is in a section that began before
   * `epoch`. Returns -1 when none is, else a slot that still is. A slot
   * found in the very section it was in when an earlier wait gave up is not
   * waited for again.
   */
  #waitOthers(epoch: number, ms: number): number {
    const i32 = this.#i32;
    const deadline = performance.now() + ms;
    let stalled = -1;
    Atomics.add(i32, H_WAITING, 1);
    try {
      for (let s = 0; s < SLOTS; s++) {
        if (s === this.#slot) continue;
        const at = slotBase(s) + S_READ;
        let v = Atomics.load(i32, at);
        if (v !== 0 && before(v, epoch) && this.#stuck.get(s) !== v) {
          while (v !== 0 && before(v, epoch) && performance.now() < deadline) {
            sleepWhile(i32, at, v, deadline);
            v = Atomics.load(i32, at);
          }
        }
        if (v !== 0 && before(v, epoch)) {
          this.#stuck.set(s, v);
          stalled = s;
        } else if (this.#stuck.size !== 0) {
          this.#stuck.delete(s);
        }
      }
    } finally {
      Atomics.sub(i32, H_WAITING, 1);
    }
    return stalled;
  }
}
