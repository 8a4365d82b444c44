/**
 * One thread's view of an address space: the copy engine's `MemorySpace`
 * for user virtual addresses (translation through this thread's TLB and the
 * page table, and page faults), and the one door through which mapping
 * changes and the end of the space go.
 *
 * The parts it puts together live elsewhere: the page table
 * (`page-table.ts`) and the control block (`space-control.ts`) in RAM,
 * shared by every thread; this thread's TLB (`tlb.ts`); the shootdown
 * protocol (`tlb-flusher.ts`).
 *
 * Safety contract:
 * - `run(addr, len, write)` returns only bytes of pages that are mapped and
 *   allow the access, so a copy stops exactly at the first byte that faults.
 *   A translation comes from the TLB when it is in step with the space's TLB
 *   epoch, else from a page-table walk, which sets ACCESSED (and DIRTY for a
 *   write) in the leaf entry before caching it, as an MMU does. Pages after
 *   the first are merged into a run while their frames are physically
 *   consecutive and they hit the TLB or, past its reach, their leaf entries
 *   allow the access and already have the bits it would set: merging never
 *   sets a bit on a page the copy may not reach (the other side of a copy
 *   may stop before it);
 * - on a fault the page-fault handler, if any, is called once for that
 *   byte, outside any critical section. It must return a boolean: `true`
 *   retries the translation once (a handler that claims success without
 *   fixing anything ends the access with a fault instead of looping),
 *   `false` lets the fault stand. A handler's exception — or the `TypeError`
 *   for a non-boolean result — is parked and rethrown by the access after
 *   its cursors accounted for the bytes moved. While the handler runs,
 *   faults on the space are not handled again;
 * - every mapping change goes through {@link SpaceState.edit}: exclusive
 *   among threads (the space's page-table lock on shared RAM) and refused
 *   while this thread is inside a callback of another change of the same
 *   space (a `protectNext` op): such a change would happen under the feet of
 *   the one in progress. The refusal is a `TypeError` at once — never a wait
 *   for a lock this thread holds. `release` (dispose) is refused the same
 *   way, before it changes anything;
 * - changes that remove or narrow a translation go through the
 *   {@link TlbFlusher}: every TLB lets go of the old translation, and a
 *   grace period passes, before an unmapped frame's reference is dropped.
 *
 * @module
 */

import { reenteredFrom, useAfterDispose, withCode } from "../base/contract.js";
import { HOLD_SPACE } from "../frame/holdings.js";
import { PAGE_SIZE as importedPAGE_SIZE } from "../frame/page-size.js";
import { ramOf, type PhysicalMemory } from "../frame/physical-memory.js";
import type { Ram } from "../frame/ram.js";
import { registerReleaser } from "../frame/reclaim.js";
import { MemorySpace } from "../io/memory-space.js";
import type { PageProperty } from "./page-property.js";
import { PageTable, checkUserFrame } from "./page-table.js";
import { SpaceControl } from "./space-control.js";
import {
  TLB_ENTRIES as importedTLB_ENTRIES,
  TLB_EXEC as importedTLB_EXEC,
  TLB_INDEX_MASK as importedTLB_INDEX_MASK,
  TLB_MASK as importedTLB_MASK,
  TLB_READ as importedTLB_READ,
  TLB_WRITE as importedTLB_WRITE,
  Tlb,
  WALK_ENTRIES as importedWALK_ENTRIES,
} from "./tlb.js";
import { TlbFlusher } from "./tlb-flusher.js";

// Imported bindings used on hot paths, as module-local constants: V8 (Node
// 20) folds a module's own `const`s but loads an imported binding from its
// module cell on every use (about 8 instructions a use, measured).
const PAGE_SIZE = importedPAGE_SIZE;
const TLB_MASK = importedTLB_MASK;
const TLB_ENTRIES = importedTLB_ENTRIES;
const TLB_INDEX_MASK = importedTLB_INDEX_MASK;
const TLB_READ = importedTLB_READ;
const TLB_WRITE = importedTLB_WRITE;
const TLB_EXEC = importedTLB_EXEC;
const WALK_MASK = importedWALK_ENTRIES - 1;

/**
 * What {@link SpaceState.valueAt} answers when it does not translate:
 * 2^32 - 1, a uint32 like its addresses, so that V8 keeps the merged answer
 * in a 32-bit register (see there).
 */
export const NO_VALUE = 0xffff_ffff;

/** A page-fault handler: true when it resolved the fault and the access should retry. */
export type PageFaultHandler = (fault: { readonly address: number; readonly write: boolean; readonly execute: boolean }) => boolean;

/** Kinds of access, as {@link SpaceState.translate} takes them. */
export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
export const ACCESS_EXEC = 2;

/** The whole user half a page table can map (unmapped in one go when the space ends). */
const ALL = 2 ** 47;

/**
 * One thread's view of an address space, and its memory space.
 *
 * @internal
 */
export class SpaceState extends MemorySpace {
  readonly shared: boolean;
  readonly mem: PhysicalMemory;
  /** The RAM's internal state on this thread. */
  readonly machine: Ram;
  readonly table: PageTable;
  readonly control: SpaceControl;
  readonly tlb = new Tlb();
  readonly #flusher: TlbFlusher;
  // Read on every translation: held directly, not through `control`/`tlb`.
  // (Plain fields, not `#private` ones: a private field load costs more on
  // Node 20, and no public object reaches a SpaceState.)
  private readonly i32: Int32Array;
  private readonly u32: Uint32Array;
  private readonly ram: Uint8Array;
  /** RAM as 16-bit words (shared RAM only: validated loads). */
  private readonly u16: Uint16Array;
  /** A `DataView` over all of RAM (index = physical address), for the value paths. */
  readonly ramView: DataView;
  private readonly epochIndex: number;
  /** The TLB's slots (`Tlb.entries`: read tag, write tag, execute tag, delta). */
  private readonly entries: Float64Array;
  private readonly pages: Uint8Array[];
  private readonly pageAddrs: Float64Array;
  private readonly walkTags: Float64Array;
  private readonly walkNodes: Float64Array;
  // The paging format's bits that a translation tests and sets (paging-format.ts).
  private readonly pteRead: number;
  private readonly pteWrite: number;
  private readonly pteAccessed: number;
  private readonly pteDirty: number;
  private readonly pteExecLo: number;
  private readonly pteExecHi: number;
  /**
   * Where a leaf entry's frame number sits (paging-format.ts): the low word
   * from bit `ppnShift` up, then `hi & ppnHiMask`. RAM is at most 4 GiB
   * (`PhysicalMemory`), whose frame numbers fit in the low word's field on
   * both formats (20 bits on x86-64, 22 on Sv48), so the entries vmio writes
   * have no frame bits in their high word, and `valueAt`'s common miss takes
   * the frame number from the low word alone, an int32 shift and multiply
   * (`lo & 0xfffff000` on x86-64) where `PageTable.frameAt` is a float64
   * multiply and an int64 add on the way from the entry's load to the
   * value's (--print-opt-code); an entry with high frame bits is left to
   * `missValue`, which reads both words.
   */
  private readonly ppnShift: number;
  private readonly ppnHiMask: number;
  /** The bits of a leaf entry that let a read (`readyRead`) or a write (`readyWrite`) through with nothing to set. */
  private readonly readyRead: number;
  private readonly readyWrite: number;
  /** Writable and DIRTY: a write may be cached. */
  private readonly writeDirty: number;
  /** The epoch this thread's TLB is in step with. */
  seenEpoch: number;
  /** TLB hits of the value and copy paths (the emulator fast path counts its own). */
  hits = 0;
  /** TLB misses: translations that walked the page table. */
  misses = 0;
  /** This thread's page-fault handler. */
  handler: PageFaultHandler | undefined = undefined;
  /** True while the fault handler runs: a fault inside it is not handled again. */
  #inHandler = false;
  /** The mapping change in progress on this thread (whose callback is running), or null. */
  #editing: string | null = null;
  /** True once this thread let go of the space (read on every copy: a plain field). */
  private released = false;
  /** The entry of this view's user count in this thread's holdings ledger (-1: none). */
  #held = -1;
  /** The TLB epoch when this thread let go of the space (its control block may be freed since). */
  #lastEpoch = 0;

  constructor(mem: PhysicalMemory, table: PageTable, control: SpaceControl) {
    super();
    const machine = ramOf(mem);
    this.mem = mem;
    this.machine = machine;
    this.shared = machine.shared;
    this.table = table;
    this.control = control;
    this.#flusher = new TlbFlusher(machine, control, this.tlb);
    this.i32 = machine.i32;
    this.u32 = machine.u32;
    this.ram = machine.bytes;
    this.u16 = machine.shared ? new Uint16Array(machine.bytes.buffer, 0, machine.bytes.length >>> 1) : new Uint16Array(0);
    this.ramView = machine.view;
    this.epochIndex = control.epochIndex;
    this.runBytes = machine.bytes;
    this.runView = machine.view;
    this.entries = this.tlb.entries;
    this.pages = this.tlb.pages;
    this.pageAddrs = this.tlb.pageAddrs;
    this.walkTags = this.tlb.walkTags;
    this.walkNodes = this.tlb.walkNodes;
    this.seenEpoch = control.epoch();
    // One view of a space on unshared RAM: the table's unshares drop nodes from this cache.
    if (!machine.shared) table.walkCache = this.tlb;
    this.pteRead = table.fmt.readMask;
    this.pteWrite = table.fmt.writeBit;
    this.pteAccessed = table.fmt.accessedBit;
    this.pteDirty = table.fmt.dirtyBit;
    this.pteExecLo = table.fmt.execLoMask;
    this.pteExecHi = table.fmt.execHiMask;
    this.ppnShift = table.fmt.ppnShift;
    this.ppnHiMask = table.fmt.ppnHiMask;
    this.readyRead = this.pteRead | this.pteAccessed;
    this.readyWrite = this.pteRead | this.pteWrite | this.pteAccessed | this.pteDirty;
    this.writeDirty = this.pteWrite | this.pteDirty;
  }

  /**
   * Allocates a new, empty address space in `mem`, with one user (the caller).
   *
   * @throws {VmError} `NoMemory` (nothing is left allocated).
   */
  static create(mem: PhysicalMemory): SpaceState {
    const ram = ramOf(mem);
    ram.reserveHoldings();
    const table = PageTable.create(mem);
    let control: SpaceControl;
    try {
      control = SpaceControl.create(ram);
    } catch (e) {
      table.destroy();
      throw e;
    }
    const state = new SpaceState(mem, table, control);
    state.hold();
    return state;
  }

  /** This thread's view of an existing space whose root and control block are given; the caller brings a user count. */
  static attach(mem: PhysicalMemory, root: number, ctrl: number): SpaceState {
    return new SpaceState(mem, new PageTable(mem, root), new SpaceControl(ramOf(mem), ctrl));
  }

  /**
   * Records this view's user count in this thread's holdings ledger (shared
   * RAM), so that reclaiming the thread releases it; the caller reserved an
   * entry before taking the count.
   */
  hold(): void {
    if (this.machine.holdings !== null) this.#held = this.machine.holdings.record(HOLD_SPACE, this.control.frame, this.table.root);
  }

  /** Whether this thread let go of the space. */
  get dead(): boolean {
    return this.released;
  }

  /** Throws if this thread let go of the space. */
  live(): void {
    if (this.released) useAfterDispose("VmSpace");
  }

  /** The TLB epoch: bumped by every change that removes or narrows a translation. */
  epoch(): number {
    return this.control.epoch();
  }

  // ---- translation: the MemorySpace of user memory ----

  /**
   * The run at `addr`: the common case (a TLB hit in step with the epoch,
   * within one page) right here, small enough for V8 to inline; everything
   * else in {@link SpaceState.runSlow}.
   */
  run(addr: number, len: number, write: boolean): number {
    return this.probe(addr, len, write) ? len : this.runSlow(addr, len, write);
  }

  /**
   * The fast path of {@link SpaceState.run} alone: true (with `runOffset`
   * set and `runSlice` cleared) when `[addr, addr + len)` is in one page
   * whose translation is cached for the access and in step with the epoch;
   * never walks the table or calls the fault handler. Small enough for V8
   * to inline into `run` and its callers.
   */
  override probe(addr: number, len: number, write: boolean): boolean {
    // `addr` is a safe integer: `& (PAGE_SIZE - 1)` and `>>> 12` see its low 32 bits exactly.
    const offset = addr & (PAGE_SIZE - 1);
    const k = (addr >>> 10) & TLB_INDEX_MASK;
    // On unshared RAM every change of the space goes through this object,
    // which drops its own stale entries at once: no epoch to check.
    if (
      offset + len <= PAGE_SIZE &&
      this.entries[write ? k + 1 : k] === addr - offset &&
      (!this.shared || Atomics.load(this.i32, this.epochIndex) === this.seenEpoch)
    ) {
      this.hits++;
      this.runOffset = (this.entries[k + 3] as number) + addr;
      this.runSlice = null;
      return true;
    }
    return false;
  }

  /**
   * The common run of a scattered copy, all of it inline: one whole page at
   * page-aligned `addr` when the access wants more than that page, the page
   * is cached for the access (in step with the epoch on shared RAM, as in
   * {@link SpaceState.probe}), the next page is cached too but in a frame
   * that is not physically next (so nothing would merge), and the slot's
   * cached view is of the page's frame: `PAGE_SIZE`, with `runOffset` and
   * that view as `runSlice`, as {@link SpaceState.runSlow} would answer
   * (one hit counted, as there). Else 0, and the caller takes `run`.
   *
   * Why apart from `runSlow`: it is small and calls nothing, so V8 inlines
   * it into the copy loop whatever was optimised first. `runSlow` (423
   * bytes of bytecode) was inlined there only when it had not been
   * optimised on its own before: its own optimised code's inlined bytecode
   * counts against the loop's 920-byte budget (`--trace-turbo-inlining`),
   * so from one process to the next every page of a scattered copy was a
   * call or not (a bimodal row: 0.55 against 0.65 in one build).
   */
  override probeRun(addr: number, len: number, write: boolean): number {
    const k = (addr >>> 10) & TLB_INDEX_MASK;
    const next = ((addr + PAGE_SIZE) >>> 10) & TLB_INDEX_MASK;
    const e = this.entries;
    const tag = write ? 1 : 0;
    // A tag is a mapped page's base: a match proves `addr` page-aligned.
    if (len <= PAGE_SIZE || e[k + tag] !== addr || e[next + tag] !== addr + PAGE_SIZE || e[next + 3] === e[k + 3]) return 0;
    const paddr = (e[k + 3] as number) + addr;
    const slot = k >>> 2;
    if (this.pageAddrs[slot] !== paddr || (this.shared && Atomics.load(this.i32, this.epochIndex) !== this.seenEpoch)) return 0;
    this.hits++;
    this.runOffset = paddr;
    this.runSlice = this.pages[slot] as Uint8Array;
    return PAGE_SIZE;
  }

  /**
   * The value paths' translation, all of it inline: the physical address of
   * `[addr, addr + len)` when it lies in one page cached for the access (on
   * shared RAM, with the TLB in step with the epoch: the caller is then
   * inside a critical section), or — on unshared RAM — whose leaf node the
   * page-walk cache holds and whose leaf entry allows the access with
   * nothing to set (the common miss, which then fills the TLB); else
   * {@link NO_VALUE}, and the caller takes {@link SpaceState.missValue} and
   * then the general path. Sets no run field and calls nothing. A hit also
   * proves `addr` a user address (a tag is a mapped page's base, a
   * walk-cache tag the first page of a mapped region), so the caller need
   * only know that `addr` is a number.
   *
   * Why the miss is not called from here: the value of a call is a tagged
   * number, so a result merged from a call and from the hit made TurboFan
   * tag the hit's address too (a Smi check, or a heap number) before every
   * decode. Why the walk-cache step is here and not only in `missValue`: a
   * call past the TLB costs its frame and a heap number for an address past
   * 2^30 (every user address of the benches), more than the step itself.
   * Booleans are compared with `=== true`/`=== false`: a bare `if (flag)` on
   * a field or parameter is V8's generic ToBoolean (five compares).
   *
   * Why the answer is a uint32 and "none" is 2^32 - 1, not -1: TurboFan
   * gives a value one machine representation for all the paths that merge
   * into it. The walk-cache step's address is a uint32 (`lo & 0xfffff000`
   * plus the offset) and the hit's is made one (`>>> 0`, exact: a physical
   * address is below RAM's size, at most 2^32); with -1 among them the
   * merged value could only be a float64, so the common miss converted its
   * address to float64 and back (with an exactness check) before the
   * decode's load, and the hit took the checked conversion too. All in
   * uint32, the caller compares one word and the decode indexes RAM with
   * it (--print-opt-code). 2^32 - 1 is also the address of a 1-byte value
   * at the last byte of a 4 GiB RAM: that one is declined, and `missValue`
   * translates it.
   *
   * Size: 460 bytes of bytecode (`--trace-turbo-inlining`), V8's
   * `--max-inlined-bytecode-size` on Node 20 (inlined while at most that).
   * "None" is written as a literal here because the module's constant
   * costs 5 bytes of bytecode a use. One more byte here and TurboFan stops
   * inlining it: every read and write would then be a call, the cliff
   * `missValue` is kept past on purpose.
   */
  valueAt(addr: number, len: number, write: boolean): number {
    const offset = addr & (PAGE_SIZE - 1);
    const base = addr - offset;
    if (offset + len > PAGE_SIZE || len === 0) return 0xffff_ffff;
    const k = (addr >>> 10) & TLB_INDEX_MASK;
    const shared = this.shared;
    const e = this.entries;
    if (e[write === true ? k + 1 : k] === base && (shared === false || Atomics.load(this.i32, this.epochIndex) === this.seenEpoch)) {
      // The delta before the counter: loaded after the store, it was loaded again (its array's base and length too).
      const p = ((e[k + 3] as number) + base + offset) >>> 0;
      this.hits++;
      return p;
    }
    // The common miss, as missValue's first case (on shared RAM that takes an epoch sync first: left to missValue;
    // a released space's walk cache is empty, but its table may be gone: as missValue, not a load of it).
    if (shared === true || this.released === true) return 0xffff_ffff;
    const vpn = base / PAGE_SIZE;
    const index = vpn & 511;
    const s = (vpn >>> 9) & WALK_MASK;
    if (this.walkTags[s] !== vpn - index) return 0xffff_ffff;
    const i = (this.walkNodes[s] as number) + index * 2;
    const u32 = this.u32;
    const lo = u32[i] as number;
    const ready = write === true ? this.readyWrite : this.readyRead;
    // The frame number from the low word alone: see ppnShift. An entry with frame bits in its high word is missValue's.
    if ((lo & ready) !== ready || ((u32[i + 1] as number) & this.ppnHiMask) !== 0) return 0xffff_ffff;
    this.misses++;
    const paddr = (lo >>> this.ppnShift) * PAGE_SIZE;
    // Tlb.fill, with the permissions walkEntry gives such an entry: missValue's lines, written out again on purpose
    // (a helper shared by both measured missValue's bytecode 519 → 430, under the 460 it must stay past).
    const j = (vpn & TLB_MASK) * 4;
    e[j] = base;
    e[j + 1] = (lo & this.writeDirty) === this.writeDirty ? base : -1;
    e[j + 2] = -1;
    e[j + 3] = paddr - base;
    return paddr + offset;
  }

  /**
   * The miss of the value paths (and of `Mmu`'s loads): the physical
   * address of `[addr, addr + len)` when it lies in one page of a user
   * address that is mapped and allows the access, else -1 and the caller
   * takes the general path (which calls the fault handler and says what is
   * wrong). Like a walk, sets ACCESSED (and DIRTY for a write) and caches the
   * translation. Calls no user code. On shared RAM the caller is inside a
   * critical section.
   *
   * This is the walk of a read or a write ({@link SpaceState.walk} calls
   * it), written flat for the common miss — the page-walk cache holds the
   * leaf node and the leaf entry allows the access with nothing left to
   * set: one load of the entry, the TLB filled in place. Split into
   * `walkValue` → `walk` → `leafEntry`, `frameAt`, `Tlb.fill` it cost a call
   * or more per miss and twice the object loads: measured in one process on
   * the same RAM, a miss cost 2–2.5× the floor's hand-written walker. On
   * unshared RAM `VmSpace.readVal`/`writeVal` take that common miss inline
   * first ({@link SpaceState.valueAt}) and reach this for the rest: bits to
   * set, a walk from the root, a fault.
   *
   * Out of line on purpose, and kept so: its bytecode (519 bytes) is past
   * V8's `--max-inlined-bytecode-size` (460 on Node 20), so TurboFan never
   * inlines it. Inlined into `VmSpace.readVal`'s own optimised code, it made
   * that code's inlined bytecode (counted against inlining it again, V8's
   * "existing opt code's inlined bytecode size") too large for `readVal` to
   * be inlined into the caller's loop: every read, hits included, became a
   * call (`--trace-turbo-inlining`; the random-read rows lost a third).
   *
   * A walk-cache hit proves `addr` a user address: a tag is the first page
   * of a mapped region, which `vpn - index` (the page number rounded down to
   * 512, exact for a safe integer) only equals for an integer address inside
   * it; a fraction, a negative number, NaN or an address past user space
   * never matches.
   */
  missValue(addr: number, len: number, write: boolean): number {
    // A released space's control block may be freed: no epoch read.
    if (this.released) return -1;
    const offset = addr & (PAGE_SIZE - 1);
    if (len === 0 || offset + len > PAGE_SIZE) return -1;
    // In step with the epoch first: a flush empties the walk cache too.
    if (this.shared) this.syncTlb();
    const base = addr - offset;
    const vpn = base / PAGE_SIZE;
    const index = vpn & 511;
    const s = (vpn >>> 9) & WALK_MASK;
    let i: number;
    if (this.walkTags[s] === vpn - index) i = (this.walkNodes[s] as number) + index * 2;
    else {
      // A walk from the root, for a user address only; its leaf node goes into the walk cache (as `leafEntry` does).
      if (!(addr >= 0 && addr < ALL) || Math.floor(addr) !== addr) return -1;
      if (!this.shared) this.syncTlb(); // shared RAM is in step already (above)
      i = this.table.leafIndex(base);
      if (i < 0) {
        this.misses++;
        return -1;
      }
      this.walkTags[s] = vpn - index;
      this.walkNodes[s] = i - index * 2;
    }
    this.misses++;
    const u32 = this.u32;
    const lo = this.shared ? Atomics.load(u32, i) : (u32[i] as number);
    const ready = write ? this.readyWrite : this.readyRead;
    if ((lo & ready) !== ready) {
      // Bits to set, or a fault: the permission checks of a walk.
      const paddr = this.walkEntry(vpn, write ? ACCESS_WRITE : ACCESS_READ, i, lo);
      return paddr < 0 ? -1 : paddr + offset;
    }
    const paddr = this.table.frameAt(i, lo) * PAGE_SIZE;
    // Tlb.fill, with the permissions walkEntry gives such an entry: writes once DIRTY is set, no execute tag (a fetch walks for it).
    const e = this.entries;
    const k = (vpn & TLB_MASK) * 4;
    e[k] = base;
    e[k + 1] = (lo & this.writeDirty) === this.writeDirty ? base : -1;
    e[k + 2] = -1;
    e[k + 3] = paddr - base;
    return paddr + offset;
  }

  /**
   * A validated read on shared RAM, as a seqlock reader does, instead of a
   * critical section (whose two `Atomics.store`s cost more than the
   * access): the naturally aligned `size`-byte integer (1, 2 or 4) at
   * `addr` when its page is cached for the access whose tag is word `tag`
   * of the slot (0 read, 2 execute), as its raw bits (`u8`, `u16` unsigned,
   * 4 bytes as an int32), or NaN and the caller takes its slow path. Loads
   * the value with `Atomics.load`, then the space's TLB epoch: the value
   * counts only if the epoch is still the one this TLB is in step with. No
   * epoch load before the value is needed: a value read through a stale
   * entry is thrown away by the check after it.
   *
   * Why no freed frame's contents are returned: an unmap or protect changes
   * the entry, then bumps the epoch, and only then (after a grace period
   * that this read, outside any section, does not delay) drops the frame,
   * which another owner may then write. Every load here is sequentially
   * consistent, so in their single total order: value load < epoch load
   * (still `seenEpoch`) < the bump < the free < the next owner's writes. A
   * plain `DataView` read would not do: a plain load may be reordered after
   * a later atomic load on weakly ordered CPUs (ARM). Stores always take a
   * critical section: a store through a stale translation cannot be undone.
   *
   * The limit of the argument, as for every seqlock: it rests on how V8
   * compiles `Atomics.load` (an ordered load: `mov` on x86-TSO, `ldar` on
   * ARMv8) and on the writer's side being ordered by its own atomics. The
   * ECMAScript memory model alone does not order a read against a racing
   * non-atomic write of the frame's next owner.
   */
  validatedLoad(addr: number, size: number, tag: number): number {
    const offset = addr & (PAGE_SIZE - 1);
    const k = (addr >>> 10) & TLB_INDEX_MASK;
    // A tag is a mapped page's base: a match proves `addr` a user address inside it.
    if ((offset & (size - 1)) !== 0 || this.entries[k + tag] !== addr - offset) return NaN;
    const p = (this.entries[k + 3] as number) + addr;
    const v = size === 4 ? Atomics.load(this.i32, p / 4) : size === 2 ? Atomics.load(this.u16, p / 2) : Atomics.load(this.ram, p);
    if (Atomics.load(this.i32, this.epochIndex) !== this.seenEpoch) return NaN;
    this.hits++;
    return v;
  }

  private runSlow(addr: number, len: number, write: boolean): number {
    // In step with the space's epoch? (A dead space has bumped it and flushed
    // this TLB, so death is noticed on the miss path, in translate.)
    this.syncTlb();
    const access = write ? ACCESS_WRITE : ACCESS_READ;
    // `&`, not `%`: `addr` is a user address (a safe integer), often past 2^31, where `%` is a floating-point remainder.
    const offset = addr & (PAGE_SIZE - 1);
    const va = addr - offset;
    const vpn = va / PAGE_SIZE;
    const slot = vpn & TLB_MASK;
    const entries = this.entries;
    // The slot's tag for the access, then its delta.
    const tag = write ? 1 : 0;
    let paddr: number;
    if (entries[slot * 4 + tag] === va) {
      this.hits++;
      paddr = va + (entries[slot * 4 + 3] as number);
    } else paddr = this.translateOrFault(addr, access);
    if (paddr < 0) return 0;
    this.runOffset = paddr + offset;
    let n = PAGE_SIZE - offset;
    if (n >= len) {
      this.runSlice = null;
      return len;
    }
    // Merge the following pages while they are cached and physically next
    // (the same delta).
    const delta = paddr - va;
    for (let v = va + PAGE_SIZE; n < len; v += PAGE_SIZE) {
      const k = ((v / PAGE_SIZE) & TLB_MASK) * 4;
      if (entries[k + tag] !== v) {
        // Past the TLB's reach: go on from the page table.
        n = this.mergeFromTable(v, v + delta, n, len, write);
        break;
      }
      // Cached, in another frame: the run ends here (no walk needed to know it).
      if (entries[k + 3] !== delta) break;
      this.hits++;
      n += PAGE_SIZE;
    }
    if (n === PAGE_SIZE) {
      // Exactly one whole page: hand out the slot's cached view of it, made when it is not of this frame.
      this.runSlice = this.pageAddrs[slot] === paddr ? (this.pages[slot] as Uint8Array) : this.pageView(slot, paddr);
      return n;
    }
    this.runSlice = null;
    return n < len ? n : len;
  }

  /**
   * A view of the page frame at `paddr`, cached in TLB slot `slot`. Apart
   * from `runSlow` to keep that one's bytecode small (423 bytes): V8 inlines
   * no function past 460 bytes, and counts what it inlines against a
   * 920-byte budget per optimised function.
   */
  private pageView(slot: number, paddr: number): Uint8Array {
    const view = this.ram.subarray(paddr, paddr + PAGE_SIZE);
    this.pages[slot] = view;
    this.pageAddrs[slot] = paddr;
    return view;
  }

  /**
   * Extends a run of `n` bytes (of `len` wanted) with the pages from `v`
   * on, read from consecutive leaf entries of the page table: each while it
   * maps the frame at `next` (physically next to the run), allows the
   * access, and already has the bits the access would set (ACCESSED, and
   * DIRTY for a write). A page the walk would have to mark is left to the
   * next run, so merging never sets a bit on a page the copy may not reach
   * (the other side of a copy may stop before it). Each merged page is
   * counted as a miss, as a walk would, and the TLB is left as walks of the
   * pages in turn would leave it: only the run's last `TLB_ENTRIES` pages
   * are filled (in the slot of any earlier page, a page `TLB_ENTRIES`
   * further on replaces it). A run that ends early leaves some earlier
   * pages uncached, which a cache may always do. Returns the run's new
   * length unclamped (it may pass `len` by part of a page): the caller
   * clamps it, after telling a one-page run from a longer one.
   *
   * Why so lean: past the TLB's reach a long copy is one `set` plus this
   * loop, whose cost per page is all that stands between the copy and its
   * limit. A fill per page, `frameAt`'s float64 frame number and a float64
   * entry index (`leafEntry`'s answer comes from a `Float64Array`) cost
   * 12–25 ns a page: up to 0.1 of the 16 MiB copy
   * (`user-copy-16m-contiguous`). Now the index is an int32 (`| 0`: below
   * 2^30 for RAM of at most 4 GiB), the frame number comes from the low
   * word as in `valueAt`, and 1024 fills are left of 4096. Measured on a
   * warm table, each process timing a 16 MiB run beside a hand-written
   * check of the same entries (the floor's, 6–13 µs): 47–104 µs (median
   * 90, six processes) → 17–30 µs (five); the `| 0` alone took it from
   * 22–43 µs.
   */
  private mergeFromTable(v: number, next: number, n: number, len: number, write: boolean): number {
    const u32 = this.u32;
    const shared = this.shared;
    const need = write ? this.pteRead | this.pteWrite | this.pteAccessed | this.pteDirty : this.pteRead | this.pteAccessed;
    const ppnShift = this.ppnShift;
    const ppnHiMask = this.ppnHiMask;
    const first = v / PAGE_SIZE;
    // Counted from the run's first page, in int32 arithmetic: `first` and the frame number may be past 2^31 (a float64).
    const index = first & 511;
    const frame = next / PAGE_SIZE;
    const pages = Math.ceil((len - n) / PAGE_SIZE);
    // The pages that stay cached: a fill of any page before them would be replaced by the run's own within TLB_ENTRIES pages.
    const keep = pages - TLB_ENTRIES;
    let i = -1;
    let j = 0;
    for (; j < pages; j++) {
      // The next entry of the same leaf node, else a walk to the next node.
      i = i < 0 || ((index + j) & 511) === 0 ? this.leafEntry(first + j) | 0 : i + 2;
      if (i < 0) break;
      const lo = shared ? Atomics.load(u32, i) : (u32[i] as number);
      // The frame number from the low word (see ppnShift); an entry with frame bits in its high word ends the run.
      if ((lo & need) !== need || lo >>> ppnShift !== frame + j || ((u32[i + 1] as number) & ppnHiMask) !== 0) break;
      if (j >= keep) this.tlb.fill(first + j, (frame + j) * PAGE_SIZE, this.permsOf(i, lo));
    }
    this.misses += j;
    return n + j * PAGE_SIZE;
  }

  /** The TLB permissions of leaf entry `i` whose low word is `lo` (writes only once DIRTY is set, so that the first write walks and sets it). */
  private permsOf(i: number, lo: number): number {
    const hi = this.shared ? Atomics.load(this.u32, i + 1) : (this.u32[i + 1] as number);
    const exec = (lo & this.pteExecLo) === this.pteExecLo && (hi & this.pteExecHi) === 0;
    const writable = (lo & this.pteWrite) !== 0 && (lo & this.pteDirty) !== 0;
    return TLB_READ | (writable ? TLB_WRITE : 0) | (exec ? TLB_EXEC : 0);
  }

  /** Shootdowns of the space so far (its TLB epoch; as it was when this thread let go of the space). */
  shootdowns(): number {
    return this.released ? this.#lastEpoch : this.control.epoch();
  }

  /** The TLB epoch (and liveness): changes when earlier runs may be stale. */
  generation(): number {
    return this.released ? -1 : this.shared ? Atomics.load(this.i32, this.epochIndex) : (this.i32[this.epochIndex] as number);
  }

  /** Flushes this thread's TLB if the epoch moved since it was last in step. */
  syncTlb(): void {
    const epoch = this.shared ? Atomics.load(this.i32, this.epochIndex) : (this.i32[this.epochIndex] as number);
    if (epoch !== this.seenEpoch) {
      this.tlb.flush();
      this.seenEpoch = epoch;
    }
  }

  /**
   * Walks the table for page `vpn`, sets ACCESSED (and DIRTY for a write),
   * caches the translation and returns the frame's physical address; -1
   * when the page is not mapped or does not allow the access.
   */
  translate(vpn: number, write: boolean): number {
    return this.walk(vpn, write ? ACCESS_WRITE : ACCESS_READ);
  }

  /**
   * {@link SpaceState.translate} for any kind of access (`ACCESS_READ`,
   * `ACCESS_WRITE`, `ACCESS_EXEC`): an instruction fetch needs a readable
   * page whose entry allows execution.
   */
  walk(vpn: number, access: number): number {
    if (this.released) this.live();
    // A read or a write: the value paths' miss, which is this walk (the page's first byte, one byte).
    if (access !== ACCESS_EXEC) return this.missValue(vpn * PAGE_SIZE, 1, access === ACCESS_WRITE);
    this.misses++;
    const i = this.leafEntry(vpn);
    if (i < 0) return -1;
    return this.walkEntry(vpn, access, i, this.shared ? Atomics.load(this.u32, i) : (this.u32[i] as number));
  }

  /** The rest of {@link SpaceState.walk} for leaf entry `i` (low word `lo`): permission checks, the bits to set, the execute permission. */
  private walkEntry(vpn: number, access: number, i: number, lo: number): number {
    const u32 = this.u32;
    if ((lo & this.pteRead) !== this.pteRead) return -1;
    const writable = (lo & this.pteWrite) !== 0;
    const write = access === ACCESS_WRITE;
    if (write && !writable) return -1;
    const hi = this.shared ? Atomics.load(u32, i + 1) : (u32[i + 1] as number);
    const exec = (lo & this.pteExecLo) === this.pteExecLo && (hi & this.pteExecHi) === 0;
    if (access === ACCESS_EXEC && !exec) return -1;
    const set = write ? this.pteAccessed | this.pteDirty : this.pteAccessed;
    if ((lo & set) !== set) {
      if (this.shared) Atomics.or(u32, i, set);
      else u32[i] = lo | set;
    }
    const paddr = this.table.frameAt(i, lo) * PAGE_SIZE;
    // As permsOf, from the halves already loaded: writes only once DIRTY is set.
    const dirty = ((lo | set) & this.pteDirty) !== 0;
    this.tlb.fill(vpn, paddr, TLB_READ | (writable && dirty ? TLB_WRITE : 0) | (exec ? TLB_EXEC : 0));
    return paddr;
  }

  /**
   * The `u32` index of the leaf entry of page `vpn`, or -1 when a node on
   * the way is missing: from the page-walk cache (`Tlb.walkTags`) when it
   * holds the page's leaf node, else by a walk from the root, whose leaf
   * node it then caches. The caller is in step with the epoch (and, on
   * shared RAM, in a critical section): see `Tlb.walkTags` for why a cached
   * node is still the table's.
   */
  private leafEntry(vpn: number): number {
    // `& 511` and `>>> 9` see the low 32 bits of the (safe integer) page number exactly.
    const index = vpn & 511;
    const first = vpn - index;
    const s = (vpn >>> 9) & WALK_MASK;
    if (this.walkTags[s] === first) return (this.walkNodes[s] as number) + index * 2;
    const i = this.table.leafIndex(vpn * PAGE_SIZE);
    if (i >= 0) {
      this.walkTags[s] = first;
      this.walkNodes[s] = i - index * 2;
    }
    return i;
  }

  /**
   * The miss path of an access at `addr` (the TLB has no translation for
   * it): walks the table and, when that fails, calls the fault handler;
   * returns the page's physical address, or -1 for a fault that stands
   * (`faultAddr`/`faultWrite` and any parked error say why). The caller is
   * in step with the epoch.
   */
  translateOrFault(addr: number, access: number): number {
    const vpn = Math.floor(addr / PAGE_SIZE);
    const paddr = this.walk(vpn, access);
    return paddr >= 0 ? paddr : this.fault(addr, vpn, access);
  }

  /** Resolves a fault through the handler; returns the page's physical address, or -1 for a fault that stands. */
  private fault(addr: number, vpn: number, access: number): number {
    const write = access === ACCESS_WRITE;
    this.faultAddr = addr;
    this.faultWrite = write;
    const handler = this.handler;
    if (handler === undefined || this.#inHandler) return -1;
    let result: unknown;
    this.#inHandler = true;
    // The handler runs outside any critical section: it may unmap and map.
    const depth = this.machine.gp.suspend();
    try {
      result = handler({ address: addr, write, execute: access === ACCESS_EXEC });
    } catch (e) {
      return this.park(e);
    } finally {
      this.machine.gp.resume(depth);
      this.#inHandler = false;
    }
    if (typeof result !== "boolean") return this.park(badHandlerResult(result));
    if (!result) return -1;
    this.live();
    this.syncTlb();
    return this.walk(vpn, access);
  }

  /** Parks `error` for the access to rethrow once it has accounted for the bytes moved; the fault stands. */
  private park(error: unknown): number {
    this.pendingError = error;
    this.hasPendingError = true;
    return -1;
  }

  // ---- looking up a mapping ----

  /**
   * The mapping at page `va`, with one reference to its frame taken for the
   * caller (to adopt into a handle), or undefined when `va` is unmapped.
   * Takes no lock: on shared RAM it runs in a read-side critical section,
   * which keeps an unmap on another thread from dropping the mapping's own
   * reference (it waits for a grace period first) until this one is taken.
   */
  query(va: number): { frame: number; prop: PageProperty } | undefined {
    // The caller records the reference in this thread's ledger: room first.
    this.machine.reserveHoldings();
    if (!this.shared) return this.#queryIn(va);
    this.enter();
    try {
      return this.#queryIn(va);
    } finally {
      this.exit();
    }
  }

  /**
   * {@link SpaceState.query} for a `CursorMut`: when the page's leaf node
   * is shared with another table, this table's own copy of it first (a
   * change: under {@link SpaceState.edit}), so that the reference count of
   * the frame handed out counts every space that maps it — which a
   * copy-on-write fault decides on.
   *
   * @throws {VmError} `NoMemory` for the copy (nothing changes).
   * @throws {TypeError} `ERR_REENTERED`: the node must be unshared during a change of this space.
   */
  queryOwn(va: number): { frame: number; prop: PageProperty } | undefined {
    this.unshare(va, "CursorMut.query()");
    return this.query(va);
  }

  /**
   * Gives this table its own copy of the leaf node covering `va` when it
   * is shared, as change `what` (under {@link SpaceState.edit}).
   *
   * @throws {VmError} `NoMemory` for the copy (nothing changes).
   * @throws {TypeError} `ERR_REENTERED`: the node is shared and this is called during a change of this space.
   */
  unshare(va: number, what: string): void {
    const table = this.table;
    if (table.sharedLeaf(va)) this.edit(what, () => table.unshareLeaf(va));
  }

  #queryIn(va: number): { frame: number; prop: PageProperty } | undefined {
    const found = this.table.query(va);
    if (found !== undefined) {
      checkUserFrame(this.machine, found.frame);
      this.machine.frames.ref(found.frame, 1);
    }
    return found;
  }

  // ---- mapping changes and the end of the space ----

  /**
   * Runs mapping change `what` (e.g. `"CursorMut.map()"`): exclusive among
   * threads, and refused while this thread is inside a callback of another
   * change of this space.
   *
   * @throws {TypeError} `ERR_REENTERED`: called from a callback of a change in progress.
   * @throws {TypeError} the space was disposed.
   */
  edit<T>(what: string, change: () => T): T {
    const during = this.#editing;
    if (during !== null) reenteredFrom(what, during);
    this.live();
    this.control.lock();
    this.#editing = what;
    try {
      return change();
    } finally {
      this.#editing = null;
      this.control.unlock();
    }
  }

  /** Maps page `va` to `frame` (inside {@link SpaceState.edit}). */
  map(va: number, frame: number, prop: PageProperty): void {
    this.table.map(va, frame, prop);
  }

  /** Enters a critical section for an access on shared RAM (see `frame/grace-period.ts`). */
  override enter(): void {
    this.machine.gp.enter();
  }

  /** Leaves the critical section. */
  override exit(): void {
    this.machine.gp.exit();
  }

  /** Unmaps `[start, end)` (inside {@link SpaceState.edit}); returns the number of pages unmapped. */
  unmap(start: number, end: number): number {
    // Runs of frames (frame/frame-runs.ts), dropped after the shootdown.
    const released: number[] = [];
    const pages = this.table.unmap(start, end, released);
    // A shared leaf node unlinked whole releases nothing but its pages' translations.
    if (released.length > 0 || pages > 0) {
      this.#flusher.issue(start, end);
      this.#adopt(this.#flusher.dispatch());
      if (released.length > 0) this.#flusher.retire(released);
    }
    return pages;
  }

  /** Gives mapped page `va`, which maps `frame`, property `prop` (inside {@link SpaceState.edit}). */
  protect(va: number, frame: number, prop: PageProperty): void {
    this.table.reprotect(va, frame, prop);
    this.narrowed(va, va + PAGE_SIZE);
  }

  /**
   * Shoots down `[start, end)` after entries there lost permissions
   * (inside {@link SpaceState.edit}): every TLB lets go, and no write
   * through a removed permission is still in flight when this returns.
   */
  narrowed(start: number, end: number): void {
    this.#flusher.issue(start, end);
    this.#adopt(this.#flusher.dispatch());
    // No thread may still be writing through a translation that lost `W`.
    this.#flusher.synchronize();
  }

  /**
   * Adopts epoch `next` that this thread just made, without a flush: its
   * own TLB is already clean of what changed (unless another thread moved
   * the epoch too, in which case the next translation flushes).
   */
  #adopt(next: number): void {
    if (next === this.seenEpoch + 1) this.seenEpoch = next;
  }

  /**
   * Ends this thread's view of the space. The last user (on any thread)
   * unmaps everything and frees the page table and the control block.
   * All or nothing: if it throws, the space is as it was.
   *
   * @throws {TypeError} `ERR_REENTERED`: called from a callback of a change of
   *   this space (or, on shared RAM, while this thread holds its lock).
   * @throws {Error} `ERR_LOCK_TIMEOUT`: another thread held the space's lock
   *   past the bound. The space is as it was.
   */
  release(): void {
    if (this.released) return;
    const during = this.#editing;
    if (during !== null) reenteredFrom("VmSpace.dispose()", during);
    const control = this.control;
    // The lock first: if it cannot be had, nothing has changed yet.
    control.lock();
    let last = false;
    try {
      this.machine.dropHolding(this.#held);
      this.released = true;
      last = control.dropUser();
      if (last) {
        this.unmap(0, ALL);
        this.table.destroy();
      }
      this.#lastEpoch = control.epoch();
    } finally {
      control.unlock();
    }
    if (last) this.machine.frames.unref(control.frame, 1);
    this.tlb.flush();
  }
}

/** The `TypeError` for a fault handler that returned something other than a boolean. */
function badHandlerResult(result: unknown): TypeError {
  const kind = result === null ? "null" : typeof result;
  return withCode(
    new TypeError(`a page-fault handler must return a boolean (true: resolved, retry; false: the fault stands), returned ${kind}`),
    "ERR_INVALID_RETURN_VALUE",
  );
}

// A worker that exited with views of spaces it never disposed: reclaiming it
// releases each view as its dispose() would have (the last one frees the space).
registerReleaser(HOLD_SPACE, (ram, ctrl, root) => SpaceState.attach(ram.memory, root, ctrl).release());
