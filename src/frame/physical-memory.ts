/**
 * `PhysicalMemory`: the machine's RAM, its frame metadata and its allocator.
 *
 * Safety contract: RAM is one `ArrayBuffer` (or, with `shared: true`, one
 * `SharedArrayBuffer` that workers can attach to). Physical address `p` is
 * byte `p` of that buffer. Like a real kernel's frame table, the metadata
 * lives in RAM itself, in the first frames, which are reserved and never
 * handed out:
 *
 * | part          | size                                   |
 * | ------------- | -------------------------------------- |
 * | header        | 16 KiB (layout, sizes, grace-period words, share tickets) |
 * | frame table   | 16 bytes per frame: reference count, generation, flags, link |
 * | free bitmap   | 1 bit per frame (rounded up)           |
 * | segment tree  | 24 bytes per 32 frames (rounded up)    |
 *
 * That is about 0.4 % of RAM plus four pages: 64 MiB of RAM keeps 72 of
 * its 16384 frames (288 KiB) for itself. Because the bookkeeping is in the same buffer as the
 * frames, sharing the buffer shares the whole machine state, and everything
 * in it is changed with `Atomics`.
 *
 * A frame is allocated while its bit in the free bitmap is clear. Its
 * reference count counts the handles, segments and page-table mappings that
 * hold it; the one that drops the count to zero frees it, which also bumps
 * the frame's generation so that anything remembering the old generation can
 * tell the frame was recycled.
 *
 * @module
 */

import { contractViolation, invalidType, outOfRange } from "../base/contract.js";
import { isShared } from "../base/buffers.js";
import { VmError } from "../io/vm-error.js";
import { FrameAllocator, allocatorWords } from "./frame-allocator.js";
import { GracePeriod } from "./grace-period.js";
import { PAGE_SIZE } from "./page-size.js";
import { makeRam, type Ram } from "./ram.js";

/** Default RAM size when none is given: 64 MiB. */
const DEFAULT_SIZE = 64 * 1024 * 1024;
/** Largest RAM: frame numbers must fit PTEs and `Int32Array` indices. */
const MAX_SIZE = 2 ** 32;

const MAGIC = 0x766d696f; // "vmio"
const LAYOUT_VERSION = 2;

/** The header: four pages at the start of RAM. */
const HEADER_BYTES = 4 * PAGE_SIZE;
/** Header words (Int32 indices into RAM). */
const H_MAGIC = 0;
const H_VERSION = 1;
const H_NFRAMES = 2;
const H_META_FRAMES = 3;
const H_HINT = 4;
const H_ID = 5;
/** Grace-period words (see grace-period.ts). */
const H_GRACE = 8;
/**
 * Share tickets: four words each — the nonce of an unredeemed token (0 when
 * the ticket is free), then what the token stands for (kind, frame, count),
 * so that a token whose fields were altered is refused.
 */
const H_TICKETS = 64;
const TICKET_WORDS = 4;
const TICKETS = Math.floor((HEADER_BYTES / 4 - H_TICKETS) / TICKET_WORDS);

/** What `share()` hands to another thread. */
export interface MemoryToken {
  readonly kind: "vmio.PhysicalMemory";
  readonly version: number;
  readonly buffer: SharedArrayBuffer;
}

/** Module-private key: the constructor's way in for `attach`. */
const ATTACH = Symbol("attach");

/** Frame-table words per frame. */
const FT_WORDS = 4;
const FT_REFS = 0;
const FT_GEN = 1;
const FT_FLAGS = 2;
/** A word for the frame's current owner: a page-table node keeps its entry count here. */
const FT_AUX = 3;

/** Frame flags. */
export const FLAG_TYPED = 1;
export const FLAG_RESERVED = 2;
export const FLAG_PAGE_TABLE = 4;

/** Reference count of reserved (metadata) frames: never reaches zero. */
const RESERVED_REFS = 0x4000_0000;

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
  readonly trackLeaks?: boolean | ((report: LeakReport) => void);
}

/** What a leaked handle looked like. */
export interface LeakReport {
  /** The handle's class: `"UFrame"`, `"Frame"`, `"USegment"`, `"Segment"` or `"FrameVec"`. */
  readonly kind: string;
  /** Physical address of its first frame. */
  readonly paddr: number;
  /** Its size in bytes. */
  readonly size: number;
  /** Stack trace of the allocation or clone that created it. */
  readonly stack: string | undefined;
}

let defaultMemory: PhysicalMemory | undefined;

/**
 * This thread's `PhysicalMemory` object for each shared RAM: `attach` hands
 * out the same one every time, so that frames, segments and spaces of one
 * RAM always meet the same object on a thread (and share its grace-period
 * state). Keyed weakly by the buffer.
 */
const attached = new WeakMap<SharedArrayBuffer, PhysicalMemory>();

/**
 * The machine's RAM: frames, their metadata, and the allocator.
 *
 * OSTD counterpart: the physical memory managed by `ostd::mm::frame`
 * (the frame metadata region and the frame allocator).
 */
export class PhysicalMemory {
  /** The whole RAM, indexed by physical address. @internal */
  readonly _ram: Uint8Array;
  /** A `DataView` over the whole RAM, indexed by physical address. @internal */
  readonly _view: DataView;
  /** RAM as 32-bit words (page-table entries are read as two halves). @internal */
  readonly _u32: Uint32Array;
  /** RAM as signed 32-bit words, for `Atomics` on metadata. @internal */
  readonly _i32: Int32Array;
  /** Number of frames, reserved ones included. @internal */
  readonly _nframes: number;
  /** Number of reserved metadata frames at the start of RAM. @internal */
  readonly _metaFrames: number;
  /** Int32 index of the frame table in `_i32`. @internal */
  readonly _ftBase: number;
  /** The allocator over this RAM. @internal */
  readonly _allocator: FrameAllocator;
  /** Metadata values of typed frames, by frame number (thread-local: JS values cannot be shared). @internal */
  readonly _metas: Map<number, unknown> = new Map();
  /** Leak reporting, when on. @internal */
  readonly _leaks: FinalizationRegistry<LeakReport> | undefined;
  /** Whether RAM is a `SharedArrayBuffer`. @internal */
  readonly _shared: boolean;
  /** This thread's side of the grace-period protocol (no-ops on unshared RAM). @internal */
  readonly _gp: GracePeriod;
  /** Identifies this RAM in share tokens. @internal */
  readonly _id: number;

  /**
   * Creates RAM of `size` bytes (default 64 MiB), all of it free except the
   * frames that hold the metadata.
   *
   * @throws {TypeError} an option has the wrong type.
   * @throws {RangeError} `size` is not a multiple of `PAGE_SIZE`, is too small
   *   to hold its own metadata and one usable frame, or exceeds 4 GiB.
   * @throws {TypeError} `shared: true` where `SharedArrayBuffer` is unavailable.
   */
  constructor(opts?: PhysicalMemoryOptions) {
    if (opts !== undefined && (typeof opts !== "object" || opts === null)) invalidType("opts", "an object", opts);
    const attachedBuffer = (opts as { [ATTACH]?: SharedArrayBuffer } | undefined)?.[ATTACH];
    if (attachedBuffer !== undefined) {
      // attach(): the same machine state, seen from another thread.
      const i32 = new Int32Array(attachedBuffer);
      const nframes = i32[H_NFRAMES] as number;
      this._ram = new Uint8Array(attachedBuffer);
      this._view = new DataView(attachedBuffer);
      this._u32 = new Uint32Array(attachedBuffer);
      this._i32 = i32;
      this._nframes = nframes;
      this._metaFrames = i32[H_META_FRAMES] as number;
      this._shared = true;
      this._ftBase = HEADER_BYTES / 4;
      this._allocator = makeAllocator(i32, nframes, true);
      this._leaks = makeLeakRegistry(opts?.trackLeaks);
      this._gp = new GracePeriod(i32, H_GRACE, true);
      this._id = i32[H_ID] as number;
      attached.set(attachedBuffer, this);
      return;
    }
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
    const nframes = size / PAGE_SIZE;
    const metaFrames = metadataFrames(nframes);
    if (metaFrames >= nframes) outOfRange("opts.size", `large enough for the metadata (${metaFrames} frames) and one frame`, size);
    const buffer = shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
    this._ram = new Uint8Array(buffer);
    this._view = new DataView(buffer);
    this._u32 = new Uint32Array(buffer);
    this._i32 = new Int32Array(buffer);
    this._nframes = nframes;
    this._metaFrames = metaFrames;
    this._shared = shared;
    this._ftBase = HEADER_BYTES / 4;
    this._allocator = makeAllocator(this._i32, nframes, shared);
    this._leaks = makeLeakRegistry(opts?.trackLeaks);
    this._gp = new GracePeriod(this._i32, H_GRACE, shared);
    this._id = (Math.random() * 0x7fff_ffff) | 0 || 1;
    this.initialize();
    if (shared) attached.set(buffer as SharedArrayBuffer, this);
  }

  private initialize(): void {
    const h = this._i32;
    h[H_MAGIC] = MAGIC;
    h[H_VERSION] = LAYOUT_VERSION;
    h[H_NFRAMES] = this._nframes;
    h[H_META_FRAMES] = this._metaFrames;
    h[H_ID] = this._id;
    for (let f = 0; f < this._metaFrames; f++) {
      h[this._ftBase + FT_WORDS * f + FT_REFS] = RESERVED_REFS;
      h[this._ftBase + FT_WORDS * f + FT_FLAGS] = FLAG_RESERVED;
    }
    this._allocator.initialize(this._metaFrames, this._nframes);
  }

  /**
   * A token for this RAM that another thread (a worker) can pass to
   * {@link PhysicalMemory.attach}: a plain object holding the
   * `SharedArrayBuffer`, to send with `postMessage`.
   *
   * @throws {TypeError} the RAM is not shared (create it with `shared: true`).
   */
  share(): MemoryToken {
    if (!this._shared) invalidType("this", "a PhysicalMemory created with { shared: true }", "an unshared one");
    return { kind: "vmio.PhysicalMemory", version: LAYOUT_VERSION, buffer: this._ram.buffer as SharedArrayBuffer };
  }

  /**
   * The RAM of `token` (from {@link PhysicalMemory.share} on another thread),
   * seen from this thread: the same frames, allocator, reference counts and
   * page tables. A thread has one object per RAM: attaching again (or on the
   * thread that created the RAM) returns that same object, and `opts` only
   * applies to the first attach.
   *
   * @throws {TypeError} `token` is not a memory token, or its buffer does not
   *   hold vmio RAM of this layout version.
   */
  static attach(token: MemoryToken, opts?: Pick<PhysicalMemoryOptions, "trackLeaks">): PhysicalMemory {
    const t = token as Partial<MemoryToken> | null | undefined;
    if (t == null || t.kind !== "vmio.PhysicalMemory" || !(t.buffer !== undefined && isShared(t.buffer))) {
      invalidType("token", "a token from PhysicalMemory.share()", token);
    }
    const i32 = new Int32Array(t.buffer as SharedArrayBuffer);
    if (t.version !== LAYOUT_VERSION || i32[H_MAGIC] !== MAGIC || i32[H_VERSION] !== LAYOUT_VERSION) {
      invalidType("token", `vmio RAM of layout version ${LAYOUT_VERSION}`, token);
    }
    return attached.get(t.buffer as SharedArrayBuffer) ?? new PhysicalMemory({ ...opts, [ATTACH]: t.buffer } as PhysicalMemoryOptions);
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
    return this._ram.length;
  }

  /** Whether RAM is a `SharedArrayBuffer` that workers can attach to. */
  get shared(): boolean {
    return this._shared;
  }

  /** Number of frames that are free right now. */
  freeFrames(): number {
    return this._allocator.freeCount();
  }

  /** Number of frames that metadata takes (reserved from the start of RAM). */
  reservedFrames(): number {
    return this._metaFrames;
  }

  // ---- internal frame operations (used by handles, segments, page tables) ----

  /**
   * Reserves a share ticket for a token of `kind` standing for `(frame,
   * count)`: header words that hold `nonce` and those values until the token
   * is attached. Returns the ticket index.
   *
   * @throws {RangeError} every ticket is taken (too many tokens not yet attached).
   * @internal
   */
  _issueTicket(nonce: number, kind: number, frame: number, count: number): number {
    const i32 = this._i32;
    const start = (Math.random() * TICKETS) | 0;
    for (let k = 0; k < TICKETS; k++) {
      const t = (start + k) % TICKETS;
      const w = H_TICKETS + t * TICKET_WORDS;
      if (Atomics.compareExchange(i32, w, 0, nonce) === 0) {
        Atomics.store(i32, w + 1, kind);
        Atomics.store(i32, w + 2, frame);
        Atomics.store(i32, w + 3, count);
        return t;
      }
    }
    return contractViolation(`more than ${TICKETS} share tokens are waiting to be attached`);
  }

  /**
   * Redeems a ticket: true exactly once per issued token, and only for the
   * values it was issued for.
   *
   * @internal
   */
  _redeemTicket(ticket: number, nonce: number, kind: number, frame: number, count: number): boolean {
    if (!Number.isInteger(ticket) || ticket < 0 || ticket >= TICKETS || !Number.isInteger(nonce) || nonce === 0) return false;
    const i32 = this._i32;
    const w = H_TICKETS + ticket * TICKET_WORDS;
    if (Atomics.load(i32, w + 1) !== kind || Atomics.load(i32, w + 2) !== frame || Atomics.load(i32, w + 3) !== count) return false;
    return Atomics.compareExchange(i32, w, nonce, 0) === nonce;
  }

  /**
   * Allocates `n` contiguous frames with reference count 1 each and returns
   * the first frame number.
   *
   * @throws {VmError} `NoMemory`; nothing changes.
   * @internal
   */
  _allocFrames(n: number, zeroed: boolean, typed: boolean): number {
    const start = this._allocator.alloc(n);
    if (start < 0) {
      throw new VmError("NoMemory", `no run of ${n} free frame${n === 1 ? "" : "s"} (${this.freeFrames()} free in all)`);
    }
    const ft = this._i32;
    const flags = typed ? FLAG_TYPED : 0;
    for (let f = start; f < start + n; f++) {
      const i = this._ftBase + FT_WORDS * f;
      if (this._shared) {
        Atomics.store(ft, i + FT_FLAGS, flags);
        Atomics.store(ft, i + FT_AUX, 0);
        Atomics.store(ft, i + FT_REFS, 1);
      } else {
        ft[i + FT_FLAGS] = flags;
        ft[i + FT_AUX] = 0;
        ft[i + FT_REFS] = 1;
      }
    }
    if (zeroed) this._ram.fill(0, start * PAGE_SIZE, (start + n) * PAGE_SIZE);
    return start;
  }

  /** Adds one reference to each of frames `[start, start + n)`. @internal */
  _refFrames(start: number, n: number): void {
    const ft = this._i32;
    for (let f = start; f < start + n; f++) {
      const i = this._ftBase + FT_WORDS * f + FT_REFS;
      if (this._shared) Atomics.add(ft, i, 1);
      else ft[i] = (ft[i] as number) + 1;
    }
  }

  /**
   * Drops one reference from each of frames `[start, start + n)`; frames
   * whose count reaches zero are freed (in runs, so a whole segment is
   * returned with one bitmap update per word).
   *
   * @internal
   */
  _unrefFrames(start: number, n: number): void {
    let runStart = -1;
    for (let f = start; f < start + n; f++) {
      const i = this._ftBase + FT_WORDS * f;
      let before: number;
      if (this._shared) before = Atomics.sub(this._i32, i + FT_REFS, 1);
      else this._i32[i + FT_REFS] = (before = this._i32[i + FT_REFS] as number) - 1;
      if (before === 1) {
        this.retire(f);
        if (runStart < 0) runStart = f;
      } else {
        if (before <= 0) this.corrupt(f, before);
        if (runStart >= 0) this._allocator.free(runStart, f - runStart);
        runStart = -1;
      }
    }
    if (runStart >= 0) this._allocator.free(runStart, start + n - runStart);
  }

  /** Reference count of frame `f`. @internal */
  _refCount(f: number): number {
    const refs = Atomics.load(this._i32, this._ftBase + FT_WORDS * f + FT_REFS);
    return refs === RESERVED_REFS ? 0 : refs;
  }

  /** Generation of frame `f`: changes each time the frame is freed. @internal */
  _generation(f: number): number {
    return Atomics.load(this._i32, this._ftBase + FT_WORDS * f + FT_GEN);
  }

  /** Flags of frame `f`. @internal */
  _flags(f: number): number {
    return Atomics.load(this._i32, this._ftBase + FT_WORDS * f + FT_FLAGS);
  }

  /** The auxiliary word of frame `f`. @internal */
  _aux(f: number): number {
    return Atomics.load(this._i32, this._ftBase + FT_WORDS * f + FT_AUX);
  }

  /** Adds `delta` to the auxiliary word of frame `f` and returns the new value. @internal */
  _auxAdd(f: number, delta: number): number {
    return Atomics.add(this._i32, this._ftBase + FT_WORDS * f + FT_AUX, delta) + delta;
  }

  /** Sets flag bits of frame `f`. @internal */
  _setFlags(f: number, flags: number): void {
    Atomics.or(this._i32, this._ftBase + FT_WORDS * f + FT_FLAGS, flags);
  }

  /** Whether frame `f` is free in the allocator. @internal */
  _isFree(f: number): boolean {
    return this._allocator.isFree(f);
  }

  /** Clears the metadata of a frame whose last reference is gone (it is still marked allocated). */
  private retire(f: number): void {
    const i = this._ftBase + FT_WORDS * f;
    const ft = this._i32;
    if (this._shared) {
      Atomics.add(ft, i + FT_GEN, 1);
      Atomics.store(ft, i + FT_FLAGS, 0);
    } else {
      ft[i + FT_GEN] = (ft[i + FT_GEN] as number) + 1;
      ft[i + FT_FLAGS] = 0;
    }
    if (this._metas.size !== 0) this._metas.delete(f);
  }

  private corrupt(f: number, before: number): never {
    throw new Error(`vmio internal error: frame ${f} had reference count ${before} when a reference was dropped`);
  }
}

/** Frames needed at the start of RAM for the header, frame table, bitmap and tree. */
function metadataFrames(nframes: number): number {
  const words = allocatorWords(nframes);
  const bytes = HEADER_BYTES + 4 * (FT_WORDS * nframes + words.bits + words.tree);
  return Math.ceil(bytes / PAGE_SIZE);
}

function makeAllocator(i32: Int32Array, nframes: number, shared: boolean): FrameAllocator {
  const words = allocatorWords(nframes);
  const bitsBase = HEADER_BYTES / 4 + FT_WORDS * nframes;
  const treeBase = bitsBase + words.bits;
  return new FrameAllocator({
    bits: i32.subarray(bitsBase, bitsBase + words.bits),
    tree: i32.subarray(treeBase, treeBase + words.tree),
    hint: i32,
    hintIndex: H_HINT,
    nframes,
    shared,
  });
}

function makeLeakRegistry(option: PhysicalMemoryOptions["trackLeaks"]): FinalizationRegistry<LeakReport> | undefined {
  if (option === undefined || option === false) return undefined;
  if (option !== true && typeof option !== "function") invalidType("opts.trackLeaks", "a boolean or a function", option);
  const report =
    option === true
      ? (r: LeakReport) =>
          console.warn(`vmio: a ${r.kind} (paddr 0x${r.paddr.toString(16)}, ${r.size} bytes) was garbage-collected without dispose()${r.stack === undefined ? "" : `\n${r.stack}`}`)
      : option;
  return new FinalizationRegistry(report);
}

const rams = new WeakMap<PhysicalMemory, Ram>();

/**
 * The internal state of `memory` on this thread.
 *
 * @internal
 */
export function ramOf(memory: PhysicalMemory): Ram {
  let ram = rams.get(memory);
  if (ram === undefined) rams.set(memory, (ram = makeRam(memory)));
  return ram;
}

/**
 * The internal state of `value`, checked to be a `PhysicalMemory`.
 *
 * @throws {TypeError} `value` is not a `PhysicalMemory`.
 * @internal
 */
export function checkedRamOf(value: unknown, name: string): Ram {
  if (!(value instanceof PhysicalMemory)) invalidType(name, "a PhysicalMemory", value);
  return ramOf(value);
}
