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
 * Waits until `ready()` is true or `deadlineMs` (a `performance.now()` time)
 * passes, sleeping on `i32[index]` while it holds `expected`. Returns
 * whether `ready()` became true.
 *
 * @internal
 */
export function waitUntil(i32: Int32Array, index: number, expected: () => number, ready: () => boolean, deadlineMs: number): boolean {
  const block = blockingAllowed();
  while (!ready()) {
    const now = performance.now();
    if (now >= deadlineMs) return false;
    if (block) Atomics.wait(i32, index, expected(), Math.min(50, deadlineMs - now));
  }
  return true;
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
  const acquired = waitUntil(
    i32,
    index,
    () => 2,
    () => {
      // Mark the lock contended, and take it if it was free.
      return Atomics.exchange(i32, index, 2) === 0;
    },
    deadline,
  );
  if (!acquired) {
    throw new Error(`vmio: ${what} has been locked for over ${LOCK_DEADLINE_MS / 1000} s — was a worker terminated while holding it?`);
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
