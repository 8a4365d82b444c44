/**
 * The hart's memory over a vmio `VmSpace`: every instruction fetch, load,
 * store and atomic of the guest goes through the process's page table and
 * TLB, and a fault enters the kernel's page-fault handler inside the access
 * (demand paging, copy-on-write, stack growth). A fault the handler cannot
 * resolve throws vmio's `VmError` out of the access, so the instruction
 * does not retire and the hart stops with a `"fault"` exit.
 *
 * This is the only file that knows how the CPU reaches user memory, so that
 * moving to a faster library path (a translation the interpreter caches and
 * shootdowns invalidate) stays a local change.
 *
 * Limits of the public API it works around (see the kernel's report):
 * - vmio's TLB does not check execute permission, so `fetch16` reads the
 *   page's entry through a cursor (once per page the fetches move to) and
 *   refuses pages without `X`;
 * - vmio has no 64-bit atomics on shared memory, so on shared RAM 64-bit
 *   AMOs and compare-and-swaps run under a lock shared by every CPU (atomic
 *   with respect to each other, not to plain stores of another CPU);
 * - on shared RAM, `readVal`/`writeVal` take vmio's general path.
 *
 * Counterpart: the hart's MMU (Sv48) and load/store unit; qemu-user's
 * `cpu_ld*_data`/`cpu_st*_data`.
 *
 * @module
 */

import { PAGE_SIZE, PageFlags, VmError, u16, u32, u64, u8, type VmSpace } from "vmio";
import { AmoOp, amo32Result, amo64Result, type CpuMemory } from "../cpu/memory.js";

const scratch = new Int32Array(1);

function notExecutable(addr: number): never {
  throw new VmError("PageFault", `instruction fetch from a page without execute permission at 0x${addr.toString(16)}`);
}

/**
 * A {@link CpuMemory} over a `VmSpace`, which must be the active space of
 * this thread while the hart runs.
 *
 * Counterpart: see the module documentation.
 */
export class SpaceMemory implements CpuMemory {
  hi = 0;
  readonly space: VmSpace;
  readonly #shared: boolean;
  /** Serialises 64-bit atomics across CPUs on shared RAM (an `Int32Array` word over a `SharedArrayBuffer`). */
  readonly #lock: Int32Array | undefined;
  /** The page last found executable (-1: none). */
  #execPage = -1;

  /**
   * @param space the address space.
   * @param lock on shared RAM, a lock word shared by every CPU for 64-bit atomics.
   */
  constructor(space: VmSpace, lock?: Int32Array) {
    this.space = space;
    this.#lock = lock;
    this.#shared = lock !== undefined;
  }

  /** Forgets which page was found executable (after `mprotect`, `munmap`, `execve`). */
  invalidateExec(): void {
    this.#execPage = -1;
  }

  fetch16(addr: number): number {
    const v = this.space.readVal(addr, u16);
    const page = Math.floor(addr / PAGE_SIZE);
    if (page !== this.#execPage) this.#checkExec(addr, page);
    return v;
  }

  #checkExec(addr: number, page: number): void {
    using c = this.space.cursor({ start: page * PAGE_SIZE, end: (page + 1) * PAGE_SIZE });
    const item = c.query().item;
    if (item === undefined) notExecutable(addr);
    item.frame.dispose();
    if ((item.prop.flags & PageFlags.X) === 0) notExecutable(addr);
    this.#execPage = page;
  }

  load8(addr: number): number {
    return this.space.readVal(addr, u8);
  }

  load16(addr: number): number {
    return this.space.readVal(addr, u16);
  }

  load32(addr: number): number {
    return this.space.readVal(addr, u32) | 0;
  }

  load64(addr: number): number {
    // Loads have no side effect, so two halves are exact even across pages.
    const lo = this.space.readVal(addr, u32) | 0;
    this.hi = this.space.readVal(addr + 4, u32) | 0;
    return lo;
  }

  store8(addr: number, v: number): void {
    this.space.writeVal(addr, u8, v & 0xff);
  }

  store16(addr: number, v: number): void {
    this.space.writeVal(addr, u16, v & 0xffff);
  }

  store32(addr: number, v: number): void {
    this.space.writeVal(addr, u32, v >>> 0);
  }

  store64(addr: number, lo: number, hi: number): void {
    if (addr % PAGE_SIZE <= PAGE_SIZE - 8) {
      // One page: once the first half is written the page is writable, so the second cannot fault.
      this.space.writeVal(addr, u32, lo >>> 0);
      this.space.writeVal(addr + 4, u32, hi >>> 0);
    } else {
      // Across pages: vmio checks every byte before writing any.
      this.space.writeVal(addr, u64, BigInt(hi >>> 0) * 4294967296n + BigInt(lo >>> 0));
    }
  }

  amo32(op: AmoOp, addr: number, v: number): number {
    if (!this.#shared) {
      const old = this.space.readVal(addr, u32) | 0;
      this.space.writeVal(addr, u32, amo32Result(op, old, v) >>> 0);
      return old;
    }
    const r = this.space.reader(addr, 4);
    const w = this.space.writer(addr, 4);
    let old = r.clone().readVal(u32);
    for (;;) {
      const [prev, done] = w.atomicCompareExchange(r, u32, old, amo32Result(op, old | 0, v) >>> 0);
      if (done) return old | 0;
      old = prev;
    }
  }

  amo64(op: AmoOp, addr: number, lo: number, hi: number): number {
    this.#acquire();
    try {
      const oldLo = this.space.readVal(addr, u32) | 0;
      const oldHi = this.space.readVal(addr + 4, u32) | 0;
      const newLo = amo64Result(op, oldLo, oldHi, lo, hi, scratch);
      this.space.writeVal(addr, u32, newLo >>> 0);
      this.space.writeVal(addr + 4, u32, (scratch[0] as number) >>> 0);
      this.hi = oldHi;
      return oldLo;
    } finally {
      this.#release();
    }
  }

  cas32(addr: number, expected: number, next: number): boolean {
    if (this.#shared) {
      const r = this.space.reader(addr, 4);
      return this.space.writer(addr, 4).atomicCompareExchange(r, u32, expected >>> 0, next >>> 0)[1];
    }
    const old = this.space.readVal(addr, u32) | 0;
    // A write access either way (as SC is): a failed comparison stores the old value back.
    const ok = old === (expected | 0);
    this.space.writeVal(addr, u32, (ok ? next : old) >>> 0);
    return ok;
  }

  cas64(addr: number, expLo: number, expHi: number, lo: number, hi: number): boolean {
    this.#acquire();
    try {
      const oldLo = this.space.readVal(addr, u32) | 0;
      const oldHi = this.space.readVal(addr + 4, u32) | 0;
      const ok = oldLo === (expLo | 0) && oldHi === (expHi | 0);
      this.space.writeVal(addr, u32, (ok ? lo : oldLo) >>> 0);
      this.space.writeVal(addr + 4, u32, (ok ? hi : oldHi) >>> 0);
      return ok;
    } finally {
      this.#release();
    }
  }

  fence(): void {
    // Any Atomics operation is a full barrier; unshared memory cannot be observed.
    if (this.#lock !== undefined) Atomics.add(this.#lock, 1, 0);
  }

  #acquire(): void {
    const lock = this.#lock;
    if (lock === undefined) return;
    while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) Atomics.wait(lock, 0, 1, 1);
  }

  #release(): void {
    const lock = this.#lock;
    if (lock === undefined) return;
    Atomics.store(lock, 0, 0);
    Atomics.notify(lock, 0, 1);
  }
}
