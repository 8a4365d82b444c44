/**
 * `Mmu`: the emulator fast path. Translation that an interpreter can afford
 * on every load, store and instruction fetch: a TLB hit is a tag compare,
 * an add and one `DataView` access, with the walk, the page-fault handler
 * and every error out of line.
 *
 * Values travel as numbers only: 8/16/32-bit loads return them, 64-bit ones
 * are two int32 halves (the low half returned, the high half left in
 * {@link Mmu.hi}), so no `bigint` and no object is made per access.
 *
 * Safety contract (the same as `VmSpace.readVal`/`writeVal`):
 * - an access reaches only pages that are mapped and allow it: reads need
 *   `R`, writes `W`, fetches `R` and `X`. A miss walks the page table,
 *   which sets ACCESSED (and DIRTY for a write) as an MMU does; a page that
 *   is not mapped, or does not allow the access, goes to the space's
 *   page-fault handler (demand paging, copy-on-write), and when that does
 *   not resolve it the access throws `VmError` `PageFault`. A store that
 *   throws wrote nothing: a store across two pages has both translated
 *   for writing before its first byte is written;
 * - the cache is this thread's TLB of the space, so every shootdown
 *   (unmap, protect — on any thread) invalidates it: on unshared RAM each
 *   change goes through the one object that owns the TLB and drops the
 *   entries at once; on shared RAM every access compares the space's TLB
 *   epoch: a store (or a load that misses) runs in a read-side critical
 *   section (`frame/grace-period.ts`), so no frame is freed while it can
 *   still reach it, and a load that hits is a validated read — the value,
 *   then the epoch, which must not have moved — which cannot return a
 *   freed frame's new contents (the argument is at
 *   `SpaceState.validatedLoad`);
 * - addresses are plain numbers: one at or past `MAX_USERSPACE_VADDR`, or
 *   not a non-negative integer, never hits the TLB and throws `VmError`
 *   `AccessDenied` (`TypeError` when it is not a number);
 * - after `VmSpace.dispose()` every access throws a `TypeError`.
 *
 * An `Mmu` is bound to its space, as a hart's `satp` is: it needs no
 * `activate()`.
 *
 * OSTD counterpart: none (OSTD runs on the hardware MMU); this is QEMU's
 * softmmu TLB (`cpu_ld*_mmu`, `tlb_fill`) over a vmio `VmSpace`.
 *
 * @module
 */

import { illegalConstructor, invalidType, outOfRange } from "../base/contract.js";
import { PAGE_SIZE as importedPAGE_SIZE } from "../frame/page-size.js";
import type { GracePeriod } from "../frame/grace-period.js";
import { VmError } from "../io/vm-error.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, type SpaceState } from "./space-state.js";
import { TLB_INDEX_MASK as importedTLB_INDEX_MASK } from "./tlb.js";

// Module-local copies of imported constants: V8 folds these (see space-state.ts).
const PAGE_SIZE = importedPAGE_SIZE;
/** `(va >>> 10) & SLOT` is the first word of `va`'s TLB slot: read tag, write tag, execute tag, delta (`Tlb.entries`). */
const SLOT = importedTLB_INDEX_MASK;
const OFFSET_MASK = PAGE_SIZE - 1;
/** 2^47 − PAGE_SIZE (`MAX_USERSPACE_VADDR`, not imported: vm-space.ts imports this module). */
const USER_END = 0x8000_0000_0000 - PAGE_SIZE;

/** TLB hits, misses and shootdowns of one thread's view of a space. */
export interface TlbStats {
  /** Accesses (and copy runs) whose translation came from this thread's TLB. */
  readonly hits: number;
  /** Translations that walked the page table (a fault's retry counts again). */
  readonly misses: number;
  /** Times this thread's TLB was flushed whole (a shootdown from another thread, a large unmap, the end of the space). */
  readonly flushes: number;
  /**
   * Shootdowns of the space so far, by every thread: changes that removed or
   * narrowed translations (each unmap or protect that changed something).
   */
  readonly shootdowns: number;
}

/** The state an `Mmu` under construction takes, set by {@link newMmu} and taken (and cleared) by its first field's initializer. */
let pendingState: SpaceState | undefined;

function takePendingState(): SpaceState {
  const state = pendingState;
  pendingState = undefined;
  if (state === undefined) illegalConstructor("Mmu", "use VmSpace.mmu()");
  return state;
}

/**
 * This thread's emulator fast path over `state` (`VmSpace.mmu()`).
 *
 * @internal
 */
export function newMmu(state: SpaceState): Mmu {
  pendingState = state;
  return new Mmu();
}

/**
 * The emulator fast path over one thread's view of a `VmSpace` (see the
 * module documentation). Get it with `VmSpace.mmu()`.
 *
 * OSTD counterpart: none (QEMU's softmmu TLB).
 */
export class Mmu {
  // Read on every access, and truly private: a user who could write a tag
  // or a delta could reach any byte of RAM. Each is defined once, with its
  // value, by its initializer (the state comes from `newMmu`), never
  // `undefined` first and assigned in a constructor: V8 then keeps the
  // fields "const", and TurboFan folds them — the TLB array, the RAM view,
  // `shared` — into an emulator's code when its `Mmu` is a constant of that
  // code (a closure's or a module's `const`). See VmSpace's `#state`.
  readonly #state: SpaceState = takePendingState();
  readonly #tlb: Float64Array = this.#state.tlb.entries;
  readonly #view: DataView = this.#state.machine.view;
  readonly #shared: boolean = this.#state.shared;
  /** TLB hits of this fast path (the space's other paths count theirs in the state). */
  #hits = 0;
  #i64: BigInt64Array | undefined;
  // Shared RAM only: RAM as 32-bit words for 64-bit validated loads, and the space's epoch word.
  readonly #ram32: Int32Array = this.#state.machine.i32;
  readonly #epochIndex: number = this.#state.control.epochIndex;
  readonly #gp: GracePeriod = this.#state.machine.gp;
  // Set by the constructor, not by an initializer: with `useDefineForClassFields: false` TypeScript makes a public
  // field's initializer a constructor assignment, and then moves every other initializer there too, behind an
  // `undefined` definition of each field — a second store, which would make the fields above mutable again.
  /** High half (int32) of the value of the last {@link Mmu.load64} or {@link Mmu.compareExchange64}. */
  declare hi: number;

  /**
   * @internal Use `VmSpace.mmu()`.
   *
   * @throws {TypeError} `ERR_ILLEGAL_CONSTRUCTOR` when not made by `VmSpace.mmu()`.
   */
  constructor() {
    this.hi = 0;
  }

  /** This path's TLB hits (for `VmSpace.tlbStats()`). @internal */
  hitCount(): number {
    return this.#hits;
  }

  // ---- the hit paths: small enough for V8 to inline into an interpreter ----
  // Each width repeats the same four lines on purpose: one shared helper
  // taking the tag array and the size would see every width's feedback
  // (polymorphic) and cost an interpreter a call per access when V8 does
  // not inline it into every method.
  // `va & OFFSET_MASK` and `va >>> 12` see the low 32 bits of any safe
  // integer exactly; a tag is a page's base address, so only an access
  // inside a cached user page can hit, whatever `va` is.

  /**
   * Fetches the 16-bit instruction parcel at `va` (an execute access: the
   * page needs `R` and `X`).
   *
   * @throws {VmError} `PageFault` (not mapped, not executable, unresolved); `AccessDenied` (outside user space).
   */
  fetch16(va: number): number {
    const off = va & OFFSET_MASK;
    const s = (va >>> 10) & SLOT;
    const base = va - off;
    if (off <= PAGE_SIZE - 2 && this.#tlb[s + 2] === base) {
      if (this.#shared) return this.#sharedLoad(va, 2, ACCESS_EXEC);
      this.#hits++;
      return this.#view.getUint16((this.#tlb[s + 3] as number) + base + off, true);
    }
    return this.#slowLoad(va, 2, ACCESS_EXEC);
  }

  /**
   * Fetches the 32-bit instruction word at `va` (maybe across two pages), as an int32.
   *
   * @throws {VmError} as {@link Mmu.fetch16}.
   */
  fetch32(va: number): number {
    const off = va & OFFSET_MASK;
    const s = (va >>> 10) & SLOT;
    const base = va - off;
    if (off <= PAGE_SIZE - 4 && this.#tlb[s + 2] === base) {
      if (this.#shared) return this.#sharedLoad(va, 4, ACCESS_EXEC);
      this.#hits++;
      return this.#view.getInt32((this.#tlb[s + 3] as number) + base + off, true);
    }
    return this.#slowLoad(va, 4, ACCESS_EXEC);
  }

  /**
   * The byte at `va`: 0..255.
   *
   * @throws {VmError} `PageFault` (not mapped or not readable, unresolved); `AccessDenied` (outside user space).
   * @throws {TypeError} `va` is not a number; the space was disposed.
   */
  load8(va: number): number {
    const off = va & OFFSET_MASK;
    const s = (va >>> 10) & SLOT;
    const base = va - off;
    if (this.#tlb[s] === base) {
      if (this.#shared) return this.#sharedLoad(va, 1, ACCESS_READ);
      this.#hits++;
      return this.#view.getUint8((this.#tlb[s + 3] as number) + base + off);
    }
    return this.#missLoad(va, 1);
  }

  /**
   * The little-endian u16 at `va` (maybe misaligned, maybe across pages): 0..65535.
   *
   * @throws {VmError} as {@link Mmu.load8}.
   */
  load16(va: number): number {
    const off = va & OFFSET_MASK;
    const s = (va >>> 10) & SLOT;
    const base = va - off;
    if (off <= PAGE_SIZE - 2 && this.#tlb[s] === base) {
      if (this.#shared) return this.#sharedLoad(va, 2, ACCESS_READ);
      this.#hits++;
      return this.#view.getUint16((this.#tlb[s + 3] as number) + base + off, true);
    }
    return this.#missLoad(va, 2);
  }

  /**
   * The little-endian 32-bit word at `va` (maybe misaligned, maybe across pages), as an int32.
   *
   * @throws {VmError} as {@link Mmu.load8}.
   */
  load32(va: number): number {
    const off = va & OFFSET_MASK;
    const s = (va >>> 10) & SLOT;
    const base = va - off;
    if (off <= PAGE_SIZE - 4 && this.#tlb[s] === base) {
      if (this.#shared) return this.#sharedLoad(va, 4, ACCESS_READ);
      this.#hits++;
      return this.#view.getInt32((this.#tlb[s + 3] as number) + base + off, true);
    }
    return this.#missLoad(va, 4);
  }

  /**
   * The little-endian 64-bit word at `va` (maybe misaligned, maybe across
   * pages): returns the low half as an int32 and leaves the high half in
   * {@link Mmu.hi}. Not atomic: two 32-bit loads.
   *
   * @throws {VmError} as {@link Mmu.load8}.
   */
  load64(va: number): number {
    const off = va & OFFSET_MASK;
    const s = (va >>> 10) & SLOT;
    const base = va - off;
    if (off <= PAGE_SIZE - 8 && this.#tlb[s] === base) {
      if (this.#shared) return this.#sharedLoad(va, 8, ACCESS_READ);
      this.#hits++;
      const p = (this.#tlb[s + 3] as number) + base + off;
      const view = this.#view;
      this.hi = view.getInt32(p + 4, true);
      return view.getInt32(p, true);
    }
    return this.#missLoad(va, 8);
  }

  /**
   * Stores the low 8 bits of `v` at `va`.
   *
   * @throws {VmError} `PageFault` (not mapped or not writable, unresolved); `AccessDenied` (outside user space).
   * @throws {TypeError} `va` is not a number; the space was disposed.
   */
  store8(va: number, v: number): void {
    const off = va & OFFSET_MASK;
    const s = (va >>> 10) & SLOT;
    const base = va - off;
    if (this.#tlb[s + 1] === base) {
      if (this.#shared) return this.#sharedStore(va, 1, v, 0);
      this.#hits++;
      this.#view.setUint8((this.#tlb[s + 3] as number) + base + off, v);
      return;
    }
    this.#slowStore(va, 1, v, 0);
  }

  /**
   * Stores the low 16 bits of `v` at `va` (maybe misaligned, maybe across pages), little-endian.
   *
   * @throws {VmError} as {@link Mmu.store8}; a store that throws wrote nothing.
   */
  store16(va: number, v: number): void {
    const off = va & OFFSET_MASK;
    const s = (va >>> 10) & SLOT;
    const base = va - off;
    if (off <= PAGE_SIZE - 2 && this.#tlb[s + 1] === base) {
      if (this.#shared) return this.#sharedStore(va, 2, v, 0);
      this.#hits++;
      this.#view.setUint16((this.#tlb[s + 3] as number) + base + off, v, true);
      return;
    }
    this.#slowStore(va, 2, v, 0);
  }

  /**
   * Stores the 32-bit `v` at `va` (maybe misaligned, maybe across pages), little-endian.
   *
   * @throws {VmError} as {@link Mmu.store8}; a store that throws wrote nothing.
   */
  store32(va: number, v: number): void {
    const off = va & OFFSET_MASK;
    const s = (va >>> 10) & SLOT;
    const base = va - off;
    if (off <= PAGE_SIZE - 4 && this.#tlb[s + 1] === base) {
      if (this.#shared) return this.#sharedStore(va, 4, v, 0);
      this.#hits++;
      this.#view.setInt32((this.#tlb[s + 3] as number) + base + off, v, true);
      return;
    }
    this.#slowStore(va, 4, v, 0);
  }

  /**
   * Stores the 64-bit value `hi:lo` (two 32-bit halves) at `va` (maybe
   * misaligned, maybe across pages), little-endian. Not atomic.
   *
   * @throws {VmError} as {@link Mmu.store8}; a store that throws wrote nothing.
   */
  store64(va: number, lo: number, hi: number): void {
    const off = va & OFFSET_MASK;
    const s = (va >>> 10) & SLOT;
    const base = va - off;
    if (off <= PAGE_SIZE - 8 && this.#tlb[s + 1] === base) {
      if (this.#shared) return this.#sharedStore(va, 8, lo, hi);
      this.#hits++;
      const p = (this.#tlb[s + 3] as number) + base + off;
      const view = this.#view;
      view.setInt32(p, lo, true);
      view.setInt32(p + 4, hi, true);
      return;
    }
    this.#slowStore(va, 8, lo, hi);
  }

  /**
   * A load on shared RAM whose page is cached: a validated read
   * (`SpaceState.validatedLoad`, where the argument for it is), else the
   * slow path. A 64-bit value is read as two aligned halves, both before
   * the one epoch check (it may tear, as a plain load may on RISC-V).
   */
  #sharedLoad(va: number, size: number, access: number): number {
    const state = this.#state;
    if (size !== 8) {
      const v = state.validatedLoad(va, size, access === ACCESS_EXEC ? 2 : 0);
      if (v === v) return v;
      return this.#slowLoad(va, size, access);
    }
    const i32 = this.#ram32;
    const off = va & OFFSET_MASK;
    const s = (va >>> 10) & SLOT;
    if ((off & 7) === 0 && this.#tlb[s] === va - off) {
      const p = ((this.#tlb[s + 3] as number) + va) / 4;
      const v = Atomics.load(i32, p);
      const hi = Atomics.load(i32, p + 1);
      if (Atomics.load(i32, this.#epochIndex) === state.seenEpoch) {
        this.#hits++;
        this.hi = hi;
        return v;
      }
    }
    return this.#slowLoad(va, 8, access);
  }

  /**
   * A store on shared RAM whose page is cached: inside a read-side critical
   * section (so the frame cannot be freed under it), in step with the epoch
   * checked inside the section; else the slow path.
   */
  #sharedStore(va: number, size: number, lo: number, hi: number): void {
    const gp = this.#gp;
    gp.enter();
    let done = false;
    try {
      if (Atomics.load(this.#ram32, this.#epochIndex) === this.#state.seenEpoch) {
        const off = va & OFFSET_MASK;
        const base = va - off;
        const s = (va >>> 10) & SLOT;
        if (this.#tlb[s + 1] === base) {
          const p = (this.#tlb[s + 3] as number) + base + off;
          const view = this.#view;
          switch (size) {
            case 1:
              view.setUint8(p, lo);
              break;
            case 2:
              view.setUint16(p, lo, true);
              break;
            case 4:
              view.setInt32(p, lo, true);
              break;
            default:
              view.setInt32(p, lo, true);
              view.setInt32(p + 4, hi, true);
          }
          this.#hits++;
          done = true;
        }
      }
    } finally {
      gp.exit();
    }
    if (!done) this.#slowStore(va, size, lo, hi);
  }

  // ---- atomics (aligned; a write access even when nothing changes) ----

  /**
   * Atomically: if the aligned 32-bit word at `va` equals `expected`
   * (compared as 32-bit patterns), stores `next`. Returns the old value as
   * an int32 (the exchange happened when it equals `expected | 0`). A write
   * access either way, as RISC-V's SC and AMOs are. Atomic with respect to
   * every other thread's `Atomics` operation on the same word (on shared
   * RAM; unshared RAM has one thread).
   *
   * @throws {RangeError} `va` is not a multiple of 4 (`ERR_OUT_OF_RANGE`).
   * @throws {VmError} as {@link Mmu.store8}.
   */
  compareExchange32(va: number, expected: number, next: number): number {
    if (typeof va !== "number") this.#outside(va);
    if (va % 4 !== 0) outOfRange("va", "a multiple of 4", va);
    const state = this.#state;
    state.enter();
    try {
      const p = this.#translate(va, ACCESS_WRITE);
      if (!this.#shared) {
        const old = this.#view.getInt32(p, true);
        if (old === (expected | 0)) this.#view.setInt32(p, next, true);
        return old;
      }
      return Atomics.compareExchange(state.machine.i32, p / 4, expected | 0, next | 0);
    } finally {
      state.exit();
    }
  }

  /**
   * The 64-bit {@link Mmu.compareExchange32}: compares the aligned 64-bit
   * word at `va` with `expHi:expLo`, stores `hi:lo` when equal; returns the
   * old low half (int32) and leaves the old high half in {@link Mmu.hi}.
   * Atomic on shared RAM (`Atomics.compareExchange` on a `BigInt64Array`:
   * the `bigint`s are made here, on this slower path only).
   *
   * @throws {RangeError} `va` is not a multiple of 8 (`ERR_OUT_OF_RANGE`).
   * @throws {VmError} as {@link Mmu.store8}.
   */
  compareExchange64(va: number, expLo: number, expHi: number, lo: number, hi: number): number {
    if (typeof va !== "number") this.#outside(va);
    if (va % 8 !== 0) outOfRange("va", "a multiple of 8", va);
    const state = this.#state;
    state.enter();
    try {
      const p = this.#translate(va, ACCESS_WRITE);
      const view = this.#view;
      if (!this.#shared) {
        const oldLo = view.getInt32(p, true);
        const oldHi = view.getInt32(p + 4, true);
        if (oldLo === (expLo | 0) && oldHi === (expHi | 0)) {
          view.setInt32(p, lo, true);
          view.setInt32(p + 4, hi, true);
        }
        this.hi = oldHi;
        return oldLo;
      }
      const i64 = (this.#i64 ??= new BigInt64Array(view.buffer, 0, view.buffer.byteLength >>> 3));
      const exp = BigInt.asIntN(64, (BigInt(expHi | 0) << 32n) | BigInt(expLo >>> 0));
      const val = BigInt.asIntN(64, (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0));
      const old = Atomics.compareExchange(i64, p / 8, exp, val);
      this.hi = Number(BigInt.asIntN(32, old >> 32n));
      return Number(BigInt.asIntN(32, old));
    } finally {
      state.exit();
    }
  }

  // ---- out of line ----

  /**
   * A read load that missed the TLB: the common miss (`SpaceState.missValue`,
   * out of line) on unshared RAM, else {@link Mmu.#slowLoad}. Small, so that
   * the load that calls it inlines it and a miss costs one call, not two.
   */
  #missLoad(va: number, size: number): number {
    if (!this.#shared && typeof va === "number") {
      // The common miss (a walk-cache hit, nothing to set): no critical section on unshared RAM, no fault to raise.
      const p = this.#state.missValue(va, size, false);
      if (p >= 0) return size === 4 ? this.#view.getInt32(p, true) : size === 2 ? this.#view.getUint16(p, true) : size === 1 ? this.#view.getUint8(p) : this.#load64At(p);
    }
    return this.#slowLoad(va, size, ACCESS_READ);
  }

  /**
   * A load that missed the TLB (or runs on shared RAM, or crosses a page):
   * translates every page it touches, then reads. Inside a critical section
   * on shared RAM.
   */
  #slowLoad(va: number, size: number, access: number): number {
    if (typeof va !== "number") this.#outside(va);
    const state = this.#state;
    state.enter();
    try {
      // `&`, not `%` (a floating-point remainder on addresses past 2^31); a bad `va` is refused by `#translate` before any byte is read.
      const off = va & OFFSET_MASK;
      const view = this.#view;
      if (off + size <= PAGE_SIZE) {
        const p = this.#translate(va, access);
        switch (size) {
          case 1:
            return view.getUint8(p);
          case 2:
            return view.getUint16(p, true);
          case 4:
            return view.getInt32(p, true);
          default:
            this.hi = view.getInt32(p + 4, true);
            return view.getInt32(p, true);
        }
      }
      // Across two pages: byte by byte (loads have no side effect, so a
      // fault on the second page after reading the first is exact).
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < size; i++) {
        const b = view.getUint8(this.#translate(va + i, access));
        if (i < 4) lo |= b << (8 * i);
        else hi |= b << (8 * (i - 4));
      }
      if (size === 8) this.hi = hi;
      return size === 2 ? lo & 0xffff : lo;
    } finally {
      state.exit();
    }
  }

  /** The 64-bit word at physical address `p`: the low half, the high half left in {@link Mmu.hi}. */
  #load64At(p: number): number {
    this.hi = this.#view.getInt32(p + 4, true);
    return this.#view.getInt32(p, true);
  }

  /** A store that missed the TLB (or runs on shared RAM, or crosses a page). */
  #slowStore(va: number, size: number, lo: number, hi: number): void {
    if (typeof va !== "number") this.#outside(va);
    const state = this.#state;
    state.enter();
    try {
      const off = va & OFFSET_MASK;
      const view = this.#view;
      let p = this.#translate(va, ACCESS_WRITE);
      if (off + size > PAGE_SIZE) {
        // Across two pages: both must be writable before any byte is
        // written. The second page's fault handler may have changed the
        // first page: translate it again (a TLB hit unless it changed).
        const second = va - off + PAGE_SIZE;
        let q = this.#translate(second, ACCESS_WRITE);
        for (let tries = 0; ; tries++) {
          const again = this.#translate(va, ACCESS_WRITE);
          const q2 = this.#translate(second, ACCESS_WRITE);
          if (again === p && q2 === q) break;
          if (tries === 2) this.#fault(va, ACCESS_WRITE);
          p = again;
          q = q2;
        }
        const firstLen = PAGE_SIZE - off;
        for (let i = 0; i < size; i++) {
          const b = (i < 4 ? lo >>> (8 * i) : hi >>> (8 * (i - 4))) & 0xff;
          view.setUint8(i < firstLen ? p + i : q + (i - firstLen), b);
        }
        return;
      }
      switch (size) {
        case 1:
          view.setUint8(p, lo);
          return;
        case 2:
          view.setUint16(p, lo, true);
          return;
        case 4:
          view.setInt32(p, lo, true);
          return;
        default:
          view.setInt32(p, lo, true);
          view.setInt32(p + 4, hi, true);
      }
    } finally {
      state.exit();
    }
  }

  /**
   * The physical address of `va` for `access`, from the TLB (in step with
   * the epoch) or the walk and the fault handler; throws for a fault that
   * stands. The caller is in its critical section.
   */
  #translate(va: number, access: number): number {
    const state = this.#state;
    if (!(va >= 0 && va < USER_END && Math.floor(va) === va)) this.#outside(va);
    state.syncTlb();
    const off = va & OFFSET_MASK;
    const base = va - off;
    const s = (va >>> 10) & SLOT;
    if (this.#tlb[s + (access === ACCESS_WRITE ? 1 : access === ACCESS_EXEC ? 2 : 0)] === base) {
      this.#hits++;
      return (this.#tlb[s + 3] as number) + va;
    }
    const paddr = state.translateOrFault(va, access);
    if (paddr < 0) this.#fault(va, access);
    return paddr + off;
  }

  /** Throws for an address that is not a user address (or not a number). */
  #outside(va: unknown): never {
    if (typeof va !== "number") invalidType("va", "a number", va);
    this.#state.live();
    throw new VmError("AccessDenied", `address ${va} is outside user space [0, MAX_USERSPACE_VADDR)`);
  }

  /** Throws what a fault that stands at `va` ends the access with. */
  #fault(va: number, access: number): never {
    const error = this.#state.takePendingError();
    if (error !== undefined) throw error.error;
    this.#state.live();
    const what = access === ACCESS_WRITE ? "write to" : access === ACCESS_EXEC ? "instruction fetch from" : "read of";
    throw new VmError("PageFault", `page fault: ${what} 0x${va.toString(16)}`);
  }
}
