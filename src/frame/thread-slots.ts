/**
 * Thread slots: what each thread using a shared RAM holds, where a
 * reclaimer can find it once the thread has exited.
 *
 * Every thread that uses a shared RAM has a slot in the header: the thread
 * that creates the RAM takes one, and each `PhysicalMemory.share()` reserves
 * one for the thread that will attach the token. A slot records
 *
 * - whether its thread is inside a read-side critical section, and since
 *   which grace-period epoch (grace-period.ts);
 * - the locks its thread may hold (below);
 * - a ledger of the references its thread's handles hold, the address
 *   spaces it attached, and the frames it unmapped that still wait for a
 *   grace period (holdings.ts).
 *
 * Safety contract: a slot's records are written only by its own thread
 * while that thread lives, each change ordered so that a thread killed
 * between two steps leaves a record that is at worst incomplete — a
 * reference it holds but did not record yet, never one recorded but not
 * held. Only `PhysicalMemory.reclaim(token)`, called after the thread's
 * worker has exited, reads another thread's slot and releases what it
 * records; nothing ever decides by itself that a thread is dead.
 *
 * Slot words (relative to the slot's base):
 *
 * | words  | meaning                                                       |
 * | ------ | ------------------------------------------------------------- |
 * | 0      | state: free, busy (being set up or reclaimed), reserved, live |
 * | 1      | the nonce of the memory token the slot was reserved for       |
 * | 2      | read-side section: the epoch it began in, or 0 outside        |
 * | 3      | the first overflow page of the ledger, plus 1 (0: none)       |
 * | 8–15   | four lock records: the lock word's index plus 1, and the generation of the frame holding it |
 * | 16–63  | the ledger's first 24 entries                                 |
 *
 * @module
 */

import { contractViolation } from "../base/contract.js";
import type { LockOwner } from "../base/futex-lock.js";
import { H_SLOTS, SLOTS, SLOT_WORDS } from "./layout.js";
import type { FrameTable } from "./meta.js";
import { PAGE_SIZE } from "./page-size.js";

/** Slot state: nobody's. */
export const SLOT_FREE = 0;
/** Slot state: being set up or reclaimed; only the thread doing that touches it. */
export const SLOT_BUSY = 1;
/** Slot state: reserved by `share()` for the thread that will attach the token. */
export const SLOT_RESERVED = 2;
/** Slot state: a thread's (the creator's, or the one that attached the token). */
export const SLOT_LIVE = 3;

/** Slot word: its state. */
export const S_STATE = 0;
/** Slot word: the nonce of the token it was reserved for (0 for the creating thread). */
export const S_NONCE = 1;
/** Slot word: the epoch the thread's read-side section began in, or 0 outside one. */
export const S_READ = 2;
/** Slot word: the ledger's first overflow page, plus 1 (0: none). */
export const S_OVERFLOW = 3;
const S_LOCKS = 8;
const LOCK_RECORDS = 4;
/** Slot words from here on: the ledger's inline entries (holdings.ts). */
export const S_ENTRIES = 16;
/** How many ledger entries fit in the slot itself. */
export const INLINE_ENTRIES = (SLOT_WORDS - S_ENTRIES) / 2;

/**
 * Int32 index of slot `slot`'s first word.
 *
 * @internal
 */
export function slotBase(slot: number): number {
  return H_SLOTS + slot * SLOT_WORDS;
}

/**
 * The tag a thread in slot `slot` writes into the lock words it holds.
 *
 * @internal
 */
export function lockTagOf(slot: number): number {
  return (slot + 1) << 1;
}

/**
 * Takes a free slot for a thread with token nonce `nonce`, in state `state`
 * (`SLOT_LIVE` for the calling thread, `SLOT_RESERVED` for a token); returns
 * its index.
 *
 * @throws {RangeError} all slots are taken.
 * @internal
 */
export function takeSlot(i32: Int32Array, nonce: number, state: number): number {
  for (let slot = 0; slot < SLOTS; slot++) {
    const base = slotBase(slot);
    if (Atomics.compareExchange(i32, base + S_STATE, SLOT_FREE, SLOT_BUSY) === SLOT_FREE) {
      Atomics.store(i32, base + S_NONCE, nonce);
      Atomics.store(i32, base + S_STATE, state);
      return slot;
    }
  }
  return contractViolation(
    `all ${SLOTS} thread slots of this RAM are taken: call reclaim(token) for workers that have exited (and for tokens never attached)`,
  );
}

/**
 * Turns the slot reserved for the token with `nonce` into the calling
 * thread's; false if it is not reserved for that token (attached already,
 * reclaimed, or not a token of this RAM).
 *
 * @internal
 */
export function claimSlot(i32: Int32Array, slot: number, nonce: number): boolean {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOTS) return false;
  const base = slotBase(slot);
  if (Atomics.load(i32, base + S_NONCE) !== nonce) return false;
  if (Atomics.compareExchange(i32, base + S_STATE, SLOT_RESERVED, SLOT_BUSY) !== SLOT_RESERVED) return false;
  // The nonce cannot change while the slot is not free; re-read it all the same (ABA between the two reads).
  if (Atomics.load(i32, base + S_NONCE) !== nonce) {
    Atomics.store(i32, base + S_STATE, SLOT_RESERVED);
    return false;
  }
  Atomics.store(i32, base + S_STATE, SLOT_LIVE);
  return true;
}

/**
 * Starts reclaiming the slot of the token with `nonce`: marks it busy and
 * returns the state it had (`SLOT_RESERVED`: never attached, `SLOT_LIVE`:
 * attached), or `SLOT_FREE` when there is nothing to reclaim (reclaimed
 * already, or reserved since for another token).
 *
 * @internal
 */
export function beginReclaim(i32: Int32Array, slot: number, nonce: number): number {
  const base = slotBase(slot);
  for (;;) {
    const state = Atomics.load(i32, base + S_STATE);
    if ((state !== SLOT_RESERVED && state !== SLOT_LIVE) || Atomics.load(i32, base + S_NONCE) !== nonce) return SLOT_FREE;
    if (Atomics.compareExchange(i32, base + S_STATE, state, SLOT_BUSY) !== state) continue;
    if (Atomics.load(i32, base + S_NONCE) === nonce) return state;
    Atomics.store(i32, base + S_STATE, state);
    return SLOT_FREE;
  }
}

/**
 * Clears a slot's records and frees it. The caller has released everything
 * they named.
 *
 * @internal
 */
export function freeSlot(i32: Int32Array, slot: number): void {
  const base = slotBase(slot);
  for (let w = S_NONCE; w < SLOT_WORDS; w++) Atomics.store(i32, base + w, 0);
  Atomics.store(i32, base + S_STATE, SLOT_FREE);
}

/**
 * The locks the thread in `slot` recorded: `[lock word index, generation of
 * the frame holding the word]` pairs.
 *
 * @internal
 */
export function lockRecords(i32: Int32Array, slot: number): Array<[index: number, generation: number]> {
  const records: Array<[number, number]> = [];
  const base = slotBase(slot) + S_LOCKS;
  for (let r = 0; r < LOCK_RECORDS; r++) {
    const index = Atomics.load(i32, base + 2 * r) - 1;
    if (index >= 0) records.push([index, Atomics.load(i32, base + 2 * r + 1)]);
  }
  return records;
}

/**
 * The calling thread's slot, as the owner of the locks it takes.
 *
 * A lock is recorded before it is taken and the record cleared after it is
 * released, so a thread killed at any point leaves a record of every lock
 * it holds (and perhaps of one it does not: a reclaimer releases a word only
 * if it holds this thread's tag). The record keeps the generation of the
 * frame holding the lock word, so that a record left behind by a thread
 * killed right after releasing the lock never lets a reclaimer touch that
 * frame once it has been freed and reused.
 *
 * @internal
 */
export class ThreadSlot implements LockOwner {
  /** The slot's index, or -1 on unshared RAM (one thread, no slot). */
  readonly index: number;
  readonly lockTag: number;
  readonly #i32: Int32Array;
  readonly #frames: FrameTable;

  constructor(i32: Int32Array, frames: FrameTable, index: number) {
    this.index = index;
    this.lockTag = lockTagOf(Math.max(index, 0));
    this.#i32 = i32;
    this.#frames = frames;
  }

  willLock(index: number): void {
    if (this.index < 0) return;
    const base = slotBase(this.index) + S_LOCKS;
    for (let r = 0; r < LOCK_RECORDS; r++) {
      if (Atomics.load(this.#i32, base + 2 * r) === 0) {
        Atomics.store(this.#i32, base + 2 * r + 1, this.#frames.generation(Math.floor((index * 4) / PAGE_SIZE)));
        Atomics.store(this.#i32, base + 2 * r, index + 1);
        return;
      }
    }
    contractViolation(`a thread may hold at most ${LOCK_RECORDS} locks of one RAM at once (callbacks nested too deep)`);
  }

  didUnlock(index: number): void {
    if (this.index < 0) return;
    const base = slotBase(this.index) + S_LOCKS;
    for (let r = 0; r < LOCK_RECORDS; r++) {
      if (Atomics.load(this.#i32, base + 2 * r) === index + 1) {
        Atomics.store(this.#i32, base + 2 * r, 0);
        return;
      }
    }
  }
}
