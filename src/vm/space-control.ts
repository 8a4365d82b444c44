/**
 * The control block of an address space: one typed frame in RAM that every
 * thread's view of the space shares.
 *
 * | word (Int32) | meaning                                                            |
 * | ------------ | ------------------------------------------------------------------ |
 * | 0            | TLB epoch: bumped by every change that removes or narrows a mapping |
 * | 1            | page-table lock (a futex word; taken on shared RAM only)           |
 * | 2            | users: `VmSpace` objects (on any thread) plus unattached tokens    |
 *
 * Safety contract: the block lives as long as the space has a user; the
 * last user to leave tears the space down (see `SpaceState.release`) and
 * frees the block. Every word is read and written with `Atomics` where other
 * threads may be looking.
 *
 * OSTD counterpart: the shared parts of `VmSpace` (its page-table lock and
 * the bookkeeping `TlbFlusher` reads).
 *
 * @module
 */

import { FLAG_TYPED } from "../frame/meta.js";
import { PAGE_SIZE } from "../frame/page-size.js";
import type { Ram } from "../frame/ram.js";

const C_EPOCH = 0;
const C_LOCK = 1;
const C_USERS = 2;

/**
 * A space's control block, as one thread reaches it.
 *
 * @internal
 */
export class SpaceControl {
  /** Frame number of the block. */
  readonly frame: number;
  /** Int32 index (in RAM's words) of the TLB epoch word. */
  readonly epochIndex: number;
  readonly #ram: Ram;
  readonly #i32: Int32Array;
  readonly #shared: boolean;
  readonly #lockIndex: number;
  readonly #usersIndex: number;

  constructor(ram: Ram, frame: number) {
    this.frame = frame;
    this.#ram = ram;
    this.#i32 = ram.i32;
    this.#shared = ram.shared;
    const base = (frame * PAGE_SIZE) / 4;
    this.epochIndex = base + C_EPOCH;
    this.#lockIndex = base + C_LOCK;
    this.#usersIndex = base + C_USERS;
  }

  /**
   * Allocates a zeroed block with one user (the caller).
   *
   * @throws {VmError} `NoMemory`.
   */
  static create(ram: Ram): SpaceControl {
    const control = new SpaceControl(ram, ram.frames.alloc(1, true, FLAG_TYPED));
    Atomics.store(ram.i32, control.#usersIndex, 1);
    return control;
  }

  /** The TLB epoch (see `TlbFlusher`). */
  epoch(): number {
    return this.#shared ? Atomics.load(this.#i32, this.epochIndex) : (this.#i32[this.epochIndex] as number);
  }

  /** Bumps the TLB epoch; returns the new value. */
  bumpEpoch(): number {
    return Atomics.add(this.#i32, this.epochIndex, 1) + 1;
  }

  /** Counts one more user of the space (a share token). */
  addUser(): void {
    Atomics.add(this.#i32, this.#usersIndex, 1);
  }

  /** Counts one user fewer; true when it was the last (the caller tears the space down). */
  dropUser(): boolean {
    return Atomics.sub(this.#i32, this.#usersIndex, 1) === 1;
  }

  /**
   * Takes the page-table lock (shared RAM only; one thread needs none).
   *
   * @throws {TypeError} `ERR_REENTERED`: this thread holds it already.
   * @throws {Error} `ERR_LOCK_TIMEOUT`: another thread held it past the bound.
   *   Nothing changed then.
   */
  lock(): void {
    if (this.#shared) this.#ram.lock(this.#lockIndex, "a VmSpace's page-table lock");
  }

  /** Releases the page-table lock. */
  unlock(): void {
    if (this.#shared) this.#ram.unlock(this.#lockIndex);
  }
}
