/**
 * What `VmReader` and `VmWriter` have in common: a cursor over one range of
 * one memory, the one check that keeps a direct access inside live memory,
 * and the internal way for each class to reach the other's state.
 *
 * A cursor reaches its memory in one of two ways:
 * - directly: `bytes` is the memory, one contiguous `Uint8Array` indexed by
 *   address (typed memory, and RAM for frames and segments). Every access
 *   goes through {@link checkDirect}: is the lease live (are the frames
 *   still borrowed?), and are the bytes still there (a detached buffer, or
 *   one shrunk below the view, reads as length 0)?
 * - through a {@link MemorySpace}, one run at a time (scattered frames, user
 *   address spaces).
 *
 * Addresses: for typed memory the address of a byte is its offset in the
 * view given to `from` (a `Uint8Array`'s `byteOffset` getter costs ~8 ns on
 * Node 20 — as much as a whole small copy — so vmio never needs it on a hot
 * path); for RAM it is the physical address; for a user space, the virtual
 * address. Alignment rules (`readOnce`, atomics) apply to where the byte
 * really is in its buffer.
 *
 * Safety contract: a cursor's state (its memory, lease, position and end)
 * lives in `#private` fields of `VmReader`/`VmWriter`. Plain JavaScript
 * cannot read or change them: moving `end` past the range, or reading the
 * RAM a frame reader points into, is impossible from a public object. The io
 * layer reaches a cursor of the *other* class through the accessors below,
 * which each class installs from a `static {}` block in its own body (so
 * `vm-reader.ts` and `vm-writer.ts` need not import each other).
 *
 * @module
 */

import { exactView, isDetached, plainBytes } from "../base/buffers.js";
import { detachedBuffer, internalError, useAfterDispose } from "../base/contract.js";
import type { CopyFault } from "./access-errors.js";
import type { MemorySpace } from "./memory-space.js";

/**
 * Something whose memory a reader or writer borrows: while `leaseExpired` is
 * false the memory may be accessed. In OSTD a reader borrows its frame for
 * its whole lifetime and the compiler enforces it; here every access checks.
 *
 * @internal
 */
export interface Lease {
  /** True once the borrowed memory may no longer be accessed. */
  readonly leaseExpired: boolean;
  /** Names the lender in the error thrown after expiry, e.g. "UFrame at 0x3000". */
  describeLease(): string;
}

/**
 * What a `VmReader` reaches its memory through, in one field (`#via`) where
 * it had three (space, lease, fallibility). The common kinds need no record:
 * a direct infallible reader holds its lease (or null: typed memory, which
 * cannot expire) beside its bytes, a reader over a space holds the space and
 * is fallible (user memory, guest memory). The other kinds (a direct
 * fallible reader, a reader over a space of frames, infallible, and its
 * `toFallible`) hold one of these — a direct fallible reader its bytes too,
 * so that a reader with bytes of its own is exactly a direct infallible one,
 * whose `#via` is its lease as it is: the one test (`#bytes !== null`) that
 * keeps the copies of typed memory, frames and segments inline (see
 * `VmReader.read`).
 *
 * Why one field: a reader made for one value
 * (`VmReader.from(u8).skip(o).readVal(t)`) is allocated whenever `readVal`
 * makes a call V8 does not inline (a `u64` field's `getBigUint64` was one
 * until the 64-bit codecs took a scratch word, src/pod/scalars.ts: V8's
 * escape analysis takes the receiver of every frame in a lazy-deoptimisation
 * frame state as escaping), and each field is one more store and 8 bytes
 * per value: five fields instead of seven measured about 0.04–0.06 of the
 * fresh-reader row's ratio (bench/io.bench.ts).
 *
 * A `Lease` itself, forwarding to the lease it holds, so that a direct
 * reader's lease check can read its field as it is, whichever kind it is.
 *
 * @internal
 */
export class CursorVia implements Lease {
  /** The space, for a reader over one; else null. */
  readonly space: MemorySpace | null;
  /** What direct memory is borrowed from; null for a space or typed memory. */
  readonly lease: Lease | null;
  /** Whether the reader is fallible. */
  readonly fallible: boolean;
  /** The direct memory of a direct fallible reader, indexed by address; else null. */
  readonly bytes: Uint8Array | null;
  /** A `DataView` over exactly {@link CursorVia.bytes}, or `NO_VIEW` until made (or for a space). */
  view: DataView;

  constructor(space: MemorySpace | null, lease: Lease | null, fallible: boolean, bytes: Uint8Array | null, view: DataView) {
    this.space = space;
    this.lease = lease;
    this.fallible = fallible;
    this.bytes = bytes;
    this.view = view;
  }

  get leaseExpired(): boolean {
    const lease = this.lease;
    return lease !== null && lease.leaseExpired;
  }

  describeLease(): string {
    return (this.lease as Lease).describeLease();
  }
}

/**
 * The `DataView` of a cursor that has none yet (or reaches memory through a
 * space): a sentinel rather than `null`, so that the field keeps one type.
 *
 * @internal
 */
export const NO_VIEW = new DataView(new ArrayBuffer(0));

/** What an empty entry of the byte methods' cache holds: no caller has it. */
const NO_BYTES = new Uint8Array(0);

// The last two plain `Uint8Array`s given to `VmReader.from`/`VmWriter.from`
// (a copy's source and destination), each with its length when it was
// checked and the `DataView` over it (`NO_VIEW` until one is needed).
// - `ArrayBuffer.isView` costs about 12 ns on Node 20, a third of a small
//   copy, and a plain `Uint8Array` stays one for life.
// - Making a `DataView` costs about 46 ns (docs/architecture.md, "Measured
//   rules") — 95× a value read when every reader made one (issue 10) — and
//   hosts make readers and writers over the same memory again and again (a
//   wasm memory, a scratch buffer), so they share one.
// The key is the `Uint8Array` itself and its length (0.8 ns to read), not
// its buffer, offset and byte length (15–20 ns each on Node 20): a detached
// or shrunk buffer changes the length (to 0 — only views of at least one
// byte are kept), a length-tracking view's growth too. At most two buffers
// stay alive through this.
// `var`s, not `let`s: a `let` is checked for its temporal dead zone at
// every use in a function, 2 bytes of bytecode each, and `knownView` is
// inlined into every fresh cursor (V8's inlining budget is in bytes).
/* eslint-disable no-var */
var plainA: Uint8Array | null = null;
var lengthA = 0;
var viewA: DataView = NO_VIEW;
var plainB: Uint8Array | null = null;
var lengthB = 0;
var viewB: DataView = NO_VIEW;
var nextB = false;
// How many small copies have asked for the view of A (of B) since it was
// remembered: the copy engine makes the view only after COPY_VIEW_AFTER
// (see `copyView`).
var askedA = 0;
var askedB = 0;
// The last two plain `Uint8Array`s given to a VM object's byte methods
// (`readBytes`, `writeBytes`, `readSlice`, `writeSlice`: see `ioBytes`),
// kept apart from A and B so that a loop mixing those methods with
// `VmReader.from`/`VmWriter.from` never evicts a cursor's array (whose
// every `from` would then make a new `DataView`). Same rules as A and B
// (two more buffers at most stay alive through them); empty, they hold an
// array of their own (never `null`, which a caller could pass).
var plainC: Uint8Array = NO_BYTES;
var lengthC = 0;
var viewC: DataView = NO_VIEW;
var askedC = 0;
var plainD: Uint8Array = NO_BYTES;
var lengthD = 0;
var viewD: DataView = NO_VIEW;
var askedD = 0;
var nextD = false;
/* eslint-enable no-var */

/**
 * For `VmReader.from`/`VmWriter.from`: when `bytes` is one of the two plain
 * `Uint8Array`s seen last, unchanged, the shared `DataView` over it
 * (`NO_VIEW` if none is made yet); otherwise null, and {@link fromBytes}
 * must check it. Compares identities only: never runs user code (a Proxy
 * is never one of them).
 *
 * Small on purpose: a copy between two fresh cursors
 * (`VmReader.from(a).read(VmWriter.from(b))`) stays out of the heap only
 * while V8 inlines all of it (see `copyDirect`).
 */
export function knownView(bytes: ArrayBufferView): DataView | null {
  if (bytes === plainA && (bytes as Uint8Array).length === lengthA) return viewA;
  if (bytes === plainB && (bytes as Uint8Array).length === lengthB) return viewB;
  return null;
}

/**
 * `bytes` as a plain `Uint8Array` over the same memory (see `plainBytes`),
 * for `VmReader.from`/`VmWriter.from` when {@link knownView} does not know
 * it: the same object when it is one (then remembered).
 *
 * @throws {TypeError} `bytes` is not an `ArrayBufferView`, or its buffer is detached.
 */
export function fromBytes(bytes: ArrayBufferView): Uint8Array {
  const b = plainBytes(bytes, "bytes");
  if (b === bytes && b.length !== 0) {
    if (nextB) {
      plainB = b;
      lengthB = b.length;
      viewB = NO_VIEW;
      askedB = 0;
    } else {
      plainA = b;
      lengthA = b.length;
      viewA = NO_VIEW;
      askedA = 0;
    }
    nextB = !nextB;
  }
  return b;
}

/**
 * A `DataView` over exactly `bytes` (index = offset in `bytes`): the one
 * shared by readers and writers over the same bytes when they are among
 * the last two that `fromBytes` saw.
 *
 * @throws {TypeError} the buffer is detached.
 */
export function directView(bytes: Uint8Array): DataView {
  const n = bytes.length;
  if (bytes === plainA && n === lengthA) return viewA !== NO_VIEW ? viewA : (viewA = exactView(bytes));
  if (bytes === plainB && n === lengthB) return viewB !== NO_VIEW ? viewB : (viewB = exactView(bytes));
  return exactView(bytes);
}

/**
 * How many small copies with one array ask for its `DataView` before
 * {@link copyView} makes it: about what making it can cost (1 µs, see
 * there) over what each copy then saves (30 ns).
 */
const COPY_VIEW_AFTER = 32;

/**
 * For the copy engine's small copies, which move words through a
 * `DataView` rather than make a `subarray` (see `copyWords` in `copy.ts`):
 * the shared `DataView` over exactly `bytes` when `bytes` is one of the
 * last two plain `Uint8Array`s that `fromBytes` saw, or of the last two
 * that {@link ioBytes} saw (looked up only after the first two), unchanged,
 * and the view is made already or this is the {@link COPY_VIEW_AFTER}th copy to
 * ask for it (then it is made); otherwise null. Not sooner: a view of an
 * array of at most 64 B made by `new Uint8Array(n)` makes V8 (Node 20) move
 * its bytes off its heap into a buffer of their own, about 1 µs (measured:
 * a fresh 64 B array per copy, or per two copies, went from 150–300 ns a
 * copy to 640–1,160 ns with the view made on the first or second ask),
 * where the words save about 30 ns a copy. The view is made through the
 * built-in getters ({@link exactView}): asking runs no user code, even where
 * a program has redefined `buffer`, `byteOffset` or `byteLength` on the
 * prototypes.
 *
 * @throws {TypeError} the buffer is detached (not possible while its length is the one remembered, at least 1).
 * @internal
 */
export function copyView(bytes: Uint8Array): DataView | null {
  const n = bytes.length;
  if (bytes === plainA && n === lengthA) {
    if (viewA !== NO_VIEW) return viewA;
    if (++askedA < COPY_VIEW_AFTER) return null;
    return (viewA = exactView(bytes));
  }
  if (bytes === plainB && n === lengthB) {
    if (viewB !== NO_VIEW) return viewB;
    if (++askedB < COPY_VIEW_AFTER) return null;
    return (viewB = exactView(bytes));
  }
  return ioView(bytes, n);
}

/**
 * {@link copyView} for the arrays of the VM objects' byte methods (C and
 * D, remembered by {@link ioBytes}); apart, so that a copy of a cursor's
 * array (A or B) never reads them.
 */
function ioView(bytes: Uint8Array, n: number): DataView | null {
  if (bytes === plainC && n === lengthC) {
    if (viewC !== NO_VIEW) return viewC;
    if (++askedC < COPY_VIEW_AFTER) return null;
    return (viewC = exactView(bytes));
  }
  if (bytes === plainD && n === lengthD) {
    if (viewD !== NO_VIEW) return viewD;
    if (++askedD < COPY_VIEW_AFTER) return null;
    return (viewD = exactView(bytes));
  }
  return null;
}

/**
 * The bytes a VM object's byte method (`readBytes`, `readSlice`,
 * `writeBytes`, `writeSlice`) is given, as a plain `Uint8Array`, for the
 * copy engine: `view` itself when it is one of the last two plain arrays
 * seen here, unchanged (two identity compares and a length: no
 * `ArrayBuffer.isView`, whose answer cannot have changed), else
 * {@link plainBytes}'s answer — remembered when it is `view` itself, so that
 * a small copy with it moves words through a `DataView` made on its
 * {@link COPY_VIEW_AFTER}th copy (see {@link copyView}). Its own two
 * entries, not those of `VmReader.from`/`VmWriter.from`: see C and D above.
 * Runs no user code.
 *
 * @throws {TypeError} `view` is not an `ArrayBufferView`, or its buffer is detached.
 * @internal
 */
export function ioBytes(view: unknown, name: string): Uint8Array {
  if (view === plainC && (view as Uint8Array).length === lengthC) return view as Uint8Array;
  if (view === plainD && (view as Uint8Array).length === lengthD) return view as Uint8Array;
  const b = plainBytes(view, name);
  if (b === view && b.length !== 0) {
    if (nextD) {
      plainD = b;
      lengthD = b.length;
      viewD = NO_VIEW;
      askedD = 0;
    } else {
      plainC = b;
      lengthC = b.length;
      viewC = NO_VIEW;
      askedC = 0;
    }
    nextD = !nextD;
  }
  return b;
}

/**
 * Throws unless `lease` (what a direct memory is borrowed from) is still
 * live. Small enough for V8 to inline; the failure path is cold.
 *
 * @throws {TypeError} `ERR_USE_AFTER_DISPOSE`.
 * @internal
 */
export function checkLease(lease: Lease | null): void {
  if (lease !== null && lease.leaseExpired) leaseExpired(lease);
}

/**
 * The direct-memory check: throws unless `[pos, pos + n)` of `bytes` may be
 * touched now — its lease has not expired and its bytes are still there (a
 * detached buffer, or a resizable one shrunk below the view, reads as
 * length 0). Every copy and fill of direct memory goes through here, before
 * it starts and again after anything that may have run user code (a fault
 * handler on the other side of a copy). Small enough for V8 to inline.
 *
 * Single values read and written through a `DataView` check only the lease
 * here: the `DataView` checks the bounds itself (a typed array's `length`
 * costs about 20 instructions on Node 20, a fifth of a `readVal`), and
 * {@link directFailed} turns its native error into this check's error.
 *
 * @throws {TypeError} `ERR_USE_AFTER_DISPOSE` or `ERR_DETACHED_BUFFER`.
 * @internal
 */
export function checkDirect(bytes: Uint8Array, lease: Lease | null, pos: number, n: number): void {
  checkLease(lease);
  if (pos + n > bytes.length) detachedBuffer();
}

/**
 * Cold path of a value access to `[pos, pos + n)` through a `DataView` over
 * direct `bytes` that threw `error`: the buffer was detached or shrunk (the
 * `DataView`'s own bounds check failed) — `ERR_DETACHED_BUFFER` — or
 * something else went wrong, which is rethrown as it is.
 *
 * @internal
 */
export function directFailed(bytes: Uint8Array, pos: number, n: number, error: unknown): never {
  if (isDetached(bytes.buffer) || pos + n > bytes.length) detachedBuffer();
  throw error;
}

/** @internal */
export function leaseExpired(lease: Lease): never {
  return useAfterDispose(`${lease.describeLease()} (the memory this reader or writer borrows)`);
}

/**
 * How the io layer reaches a reader or writer of the other class (or from a
 * VM object): each class installs one from a `static {}` block in its body.
 * Kept to what the copy paths need, so that V8 inlines it: a cursor of the
 * class copies to or from memory given by its parts in one call.
 *
 * @internal
 */
export interface CursorAccess {
  /** Whether `x` is a cursor of this class (never throws, never runs user code). */
  is(x: unknown): boolean;
  /**
   * The same answer as {@link CursorAccess.is}, for a caller that expects a
   * cursor of this class (a copy's other side): a private field read, which
   * costs nothing when `x` is one, and a caught exception when it is not.
   * Unlike `is`'s `#field in x`, the read lets V8 keep a cursor made just
   * for the call (`r.read(VmWriter.from(buf))`) out of the heap when it
   * inlines the whole copy: V8 (Node 20) allocates any object that a
   * `#field in` test sees (measured).
   */
  isExpected(x: unknown): boolean;
  /** Bytes between the cursor's position and its end. */
  left(c: object): number;
  /**
   * Moves `min(n, left(c))` bytes between the cursor and the memory at
   * `pos` described by `bytes`/`space`/`lease` — into a writer from that
   * memory, out of a reader into it — through `copyRaw`, and advances the
   * cursor by the bytes that moved. Returns `copyRaw`'s result.
   */
  exchange(c: object, bytes: Uint8Array | null, space: MemorySpace | null, lease: Lease | null, pos: number, n: number): number | CopyFault;
  /**
   * The copy of `VmReader.read`/`readFallible` (into a writer `x`) or
   * `VmWriter.write`/`writeFallible` (from a reader `x`), on `x`'s side:
   * checks that `x` is a cursor of this class — and, when `strict`, that
   * both sides are infallible (`selfFallible` is the caller's own flag) —
   * then does what {@link CursorAccess.exchange} does. One call rather than
   * `isExpected`, `fallible` and `exchange`: V8 inlines a copy between two
   * fresh cursors only while its whole chain stays within its budget (see
   * `copyRaw`).
   *
   * @throws {TypeError} `x` is not a cursor of this class, or a side is
   *   fallible when `strict`; as `exchange` otherwise.
   */
  transfer(x: unknown, bytes: Uint8Array | null, space: MemorySpace | null, lease: Lease | null, pos: number, n: number, strict: boolean, selfFallible: boolean): number | CopyFault;
  /**
   * `transfer` when the caller's side is a memory space (`VmReader.readFallible`
   * of a user-space reader, `VmWriter.writeFallible` of a user-space writer):
   * checks that `x` is a cursor of this class, then moves
   * `min(n, left(x))` bytes between it and `space` at `pos` through
   * `copyWithSpace`, given the cursor's fields rather than the cursor, and
   * advances it by the bytes that moved. Returns `copyWithSpace`'s result.
   * (A cursor over a space borrows nothing: the caller's lease is null.)
   *
   * Apart from `transfer` and small: V8 (Node 20) inlines at most 920 bytes
   * of bytecode into one optimised function, and a user copy
   * (`space.reader(va, 64).readFallible(VmWriter.from(dst))`) inlines the
   * space's `reader` and `VmWriter.from` first; the copy engine (past the
   * budget) is then one call, and a cursor passed to a call that V8 does not
   * inline is allocated, where its fields are not.
   *
   * @throws {TypeError} `x` is not a cursor of this class; as `copyWithSpace` otherwise.
   */
  spaceCopy(x: unknown, space: MemorySpace, pos: number, n: number): number | CopyFault;
  /** Where the cursor is: its memory and position (for same-address checks). */
  location(c: object): { bytes: Uint8Array | null; space: MemorySpace | null; lease: Lease | null; pos: number };
}

/** The access a class has not installed yet: nothing is a cursor of it. */
function none(): CursorAccess {
  const never = (): never => internalError("a cursor class was used before its module was loaded");
  return { is: () => false, isExpected: () => false, left: never, exchange: never, transfer: never, spaceCopy: never, location: never };
}

/**
 * How the io layer reaches the state of a `VmReader` (filled in by `vm-reader.ts`).
 *
 * One object for the life of the program, whose methods are installed
 * into it: a `const` binding that a module may copy into a `const` of its
 * own (see the hot-path rules in `vm-reader.ts`), where a `let` replaced at
 * install time would have to be read through the import on every use.
 *
 * @internal
 */
export const readerAccess: CursorAccess = none();

/**
 * How the io layer reaches the state of a `VmWriter` (filled in by `vm-writer.ts`).
 *
 * @internal
 */
export const writerAccess: CursorAccess = none();

/** @internal */
export function installReaderAccess(access: CursorAccess): void {
  Object.assign(readerAccess, access);
}

/** @internal */
export function installWriterAccess(access: CursorAccess): void {
  Object.assign(writerAccess, access);
}
