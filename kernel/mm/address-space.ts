/**
 * A process's address space: a vmio `VmSpace` (real page table, TLB, fault
 * handler) plus the areas that say what each page should be.
 *
 * Everything a user page is, is a vmio frame mapped in the `VmSpace`:
 * - pages appear on first touch, from the page-fault handler: zero-filled,
 *   copied from a file, or a shared object's page (demand paging);
 * - `fork` maps the parent's frames into the child and takes write
 *   permission away from both — sharing whole leaf page-table nodes (2 MiB)
 *   an area covers, until either side changes one (vmio's `shareNodes`:
 *   the fault's query gives that side its own copy, so the reference count
 *   below counts every process); the first write to such a page faults, and
 *   the handler copies the frame — or, when the frame's reference count
 *   says no one else maps it any more, just gives write permission back
 *   (copy-on-write on vmio frames and their reference counts);
 * - a fault just below the stack grows it, up to the stack limit;
 * - `munmap`, `mprotect` and `mremap` change areas and page table together,
 *   and vmio shoots down every TLB of the space (every CPU) before they return.
 *
 * Every operation checks its arguments before it changes anything; a
 * failure (`SysError`) leaves areas and page table as they were. Running
 * out of physical memory during a fault ends that fault (the kernel kills
 * the process), never the kernel.
 *
 * Linux counterpart: `struct mm_struct` with `mm/mmap.c`, `mm/mprotect.c`,
 * `mm/mremap.c`, `mm/memory.c` (`handle_mm_fault`, `do_wp_page`) and
 * `kernel/fork.c` (`dup_mmap`).
 *
 * @module
 */

import { CachePolicy, FrameAllocOptions, PAGE_SIZE, PageFlags, PageProperty, VmError, VmSpace, type PhysicalMemory, type UFrame } from "vmio";
import { Errno, fail } from "../abi/errno.js";
import { PROT_EXEC, PROT_READ, PROT_WRITE, MREMAP_FIXED, MREMAP_MAYMOVE } from "../abi/mman.js";
import { isPageAligned, pageDown, pageUp } from "../abi/page.js";
import { MMAP_BASE, MMAP_MIN_ADDR, STACK_GUARD_GAP, STACK_LIMIT, STACK_TOP, TASK_SIZE } from "./layout.js";
import type { FaultResolution, MmEvents } from "./mm-events.js";
import { isZeroPage, zeroPage } from "./zero-page.js";
import { Vma, type VmaBacking } from "./vma.js";

/** The page-table flags of an area with protection `prot`. Every accessible page is readable (as on RISC-V, where W implies R). */
export function flagsFor(prot: number): number {
  if ((prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) === 0) return 0;
  let f = PageFlags.R;
  if ((prot & PROT_WRITE) !== 0) f |= PageFlags.W;
  if ((prot & PROT_EXEC) !== 0) f |= PageFlags.X;
  return f;
}

/** The kind of access that faulted, as a hart reports it. */
export type FaultAccess = "load" | "store" | "fetch";

/** Options of {@link AddressSpace.map}. */
export interface MapOptions {
  readonly shared?: boolean;
  readonly name?: string;
  readonly growsDown?: boolean;
}

/** The areas of a space as an observer sees them. */
export interface AreaInfo {
  readonly start: number;
  readonly end: number;
  readonly prot: number;
  readonly shared: boolean;
  readonly name: string;
  readonly kind: VmaBacking["kind"];
}

/**
 * A user address space.
 *
 * Linux counterpart: `struct mm_struct`.
 */
export class AddressSpace {
  readonly memory: PhysicalMemory;
  /** The vmio address space: page table, TLB, fault handler. */
  readonly space: VmSpace;
  readonly #events: MmEvents;
  readonly #zeroed: FrameAllocOptions;
  readonly #raw: FrameAllocOptions;
  /** The areas, sorted by address, never overlapping. */
  #vmas: Vma[] = [];
  /** Where the heap starts (the end of the program's segments). */
  brkStart = 0;
  #brk = 0;
  /** Set when a fault found physical memory exhausted: the kernel kills the process. */
  outOfMemory = false;
  #disposed = false;

  /** An empty address space in `memory`. @throws {VmError} `NoMemory` when RAM has no frame for the page table. */
  constructor(memory: PhysicalMemory, events: MmEvents) {
    this.memory = memory;
    this.#events = events;
    this.space = new VmSpace(memory);
    this.#zeroed = new FrameAllocOptions(memory);
    this.#raw = new FrameAllocOptions(memory).zeroed(false);
    this.space.setPageFaultHandler((f) => this.#fault(f.address, f.write ? "store" : f.execute ? "fetch" : "load"));
  }

  /** The current program break. */
  get brk(): number {
    return this.#brk;
  }

  /** Sets where the heap starts (at `execve`). */
  initBrk(start: number): void {
    this.brkStart = start;
    this.#brk = start;
  }

  /** The areas, in address order (a snapshot). */
  areas(): AreaInfo[] {
    return this.#vmas.map((v) => ({ start: v.start, end: v.end, prot: v.prot, shared: v.shared, name: v.name, kind: v.backing.kind }));
  }

  /** The area holding `addr`, if any. */
  find(addr: number): Vma | undefined {
    const i = this.#indexAfter(addr);
    const v = this.#vmas[i];
    return v !== undefined && v.start <= addr ? v : undefined;
  }

  /** Index of the first area ending after `addr`. */
  #indexAfter(addr: number): number {
    let lo = 0;
    let hi = this.#vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#vmas[mid] as Vma).end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether no area overlaps `[start, end)`. */
  isFree(start: number, end: number): boolean {
    const v = this.#vmas[this.#indexAfter(start)];
    return v === undefined || v.start >= end;
  }

  /**
   * A free range of `len` bytes (page-aligned): at `hint` if that is free,
   * else the highest gap below the `mmap` base (Linux's top-down allocator).
   *
   * @throws {SysError} `ENOMEM` when no gap is big enough.
   */
  findFree(len: number, hint = 0): number {
    if (hint !== 0) {
      const start = pageDown(hint);
      if (start >= MMAP_MIN_ADDR && start + len <= TASK_SIZE && this.isFree(start, start + len)) return start;
    }
    let top = MMAP_BASE;
    for (let i = this.#vmas.length - 1; i >= 0; i--) {
      const v = this.#vmas[i] as Vma;
      if (v.start >= top) continue;
      if (v.end <= top - len) break;
      top = v.start;
    }
    if (top - len >= MMAP_MIN_ADDR) return top - len;
    return fail(Errno.ENOMEM, "no room for the mapping");
  }

  /**
   * Makes the area `[start, start + len)` (page-aligned, free: unmap first
   * for `MAP_FIXED`) with protection `prot`, backed by `backing`. No page is
   * mapped until touched.
   */
  map(start: number, len: number, prot: number, backing: VmaBacking, opts: MapOptions = {}): void {
    if (!isPageAligned(start) || !isPageAligned(len) || len === 0 || start + len > TASK_SIZE) throw new RangeError("AddressSpace.map: bad range");
    if (!this.isFree(start, start + len)) throw new RangeError("AddressSpace.map: the range is not free");
    const vma = new Vma(start, start + len, prot, opts.shared === true, backing, opts.name ?? "", opts.growsDown === true);
    if (backing.kind === "shared") backing.object.ref();
    this.#insert(vma);
  }

  /**
   * Removes every area and page in `[start, end)` (page-aligned); holes are fine.
   * Linux counterpart: `do_vmi_munmap`.
   */
  unmap(start: number, end: number): void {
    if (start >= end) return;
    this.#split(start);
    this.#split(end);
    const first = this.#indexAfter(start);
    let last = first;
    while (last < this.#vmas.length && (this.#vmas[last] as Vma).start < end) last++;
    if (last === first) return;
    {
      // The pages first: an unmap that must copy a leaf node shared with
      // another process (fork) and finds no memory changes nothing.
      using c = this.space.cursorMut({ start, end });
      c.unmap(end - start);
    }
    const removed = this.#vmas.splice(first, last - first);
    for (const v of removed) v.release();
    this.#events.codeChanged(start, end);
  }

  /**
   * Drops the pages of `[start, end)` but keeps the areas: the next touch
   * gets fresh pages (zeros, or the file's bytes). Shared areas keep their
   * pages. Linux counterpart: `madvise(MADV_DONTNEED)`.
   */
  discard(start: number, end: number): void {
    for (let i = this.#indexAfter(start); i < this.#vmas.length; i++) {
      const v = this.#vmas[i] as Vma;
      if (v.start >= end) break;
      if (v.shared) continue;
      const s = Math.max(start, v.start);
      const e = Math.min(end, v.end);
      using c = this.space.cursorMut({ start: s, end: e });
      c.unmap(e - s);
    }
  }

  /**
   * Changes the protection of `[start, end)` to `prot`. The whole range
   * must be mapped. Private pages keep copy-on-write: a page gains write
   * permission only at its next write fault.
   *
   * Linux counterpart: `do_mprotect_pkey`.
   *
   * @throws {SysError} `ENOMEM` when part of the range is not mapped (nothing changes).
   */
  protect(start: number, end: number, prot: number): void {
    if (start >= end) return;
    // Check first: the range must be covered without holes.
    let at = start;
    for (let i = this.#indexAfter(start); at < end; i++) {
      const v = this.#vmas[i];
      if (v === undefined || v.start > at) fail(Errno.ENOMEM, "mprotect over unmapped memory");
      at = v.end;
    }
    this.#split(start);
    this.#split(end);
    for (let i = this.#indexAfter(start); i < this.#vmas.length; i++) {
      const v = this.#vmas[i] as Vma;
      if (v.start >= end) break;
      v.prot = prot;
      const flags = flagsFor(prot);
      using c = this.space.cursorMut({ start: v.start, end: v.end });
      while (c.virtAddr() < v.end) {
        const r = c.protectNext(v.end - c.virtAddr(), (p) => {
          const keepReadOnly = !v.shared && (p.flags & PageFlags.W) === 0;
          p.flags = (keepReadOnly ? flags & ~PageFlags.W : flags) | (p.flags & (PageFlags.ACCESSED | PageFlags.DIRTY));
        });
        if (r === undefined || r.end >= v.end) break;
      }
    }
    this.#mergeAround(start, end);
    this.#events.codeChanged(start, end);
  }

  /**
   * Resizes (and with `MREMAP_MAYMOVE` maybe moves) the mapping at
   * `oldStart`; returns its new address. Pages move with their frames (no
   * copy).
   *
   * Linux counterpart: `mremap`.
   *
   * @throws {SysError} `EINVAL` (bad flags or alignment), `EFAULT` (the old
   *   range is not one area), `ENOMEM` (cannot grow in place and may not move).
   */
  remap(oldStart: number, oldLen: number, newLen: number, flags: number, newAddr: number): number {
    if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) !== 0) fail(Errno.EINVAL, "unsupported mremap flags");
    if ((flags & MREMAP_FIXED) !== 0 && (flags & MREMAP_MAYMOVE) === 0) fail(Errno.EINVAL, "MREMAP_FIXED without MREMAP_MAYMOVE");
    if (!isPageAligned(oldStart)) fail(Errno.EINVAL, "unaligned address");
    oldLen = pageUp(oldLen);
    newLen = pageUp(newLen);
    if (newLen === 0) fail(Errno.EINVAL, "new length 0");
    const vma = this.find(oldStart);
    if (vma === undefined || oldStart + oldLen > vma.end) fail(Errno.EFAULT, "the old range is not one mapping");
    if (oldLen === 0) fail(Errno.EINVAL, "old length 0 (duplicating a shared mapping is not supported)");
    if ((flags & MREMAP_FIXED) !== 0) {
      if (!isPageAligned(newAddr) || newAddr + newLen > TASK_SIZE) fail(Errno.EINVAL, "bad new address");
      if (newAddr < oldStart + oldLen && oldStart < newAddr + newLen) fail(Errno.EINVAL, "overlapping ranges");
      this.unmap(newAddr, newAddr + newLen);
      return this.#move(vma, oldStart, oldLen, newAddr, newLen);
    }
    if (newLen <= oldLen) {
      this.unmap(oldStart + newLen, oldStart + oldLen);
      return oldStart;
    }
    const oldEnd = oldStart + oldLen;
    if (oldEnd === vma.end && oldStart + newLen <= TASK_SIZE && this.isFree(oldEnd, oldStart + newLen)) {
      vma.end = oldStart + newLen;
      this.#mergeAround(vma.start, vma.end);
      return oldStart;
    }
    if ((flags & MREMAP_MAYMOVE) === 0) fail(Errno.ENOMEM, "cannot grow in place");
    const dest = this.findFree(newLen);
    return this.#move(vma, oldStart, oldLen, dest, newLen);
  }

  /** Moves `[oldStart, oldStart + oldLen)` of `vma` to a free `[dest, dest + newLen)`. */
  #move(vma: Vma, oldStart: number, oldLen: number, dest: number, newLen: number): number {
    const moved = new Vma(dest, dest + newLen, vma.prot, vma.shared, vma.backingFrom(oldStart), vma.name, vma.growsDown);
    if (moved.backing.kind === "shared") moved.backing.object.ref();
    const span = Math.min(oldLen, newLen);
    // Map the frames at their new place first (the mappings keep them alive), then drop the old range.
    using from = this.space.cursorMut({ start: oldStart, end: oldStart + span });
    using to = this.space.cursorMut({ start: dest, end: dest + span });
    this.#forEachMapped(from, oldStart + span, (va, frame, prop) => {
      to.jump(dest + (va - oldStart));
      to.map(frame, prop);
    });
    this.#insert(moved);
    this.unmap(oldStart, oldStart + oldLen);
    return dest;
  }

  /**
   * Sets the program break to `addr` (`brk`): grows or shrinks the heap
   * area; returns the new break, or the old one when it cannot move there.
   *
   * Linux counterpart: `sys_brk`.
   */
  setBrk(addr: number): number {
    const old = this.#brk;
    if (addr < this.brkStart || addr > TASK_SIZE) return old;
    const oldEnd = pageUp(old);
    const newEnd = pageUp(addr);
    if (newEnd > oldEnd) {
      if (!this.isFree(oldEnd, newEnd + PAGE_SIZE)) return old;
      const heap = oldEnd > this.brkStart ? this.find(oldEnd - 1) : undefined;
      if (heap !== undefined && heap.name === "[heap]" && heap.end === oldEnd) {
        heap.end = newEnd;
      } else this.map(oldEnd, newEnd - oldEnd, PROT_READ | PROT_WRITE, { kind: "anon" }, { name: "[heap]" });
    } else if (newEnd < oldEnd) this.unmap(newEnd, oldEnd);
    this.#brk = addr;
    return addr;
  }

  /**
   * A copy-on-write copy of this space (`fork`): the same areas; every
   * mapped page mapped to the same frame in the child; private pages lose
   * write permission in both, shared pages keep it.
   *
   * Linux counterpart: `dup_mmap` / `copy_page_range`.
   *
   * `events` is the child's observer.
   *
   * @throws {VmError} `NoMemory` when the child's page table cannot be built (the child is freed).
   */
  fork(events: MmEvents): AddressSpace {
    const child = new AddressSpace(this.memory, events);
    try {
      child.brkStart = this.brkStart;
      child.#brk = this.#brk;
      for (const v of this.#vmas) {
        child.#vmas.push(v.slice(v.start, v.end));
        const cow = !v.shared && (v.prot & PROT_WRITE) !== 0;
        using from = this.space.cursorMut({ start: v.start, end: v.end });
        using to = child.space.cursorMut({ start: v.start, end: v.end });
        // One walk: private pages lose W in both, the child maps the same frames.
        // Leaf nodes wholly inside the area are shared, not copied (a 64 MiB
        // heap: ~31 nodes linked, no frame reference taken): the child's or
        // the parent's first change to one — the write fault's CursorMut
        // query included — gives it its own copy.
        to.copyFrom(
          from,
          v.end - v.start,
          (p) => {
            if (cow) p.flags &= ~PageFlags.W;
          },
          { shareNodes: true },
        );
      }
    } catch (e) {
      child.dispose();
      throw e;
    }
    return child;
  }

  /** Unmaps everything and frees the page table. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.space.dispose();
    for (const v of this.#vmas) v.release();
    this.#vmas = [];
  }

  /** Whether {@link AddressSpace.dispose} ran. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Calls `f` for each mapped page of the cursor's range from its position to `end`. */
  #forEachMapped(c: ReturnType<VmSpace["cursorMut"]>, end: number, f: (va: number, frame: UFrame, prop: PageProperty) => void): void {
    while (c.virtAddr() < end) {
      const va = c.findNext(end - c.virtAddr());
      if (va === undefined) return;
      const item = c.query().item as { frame: UFrame; prop: PageProperty };
      try {
        f(va, item.frame, item.prop);
      } finally {
        item.frame.dispose();
      }
      if (va + PAGE_SIZE >= end) return;
      c.jump(va + PAGE_SIZE);
    }
  }

  /** Splits the area strictly containing `addr` (page-aligned) in two at `addr`. */
  #split(addr: number): void {
    const i = this.#indexAfter(addr);
    const v = this.#vmas[i];
    if (v === undefined || v.start >= addr) return;
    const tail = v.slice(addr, v.end);
    v.end = addr;
    this.#vmas.splice(i + 1, 0, tail);
  }

  /** Inserts a new area and merges it with compatible neighbours. */
  #insert(vma: Vma): void {
    this.#vmas.splice(this.#indexAfter(vma.start), 0, vma);
    this.#mergeAround(vma.start, vma.end);
  }

  /** Merges compatible neighbouring areas around `[start, end)`. */
  #mergeAround(start: number, end: number): void {
    let i = Math.max(0, this.#indexAfter(start) - 1);
    while (i + 1 < this.#vmas.length) {
      const a = this.#vmas[i] as Vma;
      const b = this.#vmas[i + 1] as Vma;
      if (a.start > end) break;
      if (a.continuesWith(b)) {
        a.end = b.end;
        b.release();
        this.#vmas.splice(i + 1, 1);
      } else i++;
    }
  }

  /** The stack area a fault at `addr` may grow (a grows-down area just above, within the stack limit and the guard gap). */
  #growStack(addr: number): Vma | undefined {
    const i = this.#indexAfter(addr);
    const stack = this.#vmas[i];
    if (stack === undefined || !stack.growsDown || stack.start <= addr) return undefined;
    const page = pageDown(addr);
    if (stack.end - page > STACK_LIMIT || stack.end > STACK_TOP) return undefined;
    const below = this.#vmas[i - 1];
    if (below !== undefined && below.end + STACK_GUARD_GAP > page) return undefined;
    if (stack.backing.kind !== "anon") return undefined;
    stack.start = page;
    return stack;
  }

  /**
   * Resolves a fault at `addr` reported from elsewhere (a CPU worker, whose
   * view of the space has no handler): true when the page is now mapped
   * with the access allowed and the instruction can be retried.
   */
  resolveFault(addr: number, access: FaultAccess): boolean {
    return this.#fault(addr, access);
  }

  /**
   * The page-fault handler vmio calls for this space: true when the page
   * is now mapped with the access allowed (vmio retries the access).
   */
  #fault(addr: number, access: FaultAccess): boolean {
    const write = access === "store";
    const execute = access === "fetch";
    let vma = this.find(addr);
    let grew = false;
    if (vma === undefined) {
      vma = this.#growStack(addr);
      grew = vma !== undefined;
    }
    // As RISC-V Linux's access_error(): a store needs a writable area, a
    // fetch an executable one; a load any accessible area (here every
    // accessible page is readable, see flagsFor). Checked before anything is
    // mapped, so a fetch from data maps no page on its way to SIGSEGV.
    const need = write ? PROT_WRITE : execute ? PROT_EXEC : PROT_READ | PROT_EXEC | PROT_WRITE;
    if (vma === undefined || (vma.prot & need) === 0) {
      this.#events.fault({ address: addr, write, execute, resolution: "fatal", stackGrowth: false });
      return false;
    }
    const page = pageDown(addr);
    let resolution: FaultResolution;
    try {
      resolution = this.#resolve(vma, page, write);
    } catch (e) {
      if (!(e instanceof VmError) || e.code !== "NoMemory") throw e;
      this.outOfMemory = true;
      resolution = "oom";
    }
    this.#events.fault({ address: addr, write, execute, resolution, stackGrowth: grew });
    return resolution !== "oom";
  }

  /** Makes page `page` of `vma` present and allowing the access; returns how. @throws {VmError} `NoMemory`. */
  #resolve(vma: Vma, page: number, write: boolean): FaultResolution {
    using c = this.space.cursorMut({ start: page, end: page + PAGE_SIZE });
    const item = c.query().item;
    const flags = flagsFor(vma.prot);
    if (item === undefined) {
      const b = vma.backing;
      if (b.kind === "shared") {
        c.map(b.object.page(b.pgoff + (page - vma.start) / PAGE_SIZE), PageProperty.newUser(flags, CachePolicy.Writeback));
        return "shared";
      }
      if (b.kind === "anon" && !write) {
        // A read of memory never written: the shared zero page, read-only.
        c.map(zeroPage(this.memory), PageProperty.newUser(flags & ~PageFlags.W, CachePolicy.Writeback));
        return "zero-page";
      }
      const frame = this.#zeroed.allocFrame();
      try {
        if (b.kind === "file") {
          const from = b.offset + (page - vma.start);
          if (from < b.limit) frame.writeBytes(0, b.data.subarray(from, Math.min(from + PAGE_SIZE, b.limit)));
        }
        c.map(frame, PageProperty.newUser(flags, CachePolicy.Writeback));
      } finally {
        frame.dispose();
      }
      return b.kind === "file" ? "file" : "demand-zero";
    }
    const { frame, prop } = item;
    try {
      if (!write || (prop.flags & PageFlags.W) !== 0) {
        // Mapped, and the area allows the access, but the entry does not (yet): make it.
        c.protectNext(PAGE_SIZE, (p) => {
          p.flags = (p.flags & (PageFlags.W | PageFlags.ACCESSED | PageFlags.DIRTY)) | (flags & ~PageFlags.W);
        });
        return "spurious";
      }
      // A write to a page without W in a writable area: copy-on-write. When the
      // mapping and our handle are the only references, no one else sees the frame.
      if (vma.shared || frame.referenceCount() <= 2) {
        c.protectNext(PAGE_SIZE, (p) => {
          p.flags |= PageFlags.W;
        });
        return "cow-reuse";
      }
      const fromZero = isZeroPage(this.memory, frame);
      const copy = fromZero ? this.#zeroed.allocFrame() : this.#raw.allocFrame();
      try {
        if (!fromZero) frame.read(0, copy.writer());
        c.unmap(PAGE_SIZE);
        c.jump(page);
        c.map(copy, PageProperty.newUser(flags, prop.cache));
      } finally {
        copy.dispose();
      }
      return fromZero ? "demand-zero" : "cow-copy";
    } finally {
      frame.dispose();
    }
  }
}
