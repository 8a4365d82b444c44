/**
 * A thread's holdings ledger: what its handles and views hold, recorded in
 * its thread slot so that a reclaimer can release exactly that once the
 * thread has exited.
 *
 * Entries are two words: the kind in the top byte of the first word with a
 * frame number below it, and a second frame number.
 *
 * | kind             | first     | second       | recorded by                          |
 * | ---------------- | --------- | ------------ | ------------------------------------ |
 * | `HOLD_FRAMES`    | start     | end          | a handle's references to `[start, end)` (frames, segments, vectors) |
 * | `HOLD_SPACE`     | control block | root table | an attached (or created) address space (vm layer) |
 * | `HOLD_RETIRED`   | start     | end          | unmapped frames waiting for a grace period |
 *
 * The first 24 entries live in the slot itself; more go to overflow pages
 * (typed frames flagged `FLAG_LEDGER`, chained from the slot), which are
 * given back as soon as they are empty while the thread holds few things —
 * so a thread that has disposed everything holds no frame for its ledger.
 *
 * Safety contract: only the owning thread writes its ledger, and it records
 * a holding only after taking it and erases the record before releasing it
 * (a thread killed in between leaks, never double-frees). Records are plain
 * stores: nobody reads them while the thread runs, and a reclaimer reads
 * them only after the thread has exited.
 *
 * On unshared RAM there is one thread and nothing to reclaim: no ledger.
 *
 * @module
 */

import { FLAG_LEDGER, FLAG_TYPED, type FrameTable } from "./meta.js";
import { PAGE_SIZE } from "./page-size.js";
import { INLINE_ENTRIES, S_ENTRIES, S_OVERFLOW, slotBase } from "./thread-slots.js";

/** A handle's references to frames `[start, end)`. */
export const HOLD_FRAMES = 1;
/** An address space's user count held by a view of it (`VmSpace`): control block, root table. */
export const HOLD_SPACE = 2;
/** Unmapped frames `[start, end)` whose references drop once a grace period ends. */
export const HOLD_RETIRED = 3;

const KIND_SHIFT = 24;
const FIRST_MASK = (1 << KIND_SHIFT) - 1;
/** Words of an overflow page: a link word, a spare one, then entries. */
const PAGE_WORDS = PAGE_SIZE / 4;
const PAGE_ENTRIES = (PAGE_WORDS - 2) / 2;

/** A holding, as read back from a ledger. @internal */
export interface Holding {
  readonly kind: number;
  readonly first: number;
  readonly second: number;
}

/**
 * What to do with a holding of some kind when its thread is reclaimed
 * (registered by the layer that records that kind).
 *
 * @internal
 */
export type Releaser = (first: number, second: number) => void;

/**
 * The calling thread's ledger over one shared RAM.
 *
 * Linux counterpart: what a task's exit releases because the kernel knows
 * it holds it (its `mm`, its files); for locks, its robust futex list.
 *
 * Ids: below `INLINE_ENTRIES`, an inline entry; otherwise
 * `INLINE_ENTRIES + page × PAGE_ENTRIES + k`, entry `k` of overflow page
 * `page` (a frame number), so ids stay valid while other pages come and go.
 *
 * @internal
 */
export class Holdings {
  readonly #i32: Int32Array;
  readonly #frames: FrameTable;
  readonly #base: number;
  /** Free inline ids, the lowest last (taken first). */
  readonly #inline: number[];
  /** Overflow pages in chain order, with their free ids. */
  readonly #pages: Array<{ readonly page: number; readonly free: number[] }> = [];
  #live = 0;

  constructor(i32: Int32Array, frames: FrameTable, slot: number) {
    this.#i32 = i32;
    this.#frames = frames;
    this.#base = slotBase(slot);
    this.#inline = Array.from({ length: INLINE_ENTRIES }, (_, k) => INLINE_ENTRIES - 1 - k);
  }

  /**
   * Makes sure `n` entries can be recorded without allocating.
   *
   * @throws {VmError} `NoMemory` for an overflow page; nothing changes.
   */
  reserve(n = 1): void {
    let free = this.#inline.length;
    for (const p of this.#pages) free += p.free.length;
    while (free < n) free += this.#grow();
  }

  /** Records a holding; the caller {@link Holdings.reserve}d an entry for it. Returns the entry's id. */
  record(kind: number, first: number, second: number): number {
    let id = this.#inline.pop();
    if (id === undefined) {
      for (const p of this.#pages) if ((id = p.free.pop()) !== undefined) break;
      if (id === undefined) id = this.#overflowId();
    }
    const w = this.#word(id);
    this.#i32[w + 1] = second;
    this.#i32[w] = (kind << KIND_SHIFT) | first;
    this.#live++;
    return id;
  }

  /** Changes the first frame of entry `id` (one store: the entry is never half-changed). */
  setFirst(id: number, first: number): void {
    const w = this.#word(id);
    this.#i32[w] = ((this.#i32[w] as number) & ~FIRST_MASK) | first;
  }

  /** Changes the second frame of entry `id`. */
  setSecond(id: number, second: number): void {
    this.#i32[this.#word(id) + 1] = second;
  }

  /** Erases entry `id` (before the caller releases what it recorded). */
  erase(id: number): void {
    const w = this.#word(id);
    this.#i32[w] = 0;
    this.#i32[w + 1] = 0;
    this.#live--;
    if (id < INLINE_ENTRIES) {
      this.#inline.push(id);
    } else {
      const page = Math.floor((id - INLINE_ENTRIES) / PAGE_ENTRIES);
      (this.#pages.find((q) => q.page === page) as { free: number[] }).free.push(id);
    }
    // Overflow pages go back once little is held.
    if (this.#pages.length !== 0 && this.#live <= INLINE_ENTRIES / 2) this.#trim();
  }

  /** Int32 index of entry `id`'s first word. */
  #word(id: number): number {
    if (id < INLINE_ENTRIES) return this.#base + S_ENTRIES + 2 * id;
    const k = id - INLINE_ENTRIES;
    const page = Math.floor(k / PAGE_ENTRIES);
    return page * PAGE_WORDS + 2 + 2 * (k - page * PAGE_ENTRIES);
  }

  #overflowId(): number {
    this.#grow();
    return (this.#pages[this.#pages.length - 1] as { free: number[] }).free.pop() as number;
  }

  /** Adds an overflow page at the end of the chain; returns its number of entries. */
  #grow(): number {
    const page = this.#frames.alloc(1, true, FLAG_TYPED | FLAG_LEDGER);
    const last = this.#pages[this.#pages.length - 1];
    // Linked once zeroed and flagged: a reclaimer following the chain finds an empty page.
    Atomics.store(this.#i32, last === undefined ? this.#base + S_OVERFLOW : last.page * PAGE_WORDS, page + 1);
    const ids = Array.from({ length: PAGE_ENTRIES }, (_, k) => INLINE_ENTRIES + page * PAGE_ENTRIES + PAGE_ENTRIES - 1 - k);
    this.#pages.push({ page, free: ids });
    return PAGE_ENTRIES;
  }

  /** Unlinks and frees the overflow pages that hold nothing (unlinked first: a reclaimer never follows a freed page). */
  #trim(): void {
    for (let i = this.#pages.length - 1; i >= 0; i--) {
      const p = this.#pages[i] as { page: number; free: number[] };
      if (p.free.length !== PAGE_ENTRIES) continue;
      const next = Atomics.load(this.#i32, p.page * PAGE_WORDS);
      const prev = this.#pages[i - 1];
      Atomics.store(this.#i32, prev === undefined ? this.#base + S_OVERFLOW : prev.page * PAGE_WORDS, next);
      this.#pages.splice(i, 1);
      this.#frames.unref(p.page, 1);
    }
  }
}

/**
 * Reads and erases the ledger of a thread that has exited (slot `slot`),
 * returning its holdings and the overflow pages to free. Follows only pages
 * that are still ledger pages, once each.
 *
 * @internal
 */
export function takeLedger(i32: Int32Array, frames: FrameTable, nframes: number, slot: number): { holdings: Holding[]; pages: number[] } {
  const holdings: Holding[] = [];
  const pages: number[] = [];
  const take = (w: number): void => {
    const head = i32[w] as number;
    if (head === 0) return;
    holdings.push({ kind: head >>> KIND_SHIFT, first: head & FIRST_MASK, second: i32[w + 1] as number });
    i32[w] = 0;
    i32[w + 1] = 0;
  };
  const base = slotBase(slot);
  for (let k = 0; k < INLINE_ENTRIES; k++) take(base + S_ENTRIES + 2 * k);
  let link = Atomics.load(i32, base + S_OVERFLOW);
  while (link > 0 && link <= nframes) {
    const page = link - 1;
    if ((frames.flags(page) & FLAG_LEDGER) === 0 || pages.includes(page)) break;
    pages.push(page);
    for (let k = 0; k < PAGE_ENTRIES; k++) take(page * PAGE_WORDS + 2 + 2 * k);
    link = Atomics.load(i32, page * PAGE_WORDS);
  }
  return { holdings, pages };
}
