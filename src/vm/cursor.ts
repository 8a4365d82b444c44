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
 * - what the caller hands in is read once, at the boundary, before anything
 *   changes: a `PageProperty`'s `flags` and `cache` (whatever getters stand
 *   behind them), and the properties `protectNext`'s op leaves behind;
 * - while `protectNext`'s op runs, the space is in the middle of a change:
 *   any other change of it from this thread (map, unmap, protect, dispose —
 *   from the op itself or a fault handler it causes) is a `TypeError`
 *   (`ERR_REENTERED`) at once, and looking (`query`, copies) is allowed;
 * - a disposed cursor throws a `TypeError` on every method. The cursor's
 *   state is unreachable from the public object.
 *
 * Overlapping cursors: OSTD locks a cursor's range for its lifetime, so a
 * second cursor over an overlapping range waits. JavaScript cannot wait for
 * itself, so vmio cursors take no range lock: each operation (one `map`, one
 * `unmap`, one `protectNext`, one `copyFrom`) is atomic — on shared RAM it
 * runs under the space's lock (`copyFrom` under both spaces' locks, taken in
 * a fixed order) — and two cursors over overlapping ranges see each other's
 * changes as soon as each operation returns.
 *
 * @module
 */

import { contractViolation, illegalConstructor, invalidType, useAfterDispose } from "../base/contract.js";
import { INTERNAL } from "../base/internal-key.js";
import { checkFunction, checkIndex } from "../base/validate.js";
import { adoptUFrame, untypedFrame, type UFrame } from "../frame/frame.js";
import { PAGE_SIZE } from "../frame/page-size.js";
import { VmError } from "../io/vm-error.js";
import { PageProperty, snapshotProperty } from "./page-property.js";
import { copyMappings } from "./copy-mappings.js";
import type { SpaceState } from "./space-state.js";

/** A virtual address range `[start, end)`. */
export interface VaRange {
  /** The first address in the range. */
  readonly start: number;
  /** The first address past the range. */
  readonly end: number;
}

/** A page's mapping, as {@link Cursor.query} returns it. */
export interface MappedItem {
  /** A new handle to the mapped frame, with a reference of its own: dispose it when done. */
  readonly frame: UFrame;
  /** The page's property as the page table holds it (a copy). */
  readonly prop: PageProperty;
}

/** What a cursor finds at its position. */
export interface QueriedPage {
  /** The page at the cursor. */
  readonly range: VaRange;
  /** The mapping, if the page is mapped. */
  readonly item?: MappedItem;
}

/**
 * Options of {@link CursorMut.copyFrom}.
 *
 * An object rather than a fourth boolean: a call then says what it asks
 * for, and later options (none yet) fit beside it.
 */
export interface CopyOptions {
  /**
   * Share whole leaf page-table nodes (2 MiB each) between the two spaces
   * instead of copying their entries, copy-on-write at the level of the
   * node (see {@link CursorMut.copyFrom}). `op` must then depend on the
   * property alone: in a shared node it runs once for each run of pages
   * whose property is the same. Ignored on shared RAM. Default false.
   */
  readonly shareNodes?: boolean;
}

/** `options.shareNodes` of a `copyFrom`, checked. */
function shareNodesOf(options: unknown): boolean {
  if (options === undefined) return false;
  if (typeof options !== "object" || options === null) invalidType("options", "an object or undefined", options);
  const share: unknown = (options as CopyOptions).shareNodes;
  if (share !== undefined && typeof share !== "boolean") invalidType("options.shareNodes", "a boolean or undefined", share);
  return share === true;
}

/** The state of a cursor, held privately by the public object. */
class CursorCore {
  /** Set once the cursor is disposed. */
  dead = false;

  constructor(
    readonly kind: "Cursor" | "CursorMut",
    readonly state: SpaceState,
    readonly start: number,
    readonly end: number,
    /** The cursor's position. */
    public va: number,
  ) {}
}

/** The core of `c` (installed by `Cursor`'s class body). */
let coreOf: (c: Cursor) => CursorCore;

/**
 * Makes a read-only cursor over a checked, page-aligned `[start, end)` of `state`.
 *
 * @internal
 */
export let newCursor: (state: SpaceState, start: number, end: number) => Cursor;

/**
 * Makes a mutating cursor over a checked, page-aligned `[start, end)` of `state`.
 *
 * @internal
 */
export let newCursorMut: (state: SpaceState, start: number, end: number) => CursorMut;

/** The core of a cursor that may be used: not disposed, its space alive. */
function live(c: Cursor): CursorCore {
  const core = coreOf(c);
  if (core.dead) useAfterDispose(core.kind);
  core.state.live();
  return core;
}

/**
 * A read-only cursor over a range of an address space.
 *
 * OSTD counterpart: `ostd::mm::vm_space::Cursor`.
 */
export class Cursor implements Disposable {
  readonly #core: CursorCore;

  // Cursors are made by `VmSpace.cursor`/`cursorMut`, which validate the
  // range; `key` keeps plain JavaScript from making one around anything else.
  protected constructor(key: symbol, core: object) {
    if (key !== INTERNAL || !(core instanceof CursorCore)) illegalConstructor("Cursor", "use VmSpace.cursor() or VmSpace.cursorMut()");
    this.#core = core;
  }

  static {
    coreOf = (c) => c.#core;
    newCursor = (state, start, end) => new Cursor(INTERNAL, new CursorCore("Cursor", state, start, end, start));
  }

  /**
   * The page at the cursor and its mapping, if any. The cursor does not move.
   *
   * On a `CursorMut`, when the page's leaf node is shared with another
   * space (`CursorMut.copyFrom`'s `shareNodes`), this space first gets its
   * own copy of the node, so that the frame's `referenceCount()` counts
   * every space that maps it (what a copy-on-write fault decides by). A
   * read-only `Cursor` does not: its frame's count then counts a shared
   * node's mapping once, however many spaces share the node.
   *
   * OSTD counterpart: `Cursor::query` (`CursorMut::query`).
   *
   * @throws {VmError} `InvalidArgs` when the cursor is at the end of its
   *   range; `NoMemory` when a `CursorMut` cannot have its copy of a shared
   *   node (nothing changes).
   * @throws {TypeError} the cursor or its space was disposed, or a
   *   `CursorMut` must copy a shared node during a change of its space
   *   (`ERR_REENTERED`).
   */
  query(): QueriedPage {
    const core = live(this);
    const va = core.va;
    if (va >= core.end) throw new VmError("InvalidArgs", `query: the cursor is at the end of its range (0x${va.toString(16)})`);
    const range = { start: va, end: va + PAGE_SIZE };
    const state = core.state;
    const found = core.kind === "CursorMut" ? state.queryOwn(va) : state.query(va);
    if (found === undefined) return { range };
    return { range, item: { frame: adoptUFrame(state.machine, found.frame), prop: found.prop } };
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
    const core = live(this);
    checkIndex(va, "va");
    if (va % PAGE_SIZE !== 0) contractViolation(`jump: 0x${va.toString(16)} is not page-aligned`);
    if (va < core.start || va >= core.end) {
      throw new VmError("InvalidArgs", `jump: 0x${va.toString(16)} is outside the cursor's range [0x${core.start.toString(16)}, 0x${core.end.toString(16)})`);
    }
    core.va = va + 0; // + 0: -0 becomes 0
  }

  /**
   * Finds the first mapped page in `[virtAddr(), virtAddr() + len)`, moves
   * the cursor to it and returns its address; returns `undefined`, with the
   * cursor moved to the end of the searched range, when no page is mapped
   * there. Read-only: it changes no mapping, takes no reference and shoots
   * nothing down — the way to skip holes: a missing node's whole subtree
   * (2 MiB, 1 GiB, 512 GiB) is skipped at once.
   *
   * OSTD counterpart: `Cursor::find_next`.
   *
   * @throws {TypeError | RangeError} `len` is not a non-negative safe integer.
   * @throws {RangeError} `len` is not a multiple of `PAGE_SIZE`, or runs past the cursor's range.
   * @throws {TypeError} the cursor or its space was disposed.
   */
  findNext(len: number): number | undefined {
    const core = live(this);
    checkIndex(len, "len");
    if (len % PAGE_SIZE !== 0) contractViolation(`findNext: length ${len} is not a multiple of PAGE_SIZE`);
    const start = core.va;
    const end = start + len;
    if (end > core.end) contractViolation(`findNext: [0x${start.toString(16)}, 0x${end.toString(16)}) runs past the cursor's range`);
    let found = -1;
    if (len > 0) {
      const state = core.state;
      // A read-side critical section: nodes unlinked meanwhile by another thread stay readable.
      state.enter();
      try {
        found = state.table.findMapped(start, end);
      } finally {
        state.exit();
      }
    }
    if (found < 0) {
      core.va = end;
      return undefined;
    }
    core.va = found;
    return found;
  }

  /**
   * The virtual address of the cursor.
   *
   * OSTD counterpart: `Cursor::virt_addr`.
   *
   * @throws {TypeError} the cursor or its space was disposed.
   */
  virtAddr(): number {
    return live(this).va;
  }

  /**
   * Ends the cursor; every method throws afterwards.
   *
   * @throws {TypeError} the cursor was disposed already.
   */
  dispose(): void {
    const core = this.#core;
    if (core.dead) useAfterDispose(core.kind);
    core.dead = true;
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
  static {
    newCursorMut = (state, start, end) => new CursorMut(INTERNAL, new CursorCore("CursorMut", state, start, end, start));
  }

  /**
   * Maps `frame` at the cursor with `prop` and moves the cursor to the next
   * page. The mapping takes a reference to the frame of its own; the caller
   * still disposes its handle. `prop` is read once, before anything changes.
   *
   * OSTD counterpart: `CursorMut::map`.
   *
   * @throws {RangeError} "mapping over an already mapped page" (nothing changes),
   *   or the cursor is at the end of its range.
   * @throws {VmError} `NoMemory` when a page-table node cannot be allocated (nothing changes).
   * @throws {TypeError} `frame` is not a live untyped frame of this space's
   *   memory, `prop` is not a valid `PageProperty`, the cursor or space was
   *   disposed, or this is called from a `protectNext` op on the same space
   *   (`ERR_REENTERED`).
   */
  map(frame: UFrame, prop: PageProperty): void {
    const p = snapshotProperty(prop, "prop");
    const core = live(this);
    const f = untypedFrame(frame, "frame");
    const state = core.state;
    if (f.ram !== state.machine) invalidType("frame", "a frame of the same PhysicalMemory as the address space", frame);
    const va = core.va;
    if (va >= core.end) contractViolation(`map: the cursor is at the end of its range (0x${va.toString(16)})`);
    state.edit("CursorMut.map()", () => state.map(va, f.index, p));
    core.va = va + PAGE_SIZE;
  }

  /**
   * Unmaps the pages in `[virtAddr(), virtAddr() + len)` and moves the cursor
   * past them. Pages that are not mapped are skipped. Every TLB of the space
   * lets go of the translations before the frames' references are dropped.
   *
   * OSTD counterpart: `CursorMut::unmap`.
   *
   * @throws {VmError} `NoMemory` when a leaf node shared with another
   *   space (`copyFrom`'s `shareNodes`) that the range covers in part
   *   cannot be copied for this space (nothing is unmapped).
   * @throws {TypeError | RangeError} `len` is not a non-negative safe integer.
   * @throws {RangeError} `len` is not a multiple of `PAGE_SIZE`, or runs past the cursor's range.
   * @throws {TypeError} the cursor or its space was disposed, or this is
   *   called from a `protectNext` op on the same space (`ERR_REENTERED`).
   */
  unmap(len: number): void {
    const core = live(this);
    checkIndex(len, "len");
    if (len % PAGE_SIZE !== 0) contractViolation(`unmap: length ${len} is not a multiple of PAGE_SIZE`);
    const start = core.va;
    const end = start + len;
    if (end > core.end) contractViolation(`unmap: [0x${start.toString(16)}, 0x${end.toString(16)}) runs past the cursor's range`);
    const state = core.state;
    if (len > 0) state.edit("CursorMut.unmap()", () => state.unmap(start, end));
    core.va = end;
  }

  /**
   * Copies the mappings of `[src.virtAddr(), src.virtAddr() + len)` to
   * `[virtAddr(), virtAddr() + len)` in one walk: each mapped page of the
   * source first gets its property changed by `op` (in the source), then
   * the same frame is mapped here at the same offset with that property;
   * the mapping here takes a reference of its own. Unmapped pages are
   * skipped. Both cursors move past `len`. The source is shot down once, at
   * the end, if `op` narrowed any of its pages.
   *
   * It is how `fork` makes copy-on-write mappings: `op` clears `W`, and the
   * parent and child then share every frame read-only — one operation for
   * the whole range instead of a find, a protect (each with its shootdown),
   * a query and a map per page.
   *
   * This cursor's range must hold no mapping there. `op` runs once per
   * mapped page, in address order, on a fresh `PageProperty` holding that
   * page's property: `op` owns it and may keep it (vmio never reads or
   * changes it after `op` returns; OSTD lends a `&mut PageProperty` for the
   * call, a borrow JavaScript cannot enforce, so one object re-filled per
   * page would change under an `op` that kept it). Its `flags` and `cache`
   * are read once each after `op` returns. While `op` runs both spaces are
   * mid-change: it may look at them (`query`, copies, a `copyFrom` between
   * other spaces) but not change them (`ERR_REENTERED`); a `walkPageTable`
   * of the destination from `op` may show a leaf node's `present` count
   * behind its entries (the count is raised once per run of pages, not per
   * page).
   * All or nothing: if `op` throws, or a page-table node cannot be
   * allocated, both spaces are as they were and neither cursor moves.
   *
   * With `options.shareNodes` (on unshared RAM), a source leaf node (512
   * pages, 2 MiB) whose whole span lies in the copied range, at a
   * destination address congruent to its source modulo 2 MiB where the
   * destination has no leaf node, is not copied but shared: `op`'s
   * results are written into the node, which both spaces then see, the
   * destination links the same node and no frame reference is taken. In
   * a shared node `op` runs once for each run of consecutive mapped pages
   * whose property bits are the same, and its answer goes to every page
   * of the run — so with this option `op` must depend on the property
   * alone (fork's "clear `W`" does) — and what is left per page is a load,
   * a compare and a store: the copy hardly grows with the pages mapped.
   * The other pages are copied one by one, `op` once per page. Each space then gets its own copy of a
   * shared node (taking a reference per mapped frame) before any change
   * to it through a `CursorMut` — `map`, `unmap` of part of it,
   * `protectNext`, a copy from or into it, and `query`, so that the
   * reference count of a frame it hands out counts every space mapping
   * it; an `unmap` of its whole span only drops that space's share. The
   * read-only `Cursor.query` does not unshare: its frame's
   * `referenceCount()` then counts a shared node's mapping once, however
   * many spaces share it. Accesses through either space walk the shared
   * node: the `ACCESSED`/`DIRTY` bits they set are seen by both (they are
   * hints). On shared RAM, where a space may be changed by several
   * threads and two spaces' locks would be needed to unshare, the option
   * is ignored: every page is copied.
   *
   * OSTD counterpart: `CursorMut::copy_from` (protect, then duplicate);
   * the shared nodes: none in OSTD — Linux shares hugetlb PMDs
   * (`huge_pmd_share`), On-Demand-Fork (EuroSys '21) shares last-level
   * page tables copy-on-write.
   *
   * @throws {TypeError | RangeError} bad `len`, or `op` leaves an invalid property.
   * @throws {RangeError} `len` is not a multiple of `PAGE_SIZE`, runs past
   *   either cursor's range, the two ranges overlap in one space, or a page
   *   of this cursor's range there is mapped.
   * @throws {VmError} `NoMemory` for a page-table node.
   * @throws {TypeError} `src` is not a `CursorMut` of a space of the same
   *   memory, `op` is not a function, `options` is not an object (or
   *   undefined) whose `shareNodes` is a boolean (or undefined), a cursor
   *   or space was disposed, or this is called from a callback of a change
   *   of either space (`ERR_REENTERED`).
   */
  copyFrom(src: CursorMut, len: number, op: (prop: PageProperty) => void, options?: CopyOptions): void {
    const core = live(this);
    if (!(src instanceof CursorMut)) invalidType("src", "a CursorMut", src);
    const from = live(src);
    checkIndex(len, "len");
    checkFunction(op, "op");
    const shareNodes = shareNodesOf(options);
    if (len % PAGE_SIZE !== 0) contractViolation(`copyFrom: length ${len} is not a multiple of PAGE_SIZE`);
    const dstStart = core.va;
    const srcStart = from.va;
    if (dstStart + len > core.end) contractViolation(`copyFrom: [0x${dstStart.toString(16)}, 0x${(dstStart + len).toString(16)}) runs past the cursor's range`);
    if (srcStart + len > from.end) contractViolation(`copyFrom: [0x${srcStart.toString(16)}, 0x${(srcStart + len).toString(16)}) runs past the source cursor's range`);
    const dst = core.state;
    const source = from.state;
    if (source.machine !== dst.machine) invalidType("src", "a cursor of a space of the same PhysicalMemory", src);
    if (source === dst && srcStart < dstStart + len && dstStart < srcStart + len) {
      contractViolation(`copyFrom: the source [0x${srcStart.toString(16)}, 0x${(srcStart + len).toString(16)}) and the destination overlap in one space`);
    }
    if (len > 0) {
      // Lock both spaces (one if they are the same), always in the same
      // order, so two threads copying in opposite directions cannot deadlock.
      const copy = (): void => copyMappings(source, srcStart, dst, dstStart, len, op, shareNodes && !dst.shared);
      const what = "CursorMut.copyFrom()";
      if (source === dst) dst.edit(what, copy);
      else if (source.control.frame < dst.control.frame) source.edit(what, () => dst.edit(what, copy));
      else dst.edit(what, () => source.edit(what, copy));
    }
    core.va = dstStart + len;
    from.va = srcStart + len;
  }

  /**
   * Finds the first mapped page in `[virtAddr(), virtAddr() + len)`, lets
   * `op` change its property (flags and cache; not the frame), and moves the
   * cursor past it. Returns that page's range, or `undefined` (with the
   * cursor moved to the end of the searched range) when no page is mapped
   * there. If `op` throws, nothing changes and the cursor does not move.
   *
   * `op` gets a copy of the page's property; its `flags` and `cache` are read
   * once after `op` returns. While `op` runs the space is mid-change: `op`
   * may look at the space (`query`, copies) but not change it — `map`,
   * `unmap`, `protectNext` or `dispose` of the same space from `op` (or from
   * a fault handler that `op` causes) throw a `TypeError` (`ERR_REENTERED`).
   *
   * OSTD counterpart: `CursorMut::protect_next`.
   *
   * @throws {TypeError | RangeError} bad `len`, or `op` leaves an invalid property.
   * @throws {RangeError} `len` is not a multiple of `PAGE_SIZE`, or runs past the cursor's range.
   * @throws {VmError} `NoMemory` when the page's leaf node is shared with
   *   another space (`copyFrom`'s `shareNodes`) and this space's copy of it
   *   cannot be allocated (before `op` runs; nothing changes).
   * @throws {TypeError} `op` is not a function, the cursor or space was
   *   disposed, or this is called from another `protectNext` op on the same
   *   space (`ERR_REENTERED`).
   */
  protectNext(len: number, op: (prop: PageProperty) => void): VaRange | undefined {
    const core = live(this);
    checkIndex(len, "len");
    checkFunction(op, "op");
    if (len % PAGE_SIZE !== 0) contractViolation(`protectNext: length ${len} is not a multiple of PAGE_SIZE`);
    const start = core.va;
    const end = start + len;
    if (end > core.end) contractViolation(`protectNext: [0x${start.toString(16)}, 0x${end.toString(16)}) runs past the cursor's range`);
    const state = core.state;
    const found =
      len === 0
        ? -1
        : state.edit("CursorMut.protectNext()", () => {
            const va = state.table.findMapped(start, end);
            if (va < 0) return -1;
            // Its own copy of a shared leaf node before op runs (one that throws then changed nothing the space shows).
            state.table.unshareLeaf(va);
            const mapping = state.table.query(va) as { frame: number; prop: PageProperty };
            op(mapping.prop);
            // No change of this space could happen while op ran (edit refuses
            // them): the page still maps the same frame.
            state.protect(va, mapping.frame, snapshotProperty(mapping.prop, "prop"));
            return va;
          });
    if (found < 0) {
      core.va = end;
      return undefined;
    }
    core.va = found + PAGE_SIZE;
    return { start: found, end: found + PAGE_SIZE };
  }
}
