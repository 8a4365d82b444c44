// Shared helpers for the vm-layer tests: a small private RAM and address
// space per test, one-page cursor shortcuts, precise error assertions, and a
// hand-written page-table walker that reads PTEs straight out of RAM.

import assert from "node:assert/strict";
import {
  CachePolicy,
  FrameAllocOptions,
  PAGE_SIZE,
  PageFlags,
  PageProperty,
  PhysicalMemory,
  VmError,
  VmSpace,
  type UFrame,
  type VmErrorCode,
} from "../../src/index.js";
import { ramOf } from "../../src/frame/physical-memory.js";
import type { PagingName } from "../../src/frame/paging-name.js";

export { PAGE_SIZE };

/**
 * The paging format this run of the vm tests uses. Every vm test file runs
 * on both formats: as itself on x86-64, and through its twin in
 * `test/vm/sv48/`, which calls {@link runOnPaging} before importing it.
 */
export let PAGING: PagingName = "x86-64";

/** Makes this process's vm tests run on `paging` (call before importing a test file). */
export function runOnPaging(paging: PagingName): void {
  PAGING = paging;
}

/** A private RAM in this run's paging format: 1 MiB (256 frames, 3 of them metadata) unless told otherwise. */
export function memory(size = 1 << 20, shared = false): PhysicalMemory {
  return new PhysicalMemory({ size, shared, paging: PAGING });
}

/** Properties of a user mapping with write-back caching. */
export function user(flags: number, cache: CachePolicy = CachePolicy.Writeback): PageProperty {
  return PageProperty.newUser(flags, cache);
}

/** Bytes `[0, len)` of a position-dependent pattern (never 0, never repeating within 251 bytes). */
export function pattern(len: number, seed = 1): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = ((i * 7 + seed * 13) % 251) + 1;
  return b;
}

/** Asserts that `fn` throws a `VmError` with `code` (and `copied`, when given). Returns the error. */
export function throwsVmError(fn: () => unknown, code: VmErrorCode, copied?: number): VmError {
  let caught: VmError | undefined;
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof VmError, `expected a VmError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, `VmError code (${e.message})`);
    if (copied !== undefined) assert.equal(e.copied, copied, `VmError copied (${e.message})`);
    caught = e;
    return true;
  });
  return caught as VmError;
}

/** Asserts that `fn` throws a contract violation of class `kind` (never a `VmError`), optionally matching `message`. */
export function throwsContract(fn: () => unknown, kind: typeof TypeError | typeof RangeError, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(!(e instanceof VmError), `expected a ${kind.name}, got VmError ${String(e)}`);
    assert.ok(e instanceof kind, `expected a ${kind.name}, got ${String(e)}`);
    if (message !== undefined) assert.match((e as Error).message, message);
    return true;
  });
}

/** Asserts that `fn` throws the `TypeError` of a disposed object. */
export function throwsDisposed(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TypeError, `expected a TypeError, got ${String(e)}`);
    assert.equal((e as { code?: unknown }).code, "ERR_USE_AFTER_DISPOSE", `error code (${(e as Error).message})`);
    return true;
  });
}

/** Values that are numbers but not non-negative safe integers (RangeError), and values that are not numbers (TypeError). */
export const BAD_NUMBERS: readonly number[] = [-1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -0.5];
export const BAD_TYPES: readonly unknown[] = [1n, "0", undefined, null, {}, [0], true];

/** A fresh frame of `mem`, filled with `fill` if given (zeroed otherwise). */
export function newFrame(mem: PhysicalMemory, fill?: Uint8Array): UFrame {
  const frame = new FrameAllocOptions(mem).allocFrame();
  if (fill !== undefined) frame.writeBytes(0, fill);
  return frame;
}

/** Maps `frame` at page `va` of `space` with `flags` (the frame handle stays the caller's). */
export function mapAt(space: VmSpace, va: number, frame: UFrame, flags: number = PageFlags.RW, cache?: CachePolicy): void {
  using c = space.cursorMut({ start: va, end: va + PAGE_SIZE });
  c.map(frame, user(flags, cache));
}

/** Maps a new frame (filled with `fill` if given) at page `va`; the mapping holds the only reference. Returns its physical address. */
export function mapNew(space: VmSpace, mem: PhysicalMemory, va: number, flags: number = PageFlags.RW, fill?: Uint8Array): number {
  using frame = newFrame(mem, fill);
  mapAt(space, va, frame, flags);
  return frame.startPaddr();
}

/** Unmaps `[va, va + len)`. */
export function unmapAt(space: VmSpace, va: number, len = PAGE_SIZE): void {
  using c = space.cursorMut({ start: va, end: va + len });
  c.unmap(len);
}

/** Replaces the flags of mapped page `va`. */
export function protectAt(space: VmSpace, va: number, flags: number): void {
  using c = space.cursorMut({ start: va, end: va + PAGE_SIZE });
  const r = c.protectNext(PAGE_SIZE, (p) => {
    p.flags = flags;
  });
  assert.deepEqual(r, { start: va, end: va + PAGE_SIZE }, `protectAt(0x${va.toString(16)}): the page is mapped`);
}

/** What page `va` maps: the frame's physical address, flags and cache policy (the queried handle is disposed). */
export function queryAt(space: VmSpace, va: number): { paddr: number; flags: number; cache: CachePolicy } | undefined {
  using c = space.cursor({ start: va, end: va + PAGE_SIZE });
  const q = c.query();
  assert.deepEqual(q.range, { start: va, end: va + PAGE_SIZE });
  if (q.item === undefined) return undefined;
  using frame = q.item.frame;
  return { paddr: frame.startPaddr(), flags: q.item.prop.flags, cache: q.item.prop.cache };
}

/** The flags of page `va`, or undefined when it is not mapped. */
export function flagsAt(space: VmSpace, va: number): number | undefined {
  return queryAt(space, va)?.flags;
}

/** The bytes of physical frame `paddr`, read straight from RAM. */
export function physBytes(mem: PhysicalMemory, paddr: number, len = PAGE_SIZE): Uint8Array {
  return ramOf(mem).bytes.slice(paddr, paddr + len);
}

/** A page-table entry as two 32-bit halves. */
export interface RawPte {
  readonly lo: number;
  readonly hi: number;
}

/**
 * What the bits of a raw entry mean in this run's paging format, written
 * from the architecture manuals independently of `src/vm/pte-*.ts`: x86-64
 * (P 0, RW 1, US 2, A 5, D 6, NX 63, address bits 12–51) and RISC-V Sv48
 * (V 0, R 1, W 2, X 3, U 4, G 5, A 6, D 7, PPN at bit 10).
 */
export interface RawFormat {
  /** The flag bits of a non-leaf entry (within `tableMask`). */
  readonly tableFlags: number;
  readonly tableMask: number;
  /** Whether the hardware may use the leaf at all (P; V and R). */
  present(e: RawPte): boolean;
  writable(e: RawPte): boolean;
  user(e: RawPte): boolean;
  executable(e: RawPte): boolean;
  accessed(e: RawPte): boolean;
  dirty(e: RawPte): boolean;
  /** Whether a non-leaf entry points to a node. */
  isTable(e: RawPte): boolean;
  /** The frame number an entry holds. */
  frame(e: RawPte): number;
}

const X86_RAW: RawFormat = {
  tableFlags: 0x7,
  tableMask: 0xfff,
  present: (e) => (e.lo & 1) !== 0,
  writable: (e) => (e.lo & 2) !== 0,
  user: (e) => (e.lo & 4) !== 0,
  executable: (e) => (e.lo & 1) !== 0 && e.hi >>> 31 === 0,
  accessed: (e) => (e.lo & 0x20) !== 0,
  dirty: (e) => (e.lo & 0x40) !== 0,
  isTable: (e) => (e.lo & 1) !== 0,
  frame: (e) => Math.floor(e.lo / 4096) + (e.hi % 2 ** 20) * 2 ** 20,
};

const SV48_RAW: RawFormat = {
  tableFlags: 0x1,
  tableMask: 0x3ff,
  present: (e) => (e.lo & 3) === 3,
  writable: (e) => (e.lo & 4) !== 0,
  user: (e) => (e.lo & 0x10) !== 0,
  executable: (e) => (e.lo & 9) === 9,
  accessed: (e) => (e.lo & 0x40) !== 0,
  dirty: (e) => (e.lo & 0x80) !== 0,
  isTable: (e) => (e.lo & 0xf) === 1,
  frame: (e) => Math.floor(e.lo / 1024) + (e.hi % 2 ** 22) * 2 ** 22,
};

/** The raw-bit meanings of this run's paging format. */
export function raw(): RawFormat {
  return PAGING === "x86-64" ? X86_RAW : SV48_RAW;
}

/** Physical frame number held by an entry, in this run's format (computed independently of src/vm/pte-*.ts). */
export function pteFrame(e: RawPte): number {
  return raw().frame(e);
}

/** Reads the entry `index` of the table node in frame `node`. */
export function readPte(mem: PhysicalMemory, node: number, index: number): RawPte {
  const w = (node * PAGE_SIZE) / 4 + index * 2;
  return { lo: ramOf(mem).u32[w] as number, hi: ramOf(mem).u32[w + 1] as number };
}

/** Index of `va` in a node at `level` (4 = root, 1 = leaf level). */
export function pteIndex(va: number, level: number): number {
  return Math.floor(va / 2 ** (12 + 9 * (level - 1))) % 512;
}

/**
 * Walks a 4-level table by hand from root frame `root`. Returns the entries
 * met on the way (root first) and the frames of the nodes visited; stops at
 * the first non-present non-leaf entry.
 */
export function walk(mem: PhysicalMemory, root: number, va: number): { entries: RawPte[]; nodes: number[] } {
  const entries: RawPte[] = [];
  const nodes: number[] = [];
  let node = root;
  for (let level = 4; level >= 1; level--) {
    nodes.push(node);
    const e = readPte(mem, node, pteIndex(va, level));
    entries.push(e);
    if (level > 1) {
      if (!raw().isTable(e)) break;
      node = pteFrame(e);
    }
  }
  return { entries, nodes };
}

/** A RAM, an address space in it (activated), and the free-frame count from before the space existed. */
export interface Fixture {
  readonly mem: PhysicalMemory;
  readonly space: VmSpace;
  /** `mem.freeFrames()` before the space was created. */
  readonly freeBefore: number;
}

/** A fresh RAM and an activated address space in it. */
export function fixture(size = 1 << 20): Fixture {
  const mem = memory(size);
  const freeBefore = mem.freeFrames();
  const space = new VmSpace(mem);
  space.activate();
  return { mem, space, freeBefore };
}

/** Disposes the fixture's space and asserts that every frame came back. */
export function disposeAndCheck(f: Fixture): void {
  f.space.dispose();
  assert.equal(f.mem.freeFrames(), f.freeBefore, "every frame (tables, control block, mapped frames) is free again");
}

/**
 * Allocates frames until the one at `paddr` comes back (its previous owner
 * freed it) and returns it, or undefined when memory runs out first (it was
 * not freed, or not yet). The other frames are given back.
 */
export function reclaim(mem: PhysicalMemory, paddr: number): UFrame | undefined {
  const opts = new FrameAllocOptions(mem);
  const others: UFrame[] = [];
  let found: UFrame | undefined;
  try {
    while (found === undefined) {
      const frame = opts.allocFrame();
      if (frame.startPaddr() === paddr) found = frame;
      else others.push(frame);
    }
  } catch (e) {
    if (!(e instanceof VmError && e.code === "NoMemory")) throw e;
  }
  for (const o of others) o.dispose();
  return found;
}

/** The bytes at `[addr, addr + len)` of `space`, read through the space. */
export function spaceBytes(space: VmSpace, addr: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  space.readBytes(addr, b);
  return b;
}

/**
 * Runs a copy of `len` bytes from `src` to `dst` within `space` (a memmove
 * when they overlap) and checks it is exact to the byte: the bytes it
 * reports as copied hold the source's bytes from before the copy, and every
 * other byte of `[lo, hi)` is as it was. `prepare` runs after the bytes are
 * snapshot and before the copy (to warm a TLB, say). Returns the count (the
 * error's `copied` when a fault stopped the copy).
 */
export function checkMemmove(space: VmSpace, src: number, dst: number, len: number, lo: number, hi: number, prepare?: () => void): number {
  const before = spaceBytes(space, lo, hi - lo);
  prepare?.();
  let copied: number;
  try {
    copied = space.reader(src, len).readFallible(space.writer(dst, len));
  } catch (e) {
    assert.ok(e instanceof VmError && e.code === "PageFault", `a copy stops with PageFault, not ${String(e)}`);
    copied = e.copied;
  }
  const after = spaceBytes(space, lo, hi - lo);
  const expected = before.slice();
  for (let i = 0; i < copied; i++) if (dst - lo + i < expected.length) expected[dst - lo + i] = before[src - lo + i] as number;
  for (let i = 0; i < expected.length; i++) {
    if (after[i] !== expected[i]) assert.fail(`byte 0x${(lo + i).toString(16)} is ${after[i]}, expected ${expected[i]} (copied ${copied} of ${len})`);
  }
  return copied;
}

/** Whether `e` is an error carrying a string `code`, and that code when given. */
export function hasCode(e: unknown, code?: string): boolean {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === "string" && (code === undefined || c === code);
}
