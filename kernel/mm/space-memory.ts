/**
 * The hart's memory over a vmio `VmSpace`: every instruction fetch, load,
 * store and atomic of the guest goes through the process's page table and
 * TLB — vmio's emulator fast path, `VmSpace.mmu()` — and a fault enters the
 * kernel's page-fault handler inside the access (demand paging,
 * copy-on-write, stack growth). A fault the handler cannot resolve throws
 * vmio's `VmError` out of the access, so the instruction does not retire
 * and the hart stops with a `"fault"` exit.
 *
 * This is the only file that knows how the CPU reaches user memory. The
 * `Mmu` checks execute permission on fetches, is invalidated by every
 * shootdown (`munmap`, `mprotect`, `execve`, on any CPU), and does 64-bit
 * compare-and-swap atomically on shared RAM, so 64-bit AMOs are CAS loops
 * like the 32-bit ones.
 *
 * Counterpart: the hart's MMU (Sv48) and load/store unit; qemu-user's
 * `cpu_ld*_data`/`cpu_st*_data`.
 *
 * @module
 */

import type { Mmu, VmSpace } from "vmio";
import { AmoOp, amo32Result, amo64Result, type CpuMemory } from "../cpu/memory.js";

const scratch = new Int32Array(1);

/**
 * A {@link CpuMemory} over a `VmSpace` (its `Mmu` on this thread).
 *
 * Counterpart: see the module documentation.
 */
export class SpaceMemory implements CpuMemory {
  hi = 0;
  readonly space: VmSpace;
  readonly #mmu: Mmu;
  /** On shared RAM, the word `fence` touches (an `Int32Array` over a `SharedArrayBuffer`). */
  readonly #fenceWord: Int32Array | undefined;

  /**
   * @param space the address space.
   * @param lock on shared RAM, a word shared by every CPU (`fence` touches it).
   */
  constructor(space: VmSpace, lock?: Int32Array) {
    this.space = space;
    this.#mmu = space.mmu();
    this.#fenceWord = lock;
  }

  fetch16(addr: number): number {
    return this.#mmu.fetch16(addr);
  }

  load8(addr: number): number {
    return this.#mmu.load8(addr);
  }

  load16(addr: number): number {
    return this.#mmu.load16(addr);
  }

  load32(addr: number): number {
    return this.#mmu.load32(addr);
  }

  load64(addr: number): number {
    const mmu = this.#mmu;
    const lo = mmu.load64(addr);
    this.hi = mmu.hi;
    return lo;
  }

  store8(addr: number, v: number): void {
    this.#mmu.store8(addr, v);
  }

  store16(addr: number, v: number): void {
    this.#mmu.store16(addr, v);
  }

  store32(addr: number, v: number): void {
    this.#mmu.store32(addr, v);
  }

  store64(addr: number, lo: number, hi: number): void {
    this.#mmu.store64(addr, lo, hi);
  }

  amo32(op: AmoOp, addr: number, v: number): number {
    const mmu = this.#mmu;
    let old = mmu.load32(addr);
    for (;;) {
      const prev = mmu.compareExchange32(addr, old, amo32Result(op, old, v));
      if (prev === old) return old;
      old = prev;
    }
  }

  amo64(op: AmoOp, addr: number, lo: number, hi: number): number {
    const mmu = this.#mmu;
    let oldLo = mmu.load64(addr);
    let oldHi = mmu.hi;
    for (;;) {
      const newLo = amo64Result(op, oldLo, oldHi, lo, hi, scratch);
      const prevLo = mmu.compareExchange64(addr, oldLo, oldHi, newLo, scratch[0] as number);
      const prevHi = mmu.hi;
      if (prevLo === oldLo && prevHi === oldHi) {
        this.hi = oldHi;
        return oldLo;
      }
      oldLo = prevLo;
      oldHi = prevHi;
    }
  }

  cas32(addr: number, expected: number, next: number): boolean {
    return this.#mmu.compareExchange32(addr, expected, next) === (expected | 0);
  }

  cas64(addr: number, expLo: number, expHi: number, lo: number, hi: number): boolean {
    const mmu = this.#mmu;
    return mmu.compareExchange64(addr, expLo, expHi, lo, hi) === (expLo | 0) && mmu.hi === (expHi | 0);
  }

  fence(): void {
    // Any Atomics operation is a full barrier; unshared memory cannot be observed.
    if (this.#fenceWord !== undefined) Atomics.add(this.#fenceWord, 1, 0);
  }
}
