/**
 * Locks and waits on words of shared memory, sound without clocks.
 *
 * A lock lives in one `Int32Array` word: 0 when free, otherwise the tag of
 * the thread holding it (a non-zero even number, see {@link LockOwner}) with
 * bit 0 set while other threads may be waiting (the classic futex mutex,
 * with the owner's identity where the classic one stores `1`). Knowing the
 * holder gives two things a bare `1` cannot:
 *
 * - re-entry is detected at once: a thread that asks for a lock it already
 *   holds (a callback that re-enters the operation holding it) gets a
 *   `TypeError` `ERR_REENTERED` naming the lock, never a wait for itself;
 * - a lock whose holder has exited can be released by whoever reclaims that
 *   thread ({@link releaseLockOf}) — and only by them, only for locks that
 *   thread really holds.
 *
 * Nothing here ever decides that a holder is dead. A waiter waits in slices
 * of `Atomics.wait` up to a bound, then gives up with an `Error` whose code is
 * `ERR_LOCK_TIMEOUT`, having changed nothing but a hint bit. Where blocking
 * is forbidden (a browser's main thread) the wait is a bounded busy loop.
 *
 * @module
 */

import { reentered, withCode, type WaitCode } from "./contract.js";

/**
 * How long the waits of this library last before they give up (milliseconds).
 * Mutable only so that tests can shorten them.
 *
 * @internal
 */
export const waitBounds = {
  /** A lock held by another thread (a `VmSpace`'s page-table lock). */
  lockMs: 10_000,
  /** A grace period that must end before an operation may return (`protect`). */
  synchronizeMs: 10_000,
  /** A grace period before frames are freed; past it, the frees are deferred (`unmap`). */
  retireMs: 1_000,
};

/** Whether `Atomics.wait` may block on this thread (false on a browser's main thread). */
let canBlock: boolean | undefined;

/**
 * Whether this thread may block in `Atomics.wait`.
 *
 * @internal
 */
export function blockingAllowed(): boolean {
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
 * Sleeps while `i32[index]` holds `value`, at most until `deadlineMs` (a
 * `performance.now()` time) and at most 50 ms, so that the caller re-tests
 * its condition regularly. A change of the word wakes it at once (when the
 * changer notifies); a busy loop where blocking is forbidden.
 *
 * @internal
 */
export function sleepWhile(i32: Int32Array, index: number, value: number, deadlineMs: number): void {
  const left = deadlineMs - performance.now();
  if (left > 0 && blockingAllowed()) Atomics.wait(i32, index, value, Math.min(50, left));
}

/**
 * Throws the `Error` of a wait that gave up: not a contract violation (the
 * caller did nothing wrong) nor a `VmError` (no memory condition), but a
 * thread that did not move within the bound.
 *
 * @internal
 */
export function waitTimedOut(message: string, code: WaitCode): never {
  throw withCode(new Error(message), code);
}

/**
 * The thread taking a lock.
 *
 * @internal
 */
export interface LockOwner {
  /** This thread's tag in lock words: non-zero and even. */
  readonly lockTag: number;
  /**
   * Called before the lock word is taken: records that this thread may hold
   * it, so that a reclaimer finds it should the thread die holding it. May
   * throw (then nothing is taken).
   */
  willLock(index: number): void;
  /** Called once the lock word is released (or was never taken). */
  didUnlock(index: number): void;
}

/** The tag of the thread holding the lock word `v` (0: free). */
function holderOf(v: number): number {
  return v & ~1;
}

/**
 * Takes the lock in `i32[index]` for `owner`.
 *
 * @throws {TypeError} `ERR_REENTERED`: `owner` holds it already.
 * @throws {Error} `ERR_LOCK_TIMEOUT`: another thread held it for longer than
 *   `waitBounds.lockMs`; nothing changed.
 * @internal
 */
export function lockWord(i32: Int32Array, index: number, owner: LockOwner, what: string): void {
  const tag = owner.lockTag;
  if (holderOf(Atomics.load(i32, index)) === tag) reentered(what);
  owner.willLock(index);
  if (Atomics.compareExchange(i32, index, 0, tag) === 0) return;
  try {
    lockContended(i32, index, tag, what);
  } catch (e) {
    owner.didUnlock(index);
    throw e;
  }
}

function lockContended(i32: Int32Array, index: number, tag: number, what: string): void {
  const deadline = performance.now() + waitBounds.lockMs;
  for (;;) {
    const v = Atomics.load(i32, index);
    // Taken after a wait: marked contended, since others may still be waiting.
    if (v === 0) {
      if (Atomics.compareExchange(i32, index, 0, tag | 1) === 0) return;
      continue;
    }
    if ((v & 1) === 0 && Atomics.compareExchange(i32, index, v, v | 1) !== v) continue;
    if (performance.now() >= deadline) {
      waitTimedOut(
        `vmio: ${what} has been held by another thread (tag ${holderOf(v)}) for over ${waitBounds.lockMs / 1000} s; nothing was changed. ` +
          "If that thread's worker has exited, call reclaim(token) on the PhysicalMemory with the token it attached, then retry.",
        "ERR_LOCK_TIMEOUT",
      );
    }
    sleepWhile(i32, index, v | 1, deadline);
  }
}

/**
 * Releases a lock taken by {@link lockWord}, waking one waiter if there may be one.
 *
 * @internal
 */
export function unlockWord(i32: Int32Array, index: number, owner: LockOwner): void {
  if ((Atomics.exchange(i32, index, 0) & 1) !== 0) Atomics.notify(i32, index, 1);
  owner.didUnlock(index);
}

/**
 * Releases the lock in `i32[index]` if the thread tagged `tag` holds it, for
 * a reclaimer of that (exited) thread; returns whether it did. Wakes every
 * waiter: which of them was next is unknown.
 *
 * @internal
 */
export function releaseLockOf(i32: Int32Array, index: number, tag: number): boolean {
  for (;;) {
    const v = Atomics.load(i32, index);
    if (holderOf(v) !== tag) return false;
    if (Atomics.compareExchange(i32, index, v, 0) === v) {
      Atomics.notify(i32, index);
      return true;
    }
  }
}
