/**
 * `VmReader`: a cursor for reading one contiguous range of memory.
 *
 * Safety contract (OSTD's, carried over): a reader only ever touches the
 * bytes between its cursor and its end. Over typed memory and live frames it
 * is `Infallible`; over user memory it is `Fallible` and any byte may fault.
 * A reader borrows the memory it reads: once the frames or the address space
 * it was made from are disposed, its next access throws a `TypeError`
 * instead of reading memory that may belong to someone else. Its state is
 * `#private`: no JavaScript outside this class can move its end, reach its
 * memory or replace its lease.
 *
 * @module
 */

import { contractViolation, illegalConstructor, invalidType } from "../base/contract.js";
import { INTERNAL } from "../base/internal-key.js";
import { checkIndex as importedCheckIndex } from "../base/validate.js";
import { descriptorOf, notPodType, type PodDescriptor, type PodOnceType, type PodType } from "../pod/pod-type.js";
import { u32 } from "../pod/scalars.js";
import { insufficient, raiseFault as importedRaiseFault, requireInfallible, type CopyFault } from "./access-errors.js";
import { copyDirect as importedCopyDirect, copyRaw as importedCopyRaw, copyWithSpace as importedCopyWithSpace } from "./copy.js";
import type { Fallibility, Fallible, Infallible } from "./fallibility.js";
import {
  CursorVia as ImportedCursorVia,
  NO_VIEW,
  knownView as importedKnownView,
  directView,
  fromBytes as importedFromBytes,
  checkLease as importedCheckLease,
  directFailed as importedDirectFailed,
  installReaderAccess,
  writerAccess as importedWriterAccess,
  type Lease,
} from "./memory-cursor.js";
import type { MemorySpace } from "./memory-space.js";
import { loadOnce, readValueIn } from "./value-access.js";
import type { VmWriter } from "./vm-writer.js";

// Imported bindings used on hot paths, as module-local `var`s declared
// before the class. V8 (Node 20) loads an imported binding from its module
// cell on every use (about 8 instructions a use, measured) and checks it
// for the hole (TDZ) first. That check is a throw site, and a throw site in
// the body of an inlined method or constructor makes V8 allocate the
// object that is its `this` — a cursor made just for one call
// (`VmReader.from(a).read(VmWriter.from(b))`,
// `VmReader.from(u8).skip(o).readVal(t)`) that would otherwise live in
// registers (measured: a `throw`, or a call of an imported function, in a
// cold branch of a constructor costs an allocation per object; a call of a
// module-local function does not). Every error on these paths is thrown
// from a module-local function for the same reason. A module's own
// `const` has no such cost once optimised — V8 folds it, where a `var` is a
// mutable context slot whose value it loads, and for a function compares
// with the one it inlined, at every use — but its TDZ check is 2 bytes of
// bytecode at every use, and a copy between two fresh cursors fits V8's
// inlining budget (920 bytes; see copyDirect) only just: so the aliases on
// that path are `var`s, and the `const`s below are the ones measured to fit.
/* eslint-disable no-var -- see above */
var checkIndex: typeof importedCheckIndex = importedCheckIndex;
var raiseFault = importedRaiseFault;
var directFailed = importedDirectFailed;
var fromBytes = importedFromBytes;
var copyDirect = importedCopyDirect;
var copyRaw = importedCopyRaw;
var copyWithSpace = importedCopyWithSpace;
/* eslint-enable no-var */

// `readVal`'s lease check, a `const` rather than a `var`: `readVal` is not
// on the path of a copy between two fresh cursors, so its 2 bytes of TDZ
// check cost no inlining there, and V8 folds the `const` into the code
// where a `var` is a mutable context slot whose function it loads and
// compares on every value read.
const checkLease = importedCheckLease;

// The same for `from`'s cache lookup, the constructor's key and the way to
// a writer's side of a copy: the private method this class no longer has
// (see `readValSlow`) saved more bytecode on a fresh-cursor copy's path
// than these TDZ checks cost, and as `const`s V8 folds the key check away
// and checks no function's identity (the copy chain still inlines whole:
// 11 inlinees, only the reader allocated, measured with
// --trace-turbo-inlining and GC counts).
const knownView = importedKnownView;
const KEY: typeof INTERNAL = INTERNAL;
const writerAccess = importedWriterAccess;
// `#via`'s record class, tested with `instanceof` on the copy paths: a
// module's own `const` for the reason above (an imported binding is
// checked for the hole, a throw site, at every use).
const CursorVia = ImportedCursorVia;
/** What a reader's `#via` holds (see `CursorVia`). */
type Via = Lease | MemorySpace | ImportedCursorVia | null;

// `from` of bytes that `knownView` does not know, and the cold paths of
// `readVal` and `readOnce`/`atomicLoad` (set in the class's static block).
// Functions rather than private methods: a class with a private method
// gives each instance a brand, one more in-object slot that every
// `VmReader.from` allocates and initialises — and a reader made for one
// call is allocated whenever the method it is the receiver of makes a call
// that V8 does not inline (`TypedArray.prototype.set`; a `u64` field's
// `getBigUint64` was one until the 64-bit codecs took a scratch word): V8's
// escape analysis marks the receiver of every frame in a
// lazy-deoptimisation frame state as escaping, for the
// `CallSite.getThis` stack-trace API (src/compiler/escape-analysis.cc,
// `case IrOpcode::kFrameState`). Measured on a hand-written cursor, the
// brand slot costs about 0.02 of the fresh-reader row's ratio.
/* eslint-disable no-var -- as above */
var fromOther: (bytes: ArrayBufferView) => VmReader<Infallible>;
var readValSlow: <T>(c: VmReader<Fallibility>, d: PodDescriptor<T>) => T;
var loadOnceAt: <T>(c: VmReader<Fallibility>, d: PodDescriptor<T>, op: string) => T;
// The copies of every reader but a direct infallible one (see `#bytes`),
// and a direct reader's `readFallible`, out of line: a copy between two
// fresh cursors stays out of the heap only while its whole chain fits V8's
// inlining budget (measured: with these paths written inline, the writer
// of `VmReader.from(a).read(VmWriter.from(b))` was allocated again).
var readOther: (c: VmReader<Fallibility>, w: VmWriter<Fallibility>, strict: boolean) => number | CopyFault;
// `read` of any reader but a direct infallible one, whole, and `read`'s
// fault: out of line for the same budget (see `read`).
var readRest: (c: VmReader<Fallibility>, w: VmWriter<Fallibility>) => number;
var readFaulted: (c: VmReader<Fallibility>, pos: number, fault: CopyFault) => never;
var transferOther: (
  c: VmReader<Fallibility>,
  bytes: Uint8Array | null,
  space: MemorySpace | null,
  lease: Lease | null,
  pos: number,
  n: number,
  strict: boolean,
  writerFallible: boolean,
) => number | CopyFault;
/* eslint-enable no-var */

declare const readerKind: unique symbol;

// A `var`: V8 checks a module-level `const` for its temporal dead zone at
// every use from a method (2 bytes of bytecode each, measured in
// `writeVal`), even one declared before the class.
// eslint-disable-next-line no-var -- as above
var NONE = NO_VIEW;

/**
 * Makes a reader over memory that another layer describes (frames, spaces):
 * direct `bytes` (with `view`, a `DataView` over them indexed by address, or
 * null to make one on first use) or a `space`; what it borrows; its range.
 *
 * @internal
 */
export let newReader: <F extends Fallibility>(
  bytes: Uint8Array | null,
  view: DataView | null,
  space: MemorySpace | null,
  lease: Lease | null,
  pos: number,
  end: number,
  fallible: boolean,
) => VmReader<F>;

/**
 * Reads a contiguous range of memory: typed memory, frames, or user space.
 *
 * `F` is {@link Fallible} (the default) or {@link Infallible}; the
 * infallible-only methods (`read`, `readOnce`) do not type-check on a
 * fallible reader, and throw a `TypeError` if called on one from plain JS.
 *
 * OSTD counterpart: `ostd::mm::VmReader<'a, Fallibility>`.
 */
export class VmReader<F extends Fallibility = Fallible> {
  /** Type-level only: the reader's fallibility. */
  declare readonly [readerKind]?: F;
  /**
   * Direct memory, indexed by address, of a direct infallible reader (typed
   * memory, a frame's, a segment's); null for any other kind (a direct
   * fallible reader's bytes are in its `CursorVia`).
   */
  #bytes: Uint8Array | null;
  /** A `DataView` over exactly `#bytes` (index = address), or `NONE` until made (and for every other kind). */
  #view: DataView;
  /**
   * The space, the lease and the fallibility in one field (see `CursorVia`):
   * beside `#bytes`, their lease, or null when nothing can expire (typed
   * memory); for a space the space (fallible); a `CursorVia` for any other
   * kind. Read through `directOf`, `leaseOf`, `spaceOf` and `fallibleOf`.
   */
  #via: Via = null;
  /** Address of the next byte. */
  #pos = 0;
  /** Address just past the last byte. */
  #end: number;

  // Readers are made by `from`, by VM objects and by address spaces, never
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
    fromOther = (bytes) => {
      const b = fromBytes(bytes);
      return new VmReader<Infallible>(KEY, b, b.length, NONE);
    };
    // `readVal` through a memory space, on direct memory whose `DataView` is
    // not made yet, or for a direct fallible reader (its bytes and view in
    // its `CursorVia`).
    readValSlow = <T>(c: VmReader<Fallibility>, d: PodDescriptor<T>): T => {
      const bytes = c.#bytes;
      if (bytes !== null) {
        c.#view = directView(bytes);
        return c.readVal(d);
      }
      const via = c.#via;
      const pos = c.#pos;
      const size = d.size;
      let value: T;
      if (via instanceof CursorVia && via.bytes !== null) {
        const view = viaView(via, via.bytes);
        checkLease(via);
        try {
          value = d.decode(view, pos);
        } catch (e) {
          return directFailed(via.bytes, pos, size, e);
        }
      } else {
        value = readValueIn(spaceOf(via), pos, d);
      }
      c.#pos = pos + size;
      return value;
    };
    loadOnceAt = <T>(c: VmReader<Fallibility>, d: PodDescriptor<T>, op: string): T => {
      const b = c.#bytes;
      const via = c.#via;
      const bytes = directOf(b, via);
      const view = b !== null ? (c.#view === NONE ? (c.#view = directView(b)) : c.#view) : bytes !== null ? viaView(via as ImportedCursorVia, bytes) : NONE;
      return loadOnce(bytes, view, bytes === null ? spaceOf(via) : null, bytes === null ? null : leaseOf(via), c.#pos, c.#end - c.#pos, d, op);
    };
    // The kinds that keep their parts in a `CursorVia` (see there), apart:
    // `newReader` is inlined into every reader's maker (a frame's, a
    // segment's, an address space's `reader`), whose chain has its budget.
    const newOther: (...parts: Parameters<typeof newReader>) => VmReader<Fallibility> = (bytes, view, space, lease, pos, end, fallible) => {
      const c = new VmReader<Fallibility>(KEY, null, end, NONE);
      c.#via = space === null ? new CursorVia(null, lease, true, bytes, view ?? NONE) : new CursorVia(space, null, fallible, null, NONE);
      c.#pos = pos;
      return c;
    };
    newReader = <F extends Fallibility>(
      bytes: Uint8Array | null,
      view: DataView | null,
      space: MemorySpace | null,
      lease: Lease | null,
      pos: number,
      end: number,
      fallible: boolean,
    ): VmReader<F> => {
      // The common kinds as themselves: direct and infallible (its bytes,
      // view and lease in its own fields), or a space and fallible.
      if (space !== null !== fallible) return newOther(bytes, view, space, lease, pos, end, fallible) as VmReader<F>;
      const c = new VmReader<F>(KEY, bytes, end, view ?? NONE);
      c.#via = space !== null ? space : lease;
      c.#pos = pos;
      return c;
    };
    // Written out here rather than as a method: one call (and its
    // bytecode, see the constructor) less on the way to `copyRaw`.
    const exchange = (r: object, bytes: Uint8Array | null, space: MemorySpace | null, lease: Lease | null, pos: number, n: number): number | CopyFault => {
      const c = r as VmReader<Fallibility>;
      const from = c.#pos;
      const left = c.#end - from;
      const via = c.#via;
      const b = directOf(c.#bytes, via);
      const done = copyRaw(bytes, space, lease, pos, b, b === null ? spaceOf(via) : null, b === null ? null : leaseOf(via), from, n < left ? n : left);
      c.#pos = from + (typeof done === "number" ? done : done.copied);
      return done;
    };
    transferOther = (c, bytes, space, lease, pos, n, strict, writerFallible) => {
      // Never a direct infallible reader (`#bytes` null): fallible unless over a space of frames.
      const via = c.#via;
      if (strict && (writerFallible || fallibleOf(null, via))) badWrite(fallibleOf(null, via));
      return exchange(c, bytes, space, lease, pos, n);
    };
    readOther = (c, w, strict) => {
      const pos = c.#pos;
      const via = c.#via;
      const b = directOf(c.#bytes, via);
      const n = c.#end - pos;
      return b === null
        ? strict
          ? writerAccess.transfer(w, null, spaceOf(via), null, pos, n, true, fallibleOf(b, via))
          : writerAccess.spaceCopy(w, spaceOf(via), pos, n)
        : writerAccess.transfer(w, b, null, leaseOf(via), pos, n, strict, fallibleOf(c.#bytes, via));
    };
    readRest = (c, w) => {
      const pos = c.#pos;
      const done = readOther(c, w, true);
      if (typeof done !== "number") return readFaulted(c, pos, done);
      c.#pos = pos + done;
      return done;
    };
    readFaulted = (c, pos, fault) => {
      c.#pos = pos + fault.copied;
      return raiseFault(fault);
    };
    installReaderAccess({
      is: (x) => typeof x === "object" && x !== null && #pos in x,
      isExpected: (x) => {
        try {
          return typeof (x as VmReader<Fallibility>).#pos === "number";
        } catch {
          return false;
        }
      },
      left: (r) => (r as VmReader<Fallibility>).#end - (r as VmReader<Fallibility>).#pos,
      exchange,
      // `VmWriter.write`'s side of the copy (see `CursorAccess.transfer`):
      // the checks, and a copy between two direct memories written out;
      // anything else is `exchange`'s.
      transfer: (r, bytes, space, lease, pos, n, strict, writerFallible) => {
        const c = r as VmReader<Fallibility>;
        let from: number;
        try {
          from = c.#pos;
        } catch {
          return notReader(r);
        }
        // Here a direct infallible reader (`#bytes` set, `#via` its lease:
        // typed memory, a frame's, a segment's); any other kind through
        // `transferOther`.
        const sBytes = c.#bytes;
        if (sBytes === null) return transferOther(c, bytes, space, lease, pos, n, strict, writerFallible);
        if (strict && writerFallible) badWrite(false);
        const left = c.#end - from;
        const m = n < left ? n : left;
        if (bytes === null || m === 0) return exchange(c, bytes, space, lease, pos, n);
        copyDirect(bytes, lease, pos, sBytes, c.#via as Lease | null, from, m);
        c.#pos = from + m;
        return m;
      },
      spaceCopy: (r, space, pos, n) => {
        const c = r as VmReader<Fallibility>;
        let from: number;
        try {
          from = c.#pos;
        } catch {
          return notReader(r);
        }
        const left = c.#end - from;
        const via = c.#via;
        const b = directOf(c.#bytes, via);
        const done = copyWithSpace(null, space, null, pos, b, b === null ? spaceOf(via) : null, b === null ? null : leaseOf(via), from, n < left ? n : left);
        c.#pos = from + (typeof done === "number" ? done : done.copied);
        return done;
      },
      location: (r) => {
        const c = r as VmReader<Fallibility>;
        const via = c.#via;
        const b = directOf(c.#bytes, via);
        return { bytes: b, space: b === null ? spaceOf(via) : null, lease: b === null ? null : leaseOf(via), pos: c.#pos };
      },
    });
  }

  /**
   * A reader over the bytes of `bytes` (any typed array or `DataView`, over
   * an `ArrayBuffer`, a `SharedArrayBuffer` or a `WebAssembly.Memory`
   * buffer). Its addresses are offsets from the start of `bytes`.
   *
   * OSTD counterpart: `impl From<&[u8]> for VmReader<Infallible>`.
   *
   * @throws {TypeError} `bytes` is not an `ArrayBufferView`, or its buffer is detached.
   */
  static from(bytes: ArrayBufferView): VmReader<Infallible> {
    const view = knownView(bytes);
    if (view === null) return fromOther(bytes);
    return new VmReader<Infallible>(KEY, bytes as Uint8Array, (bytes as Uint8Array).length, view);
  }

  /** Number of bytes left to read. OSTD counterpart: `VmReader::remain`. */
  remain(): number {
    return this.#end - this.#pos;
  }

  /** Address of the next byte to read. OSTD counterpart: `VmReader::cursor`. */
  cursor(): number {
    return this.#pos;
  }

  /** Whether any byte is left to read. OSTD counterpart: `VmReader::has_remain`. */
  hasRemain(): boolean {
    return this.#end > this.#pos;
  }

  /**
   * Shrinks the range so that at most `maxRemain` bytes remain; never grows it.
   *
   * OSTD counterpart: `VmReader::limit`.
   *
   * @throws {TypeError | RangeError} `maxRemain` is not a non-negative safe integer.
   */
  limit(maxRemain: number): this {
    checkIndex(maxRemain, "maxRemain");
    if (maxRemain < this.#end - this.#pos) this.#end = this.#pos + maxRemain;
    return this;
  }

  /**
   * Advances the cursor by `n` bytes without reading them.
   *
   * OSTD counterpart: `VmReader::skip` (which panics when `n > remain`).
   *
   * @throws {TypeError | RangeError} `n` is not a non-negative safe integer.
   * @throws {RangeError} `n > remain()`.
   */
  skip(n: number): this {
    const left = this.#end - this.#pos;
    // `checkIndex` and the room check in one test, written out: `n ≤ left`
    // keeps `n` a safe integer once it is a non-negative integer, and a
    // fresh reader (`VmReader.from(u8).skip(o).readVal(t)`) then checks
    // no called function's identity (a module-level alias is a mutable
    // context slot, which V8 loads and compares on every use).
    if (!(typeof n === "number" && n >= 0 && n <= left && Math.floor(n) === n)) badSkip(n, left);
    this.#pos += n;
    return this;
  }

  /**
   * A second reader at the same position over the same range.
   *
   * OSTD counterpart: `impl Clone for VmReader`.
   */
  clone(): VmReader<F> {
    const c = new VmReader<F>(KEY, this.#bytes, this.#end, this.#view);
    c.#via = this.#via;
    c.#pos = this.#pos;
    return c;
  }

  /**
   * A fallible reader at the same position over the same range.
   *
   * OSTD counterpart: `VmReader<Infallible>::to_fallible` (this one leaves
   * the original usable).
   */
  toFallible(): VmReader<Fallible> {
    const via = this.#via;
    const b = directOf(this.#bytes, via);
    const view = this.#bytes !== null ? this.#view : via instanceof CursorVia ? via.view : NONE;
    return newReader<Fallible>(b, view, b === null ? spaceOf(via) : null, b === null ? null : leaseOf(via), this.#pos, this.#end, true);
  }

  /**
   * Copies `min(remain(), w.avail())` bytes into `w` and advances both
   * cursors by that much. Returns the number of bytes copied.
   *
   * OSTD counterpart: `VmReader<Infallible>::read`.
   *
   * @throws {TypeError} `w` is not an infallible writer, this reader is fallible,
   *   or the memory of either was freed or detached.
   */
  read(this: VmReader<Infallible>, w: VmWriter<Infallible>): number {
    // Written out in both methods (not a shared private method): a copy
    // between two fresh cursors must fit V8's inlining budget (see copyDirect).
    // A direct infallible reader (`#bytes` set, `#via` its lease or null:
    // typed memory, a frame's, a segment's) here; any other kind, and a
    // fault, out of line. 115 bytes of bytecode (Node 20), and it must stay
    // near that: a segment's copy (`seg.reader().read(to.writer())`) inlines
    // `read` into its loop only while 1.2 × (115 + 648, what `read`'s own
    // optimised code inlines: the writer's `transfer`, `copyDirect`,
    // `copyPart`) ≤ 920 (with 126 bytes it was a call, and before that its
    // lease went out of line); the fresh typed copy has 24 bytes to spare.
    const bytes = this.#bytes;
    if (bytes === null) return readRest(this, w);
    const pos = this.#pos;
    const done = writerAccess.transfer(w, bytes, null, this.#via as Lease | null, pos, this.#end - pos, true, false);
    if (typeof done !== "number") return readFaulted(this, pos, done);
    this.#pos = pos + done;
    return done;
  }

  /**
   * Copies `min(remain(), w.avail())` bytes into `w`, stopping early at the
   * first byte that faults. Both cursors advance by the number of bytes
   * copied, which is returned.
   *
   * OSTD counterpart: `VmReader::read_fallible`.
   *
   * @throws {VmError} `PageFault` when a fault stopped the copy; `copied` holds
   *   the bytes moved before it (both cursors have advanced by that).
   * @throws {TypeError} `w` is not a writer, or memory was freed or detached.
   */
  readFallible(w: VmWriter<Fallibility>): number {
    const pos = this.#pos;
    const bytes = this.#bytes;
    const via = this.#via;
    // Over a memory space (a user copy) through `spaceCopy`, whose chain is
    // short enough for V8 to inline with the `reader` and `VmWriter.from`
    // that made the two cursors, so that the writer is not allocated (see
    // `CursorAccess.spaceCopy` and `copyWithSpace`). A space has no lease.
    // Direct memory and a space of frames (a `CursorVia`) through `readOther`.
    const done =
      bytes === null && !(via instanceof CursorVia)
        ? writerAccess.spaceCopy(w, via as MemorySpace, pos, this.#end - pos)
        : readOther(this, w, false);
    if (typeof done === "number") {
      this.#pos = pos + done;
      return done;
    }
    this.#pos = pos + done.copied;
    return raiseFault(done);
  }

  /**
   * Reads one value of type `t` and advances past it. No alignment is needed.
   *
   * On shared RAM (or a shared `WebAssembly.Memory`) another thread may
   * write the bytes while they are read, so a value wider than one byte may
   * tear — legal, as in OSTD. Use {@link VmReader.readOnce} for a `u64` (or
   * any `PodOnce` value) that must be read in one piece.
   *
   * OSTD counterpart: `VmReader::read_val`.
   *
   * @throws {VmError} `InvalidArgs` when fewer than `sizeOf(t)` bytes remain;
   *   `PageFault` when a byte of the value faults (the cursor does not move).
   * @throws {TypeError} `t` is not a Pod type, or the memory was freed or detached.
   */
  readVal<T>(t: PodType<T>): T {
    // The hot path of every decoder. V8 inlines it only while it stays this
    // small, and only calls module-local cold helpers on failure.
    if (t == null || (t as PodDescriptor<T>).self !== t) notPod(t);
    const d = t as PodDescriptor<T>;
    const size = d.size;
    const pos = this.#pos;
    if (this.#end - pos < size) tooShort(size, this.#end - pos);
    const view = this.#view;
    if (view !== NONE) {
      // Only a direct infallible reader has a view here: its `#via` is its lease.
      checkLease(this.#via as Lease | null);
      let value: T;
      try {
        value = d.decode(view, pos);
      } catch (e) {
        return directFailed(this.#bytes as Uint8Array, pos, size, e);
      }
      this.#pos = pos + size;
      return value;
    }
    return readValSlow(this, d);
  }

  /**
   * Reads one value of a `PodOnce` type with a single non-tearing load
   * (`Atomics.load` when the memory is shared) and advances past it.
   *
   * OSTD counterpart: `VmReader<Infallible>::read_once`.
   *
   * @throws {VmError} `InvalidArgs` when fewer than `sizeOf(t)` bytes remain.
   * @throws {RangeError} the cursor is not aligned to `sizeOf(t)`.
   * @throws {TypeError} `t` is not a `PodOnce` type, this reader is fallible,
   *   or the memory was freed or detached.
   */
  readOnce<T>(this: VmReader<Infallible>, t: PodOnceType<T>): T {
    const d = descriptorOf(t, "t");
    if (fallibleOf(this.#bytes, this.#via)) requireInfallible("readOnce", "reader");
    const value = loadOnceAt(this, d, "readOnce");
    this.#pos += d.size;
    return value;
  }

  /**
   * Loads the `u32` at the cursor atomically (relaxed); the cursor does not move.
   *
   * OSTD counterpart: `VmReader<Fallible>::atomic_load`.
   *
   * @throws {VmError} `InvalidArgs` when fewer than 4 bytes remain; `PageFault`
   *   when the word faults.
   * @throws {RangeError} the cursor is not 4-byte aligned.
   * @throws {TypeError} `t` is not `u32`, or the memory was freed or detached.
   */
  atomicLoad(t: typeof u32): number {
    if (t !== u32) invalidType("t", "u32 (the only type with atomic access)", t);
    return loadOnceAt(this, descriptorOf(u32), "atomicLoad");
  }
}

/** A reader's direct memory, from its `#bytes` and `#via` (a direct fallible reader's is in its `CursorVia`); null for a space. */
function directOf(bytes: Uint8Array | null, via: Via): Uint8Array | null {
  return bytes !== null ? bytes : via instanceof CursorVia ? via.bytes : null;
}

/** The `DataView` over a direct fallible reader's `bytes` (its `CursorVia`'s), made on first use. */
function viaView(via: ImportedCursorVia, bytes: Uint8Array): DataView {
  const view = via.view;
  return view !== NONE ? view : (via.view = directView(bytes));
}

/** The lease of a direct reader's `#via`. */
function leaseOf(via: Via): Lease | null {
  return via instanceof CursorVia ? via.lease : (via as Lease | null);
}

/** The space of a reader over one, from its `#via`. */
function spaceOf(via: Via): MemorySpace {
  return (via instanceof CursorVia ? via.space : via) as MemorySpace;
}

/** Whether a reader with these `#bytes` and `#via` is fallible (see `CursorVia`). */
function fallibleOf(bytes: Uint8Array | null, via: Via): boolean {
  return via instanceof CursorVia ? via.fallible : bytes === null;
}

function badWrite(readerFallible: boolean): never {
  return requireInfallible("write", readerFallible ? "reader" : "writer");
}

function notReader(r: unknown): never {
  return invalidType("r", "a VmReader", r);
}

function notPod(t: unknown): never {
  return notPodType(t, "t");
}

function tooShort(size: number, left: number): never {
  return insufficient("read", size, left);
}

function badNew(): never {
  return illegalConstructor("VmReader", "use VmReader.from(), or reader() of a frame, segment or address space");
}

/** Why `skip(n)` refused `n`: not an index (`checkIndex`'s error), else too far. */
function badSkip(n: unknown, left: number): never {
  checkIndex(n, "n");
  return contractViolation(`cannot skip ${n} bytes: only ${left} remain`);
}
