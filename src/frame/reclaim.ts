/**
 * Reclaiming a thread that has exited: releasing exactly what its thread
 * slot records (thread-slots.ts).
 *
 * A worker that is terminated — or simply ends — while it uses shared RAM
 * runs no more code: whatever it held stays held. Its slot says what that
 * is: the read-side section it was in, the locks it held, the references
 * its handles held, the address spaces it had attached, and the frames it
 * had unmapped that were still waiting for a grace period. Reclaiming the
 * slot releases all of that, as the thread itself would have, and frees the
 * slot.
 *
 * Safety contract: this is sound only once the thread can run no more code
 * — in Node, after its `Worker` emitted `exit`. vmio cannot tell a dead
 * thread from a stalled one (nothing here looks at clocks), so it never
 * reclaims on its own; `PhysicalMemory.reclaim(token)` is the caller's
 * statement that the thread has exited.
 *
 * A thread killed in the middle of changing shared state can leave a little
 * behind that no record names — a frame it had just claimed, a reference
 * taken but not yet recorded — by construction never the other way round
 * (nothing is released twice). The allocator's search tree, which such a
 * thread may have left half-updated, is rebuilt.
 *
 * @module
 */

import { releaseLockOf } from "../base/futex-lock.js";
import { HOLD_FRAMES, HOLD_RETIRED, HOLD_SPACE, takeLedger } from "./holdings.js";
import { PAGE_SIZE } from "./page-size.js";
import type { Ram } from "./ram.js";
import { SLOT_FREE, SLOT_LIVE, S_READ, beginReclaim, freeSlot, lockRecords, lockTagOf, slotBase } from "./thread-slots.js";

/** What {@link PhysicalMemory.reclaim} released. */
export interface ReclaimReport {
  /** Whether the token had been attached by a thread (false: its reservation was released, or it was reclaimed already). */
  readonly attached: boolean;
  /** Whether that thread was inside an access to shared memory when it exited. */
  readonly inAccess: boolean;
  /** Locks it held (a `VmSpace`'s page-table lock), now released. */
  readonly locks: number;
  /** Frame references its handles held, now dropped (a segment of n frames counts n). */
  readonly frames: number;
  /** Views of address spaces it had (`VmSpace` objects not disposed), now released; the last one frees its space. */
  readonly spaces: number;
  /** Frames it had unmapped whose grace period had not ended; the calling thread frees them once it has. */
  readonly retired: number;
}

/**
 * Releases a holding of a kind recorded by a higher layer (`HOLD_SPACE`).
 *
 * @internal
 */
export type Releaser = (ram: Ram, first: number, second: number) => void;

const releasers = new Map<number, Releaser>();

/**
 * Says how to release holdings of `kind` when their thread is reclaimed.
 * The layer that records such holdings registers this when it loads.
 *
 * @internal
 */
export function registerReleaser(kind: typeof HOLD_SPACE, releaser: Releaser): void {
  releasers.set(kind, releaser);
}

const NOTHING: ReclaimReport = Object.freeze({ attached: false, inAccess: false, locks: 0, frames: 0, spaces: 0, retired: 0 });

/**
 * Reclaims slot `slot` of `ram` if it is still the one reserved for the
 * token with `nonce`. The caller checked that it is not its own.
 *
 * @throws what a releaser throws (e.g. `ERR_LOCK_TIMEOUT` tearing down a
 *   space another thread keeps locked), after releasing everything else.
 * @internal
 */
export function reclaimSlot(ram: Ram, slot: number, nonce: number): ReclaimReport {
  const i32 = ram.i32;
  const state = beginReclaim(i32, slot, nonce);
  if (state === SLOT_FREE) return NOTHING;
  const read = slotBase(slot) + S_READ;
  const inAccess = Atomics.load(i32, read) !== 0;
  Atomics.store(i32, read, 0);
  Atomics.notify(i32, read);

  let locks = 0;
  for (const [index, generation] of lockRecords(i32, slot)) {
    // A record left by a thread killed right after it unlocked may name a frame freed since: leave that one alone.
    if (ram.frames.generation(Math.floor((index * 4) / PAGE_SIZE)) === generation && releaseLockOf(i32, index, lockTagOf(slot))) locks++;
  }

  const { holdings, pages } = takeLedger(i32, ram.frames, ram.nframes, slot);
  let frames = 0;
  let spaces = 0;
  let retired = 0;
  let failure: { error: unknown } | undefined;
  for (const { kind, first, second } of holdings) {
    const count = second - first;
    const range = first >= ram.metaFrames && count > 0 && second <= ram.nframes;
    try {
      if (kind === HOLD_FRAMES && range) {
        ram.frames.unref(first, count);
        frames += count;
      } else if (kind === HOLD_RETIRED && range) {
        ram.gp.adopt(first, count);
        retired += count;
      } else if (kind === HOLD_SPACE && releasers.has(kind)) {
        (releasers.get(kind) as Releaser)(ram, first, second);
        spaces++;
      }
    } catch (error) {
      failure ??= { error };
    }
  }
  for (const page of pages) ram.frames.unref(page, 1);
  freeSlot(i32, slot);
  ram.allocator.rebuild();
  ram.gp.collect();
  if (failure !== undefined) throw failure.error;
  return { attached: state === SLOT_LIVE, inAccess, locks, frames, spaces, retired };
}
