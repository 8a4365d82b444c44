/**
 * The copy engine: one `memcpy` and one `memset` for every pair of memories.
 *
 * Every byte that a reader, a writer or a VM object moves goes through
 * {@link copyRaw} or {@link fillRaw}. They walk both sides one contiguous
 * run at a time — a direct memory is a single run, a memory space answers
 * with one run per frame or page (merged when the pages are physically
 * adjacent) — and move `min(runs)` bytes with the fastest primitive for the
 * size. On a fault they stop and return a {@link CopyFault} holding the count
 * so far: bytes before the first inaccessible byte are copied, nothing after
 * it is touched. Infallible memory simply never faults, so the same loop is
 * OSTD's `memcpy` as well as its `memcpy_fallible`.
 *
 * Safety contract:
 * - a direct memory is checked ({@link checkDirect}: lease, bytes still
 *   there) before a copy starts, and again before every chunk that follows a
 *   call into a memory space — a space may have run a fault handler, and a
 *   handler may dispose the handle a reader borrows, or detach or shrink the
 *   buffer a typed memory lives in. Either the count returned is exactly
 *   what moved, or a `TypeError` with a `code` says why the copy stopped;
 * - a source run is taken again when the destination's run may have
 *   invalidated it (the space's generation moved: a handler unmapped or
 *   protected a page);
 * - an overlapping copy upwards within one space is a memmove: exact, or
 *   stopped at the first fault in order with the bytes before it in place.
 *
 * Hot-loop rules (docs/architecture.md, "Measured rules"): no allocation, no closures, no `.buffer`
 * getters (a builtin call, about 12 ns each on Node 20); run results are read
 * from reused fields into locals before the other side is asked for its run,
 * because both sides may be the same space.
 *
 * @module
 */

import { detachedBuffer } from "../base/contract.js";
import { CopyFault, faultIn } from "./access-errors.js";
import { copyView as importedCopyView, checkDirect as importedCheckDirect, leaseExpired, type Lease } from "./memory-cursor.js";
import type { MemorySpace } from "./memory-space.js";

// Imported bindings used on hot paths, as module-local constants: V8 (Node
// 20) folds a module's own `const`s but loads an imported binding from its
// module cell on every use (about 8 instructions a use, measured).
const checkDirect = importedCheckDirect;
const copyView = importedCopyView;

/**
 * `Uint8Array.prototype.set`, held here for every `set` of a copy (the copy
 * loop's one per page, {@link copyBytes}, {@link copyDirect}): optimised
 * code on Node 20 loads `view.set` through a generic load IC (a call, about
 * 8 ns, measured), where a call of this constant is a direct call of the
 * builtin. As a side effect a user's later change of the prototype's `set`
 * does not reach a copy.
 */
const typedArraySet = Uint8Array.prototype.set;

/**
 * Below this many bytes a plain loop beats `TypedArray.prototype.set` on a
 * `subarray`, whose fixed cost is about 30 ns on Node 20 (a byte costs about
 * 0.75 ns in the loop).
 */
const SMALL_COPY = 32;

/**
 * Up to this many bytes, a copy between a user space's page (a TLB hit) and
 * typed memory whose `DataView` is at hand (see `copyView`) moves words
 * between the two views ({@link copyWords}) instead of making a `subarray`
 * for `set`: about where the two cost the same on Node 20.
 */
const WORD_COPY = 96;

/**
 * Where a small copy between two views that may share a buffer goes
 * first: through it the loop is as safe for overlapping ranges as `set`,
 * without the `subarray` that `set` needs (it costs more than the bytes).
 * No user code runs while it holds bytes.
 */
const SCRATCH = new Uint8Array(SMALL_COPY);

/**
 * An overlapping copy upwards within one space reads its source through
 * buffers of at most this many bytes (see {@link memmoveUp}), so that the
 * memory it takes is bounded by what it can actually read.
 */
const MEMMOVE_CHUNK = 1 << 20;

/**
 * Copies `n` bytes from `src[sIndex…]` to `dst[dIndex…]`.
 *
 * `mayAlias` says that `dst` and `src` are different views that could share
 * a buffer (two typed memories): a copy must then go as if through a
 * temporary — `set` does so by specification, and a small copy goes through
 * {@link SCRATCH}. Where the
 * views are one object (RAM to RAM) the loop runs in the safe direction, and
 * `copyWithin` is used for large runs.
 *
 * @internal
 */
export function copyBytes(dst: Uint8Array, dIndex: number, src: Uint8Array, sIndex: number, n: number, mayAlias: boolean): void {
  // The whole source view: no subarray to allocate. The rest is apart, so
  // that this stays small enough for V8 to inline into a copy between two
  // fresh cursors (see `copyRaw`).
  if (sIndex === 0 && n === src.length) typedArraySet.call(dst, src, dIndex);
  else copyPart(dst, dIndex, src, sIndex, n, mayAlias);
}

/** {@link copyBytes} of part of the source view. */
function copyPart(dst: Uint8Array, dIndex: number, src: Uint8Array, sIndex: number, n: number, mayAlias: boolean): void {
  if (dst === src) {
    if (n > SMALL_COPY) dst.copyWithin(dIndex, sIndex, sIndex + n);
    else if (dIndex <= sIndex) for (let i = 0; i < n; i++) dst[dIndex + i] = src[sIndex + i] as number;
    else for (let i = n - 1; i >= 0; i--) dst[dIndex + i] = src[sIndex + i] as number;
  } else if (n <= SMALL_COPY) {
    if (!mayAlias) for (let i = 0; i < n; i++) dst[dIndex + i] = src[sIndex + i] as number;
    else {
      for (let i = 0; i < n; i++) SCRATCH[i] = src[sIndex + i] as number;
      for (let i = 0; i < n; i++) dst[dIndex + i] = SCRATCH[i] as number;
    }
  } else {
    typedArraySet.call(dst, src.subarray(sIndex, sIndex + n), dIndex);
  }
}

/**
 * Copies `len` bytes from a source to a destination, each described by its
 * parts: direct bytes or a space, a lease, and a position. The caller has
 * checked that `len` fits both ranges. Returns `len`, or the
 * {@link CopyFault} that stopped the copy (its `copied` bytes moved). Cursor
 * objects are not passed in, only their fields, so that V8 may
 * scalar-replace a reader or writer that escapes nowhere else.
 *
 * OSTD counterpart: `memcpy` / `memcpy_fallible`.
 *
 * @throws {TypeError} a lease expired or a buffer was detached (contract
 *   violations), before the first byte or after a fault handler ran; or the
 *   exception of a space whose memory is gone (a disposed address space).
 * @internal
 */
export function copyRaw(
  dBytes: Uint8Array | null,
  dSpace: MemorySpace | null,
  dLease: Lease | null,
  dPos: number,
  sBytes: Uint8Array | null,
  sSpace: MemorySpace | null,
  sLease: Lease | null,
  sPos: number,
  len: number,
): number | CopyFault {
  if (dBytes !== null && sBytes !== null && len !== 0) {
    copyDirect(dBytes, dLease, dPos, sBytes, sLease, sPos, len);
    return len;
  }
  return copyWithSpace(dBytes, dSpace, dLease, dPos, sBytes, sSpace, sLease, sPos, len);
}

/**
 * {@link copyRaw} between two direct memories, `len ≥ 1`: checks both
 * sides as {@link checkDirect} does (source first), then copies.
 *
 * Written out, its errors apart and its arguments few: a copy between two
 * fresh cursors (`VmReader.from(a).read(VmWriter.from(b))`) keeps its
 * cursors out of the heap only when V8 (Node 20) inlines all of it into the
 * caller's loop, and V8 inlines at most 920 bytes of bytecode into one
 * optimised function (a callee already optimised on its own counting again
 * what it inlined, and every candidate times 1.2). So this path's bytecode
 * is kept to what it must do: 142 bytes on Node 20, 13 of them for calling
 * the held `set` (`typedArraySet.call`), which pays: the load IC it saves
 * was about 0.1 of the 16 B … 4 KiB copy rows' ratios (medians of A/B runs,
 * bench/io.bench.ts).
 *
 * @throws {TypeError} `ERR_USE_AFTER_DISPOSE` or `ERR_DETACHED_BUFFER`.
 * @internal
 */
export function copyDirect(dBytes: Uint8Array, dLease: Lease | null, dPos: number, sBytes: Uint8Array, sLease: Lease | null, sPos: number, len: number): void {
  if (sLease !== null && sLease.leaseExpired) expired(sLease);
  if (sPos + len > sBytes.length) detached();
  if (dLease !== null && dLease.leaseExpired) expired(dLease);
  if (dPos + len > dBytes.length) detached();
  // The whole source view (the checks above leave it at position 0): no
  // subarray to make. Two typed memories (no lease) may be views of one
  // buffer; two RAM sides share one view, which copyPart sees (`dst ===
  // src`) before it asks whether they may alias — so equal leases say it.
  if (len === sBytes.length) typedArraySet.call(dBytes, sBytes, dPos);
  else copyPart(dBytes, dPos, sBytes, sPos, len, sLease === dLease);
}

// The errors of `copyDirect`, as module-local functions (one load each,
// where an imported binding costs a load and a hole check).
function expired(lease: Lease): never {
  return leaseExpired(lease);
}

function detached(): never {
  return detachedBuffer();
}

/**
 * {@link copyRaw} where at least one side is a memory space.
 *
 * One function, never inlined: its bytecode (637 bytes on Node 20 with the
 * word copy's entry, the held set and the whole-array test of a write; 467
 * before them) is past V8's limit for a function to be inlined at all (460
 * bytes; measured with --print-bytecode — keep it past that when editing
 * it). So a caller that reaches it by a short chain — `VmReader.readFallible` of a
 * user-space reader through `CursorAccess.spaceCopy` — keeps that chain
 * small enough to inline into a loop that also makes the cursors, and passes
 * this call the cursors' fields, not the cursors (which V8 would then have
 * to allocate). Splitting it again would let V8 inline it back into
 * `spaceCopy`'s own optimised code, and `spaceCopy` would then be too big
 * for the loop.
 *
 * @internal
 */
export function copyWithSpace(
  dBytes: Uint8Array | null,
  dSpace: MemorySpace | null,
  dLease: Lease | null,
  dPos: number,
  sBytes: Uint8Array | null,
  sSpace: MemorySpace | null,
  sLease: Lease | null,
  sPos: number,
  len: number,
): number | CopyFault {
  if (len === 0) return 0;
  // A copy between direct memory and one run of a space that is at hand (a
  // TLB hit): no loop, no user code, no critical section on unshared RAM.
  // A small one moves words between two `DataView`s (see copyWords): the
  // direct side's shared view is looked up (made on the array's 32nd small
  // copy, through the built-in getters: no user code) before the probe, so
  // that nothing runs between the translation and the copy.
  if (dBytes !== null && sSpace !== null && !sSpace.shared) {
    const view = len <= WORD_COPY ? copyView(dBytes) : null;
    if (sSpace.probe(sPos, len, false)) {
      checkDirect(dBytes, dLease, dPos, len);
      const slice = sSpace.runSlice;
      if (slice !== null) typedArraySet.call(dBytes, slice, dPos);
      else if (view !== null && sSpace.aliasable === false && dBytes !== sSpace.runBytes) copyWords(view, dPos, sSpace.runView, sSpace.runOffset, len);
      else copyBytes(dBytes, dPos, sSpace.runBytes, sSpace.runOffset, len, sSpace.aliasable);
      return len;
    }
  }
  if (sBytes !== null && dSpace !== null && !dSpace.shared) {
    // All of the source array (`writeBytes`, a writer fed a fresh reader
    // over one array) is one `set` with no `subarray` (copyBytes), which
    // beats the words: user-write-64b 0.23–0.25 → 0.40–0.49 (A/B, three
    // processes each), where the words cost 75–104 ns a copy against 39–48.
    const view = len <= WORD_COPY && len !== sBytes.length ? copyView(sBytes) : null;
    if (dSpace.probe(dPos, len, true)) {
      checkDirect(sBytes, sLease, sPos, len);
      if (view !== null && dSpace.aliasable === false && sBytes !== dSpace.runBytes) copyWords(dSpace.runView, dSpace.runOffset, view, sPos, len);
      else copyBytes(dSpace.runBytes, dSpace.runOffset, sBytes, sPos, len, dSpace.aliasable);
      return len;
    }
  }
  // Dead memory is refused before any fault handler can run.
  if (dBytes !== null) checkDirect(dBytes, dLease, dPos, len);
  if (sBytes !== null) checkDirect(sBytes, sLease, sPos, len);
  // On shared RAM the whole copy is one critical section (grace-period.ts):
  // the frames behind the runs stay allocated until it ends.
  const sShared = sSpace !== null && sSpace.shared;
  const dShared = dSpace !== null && dSpace.shared;
  if (sShared) (sSpace as MemorySpace).enter();
  if (dShared) (dSpace as MemorySpace).enter();
  try {
    if (sSpace !== null && sSpace === dSpace && dPos > sPos && dPos < sPos + len) return memmoveUp(sSpace, dPos, sPos, len);
    return copyLoop(dBytes, dSpace, dLease, dPos, sBytes, sSpace, sLease, sPos, len);
  } finally {
    if (dShared) (dSpace as MemorySpace).exit();
    if (sShared) (sSpace as MemorySpace).exit();
  }
}

/**
 * Copies `n` bytes from `src` at `sIndex` to `dst` at `dIndex`, four at a
 * time (`getInt32`/`setInt32`, which TurboFan inlines: an `Int32` copies
 * any bit pattern exactly, where a `Float64` might not keep a NaN's) and
 * the last one to three bytes one by one. Forwards: only for two views that
 * cannot overlap (a user space's RAM and typed memory, or RAM and itself
 * when the caller has seen the sides are different arrays), both ranges
 * checked by the caller.
 *
 * Why: a copy of `n ≤` {@link WORD_COPY} bytes out of a run at `runOffset`
 * otherwise needs a `subarray` of RAM for `set` — an object made per copy,
 * 60–70 ns with the `set` on Node 20 whatever the length, where these words
 * cost about 0.5 ns a byte in a user copy (each access checks the
 * view's map and bounds again: TurboFan hoists nothing out of a loop). A
 * 64 B user copy measured about 90 → 60–70 ns; the two ways cost the same
 * near 100 B (measured at 96 and 128 B, alternating builds). Two words an
 * iteration: one a loop measured about 10 ns slower at 64 B (each
 * iteration checks the stack and moves its indices), four the same as two
 * with more bytecode, which counts against `copyWithSpace`'s own inlining
 * budget.
 */
function copyWords(dst: DataView, dIndex: number, src: DataView, sIndex: number, n: number): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    dst.setInt32(dIndex + i, src.getInt32(sIndex + i, true), true);
    dst.setInt32(dIndex + i + 4, src.getInt32(sIndex + i + 4, true), true);
  }
  if (i + 4 <= n) {
    dst.setInt32(dIndex + i, src.getInt32(sIndex + i, true), true);
    i += 4;
  }
  for (; i < n; i++) dst.setUint8(dIndex + i, src.getUint8(sIndex + i));
}

function copyLoop(
  dDirect: Uint8Array | null,
  dSpace: MemorySpace | null,
  dLease: Lease | null,
  dPos: number,
  sDirect: Uint8Array | null,
  sSpace: MemorySpace | null,
  sLease: Lease | null,
  sPos: number,
  len: number,
): number | CopyFault {
  let done = 0;
  while (done < len) {
    let n = len - done;
    let sBytes: Uint8Array;
    let sIndex: number;
    let sSlice: Uint8Array | null = null;
    let sGeneration = 0;
    if (sDirect !== null) {
      sBytes = sDirect;
      sIndex = sPos + done;
    } else {
      const space = sSpace as MemorySpace;
      // probeRun is asked here, not inside `run`: a `run` that V8 had
      // optimised on its own with probeRun and runSlow inlined would count
      // all of that against this loop's inlining budget and stay a call
      // per page (see SpaceState.probeRun).
      let got = space.probeRun(sPos + done, n, false);
      if (got === 0) got = space.run(sPos + done, n, false);
      if (got === 0) return faultIn(space, done);
      sBytes = space.runBytes;
      sIndex = space.runOffset;
      sSlice = space.runSlice;
      // Needed only where the destination is a space too (see below).
      if (dSpace !== null) sGeneration = space.generation();
      n = got;
    }
    let dBytes: Uint8Array;
    let dIndex: number;
    if (dDirect !== null) {
      dBytes = dDirect;
      dIndex = dPos + done;
    } else {
      const space = dSpace as MemorySpace;
      let got = space.probeRun(dPos + done, n, true);
      if (got === 0) got = space.run(dPos + done, n, true);
      if (got === 0) return faultIn(space, done);
      dBytes = space.runBytes;
      dIndex = space.runOffset;
      if (got < n) n = got;
      // The destination's fault handler may have unmapped the source's page
      // (the frame may already belong to someone else): take it again.
      if (sSpace !== null && sSpace.generation() !== sGeneration) continue;
    }
    // A space's run may have called a fault handler, which may have disposed
    // the handle a direct side borrows or detached its buffer.
    if (dDirect !== null) checkDirect(dDirect, dLease, dIndex, n);
    else if (sDirect !== null) checkDirect(sDirect, sLease, sIndex, n);
    if (sSlice !== null && sSlice.length === n) typedArraySet.call(dBytes, sSlice, dIndex);
    // A side reached through a space is RAM, which no typed memory can view,
    // unless the space says otherwise (guest memory).
    else copyBytes(dBytes, dIndex, sBytes, sIndex, n, (sSpace !== null && sSpace.aliasable) || (dSpace !== null && dSpace.aliasable));
    done += n;
  }
  return done;
}

/**
 * An overlapping copy upwards within one space: a memmove, done as its
 * definition says — as if through a temporary buffer. The source is read
 * front to back into buffers (each fault handled as in any read), then the
 * buffers are written front to back (each fault handled as in any write).
 * Copying the runs back to front instead would need every translation twice,
 * and a fault handler may change them in between.
 *
 * The result is exact: on success every byte moved; on a fault the bytes
 * before it in order have landed, nothing else was written, and the fault
 * returned is the first one in order (a write fault before the point where
 * the read stopped, else the read fault). The handler is asked at most once
 * per faulting byte of each pass.
 */
function memmoveUp(space: MemorySpace, dPos: number, sPos: number, len: number): number | CopyFault {
  const chunks: Uint8Array[] = [];
  let read = 0;
  let stopped: CopyFault | undefined;
  while (read < len) {
    const chunk = new Uint8Array(Math.min(len - read, MEMMOVE_CHUNK));
    const got = copyLoop(chunk, null, null, 0, null, space, null, sPos + read, chunk.length);
    chunks.push(chunk);
    if (typeof got !== "number") {
      stopped = got.after(read + got.copied);
      read += got.copied;
      break;
    }
    read += got;
  }
  let written = 0;
  for (const chunk of chunks) {
    const n = Math.min(chunk.length, read - written);
    if (n === 0) break;
    const put = copyLoop(null, space, null, dPos + written, chunk, null, null, 0, n);
    if (typeof put !== "number") return put.after(written + put.copied);
    written += n;
  }
  return stopped ?? len;
}

/**
 * Writes `len` zero bytes at `pos` of a memory described by its parts; the
 * caller has checked that `len` fits. Returns `len`, or the
 * {@link CopyFault} that stopped the fill.
 *
 * OSTD counterpart: `memset_fallible` (with value 0).
 *
 * @throws {TypeError} a lease expired or a buffer was detached (contract violations).
 * @internal
 */
export function fillRaw(direct: Uint8Array | null, space: MemorySpace | null, lease: Lease | null, pos: number, len: number): number | CopyFault {
  if (len === 0) return 0;
  if (direct !== null) {
    checkDirect(direct, lease, pos, len);
    direct.fill(0, pos, pos + len);
    return len;
  }
  const s = space as MemorySpace;
  if (s.shared) s.enter();
  try {
    let done = 0;
    while (done < len) {
      const got = s.run(pos + done, len - done, true);
      if (got === 0) return faultIn(s, done);
      const offset = s.runOffset;
      s.runBytes.fill(0, offset, offset + got);
      done += got;
    }
    return done;
  } finally {
    if (s.shared) s.exit();
  }
}
