/**
 * `VmWriter`: a cursor for writing one contiguous range of memory.
 *
 * Safety contract (OSTD's, carried over): a writer only ever touches the
 * bytes between its cursor and its end. Over typed memory and live frames it
 * is `Infallible`; over user memory it is `Fallible` and any byte may fault.
 * A writer borrows the memory it writes: once the frames or the address
 * space it was made from are disposed, its next access throws a `TypeError`
 * instead of writing memory that may belong to someone else. Its state is
 * `#private`: no JavaScript outside this class can move its end, reach its
 * memory or replace its lease.
 *
 * @module
 */

import { contractViolation, illegalConstructor, invalidType } from "../base/contract.js";
import { INTERNAL } from "../base/internal-key.js";
import { checkIndex as importedCheckIndex } from "../base/validate.js";
import { descriptorOf, notPodType, type PodDescriptor, type PodOnceType, type PodSnapshot, type PodType } from "../pod/pod-type.js";
import { u32 } from "../pod/scalars.js";
import { insufficient, raiseFault as importedRaiseFault, requireInfallible, type CopyFault } from "./access-errors.js";
import { copyDirect as importedCopyDirect, copyRaw as importedCopyRaw, copyWithSpace as importedCopyWithSpace, fillRaw } from "./copy.js";
import type { Fallibility, Fallible, Infallible } from "./fallibility.js";
import {
  NO_VIEW,
  knownView as importedKnownView,
  directView,
  fromBytes as importedFromBytes,
  checkDirect,
  checkLease as importedCheckLease,
  directFailed as importedDirectFailed,
  leaseExpired as importedLeaseExpired,
  installWriterAccess,
  readerAccess as importedReaderAccess,
  type Lease,
} from "./memory-cursor.js";
import type { MemorySpace } from "./memory-space.js";
import { compareExchangeU32, storeOnce, writeValueIn } from "./value-access.js";
import type { VmReader } from "./vm-reader.js";

// Imported bindings used on hot paths, as module-local `var`s declared
// before the class, and errors thrown from module-local functions: why, in
// vm-reader.ts (a throw site in an inlined method allocates its `this`; a
// TDZ check is bytecode that counts against V8's inlining budget).
/* eslint-disable no-var -- see above */
var checkLease = importedCheckLease;
var checkIndex: typeof importedCheckIndex = importedCheckIndex;
var raiseFault = importedRaiseFault;
var directFailed = importedDirectFailed;
var leaseExpired = importedLeaseExpired;
var fromBytes = importedFromBytes;
var copyRaw = importedCopyRaw;
var copyWithSpace = importedCopyWithSpace;
var readerAccess = importedReaderAccess;
/* eslint-enable no-var */

// `from`'s cache lookup, the constructor's key and the direct copy of
// `transfer` as `const`s, which V8 folds (no function identity check, no
// key check per fresh writer), as in vm-reader.ts: a copy between two
// fresh cursors still inlines whole.
const knownView = importedKnownView;
const KEY: typeof INTERNAL = INTERNAL;
const copyDirect = importedCopyDirect;

// `from` of bytes that `knownView` does not know (set in the class's static block).
// eslint-disable-next-line no-var -- as above
var fromOther: (bytes: ArrayBufferView) => VmWriter<Infallible>;
// `writeVal`'s rare paths (set in the class's static block): a module
// function costs fewer bytes of bytecode to call than a `#private` method.
// eslint-disable-next-line no-var -- as above
var writeValSlow: <T>(w: VmWriter<Fallibility>, d: PodDescriptor<T>, snap: PodSnapshot<T>) => void;
// The `DataView` over direct bytes (made if needed), or `NONE` for a space
// (set in the class's static block). A function, not a private method, as
// in vm-reader.ts: a class with a private method gives each instance a
// brand, one more in-object slot that every fresh writer allocates.
// eslint-disable-next-line no-var -- as above
var viewOrNone: (w: VmWriter<Fallibility>) => DataView;

declare const writerKind: unique symbol;

// A `var`: V8 checks a module-level `const` for its temporal dead zone at
// every use from a method (2 bytes of bytecode each, measured in
// `writeVal`), even one declared before the class.
// eslint-disable-next-line no-var -- as above
var NONE = NO_VIEW;

/**
 * Makes a writer over memory that another layer describes (frames, spaces);
 * the parts are those of `newReader`.
 *
 * @internal
 */
export let newWriter: <F extends Fallibility>(
  bytes: Uint8Array | null,
  view: DataView | null,
  space: MemorySpace | null,
  lease: Lease | null,
  pos: number,
  end: number,
  fallible: boolean,
) => VmWriter<F>;

/**
 * Writes a contiguous range of memory: typed memory, frames, or user space.
 *
 * `F` is {@link Fallible} (the default) or {@link Infallible}; the
 * infallible-only methods (`write`, `writeOnce`) do not type-check on a
 * fallible writer, and throw a `TypeError` if called on one from plain JS.
 *
 * OSTD counterpart: `ostd::mm::VmWriter<'a, Fallibility>`.
 */
export class VmWriter<F extends Fallibility = Fallible> {
  /** Type-level only: the writer's fallibility. */
  declare readonly [writerKind]?: F;
  /** Direct memory, indexed by address, or null for a space. */
  #bytes: Uint8Array | null;
  /** A `DataView` over exactly `#bytes` (index = address), or `NONE` until made. */
  #view: DataView;
  /** Run-based memory, or null for direct memory. */
  #space: MemorySpace | null = null;
  /** What the memory is borrowed from, or null when nothing can expire. */
  #lease: Lease | null = null;
  /** Address of the next byte. */
  #pos = 0;
  /** Address just past the last byte. */
  #end: number;
  /** Whether the memory may fault (type-level `Fallible`). */
  #fallible = false;

  // Writers are made by `from`, by VM objects and by address spaces, never
  // with `new`. The constructor sets only what `from` needs; the other
  // fields start as a typed memory's. Short code here is speed: V8 (Node
  // 20) inlines at most 920 bytes of bytecode into one optimised function,
  // and a copy between two fresh cursors is two `from`s and a `read`.
  private constructor(key: typeof INTERNAL, bytes: Uint8Array | null, end: number, view: DataView) {
    if (key !== KEY) badNew();
    this.#bytes = bytes;
    this.#end = end;
    this.#view = view;
  }

  static {
    // `writeVal` after the snapshot when its fast path cannot store: too few
    // bytes left, a memory space, or direct memory whose `DataView` is not made yet.
    writeValSlow = (w, d, snap) => {
      const bytes = w.#bytes;
      const pos = w.#pos;
      const size = d.size;
      if (w.#end - pos < size) tooShort(size, w.#end - pos);
      if (bytes !== null) {
        const view = viewOrNone(w);
        checkLease(w.#lease);
        try {
          d.store(view, pos, snap);
        } catch (e) {
          directFailed(bytes, pos, size, e);
        }
      } else {
        writeValueIn(w.#space as MemorySpace, pos, d, snap);
      }
      w.#pos = pos + size;
    };
    viewOrNone = (w) => {
      const bytes = w.#bytes;
      return bytes !== null && w.#view === NONE ? (w.#view = directView(bytes)) : w.#view;
    };
    fromOther = (bytes) => {
      const b = fromBytes(bytes);
      return new VmWriter<Infallible>(KEY, b, b.length, NONE);
    };
    newWriter = <F extends Fallibility>(
      bytes: Uint8Array | null,
      view: DataView | null,
      space: MemorySpace | null,
      lease: Lease | null,
      pos: number,
      end: number,
      fallible: boolean,
    ): VmWriter<F> => {
      const c = new VmWriter<F>(KEY, bytes, end, view ?? NONE);
      c.#space = space;
      c.#lease = lease;
      c.#pos = pos;
      c.#fallible = fallible;
      return c;
    };
    // Written out here rather than as a method: one call (and its
    // bytecode, see the constructor) less on the way to `copyRaw`.
    const exchange = (w: object, bytes: Uint8Array | null, space: MemorySpace | null, lease: Lease | null, pos: number, n: number): number | CopyFault => {
      const c = w as VmWriter<Fallibility>;
      const to = c.#pos;
      const avail = c.#end - to;
      const done = copyRaw(c.#bytes, c.#space, c.#lease, to, bytes, space, lease, pos, n < avail ? n : avail);
      c.#pos = to + (typeof done === "number" ? done : done.copied);
      return done;
    };
    installWriterAccess({
      is: (x) => typeof x === "object" && x !== null && #pos in x,
      isExpected: (x) => {
        try {
          return typeof (x as VmWriter<Fallibility>).#pos === "number";
        } catch {
          return false;
        }
      },
      left: (w) => (w as VmWriter<Fallibility>).#end - (w as VmWriter<Fallibility>).#pos,
      exchange,
      // `VmReader.read`'s side of the copy (see `CursorAccess.transfer`):
      // the checks, and a copy between two direct memories written out;
      // anything else is `exchange`'s.
      transfer: (w, bytes, space, lease, pos, n, strict, readerFallible) => {
        const c = w as VmWriter<Fallibility>;
        let to: number;
        try {
          to = c.#pos;
        } catch {
          return notWriter(w);
        }
        if (strict && (readerFallible || c.#fallible)) badRead(readerFallible);
        const avail = c.#end - to;
        const m = n < avail ? n : avail;
        const dBytes = c.#bytes;
        if (dBytes === null || bytes === null || m === 0) return exchange(c, bytes, space, lease, pos, n);
        copyDirect(dBytes, c.#lease, to, bytes, lease, pos, m);
        c.#pos = to + m;
        return m;
      },
      spaceCopy: (w, space, pos, n) => {
        const c = w as VmWriter<Fallibility>;
        let to: number;
        try {
          to = c.#pos;
        } catch {
          return notWriter(w);
        }
        const avail = c.#end - to;
        const done = copyWithSpace(c.#bytes, c.#space, c.#lease, to, null, space, null, pos, n < avail ? n : avail);
        c.#pos = to + (typeof done === "number" ? done : done.copied);
        return done;
      },
      location: (w) => {
        const c = w as VmWriter<Fallibility>;
        return { bytes: c.#bytes, space: c.#space, lease: c.#lease, pos: c.#pos };
      },
    });
  }

  /**
   * A writer over the bytes of `bytes` (any typed array or `DataView`, over
   * an `ArrayBuffer`, a `SharedArrayBuffer` or a `WebAssembly.Memory`
   * buffer). Its addresses are offsets from the start of `bytes`.
   *
   * OSTD counterpart: `impl From<&mut [u8]> for VmWriter<Infallible>`.
   *
   * @throws {TypeError} `bytes` is not an `ArrayBufferView`, or its buffer is detached.
   */
  static from(bytes: ArrayBufferView): VmWriter<Infallible> {
    const view = knownView(bytes);
    if (view === null) return fromOther(bytes);
    return new VmWriter<Infallible>(KEY, bytes as Uint8Array, (bytes as Uint8Array).length, view);
  }

  /** Number of bytes that can still be written. OSTD counterpart: `VmWriter::avail`. */
  avail(): number {
    return this.#end - this.#pos;
  }

  /** Address of the next byte to write. OSTD counterpart: `VmWriter::cursor`. */
  cursor(): number {
    return this.#pos;
  }

  /** Whether any byte can still be written. OSTD counterpart: `VmWriter::has_avail`. */
  hasAvail(): boolean {
    return this.#end > this.#pos;
  }

  /**
   * Shrinks the range so that at most `maxAvail` bytes are available; never grows it.
   *
   * OSTD counterpart: `VmWriter::limit`.
   *
   * @throws {TypeError | RangeError} `maxAvail` is not a non-negative safe integer.
   */
  limit(maxAvail: number): this {
    checkIndex(maxAvail, "maxAvail");
    if (maxAvail < this.#end - this.#pos) this.#end = this.#pos + maxAvail;
    return this;
  }

  /**
   * Advances the cursor by `n` bytes without writing them.
   *
   * OSTD counterpart: `VmWriter::skip` (which panics when `n > avail`).
   *
   * @throws {TypeError | RangeError} `n` is not a non-negative safe integer.
   * @throws {RangeError} `n > avail()`.
   */
  skip(n: number): this {
    const avail = this.#end - this.#pos;
    // One test, written out, as in `VmReader.skip` (why there).
    if (!(typeof n === "number" && n >= 0 && n <= avail && Math.floor(n) === n)) badSkip(n, avail);
    this.#pos += n;
    return this;
  }

  /**
   * A second writer at the same position over the same range; writing through
   * it does not move this one.
   *
   * OSTD counterpart: `VmWriter::clone_exclusive`.
   */
  cloneExclusive(): VmWriter<F> {
    return newWriter<F>(this.#bytes, this.#view, this.#space, this.#lease, this.#pos, this.#end, this.#fallible);
  }

  /**
   * A fallible writer at the same position over the same range.
   *
   * OSTD counterpart: `VmWriter<Infallible>::to_fallible` (this one leaves
   * the original usable).
   */
  toFallible(): VmWriter<Fallible> {
    return newWriter<Fallible>(this.#bytes, this.#view, this.#space, this.#lease, this.#pos, this.#end, true);
  }

  /**
   * Copies `min(r.remain(), avail())` bytes from `r` and advances both
   * cursors by that much. Returns the number of bytes copied.
   *
   * OSTD counterpart: `VmWriter<Infallible>::write`.
   *
   * @throws {TypeError} `r` is not an infallible reader, this writer is
   *   fallible, or the memory of either was freed or detached.
   */
  write(this: VmWriter<Infallible>, r: VmReader<Infallible>): number {
    // Written out in both methods (not a shared private method): a copy
    // between two fresh cursors must fit V8's inlining budget (see copyDirect).
    const pos = this.#pos;
    const done = readerAccess.transfer(r, this.#bytes, this.#space, this.#lease, pos, this.#end - pos, true, this.#fallible);
    if (typeof done === "number") {
      this.#pos = pos + done;
      return done;
    }
    this.#pos = pos + done.copied;
    return raiseFault(done);
  }

  /**
   * Copies `min(r.remain(), avail())` bytes from `r`, stopping early at the
   * first byte that faults. Both cursors advance by the number of bytes
   * copied, which is returned.
   *
   * OSTD counterpart: `VmWriter::write_fallible`.
   *
   * @throws {VmError} `PageFault` when a fault stopped the copy; `copied` holds
   *   the bytes moved before it (both cursors have advanced by that).
   * @throws {TypeError} `r` is not a reader, or memory was freed or detached.
   */
  writeFallible(r: VmReader<Fallibility>): number {
    const pos = this.#pos;
    const space = this.#space;
    // As in `VmReader.readFallible`: a user copy's short path (why there).
    const done =
      space !== null
        ? readerAccess.spaceCopy(r, space, pos, this.#end - pos)
        : readerAccess.transfer(r, this.#bytes, null, this.#lease, pos, this.#end - pos, false, this.#fallible);
    if (typeof done === "number") {
      this.#pos = pos + done;
      return done;
    }
    this.#pos = pos + done.copied;
    return raiseFault(done);
  }

  /**
   * Writes one value of type `t` and advances past it, zeroing any padding.
   * No alignment is needed. The value is checked before any byte is written.
   *
   * OSTD counterpart: `VmWriter::write_val`.
   *
   * @throws {VmError} `InvalidArgs` when fewer than `sizeOf(t)` bytes are
   *   available; `PageFault` when a byte of the value faults (the cursor does
   *   not move and no byte was written).
   * @throws {TypeError | RangeError} `t` is not a Pod type, or `value` is not
   *   a valid value of it.
   * @throws {TypeError} the memory was freed or detached.
   */
  writeVal<T>(t: PodType<T>, value: T): void {
    // The hot path of every encoder; see `VmReader.readVal` for its shape.
    // Every byte of bytecode here counts: V8 inlines a caller's chain of
    // calls only up to 920 bytes, and a `writeVal` that V8 has already
    // optimized on its own is counted with its inlined snapshot and store
    // (x 1.2); so everything rare (too few bytes left, a space, a view not
    // made yet) leaves through one call.
    if (t == null || (t as PodDescriptor<T>).self !== t) notPod(t);
    // Snapshot, check, store: `value`'s getters run here and nowhere else.
    const snap = (t as PodDescriptor<T>).snapshot(value, "value");
    const size = t.size;
    const pos = this.#pos;
    const view = this.#view;
    if (view === NONE || this.#end - pos < size) return writeValSlow(this, t as PodDescriptor<T>, snap);
    // `checkLease` written out: 12 bytes of bytecode fewer, with the call's.
    const lease = this.#lease;
    if (lease !== null && lease.leaseExpired) leaseExpired(lease);
    try {
      (t as PodDescriptor<T>).store(view, pos, snap);
    } catch (e) {
      directFailed(this.#bytes as Uint8Array, pos, size, e);
    }
    this.#pos = pos + size;
  }

  /**
   * Writes one value of a `PodOnce` type with a single non-tearing store
   * (`Atomics.store` when the memory is shared) and advances past it.
   *
   * OSTD counterpart: `VmWriter<Infallible>::write_once`.
   *
   * @throws {VmError} `InvalidArgs` when fewer than `sizeOf(t)` bytes are available.
   * @throws {RangeError} the cursor is not aligned to `sizeOf(t)`, or `value` is out of range.
   * @throws {TypeError} `t` is not a `PodOnce` type, `value` has the wrong
   *   type, this writer is fallible, or the memory was freed or detached.
   */
  writeOnce<T>(this: VmWriter<Infallible>, t: PodOnceType<T>, value: T): void {
    const d = descriptorOf(t, "t");
    if (this.#fallible) requireInfallible("writeOnce", "writer");
    storeOnce(this.#bytes, viewOrNone(this), this.#space, this.#lease, this.#pos, this.#end - this.#pos, d, value, "writeOnce");
    this.#pos += d.size;
  }

  /**
   * Writes `min(len, avail())` zero bytes and advances past them; returns
   * how many were written. On fallible memory a fault stops the fill.
   *
   * OSTD counterpart: `VmWriter::fill_zeros`.
   *
   * @throws {VmError} `PageFault` when a fault stopped the fill; `copied`
   *   holds the bytes zeroed before it (the cursor has advanced by that).
   * @throws {TypeError | RangeError} `len` is not a non-negative safe integer.
   * @throws {TypeError} the memory was freed or detached.
   */
  fillZeros(len: number): number {
    checkIndex(len, "len");
    const left = this.#end - this.#pos;
    const n = len < left ? len : left;
    const done = fillRaw(this.#bytes, this.#space, this.#lease, this.#pos, n);
    if (typeof done === "number") {
      this.#pos += done;
      return done;
    }
    this.#pos += done.copied;
    return raiseFault(done);
  }

  /**
   * Atomically replaces the `u32` at the cursor with `next` if it equals
   * `expected` (relaxed ordering). `r` must be a reader at the same address
   * of the same memory, as in OSTD. Neither cursor moves. Returns the
   * previous value and whether the exchange happened.
   *
   * OSTD counterpart: `VmWriter<Fallible>::atomic_compare_exchange`.
   *
   * @throws {VmError} `InvalidArgs` when fewer than 4 bytes are available
   *   here or remain in `r`; `PageFault` when the word faults (a write
   *   access, as for the hardware instruction).
   * @throws {RangeError} `r` is at another address or in other memory, the
   *   address is not 4-byte aligned, or `expected`/`next` are out of range.
   * @throws {TypeError} wrong argument types, or the memory was freed or detached.
   */
  atomicCompareExchange(r: VmReader<Fallibility>, t: typeof u32, expected: number, next: number): [previous: number, exchanged: boolean] {
    const ra = readerAccess;
    if (!ra.isExpected(r)) notReader(r);
    if (t !== u32) invalidType("t", "u32 (the only type with atomic access)", t);
    const d = descriptorOf(u32);
    // A u32's snapshot is the number itself, checked.
    const e = d.snapshot(expected, "expected") as unknown as number;
    const x = d.snapshot(next, "next") as unknown as number;
    const pos = this.#pos;
    if (this.#end - pos < 4) insufficient("atomicCompareExchange", 4, this.#end - pos);
    if (ra.left(r) < 4) insufficient("atomicCompareExchange", 4, ra.left(r));
    const bytes = this.#bytes;
    const at = ra.location(r);
    const same =
      bytes === null || at.bytes === null
        ? at.space === this.#space && at.pos === pos
        : at.bytes.buffer === bytes.buffer && at.bytes.byteOffset + at.pos === bytes.byteOffset + pos;
    if (!same) contractViolation("atomicCompareExchange: the reader must point at the same address of the same memory as the writer");
    if (at.bytes !== null) checkDirect(at.bytes, at.lease, at.pos, 4);
    const previous = compareExchangeU32(bytes, viewOrNone(this), this.#space, this.#lease, pos, e, x);
    return [previous, previous === e];
  }
}

function notReader(r: unknown): never {
  return invalidType("r", "a VmReader", r);
}

function badRead(readerFallible: boolean): never {
  return requireInfallible("read", readerFallible ? "reader" : "writer");
}

function notWriter(w: unknown): never {
  return invalidType("w", "a VmWriter", w);
}

function notPod(t: unknown): never {
  return notPodType(t, "t");
}

function tooShort(size: number, left: number): never {
  return insufficient("write", size, left);
}

function badNew(): never {
  return illegalConstructor("VmWriter", "use VmWriter.from(), or writer() of a frame, segment or address space");
}

/** Why `skip(n)` refused `n`: not an index (`checkIndex`'s error), else too far. */
function badSkip(n: unknown, avail: number): never {
  checkIndex(n, "n");
  return contractViolation(`cannot skip ${n} bytes: only ${avail} are available`);
}
