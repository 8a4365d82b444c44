/**
 * `FlatMemory`: a {@link CpuMemory} over one `Uint8Array`, every byte
 * readable, writable and executable, everything outside it a fault.
 *
 * For tests, and as the speed baseline of the kernel's benchmark (the same
 * hart over this and over a vmio `VmSpace`), so it is as fast as a plain
 * typed-array access allows: one bounds check and one `DataView` access per
 * call, faults thrown from a cold helper. Over a `SharedArrayBuffer` its
 * AMOs and compare-and-swaps use `Atomics`, so harts on several workers can
 * share it.
 *
 * Counterpart: the flat guest RAM of an emulator without an MMU (qemu's
 * `softmmu` bypassed), or a `WebAssembly.Memory`.
 *
 * @module
 */

import { AmoOp, amo32Result, amo64Result, type CpuMemory } from "./memory.js";
import { checkInteger, contractViolation, invalidType } from "./contract.js";

/** What a {@link FlatMemory} throws for an access outside its bytes. */
export class MemoryFault extends Error {
  /** The address of the access. */
  readonly address: number;

  constructor(address: number) {
    super(`memory fault at 0x${address.toString(16)}`);
    this.name = "MemoryFault";
    this.address = address;
  }
}

function fault(address: number): never {
  throw new MemoryFault(address);
}

const scratch = new Int32Array(1);
const fenceCell = new Int32Array(typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(4) : new ArrayBuffer(4));

/**
 * Guest memory `[base, base + bytes.length)` over `bytes`.
 *
 * Counterpart: see the module documentation.
 */
export class FlatMemory implements CpuMemory {
  /** High half of the last 64-bit load or AMO. */
  hi = 0;
  /** The bytes: address `a` is `bytes[a - base]`. */
  readonly bytes: Uint8Array;
  /** The address of `bytes[0]`. */
  readonly base: number;
  /** Whether `bytes` is over a `SharedArrayBuffer` (atomics then use `Atomics`). */
  readonly shared: boolean;

  readonly #view: DataView;
  readonly #size: number;
  readonly #i32: Int32Array | undefined;
  readonly #i64: BigInt64Array | undefined;

  /**
   * Memory over `bytes` (or `size` fresh zero bytes) at address `base`.
   *
   * @throws {TypeError} `bytes` is neither a `Uint8Array` nor a number.
   * @throws {RangeError} a size below 8 or above 2^32, `base` not a multiple of 8 or past 2^47, or
   *   shared `bytes` whose offset in its buffer is not a multiple of 8.
   */
  constructor(bytes: Uint8Array | number, base = 0) {
    if (typeof bytes === "number") bytes = new Uint8Array(checkInteger("size", bytes, 8, 2 ** 32));
    else if (!(bytes instanceof Uint8Array)) invalidType("bytes", "a Uint8Array or a size", bytes);
    else checkInteger("bytes.length", bytes.length, 8, 2 ** 32);
    checkInteger("base", base, 0, 2 ** 47 - bytes.length);
    if (base % 8 !== 0) contractViolation(`FlatMemory base must be a multiple of 8, received ${base}`);
    this.bytes = bytes;
    this.base = base;
    this.#size = bytes.length;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.shared = typeof SharedArrayBuffer === "function" && bytes.buffer instanceof SharedArrayBuffer;
    if (this.shared) {
      if (bytes.byteOffset % 8 !== 0) contractViolation("shared FlatMemory bytes must start at a multiple of 8 in their buffer");
      this.#i32 = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
      this.#i64 = new BigInt64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 3);
    }
  }

  /** The offset of the `n`-byte access at `addr`, or a fault. */
  #at(addr: number, n: number): number {
    const i = addr - this.base;
    if (!(i >= 0 && i <= this.#size - n)) fault(addr);
    return i;
  }

  fetch16(addr: number): number {
    return this.#view.getUint16(this.#at(addr, 2), true);
  }

  load8(addr: number): number {
    return this.bytes[this.#at(addr, 1)]!;
  }

  load16(addr: number): number {
    return this.#view.getUint16(this.#at(addr, 2), true);
  }

  load32(addr: number): number {
    return this.#view.getInt32(this.#at(addr, 4), true);
  }

  load64(addr: number): number {
    const i = this.#at(addr, 8);
    this.hi = this.#view.getInt32(i + 4, true);
    return this.#view.getInt32(i, true);
  }

  store8(addr: number, v: number): void {
    this.bytes[this.#at(addr, 1)] = v;
  }

  store16(addr: number, v: number): void {
    this.#view.setUint16(this.#at(addr, 2), v, true);
  }

  store32(addr: number, v: number): void {
    this.#view.setInt32(this.#at(addr, 4), v, true);
  }

  store64(addr: number, lo: number, hi: number): void {
    const i = this.#at(addr, 8);
    this.#view.setInt32(i, lo, true);
    this.#view.setInt32(i + 4, hi, true);
  }

  amo32(op: AmoOp, addr: number, v: number): number {
    const i = this.#at(addr, 4);
    const a = this.#i32;
    if (a === undefined) {
      const old = this.#view.getInt32(i, true);
      this.#view.setInt32(i, amo32Result(op, old, v), true);
      return old;
    }
    const k = i >>> 2;
    switch (op) {
      case AmoOp.Add:
        return Atomics.add(a, k, v);
      case AmoOp.Swap:
        return Atomics.exchange(a, k, v);
      case AmoOp.Xor:
        return Atomics.xor(a, k, v);
      case AmoOp.Or:
        return Atomics.or(a, k, v);
      case AmoOp.And:
        return Atomics.and(a, k, v);
      default:
        for (;;) {
          const old = Atomics.load(a, k);
          if (Atomics.compareExchange(a, k, old, amo32Result(op, old, v)) === old) return old;
        }
    }
  }

  amo64(op: AmoOp, addr: number, lo: number, hi: number): number {
    const i = this.#at(addr, 8);
    const a = this.#i64;
    if (a === undefined) {
      const oldLo = this.#view.getInt32(i, true);
      const oldHi = this.#view.getInt32(i + 4, true);
      const newLo = amo64Result(op, oldLo, oldHi, lo, hi, scratch);
      this.#view.setInt32(i, newLo, true);
      this.#view.setInt32(i + 4, scratch[0]!, true);
      this.hi = oldHi;
      return oldLo;
    }
    const k = i >>> 3;
    const v = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
    let old: bigint;
    switch (op) {
      case AmoOp.Add:
        old = Atomics.add(a, k, v);
        break;
      case AmoOp.Swap:
        old = Atomics.exchange(a, k, v);
        break;
      case AmoOp.Xor:
        old = Atomics.xor(a, k, v);
        break;
      case AmoOp.Or:
        old = Atomics.or(a, k, v);
        break;
      case AmoOp.And:
        old = Atomics.and(a, k, v);
        break;
      default:
        for (;;) {
          old = Atomics.load(a, k);
          const oldLo = Number(BigInt.asIntN(32, old));
          const oldHi = Number(old >> 32n);
          const newLo = amo64Result(op, oldLo, oldHi, lo, hi, scratch);
          const next = (BigInt(scratch[0]!) << 32n) | BigInt(newLo >>> 0);
          if (Atomics.compareExchange(a, k, old, next) === old) break;
        }
    }
    this.hi = Number(old >> 32n);
    return Number(BigInt.asIntN(32, old));
  }

  cas32(addr: number, expected: number, next: number): boolean {
    const i = this.#at(addr, 4);
    const a = this.#i32;
    if (a !== undefined) return Atomics.compareExchange(a, i >>> 2, expected, next) === expected;
    if (this.#view.getInt32(i, true) !== (expected | 0)) return false;
    this.#view.setInt32(i, next, true);
    return true;
  }

  cas64(addr: number, expLo: number, expHi: number, lo: number, hi: number): boolean {
    const i = this.#at(addr, 8);
    const a = this.#i64;
    if (a !== undefined) {
      const expected = (BigInt(expHi) << 32n) | BigInt(expLo >>> 0);
      const next = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
      return Atomics.compareExchange(a, i >>> 3, expected, next) === expected;
    }
    if (this.#view.getInt32(i, true) !== (expLo | 0) || this.#view.getInt32(i + 4, true) !== (expHi | 0)) return false;
    this.#view.setInt32(i, lo, true);
    this.#view.setInt32(i + 4, hi, true);
    return true;
  }

  fence(): void {
    // An atomic read-modify-write is a full barrier on every engine's
    // targets (x86 `lock`, Arm `ldaxr/stlxr` + `dmb`); JavaScript has no
    // standalone fence. Unshared memory cannot be observed: nothing to do.
    if (this.shared) Atomics.add(fenceCell, 0, 0);
  }
}
