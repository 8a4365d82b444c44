/**
 * `VmSpace`: a user address space with a real page table, page faults, and
 * fallible access for system calls.
 *
 * Safety contract, as in OSTD's `ostd::mm::vm_space`:
 * - user virtual addresses run from 0 to `MAX_USERSPACE_VADDR`; readers,
 *   writers and cursors never reach past it;
 * - user memory is `Fallible`: a copy stops exactly at the first byte that is
 *   not mapped or not writable, says how many bytes it moved, and touches
 *   nothing after that byte;
 * - `reader`/`writer` require the space to be active on this thread
 *   (`activate()`), as OSTD requires it to be the current page table. A
 *   reader or writer stays bound to the space it was made from, even if
 *   another space is activated later — that is how two spaces are copied
 *   between (`process_vm_readv`): make a reader while one is active and a
 *   writer while the other is;
 * - what the caller hands in (a range's `start` and `end`, a share token's
 *   fields) is read once, before the space is looked at or changed;
 * - disposing the space unmaps everything (dropping each frame's reference),
 *   frees its page table, and makes every reader, writer and cursor of it
 *   throw a `TypeError` on its next access. It is all or nothing: refused
 *   from inside a `protectNext` op on the space, it changes nothing;
 * - the object's state is `#private`: nothing reachable from it can change
 *   a mapping or a translation behind vmio's back.
 *
 * @module
 */

import { invalidType, useAfterDispose } from "../base/contract.js";
import { INTERNAL } from "../base/internal-key.js";
import { checkIndex, isIndex as importedIsIndex } from "../base/validate.js";
import { PAGE_SIZE } from "../frame/page-size.js";
import { PhysicalMemory, checkedRamOf } from "../frame/physical-memory.js";
import type { Fallible } from "../io/fallibility.js";
import { VmError } from "../io/vm-error.js";
import { storeValueAt, withVmIo, type IoMemory } from "../io/vm-io.js";
import type { OnceKind, PodDescriptor, PodSnapshot, PodType } from "../pod/pod-type.js";
import { newReader, type VmReader } from "../io/vm-reader.js";
import { newWriter, type VmWriter } from "../io/vm-writer.js";
import { activeSpace, setActiveSpace } from "./activation.js";
import { newCursor, newCursorMut, type Cursor, type CursorMut, type VaRange } from "./cursor.js";
import { newMmu, type Mmu, type TlbStats } from "./mmu.js";
import { NO_VALUE as importedNO_VALUE, SpaceState, type PageFaultHandler } from "./space-state.js";
import { walkPageTable, type PageTableWalk } from "./page-table-walk.js";

// Imported bindings used on hot paths, as module-local constants: V8 (Node
// 20) folds a module's own `const`s but loads an imported binding from its
// module cell on every use (about 8 instructions a use, measured).
const isIndex = importedIsIndex;
const NO_VALUE = importedNO_VALUE;

/**
 * The end (exclusive) of user virtual addresses: 2^47 − `PAGE_SIZE`, as on
 * x86-64 with 4-level paging.
 *
 * OSTD counterpart: `ostd::mm::MAX_USERSPACE_VADDR`.
 */
export const MAX_USERSPACE_VADDR = 0x8000_0000_0000 - PAGE_SIZE;

/** What `VmSpace.share()` hands to another thread (a structured-clonable object). */
export interface SpaceToken {
  /** What the token stands for, checked by `attach`. */
  readonly kind: "vmio.VmSpace";
  /** Identifies the RAM. */
  readonly memory: number;
  /** Physical address of the space's control block. */
  readonly paddr: number;
  /** Physical address of the root page table. */
  readonly root: number;
  /** The share ticket in RAM that records what the token stands for and holds its place in the space's life. */
  readonly ticket: number;
  /** Names this token's use of the ticket, so a copy of an attached token is refused. */
  readonly nonce: number;
}

/** A fault as the page-fault handler sees it. */
export interface PageFaultInfo {
  /** The virtual address of the byte that faulted. */
  readonly address: number;
  /** Whether the access was a write. */
  readonly write: boolean;
  /** Whether the access was an instruction fetch (through {@link Mmu}; `write` is then false). */
  readonly execute: boolean;
}

/** The memory of a `VmSpace`, for its VmIo methods (installed by its class body). */
let spaceIo: (space: VmSpace) => IoMemory;

/**
 * The per-thread state behind `space`: its translation, page table and TLB.
 * For the vm layer and tests; not reachable from the public object.
 *
 * @internal
 */
export let spaceStateOf: (space: VmSpace) => SpaceState;

/**
 * The state a `VmSpace` under construction takes as its `#state`, set by the
 * constructor just before `super()` and taken (and cleared) by the field's
 * initializer: see {@link VmSpace}'s `#state`.
 */
let pendingState: SpaceState | undefined;

function takePendingState(): SpaceState {
  const state = pendingState as SpaceState;
  pendingState = undefined;
  return state;
}

/**
 * A user address space: a 4-level page table in RAM, this thread's TLB for
 * it, and fallible readers and writers over it. It is also a `VmIo` object
 * whose offsets are virtual addresses (OSTD's current-user-space object).
 *
 * OSTD counterpart: `ostd::mm::VmSpace`.
 */
export class VmSpace extends withVmIo(Object, (space) => spaceIo(space as VmSpace)) implements Disposable {
  // Defined once, with its value, by its initializer — never `undefined`
  // first and assigned in the constructor: V8 then keeps the field "const"
  // (a second store to a field makes it mutable for every object of the
  // map), and TurboFan folds `space.#state` to the SpaceState itself when
  // the space is a constant of the optimised code (a closure's or a
  // module's `const`), and with it the SpaceState's own const fields: the
  // TLB array, the RAM view, `shared`. The TLB-hit row went from a hair
  // under 0.33 to the honest floor's level (bench/vm.bench.ts).
  readonly #state: SpaceState = takePendingState();
  // Stored once, by its initializer (it runs after `#state`'s, so it can
  // read it), as `#state` is: V8 keeps the field const, where a field
  // defined `undefined` and assigned in the constructor turned mutable at
  // `new VmSpace` (`--trace-generalization`). Only the VmIo methods read it
  // (`readBytes`, `fill`, `readOnce`…; not `reader`/`readVal`), and in them
  // one load is lost in the copy: no row moved (user-readbytes-64b).
  readonly #io: IoMemory = { bytes: null, view: null, space: this.#state, lease: null, base: 0, size: MAX_USERSPACE_VADDR, fallible: true, beyond: "AccessDenied" };
  /** True while this is the active space of this thread (and not disposed). */
  #active = false;
  #disposed = false;
  /** This thread's emulator fast path over the space, made on first use. */
  #mmu: Mmu | undefined = undefined;

  /**
   * An empty address space in `memory` (default: `PhysicalMemory.default`).
   *
   * @throws {TypeError} `memory` is not a `PhysicalMemory`.
   * @throws {VmError} `NoMemory` when RAM has no frame for the root table.
   */
  constructor(memory?: PhysicalMemory);
  /** @internal `attach`: this thread's view of an existing space. */
  constructor(memory: PhysicalMemory, key: typeof INTERNAL, state: SpaceState);
  constructor(memory?: PhysicalMemory, key?: typeof INTERNAL, state?: SpaceState) {
    if (memory !== undefined && !(memory instanceof PhysicalMemory)) invalidType("memory", "a PhysicalMemory", memory);
    // Nothing between this store and `super()` runs user code (the mixin's base is `Object`).
    pendingState = key === INTERNAL && state !== undefined ? state : SpaceState.create(memory ?? PhysicalMemory.default);
    super();
  }

  static {
    spaceIo = (space) => {
      if (!space.#active) space.#checkActive();
      return space.#io;
    };
    spaceStateOf = (space) => space.#state;
  }

  /** Throws if the space was disposed. */
  #live(): void {
    if (this.#disposed) useAfterDispose("VmSpace");
    this.#state.live();
  }

  /**
   * A read-only cursor over `range`.
   *
   * OSTD counterpart: `VmSpace::cursor`.
   *
   * @throws {VmError} `InvalidArgs` for an empty or unaligned range;
   *   `AccessDenied` for a range past `MAX_USERSPACE_VADDR`.
   * @throws {TypeError | RangeError} malformed range; the space was disposed.
   */
  cursor(range: VaRange): Cursor {
    const { start, end } = checkRange(range);
    this.#live();
    return newCursor(this.#state, start, end);
  }

  /**
   * A cursor over `range` that can map, unmap and protect.
   *
   * OSTD counterpart: `VmSpace::cursor_mut`.
   *
   * @throws {VmError} as {@link VmSpace.cursor}.
   * @throws {TypeError | RangeError} malformed range; the space was disposed.
   */
  cursorMut(range: VaRange): CursorMut {
    const { start, end } = checkRange(range);
    this.#live();
    return newCursorMut(this.#state, start, end);
  }

  /**
   * A read-only picture of this space's page table, from the entries in
   * RAM: every node met on the way down to the pages of `range` (the whole
   * user range by default), each with its level, frame, count of present
   * entries and its non-empty entries — raw halves, decoded flags in the
   * memory's paging format, the frame or node they point to, and, for
   * pages, the `PageProperty`. It changes nothing (not even ACCESSED), takes
   * no reference and calls no user code; on shared RAM it is a snapshot
   * that other threads' changes may overtake.
   *
   * Linux counterpart: `ptdump`, `/proc/PID/pagemap`.
   *
   * @throws {VmError} as {@link VmSpace.cursor} for a bad range.
   * @throws {TypeError | RangeError} malformed range; the space was disposed.
   */
  walkPageTable(range: VaRange = { start: 0, end: MAX_USERSPACE_VADDR }): PageTableWalk {
    const { start, end } = checkRange(range);
    this.#live();
    const state = this.#state;
    // A read-side critical section keeps unlinked nodes from being freed under the walk.
    state.enter();
    try {
      return walkPageTable(state.table, start, end);
    } finally {
      state.exit();
    }
  }

  /**
   * Makes this the current address space of this thread: the one `reader`
   * and `writer` accept.
   *
   * OSTD counterpart: `VmSpace::activate`.
   *
   * @throws {TypeError} the space was disposed.
   */
  activate(): void {
    this.#live();
    const previous = activeSpace();
    if (previous instanceof VmSpace) previous.#active = false;
    setActiveSpace(this);
    this.#active = true;
  }

  /**
   * A fallible reader over `[vaddr, vaddr + len)`.
   *
   * OSTD counterpart: `VmSpace::reader`.
   *
   * @throws {VmError} `AccessDenied` when this space is not active on this
   *   thread, or the range runs past `MAX_USERSPACE_VADDR`.
   * @throws {TypeError | RangeError} `vaddr`/`len` are not non-negative safe integers.
   * @throws {TypeError} the space was disposed.
   */
  reader(vaddr: number, len: number): VmReader<Fallible> {
    if (!this.#active || !isIndex(vaddr) || !isIndex(len) || vaddr + len > MAX_USERSPACE_VADDR) this.#checkAccess(vaddr, len);
    // `+ 0`: an address of -0 becomes 0.
    return newReader<Fallible>(null, null, this.#state, null, vaddr + 0, vaddr + len, true);
  }

  /**
   * A fallible writer over `[vaddr, vaddr + len)`.
   *
   * OSTD counterpart: `VmSpace::writer`.
   *
   * @throws {VmError} as {@link VmSpace.reader}.
   * @throws {TypeError | RangeError} bad arguments; the space was disposed.
   */
  writer(vaddr: number, len: number): VmWriter<Fallible> {
    if (!this.#active || !isIndex(vaddr) || !isIndex(len) || vaddr + len > MAX_USERSPACE_VADDR) this.#checkAccess(vaddr, len);
    return newWriter<Fallible>(null, null, this.#state, null, vaddr + 0, vaddr + len, true);
  }

  /**
   * This thread's emulator fast path over the space: loads, stores,
   * instruction fetches and compare-and-swaps at virtual addresses, with
   * numbers only (64-bit values as two 32-bit halves), translated through
   * this thread's TLB of the space, faults resolved through the page-fault
   * handler and unresolved ones thrown as `VmError` (see {@link Mmu}).
   * The same object every time on this thread. It needs no `activate()`:
   * it is bound to this space, as a hart's MMU is to its page table.
   *
   * OSTD counterpart: none (the hardware MMU); QEMU's softmmu TLB.
   *
   * @throws {TypeError} the space was disposed.
   */
  mmu(): Mmu {
    this.#live();
    return (this.#mmu ??= newMmu(this.#state));
  }

  /**
   * This thread's TLB counters for the space, and the space's shootdown
   * count: a snapshot, cheap enough to poll (no walk, no lock).
   *
   * - `hits`: accesses and copy runs translated by this thread's TLB
   *   (values, copies and {@link VmSpace.mmu} accesses);
   * - `misses`: translations that walked the page table;
   * - `flushes`: whole flushes of this thread's TLB (after another thread's
   *   shootdown, a large unmap, or the end of the space);
   * - `shootdowns`: unmaps and protects of the space that removed or
   *   narrowed translations, on every thread (the space's TLB epoch).
   *
   * Works after `dispose()` too (the counts as they were).
   *
   * OSTD counterpart: none (Linux's `/proc/vmstat` `nr_tlb_*` counters).
   */
  tlbStats(): TlbStats {
    const state = this.#state;
    const mmu = this.#mmu;
    return {
      hits: state.hits + (mmu === undefined ? 0 : mmu.hitCount()),
      misses: state.misses,
      flushes: state.tlb.flushes,
      shootdowns: state.shootdowns(),
    };
  }

  /**
   * Sets (or, with `undefined`, removes) this thread's page-fault handler
   * for the space. It is called when a fallible access faults, with the
   * faulting address and whether the access was a write, and must return a
   * boolean: `true` means it resolved the fault (mapped a page: demand
   * paging; replaced a read-only page: copy-on-write) and the access retries
   * from that byte; `false`, or a second fault at the same byte, ends the
   * access with `VmError` `PageFault`. If the handler throws — or returns
   * something that is not a boolean, a `TypeError` (`ERR_INVALID_RETURN_VALUE`)
   * — the access ends and the exception reaches the caller, after the
   * cursors have accounted for the bytes moved. Faults while the handler
   * runs are not handled again.
   *
   * OSTD counterpart: the page-fault handler a kernel installs for user space.
   *
   * @throws {TypeError} `h` is neither a function nor `undefined`; the space was disposed.
   */
  setPageFaultHandler(h: ((fault: PageFaultInfo) => boolean) | undefined): void {
    this.#live();
    if (h !== undefined && typeof h !== "function") invalidType("h", "a function or undefined", h);
    this.#state.handler = h as PageFaultHandler | undefined;
  }

  /**
   * Unmaps everything, frees the page table, and ends the space: its
   * readers, writers and cursors throw on their next access. If this is the
   * active space of this thread, no space is active afterwards. All or
   * nothing: when it throws, the space is as it was.
   *
   * OSTD counterpart: `impl Drop for VmSpace`.
   *
   * @throws {TypeError} the space was disposed already; or this is called
   *   from a `protectNext` op on the space (`ERR_REENTERED`).
   */
  dispose(): void {
    if (this.#disposed) useAfterDispose("VmSpace");
    this.#state.release();
    this.#disposed = true;
    this.#active = false;
    if (activeSpace() === this) setActiveSpace(undefined);
  }

  /** Same as {@link VmSpace.dispose}, for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * A token that another thread can turn into its own view of this address
   * space with {@link VmSpace.attach}: the same page table, mappings and
   * frames, with a TLB, an activation and a fault handler of its own. The
   * space lives until its last `VmSpace` object (on any thread) is disposed;
   * an unattached token counts as one.
   *
   * @throws {TypeError} the space's RAM is not shared, or the space was disposed.
   * @throws {RangeError} too many tokens of this RAM are waiting to be attached.
   */
  share(): SpaceToken {
    this.#live();
    const state = this.#state;
    const ram = state.machine;
    if (!ram.shared) invalidType("this", "a VmSpace in shared RAM ({ shared: true })", "one in unshared RAM");
    const ctrl = state.control.frame;
    const { ticket, nonce } = ram.tickets.issue("vmio.VmSpace", ctrl, state.table.root);
    state.control.addUser();
    return { kind: "vmio.VmSpace", memory: ram.id, paddr: ctrl * PAGE_SIZE, root: state.table.root * PAGE_SIZE, ticket, nonce };
  }

  /**
   * This thread's view of the address space of `token` (from
   * {@link VmSpace.share} on another thread): translations, mappings and
   * copies are coherent with every other thread's view; unmapping or
   * protecting here shoots down every thread's TLB before returning. The
   * token's fields are read once.
   *
   * @throws {TypeError} `token` is not a space token of `memory`.
   * @throws {RangeError} the token was attached already.
   */
  static attach(memory: PhysicalMemory, token: SpaceToken): VmSpace {
    const ram = checkedRamOf(memory, "memory");
    if (token == null || typeof token !== "object") invalidType("token", "a token from VmSpace.share()", token);
    const t: SpaceToken = { kind: token.kind, memory: token.memory, paddr: token.paddr, root: token.root, ticket: token.ticket, nonce: token.nonce };
    if (typeof t.root !== "number") invalidType("token", "a token from VmSpace.share()", token);
    ram.reserveHoldings();
    const ctrl = ram.tickets.redeem(ram.id, t, "vmio.VmSpace", "a token from VmSpace.share()", t.root / PAGE_SIZE);
    const state = SpaceState.attach(memory, t.root / PAGE_SIZE, ctrl);
    state.hold();
    return new VmSpace(memory, INTERNAL, state);
  }

  /**
   * Reads one value of type `t` at virtual address `vaddr` (`VmIo`). On
   * shared RAM a value wider than one byte may tear (another thread writing
   * it meanwhile), as OSTD allows; `readOnce` reads a `PodOnce` value in one
   * piece.
   *
   * @throws {VmError} `AccessDenied` when the space is not active or the
   *   value runs past `MAX_USERSPACE_VADDR`; `PageFault` when a byte faults.
   * @throws {TypeError | RangeError} bad arguments; the space was disposed.
   */
  override readVal<T>(vaddr: number, t: PodType<T>): T {
    // The common case — active space on unshared RAM, a value inside one
    // page that is cached, or whose leaf node the walk cache holds — is
    // `valueAt` and one decode, inline; everything else is out of line.
    // Why so: TurboFan inlines `readVal` into its caller's loop only while
    // its bytecode plus what its own optimised code inlined stays under
    // V8's cumulative budget (920, a candidate counted at 1.2×): with the
    // shared-RAM path and the miss written here, `readVal` (362 bytes, 486
    // inlined) went over it once the walk-cache step was warm, and every
    // read became a call (`--trace-turbo-inlining`). `=== true`/`=== false`:
    // see `valueAt`.
    //
    // The miss goes out of line in two parts: `#readMissed` (a walk past
    // the walk cache, or bits to set) for this case, `#readOther` for the
    // rest. When `readVal` is optimised on its own while the first reads of
    // a run still miss often (a cold TLB, ACCESSED bits still to set),
    // TurboFan inlines the miss into it (its call frequency then passes V8's
    // 0.15), and that code's inlined bytecode counts against inlining
    // `readVal` into the loop: with the shared-RAM path in the one miss
    // function it came to 808 bytes, 1.2 × (128 + 808) > 920, and `readVal`
    // was a call on every read for the rest of the process — the random-read
    // rows' slow processes (`--trace-turbo-inlining`). Now the miss it may
    // inline is small, and the rest is never called on unshared RAM: in that
    // order readVal's own code inlines 549–563 bytes, 1.2 × (151 + 563) =
    // 857, so a check added here or in `#readMissed` has about 50 bytes.
    const m = this.#state;
    if (this.#active === true && m.shared === false && t != null && (t as PodDescriptor<T>).self === t && typeof vaddr === "number") {
      const d = t as PodDescriptor<T>;
      const p = m.valueAt(vaddr, d.size, false);
      if (p !== NO_VALUE) return d.decode(m.ramView, p);
      return this.#readMissed(vaddr, d);
    }
    return this.#readOther(vaddr, t);
  }

  /**
   * The miss of {@link VmSpace.readVal} on unshared RAM, for an active
   * space and a checked type: a walk past the walk cache, or an entry with
   * bits to set (`missValue`), else the general path (which calls the fault
   * handler).
   */
  #readMissed<T>(vaddr: number, d: PodDescriptor<T>): T {
    const m = this.#state;
    const p = m.missValue(vaddr, d.size, false);
    if (p >= 0) return d.decode(m.ramView, p);
    return super.readVal(vaddr, d);
  }

  /**
   * The rest of {@link VmSpace.readVal}: shared RAM, and the general path
   * (which throws for bad arguments or an inactive space). On shared RAM an
   * integer of up to 32 bits is a validated read, and other values are
   * translated and decoded in a critical section, so that the frame cannot
   * be freed under them.
   */
  #readOther<T>(vaddr: number, t: PodType<T>): T {
    const m = this.#state;
    if (this.#active === true && m.shared === true && t != null && (t as PodDescriptor<T>).self === t && typeof vaddr === "number") {
      const d = t as PodDescriptor<T>;
      const once = d.once;
      if (once !== null && d.size <= 4) {
        const v = m.validatedLoad(vaddr, d.size, 0);
        if (v === v) return fromBits(once, v) as T;
      }
      m.enter();
      try {
        let p = m.valueAt(vaddr, d.size, false);
        if (p === NO_VALUE) p = m.missValue(vaddr, d.size, false);
        if (p >= 0) return d.decode(m.ramView, p);
      } finally {
        m.exit();
      }
    }
    return super.readVal(vaddr, t);
  }

  /**
   * Writes one value of type `t` at virtual address `vaddr` (`VmIo`).
   *
   * @throws {VmError} as {@link VmSpace.readVal}.
   * @throws {TypeError | RangeError} bad arguments or value; the space was disposed.
   */
  override writeVal<T>(vaddr: number, t: PodType<T>, value: T): void {
    // A scalar on an active space over unshared RAM — a value with no getter,
    // checked by its type's `valid`, which reads nothing and throws nothing —
    // is translated first and stored as it is (a scalar's snapshot is the
    // value itself). Such a scalar whose address does not translate goes to
    // the general path (a bad address's error, a fault, the fault handler)
    // without a second walk, which would count one more TLB miss than a read
    // that faults. Everything else takes `#writeChecked`, which reports a bad
    // address before it reads the value. Same errors in the same order: a
    // translation proves `vaddr` a user address (and the space active), so
    // no error the general path reports before reading the value applies;
    // and nothing is changed before the value is known valid (no ACCESSED or
    // DIRTY bit set, no TLB fill, no count).
    //
    // Why: the random-write rows past the TLB. (1) Their two speeds between
    // processes: TurboFan inlines `writeVal` into its caller's loop only while
    // 1.2 × (its bytecode + what its own optimised code inlined) stays within
    // the 920-byte budget. The miss used to be a `#storeMissed` (264 bytes);
    // optimised on its own while the first writes still missed (a cold TLB,
    // DIRTY bits to set), `writeVal` inlined it, 822 bytes in all, and was a
    // call on every write for the rest of the process, at 1.7–2.1× the honest
    // floor's time (`--trace-turbo-inlining`; bench/vm.bench.ts). Now the miss
    // calls `missValue` from here (519 bytes: past the 460-byte limit, never
    // inlined), its answer merged into the one store as a uint32 (`>>> 0`
    // makes -1 NO_VALUE; 2^32 - 1, the last byte of a 4 GiB RAM, is left to
    // the general path, which translates it), and `#writeChecked` is not
    // called often enough on a scalar to be inlined. So whatever the order,
    // this code inlines `valueAt`, `valid` and the store, 500 bytes for u32:
    // 1.2 × (204 + 500) = 845. (2) The address check `#writeChecked` must do
    // before a struct's getters run (`isIndex`) cost 1.5–3 ns a write against
    // the floor in one process (4 Ki pages: 11.4–13.4 ns with it, 9.5–12.6
    // without, floor 9.0–11.5); a translation makes it needless here.
    // NO_VALUE is a literal: the module constant costs 4 bytes more a use.
    const m = this.#state;
    const d = t as PodDescriptor<T>;
    if (this.#active === true && m.shared === false && t != null && d.self === t && d.shape.kind === "scalar" && typeof vaddr === "number" && d.valid(value) === true) {
      let p = m.valueAt(vaddr, d.size, true);
      if (p === 0xffff_ffff) p = m.missValue(vaddr, d.size, true) >>> 0;
      if (p !== 0xffff_ffff) {
        d.store(m.ramView, p, value as PodSnapshot<T>);
        return;
      }
      return super.writeVal(vaddr, t, value);
    }
    this.#writeChecked(vaddr, t, value);
  }

  /**
   * {@link VmSpace.writeVal} in the order of the general path: arguments
   * checked, then the value's snapshot (its getters run here, once), then
   * the store — inline when the translation is cached or the walk cache
   * holds it, through `missValue` when bits are to be set, else
   * `#storeOther`. A struct, an array, a scalar that is not valid, or any
   * value on shared RAM or an inactive space. The translation comes
   * after the getters, which may unmap, protect or deactivate.
   */
  #writeChecked<T>(vaddr: number, t: PodType<T>, value: T): void {
    // Bad arguments take the general path, which throws before reading `value`.
    if (t == null || (t as PodDescriptor<T>).self !== t || !isIndex(vaddr)) return super.writeVal(vaddr, t, value);
    const d = t as PodDescriptor<T>;
    // Snapshot, check, store: `value`'s getters run here and nowhere else.
    const snap = d.snapshot(value, "value");
    const m = this.#state;
    if (this.#active === true && m.shared === false) {
      let p = m.valueAt(vaddr, d.size, true);
      if (p === 0xffff_ffff) p = m.missValue(vaddr, d.size, true) >>> 0;
      if (p !== 0xffff_ffff) {
        d.store(m.ramView, p, snap);
        return;
      }
    }
    this.#storeOther(vaddr, d, snap);
  }

  /**
   * The rest of {@link VmSpace.writeVal} for a checked snapshot `snap`: as
   * {@link VmSpace.#readOther}, stores always in a critical section on
   * shared RAM; on unshared RAM, a fault, an inactive space, or an address
   * that `missValue` does not translate, for the general path.
   */
  #storeOther<T>(vaddr: number, d: PodDescriptor<T>, snap: PodSnapshot<T>): void {
    const m = this.#state;
    if (this.#active === true && m.shared === true) {
      const size = d.size;
      m.enter();
      try {
        let p = m.valueAt(vaddr, size, true);
        if (p === NO_VALUE) p = m.missValue(vaddr, size, true);
        if (p >= 0) {
          d.store(m.ramView, p, snap);
          return;
        }
      } finally {
        m.exit();
      }
    }
    storeValueAt(spaceIo(this), vaddr, d, snap);
  }

  /** Cold path of `reader`/`writer`: throws the right error. */
  #checkAccess(vaddr: number, len: number): void {
    this.#live();
    checkIndex(vaddr, "vaddr");
    checkIndex(len, "len");
    this.#checkActive();
    if (vaddr + len > MAX_USERSPACE_VADDR) {
      throw new VmError("AccessDenied", `[0x${vaddr.toString(16)}, +${len}) runs past MAX_USERSPACE_VADDR`);
    }
  }

  /** Throws unless the space is alive and active on this thread. */
  #checkActive(): void {
    this.#live();
    if (!this.#active) throw new VmError("AccessDenied", "this VmSpace is not the active address space of this thread (call activate())");
  }
}

/**
 * The value of a `PodOnce` integer of up to 32 bits from its raw bits as
 * {@link SpaceState.validatedLoad} returns them (`u8`/`u16` unsigned, four
 * bytes as an int32).
 */
function fromBits(kind: OnceKind, bits: number): number {
  switch (kind) {
    case "u32":
      return bits >>> 0;
    case "i16":
      return (bits << 16) >> 16;
    case "i8":
      return (bits << 24) >> 24;
    default:
      return bits;
  }
}

/** Reads `range.start` and `range.end` once each and checks them; -0 becomes 0. */
function checkRange(range: VaRange): VaRange {
  if (typeof range !== "object" || range === null) invalidType("range", "an object { start, end }", range);
  const { start, end } = range;
  checkIndex(start, "range.start");
  checkIndex(end, "range.end");
  if (start % PAGE_SIZE !== 0 || end % PAGE_SIZE !== 0) {
    throw new VmError("InvalidArgs", `cursor range [0x${start.toString(16)}, 0x${end.toString(16)}) is not page-aligned`);
  }
  if (start >= end) throw new VmError("InvalidArgs", `cursor range [0x${start.toString(16)}, 0x${end.toString(16)}) is empty`);
  if (end > MAX_USERSPACE_VADDR) {
    throw new VmError("AccessDenied", `cursor range [0x${start.toString(16)}, 0x${end.toString(16)}) runs past MAX_USERSPACE_VADDR`);
  }
  return { start: start + 0, end };
}
