/**
 * The state of one address space: its page table, its control block in RAM,
 * and this thread's TLB for it.
 *
 * Safety contract:
 * - the page table and the control block (a typed frame holding the TLB
 *   epoch, the modification lock and the liveness flag) live in RAM, so every
 *   thread that attaches to the space shares them; the TLB, the fault
 *   handler and the `SpaceState` object itself are per thread;
 * - every mapping change runs under the space's lock (a no-op on unshared
 *   RAM), and every change that removes or narrows a translation (unmap,
 *   protect) invalidates this thread's TLB entries for it and bumps the
 *   epoch, which makes every other TLB of the space flush before its next
 *   translation — only then are the unmapped frames' references dropped;
 * - translations set ACCESSED (and DIRTY for writes) in the leaf entry
 *   before they are cached, as an MMU does.
 *
 * @module
 */

import { useAfterDispose } from "../base/contract.js";
import { PAGE_SIZE } from "../frame/page-size.js";
import type { PhysicalMemory } from "../frame/physical-memory.js";
import type { PageProperty } from "./page-property.js";
import { PageTable } from "./page-table.js";
import { PTE_A, PTE_D, PTE_P, PTE_RW } from "./pte.js";
import { TLB_READ, TLB_WRITE, Tlb } from "./tlb.js";

/** Control-block words (Int32 offsets from the block's start). */
const C_EPOCH = 0;
const C_DEAD = 1;
/** Words reserved for the threads layer (lock, attach count). */
export const C_LOCK = 2;
export const C_ATTACHED = 3;

/** A page-fault handler: true when it resolved the fault and the access should retry. */
export type PageFaultHandler = (fault: { readonly address: number; readonly write: boolean }) => boolean;

/**
 * One thread's view of an address space.
 *
 * @internal
 */
export class SpaceState {
  readonly mem: PhysicalMemory;
  readonly table: PageTable;
  /** Frame number of the control block. */
  readonly ctrl: number;
  private readonly ctrlIndex: number;
  private readonly i32: Int32Array;
  private readonly u32: Uint32Array;
  private readonly shared: boolean;
  readonly tlb = new Tlb();
  /** The epoch this thread's TLB is in step with. */
  seenEpoch: number;
  handler: PageFaultHandler | undefined = undefined;
  /** True while the fault handler runs: a fault inside it is not handled again. */
  inHandler = false;
  /** True once this thread dropped its reference to the control block. */
  private released = false;

  constructor(mem: PhysicalMemory, table: PageTable, ctrl: number) {
    this.mem = mem;
    this.table = table;
    this.ctrl = ctrl;
    this.ctrlIndex = (ctrl * PAGE_SIZE) / 4;
    this.i32 = mem._i32;
    this.u32 = mem._u32;
    this.shared = mem._shared;
    this.seenEpoch = this.epoch();
  }

  /** Allocates a new, empty address space in `mem`. */
  static create(mem: PhysicalMemory): SpaceState {
    const table = PageTable.create(mem);
    let ctrl: number;
    try {
      ctrl = mem._allocFrames(1, true, true);
    } catch (e) {
      table.destroy();
      throw e;
    }
    return new SpaceState(mem, table, ctrl);
  }

  /** Whether the space was disposed (by any thread). */
  get dead(): boolean {
    return this.released || Atomics.load(this.i32, this.ctrlIndex + C_DEAD) !== 0;
  }

  /** Throws if the space was disposed. */
  live(): void {
    if (this.dead) useAfterDispose("VmSpace");
  }

  /** The TLB epoch: bumped by every change that removes or narrows a translation. */
  epoch(): number {
    return Atomics.load(this.i32, this.ctrlIndex + C_EPOCH);
  }

  /** Flushes this thread's TLB if another thread changed the space since it was last in step. */
  syncTlb(): void {
    const epoch = this.shared ? Atomics.load(this.i32, this.ctrlIndex + C_EPOCH) : (this.i32[this.ctrlIndex + C_EPOCH] as number);
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
    if (pages > 0) {
      this.shootdown(start, end);
      for (const frame of released) this.mem._unrefFrames(frame, 1);
    }
    return pages;
  }

  /** Rewrites the property of mapped page `va`. */
  protect(va: number, prop: PageProperty): void {
    this.table.reprotect(va, prop);
    this.shootdown(va, va + PAGE_SIZE);
  }

  /**
   * Makes every thread stop using translations of `[start, end)`: drops this
   * thread's entries, then bumps the epoch so that every other TLB of the
   * space flushes before its next translation.
   */
  private shootdown(start: number, end: number): void {
    this.tlb.invalidate(start / PAGE_SIZE, end / PAGE_SIZE);
    const next = Atomics.add(this.i32, this.ctrlIndex + C_EPOCH, 1) + 1;
    // This thread's TLB is already clean: adopt the new epoch without a flush
    // (unless another thread moved it too, in which case syncTlb flushes).
    if (next === this.seenEpoch + 1) this.seenEpoch = next;
  }

  /**
   * Unmaps everything, frees the page table and marks the space dead for
   * every thread. The control block stays until every thread's object has
   * dropped its reference (see {@link SpaceState.release}).
   */
  destroy(): void {
    Atomics.store(this.i32, this.ctrlIndex + C_DEAD, 1);
    this.unmap(0, 2 ** 47);
    this.shootdown(0, 0);
    this.table.destroy();
    this.tlb.flush();
  }

  /** Drops this thread's reference to the control block; the state is unusable afterwards. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.tlb.flush();
    this.mem._unrefFrames(this.ctrl, 1);
  }
}
