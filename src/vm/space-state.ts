/**
 * One thread's view of an address space: its page table and control block
 * (shared by every thread, in RAM), this thread's TLB for it, and — as the
 * copy engine's `MemorySpace` — the translation of user virtual addresses
 * into runs of RAM.
 *
 * Safety contract:
 * - the page table and the control block (a typed frame holding the TLB
 *   epoch, the modification lock and the liveness flag) live in RAM, so every
 *   thread that attaches to the space shares them; the TLB, the fault
 *   handler and this object are per thread;
 * - every change that removes or narrows a translation (unmap, protect)
 *   invalidates this thread's TLB entries for it and bumps the epoch, which
 *   makes every other TLB of the space flush before its next translation;
 *   only then are the unmapped frames' references dropped;
 * - `run(addr, len, write)` returns only bytes of pages that are mapped and
 *   allow the access, so a copy stops exactly at the first byte that faults.
 *   A translation comes from the TLB when it is in step with the epoch, else
 *   from a page-table walk, which sets ACCESSED (and DIRTY for a write) in
 *   the leaf entry before caching it, as an MMU does. Pages after the first
 *   are merged into a run only while they hit the TLB and their frames are
 *   physically consecutive, so merging never sets a bit on a page the copy
 *   may not reach;
 * - on a fault the page-fault handler, if any, is called once for that
 *   byte; if it returns `true` the translation is retried once, and a
 *   handler that claims success without fixing anything ends the access with
 *   a fault instead of looping. A handler's exception is parked and rethrown
 *   by the reader or writer after its cursor has accounted for the bytes
 *   moved. While the handler runs, faults on the space are not handled again.
 *
 * @module
 */

import { useAfterDispose } from "../base/contract.js";
import { HOLD_SPACE } from "../frame/holdings.js";
import { FLAG_TYPED } from "../frame/meta.js";
import { PAGE_SIZE } from "../frame/page-size.js";
import { ramOf, type PhysicalMemory } from "../frame/physical-memory.js";
import type { Ram } from "../frame/ram.js";
import { registerReleaser } from "../frame/reclaim.js";
import { MemorySpace } from "../io/memory-space.js";
import type { PageProperty } from "./page-property.js";
import { PageTable } from "./page-table.js";
import { PTE_A, PTE_D, PTE_P, PTE_RW } from "./pte.js";
import { TLB_ENTRIES, TLB_READ, TLB_WRITE, Tlb } from "./tlb.js";

/** Control-block words (Int32 offsets from the block's start). */
const C_EPOCH = 0;
/** Serialises mapping changes (a futex lock; used on shared RAM only). */
const C_LOCK = 1;
/** Number of `VmSpace` objects (on any thread) and unattached share tokens of the space. */
const C_USERS = 2;

/** A page-fault handler: true when it resolved the fault and the access should retry. */
export type PageFaultHandler = (fault: { readonly address: number; readonly write: boolean }) => boolean;

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
  /** Frame number of the control block. */
  readonly ctrl: number;
  /** Int32 index (in RAM's `i32`) of the control block's epoch word. */
  readonly epochIndex: number;
  private readonly ctrlIndex: number;
  private readonly i32: Int32Array;
  private readonly u32: Uint32Array;
  private readonly ram: Uint8Array;
  readonly tlb = new Tlb();
  // The TLB's arrays, held directly: `run` is the hottest function of user access.
  private readonly tags: Float64Array;
  private readonly paddrs: Float64Array;
  private readonly perms: Uint8Array;
  private readonly pages: Array<Uint8Array | undefined>;
  /** The epoch this thread's TLB is in step with. */
  seenEpoch: number;
  handler: PageFaultHandler | undefined = undefined;
  /** True while the fault handler runs: a fault inside it is not handled again. */
  inHandler = false;
  /** True once this thread dropped its reference to the control block. */
  private released = false;
  /** The entry of this view's user count in this thread's holdings ledger (-1: none). */
  held = -1;

  constructor(mem: PhysicalMemory, table: PageTable, ctrl: number) {
    super();
    this.mem = mem;
    this.machine = ramOf(mem);
    this.shared = this.machine.shared;
    this.table = table;
    this.ctrl = ctrl;
    this.ctrlIndex = (ctrl * PAGE_SIZE) / 4;
    this.epochIndex = this.ctrlIndex + C_EPOCH;
    this.i32 = this.machine.i32;
    this.u32 = this.machine.u32;
    this.ram = this.machine.bytes;
    this.runBytes = this.machine.bytes;
    this.runView = this.machine.view;
    this.tags = this.tlb.tags;
    this.paddrs = this.tlb.paddrs;
    this.perms = this.tlb.perms;
    this.pages = this.tlb.pages;
    this.seenEpoch = this.epoch();
  }

  /** Allocates a new, empty address space in `mem`, with one user (the caller). */
  static create(mem: PhysicalMemory): SpaceState {
    const ram = ramOf(mem);
    ram.reserveHoldings();
    const table = PageTable.create(mem);
    let ctrl: number;
    try {
      ctrl = ram.frames.alloc(1, true, FLAG_TYPED);
    } catch (e) {
      table.destroy();
      throw e;
    }
    Atomics.store(ram.i32, (ctrl * PAGE_SIZE) / 4 + C_USERS, 1);
    const state = new SpaceState(mem, table, ctrl);
    state.hold();
    return state;
  }

  /** This thread's view of an existing space whose root and control block are given; the caller brings a user count. */
  static attach(mem: PhysicalMemory, root: number, ctrl: number): SpaceState {
    return new SpaceState(mem, new PageTable(mem, root), ctrl);
  }

  /**
   * Records this view's user count in this thread's holdings ledger (shared
   * RAM), so that reclaiming the thread releases it; the caller reserved an
   * entry before taking the count.
   */
  hold(): void {
    if (this.machine.holdings !== null) this.held = this.machine.holdings.record(HOLD_SPACE, this.ctrl, this.table.root);
  }

  /** Counts one more user of the space (a share token). */
  addUser(): void {
    Atomics.add(this.i32, this.ctrlIndex + C_USERS, 1);
  }

  /** Whether this thread's view was released. */
  get dead(): boolean {
    return this.released;
  }

  /** Throws if the space was disposed. */
  live(): void {
    if (this.dead) useAfterDispose("VmSpace");
  }

  /** The TLB epoch: bumped by every change that removes or narrows a translation. */
  epoch(): number {
    return Atomics.load(this.i32, this.epochIndex);
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
    const vpn = Math.floor(addr / 4096); // PAGE_SIZE
    const slot = vpn & 1023; // TLB_ENTRIES - 1
    const offset = addr - vpn * 4096;
    if (
      offset + len <= 4096 &&
      this.tags[slot] === vpn &&
      ((this.perms[slot] as number) & (write ? 2 : 1)) !== 0 &&
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
    const epoch = this.shared ? Atomics.load(this.i32, this.epochIndex) : (this.i32[this.epochIndex] as number);
    if (epoch !== this.seenEpoch) this.resync(epoch);
    const need = write ? TLB_WRITE : TLB_READ;
    const vpn = Math.floor(addr / PAGE_SIZE);
    const slot = vpn & (TLB_ENTRIES - 1);
    let paddr: number;
    if (this.tags[slot] === vpn && ((this.perms[slot] as number) & need) !== 0) paddr = this.paddrs[slot] as number;
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
    const tags = this.tags;
    const perms = this.perms;
    const paddrs = this.paddrs;
    let expect = paddr + PAGE_SIZE;
    for (let v = vpn + 1; n < len; v++) {
      const s = v & (TLB_ENTRIES - 1);
      if (tags[s] !== v || ((perms[s] as number) & need) === 0 || paddrs[s] !== expect) break;
      n += PAGE_SIZE;
      expect += PAGE_SIZE;
    }
    if (n === PAGE_SIZE) {
      // Exactly one whole page: hand out the slot's cached view of it.
      this.runSlice = this.pages[slot] ?? (this.pages[slot] = this.ram.subarray(paddr, paddr + PAGE_SIZE));
      return n;
    }
    this.runSlice = null;
    return n < len ? n : len;
  }

  /** The TLB epoch (and liveness): changes when earlier runs may be stale. */
  generation(): number {
    return this.released ? -1 : this.shared ? Atomics.load(this.i32, this.epochIndex) : (this.i32[this.epochIndex] as number);
  }

  /** Brings this thread's TLB in step with `epoch` (a flush). */
  resync(epoch: number): void {
    this.tlb.flush();
    this.seenEpoch = epoch;
  }

  /** Flushes this thread's TLB if another thread changed the space since it was last in step. */
  syncTlb(): void {
    const epoch = this.shared ? Atomics.load(this.i32, this.epochIndex) : (this.i32[this.epochIndex] as number);
    if (epoch !== this.seenEpoch) this.resync(epoch);
  }

  /**
   * Walks the table for page `vpn`, sets ACCESSED (and DIRTY for a write),
   * caches the translation and returns the frame's physical address; -1
   * when the page is not mapped or does not allow the access.
   */
  translate(vpn: number, write: boolean): number {
    if (this.dead) this.live();
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
    const paddr = ((lo >>> 12) + ((u32[i + 1] as number) & 0xf_ffff) * 0x10_0000) * PAGE_SIZE;
    this.tlb.fill(vpn, paddr, (lo & PTE_RW) !== 0 && dirty ? TLB_READ | TLB_WRITE : TLB_READ);
    return paddr;
  }

  /** Resolves a fault through the handler; returns the page's physical address, or -1 for a fault that stands. */
  private fault(addr: number, vpn: number, write: boolean): number {
    const handler = this.handler;
    if (handler !== undefined && !this.inHandler) {
      let resolved: boolean;
      this.inHandler = true;
      // The handler runs outside any critical section: it may unmap and map.
      const depth = this.machine.gp.suspend();
      try {
        resolved = handler({ address: addr, write }) === true;
      } catch (e) {
        this.pendingError = e;
        this.hasPendingError = true;
        this.faultAddr = addr;
        this.faultWrite = write;
        return -1;
      } finally {
        this.machine.gp.resume(depth);
        this.inHandler = false;
      }
      if (resolved) {
        this.live();
        this.syncTlb();
        const paddr = this.translate(vpn, write);
        if (paddr >= 0) return paddr;
      }
    }
    this.faultAddr = addr;
    this.faultWrite = write;
    return -1;
  }

  // ---- mapping changes (the caller serialises them) ----

  /**
   * Maps page `va` to `frame`.
   *
   * @throws {RangeError} the page is mapped already. @throws {VmError} `NoMemory`.
   */
  map(va: number, frame: number, prop: PageProperty): void {
    this.table.map(va, frame, prop);
  }

  /** Unmaps `[start, end)`; returns the number of pages unmapped. */
  unmap(start: number, end: number): number {
    const released: number[] = [];
    const pages = this.table.unmap(start, end, released);
    if (released.length > 0) {
      this.shootdown(start, end);
      // Only once no thread can still be copying through an old translation
      // (or walking an unlinked node) may the frames go back to the allocator.
      this.machine.gp.retire(released);
    }
    return pages;
  }

  /** Rewrites the property of mapped page `va`. */
  protect(va: number, prop: PageProperty): void {
    this.table.reprotect(va, prop);
    this.shootdown(va, va + PAGE_SIZE);
    // No thread may still be writing through a translation that lost `W`.
    this.machine.gp.synchronize();
  }

  /** Runs a mapping change exclusively with respect to other threads (a no-op lock on unshared RAM). */
  exclusive<T>(f: () => T): T {
    if (!this.shared) return f();
    this.machine.lock(this.ctrlIndex + C_LOCK, "a VmSpace's page-table lock");
    try {
      return f();
    } finally {
      this.machine.unlock(this.ctrlIndex + C_LOCK);
    }
  }

  /** Enters a critical section for an access on shared RAM (see grace-period.ts). */
  override enter(): void {
    this.machine.gp.enter();
  }

  /** Leaves the critical section. */
  override exit(): void {
    this.machine.gp.exit();
  }

  /**
   * Makes every thread stop using translations of `[start, end)`: drops this
   * thread's entries, then bumps the epoch so that every other TLB of the
   * space flushes before its next translation.
   */
  private shootdown(start: number, end: number): void {
    this.tlb.invalidate(start / PAGE_SIZE, end / PAGE_SIZE);
    const next = Atomics.add(this.i32, this.epochIndex, 1) + 1;
    // This thread's TLB is already clean: adopt the new epoch without a flush
    // (unless another thread moved it too, in which case the next run flushes).
    if (next === this.seenEpoch + 1) this.seenEpoch = next;
  }

  /**
   * Ends this thread's view of the space. The last user (on any thread)
   * unmaps everything and frees the page table and the control block.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.tlb.flush();
    this.machine.dropHolding(this.held);
    if (Atomics.sub(this.i32, this.ctrlIndex + C_USERS, 1) === 1) {
      this.exclusive(() => {
        this.unmap(0, 2 ** 47);
        this.shootdown(0, 0);
        this.table.destroy();
      });
      this.machine.frames.unref(this.ctrl, 1);
    }
  }
}

// A worker that exited with views of spaces it never disposed: reclaiming it
// releases each view as its dispose() would have (the last one frees the space).
registerReleaser(HOLD_SPACE, (ram, ctrl, root) => SpaceState.attach(ram.memory, root, ctrl).release());
