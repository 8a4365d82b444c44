/**
 * The memory space behind a `GuestMemory`: linear memory as one run,
 * `[0, size())`, checked against the memory's current length.
 *
 * Safety contract:
 * - a run never extends past the current end of memory, so a copy stops
 *   exactly at the end (the byte at `size()` faults, like an unmapped page);
 * - the buffer and its views are cached, and re-read from
 *   `WebAssembly.Memory.prototype.buffer` only when an access reaches past
 *   the cached view's length (buffer identity, as jco's and Emscripten's
 *   `updateMemoryViews` do). That is exact because growing a non-shared
 *   memory detaches the old buffer (its views read as length 0), and the old
 *   buffer of a shared memory stays valid for the bytes it covers. A
 *   resizable `ArrayBuffer` or growable `SharedArrayBuffer` is viewed through
 *   length-tracking views, which follow `resize()`/`grow()` by themselves;
 * - `generation()` changes whenever runs handed out earlier may be invalid
 *   (the buffer was replaced, detached or resized), so that a copy whose
 *   other side runs user code (a `VmSpace` fault handler that grows this
 *   memory) takes its run again instead of copying out of a dead buffer;
 * - the `buffer` getter is taken from `WebAssembly.Memory.prototype` once,
 *   so a property defined on the memory object cannot run user code here.
 *
 * @module
 */

import { isShared } from "../base/buffers.js";
import { MemorySpace } from "../io/memory-space.js";

/**
 * The part of a `WebAssembly.Memory` that vmio uses (the global
 * `WebAssembly` namespace is not in every TypeScript lib; DOM's
 * `WebAssembly.Memory` is assignable to this).
 */
export interface WebAssemblyMemory {
  /** The memory's current buffer: a new object after every `grow()`. */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Grows the memory by `delta` 64 KiB pages; returns the old size in pages. */
  grow(delta: number): number;
}

const wasm = (globalThis as { WebAssembly?: { Memory?: { prototype: object } } }).WebAssembly;
const memoryPrototype = wasm?.Memory?.prototype;
/**
 * The built-in `WebAssembly.Memory.prototype.buffer` getter: a brand check
 * (it throws on anything but a real memory, from any realm) and the one
 * way this module reads a memory's buffer.
 */
const bufferOfMemory: ((this: unknown) => ArrayBuffer | SharedArrayBuffer) | undefined =
  memoryPrototype === undefined ? undefined : Object.getOwnPropertyDescriptor(memoryPrototype, "buffer")?.get;

/**
 * The buffer of `value` if it is a real `WebAssembly.Memory`, else undefined.
 * Runs no user code.
 *
 * @internal
 */
export function memoryBuffer(value: unknown): ArrayBuffer | SharedArrayBuffer | undefined {
  if (bufferOfMemory === undefined || typeof value !== "object" || value === null) return undefined;
  try {
    return bufferOfMemory.call(value);
  } catch {
    return undefined;
  }
}

/** `Uint8Array.prototype.set` as it was when vmio loaded: a user's later change of it does not reach a copy (as in the copy engine). */
const typedArraySet = Uint8Array.prototype.set;

/**
 * Guest linear memory as a memory space.
 *
 * @internal
 */
export class GuestSpace extends MemorySpace {
  readonly shared: boolean;
  override readonly aliasable = true;
  /** The memory whose buffer is re-read after growth, or null for a buffer given directly. */
  readonly #memory: WebAssemblyMemory | null;
  /** The buffer `runBytes` and `runView` view (the one Atomics must address). */
  buffer: ArrayBuffer | SharedArrayBuffer;
  #generation = 0;
  /** `runBytes.length` when `generation()` last looked. */
  #seenLength: number;

  /** A space over `memory`'s buffer (`buffer`, already read), or over `buffer` itself when `memory` is null. */
  constructor(memory: WebAssemblyMemory | null, buffer: ArrayBuffer | SharedArrayBuffer) {
    super();
    this.#memory = memory;
    this.shared = isShared(buffer);
    this.buffer = buffer;
    this.#view(buffer);
    this.#seenLength = this.runBytes.length;
  }

  /** Views `buffer` (length-tracking when it is resizable or growable). */
  #view(buffer: ArrayBuffer | SharedArrayBuffer): void {
    this.buffer = buffer;
    this.runBytes = new Uint8Array(buffer);
    this.runView = new DataView(buffer);
  }

  /**
   * Re-reads a `WebAssembly.Memory`'s buffer and views it if it is a new
   * one. A buffer given directly never changes: its views track it.
   */
  refresh(): void {
    const memory = this.#memory;
    if (memory === null) return;
    const buffer = (bufferOfMemory as (this: unknown) => ArrayBuffer | SharedArrayBuffer).call(memory);
    if (buffer !== this.buffer) {
      this.#view(buffer);
      this.#generation++;
    }
  }

  /** The current length of memory in bytes. */
  size(): number {
    // A non-shared memory's cached buffer is current unless detached (length
    // 0); a shared one may have been grown by another thread at any time.
    if (this.#memory !== null && (this.shared || this.runBytes.length === 0)) this.refresh();
    return this.runBytes.length;
  }

  /** Whether `[0, end)` is inside memory now; re-reads a stale buffer first. */
  covers(end: number): boolean {
    if (end <= this.runBytes.length) return true;
    this.refresh();
    return end <= this.runBytes.length;
  }

  run(addr: number, len: number, write: boolean): number {
    let size = this.runBytes.length;
    if (addr + len > size) {
      this.refresh();
      size = this.runBytes.length;
      if (addr >= size) {
        this.faultAddr = addr;
        this.faultWrite = write;
        return 0;
      }
    }
    this.runOffset = addr;
    this.runSlice = null;
    return addr + len <= size ? len : size - addr;
  }

  override probe(addr: number, len: number, write: boolean): boolean {
    if (addr + len > this.runBytes.length) return false;
    this.runOffset = addr;
    // A read hands the copy engine its exact bytes: `set` of a fresh view
    // costs less than `set` of a `subarray` (docs/architecture.md, "Measured rules"), and, unlike a byte
    // loop, stays a memmove when the destination views the same buffer.
    this.runSlice = write ? null : new Uint8Array(this.buffer, addr, len);
    return true;
  }

  /**
   * Copies the buffers `[pos, end)` listed as flat pairs in `ranges` into
   * `into` from `at`, back to back, and sets each buffer's `pos` to its
   * `end` (read to the end, as a copy through readers leaves them), if every
   * one lies inside the memory as this space last viewed it; returns false,
   * having copied and changed nothing, otherwise (the buffer was replaced,
   * detached or shrunk since it was checked: the caller then copies through
   * the copy engine, which re-reads it and stops at the first byte that
   * faults). `into` has room for every byte (the caller checked it).
   *
   * Why not the copy engine: a host call that has just checked its I/O
   * vector against memory (`fd_write`) needs a plain copy per buffer, and
   * the engine's way to it — a call with nine arguments, the direct side's
   * view cache, the `probe`, the lease and length checks — cost about a
   * third of a small `fd_write` (4 × 64 B: 1.32–1.38× the time of this loop,
   * measured in one process). Runs no user code.
   */
  copyRanges(ranges: number[], into: Uint8Array, at: number): boolean {
    const limit = this.runBytes.length;
    for (let i = 1; i < ranges.length; i += 2) if ((ranges[i] as number) > limit) return false;
    const buffer = this.buffer;
    for (let i = 0; i < ranges.length; i += 2) {
      const pos = ranges[i] as number;
      const end = ranges[i + 1] as number;
      // A fresh view of exactly the bytes (no subarray), the held `set`: as `probe` hands them to the engine.
      typedArraySet.call(into, new Uint8Array(buffer, pos, end - pos), at);
      ranges[i] = end;
      at += end - pos;
    }
    return true;
  }

  /**
   * Copies `n` bytes of `from` (from its start) into the buffers `[pos, end)`
   * listed as flat pairs in `ranges`, front to back, if every buffer the
   * bytes reach lies inside the memory as this space last viewed it, and
   * advances each buffer's `pos` past what it received; returns false,
   * having copied nothing, otherwise (the caller then copies through the
   * copy engine). `n` is at most the buffers' room and `from.length`.
   *
   * The scatter of {@link GuestSpace.copyRanges}, for `fd_read`: a host
   * call that has just checked its I/O vector and read into host memory
   * hands the bytes back with one held `set` per buffer. Runs no user code.
   */
  scatterRanges(ranges: number[], from: Uint8Array, n: number): boolean {
    const bytes = this.runBytes;
    const limit = bytes.length;
    let left = n;
    let i = 0;
    for (; i < ranges.length && left > 0; i += 2) {
      if ((ranges[i + 1] as number) > limit) return false;
      left -= (ranges[i + 1] as number) - (ranges[i] as number);
    }
    const source = from.buffer;
    const base = from.byteOffset;
    let at = 0;
    for (let j = 0; j < i; j += 2) {
      const pos = ranges[j] as number;
      const k = Math.min((ranges[j + 1] as number) - pos, n - at);
      typedArraySet.call(bytes, new Uint8Array(source, base + at, k), pos);
      ranges[j] = pos + k;
      at += k;
    }
    return true;
  }

  /**
   * A view of exactly the bytes `[pos, end)` of the memory as this space
   * last viewed it, or null when they are not inside it (the buffer was
   * replaced, detached or shrunk since the range was checked).
   *
   * For a host call that has just checked a buffer against memory and lets
   * a backend fill it in place (`fd_read` from a file): no scratch copy,
   * no scatter. The view reaches no byte outside the range;
   * it is the caller's to drop before any user code runs (a `grow()`
   * detaches it). Runs no user code.
   */
  viewRange(pos: number, end: number): Uint8Array | null {
    return end <= this.runBytes.length ? new Uint8Array(this.buffer, pos, end - pos) : null;
  }

  generation(): number {
    const length = this.runBytes.length;
    if (length !== this.#seenLength) {
      this.#seenLength = length;
      this.#generation++;
    }
    return this.#generation;
  }
}
