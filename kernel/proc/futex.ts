/**
 * Futexes: threads sleeping on a 32-bit word of user memory until another
 * thread wakes that word. The key of a word is its address in its address
 * space for private memory, and its physical address for shared mappings
 * (so processes sharing a page share its futexes).
 *
 * Linux counterpart: `kernel/futex/` (`futex_wait`, `futex_wake`,
 * `futex_requeue`, `get_futex_key`).
 *
 * @module
 */

import type { Thread } from "./thread.js";

/** A thread waiting on a futex word. */
export interface FutexWaiter {
  readonly thread: Thread;
  key: string;
  readonly bitset: number;
  /** Set by a wake: the wait then returns 0. */
  woken: boolean;
}

/**
 * The futex hash table.
 *
 * Linux counterpart: `futex_queues`.
 */
export class FutexTable {
  readonly #queues = new Map<string, FutexWaiter[]>();

  /** Queues `w` on its key. */
  add(w: FutexWaiter): void {
    const q = this.#queues.get(w.key);
    if (q === undefined) this.#queues.set(w.key, [w]);
    else q.push(w);
  }

  /** Removes `w` (timeout, signal, exit). */
  remove(w: FutexWaiter): void {
    const q = this.#queues.get(w.key);
    if (q === undefined) return;
    const i = q.indexOf(w);
    if (i >= 0) q.splice(i, 1);
    if (q.length === 0) this.#queues.delete(w.key);
  }

  /** Wakes up to `n` waiters of `key` whose bitset meets `bitset`, oldest first; returns how many. */
  wake(key: string, n: number, bitset = -1): number {
    const q = this.#queues.get(key);
    if (q === undefined) return 0;
    let woken = 0;
    for (let i = 0; i < q.length && woken < n; ) {
      const w = q[i] as FutexWaiter;
      if ((w.bitset & bitset) === 0) {
        i++;
        continue;
      }
      q.splice(i, 1);
      w.woken = true;
      w.thread.wake();
      woken++;
    }
    if (q.length === 0) this.#queues.delete(key);
    return woken;
  }

  /** Wakes up to `nWake` waiters of `from` and moves up to `nMove` others to `to`; returns woken + moved. */
  requeue(from: string, to: string, nWake: number, nMove: number): number {
    const woken = this.wake(from, nWake);
    const q = this.#queues.get(from);
    if (q === undefined || nMove <= 0) return woken;
    const moved = q.splice(0, nMove);
    if (q.length === 0) this.#queues.delete(from);
    for (const w of moved) {
      w.key = to;
      this.add(w);
    }
    return woken + moved.length;
  }

}
