/**
 * `GuestMemory`: a WebAssembly guest's linear memory as fallible user memory.
 *
 * Safety contract:
 * - addresses are wasm32 pointers: an int32 or uint32, read as unsigned
 *   (`-1` is `0xFFFF_FFFF`); lengths are wasm32 sizes, read the same way.
 *   Host arguments that no guest `i32` can produce are contract violations
 *   (`TypeError`/`RangeError`); everything a guest can produce ends, at
 *   worst, in a `VmError`;
 * - bytes `[0, size())` are accessible and everything past the end faults
 *   like an unmapped page, with no wrap-around at 2^32. Readers and writers
 *   may extend past the end: their copies stop exactly there (`PageFault`,
 *   `copied` exact). The `VmIo` methods are all-or-nothing: a range that is
 *   not wholly inside memory is `PageFault` and nothing is touched. A range
 *   `[ptr, ptr + len)` is inside when `ptr + len <= size()`, so an empty
 *   range is inside at any `ptr <= size()`;
 * - every access sees the memory's current size and buffer: a growth during
 *   the same host call (a re-entrant guest call, another thread) is seen,
 *   and readers made before a `grow()` keep working. A resizable
 *   `ArrayBuffer` may also shrink: bytes past its new end fault from then on;
 * - on shared memory the one-instruction accesses (`readOnce`, `writeOnce`,
 *   and the readers' and writers' `atomicLoad`/`atomicCompareExchange`) use
 *   `Atomics`; plain copies race freely, as wasm's own plain accesses do.
 *   A misaligned guest address is `InvalidArgs` for `readOnce`/`writeOnce`;
 *   for a reader's or writer's atomics it stays what the io layer makes it
 *   everywhere (a `RangeError`, OSTD's assertion), so a host checks the
 *   alignment of a guest pointer before it makes a cursor for an atomic.
 *
 * @module
 */

import { contractViolation, detachedBuffer, invalidType } from "../base/contract.js";
import { isDetached, plainBytes } from "../base/buffers.js";
import { checkBytes } from "../base/validate.js";
import { requireOnce } from "../io/access-errors.js";
import { atomicLoad, atomicStore } from "../io/atomic-access.js";
import type { Fallibility, Fallible } from "../io/fallibility.js";
import { VmError } from "../io/vm-error.js";
import type { VmIo, VmIoFill, VmIoOnce } from "../io/vm-io.js";
import { VmReader, newReader } from "../io/vm-reader.js";
import { VmWriter, newWriter } from "../io/vm-writer.js";
import { descriptorOf, notPodType, type PodDescriptor, type PodOnceType, type PodType } from "../pod/pod-type.js";
import { GuestSpace, memoryBuffer, type WebAssemblyMemory } from "./guest-space.js";
import { WASM32_LIMIT, badU32, toU32 } from "./wasm32.js";

/**
 * A WebAssembly guest's linear memory — a `WebAssembly.Memory`, or an
 * `ArrayBuffer`/`SharedArrayBuffer` (resizable and growable ones too) — as
 * fallible user memory at wasm32 addresses. It is a `VmIo` object, and
 * hands out fallible readers and writers, like a `VmSpace`.
 *
 * OSTD counterpart: the current user space (`VmSpace`'s `reader`/`writer`)
 * of a process whose address space is one region at 0; WASI counterpart:
 * wasmtime's `GuestMemory`.
 */
export class GuestMemory implements VmIo, VmIoFill, VmIoOnce {
  readonly #space: GuestSpace;
  /**
   * The space's views as `readVal`/`writeVal` last took them: the same
   * objects, possibly stale. Stale is safe by the space's own rule (a
   * grown non-shared memory detached the old buffer, whose views read as
   * length 0; the old buffer of a shared memory stays valid for the bytes
   * it covers; a resizable buffer's views track it), so a value inside
   * `#bytes.length` is read from `#view` with no look at the space. Held
   * here, not reached through `#space`, because that is one dependent load
   * and one map check less per value (TurboFan cannot pin the map of the
   * space's `runBytes` holder: the field's type is generalized by the
   * space's later stores). Both start as empty views, never `undefined`:
   * a field whose first value is `undefined` has its type generalized, and
   * TurboFan then checks the map of every view it loads from it.
   */
  #bytes: Uint8Array = noBytes;
  #view: DataView = noView;

  /**
   * Guest memory over `memory`: a `WebAssembly.Memory` (its buffer is
   * followed through `grow()`), or a buffer used as it is.
   *
   * @throws {TypeError} `memory` is none of those, or the buffer is detached.
   * @throws {RangeError} the buffer can be larger than 4 GiB (not wasm32).
   */
  constructor(memory: WebAssemblyMemory | ArrayBuffer | SharedArrayBuffer) {
    const fromMemory = memoryBuffer(memory);
    if (fromMemory !== undefined) {
      this.#space = new GuestSpace(memory as WebAssemblyMemory, fromMemory);
      this.#bytes = this.#space.runBytes;
      this.#view = this.#space.runView;
      return;
    }
    if (!isBuffer(memory)) {
      invalidType("memory", "a WebAssembly.Memory, an ArrayBuffer or a SharedArrayBuffer", memory);
    }
    if (isDetached(memory)) detachedBuffer();
    const max = (memory as { maxByteLength?: number }).maxByteLength ?? memory.byteLength;
    if (max > WASM32_LIMIT) contractViolation(`guest memory can hold at most 4 GiB (wasm32); this buffer can hold ${max} bytes`);
    this.#space = new GuestSpace(null, memory);
    this.#bytes = this.#space.runBytes;
    this.#view = this.#space.runView;
  }

  /**
   * The memory's current length in bytes: follows `memory.grow()` (on this
   * thread or another) and `buffer.resize()`/`grow()`. A detached buffer
   * (transferred away) has length 0.
   *
   * WASI counterpart: `memory.size` × 64 KiB.
   */
  size(): number {
    return this.#space.size();
  }

  /** Whether the memory is a `SharedArrayBuffer` (threads): one-instruction accesses then use `Atomics`. */
  get shared(): boolean {
    return this.#space.shared;
  }

  /** @internal The memory space, for the user-memory helpers' direct paths. */
  get _space(): GuestSpace {
    return this.#space;
  }

  /**
   * Checks that `[ptr, ptr + len)` is wholly inside memory now, and returns
   * `ptr` as an unsigned address. This is how a host call validates every
   * guest pointer before its first side effect (a `fd_write` with one bad
   * pointer must write nothing): check them all, then act. The answer holds
   * until the memory shrinks, which only a resizable `ArrayBuffer` can.
   *
   * WASI counterpart: wasmtime's `GuestPtr` bounds validation; Linux
   * counterpart: `access_ok`, against the real end of memory.
   *
   * @throws {VmError} `PageFault` (`copied` 0) when the range is not inside memory.
   * @throws {TypeError | RangeError} `ptr` or `len` is not an int32/uint32.
   */
  check(ptr: number, len: number): number {
    const p = toU32(ptr, "ptr");
    const n = toU32(len, "len");
    const s = this.#space;
    if (p + n > s.runBytes.length && !s.covers(p + n)) outside(s, p, n);
    return p;
  }

  /**
   * A fallible reader over guest bytes `[ptr, ptr + len)`. The range may
   * extend past the end of memory: reads stop there with a `PageFault`. The
   * reader keeps working after the memory grows.
   *
   * OSTD counterpart: `VmSpace::reader`.
   *
   * @throws {TypeError | RangeError} `ptr` or `len` is not an int32/uint32.
   */
  reader(ptr: number, len: number): VmReader<Fallible> {
    const p = toU32(ptr, "ptr");
    const n = toU32(len, "len");
    return newReader<Fallible>(null, null, this.#space, null, p, p + n, true);
  }

  /**
   * A fallible writer over guest bytes `[ptr, ptr + len)`; see {@link GuestMemory.reader}.
   *
   * OSTD counterpart: `VmSpace::writer`.
   *
   * @throws {TypeError | RangeError} `ptr` or `len` is not an int32/uint32.
   */
  writer(ptr: number, len: number): VmWriter<Fallible> {
    const p = toU32(ptr, "ptr");
    const n = toU32(len, "len");
    return newWriter<Fallible>(null, null, this.#space, null, p, p + n, true);
  }

  /**
   * Reads one value of type `t` at guest address `ptr` (no alignment needed).
   *
   * OSTD counterpart: `VmIo::read_val`.
   *
   * @throws {VmError} `PageFault` when the value is not wholly inside memory.
   * @throws {TypeError | RangeError} `ptr` is not an int32/uint32; `t` is not a Pod type.
   */
  readVal<T>(ptr: number, t: PodType<T>): T {
    // The hot path of every host call: one type test, one range test
    // against the cached view, one decode. Failures go to cold helpers.
    if (typeof ptr !== "number" || t == null || (t as PodDescriptor<T>).self !== t) badValArgs(ptr, t);
    // A non-negative int32 is used as it is: as `ptr >>> 0` (a uint32),
    // TurboFan would test its sign before every use as an index.
    let p = ptr;
    if (p >>> 0 !== p) p = negativeU32(p);
    const d = t as PodDescriptor<T>;
    if (p + d.size > this.#bytes.length) this.#take(p, d.size);
    return d.decode(this.#view, p);
  }

  /**
   * Writes one value of type `t` at guest address `ptr`, zeroing any
   * padding. The value is checked before anything is written.
   *
   * OSTD counterpart: `VmIo::write_val`.
   *
   * @throws {VmError} `PageFault` when the value is not wholly inside memory (nothing is written).
   * @throws {TypeError | RangeError} `ptr` is not an int32/uint32; `t` is not a
   *   Pod type; `value` is not a valid value of it.
   */
  writeVal<T>(ptr: number, t: PodType<T>, value: T): void {
    if (typeof ptr !== "number" || t == null || (t as PodDescriptor<T>).self !== t) badValArgs(ptr, t);
    let p = ptr;
    if (p >>> 0 !== p) p = negativeU32(p);
    const d = t as PodDescriptor<T>;
    // Snapshot first (the only place a getter of `value` runs), then check, then store.
    const snap = d.snapshot(value, "value");
    if (p + d.size > this.#bytes.length) this.#take(p, d.size);
    d.store(this.#view, p, snap);
  }

  /**
   * Fills `w` completely with the guest bytes at `ptr` and advances it.
   *
   * OSTD counterpart: `VmIo::read`.
   *
   * @throws {VmError} `PageFault` (`copied` 0, nothing touched) when
   *   `[ptr, ptr + w.avail())` is not inside memory; `PageFault` with
   *   `copied` (and `w` advanced by that) when `w`'s own memory faults.
   * @throws {TypeError | RangeError} `ptr` is not an int32/uint32; `w` is not a writer.
   */
  read(ptr: number, w: VmWriter<Fallibility>): void {
    const p = toU32(ptr, "ptr");
    if (!(w instanceof VmWriter)) invalidType("w", "a VmWriter", w);
    this.#reader(p, w.avail()).readFallible(w);
  }

  /**
   * Fills `buf` with the guest bytes at `ptr`.
   *
   * OSTD counterpart: `VmIo::read_bytes`.
   *
   * @throws {VmError} `PageFault` (`copied` 0, nothing touched) when the range is not inside memory.
   * @throws {TypeError | RangeError} `ptr` is not an int32/uint32; `buf` is not a `Uint8Array`.
   */
  readBytes(ptr: number, buf: Uint8Array): void {
    const p = toU32(ptr, "ptr");
    checkBytes(buf, "buf");
    this.#reader(p, buf.length).readFallible(VmWriter.from(buf));
  }

  /**
   * Fills the bytes of `slice` (any typed array or `DataView`) with the guest bytes at `ptr`.
   *
   * OSTD counterpart: `VmIo::read_slice`.
   *
   * @throws {VmError} as {@link GuestMemory.readBytes}.
   * @throws {TypeError | RangeError} `ptr` is not an int32/uint32; `slice` is not an `ArrayBufferView`.
   */
  readSlice(ptr: number, slice: ArrayBufferView): void {
    const p = toU32(ptr, "ptr");
    const bytes = plainBytes(slice, "slice");
    this.#reader(p, bytes.length).readFallible(VmWriter.from(bytes));
  }

  /**
   * Writes all of `r` at guest address `ptr` and advances it.
   *
   * OSTD counterpart: `VmIo::write`.
   *
   * @throws {VmError} `PageFault` (`copied` 0, nothing touched) when
   *   `[ptr, ptr + r.remain())` is not inside memory; `PageFault` with
   *   `copied` (and `r` advanced by that) when `r`'s own memory faults.
   * @throws {TypeError | RangeError} `ptr` is not an int32/uint32; `r` is not a reader.
   */
  write(ptr: number, r: VmReader<Fallibility>): void {
    const p = toU32(ptr, "ptr");
    if (!(r instanceof VmReader)) invalidType("r", "a VmReader", r);
    this.#writer(p, r.remain()).writeFallible(r);
  }

  /**
   * Writes `buf` at guest address `ptr`.
   *
   * OSTD counterpart: `VmIo::write_bytes`.
   *
   * @throws {VmError} `PageFault` (`copied` 0, nothing touched) when the range is not inside memory.
   * @throws {TypeError | RangeError} `ptr` is not an int32/uint32; `buf` is not a `Uint8Array`.
   */
  writeBytes(ptr: number, buf: Uint8Array): void {
    const p = toU32(ptr, "ptr");
    checkBytes(buf, "buf");
    const b = plainBytes(buf, "buf");
    // Inside the cached view (which is safe stale: see `#bytes`), one held
    // `set` of the buffer's real length: a host call's result strings
    // (args_get, random_get, a preopen's name) need no writer and reader
    // pair (about 60 % of a small args_get). Past it, the checked copy.
    const n = typedArrayLength.call(b) as number;
    if (p + n <= this.#bytes.length) {
      typedArraySet.call(this.#bytes, b, p);
      return;
    }
    this.#writer(p, n).writeFallible(VmReader.from(b));
  }

  /**
   * Writes the bytes of `slice` (any typed array or `DataView`) at guest address `ptr`.
   *
   * OSTD counterpart: `VmIo::write_slice`.
   *
   * @throws {VmError} as {@link GuestMemory.writeBytes}.
   * @throws {TypeError | RangeError} `ptr` is not an int32/uint32; `slice` is not an `ArrayBufferView`.
   */
  writeSlice(ptr: number, slice: ArrayBufferView): void {
    const p = toU32(ptr, "ptr");
    const bytes = plainBytes(slice, "slice");
    this.#writer(p, bytes.length).writeFallible(VmReader.from(bytes));
  }

  /**
   * Writes `len` zero bytes at guest address `ptr`; all or nothing, like
   * the other `VmIo` methods of guest memory (the end of memory is a fault,
   * not the end of an object: see the module notes).
   *
   * OSTD counterpart: `VmIoFill::fill_zeros`.
   *
   * @throws {VmError} `PageFault` (`copied` 0, nothing written) when the range is not inside memory.
   * @throws {TypeError | RangeError} `ptr` or `len` is not an int32/uint32.
   */
  fillZeros(ptr: number, len: number): void {
    const p = toU32(ptr, "ptr");
    const n = toU32(len, "len");
    this.#writer(p, n).fillZeros(n);
  }

  /**
   * Loads the `PodOnce` value at guest address `ptr` with one non-tearing
   * access (`Atomics.load` on shared memory).
   *
   * OSTD counterpart: `VmIoOnce::read_once`.
   *
   * @throws {VmError} `PageFault` when the value is not wholly inside
   *   memory; `InvalidArgs` when `ptr` is not aligned to the value's size (a
   *   guest pointer: never a host exception).
   * @throws {TypeError | RangeError} `ptr` is not an int32/uint32; `t` is not a `PodOnce` type.
   */
  readOnce<T>(ptr: number, t: PodOnceType<T>): T {
    const p = toU32(ptr, "ptr");
    const d = descriptorOf(t, "t");
    const kind = requireOnce(d);
    const s = this.#onceAt(p, d.size, "readOnce");
    return s.shared ? (atomicLoad(s.buffer, kind, p) as T) : d.decode(s.runView, p);
  }

  /**
   * Stores a `PodOnce` value at guest address `ptr` with one non-tearing
   * access (`Atomics.store` on shared memory).
   *
   * OSTD counterpart: `VmIoOnce::write_once`.
   *
   * @throws {VmError} as {@link GuestMemory.readOnce} (nothing is written).
   * @throws {TypeError | RangeError} `ptr` is not an int32/uint32; `t` is not
   *   a `PodOnce` type; `value` is not a valid value of it.
   */
  writeOnce<T>(ptr: number, t: PodOnceType<T>, value: T): void {
    const p = toU32(ptr, "ptr");
    const d = descriptorOf(t, "t");
    const kind = requireOnce(d);
    const snap = d.snapshot(value, "value");
    const s = this.#onceAt(p, d.size, "writeOnce");
    // A PodOnce snapshot is the primitive value itself.
    if (s.shared) atomicStore(s.buffer, kind, p, snap as unknown as number | bigint);
    else d.store(s.runView, p, snap);
  }

  /**
   * Cold path of `readVal`/`writeVal`, for a value past the end of their
   * views: faults unless `[p, p + n)` is inside memory now (the space
   * re-reads a stale buffer), then takes the space's current views.
   */
  #take(p: number, n: number): void {
    const s = this.#space;
    if (!s.covers(p + n)) outside(s, p, n);
    this.#bytes = s.runBytes;
    this.#view = s.runView;
  }

  /** The space, once `[p, p + size)` is known to be inside memory and aligned. */
  #onceAt(p: number, size: number, op: string): GuestSpace {
    const s = this.#space;
    if (p + size > s.runBytes.length && !s.covers(p + size)) outside(s, p, size);
    if (p % size !== 0) throw new VmError("InvalidArgs", `${op}: guest address 0x${p.toString(16)} is not aligned to ${size} bytes`);
    return s;
  }

  /** A reader over `[p, p + n)` once it is known to be inside memory (all-or-nothing VmIo). */
  #reader(p: number, n: number): VmReader<Fallible> {
    const s = this.#space;
    if (p + n > s.runBytes.length && !s.covers(p + n)) outside(s, p, n);
    return newReader<Fallible>(null, null, s, null, p, p + n, true);
  }

  /** A writer over `[p, p + n)` once it is known to be inside memory. */
  #writer(p: number, n: number): VmWriter<Fallible> {
    const s = this.#space;
    if (p + n > s.runBytes.length && !s.covers(p + n)) outside(s, p, n);
    return newWriter<Fallible>(null, null, s, null, p, p + n, true);
  }
}

/** `Uint8Array.prototype.set` and the typed arrays' `length` getter as vmio loaded them: a user's later change reaches no copy. */
const typedArraySet = Uint8Array.prototype.set;
const typedArrayLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, "length")!.get as (this: unknown) => number;

/** The views `#bytes`/`#view` hold until the constructor sets them (see there). */
const noBytes = new Uint8Array(0);
const noView = new DataView(noBytes.buffer);

const hasSab = typeof SharedArrayBuffer === "function";
const arrayBufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")?.get as (this: unknown) => number;
const sharedBufferLength = hasSab
  ? (Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength")?.get as (this: unknown) => number)
  : undefined;

/** Whether `value` is an `ArrayBuffer` or `SharedArrayBuffer` of any realm (the built-in getters are brand checks). */
function isBuffer(value: unknown): value is ArrayBuffer | SharedArrayBuffer {
  if (typeof value !== "object" || value === null) return false;
  for (const length of [arrayBufferLength, sharedBufferLength]) {
    try {
      if (length !== undefined) {
        length.call(value);
        return true;
      }
    } catch {
      // not this kind of buffer
    }
  }
  return false;
}

/**
 * The fault of an access at `[p, p + n)` that is not wholly inside memory.
 *
 * @internal
 */
export function outside(s: GuestSpace, p: number, n: number): never {
  const size = s.size();
  throw new VmError(
    "PageFault",
    `guest range [0x${p.toString(16)}, +0x${n.toString(16)}) is outside memory (0x${size.toString(16)} bytes): page fault at 0x${Math.max(p, size).toString(16)}`,
  );
}

/** Cold path of `readVal`/`writeVal`'s pointer: the unsigned value of a negative int32, else throws. */
function negativeU32(ptr: number): number {
  if ((ptr | 0) !== ptr) badU32(ptr, "ptr");
  return ptr >>> 0;
}

/** Cold path of `readVal`/`writeVal`: throws for whichever argument is bad. */
function badValArgs(ptr: unknown, t: unknown): never {
  toU32(ptr, "ptr");
  return notPodType(t, "t");
}

