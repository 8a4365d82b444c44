/**
 * The guest's linear memory as the preview1 functions see it during one
 * host call: cached views, bounds and alignment checks, and the few scalar
 * and byte moves a syscall needs.
 *
 * Every pointer a syscall receives is checked here (`inBounds`, `aligned`)
 * before the syscall's first side effect, so a call with one bad pointer
 * changes nothing (API.md, `vmio/wasi`). Views are re-read only when
 * `memory.buffer` is a different object from the cached one — after
 * `memory.grow()`, by the guest or by user code the host called back —
 * so the common call pays no builtin getter twice.
 *
 * @module
 */

/** The part of a `WebAssembly.Memory` the host uses (the tsconfig has no DOM lib). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** Views of a guest's linear memory, refreshed after growth. */
export class GuestAccess {
  readonly #memory: WasmMemory;
  #buffer: ArrayBuffer | SharedArrayBuffer;
  /** Every byte of linear memory. */
  u8: Uint8Array;
  /** The same bytes, for little-endian scalars. */
  dv: DataView;
  /** Bytes of linear memory now. */
  size: number;

  constructor(memory: WasmMemory) {
    this.#memory = memory;
    this.#buffer = memory.buffer;
    this.u8 = new Uint8Array(this.#buffer);
    this.dv = new DataView(this.#buffer);
    this.size = this.u8.length;
  }

  /** Picks up a grown memory. Call at the start of a host call and after calling out to user code. */
  refresh(): void {
    const buffer = this.#memory.buffer;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.u8 = new Uint8Array(buffer);
      this.dv = new DataView(buffer);
      this.size = this.u8.length;
    }
  }

  /** True when `[ptr, ptr + len)` lies inside memory (`ptr` and `len` unsigned wasm32 values). */
  inBounds(ptr: number, len: number): boolean {
    return ptr + len <= this.size;
  }

  /** A copy of guest bytes `[ptr, ptr + len)` (checked by the caller). */
  copyOut(ptr: number, len: number): Uint8Array {
    return this.u8.slice(ptr, ptr + len);
  }

  u32(ptr: number): number {
    return this.dv.getUint32(ptr, true);
  }
  u64(ptr: number): bigint {
    return this.dv.getBigUint64(ptr, true);
  }
  setU8(ptr: number, value: number): void {
    this.u8[ptr] = value;
  }
  setU16(ptr: number, value: number): void {
    this.dv.setUint16(ptr, value, true);
  }
  setU32(ptr: number, value: number): void {
    this.dv.setUint32(ptr, value, true);
  }
  setU64(ptr: number, value: bigint): void {
    this.dv.setBigUint64(ptr, value, true);
  }
  /** Writes a u64 that fits in a number, without a bigint. */
  setU64n(ptr: number, value: number): void {
    this.dv.setUint32(ptr, value >>> 0, true);
    this.dv.setUint32(ptr + 4, Math.floor(value / 0x1_0000_0000), true);
  }
}

/** True when `ptr` is a multiple of `align` (a power of two). */
export function aligned(ptr: number, align: number): boolean {
  return (ptr & (align - 1)) === 0;
}
