/**
 * One thread's view of an address space: the copy engine's `MemorySpace`
 * for user virtual addresses (translation through this thread's TLB and the
 * page table, and page faults), and the one door through which mapping
 * changes and the end of the space go.
 *
 * The parts it puts together live elsewhere: the page table
 * (`page-table.ts`) and the control block (`space-control.ts`) in RAM,
 * shared by every thread; this thread's TLB (`tlb.ts`); the shootdown
 * protocol (`tlb-flusher.ts`).
 *
 * Safety contract:
 * - `run(addr, len, write)` returns only bytes of pages that are mapped and
 *   allow the access, so a copy stops exactly at the first byte that faults.
 *   A translation comes from the TLB when it is in step with the space's TLB
 *   epoch, else from a page-table walk, which sets ACCESSED (and DIRTY for a
 *   write) in the leaf entry before caching it, as an MMU does. Pages after
 *   the first are merged into a run only while they hit the TLB and their
 *   frames are physically consecutive, so merging never sets a bit on a page
 *   the copy may not reach;
 * - on a fault the page-fault handler, if any, is called once for that
 *   byte, outside any critical section. It must return a boolean: `true`
 *   retries the translation once (a handler that claims success without
 *   fixing anything ends the access with a fault instead of looping),
 *   `false` lets the fault stand. A handler's exception — or the `TypeError`
 *   for a non-boolean result — is parked and rethrown by the access after
 *   its cursors accounted for the bytes moved. While the handler runs,
 *   faults on the space are not handled again;
 * - every mapping change goes through {@link SpaceState.edit}: exclusive
 *   among threads (the space's page-table lock on shared RAM) and refused
 *   while this thread is inside a callback of another change of the same
 *   space (a `protectNext` op): such a change would happen under the feet of
 *   the one in progress. The refusal is a `TypeError` at once — never a wait
 *   for a lock this thread holds. `release` (dispose) is refused the same
 *   way, before it changes anything;
 * - changes that remove or narrow a translation go through the
 *   {@link TlbFlusher}: every TLB lets go of the old translation, and a
 *   grace period passes, before an unmapped frame's reference is dropped.
 *
 * @module
 */

import { reenteredFrom, useAfterDispose, withCode } from "../base/contract.js";
import { HOLD_SPACE } from "../frame/holdings.js";
import { PAGE_SIZE as importedPAGE_SIZE } from "../frame/page-size.js";
import { ramOf, type PhysicalMemory } from "../frame/physical-memory.js";
import type { Ram } from "../frame/ram.js";
import { registerReleaser } from "../frame/reclaim.js";
import { MemorySpace } from "../io/memory-space.js";
import type { PageProperty } from "./page-property.js";
import { PageTable, checkUserFrame } from "./page-table.js";
import { PTE_A as importedPTE_A, PTE_D as importedPTE_D, PTE_P as importedPTE_P, PTE_RW as importedPTE_RW, frameOf as importedFrameOf } from "./pte.js";
import { SpaceControl } from "./space-control.js";
import { TLB_MASK as importedTLB_MASK, TLB_READ as importedTLB_READ, TLB_WRITE as importedTLB_WRITE, Tlb } from "./tlb.js";
import { TlbFlusher } from "./tlb-flusher.js";

// Imported bindings used on hot paths, as module-local constants: V8 (Node
// 20) folds a module's own `const`s but loads an imported binding from its
// module cell on every use (about 8 instructions a use, measured).
const PAGE_SIZE = importedPAGE_SIZE;
const TLB_MASK = importedTLB_MASK;
const TLB_READ = importedTLB_READ;
const TLB_WRITE = importedTLB_WRITE;
const PTE_A = importedPTE_A;
const PTE_D = importedPTE_D;
const PTE_P = importedPTE_P;
const PTE_RW = importedPTE_RW;
const frameOf = importedFrameOf;

/** A page-fault handler: true when it resolved the fault and the access should retry. */
export type PageFaultHandler = (fault: { readonly address: number; readonly write: boolean }) => boolean;

/** The whole user half a page table can map (unmapped in one go when the space ends). */
const ALL = 2 ** 47;

/**
 * One thread's view of an address space, and its memory space.
 *
 * @internal
 */
export class SpaceState extends MemorySpace {
  readonly shared: boolean;
  readonly mem: PhysicalMemory;
  /** The RAM's internal state on this thread. */
  readonly machine: Ram;
  readonly table: PageTable;
  readonly control: SpaceControl;
  readonly tlb = new Tlb();
  readonly #flusher: TlbFlusher;
  // Read on every translation: held directly, not through `control`/`tlb`.
  // (Plain fields, not `#private` ones: a private field load costs more on
  // Node 20, and no public object reaches a SpaceState.)
  private readonly i32: Int32Array;
  private readonly u32: Uint32Array;
  private readonly ram: Uint8Array;
  private readonly epochIndex: number;
  private readonly tags: Float64Array;
  private readonly paddrs: Float64Array;
  private readonly perms: Uint8Array;
  private readonly pages: Array<Uint8Array | undefined>;
  /** The epoch this thread's TLB is in step with. */
  private seenEpoch: number;
  /** This thread's page-fault handler. */
  handler: PageFaultHandler | undefined = undefined;
  /** True while the fault handler runs: a fault inside it is not handled again. */
  #inHandler = false;
  /** The mapping change in progress on this thread (whose callback is running), or null. */
  #editing: string | null = null;
  /** True once this thread let go of the space (read on every copy: a plain field). */
  private released = false;
  /** The entry of this view's user count in this thread's holdings ledger (-1: none). */
  #held = -1;

  constructor(mem: PhysicalMemory, table: PageTable, control: SpaceControl) {
    super();
    const machine = ramOf(mem);
    this.mem = mem;
    this.machine = machine;
    this.shared = machine.shared;
    this.table = table;
    this.control = control;
    this.#flusher = new TlbFlusher(machine, control, this.tlb);
    this.i32 = machine.i32;
    this.u32 = machine.u32;
    this.ram = machine.bytes;
    this.epochIndex = control.epochIndex;
    this.runBytes = machine.bytes;
    this.runView = machine.view;
    this.tags = this.tlb.tags;
    this.paddrs = this.tlb.paddrs;
    this.perms = this.tlb.perms;
    this.pages = this.tlb.pages;
    this.seenEpoch = control.epoch();
  }

  /**
   * Allocates a new, empty address space in `mem`, with one user (the caller).
   *
   * @throws {VmError} `NoMemory` (nothing is left allocated).
   */
  static create(mem: PhysicalMemory): SpaceState {
    const ram = ramOf(mem);
    ram.reserveHoldings();
    const table = PageTable.create(mem);
    let control: SpaceControl;
    try {
      control = SpaceControl.create(ram);
    } catch (e) {
      table.destroy();
      throw e;
    }
    const state = new SpaceState(mem, table, control);
    state.hold();
    return state;
  }

  /** This thread's view of an existing space whose root and control block are given; the caller brings a user count. */
  static attach(mem: PhysicalMemory, root: number, ctrl: number): SpaceState {
    return new SpaceState(mem, new PageTable(mem, root), new SpaceControl(ramOf(mem), ctrl));
  }

  /**
   * Records this view's user count in this thread's holdings ledger (shared
   * RAM), so that reclaiming the thread releases it; the caller reserved an
   * entry before taking the count.
   */
  hold(): void {
    if (this.machine.holdings !== null) this.#held = this.machine.holdings.record(HOLD_SPACE, this.control.frame, this.table.root);
  }

  /** Whether this thread let go of the space. */
  get dead(): boolean {
    return this.released;
  }

  /** Throws if this thread let go of the space. */
  live(): void {
    if (this.released) useAfterDispose("VmSpace");
  }

  /** The TLB epoch: bumped by every change that removes or narrows a translation. */
  epoch(): number {
    return this.control.epoch();
  }

  // ---- translation: the MemorySpace of user memory ----

  /**
   * The run at `addr`: the common case (a TLB hit in step with the epoch,
   * within one page) right here, small enough for V8 to inline; everything
   * else in {@link SpaceState.runSlow}.
   */
  run(addr: number, len: number, write: boolean): number {
    return this.probe(addr, len, write) ? len : this.runSlow(addr, len, write);
  }

  /**
   * The fast path of {@link SpaceState.run} alone: true (with `runOffset`
   * set and `runSlice` cleared) when `[addr, addr + len)` is in one page
   * whose translation is cached for the access and in step with the epoch;
   * never walks the table or calls the fault handler. Small enough for V8
   * to inline into `run` and its callers.
   */
  override probe(addr: number, len: number, write: boolean): boolean {
    const vpn = Math.floor(addr / PAGE_SIZE);
    const slot = vpn & TLB_MASK;
    const offset = addr - vpn * PAGE_SIZE;
    if (
      offset + len <= PAGE_SIZE &&
      this.tags[slot] === vpn &&
      ((this.perms[slot] as number) & (write ? TLB_WRITE : TLB_READ)) !== 0 &&
      (this.shared ? Atomics.load(this.i32, this.epochIndex) : this.i32[this.epochIndex]) === this.seenEpoch
    ) {
      this.runOffset = (this.paddrs[slot] as number) + offset;
      this.runSlice = null;
      return true;
    }
    return false;
  }

  private runSlow(addr: number, len: number, write: boolean): number {
    // In step with the space's epoch? (A dead space has bumped it and flushed
    // this TLB, so death is noticed on the miss path, in translate.)
    this.syncTlb();
    const need = write ? TLB_WRITE : TLB_READ;
    const vpn = Math.floor(addr / PAGE_SIZE);
    const slot = vpn & TLB_MASK;
    const tags = this.tags;
    const perms = this.perms;
    const paddrs = this.paddrs;
    let paddr: number;
    if (tags[slot] === vpn && ((perms[slot] as number) & need) !== 0) paddr = paddrs[slot] as number;
    else {
      paddr = this.translate(vpn, write);
      if (paddr < 0) {
        paddr = this.fault(addr, vpn, write);
        if (paddr < 0) return 0;
      }
    }
    const offset = addr - vpn * PAGE_SIZE;
    this.runOffset = paddr + offset;
    let n = PAGE_SIZE - offset;
    if (n >= len) {
      this.runSlice = null;
      return len;
    }
    // Merge the following pages while they are cached and physically next.
    let expect = paddr + PAGE_SIZE;
    for (let v = vpn + 1; n < len; v++) {
      const s = v & TLB_MASK;
      if (tags[s] !== v || ((perms[s] as number) & need) === 0 || paddrs[s] !== expect) break;
      n += PAGE_SIZE;
      expect += PAGE_SIZE;
    }
    if (n === PAGE_SIZE) {
      // Exactly one whole page: hand out the slot's cached view of it.
      const pages = this.pages;
      this.runSlice = pages[slot] ?? (pages[slot] = this.ram.subarray(paddr, paddr + PAGE_SIZE));
      return n;
    }
    this.runSlice = null;
    return n < len ? n : len;
  }

  /** The TLB epoch (and liveness): changes when earlier runs may be stale. */
  generation(): number {
    return this.released ? -1 : this.shared ? Atomics.load(this.i32, this.epochIndex) : (this.i32[this.epochIndex] as number);
  }

  /** Flushes this thread's TLB if the epoch moved since it was last in step. */
  syncTlb(): void {
    const epoch = this.shared ? Atomics.load(this.i32, this.epochIndex) : (this.i32[this.epochIndex] as number);
    if (epoch !== this.seenEpoch) {
      this.tlb.flush();
      this.seenEpoch = epoch;
    }
  }

  /**
   * Walks the table for page `vpn`, sets ACCESSED (and DIRTY for a write),
   * caches the translation and returns the frame's physical address; -1
   * when the page is not mapped or does not allow the access.
   */
  translate(vpn: number, write: boolean): number {
    if (this.released) this.live();
    const i = this.table.leafIndex(vpn * PAGE_SIZE);
    if (i < 0) return -1;
    const u32 = this.u32;
    const lo = this.shared ? Atomics.load(u32, i) : (u32[i] as number);
    if ((lo & PTE_P) === 0) return -1;
    if (write && (lo & PTE_RW) === 0) return -1;
    const set = write ? PTE_A | PTE_D : PTE_A;
    if ((lo & set) !== set) {
      if (this.shared) Atomics.or(u32, i, set);
      else u32[i] = lo | set;
    }
    const dirty = write || (lo & PTE_D) !== 0;
    const paddr = frameOf(lo, u32[i + 1] as number) * PAGE_SIZE;
    this.tlb.fill(vpn, paddr, (lo & PTE_RW) !== 0 && dirty ? TLB_READ | TLB_WRITE : TLB_READ);
    return paddr;
  }

  /** Resolves a fault through the handler; returns the page's physical address, or -1 for a fault that stands. */
  private fault(addr: number, vpn: number, write: boolean): number {
    this.faultAddr = addr;
    this.faultWrite = write;
    const handler = this.handler;
    if (handler === undefined || this.#inHandler) return -1;
    let result: unknown;
    this.#inHandler = true;
    // The handler runs outside any critical section: it may unmap and map.
    const depth = this.machine.gp.suspend();
    try {
      result = handler({ address: addr, write });
    } catch (e) {
      return this.park(e);
    } finally {
      this.machine.gp.resume(depth);
      this.#inHandler = false;
    }
    if (typeof result !== "boolean") return this.park(badHandlerResult(result));
    if (!result) return -1;
    this.live();
    this.syncTlb();
    return this.translate(vpn, write);
  }

  /** Parks `error` for the access to rethrow once it has accounted for the bytes moved; the fault stands. */
  private park(error: unknown): number {
    this.pendingError = error;
    this.hasPendingError = true;
    return -1;
  }

  // ---- looking up a mapping ----

  /**
   * The mapping at page `va`, with one reference to its frame taken for the
   * caller (to adopt into a handle), or undefined when `va` is unmapped.
   * Takes no lock: on shared RAM it runs in a read-side critical section,
   * which keeps an unmap on another thread from dropping the mapping's own
   * reference (it waits for a grace period first) until this one is taken.
   */
  query(va: number): { frame: number; prop: PageProperty } | undefined {
    // The caller records the reference in this thread's ledger: room first.
    this.machine.reserveHoldings();
    if (!this.shared) return this.#queryIn(va);
    this.enter();
    try {
      return this.#queryIn(va);
    } finally {
      this.exit();
    }
  }

  #queryIn(va: number): { frame: number; prop: PageProperty } | undefined {
    const found = this.table.query(va);
    if (found !== undefined) {
      checkUserFrame(this.machine, found.frame);
      this.machine.frames.ref(found.frame, 1);
    }
    return found;
  }

  // ---- mapping changes and the end of the space ----

  /**
   * Runs mapping change `what` (e.g. `"CursorMut.map()"`): exclusive among
   * threads, and refused while this thread is inside a callback of another
   * change of this space.
   *
   * @throws {TypeError} `ERR_REENTERED`: called from a callback of a change in progress.
   * @throws {TypeError} the space was disposed.
   */
  edit<T>(what: string, change: () => T): T {
    const during = this.#editing;
    if (during !== null) reenteredFrom(what, during);
    this.live();
    this.control.lock();
    this.#editing = what;
    try {
      return change();
    } finally {
      this.#editing = null;
      this.control.unlock();
    }
  }

  /** Maps page `va` to `frame` (inside {@link SpaceState.edit}). */
  map(va: number, frame: number, prop: PageProperty): void {
    this.table.map(va, frame, prop);
  }

  /** Enters a critical section for an access on shared RAM (see `frame/grace-period.ts`). */
  override enter(): void {
    this.machine.gp.enter();
  }

  /** Leaves the critical section. */
  override exit(): void {
    this.machine.gp.exit();
  }

  /** Unmaps `[start, end)` (inside {@link SpaceState.edit}); returns the number of pages unmapped. */
  unmap(start: number, end: number): number {
    const released: number[] = [];
    const pages = this.table.unmap(start, end, released);
    if (released.length > 0) {
      this.#flusher.issue(start, end);
      this.#adopt(this.#flusher.dispatch());
      this.#flusher.retire(released);
    }
    return pages;
  }

  /** Gives mapped page `va`, which maps `frame`, property `prop` (inside {@link SpaceState.edit}). */
  protect(va: number, frame: number, prop: PageProperty): void {
    this.table.reprotect(va, frame, prop);
    this.#flusher.issue(va, va + PAGE_SIZE);
    this.#adopt(this.#flusher.dispatch());
    // No thread may still be writing through a translation that lost `W`.
    this.#flusher.synchronize();
  }

  /**
   * Adopts epoch `next` that this thread just made, without a flush: its
   * own TLB is already clean of what changed (unless another thread moved
   * the epoch too, in which case the next translation flushes).
   */
  #adopt(next: number): void {
    if (next === this.seenEpoch + 1) this.seenEpoch = next;
  }

  /**
   * Ends this thread's view of the space. The last user (on any thread)
   * unmaps everything and frees the page table and the control block.
   * All or nothing: if it throws, the space is as it was.
   *
   * @throws {TypeError} `ERR_REENTERED`: called from a callback of a change of
   *   this space (or, on shared RAM, while this thread holds its lock).
   * @throws {Error} `ERR_LOCK_TIMEOUT`: another thread held the space's lock
   *   past the bound. The space is as it was.
   */
  release(): void {
    if (this.released) return;
    const during = this.#editing;
    if (during !== null) reenteredFrom("VmSpace.dispose()", during);
    const control = this.control;
    // The lock first: if it cannot be had, nothing has changed yet.
    control.lock();
    let last = false;
    try {
      this.machine.dropHolding(this.#held);
      this.released = true;
      last = control.dropUser();
      if (last) {
        this.unmap(0, ALL);
        this.table.destroy();
      }
    } finally {
      control.unlock();
    }
    if (last) this.machine.frames.unref(control.frame, 1);
    this.tlb.flush();
  }
}

/** The `TypeError` for a fault handler that returned something other than a boolean. */
function badHandlerResult(result: unknown): TypeError {
  const kind = result === null ? "null" : typeof result;
  return withCode(
    new TypeError(`a page-fault handler must return a boolean (true: resolved, retry; false: the fault stands), returned ${kind}`),
    "ERR_INVALID_RETURN_VALUE",
  );
}

// A worker that exited with views of spaces it never disposed: reclaiming it
// releases each view as its dispose() would have (the last one frees the space).
registerReleaser(HOLD_SPACE, (ram, ctrl, root) => SpaceState.attach(ram.memory, root, ctrl).release());
