/**
 * `PhysicalMemory`: the machine's RAM, shared with workers if asked.
 *
 * Safety contract: RAM is one `ArrayBuffer` (or, with `shared: true`, one
 * `SharedArrayBuffer` that workers can attach to). Physical address `p` is
 * byte `p` of that buffer. The machine state — frame table, allocator, share
 * tickets, thread slots — lives in the first frames of RAM itself
 * (layout.ts), so sharing the buffer shares the whole machine, and
 * everything in it is changed with `Atomics`.
 *
 * A `PhysicalMemory` is a thin public face: its state is one private field
 * (a `Ram`, ram.ts) that only `ramOf` — exported here but not from the
 * package — can read. No method of it can break an invariant.
 *
 * Threads: the creating thread and every thread that attaches a token has a
 * thread slot (thread-slots.ts). `share()` reserves one per token; a worker
 * that attaches the token owns it; when the worker has exited, its parent
 * calls `reclaim(token)` to release whatever it still held.
 *
 * @module
 */

import { contractViolation, invalidType, outOfRange } from "../base/contract.js";
import { isShared } from "../base/buffers.js";
import { INTERNAL } from "../base/internal-key.js";
import { H_ID, H_MAGIC, H_VERSION, LAYOUT_VERSION, MAGIC, SLOTS, metadataFrames } from "./layout.js";
import { LeakTracker, type TrackLeaksOption } from "./leak-tracking.js";
import { PAGE_SIZE } from "./page-size.js";
import { PAGING_NAMES, pagingId, type PagingName } from "./paging-name.js";
import { Ram } from "./ram.js";
import { reclaimSlot, type ReclaimReport } from "./reclaim.js";
import { newNonce } from "./share-tickets.js";
import { SLOT_LIVE, SLOT_RESERVED, S_NONCE, claimSlot, freeSlot, slotBase, takeSlot } from "./thread-slots.js";

export type { LeakReport } from "./leak-tracking.js";
export type { ReclaimReport } from "./reclaim.js";
export type { PagingName } from "./paging-name.js";

/** Default RAM size when none is given: 64 MiB. */
const DEFAULT_SIZE = 64 * 1024 * 1024;
/** Largest RAM: frame numbers must fit PTEs and `Int32Array` indices. */
const MAX_SIZE = 2 ** 32;

/**
 * What `share()` hands to another thread: a plain object holding the RAM's
 * `SharedArrayBuffer` and the thread slot reserved for the thread that
 * attaches it.
 */
export interface MemoryToken {
  /** What the token stands for, checked by `attach`. */
  readonly kind: "vmio.PhysicalMemory";
  /** The RAM layout version, so that a token from another vmio build is refused. */
  readonly version: number;
  /** The RAM itself, shared with the attaching thread. */
  readonly buffer: SharedArrayBuffer;
  /** The thread slot reserved for the attaching thread. */
  readonly slot: number;
  /** Names this token's reservation of the slot. */
  readonly nonce: number;
}

/** Options of {@link PhysicalMemory}. */
export interface PhysicalMemoryOptions {
  /** RAM size in bytes, a multiple of `PAGE_SIZE` (default 64 MiB, at most 4 GiB). */
  readonly size?: number;
  /** Back RAM with a `SharedArrayBuffer`, so that workers can attach to it (default `false`). */
  readonly shared?: boolean;
  /**
   * Report frame and segment handles that are garbage-collected without
   * `dispose()`: `true` logs them with `console.warn`, a function receives
   * each report. Costs a `FinalizationRegistry` entry per handle; off by default.
   */
  readonly trackLeaks?: TrackLeaksOption;
  /**
   * The paging format of the address spaces made in this RAM (default
   * `"x86-64"`): `"x86-64"` stores x86-64 page-table entries, `"riscv-sv48"`
   * real Sv48 ones. Both have 4 levels of 512 entries and the same user
   * address range; cursors, `PageProperty`, the TLB and page faults behave
   * the same on both. Workers that attach the RAM use its format.
   */
  readonly paging?: PagingName;
}

let defaultMemory: PhysicalMemory | undefined;

/**
 * This thread's `PhysicalMemory` object for each shared RAM: `attach` hands
 * out the same one every time, so that frames, segments and spaces of one
 * RAM always meet the same object on a thread (and share its thread slot).
 * Keyed weakly by the buffer.
 */
const attached = new WeakMap<SharedArrayBuffer, PhysicalMemory>();

let ramOfMemory: (memory: PhysicalMemory) => Ram;
let isMemory: (value: object) => boolean;

/**
 * The machine's RAM: frames, their metadata, and the allocator.
 *
 * OSTD counterpart: the physical memory managed by `ostd::mm::frame`
 * (the frame metadata region and the frame allocator).
 */
export class PhysicalMemory {
  readonly #ram: Ram;

  static {
    ramOfMemory = (memory) => memory.#ram;
    isMemory = (value) => #ram in value;
  }

  /**
   * Creates RAM of `size` bytes (default 64 MiB), all of it free except the
   * frames that hold the metadata.
   *
   * @throws {TypeError} an option has the wrong type.
   * @throws {RangeError} `size` is not a multiple of `PAGE_SIZE`, is too small
   *   to hold its own metadata and one usable frame, or exceeds 4 GiB.
   * @throws {TypeError} `shared: true` where `SharedArrayBuffer` is unavailable.
   */
  constructor(opts?: PhysicalMemoryOptions);
  /** @internal attach(): this thread's view of a shared RAM, from the slot it claimed. */
  constructor(opts: undefined, key: typeof INTERNAL, buffer: SharedArrayBuffer, slot: number, leaks: LeakTracker | undefined);
  constructor(opts?: PhysicalMemoryOptions, key?: typeof INTERNAL, buffer?: SharedArrayBuffer, slot?: number, leaks?: LeakTracker) {
    if (key === INTERNAL) {
      this.#ram = new Ram(this, buffer as SharedArrayBuffer, true, slot as number, leaks);
      return;
    }
    leaks = checkOptions(opts);
    const size = opts?.size === undefined ? DEFAULT_SIZE : opts.size;
    if (typeof size !== "number") invalidType("opts.size", "a number", size);
    if (!Number.isSafeInteger(size) || size <= 0 || size % PAGE_SIZE !== 0 || size > MAX_SIZE) {
      outOfRange("opts.size", `a positive multiple of PAGE_SIZE (${PAGE_SIZE}) of at most 4 GiB`, size);
    }
    const shared = opts?.shared === undefined ? false : opts.shared;
    if (typeof shared !== "boolean") invalidType("opts.shared", "a boolean", shared);
    if (shared && typeof SharedArrayBuffer !== "function") {
      invalidType("opts.shared", "false here: SharedArrayBuffer is not available (cross-origin isolation?)", shared);
    }
    const pagingOpt: unknown = opts?.paging;
    const pagingName = pagingOpt === undefined ? "x86-64" : pagingOpt;
    const paging = pagingId(pagingName);
    if (paging < 0) {
      if (typeof pagingName !== "string") invalidType("opts.paging", `one of ${PAGING_NAMES.map((n) => `"${n}"`).join(", ")}`, pagingName);
      outOfRange("opts.paging", `one of ${PAGING_NAMES.map((n) => `"${n}"`).join(", ")}`, pagingName);
    }
    const nframes = size / PAGE_SIZE;
    const metaFrames = metadataFrames(nframes);
    if (metaFrames >= nframes) outOfRange("opts.size", `large enough for the metadata (${metaFrames} frames) and one frame`, size);
    const ram = shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
    Ram.format(ram, nframes, metaFrames, shared, paging);
    this.#ram = new Ram(this, ram, shared, shared ? takeSlot(new Int32Array(ram), 0, SLOT_LIVE) : -1, leaks);
    if (shared) attached.set(ram as SharedArrayBuffer, this);
  }

  /**
   * A token for this RAM that one other thread (a worker) can pass to
   * {@link PhysicalMemory.attach}: a plain object holding the
   * `SharedArrayBuffer`, to send with `postMessage`. Each token reserves a
   * thread slot for the thread that attaches it (64 per RAM): make one per
   * worker, and call {@link PhysicalMemory.reclaim} with it once that worker
   * has exited — or if it never attached the token.
   *
   * @throws {TypeError} the RAM is not shared (create it with `shared: true`).
   * @throws {RangeError} every thread slot is taken.
   */
  share(): MemoryToken {
    const ram = checkedRamOf(this, "this");
    if (!ram.shared) invalidType("this", "a PhysicalMemory created with { shared: true }", "an unshared one");
    const nonce = newNonce();
    const slot = takeSlot(ram.i32, nonce, SLOT_RESERVED);
    return { kind: "vmio.PhysicalMemory", version: LAYOUT_VERSION, buffer: ram.bytes.buffer as SharedArrayBuffer, slot, nonce };
  }

  /**
   * The RAM of `token` (from {@link PhysicalMemory.share} on another thread),
   * seen from this thread: the same frames, allocator, reference counts and
   * page tables. The token's thread slot becomes this thread's. A thread has
   * one object per RAM: attaching when this thread has the RAM already (it
   * created it, or attached another token) returns that same object and
   * releases the token's slot, and `opts` only applies to the first attach.
   *
   * @throws {TypeError} `token` is not a memory token, or its buffer does not
   *   hold vmio RAM of this layout version.
   * @throws {RangeError} the token was attached by another thread already, or
   *   reclaimed (each thread needs a token of its own).
   */
  static attach(token: MemoryToken, opts?: Pick<PhysicalMemoryOptions, "trackLeaks">): PhysicalMemory {
    const { buffer, slot, nonce } = checkToken(token);
    const leaks = checkOptions(opts);
    const i32 = new Int32Array(buffer);
    const existing = attached.get(buffer);
    if (existing !== undefined) {
      // This thread has its slot already; the token's reservation is not needed.
      if (existing.#ram.thread.index !== slot && claimSlot(i32, slot, nonce)) freeSlot(i32, slot);
      return existing;
    }
    if (!claimSlot(i32, slot, nonce)) {
      contractViolation("this memory token was attached by another thread already, or reclaimed: give each thread a token of its own (share() again)");
    }
    const memory = new PhysicalMemory(undefined, INTERNAL, buffer, slot, leaks);
    attached.set(buffer, memory);
    return memory;
  }

  /**
   * Releases what the thread that attached `token` still holds, once that
   * thread has exited: the access to shared memory it was in the middle of
   * (which unmaps on other threads are waiting for), the locks it held (a
   * `VmSpace`'s page-table lock), the references of its frame, segment and
   * `FrameVec` handles, its views of address spaces (the last view frees the
   * space, its page tables and frames), and the frames it had unmapped that
   * were waiting for a grace period. Then the token's thread slot is free
   * again. A token that was never attached just gives its slot back; a
   * second call with the same token does nothing.
   *
   * Call it only after the thread can run no more code — for a Node
   * `Worker`, in (or after) its `exit` event, whether it was terminated,
   * crashed or ended by itself. vmio never presumes a thread dead: a thread
   * that is merely slow or stopped in a debugger keeps everything it holds,
   * and reclaiming a thread that still runs frees memory under it.
   *
   * Linux counterpart: what the kernel releases when a task exits
   * (`exit_mm`, the futexes of its robust list).
   *
   * @throws {TypeError} `token` is not a memory token of this RAM (or RAM is
   *   unshared), or it is the calling thread's own.
   * @throws what releasing a space throws (`ERR_LOCK_TIMEOUT` when a live
   *   thread keeps that space locked), after everything else was released.
   */
  reclaim(token: MemoryToken): ReclaimReport {
    const ram = checkedRamOf(this, "this");
    if (!ram.shared) invalidType("this", "a PhysicalMemory created with { shared: true }", "an unshared one");
    const { buffer, slot, nonce } = checkToken(token);
    if (buffer.byteLength !== ram.bytes.length || new Int32Array(buffer)[H_ID] !== ram.id) invalidType("token", "a token of this PhysicalMemory", token);
    if (slot === ram.thread.index && Atomics.load(ram.i32, slotBase(slot) + S_NONCE) === nonce) {
      invalidType("token", "the token of another thread (a thread cannot reclaim itself)", token);
    }
    return reclaimSlot(ram, slot, nonce);
  }

  /**
   * The process-wide RAM used when an API takes an optional memory and none
   * is given: 64 MiB, unshared, created on first use.
   */
  static get default(): PhysicalMemory {
    return (defaultMemory ??= new PhysicalMemory());
  }

  /** Size of RAM in bytes. */
  get size(): number {
    return checkedRamOf(this, "this").bytes.length;
  }

  /** The paging format of the address spaces in this RAM (the `paging` option it was made with). */
  get paging(): PagingName {
    return PAGING_NAMES[checkedRamOf(this, "this").paging] as PagingName;
  }

  /** Whether RAM is a `SharedArrayBuffer` that workers can attach to. */
  get shared(): boolean {
    return checkedRamOf(this, "this").shared;
  }

  /**
   * Number of frames that are free right now: O(1), the count kept at the
   * root of the allocator's tree (plus the few empty page-table nodes kept
   * for reuse, which any allocation may take). On shared RAM, frames this thread
   * unmapped earlier and whose grace period has ended since are freed
   * first, and allocations racing on other threads may or may not be
   * counted yet.
   *
   * Linux counterpart: `nr_free_pages()`.
   */
  freeFrames(): number {
    return checkedRamOf(this, "this").freeFrames();
  }

  /**
   * Number of frames in use right now — every frame that is neither free
   * nor reserved for metadata: mapped and unmapped user frames, segments,
   * page-table nodes, address-space control blocks. O(1), cheap enough for
   * every page fault; `size / PAGE_SIZE - reservedFrames() - freeFrames()`.
   *
   * Linux counterpart: `totalram_pages() - nr_free_pages()`.
   */
  usedFrames(): number {
    const ram = checkedRamOf(this, "this");
    return ram.nframes - ram.metaFrames - ram.freeFrames();
  }

  /** Number of frames that metadata takes (reserved from the start of RAM). */
  reservedFrames(): number {
    return checkedRamOf(this, "this").metaFrames;
  }
}

/**
 * The internal state of `memory` on this thread.
 *
 * @internal
 */
export function ramOf(memory: PhysicalMemory): Ram {
  return ramOfMemory(memory);
}

/**
 * The internal state of `value`, checked to be a `PhysicalMemory` (by its
 * private field, not `instanceof`, which a forged prototype passes).
 *
 * @throws {TypeError} `value` is not a `PhysicalMemory`.
 * @internal
 */
export function checkedRamOf(value: unknown, name: string): Ram {
  if (typeof value !== "object" || value === null || !isMemory(value)) invalidType(name, "a PhysicalMemory", value);
  return ramOfMemory(value as PhysicalMemory);
}

/** Checks `opts` (an object or undefined) and makes its leak tracker. */
function checkOptions(opts: PhysicalMemoryOptions | undefined): LeakTracker | undefined {
  if (opts !== undefined && (typeof opts !== "object" || opts === null)) invalidType("opts", "an object", opts);
  return LeakTracker.fromOption(opts?.trackLeaks);
}

function checkToken(token: MemoryToken): { buffer: SharedArrayBuffer; slot: number; nonce: number } {
  const t = token as Partial<MemoryToken> | null | undefined;
  if (t == null || typeof t !== "object" || t.kind !== "vmio.PhysicalMemory" || t.buffer === undefined || !isShared(t.buffer)) {
    invalidType("token", "a token from PhysicalMemory.share()", token);
  }
  const buffer = t.buffer;
  const i32 = buffer.byteLength >= 64 ? new Int32Array(buffer) : undefined;
  if (t.version !== LAYOUT_VERSION || i32 === undefined || i32[H_MAGIC] !== MAGIC || i32[H_VERSION] !== LAYOUT_VERSION) {
    invalidType("token", `vmio RAM of layout version ${LAYOUT_VERSION}`, token);
  }
  const { slot, nonce } = t;
  if (!Number.isInteger(slot) || (slot as number) < 0 || (slot as number) >= SLOTS || !Number.isInteger(nonce) || nonce === 0) {
    invalidType("token", "a token from PhysicalMemory.share() (its slot and nonce are not)", token);
  }
  return { buffer, slot: slot as number, nonce: nonce as number };
}
