/**
 * Cursors over a range of an address space: `Cursor` to look, `CursorMut`
 * to map, unmap and protect.
 *
 * Safety contract, as in OSTD's `ostd::mm::vm_space`:
 * - a cursor only ever reaches pages inside the range it was made for;
 * - mapping over a mapped page is a contract violation (`RangeError`) and
 *   changes nothing; unmapping holes is fine; lengths that are not multiples
 *   of `PAGE_SIZE` are contract violations;
 * - a mapping holds a reference to its frame of its own: `map` takes one,
 *   unmapping drops it — after every TLB of the space has let go of the
 *   translation;
 * - a disposed cursor throws a `TypeError` on every method.
 *
 * Overlapping cursors: OSTD locks a cursor's range for its lifetime, so a
 * second cursor over an overlapping range waits. JavaScript cannot wait for
 * itself, so vmio cursors take no range lock: each operation (one `map`, one
 * `unmap`, one `protectNext`) is atomic — on shared RAM it runs under the
 * space's lock — and two cursors over overlapping ranges see each other's
 * changes as soon as each operation returns.
 *
 * @module
 */

import { contractViolation, invalidType, useAfterDispose } from "../base/contract.js";
import { checkFunction, checkIndex } from "../base/validate.js";
import { adoptUFrame, untypedFrame, type UFrame } from "../frame/frame.js";
import { PAGE_SIZE } from "../frame/page-size.js";
import { VmError } from "../io/vm-error.js";
import { PageProperty, checkCache, checkFlags } from "./page-property.js";
import type { SpaceState } from "./space-state.js";

/** A virtual address range `[start, end)`. */
export interface VaRange {
  readonly start: number;
  readonly end: number;
}

/** What a cursor finds at its position. */
export interface QueriedPage {
  /** The page at the cursor. */
  readonly range: { start: number; end: number };
  /**
   * The mapping, if the page is mapped. `frame` is a new handle with a
   * reference of its own: dispose it when done.
   */
  readonly item?: { frame: UFrame; prop: PageProperty };
}

/**
 * A read-only cursor over a range of an address space.
 *
 * OSTD counterpart: `ostd::mm::vm_space::Cursor`.
 */
export class Cursor implements Disposable {
  /** @internal */ protected readonly _state: SpaceState;
  /** @internal */ protected readonly _start: number;
  /** @internal */ protected readonly _end: number;
  /** @internal */ protected _va: number;
  /** @internal */ protected _dead = false;
  /** @internal */ protected readonly _lock: <T>(f: () => T) => T;

  // Cursors are made by `VmSpace.cursor`/`cursorMut`, which validate the range.
  protected constructor(state: object, range: VaRange, lock: <T>(f: () => T) => T) {
    this._state = state as SpaceState;
    this._start = range.start;
    this._end = range.end;
    this._va = range.start;
    this._lock = lock;
  }

  /** @internal */
  static _make<T>(this: { prototype: T }, state: object, range: VaRange, lock: <R>(f: () => R) => R): T {
    return new (this as unknown as new (s: object, r: VaRange, l: <R>(f: () => R) => R) => T)(state, range, lock);
  }

  /** @internal */
  protected _live(): void {
    if (this._dead) useAfterDispose(this.constructor.name);
    this._state.live();
  }

  /**
   * The page at the cursor and its mapping, if any. The cursor does not move.
   *
   * OSTD counterpart: `Cursor::query`.
   *
   * @throws {VmError} `InvalidArgs` when the cursor is at the end of its range.
   * @throws {TypeError} the cursor or its space was disposed.
   */
  query(): QueriedPage {
    this._live();
    const va = this._va;
    if (va >= this._end) throw new VmError("InvalidArgs", `query: the cursor is at the end of its range (0x${va.toString(16)})`);
    const range = { start: va, end: va + PAGE_SIZE };
    const ram = this._state.machine;
    ram.reserveHoldings();
    const found = this._lock(() => {
      const hit = this._state.table.query(va);
      if (hit !== undefined) ram.frames.ref(hit.frame, 1);
      return hit;
    });
    if (found === undefined) return { range };
    return { range, item: { frame: adoptUFrame(ram, found.frame), prop: found.prop } };
  }

  /**
   * Moves the cursor to page `va` of its range.
   *
   * OSTD counterpart: `Cursor::jump`.
   *
   * @throws {TypeError | RangeError} `va` is not a non-negative safe integer.
   * @throws {RangeError} `va` is not page-aligned.
   * @throws {VmError} `InvalidArgs` when `va` is outside the cursor's range.
   * @throws {TypeError} the cursor or its space was disposed.
   */
  jump(va: number): void {
    this._live();
    checkIndex(va, "va");
    if (va % PAGE_SIZE !== 0) contractViolation(`jump: 0x${va.toString(16)} is not page-aligned`);
    if (va < this._start || va >= this._end) {
      throw new VmError("InvalidArgs", `jump: 0x${va.toString(16)} is outside the cursor's range [0x${this._start.toString(16)}, 0x${this._end.toString(16)})`);
    }
    this._va = va;
  }

  /**
   * The virtual address of the cursor.
   *
   * OSTD counterpart: `Cursor::virt_addr`.
   *
   * @throws {TypeError} the cursor or its space was disposed.
   */
  virtAddr(): number {
    this._live();
    return this._va;
  }

  /**
   * Ends the cursor; every method throws afterwards.
   *
   * @throws {TypeError} the cursor was disposed already.
   */
  dispose(): void {
    if (this._dead) useAfterDispose(this.constructor.name);
    this._dead = true;
  }

  /** Same as {@link Cursor.dispose}, for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * A cursor that can map, unmap and protect pages in its range.
 *
 * OSTD counterpart: `ostd::mm::vm_space::CursorMut`.
 */
export class CursorMut extends Cursor {
  /**
   * Maps `frame` at the cursor with `prop` and moves the cursor to the next
   * page. The mapping takes a reference to the frame of its own; the caller
   * still disposes its handle.
   *
   * OSTD counterpart: `CursorMut::map`.
   *
   * @throws {RangeError} "mapping over an already mapped page" (nothing changes),
   *   or the cursor is at the end of its range.
   * @throws {VmError} `NoMemory` when a page-table node cannot be allocated (nothing changes).
   * @throws {TypeError} `frame` is not a live untyped frame of this space's
   *   memory, `prop` is not a `PageProperty`, or the cursor or space was disposed.
   */
  map(frame: UFrame, prop: PageProperty): void {
    this._live();
    const f = untypedFrame(frame, "frame");
    const paddr = f.index * PAGE_SIZE;
    if (f.ram !== this._state.machine) invalidType("frame", "a frame of the same PhysicalMemory as the address space", frame);
    const p = checkProperty(prop);
    const va = this._va;
    if (va >= this._end) contractViolation(`map: the cursor is at the end of its range (0x${va.toString(16)})`);
    this._lock(() => this._state.map(va, paddr / PAGE_SIZE, p));
    this._va = va + PAGE_SIZE;
  }

  /**
   * Unmaps the pages in `[virtAddr(), virtAddr() + len)` and moves the cursor
   * past them. Pages that are not mapped are skipped. Every TLB of the space
   * lets go of the translations before the frames' references are dropped.
   *
   * OSTD counterpart: `CursorMut::unmap`.
   *
   * @throws {TypeError | RangeError} `len` is not a non-negative safe integer.
   * @throws {RangeError} `len` is not a multiple of `PAGE_SIZE`, or runs past the cursor's range.
   * @throws {TypeError} the cursor or its space was disposed.
   */
  unmap(len: number): void {
    this._live();
    checkIndex(len, "len");
    if (len % PAGE_SIZE !== 0) contractViolation(`unmap: length ${len} is not a multiple of PAGE_SIZE`);
    const start = this._va;
    const end = start + len;
    if (end > this._end) contractViolation(`unmap: [0x${start.toString(16)}, 0x${end.toString(16)}) runs past the cursor's range`);
    if (len > 0) this._lock(() => this._state.unmap(start, end));
    this._va = end;
  }

  /**
   * Finds the first mapped page in `[virtAddr(), virtAddr() + len)`, lets
   * `op` change its property (flags and cache; not the frame), and moves the
   * cursor past it. Returns that page's range, or `undefined` (with the
   * cursor moved to the end of the searched range) when no page is mapped
   * there. If `op` throws, nothing changes and the cursor does not move.
   *
   * OSTD counterpart: `CursorMut::protect_next`.
   *
   * @throws {TypeError | RangeError} bad `len`, or `op` leaves an invalid property.
   * @throws {RangeError} `len` is not a multiple of `PAGE_SIZE`, or runs past the cursor's range.
   * @throws {TypeError} `op` is not a function, or the cursor or space was disposed.
   */
  protectNext(len: number, op: (prop: PageProperty) => void): { start: number; end: number } | undefined {
    this._live();
    checkIndex(len, "len");
    checkFunction(op, "op");
    if (len % PAGE_SIZE !== 0) contractViolation(`protectNext: length ${len} is not a multiple of PAGE_SIZE`);
    const start = this._va;
    const end = start + len;
    if (end > this._end) contractViolation(`protectNext: [0x${start.toString(16)}, 0x${end.toString(16)}) runs past the cursor's range`);
    const found = len === 0 ? -1 : this._lock(() => {
      const va = this._state.table.findMapped(start, end);
      if (va < 0) return -1;
      const prop = (this._state.table.query(va) as { prop: PageProperty }).prop;
      op(prop);
      checkFlags(prop.flags, "prop.flags");
      checkCache(prop.cache, "prop.cache");
      this._state.protect(va, prop);
      return va;
    });
    if (found < 0) {
      this._va = end;
      return undefined;
    }
    this._va = found + PAGE_SIZE;
    return { start: found, end: found + PAGE_SIZE };
  }
}

function checkProperty(prop: unknown): PageProperty {
  if (!(prop instanceof PageProperty)) invalidType("prop", "a PageProperty", prop);
  checkFlags(prop.flags, "prop.flags");
  checkCache(prop.cache, "prop.cache");
  return prop;
}
