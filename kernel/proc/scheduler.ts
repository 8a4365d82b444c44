/**
 * The run queue and the timers: which thread runs next (round robin, in the
 * order threads became runnable, so a run with one CPU is deterministic),
 * and when a sleeping thread's deadline wakes it.
 *
 * Linux counterpart: a FIFO run queue (`SCHED_RR` without priorities) and
 * `hrtimer`s for sleeps and timeouts.
 *
 * @module
 */

/** What the scheduler runs. */
export interface Schedulable {
  /** Wakes the thread (its deadline passed). */
  wake(): void;
  /** The time (monotonic ms) at which a sleeping thread wakes, or Infinity. */
  deadline: number;
}

/**
 * Run queue and timers.
 *
 * Linux counterpart: `struct rq` + the timer wheel, much simplified.
 */
export class Scheduler<T extends Schedulable> {
  #queue: T[] = [];
  #head = 0;
  readonly #sleepers = new Set<T>();

  /** Appends a runnable thread. */
  enqueue(t: T): void {
    this.#queue.push(t);
  }

  /** The next runnable thread, if any (removed from the queue). */
  next(): T | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const t = this.#queue[this.#head++] as T;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return t;
  }

  /** Removes `t` from the run queue (it exited or was stopped). */
  remove(t: T): void {
    const i = this.#queue.indexOf(t, this.#head);
    if (i >= 0) this.#queue.splice(i, 1);
  }

  /** Number of runnable threads waiting. */
  get runnable(): number {
    return this.#queue.length - this.#head;
  }

  /** Registers a sleeper with a deadline (`t.deadline`). */
  sleep(t: T): void {
    if (t.deadline !== Infinity) this.#sleepers.add(t);
  }

  /** Forgets a sleeper's timer (it woke for another reason). */
  cancel(t: T): void {
    this.#sleepers.delete(t);
  }

  /** Wakes every sleeper whose deadline is at or before `now`. */
  fire(now: number): void {
    for (const t of this.#sleepers) {
      if (t.deadline <= now) {
        this.#sleepers.delete(t);
        t.wake();
      }
    }
  }

  /** The earliest deadline among sleepers (Infinity: none). */
  nextDeadline(): number {
    let d = Infinity;
    for (const t of this.#sleepers) if (t.deadline < d) d = t.deadline;
    return d;
  }
}
