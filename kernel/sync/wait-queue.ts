/**
 * Wait queues: where a blocked thread sleeps until whatever it waits for
 * (pipe data, a child's exit, a futex word) may have changed.
 *
 * The kernel retries a blocked system call from the start when its thread is
 * woken (Linux's `-ERESTARTSYS` loop, done by the caller rather than inside
 * the call), so a wake-up is only a hint: a woken call that still cannot
 * proceed goes back to sleep. That makes spurious wake-ups harmless and lets
 * every queue wake all its sleepers.
 *
 * Linux counterpart: `wait_queue_head_t`, `wake_up`.
 *
 * @module
 */

/** Something that can sleep on a queue: a guest thread. */
export interface Sleeper {
  /** Makes the sleeper runnable again (it re-examines its condition). */
  wake(): void;
}

/**
 * A set of sleepers waiting for one condition.
 *
 * Linux counterpart: `wait_queue_head_t`.
 */
export class WaitQueue {
  readonly #sleepers = new Set<Sleeper>();

  /** Adds `s` (once). */
  add(s: Sleeper): void {
    this.#sleepers.add(s);
  }

  /** Removes `s` if it is here. */
  remove(s: Sleeper): void {
    this.#sleepers.delete(s);
  }

  /** Number of sleepers. */
  get size(): number {
    return this.#sleepers.size;
  }

  /** Wakes and removes every sleeper. Linux counterpart: `wake_up_all`. */
  wakeAll(): void {
    if (this.#sleepers.size === 0) return;
    const woken = [...this.#sleepers];
    this.#sleepers.clear();
    for (const s of woken) s.wake();
  }
}
