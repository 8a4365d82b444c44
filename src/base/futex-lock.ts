/**
 * Waiting on a word of shared memory without spinning forever.
 *
 * Locks and grace periods that live in a `SharedArrayBuffer` wait with
 * `Atomics.wait`, in slices, up to a deadline. Where blocking is forbidden
 * (a browser's main thread), `Atomics.wait` throws; there the wait becomes a
 * bounded busy loop, still up to the same deadline. Nothing here waits
 * without a bound.
 *
 * @module
 */

/** Whether `Atomics.wait` may block on this thread (false on a browser's main thread). */
let canBlock: boolean | undefined;

function blockingAllowed(): boolean {
  if (canBlock === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      canBlock = true;
    } catch {
      canBlock = false;
    }
  }
  return canBlock;
}

/**
 * Waits until `ready(i32[index])` is true or `deadlineMs` (a
 * `performance.now()` time) passes, sleeping while the word keeps the value
 * that was tested — so a change between the test and the sleep wakes the
 * waiter at once instead of being lost. Returns whether `ready` became true.
 *
 * @internal
 */
export function waitUntil(i32: Int32Array, index: number, ready: (value: number) => boolean, deadlineMs: number): boolean {
  const block = blockingAllowed();
  for (;;) {
    const value = Atomics.load(i32, index);
    if (ready(value)) return true;
    const now = performance.now();
    if (now >= deadlineMs) return false;
    if (block) Atomics.wait(i32, index, value, Math.min(50, deadlineMs - now));
  }
}

/** How long a lock may be held before its holder is presumed gone. */
export const LOCK_DEADLINE_MS = 10_000;

/**
 * Takes the lock in `i32[index]` (0 free, 1 held, 2 held with waiters), the
 * classic futex mutex. Throws an `Error` if it stays held past the deadline:
 * its holder most likely died (a terminated worker) while holding it.
 *
 * @internal
 */
export function lockWord(i32: Int32Array, index: number, what: string): void {
  if (Atomics.compareExchange(i32, index, 0, 1) === 0) return;
  const deadline = performance.now() + LOCK_DEADLINE_MS;
  const block = blockingAllowed();
  // Mark the lock contended (2) and take it if it was free; else sleep while
  // it stays contended, so that the holder's unlock wakes this thread.
  while (Atomics.exchange(i32, index, 2) !== 0) {
    const now = performance.now();
    if (now >= deadline) {
      throw new Error(`vmio: ${what} has been locked for over ${LOCK_DEADLINE_MS / 1000} s — was a worker terminated while holding it?`);
    }
    if (block) Atomics.wait(i32, index, 2, Math.min(50, deadline - now));
  }
}

/**
 * Releases a lock taken by {@link lockWord}, waking one waiter if there is one.
 *
 * @internal
 */
export function unlockWord(i32: Int32Array, index: number): void {
  if (Atomics.exchange(i32, index, 0) === 2) Atomics.notify(i32, index, 1);
}
