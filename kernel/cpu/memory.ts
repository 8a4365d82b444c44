/**
 * The memory a hart executes against: its process's address space, seen
 * through the handful of scalar accesses an RV64GC user-mode CPU makes.
 *
 * Contract (what every implementation must guarantee, and what the hart
 * relies on):
 *
 * - **Addresses** are the 64-bit values the program computed, converted to
 *   non-negative numbers (`hi * 2^32 + (lo >>> 0)`, so values of 2^53 and
 *   more arrive rounded). Anything at or above 2^47 (Sv48 user space ends
 *   there) or otherwise not accessible must **throw**. The hart catches the
 *   throw, retires nothing and reports a `"fault"` exit carrying the thrown
 *   value; so throw whatever the kernel wants back (the kernel's
 *   implementation throws vmio's `VmError` `PageFault`).
 * - **Throw before any side effect.** A store, AMO or compare-and-swap that
 *   throws has written nothing (a misaligned store crossing into a bad page
 *   writes no byte of the good one). Faults that can be resolved (demand
 *   paging, copy-on-write) are resolved inside the memory and never reach
 *   the hart.
 * - **Misaligned** loads and stores must work, as Linux emulates them; the
 *   hart never hands a misaligned address to `amo*` or `cas*` (a misaligned
 *   AMO, LR or SC stops the hart with a `"misaligned"` exit instead).
 * - **Atomicity.** `amo*` and `cas*` are single atomic read-modify-writes
 *   of naturally aligned memory, correct when several harts on several
 *   workers share it (`Atomics` on a `SharedArrayBuffer`). Plain loads and
 *   stores may race, as RISC-V's RVWMO allows.
 * - **64-bit values** travel as two int32 halves: arguments `lo, hi`;
 *   results return the low half and leave the high half in {@link CpuMemory.hi}.
 *   This keeps every call allocation-free (no `bigint`, no array).
 *
 * Speed: the hart calls these methods for every load and store and for
 * every instruction fetch it has not cached, so an implementation should be
 * one class whose methods V8 can inline (monomorphic), with faults thrown
 * from a cold helper rather than inline.
 *
 * Counterparts: a RISC-V hart's load/store unit behind its MMU (Sv48); in
 * qemu-user, `cpu_ld*_data` / `cpu_st*_data` and the atomic helpers.
 *
 * @module
 */

/**
 * The operation of an AMO instruction (RISC-V "A" extension), encoded as the
 * instruction's `funct5` field so the hart passes it through unchanged.
 * `Min`/`Max` compare signed, `MinU`/`MaxU` unsigned; `Swap` stores the
 * operand. LR and SC are not AMOs here (see {@link CpuMemory.cas32}).
 */
export const AmoOp = {
  Add: 0b00000,
  Swap: 0b00001,
  Xor: 0b00100,
  Or: 0b01000,
  And: 0b01100,
  Min: 0b10000,
  Max: 0b10100,
  MinU: 0b11000,
  MaxU: 0b11100,
} as const;

/** One of the {@link AmoOp} values. */
export type AmoOp = (typeof AmoOp)[keyof typeof AmoOp];

/**
 * A hart's view of its process's address space (the kernel implements it
 * over a vmio `VmSpace`; {@link FlatMemory} implements it over one
 * `Uint8Array`). See the module documentation for the contract.
 */
export interface CpuMemory {
  /**
   * High 32 bits (as an int32) of the result of the last {@link CpuMemory.load64}
   * or {@link CpuMemory.amo64}. Read it right after the call.
   */
  hi: number;

  /** A 16-bit instruction parcel at `addr` (an execute access; `addr` is even): 0..65535. */
  fetch16(addr: number): number;
  /** The byte at `addr`: 0..255. */
  load8(addr: number): number;
  /** The little-endian u16 at `addr` (maybe misaligned): 0..65535. */
  load16(addr: number): number;
  /** The little-endian 32-bit word at `addr` (maybe misaligned), as an int32. */
  load32(addr: number): number;
  /** The little-endian 64-bit word at `addr` (maybe misaligned): returns the low half as an int32, leaves the high half in {@link CpuMemory.hi}. */
  load64(addr: number): number;
  /** Stores the low 8 bits of `v` at `addr`. */
  store8(addr: number, v: number): void;
  /** Stores the low 16 bits of `v` at `addr` (maybe misaligned), little-endian. */
  store16(addr: number, v: number): void;
  /** Stores the 32-bit `v` at `addr` (maybe misaligned), little-endian. */
  store32(addr: number, v: number): void;
  /** Stores the 64-bit value `hi:lo` (two int32 halves) at `addr` (maybe misaligned), little-endian. */
  store64(addr: number, lo: number, hi: number): void;

  /**
   * Atomically applies `op` with operand `v` to the aligned 32-bit word at
   * `addr` and returns the old value (int32). A write access even when the
   * value does not change. See {@link amo32Result} for the arithmetic.
   */
  amo32(op: AmoOp, addr: number, v: number): number;
  /**
   * Atomically applies `op` with operand `hi:lo` to the aligned 64-bit word
   * at `addr`; returns the old low half (int32) and leaves the old high half
   * in {@link CpuMemory.hi}. See {@link amo64Result}.
   */
  amo64(op: AmoOp, addr: number, lo: number, hi: number): number;
  /**
   * Atomically: if the aligned 32-bit word at `addr` equals `expected`
   * (compared as int32), stores `next` and returns true; else returns false
   * and stores nothing. It is a write access either way (as SC is): a page
   * that cannot be written throws even when the comparison fails.
   * The hart implements SC.W with it.
   */
  cas32(addr: number, expected: number, next: number): boolean;
  /** The 64-bit {@link CpuMemory.cas32}: compares `expHi:expLo`, stores `hi:lo`. The hart implements SC.D with it. */
  cas64(addr: number, expLo: number, expHi: number, lo: number, hi: number): boolean;
  /**
   * A full memory barrier (RISC-V `fence`): accesses before it are visible
   * to other workers before accesses after it. A no-op for memory no other
   * worker sees.
   */
  fence(): void;
}

/**
 * The new 32-bit value an AMO stores: `op` applied to the old value and the
 * operand (both int32). For implementations of {@link CpuMemory.amo32} that
 * cannot use a matching `Atomics` function (a compare-and-swap loop).
 */
export function amo32Result(op: AmoOp, old: number, v: number): number {
  switch (op) {
    case AmoOp.Add:
      return (old + v) | 0;
    case AmoOp.Swap:
      return v | 0;
    case AmoOp.Xor:
      return old ^ v;
    case AmoOp.Or:
      return old | v;
    case AmoOp.And:
      return old & v;
    case AmoOp.Min:
      return (old | 0) < (v | 0) ? old | 0 : v | 0;
    case AmoOp.Max:
      return (old | 0) > (v | 0) ? old | 0 : v | 0;
    case AmoOp.MinU:
      return old >>> 0 < v >>> 0 ? old | 0 : v | 0;
    case AmoOp.MaxU:
      return old >>> 0 > v >>> 0 ? old | 0 : v | 0;
  }
}

/**
 * The new 64-bit value an AMO stores, for implementations of
 * {@link CpuMemory.amo64} built on a compare-and-swap loop: returns the low
 * half (int32) and writes the high half to `out[0]`.
 */
export function amo64Result(op: AmoOp, oldLo: number, oldHi: number, lo: number, hi: number, out: Int32Array): number {
  let rl: number;
  let rh: number;
  switch (op) {
    case AmoOp.Add: {
      rl = (oldLo + lo) | 0;
      rh = (oldHi + hi + (rl >>> 0 < oldLo >>> 0 ? 1 : 0)) | 0;
      break;
    }
    case AmoOp.Swap:
      rl = lo;
      rh = hi;
      break;
    case AmoOp.Xor:
      rl = oldLo ^ lo;
      rh = oldHi ^ hi;
      break;
    case AmoOp.Or:
      rl = oldLo | lo;
      rh = oldHi | hi;
      break;
    case AmoOp.And:
      rl = oldLo & lo;
      rh = oldHi & hi;
      break;
    default: {
      // Min/Max: compare the high halves (signed or unsigned), then the low halves unsigned.
      const signed = op === AmoOp.Min || op === AmoOp.Max;
      const ah = signed ? oldHi | 0 : oldHi >>> 0;
      const bh = signed ? hi | 0 : hi >>> 0;
      const oldLess = ah < bh || (ah === bh && oldLo >>> 0 < lo >>> 0);
      const takeOld = op === AmoOp.Min || op === AmoOp.MinU ? oldLess : !oldLess;
      rl = takeOld ? oldLo : lo;
      rh = takeOld ? oldHi : hi;
    }
  }
  out[0] = rh | 0;
  return rl | 0;
}
