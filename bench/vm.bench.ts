/**
 * User-space benchmarks: copies through page tables (contiguous and
 * scattered frames), small copies, random scalar reads on TLB hits,
 * map/unmap rates, and the cost of a TLB miss.
 *
 * @module
 */

import { CachePolicy, FrameAllocOptions, PAGE_SIZE, PageFlags, PageProperty, PhysicalMemory, VmReader, VmSpace, VmWriter, u32, type UFrame } from "vmio";
import { ramOf } from "../src/frame/physical-memory.js";
import { spaceStateOf } from "../src/vm/vm-space.js";
import type { BenchCase, Body } from "./harness.js";
import v8 from "node:v8";

/** `count` random u32-aligned offsets below `pages` pages (a fixed LCG: the same every run). */
function randomOffsets(count: number, pages: number): Float64Array {
  const offsets = new Float64Array(count);
  let seed = 12345;
  for (let i = 0; i < count; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const page = seed % pages;
    seed = (seed * 1103515245 + 12345) >>> 0;
    offsets[i] = page * PAGE_SIZE + (seed % 1024) * 4;
  }
  return offsets;
}

/**
 * A space with `pages` virtual pages at BASE mapped onto `frames` frames
 * cyclically (so a working set of 256 Ki pages needs no 1 GiB of RAM: the
 * translation work — TLB misses, walks — is that of `pages` pages).
 */
function aliasedSpace(pages: number, frameCount: number): { space: VmSpace; mem: PhysicalMemory } {
  const mem = new PhysicalMemory({ size: (frameCount + 64 + Math.ceil(pages / 256)) * PAGE_SIZE * 2 });
  const fs = frames(mem, frameCount, true);
  for (const [i, f] of fs.entries()) f.writeVal(0, u32, i);
  const space = new VmSpace(mem);
  const cursor = space.cursorMut({ start: BASE, end: BASE + pages * PAGE_SIZE });
  for (let i = 0; i < pages; i++) cursor.map(fs[i % frameCount] as UFrame, RW);
  cursor.dispose();
  for (const f of fs) f.dispose();
  space.activate();
  return { space, mem };
}

/**
 * Random `VmSpace.readVal(u32)` (or `Mmu.load32`) over a working set of
 * `pages` pages, against `DataView.getUint32` at random offsets of one
 * buffer as large. A sweep point (sweep.bench.ts) has no target, its own
 * id and group, and fewer samples.
 */
export function randomWorkingSet(pages: number, target: number | undefined, mmu: boolean, sweep = false): BenchCase {
  const label = pages >= 1024 ? `${pages / 1024}ki` : `${pages}`;
  const what = mmu ? "Mmu.load32" : "VmSpace.readVal(u32)";
  return {
    id: sweep ? `sweep-readval-random-${label}` : `${mmu ? "mmu-load32" : "user-readval"}-random-${label}`,
    group: sweep ? "sweep" : "vm",
    title: `${sweep ? "sweep: " : ""}random ${what}, working set ${label} page${pages === 1 ? "" : "s"}${pages > 1024 ? " (past the TLB's reach: walks)" : ""}`,
    limitLabel: "DataView.getUint32 at random offsets of a buffer of the working set's size (capped at 64 MiB)",
    ...(target === undefined ? {} : { target }),
    ops: sweep ? 1 << 18 : 1 << 20,
    unit: "value",
    ...(sweep ? { warmup: 2, samples: 5 } : {}),
    setup() {
      const { space } = aliasedSpace(pages, Math.min(pages, 1024));
      const K = 1 << 16;
      const offsets = randomOffsets(K, pages);
      const limitPages = Math.min(pages, 16384);
      const dv = new DataView(new ArrayBuffer(limitPages * PAGE_SIZE));
      const limitOffsets = randomOffsets(K, limitPages);
      const T = u32;
      const m = space.mmu();
      return {
        limit: (n) => {
          let s = 0;
          for (let i = 0; i < n; i++) s += dv.getUint32(limitOffsets[i & (K - 1)] as number, true);
          return s;
        },
        vmio: mmu
          ? (n) => {
              let s = 0;
              for (let i = 0; i < n; i++) s += m.load32(BASE + (offsets[i & (K - 1)] as number));
              return s;
            }
          : (n) => {
              let s = 0;
              for (let i = 0; i < n; i++) s += space.readVal(BASE + (offsets[i & (K - 1)] as number), T);
              return s;
            },
        teardown: () => space.dispose(),
      };
    },
  };
}

/**
 * Random `VmSpace.writeVal(u32)` over a working set of `pages` pages (the
 * random-read rows' addresses, space and targets), against
 * `DataView.setUint32` at random offsets of one buffer as large.
 */
export function randomWriteSet(pages: number, target: number): BenchCase {
  const label = pages >= 1024 ? `${pages / 1024}ki` : `${pages}`;
  return {
    id: `user-writeval-random-${label}`,
    group: "vm",
    title: `random VmSpace.writeVal(u32), working set ${label} pages${pages > 1024 ? " (past the TLB's reach: walks)" : ""}`,
    limitLabel: "DataView.setUint32 at random offsets of a buffer of the working set's size (capped at 64 MiB)",
    target,
    ops: 1 << 20,
    unit: "value",
    setup() {
      // The loop written here, as randomWorkingSet's: the space a constant of the loop's closure, not a parameter.
      const { space } = aliasedSpace(pages, Math.min(pages, 1024));
      const K = 1 << 16;
      const offsets = randomOffsets(K, pages);
      const T = u32;
      return {
        ...randomStoreLimit(pages),
        vmio: (n) => {
          for (let i = 0; i < n; i++) space.writeVal(BASE + (offsets[i & (K - 1)] as number), T, i);
          return n;
        },
        teardown: () => space.dispose(),
      };
    },
  };
}

/** The random-write rows' limit: `DataView.setUint32` of the loop counter at random offsets of a buffer of `pages` pages (capped at 16 Ki). */
function randomStoreLimit(pages: number): { limit: Body } {
  const K = 1 << 16;
  const limitPages = Math.min(pages, 16384);
  const dv = new DataView(new ArrayBuffer(limitPages * PAGE_SIZE));
  const limitOffsets = randomOffsets(K, limitPages);
  return {
    limit: (n) => {
      for (let i = 0; i < n; i++) dv.setUint32(limitOffsets[i & (K - 1)] as number, i, true);
      return n;
    },
  };
}

/**
 * The two sides of a floor's random-read case: `load32` at the row's
 * random user addresses over `pages` pages, against the row's limit.
 */
function randomReads(pages: number, load32: (va: number) => number): { limit: Body; vmio: Body } {
  const K = 1 << 16;
  const offsets = randomOffsets(K, pages);
  const limitPages = Math.min(pages, 16384);
  const dv = new DataView(new ArrayBuffer(limitPages * PAGE_SIZE));
  const limitOffsets = randomOffsets(K, limitPages);
  return {
    limit: (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += dv.getUint32(limitOffsets[i & (K - 1)] as number, true);
      return s;
    },
    vmio: (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += load32(BASE + (offsets[i & (K - 1)] as number));
      return s;
    },
  };
}

/**
 * The floors' hand-written walker over x86-64 entries in `u32a` (RAM as
 * words) from root node `root`: a direct-mapped TLB of 1024 (tag, delta)
 * pairs, a page-walk cache of 1024 leaf nodes and a 4-level walk (present
 * and user bits checked, ACCESSED set); returns its `load32(va)`.
 */
export function handWalker(u32a: Uint32Array, root: number): (va: number) => number {
  const P = 1;
  const US = 4;
  const A = 0x20;
  const ram = new DataView(u32a.buffer, u32a.byteOffset, u32a.byteLength);
  const entry = (node: number, index: number): number => node * 1024 + index * 2;
  const tags = new Float64Array(1024).fill(-1);
  const deltas = new Float64Array(1024);
  const walkTags = new Float64Array(1024).fill(-1);
  const walkNodes = new Float64Array(1024);
  const fault = (va: number): never => {
    throw new Error(`page fault at ${va}`);
  };
  const leaf = (vpn: number): number => {
    const index = vpn & 511;
    const s = (vpn >>> 9) & 1023;
    if (walkTags[s] === vpn - index) return (walkNodes[s] as number) + index * 2;
    let i = entry(root, Math.floor(vpn / 2 ** 27) & 511);
    let lo = u32a[i] as number;
    if ((lo & P) === 0) return -1;
    i = ((lo >>> 12) + ((u32a[i + 1] as number) & 0xf_ffff) * 0x10_0000) * 1024 + ((vpn >>> 18) & 511) * 2;
    lo = u32a[i] as number;
    if ((lo & P) === 0) return -1;
    i = ((lo >>> 12) + ((u32a[i + 1] as number) & 0xf_ffff) * 0x10_0000) * 1024 + ((vpn >>> 9) & 511) * 2;
    lo = u32a[i] as number;
    if ((lo & P) === 0) return -1;
    const node = ((lo >>> 12) + ((u32a[i + 1] as number) & 0xf_ffff) * 0x10_0000) * 1024;
    walkTags[s] = vpn - index;
    walkNodes[s] = node;
    return node + index * 2;
  };
  const miss = (va: number): number => {
    const off = va & (PAGE_SIZE - 1);
    const vpn = (va - off) / PAGE_SIZE;
    const i = leaf(vpn);
    if (i < 0) return fault(va);
    const lo = u32a[i] as number;
    if ((lo & (P | US)) !== (P | US)) return fault(va);
    if ((lo & A) === 0) u32a[i] = lo | A;
    const paddr = ((lo >>> 12) + ((u32a[i + 1] as number) & 0xf_ffff) * 0x10_0000) * PAGE_SIZE;
    const s = vpn & 1023;
    tags[s] = va - off;
    deltas[s] = paddr - (va - off);
    return ram.getUint32(paddr + off, true);
  };
  const load32 = (va: number): number => {
    const off = va & (PAGE_SIZE - 1);
    const s = (va >>> 12) & 1023;
    return off <= PAGE_SIZE - 4 && tags[s] === va - off ? ram.getUint32((deltas[s] as number) + va, true) : miss(va);
  };
  return load32;
}

/**
 * The floor of a random read past the TLB's reach: the best hand-written
 * plain JS doing the same job under the same rules — a direct-mapped
 * software TLB of the same size as vmio's (1024 pages) in front of a
 * page-walk cache of the same size (leaf node per 2 MiB) and a 4-level walk
 * of x86-64 entries (present and user bits checked, ACCESSED set, 52-bit
 * frame numbers from both halves) over a `Uint32Array` as large as the
 * case's RAM, with the same pages aliased onto as many frames. Its "vmio"
 * side is that hand-written walk, its limit the row's own limit; the
 * random-read rows' shortfall past the TLB is this floor's (cache misses on
 * the leaf entries and a data-dependent load after them), not vmio's.
 */
export function walkFloor(pages: number): BenchCase {
  const label = pages >= 1024 ? `${pages / 1024}ki` : `${pages}`;
  return {
    id: `walk-floor-${label}`,
    group: "vm",
    title: `floor of random reads past the TLB's reach, working set ${label} pages: hand-written software TLB (1024 pages) + page-walk cache + 4-level walk in plain JS, same PTE format`,
    limitLabel: "DataView.getUint32 at random offsets of a buffer of the working set's size (capped at 64 MiB)",
    ops: 1 << 20,
    unit: "value",
    setup() {
      const frameCount = Math.min(pages, 1024);
      // The same RAM size as aliasedSpace's; data frames first, then the nodes.
      const u32a = new Uint32Array(((frameCount + 64 + Math.ceil(pages / 256)) * PAGE_SIZE * 2) / 4);
      const P = 1;
      const RW_BITS = 2;
      const US = 4;
      let nextFrame = frameCount + 1;
      const root = nextFrame++;
      const entry = (node: number, index: number): number => node * 1024 + index * 2;
      const child = (i: number): number => {
        const lo = u32a[i] as number;
        if ((lo & P) !== 0) return (lo >>> 12) + ((u32a[i + 1] as number) & 0xf_ffff) * 0x10_0000;
        const node = nextFrame++;
        u32a[i] = (node * PAGE_SIZE) | P | RW_BITS | US;
        return node;
      };
      for (let k = 0; k < pages; k++) {
        const vpn = BASE / PAGE_SIZE + k;
        const l3 = child(entry(root, Math.floor(vpn / 2 ** 27) & 511));
        const l2 = child(entry(l3, (vpn >>> 18) & 511));
        const l1 = child(entry(l2, (vpn >>> 9) & 511));
        u32a[entry(l1, vpn & 511)] = ((1 + (k % frameCount)) * PAGE_SIZE) | P | RW_BITS | US;
      }
      return randomReads(pages, handWalker(u32a, root));
    },
  };
}

/**
 * The floor's hand-written walker run over vmio's own RAM and page table
 * (the space of the `user-readval-random-*` rows, same frames, same nodes):
 * what the floor costs on vmio's memory layout, to tell the layout's share
 * of the rows' gap from the code's.
 */
export function walkFloorOnVmRam(pages: number): BenchCase {
  const label = pages >= 1024 ? `${pages / 1024}ki` : `${pages}`;
  return {
    id: `walk-floor-vmram-${label}`,
    group: "vm",
    title: `the floor's hand-written walker over vmio's RAM and page table, working set ${label} pages`,
    limitLabel: "DataView.getUint32 at random offsets of a buffer of the working set's size (capped at 64 MiB)",
    ops: 1 << 20,
    unit: "value",
    setup() {
      const { space, mem } = aliasedSpace(pages, Math.min(pages, 1024));
      return { ...randomReads(pages, handWalker(ramOf(mem).u32, spaceStateOf(space).table.root)), teardown: () => space.dispose() };
    },
  };
}

/**
 * {@link handWalker} with a TLB that does the whole job of vmio's: one slot
 * per page holding a read tag, a write tag (set only once the entry's DIRTY
 * bit is, so that the first write walks and sets it), an execute tag and
 * the delta — 32 bytes a slot, as `Tlb.entries` — where `handWalker`'s TLB
 * knows reads only (a tag and a delta in two arrays, 16 bytes a page). A
 * TLB that serves writes with dirty tracking and instruction fetches needs
 * the other two tags; this floor is `handWalker` paying for them.
 */
export function handWalkerFullTlb(u32a: Uint32Array, root: number): (va: number) => number {
  const P = 1;
  const RW_BIT = 2;
  const US = 4;
  const A = 0x20;
  const D = 0x40;
  const ram = new DataView(u32a.buffer, u32a.byteOffset, u32a.byteLength);
  const frameOf = (i: number, lo: number): number => (lo >>> 12) + ((u32a[i + 1] as number) & 0xf_ffff) * 0x10_0000;
  const slots = new Float64Array(1024 * 4).fill(-1);
  const walkTags = new Float64Array(1024).fill(-1);
  const walkNodes = new Float64Array(1024);
  const fault = (va: number): never => {
    throw new Error(`page fault at ${va}`);
  };
  const leaf = (vpn: number): number => {
    const index = vpn & 511;
    const s = (vpn >>> 9) & 1023;
    if (walkTags[s] === vpn - index) return (walkNodes[s] as number) + index * 2;
    let i = root * 1024 + (Math.floor(vpn / 2 ** 27) & 511) * 2;
    let lo = u32a[i] as number;
    if ((lo & P) === 0) return -1;
    i = frameOf(i, lo) * 1024 + ((vpn >>> 18) & 511) * 2;
    lo = u32a[i] as number;
    if ((lo & P) === 0) return -1;
    i = frameOf(i, lo) * 1024 + ((vpn >>> 9) & 511) * 2;
    lo = u32a[i] as number;
    if ((lo & P) === 0) return -1;
    const node = frameOf(i, lo) * 1024;
    walkTags[s] = vpn - index;
    walkNodes[s] = node;
    return node + index * 2;
  };
  const miss = (va: number): number => {
    const off = va & (PAGE_SIZE - 1);
    const base = va - off;
    const vpn = base / PAGE_SIZE;
    const i = leaf(vpn);
    if (i < 0) return fault(va);
    const lo = u32a[i] as number;
    if ((lo & (P | US)) !== (P | US)) return fault(va);
    if ((lo & A) === 0) u32a[i] = lo | A;
    const paddr = frameOf(i, lo) * PAGE_SIZE;
    const k = (vpn & 1023) * 4;
    slots[k] = base;
    slots[k + 1] = (lo & (RW_BIT | D)) === (RW_BIT | D) ? base : -1;
    slots[k + 2] = -1; // no execute bit test here: x86's NX lives in the high word; a fetch would walk for it
    slots[k + 3] = paddr - base;
    return ram.getUint32(paddr + off, true);
  };
  return (va: number): number => {
    const off = va & (PAGE_SIZE - 1);
    const k = (va >>> 10) & 0xffc;
    return off <= PAGE_SIZE - 4 && slots[k] === va - off ? ram.getUint32((slots[k + 3] as number) + va, true) : miss(va);
  };
}

/**
 * The honest floor of the random-read rows past the TLB's reach:
 * {@link handWalkerFullTlb} (a TLB that serves reads, writes with dirty
 * tracking and fetches, as vmio's must) over vmio's own RAM and page table.
 */
export function walkFloorFullTlb(pages: number): BenchCase {
  const label = pages >= 1024 ? `${pages / 1024}ki` : `${pages}`;
  return {
    id: `walk-floor-fulltlb-${label}`,
    group: "vm",
    title: `floor of random reads past the TLB's reach, working set ${label} pages, with a TLB doing vmio's job: hand-written walker whose TLB slot holds read, write (once DIRTY) and execute tags + delta (32 B a slot, as vmio's), over vmio's RAM and table`,
    limitLabel: "DataView.getUint32 at random offsets of a buffer of the working set's size (capped at 64 MiB)",
    ops: 1 << 20,
    unit: "value",
    setup() {
      const { space, mem } = aliasedSpace(pages, Math.min(pages, 1024));
      return { ...randomReads(pages, handWalkerFullTlb(ramOf(mem).u32, spaceStateOf(space).table.root)), teardown: () => space.dispose() };
    },
  };
}

/**
 * {@link handWalkerFullTlb} with what a space object's API must also do,
 * written as `VmSpace.readVal` must be: the TLB and the walk cache held by
 * one of several space objects (fields, not closure constants), the
 * space's "active" flag checked on every read (a mutable field: activating
 * another space clears it), TLB hits and misses counted (the statistics
 * `VmSpace.mmu().stats` reports), the hit and the common miss (walk-cache
 * hit, leaf entry with nothing to set) inline, and the rest — a walk from
 * the root, the ACCESSED bit, a fault — in an out-of-line method whose
 * result merges with the inline one's, as `#readMissed`'s does. No vmio code.
 */
export class HandSpaceWalker {
  readonly slots = new Float64Array(1024 * 4).fill(-1);
  readonly walkTags = new Float64Array(1024).fill(-1);
  readonly walkNodes = new Float64Array(1024);
  readonly u32: Uint32Array;
  readonly ram: DataView;
  readonly root: number;
  active = true;
  hits = 0;
  misses = 0;

  constructor(u32a: Uint32Array, root: number) {
    this.u32 = u32a;
    this.ram = new DataView(u32a.buffer, u32a.byteOffset, u32a.byteLength);
    this.root = root;
  }

  load32(va: number): number {
    // x86-64: present, user, accessed (a read with nothing to set); writable and dirty (a write may be cached).
    if (this.active === true) {
      const off = va & (PAGE_SIZE - 1);
      const base = va - off;
      const k = (va >>> 10) & 0xffc;
      const slots = this.slots;
      if (off <= PAGE_SIZE - 4) {
        if (slots[k] === base) {
          const p = (slots[k + 3] as number) + va;
          this.hits++;
          return this.ram.getUint32(p, true);
        }
        const vpn = base / PAGE_SIZE;
        const index = vpn & 511;
        const s = (vpn >>> 9) & 1023;
        if (this.walkTags[s] === vpn - index) {
          const u32a = this.u32;
          const i = (this.walkNodes[s] as number) + index * 2;
          const lo = u32a[i] as number;
          if ((lo & 0x25) === 0x25) {
            this.misses++;
            const paddr = ((lo >>> 12) + ((u32a[i + 1] as number) & 0xf_ffff) * 0x10_0000) * PAGE_SIZE;
            const j = (vpn & 1023) * 4;
            slots[j] = base;
            slots[j + 1] = (lo & 0x42) === 0x42 ? base : -1;
            slots[j + 2] = -1;
            slots[j + 3] = paddr - base;
            return this.ram.getUint32(paddr + off, true);
          }
        }
      }
    }
    return this.missed(va);
  }

  /** The rest: refused when not active, a walk from the root (its leaf node cached), ACCESSED set, or a fault. */
  missed(va: number): number {
    return this.ram.getUint32(this.missedAt(va, false), true);
  }

  /**
   * The rest of a store ({@link HandSpaceWalkerLocal.store32}): a bad
   * address, a space not active or a value that is not a u32 refused, a walk
   * from the root (its leaf node cached), ACCESSED and DIRTY set, or a fault.
   */
  missedStore(va: number, v: number): void {
    // The address first, then the value, as VmSpace.writeVal reports them (the inline path checks the value first:
    // it stores only where a TLB or walk-cache hit proves the address, so the order of errors is the same).
    if (typeof va !== "number" || !(va >= 0 && Number.isSafeInteger(va))) throw new RangeError(`not an address: ${String(va)}`);
    if (this.active !== true) throw new Error("not the active space");
    if (typeof v !== "number" || v >>> 0 !== v) throw new TypeError(`not a u32: ${String(v)}`);
    this.ram.setUint32(this.missedAt(va, true), v, true);
  }

  /**
   * The physical address of the u32 at `va` for a read or a `write`, past
   * the inline paths: a walk from the root when the walk cache does not hold
   * the leaf node (then it does), the leaf entry's permissions checked,
   * ACCESSED (and DIRTY for a write) set, the TLB slot filled; throws for a
   * page fault.
   */
  missedAt(va: number, write: boolean): number {
    if (this.active !== true) throw new Error("not the active space");
    const off = va & (PAGE_SIZE - 1);
    if (off > PAGE_SIZE - 4) throw new Error("a value across pages: not in this case");
    const base = va - off;
    const vpn = base / PAGE_SIZE;
    const index = vpn & 511;
    const s = (vpn >>> 9) & 1023;
    const u32a = this.u32;
    const frameOf = (i: number, lo: number): number => (lo >>> 12) + ((u32a[i + 1] as number) & 0xf_ffff) * 0x10_0000;
    let leaf: number;
    if (this.walkTags[s] === vpn - index) leaf = (this.walkNodes[s] as number) + index * 2;
    else {
      let i = this.root * 1024 + (Math.floor(vpn / 2 ** 27) & 511) * 2;
      for (const shift of [18, 9]) {
        const lo = u32a[i] as number;
        if ((lo & 1) === 0) throw new Error(`page fault at ${va}`);
        i = frameOf(i, lo) * 1024 + ((vpn >>> shift) & 511) * 2;
      }
      const lo = u32a[i] as number;
      if ((lo & 1) === 0) throw new Error(`page fault at ${va}`);
      const node = frameOf(i, lo) * 1024;
      this.walkTags[s] = vpn - index;
      this.walkNodes[s] = node;
      leaf = node + index * 2;
    }
    this.misses++;
    const lo = u32a[leaf] as number;
    // Present and user, and writable for a write; then ACCESSED (and DIRTY) set: a write's translation may be cached for writes.
    const need = write ? 7 : 5;
    const set = write ? 0x60 : 0x20;
    if ((lo & need) !== need) throw new Error(`page fault at ${va}`);
    if ((lo & set) !== set) u32a[leaf] = lo | set;
    const paddr = frameOf(leaf, lo) * PAGE_SIZE;
    const j = (vpn & 1023) * 4;
    this.slots[j] = base;
    this.slots[j + 1] = ((lo | set) & 0x42) === 0x42 ? base : -1;
    this.slots[j + 2] = -1;
    this.slots[j + 3] = paddr - base;
    return paddr + off;
  }
}

/**
 * The page size as a module-local constant, copied from the import as vmio's
 * own modules do (`space-state.ts`): V8 folds a module's own `const` into
 * optimised code, but loads an imported binding from its module cell, with
 * a hole check, on every use — and so divides by it where it could multiply
 * by 2^-12 (--print-opt-code). {@link HandSpaceWalker} uses the import.
 */
const LOCAL_PAGE_SIZE = PAGE_SIZE;

/**
 * {@link HandSpaceWalker} with its hot method written as a hand-written
 * walker would be in a module of its own: the page size a folded constant
 * ({@link LOCAL_PAGE_SIZE}), and the frame number from the leaf entry's low
 * word when its high word has no frame bits (a walker of RAM of at most
 * 4 GiB, as vmio's `valueAt`). The same job under the same rules; the rest
 * of a miss is the parent's.
 */
export class HandSpaceWalkerLocal extends HandSpaceWalker {
  override load32(va: number): number {
    if (this.active === true) {
      const off = va & (LOCAL_PAGE_SIZE - 1);
      const base = va - off;
      const k = (va >>> 10) & 0xffc;
      const slots = this.slots;
      if (off <= LOCAL_PAGE_SIZE - 4) {
        if (slots[k] === base) {
          const p = (slots[k + 3] as number) + va;
          this.hits++;
          return this.ram.getUint32(p, true);
        }
        const vpn = base / LOCAL_PAGE_SIZE;
        const index = vpn & 511;
        const s = (vpn >>> 9) & 1023;
        if (this.walkTags[s] === vpn - index) {
          const u32a = this.u32;
          const i = (this.walkNodes[s] as number) + index * 2;
          const lo = u32a[i] as number;
          if ((lo & 0x25) === 0x25 && ((u32a[i + 1] as number) & 0xf_ffff) === 0) {
            this.misses++;
            const paddr = (lo >>> 12) * LOCAL_PAGE_SIZE;
            const j = (vpn & 1023) * 4;
            slots[j] = base;
            slots[j + 1] = (lo & 0x42) === 0x42 ? base : -1;
            slots[j + 2] = -1;
            slots[j + 3] = paddr - base;
            return this.ram.getUint32(paddr + off, true);
          }
        }
      }
    }
    return this.missed(va);
  }

  /**
   * A u32 store at `va`, the job of `VmSpace.writeVal(va, u32, v)` written
   * by hand as {@link HandSpaceWalkerLocal.load32} is: the value checked (a
   * u32 has no getter to order against the address checks, so a TLB or
   * walk-cache hit proves the address), the TLB slot's write tag (a page
   * cached for writes once DIRTY is set), the common miss — a walk-cache hit
   * and a leaf entry present, writable, user, ACCESSED and DIRTY — inline,
   * the rest out of line ({@link HandSpaceWalker.missedStore}).
   */
  store32(va: number, v: number): void {
    if (this.active === true && typeof v === "number" && v >>> 0 === v) {
      const off = va & (LOCAL_PAGE_SIZE - 1);
      const base = va - off;
      const k = (va >>> 10) & 0xffc;
      const slots = this.slots;
      if (off <= LOCAL_PAGE_SIZE - 4) {
        if (slots[k + 1] === base) {
          const p = (slots[k + 3] as number) + va;
          this.hits++;
          this.ram.setUint32(p, v, true);
          return;
        }
        const vpn = base / LOCAL_PAGE_SIZE;
        const index = vpn & 511;
        const s = (vpn >>> 9) & 1023;
        if (this.walkTags[s] === vpn - index) {
          const u32a = this.u32;
          const i = (this.walkNodes[s] as number) + index * 2;
          const lo = u32a[i] as number;
          if ((lo & 0x67) === 0x67 && ((u32a[i + 1] as number) & 0xf_ffff) === 0) {
            this.misses++;
            const paddr = (lo >>> 12) * LOCAL_PAGE_SIZE;
            const j = (vpn & 1023) * 4;
            slots[j] = base;
            slots[j + 1] = base;
            slots[j + 2] = -1;
            slots[j + 3] = paddr - base;
            this.ram.setUint32(paddr + off, v, true);
            return;
          }
        }
      }
    }
    this.missedStore(va, v);
  }
}

/**
 * The floor of the random-read rows past the TLB's reach with the API's
 * share ({@link HandSpaceWalker}): one of three hand-written space objects
 * over vmio's RAM and table (each space with its own TLB and walk cache),
 * the one read through having been deactivated and activated again, as
 * the others. With `local`, the spaces are {@link HandSpaceWalkerLocal}s.
 */
export function walkFloorApi(pages: number, local = false): BenchCase {
  const label = pages >= 1024 ? `${pages / 1024}ki` : `${pages}`;
  return {
    id: `walk-floor-api${local ? "-local" : ""}-${label}`,
    group: "vm",
    title: `floor of random reads past the TLB's reach, working set ${label} pages, with the API's share: one of three hand-written space objects (TLB as walk-floor-fulltlb's, walk cache, active flag, hit and miss counters, the rest of a miss out of line), over vmio's RAM and table${local ? "; the page size a module-local constant and the frame number from the entry's low word, as in vmio's own modules" : ""}`,
    limitLabel: "DataView.getUint32 at random offsets of a buffer of the working set's size (capped at 64 MiB)",
    ops: 1 << 20,
    unit: "value",
    setup() {
      const { space, mem } = aliasedSpace(pages, Math.min(pages, 1024));
      const u32a = ramOf(mem).u32;
      const root = spaceStateOf(space).table.root;
      const spaces = [0, 1, 2].map(() => (local ? new HandSpaceWalkerLocal(u32a, root) : new HandSpaceWalker(u32a, root)));
      // Each space activated in turn (the flag is a mutable field, as VmSpace's), and each has read: the call site
      // and the class see more than one object.
      for (const sp of spaces) {
        for (const other of spaces) other.active = other === sp;
        sp.load32(BASE);
      }
      const walker = spaces[1] as HandSpaceWalker;
      for (const other of spaces) other.active = other === walker;
      return { ...randomReads(pages, (va) => walker.load32(va)), teardown: () => space.dispose() };
    },
  };
}

/**
 * The honest floor of the random-write rows ({@link randomWriteSet}): one
 * of three {@link HandSpaceWalkerLocal}s over vmio's RAM and table, as
 * {@link walkFloorApi}'s, storing with its `store32`.
 */
export function walkFloorWrite(pages: number): BenchCase {
  const label = pages >= 1024 ? `${pages / 1024}ki` : `${pages}`;
  return {
    id: `walk-floor-write-${label}`,
    group: "vm",
    title: `honest floor of random writes, working set ${label} pages: one of three hand-written space objects (walk-floor-api-local's, with a u32 store: the value checked, the TLB's write tag, walk cache, leaf entry writable and DIRTY, the rest of a miss out of line), over vmio's RAM and table`,
    limitLabel: "DataView.setUint32 at random offsets of a buffer of the working set's size (capped at 64 MiB)",
    ops: 1 << 20,
    unit: "value",
    setup() {
      const { space, mem } = aliasedSpace(pages, Math.min(pages, 1024));
      const u32a = ramOf(mem).u32;
      const root = spaceStateOf(space).table.root;
      const spaces = [0, 1, 2].map(() => new HandSpaceWalkerLocal(u32a, root));
      for (const sp of spaces) {
        for (const other of spaces) other.active = other === sp;
        sp.store32(BASE, 0);
      }
      const walker = spaces[1] as HandSpaceWalkerLocal;
      for (const other of spaces) other.active = other === walker;
      const K = 1 << 16;
      const offsets = randomOffsets(K, pages);
      return {
        ...randomStoreLimit(pages),
        vmio: (n) => {
          for (let i = 0; i < n; i++) walker.store32(BASE + (offsets[i & (K - 1)] as number), i);
          return n;
        },
        teardown: () => space.dispose(),
      };
    },
  };
}

/** `Mmu.load32` (validated reads) and `Mmu.store32` (a critical section each) on shared RAM, against the same on unshared RAM. */
function sharedMmu(store: boolean): BenchCase {
  return {
    id: `mmu-${store ? "store32" : "load32"}-shared`,
    group: "vm",
    title: `random Mmu.${store ? "store32" : "load32"} on shared RAM, TLB hits (256 pages)`,
    limitLabel: "the same on unshared RAM",
    target: 1 / 1.5,
    ops: 1 << 20,
    unit: "value",
    setup() {
      const pages = 256;
      const unshared = mappedSpace(new PhysicalMemory({ size: 4 << 20 }), pages, true).mmu();
      const shared = mappedSpace(new PhysicalMemory({ size: 4 << 20, shared: true }), pages, true).mmu();
      const K = 1 << 12;
      const offsets = randomOffsets(K, pages);
      // Four literals, so that each side has feedback (and optimised code) of its own.
      if (store) {
        return {
          limit: (n) => {
            for (let i = 0; i < n; i++) unshared.store32(BASE + (offsets[i & (K - 1)] as number), i);
            return n;
          },
          vmio: (n) => {
            for (let i = 0; i < n; i++) shared.store32(BASE + (offsets[i & (K - 1)] as number), i);
            return n;
          },
        };
      }
      return {
        limit: (n) => {
          let s = 0;
          for (let i = 0; i < n; i++) s += unshared.load32(BASE + (offsets[i & (K - 1)] as number));
          return s;
        },
        vmio: (n) => {
          let s = 0;
          for (let i = 0; i < n; i++) s += shared.load32(BASE + (offsets[i & (K - 1)] as number));
          return s;
        },
      };
    },
  };
}

/**
 * The floors' hand-written software TLB: 1024 slots of two numbers (the
 * page's virtual base address, and physical minus virtual), with `pages`
 * pages from BASE cached, page `k` at physical address `paddrOf(k)`. Slot of
 * `va`: `((va >>> 12) & 1023) * 2`.
 */
function handTlb(pages: number, paddrOf: (k: number) => number): Float64Array {
  const tags = new Float64Array(2048).fill(-1);
  for (let k = 0; k < pages; k++) {
    const va = BASE + k * PAGE_SIZE;
    const s = ((va >>> 12) & 1023) * 2;
    tags[s] = va;
    tags[s + 1] = paddrOf(k) - va;
  }
  return tags;
}

/** Page `k` of `mappedSpace(…, pages, true)`'s frames, as an offset in a buffer: every other page, in reverse. */
const scatteredPage = (pages: number) => (k: number): number => ((pages - 1 - k) * 2 + 1) * PAGE_SIZE;

/**
 * The floor of the shared-RAM rows: a hand-written software TLB (1024
 * slots, tag and delta) over 256 random pages, the same access on shared
 * RAM under the same safety rules as vmio, against the same on unshared
 * RAM (plain `DataView` accesses, no protocol). A load is a validated read,
 * the cheapest safe one (`Atomics.load` of the value, then of the space's
 * epoch, compared with the one the TLB is in step with); a store runs in a
 * read-side critical section (a store cannot be undone): `Atomics.load` of
 * the grace-period epoch and `Atomics.store` of it into this thread's slot,
 * `Atomics.load` of the space's epoch, the store, `Atomics.store` of 0 into
 * the slot and `Atomics.load` of the waiters' count. Each `Atomics`
 * operation is a call into V8's runtime (~10–15 ns here, against ~1 ns for
 * a plain access): that, not vmio, is what keeps the shared rows short.
 */
function sharedFloor(store: boolean): BenchCase {
  return {
    id: `shared-${store ? "store" : "load"}-floor`,
    group: "vm",
    title: `floor of a ${store ? "store" : "load"} on shared RAM, TLB hits (256 pages): hand-written TLB + ${store ? "the critical-section protocol (2 Atomics.store, 3 Atomics.load)" : "a validated read (2 Atomics.load)"}`,
    limitLabel: "the same hand-written TLB hit on unshared RAM (plain DataView access)",
    ops: 1 << 20,
    unit: "value",
    setup() {
      const pages = 256;
      const size = 4 << 20;
      const make = (buffer: ArrayBufferLike) => ({ tags: handTlb(pages, scatteredPage(pages)), view: new DataView(buffer), i32: new Int32Array(buffer) });
      const plain = make(new ArrayBuffer(size));
      const shared = make(new SharedArrayBuffer(size));
      const ctl = new Int32Array(new SharedArrayBuffer(64));
      const EPOCH = 0; // the space's TLB epoch
      const GP = 1; // the grace-period epoch
      const SLOT = 2; // this thread's slot
      const WAITING = 3;
      ctl[GP] = 1;
      const seen = 0;
      const K = 1 << 12;
      const offsets = randomOffsets(K, pages);
      const sT = shared.tags;
      const sI = shared.i32;
      const sV = shared.view;
      const pT = plain.tags;
      const pV = plain.view;
      const fault = (): never => {
        throw new Error("a miss: not in this case");
      };
      if (store) {
        return {
          limit: (n) => {
            for (let i = 0; i < n; i++) {
              const va = BASE + (offsets[i & (K - 1)] as number);
              const s = ((va >>> 12) & 1023) * 2;
              if (pT[s] !== va - (va & 4095)) fault();
              pV.setInt32((pT[s + 1] as number) + va, i, true);
            }
            return n;
          },
          vmio: (n) => {
            for (let i = 0; i < n; i++) {
              const va = BASE + (offsets[i & (K - 1)] as number);
              const s = ((va >>> 12) & 1023) * 2;
              Atomics.store(ctl, SLOT, Atomics.load(ctl, GP));
              if (sT[s] !== va - (va & 4095) || Atomics.load(ctl, EPOCH) !== seen) fault();
              sV.setInt32((sT[s + 1] as number) + va, i, true);
              Atomics.store(ctl, SLOT, 0);
              if (Atomics.load(ctl, WAITING) !== 0) Atomics.notify(ctl, SLOT);
            }
            return n;
          },
        };
      }
      return {
        limit: (n) => {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const va = BASE + (offsets[i & (K - 1)] as number);
            const s = ((va >>> 12) & 1023) * 2;
            if (pT[s] !== va - (va & 4095)) fault();
            sum += pV.getInt32((pT[s + 1] as number) + va, true);
          }
          return sum;
        },
        vmio: (n) => {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const va = BASE + (offsets[i & (K - 1)] as number);
            const s = ((va >>> 12) & 1023) * 2;
            if (sT[s] !== va - (va & 4095)) fault();
            const v = Atomics.load(sI, ((sT[s + 1] as number) + va) / 4);
            if (Atomics.load(ctl, EPOCH) !== seen) fault();
            sum += v;
          }
          return sum;
        },
      };
    },
  };
}

/** `VmSpace.readVal(u32)` on TLB hits over shared RAM, against the same on unshared RAM. */
function sharedReadVal(): BenchCase {
  return {
    id: "user-readval-shared",
    group: "vm",
    title: "random VmSpace.readVal(u32) on shared RAM, TLB hits (256 pages)",
    limitLabel: "the same on unshared RAM",
    target: 1 / 1.5,
    ops: 1 << 20,
    unit: "value",
    setup() {
      const pages = 256;
      const unshared = mappedSpace(new PhysicalMemory({ size: 4 << 20 }), pages, true);
      const shared = mappedSpace(new PhysicalMemory({ size: 4 << 20, shared: true }), pages, true);
      const K = 1 << 12;
      const offsets = randomOffsets(K, pages);
      const T = u32;
      return {
        limit: (n) => {
          unshared.activate();
          let s = 0;
          for (let i = 0; i < n; i++) s += unshared.readVal(BASE + (offsets[i & (K - 1)] as number), T);
          return s;
        },
        vmio: (n) => {
          shared.activate();
          let s = 0;
          for (let i = 0; i < n; i++) s += shared.readVal(BASE + (offsets[i & (K - 1)] as number), T);
          return s;
        },
        teardown: () => {
          unshared.dispose();
          shared.dispose();
        },
      };
    },
  };
}

const BASE = 0x4000_0000;
const RW = PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback);

function filled(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + 7) & 0xff;
  return b;
}

/** A space with `frames` mapped at BASE, in order, activated on this thread. */
function spaceWith(mem: PhysicalMemory, frames: UFrame[]): VmSpace {
  const space = new VmSpace(mem);
  const cursor = space.cursorMut({ start: BASE, end: BASE + frames.length * PAGE_SIZE });
  for (const f of frames) cursor.map(f, RW);
  cursor.dispose();
  space.activate();
  return space;
}

/**
 * A space with `pages` pages mapped at BASE (frames scattered or physically
 * contiguous), filled with the `filled` pattern, active on this thread. The
 * mappings hold the only references to the frames.
 */
function mappedSpace(mem: PhysicalMemory, pages: number, scattered: boolean): VmSpace {
  const fs = frames(mem, pages, scattered);
  const space = spaceWith(mem, fs);
  for (const f of fs) f.dispose();
  space.writeBytes(BASE, filled(pages * PAGE_SIZE));
  return space;
}

function frames(mem: PhysicalMemory, n: number, scattered: boolean): UFrame[] {
  const options = new FrameAllocOptions(mem);
  if (!scattered) return [...options.allocSegment(n)] as UFrame[];
  // Every other frame of a run twice as long, in reverse order: no two neighbours are adjacent in RAM.
  const all = [...options.allocSegment(2 * n)] as UFrame[];
  const picked = all.filter((_, i) => i % 2 === 0).reverse();
  for (const [i, f] of all.entries()) if (i % 2 === 1) f.dispose();
  return picked;
}

/**
 * A user→kernel copy of `mib` MiB through mapped pages (scattered or
 * physically contiguous frames) into a typed buffer. Past 4 MiB (the TLB's
 * reach) contiguous runs are merged from the page table's leaf entries.
 *
 * Over contiguous frames the copy is one `set` of the whole size at every
 * size (counted: 1 call of 1 / 16 / 64 MiB; runs merge across leaf nodes,
 * no cap), from RAM's buffer where the limit's comes from its own: the
 * same memmove, the same glibc path (glibc 2.36 here: `rep movsb` only
 * below 1 MiB, `rep_movsb_stop_threshold`, L2-sized on AMD; non-temporal
 * stores only from 127 MiB, ¾ of the 508 MiB L3 the hypervisor reports —
 * so 1, 16 and 64 MiB all take the temporal vector loop, on both sides),
 * and the same speed (a `set` from RAM's frames against one from the
 * limit's buffer, one process: 0.97–1.06 in three). What vmio adds is per
 * page: at 16 / 64 MiB every page is a leaf entry read from the table
 * (4096 / 16384 misses, no hits), checked, and — before this stop — a TLB
 * fill each: 47–104 µs a 16 MiB run on a warm table (median 90, six
 * processes), up to 0.1 of the copy. See
 * `SpaceState.mergeFromTable` for what is left (17–30 µs) and
 * {@link bigCopyFloor} for the floor beside it.
 */
function bigCopy(scattered: boolean, mib = 1): BenchCase {
  const size = mib << 20;
  return {
    id: `user-copy-${mib}m-${scattered ? "scattered" : "contiguous"}`,
    group: "vm",
    title: `${mib} MiB user→kernel copy through ${mib * 256} mapped pages, ${scattered ? "scattered" : "physically contiguous"} frames`,
    limitLabel: `one Uint8Array.prototype.set of ${mib} MiB`,
    target: scattered ? 0.6 : 0.9,
    ops: Math.max(4, 400 / mib),
    unit: "copy",
    setup() {
      const space = mappedSpace(new PhysicalMemory({ size: (16 << 20) + 2 * size }), mib * 256, scattered);
      const src = filled(size);
      const dst = new Uint8Array(size);
      return {
        limit: (n) => {
          for (let i = 0; i < n; i++) dst.set(src);
          return dst[3];
        },
        vmio: (n) => {
          let moved = 0;
          for (let i = 0; i < n; i++) moved += space.reader(BASE, size).readFallible(VmWriter.from(dst));
          return moved;
        },
        teardown: () => space.dispose(),
      };
    },
  };
}

/**
 * The floor of {@link bigCopy} over contiguous frames: the best hand-written
 * plain JS doing the same job under the same rules, in the same process, on
 * the same RAM, page table and buffers as the row — a 4-level walk of
 * x86-64 entries from the root at each 2 MiB region (a leaf node), then per
 * page its leaf entry checked (present, user and ACCESSED: a read with no
 * bit to set; a clear bit, frame bits in the high word or a missing node is
 * a fault here, never reached in this case) and its frame number (int32,
 * from the low word) compared with the run's next, and one
 * `Uint8Array.prototype.set` (held) per run of physically consecutive
 * frames. No TLB: a copy past its reach walks every page anyway, and within
 * its reach a leaf-entry load costs what a TLB probe does. What it leaves
 * is one `set` of the whole size plus a load and compare per page — the
 * floor of any copy that must check each page's entry before it copies.
 * The row's buffers and RAM offsets, so its placement modulo 4 KiB (at
 * 16 MiB, a `set` whose destination sits 0, 16, 64 or 2048 B past its
 * source modulo 4 KiB measured the same here, 1.23–1.43 ms in two
 * processes: a copy this large is bound by memory, not by 4 KiB aliasing).
 */
function bigCopyFloor(mib: number): BenchCase {
  const size = mib << 20;
  return {
    id: `user-copy-${mib}m-contiguous-floor`,
    group: "vm",
    title: `floor of a ${mib} MiB copy from ${mib * 256} physically contiguous frames: hand-written walk of the same page table per 2 MiB, each leaf entry checked, one set per run of consecutive frames`,
    limitLabel: `one Uint8Array.prototype.set of ${mib} MiB`,
    ops: Math.max(4, 400 / mib),
    unit: "copy",
    setup() {
      const mem = new PhysicalMemory({ size: (16 << 20) + 2 * size });
      const space = mappedSpace(mem, mib * 256, false);
      const { u32: u32a, bytes: ram } = ramOf(mem);
      const root = spaceStateOf(space).table.root;
      const src = filled(size);
      const dst = new Uint8Array(size);
      const set = Uint8Array.prototype.set;
      // x86-64: present, user, accessed (a read with nothing to set).
      const NEED = 0x1 | 0x4 | 0x20;
      const fault = (va: number): never => {
        throw new Error(`a fault at ${va}: not in this case`);
      };
      const frameOf = (i: number, lo: number): number => (lo >>> 12) + ((u32a[i + 1] as number) & 0xf_ffff) * 0x10_0000;
      /** The `u32` index of entry 0 of the leaf node of page `vpn`'s region. */
      const leafNode = (vpn: number): number => {
        let i = root * 1024 + (Math.floor(vpn / 2 ** 27) & 511) * 2;
        for (const shift of [18, 9]) {
          const lo = u32a[i] as number;
          if ((lo & 1) === 0) return fault(vpn * PAGE_SIZE);
          i = frameOf(i, lo) * 1024 + ((vpn >>> shift) & 511) * 2;
        }
        const lo = u32a[i] as number;
        if ((lo & 1) === 0) return fault(vpn * PAGE_SIZE);
        return frameOf(i, lo) * 1024;
      };
      /** Copies `len` bytes (whole pages) at page-aligned user address `va` into `out`. */
      const copy = (out: Uint8Array, va: number, len: number): number => {
        const first = va / PAGE_SIZE;
        const end = first + len / PAGE_SIZE;
        let at = 0;
        let runStart = -1;
        let runPages = 0;
        let frame = -1;
        let node = 0;
        for (let vpn = first; vpn < end; vpn++) {
          if (vpn === first || (vpn & 511) === 0) node = leafNode(vpn);
          const i = node + (vpn & 511) * 2;
          const lo = u32a[i] as number;
          // A frame of this RAM has no frame bits in the high word: the frame number is the low word's.
          if ((lo & NEED) !== NEED || ((u32a[i + 1] as number) & 0xf_ffff) !== 0) fault(vpn * PAGE_SIZE);
          const f = lo >>> 12;
          if (f !== frame) {
            if (runPages > 0) {
              set.call(out, ram.subarray(runStart, runStart + runPages * PAGE_SIZE), at);
              at += runPages * PAGE_SIZE;
            }
            runStart = f * PAGE_SIZE;
            runPages = 0;
          }
          runPages++;
          frame = f + 1;
        }
        set.call(out, ram.subarray(runStart, runStart + runPages * PAGE_SIZE), at);
        return at + runPages * PAGE_SIZE;
      };
      // It copies what vmio's copy does: the space holds `filled`'s pattern, as `src`.
      if (copy(dst, BASE, size) !== size || dst.some((b, k) => b !== src[k])) throw new Error("the floor's copy is wrong");
      return {
        limit: setLoop(dst, src),
        vmio: (n) => {
          let moved = 0;
          for (let i = 0; i < n; i++) moved += copy(dst, BASE, size);
          return moved;
        },
        teardown: () => space.dispose(),
      };
    },
  };
}

/**
 * The floor of a user copy through scattered frames: 256 plain
 * `Uint8Array.prototype.set` calls of 4 KiB, from views made beforehand of
 * every other page of 2 MiB in reverse order (the frames of
 * `mappedSpace(…, true)`), into one 1 MiB buffer. A copy that cannot merge
 * pages costs one `set` per page whatever does it.
 */
function scatteredCopyFloor(): BenchCase {
  const size = 1 << 20;
  return {
    id: "user-copy-1m-scattered-floor",
    group: "vm",
    title: "floor of a 1 MiB copy from 256 scattered frames: 256 plain Uint8Array.prototype.set calls of 4 KiB",
    limitLabel: "one Uint8Array.prototype.set of 1 MiB",
    ops: 400,
    unit: "copy",
    setup() {
      const ram = filled(2 * size);
      const page = scatteredPage(256);
      const views = Array.from({ length: 256 }, (_, k) => ram.subarray(page(k), page(k) + PAGE_SIZE));
      const src = filled(size);
      const dst = new Uint8Array(size);
      return {
        limit: (n) => {
          for (let i = 0; i < n; i++) dst.set(src);
          return dst[3];
        },
        vmio: (n) => {
          for (let i = 0; i < n; i++) for (let k = 0; k < 256; k++) dst.set(views[k] as Uint8Array, k * PAGE_SIZE);
          return dst[3];
        },
      };
    },
  };
}

/**
 * The honest floors of a user copy through scattered frames: what
 * {@link scatteredCopyFloor} does, with the work that floor did beforehand
 * done per copy, as any copy from user memory must (a page's frame may
 * change between two copies): each of the 256 pages translated through a
 * hand-written software TLB (tag and delta, a miss refused), and a view of
 * its frame for its `set`. The plain one (`cached` false) makes that view
 * (`subarray`) and calls `view.set`. The best one (`cached`) also does the
 * two things vmio's copy loop does per page beyond that, with no vmio
 * code: a view of each frame cached per TLB slot (made on first use,
 * reused while the slot's frame address is the one it was made for — a
 * `Float64Array` of addresses, as vmio's `Tlb.pageAddrs`, not the view's
 * `byteOffset`, which optimised code on Node 20 reads through a generic
 * load IC and a getter call), and `Uint8Array.prototype.set` held in a
 * constant and called (`view.set` is a generic load IC per page on Node
 * 20). What the best one leaves is 256 `set`s of 4 KiB: the floor of any
 * page-by-page copy.
 */
function scatteredCopyFloorHonest(cached = false): BenchCase {
  const size = 1 << 20;
  return {
    id: cached ? "user-copy-1m-scattered-floor-cached" : "user-copy-1m-scattered-floor-honest",
    group: "vm",
    title: cached
      ? "best floor of a 1 MiB copy from 256 scattered frames: per page, a hand-written TLB hit (tag, delta), a view cached per TLB slot (checked by address) and a set called through the held builtin"
      : "honest floor of a 1 MiB copy from 256 scattered frames: per page, a hand-written TLB hit (tag, delta) and a set of a subarray of RAM made per copy",
    limitLabel: "one Uint8Array.prototype.set of 1 MiB",
    ops: 400,
    unit: "copy",
    setup() {
      const ram = filled(2 * size);
      const tags = handTlb(256, scatteredPage(256));
      const src = filled(size);
      const dst = new Uint8Array(size);
      const fault = (): never => {
        throw new Error("a miss: not in this case");
      };
      const viewAddrs = new Float64Array(1024).fill(-1);
      const views = new Array<Uint8Array>(1024).fill(new Uint8Array(0));
      const set = Uint8Array.prototype.set;
      const plain: Body = (n) => {
        let moved = 0;
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < 256; k++) {
            const va = BASE + k * PAGE_SIZE;
            const s = ((va >>> 12) & 1023) * 2;
            if (tags[s] !== va) fault();
            const p = (tags[s + 1] as number) + va;
            dst.set(ram.subarray(p, p + PAGE_SIZE), k * PAGE_SIZE);
          }
          moved += size;
        }
        return moved;
      };
      const best: Body = (n) => {
        let moved = 0;
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < 256; k++) {
            const va = BASE + k * PAGE_SIZE;
            const slot = (va >>> 12) & 1023;
            if (tags[slot * 2] !== va) fault();
            const p = (tags[slot * 2 + 1] as number) + va;
            if (viewAddrs[slot] !== p) {
              views[slot] = ram.subarray(p, p + PAGE_SIZE);
              viewAddrs[slot] = p;
            }
            set.call(dst, views[slot] as Uint8Array, k * PAGE_SIZE);
          }
          moved += size;
        }
        return moved;
      };
      return { limit: setLoop(dst, src), vmio: cached ? best : plain };
    },
  };
}

/** The limit of the small-copy rows: one `set` of `src` into `dst` per copy. */
function setLoop(dst: Uint8Array, src: Uint8Array): Body {
  return (n) => {
    for (let i = 0; i < n; i++) dst.set(src);
    return dst[3] as number;
  };
}

/**
 * A 64 B user→kernel copy through a fresh reader and writer
 * (`space.reader(va, 64).readFallible(VmWriter.from(dst))`). With
 * `budget`, V8's cumulative inlining budget is raised from 920 to that
 * many bytes of bytecode first (a diagnostic beside the row: what the
 * budget costs it; no target).
 */
function smallCopy(budget?: number): BenchCase {
  return {
    id: budget === undefined ? "user-copy-64b" : `user-copy-64b-budget-${budget}`,
    group: "vm",
    title: `64 B user→kernel copy (reader + readFallible)${budget === undefined ? "" : `, V8's inlining budget raised from 920 to ${budget} bytes of bytecode`}`,
    limitLabel: "one Uint8Array.prototype.set of 64 B",
    ...(budget === undefined ? { target: 0.3 } : {}),
    ops: 1_000_000,
    unit: "copy",
    setup() {
      if (budget !== undefined) v8.setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${budget}`);
      const space = mappedSpace(new PhysicalMemory({ size: 4 << 20 }), 4, false);
      const src = filled(64);
      const dst = new Uint8Array(64);
      return {
        limit: setLoop(dst, src),
        vmio: (n) => {
          let moved = 0;
          for (let i = 0; i < n; i++) moved += space.reader(BASE + ((i * 64) & 0x3fff), 64).readFallible(VmWriter.from(dst));
          return moved;
        },
        teardown: () => space.dispose(),
      };
    },
  };
}

/**
 * A 64 B user→kernel copy through the space's `VmIo` method
 * (`space.readBytes(va, dst)`): no reader or writer, the space's own
 * `IoMemory` (its `#io`) and one `copyRaw`. No target: a diagnostic beside
 * `user-copy-64b` for what reaches `#io` (the reader path does not).
 * With `#io` stored once (a const field V8 can fold when the space is a
 * constant) against main's build, where it was defined `undefined` and
 * assigned (mutable): 0.20–0.23 against 0.20–0.22, four processes each,
 * alternated on a loaded machine — the load and map check saved are lost
 * in a ~100 ns call, most of it the copy engine's (`copyRaw`) and the
 * `set` (the 64 B copy's floors, beside, are 0.25–0.29).
 *
 * Sixth pass: the byte methods remember their caller's last two arrays in
 * entries of their own (`ioBytes`, memory-cursor.ts), so `dst` gets its
 * `DataView` on its 32nd copy and the copy moves words as the reader path's
 * does (copy.ts, `copyWords`), instead of a `subarray` of RAM for `set`
 * (the ~30 ns that kept this row below the reader path). A/B against
 * main's build, alternated processes on a loaded machine (load 2–6.5),
 * nine each: 0.26–0.38, median 0.297, against 0.20–0.34, median 0.228;
 * `user-copy-64b` in the same runs 0.27–0.35, median 0.30, against
 * 0.23–0.31, median 0.27. So at the reader path's level and the honest
 * floors' (0.29, 0.30 in the last full run; 0.27, 0.29 beside 0.34 for
 * this row in one three-process harness run of this pass). Skipping `checkBytes`
 * for a remembered array as well measured nothing (0.31–0.35 against
 * 0.31–0.38, three processes each): not kept. Where the ns go (one
 * process, CPU time, at low load): readBytes 53–55 ns a copy; the copy
 * engine alone (`copyWithSpace` called with the array's view made) 48–51;
 * a hand-written loop of the same 16 `getInt32`/`setInt32` pairs 31–32
 * (each access checks its view's map and bounds again); the TLB probe 3;
 * the method's checks (`checkIndex`, `checkBytes`, `ioBytes`) 2.4; the
 * limit's `set` 17. So the words are most of it, and the call of
 * `copyWithSpace` with its dispatch about 15 ns. Inlining that small copy
 * into `readBytes` (a `readSmall` beside `copyWithSpace`) measured slower,
 * 63–65 ns: the method then passes V8's 920-byte cumulative budget inside
 * the caller's loop, and the probe and the view lookup become calls
 * (`--trace-turbo-inlining`). Not kept.
 */
function smallReadBytes(): BenchCase {
  return {
    id: "user-readbytes-64b",
    group: "vm",
    title: "64 B user→kernel copy through VmSpace.readBytes (VmIo: the space's IoMemory, no reader)",
    limitLabel: "one Uint8Array.prototype.set of 64 B",
    ops: 1_000_000,
    unit: "copy",
    setup() {
      const space = mappedSpace(new PhysicalMemory({ size: 4 << 20 }), 4, false);
      const src = filled(64);
      const dst = new Uint8Array(64);
      return {
        limit: setLoop(dst, src),
        vmio: (n) => {
          for (let i = 0; i < n; i++) space.readBytes(BASE + ((i * 64) & 0x3fff), dst);
          return dst[3] as number;
        },
        teardown: () => space.dispose(),
      };
    },
  };
}

/**
 * A 64 B kernel→user copy through a fresh writer and reader
 * (`space.writer(va, 64).writeFallible(VmReader.from(src))`), the mirror of
 * `user-copy-64b`: all of one array into a page (a TLB hit). No target.
 * Sixth pass: main's build moved these bytes as words once `src` had its
 * `DataView` (fifth pass's `copyWords`), which costs more than the one
 * `set` of a whole array (no `subarray` to make): the words are now only
 * for part of an array. A/B against main's build, six processes each:
 * 0.40–0.53 (38.6–53.5 ns a copy) against 0.23–0.30 (67.1–105.6 ns).
 */
function smallWrite(): BenchCase {
  return {
    id: "user-write-64b",
    group: "vm",
    title: "64 B kernel→user copy (writer + writeFallible of a whole array)",
    limitLabel: "one Uint8Array.prototype.set of 64 B",
    ops: 1_000_000,
    unit: "copy",
    setup() {
      const space = mappedSpace(new PhysicalMemory({ size: 4 << 20 }), 4, false);
      const src = filled(64);
      const dst = new Uint8Array(64);
      return {
        limit: setLoop(dst, src),
        vmio: (n) => {
          let moved = 0;
          for (let i = 0; i < n; i++) moved += space.writer(BASE + ((i * 64) & 0x3fff), 64).writeFallible(VmReader.from(src));
          return moved;
        },
        teardown: () => space.dispose(),
      };
    },
  };
}

/**
 * A 64 B kernel→user copy through the space's `VmIo` method
 * (`space.writeBytes(va, src)`), the mirror of `user-readbytes-64b`: the
 * space's `IoMemory` and one `copyRaw`, from one whole array into a page
 * (a TLB hit): one `set`, no `subarray`, no words. No target, as its
 * mirror. Sixth pass, A/B against main's build (nine processes each):
 * 0.51–0.70, median 0.62, against 0.34–0.61, median 0.535 — what changed
 * for it is the array's `isView` skipped once remembered (`ioBytes`).
 */
function smallWriteBytes(): BenchCase {
  return {
    id: "user-writebytes-64b",
    group: "vm",
    title: "64 B kernel→user copy through VmSpace.writeBytes (VmIo: the space's IoMemory, no writer)",
    limitLabel: "one Uint8Array.prototype.set of 64 B",
    ops: 1_000_000,
    unit: "copy",
    setup() {
      const space = mappedSpace(new PhysicalMemory({ size: 4 << 20 }), 4, false);
      const src = filled(64);
      const dst = new Uint8Array(64);
      return {
        limit: setLoop(dst, src),
        vmio: (n) => {
          for (let i = 0; i < n; i++) space.writeBytes(BASE + ((i * 64) & 0x3fff), src);
          return n;
        },
        teardown: () => space.dispose(),
      };
    },
  };
}

/**
 * The floor of a small user→kernel copy: the best hand-written copy of
 * 64 B from a user address under the same rules — a software TLB hit
 * (tag, delta), a check that the range stays in the page, and one `set` of
 * a `subarray` of RAM (the view must be made per copy: the source moves).
 * What it does beyond its limit (one `set` of a view made beforehand) is
 * the `subarray`, about the cost of the copy itself on Node 20.
 */
function smallCopyFloor(): BenchCase {
  return {
    id: "user-copy-64b-floor",
    group: "vm",
    title: "floor of a 64 B user→kernel copy: hand-written TLB hit + bounds check + one set of a subarray of RAM",
    limitLabel: "one Uint8Array.prototype.set of 64 B",
    ops: 1_000_000,
    unit: "copy",
    setup() {
      const ram = filled(4 << 20);
      const tags = handTlb(4, (k) => (64 + k) * PAGE_SIZE);
      const src = filled(64);
      const dst = new Uint8Array(64);
      const fault = (): never => {
        throw new Error("a miss: not in this case");
      };
      return {
        limit: setLoop(dst, src),
        vmio: (n) => {
          let moved = 0;
          for (let i = 0; i < n; i++) {
            const va = BASE + ((i * 64) & 0x3fff);
            const off = va & 4095;
            const s = ((va >>> 12) & 1023) * 2;
            if (tags[s] !== va - off || off + 64 > PAGE_SIZE) fault();
            const p = (tags[s + 1] as number) + va;
            dst.set(ram.subarray(p, p + 64));
            moved += 64;
          }
          return moved;
        },
      };
    },
  };
}

/**
 * The floor of a small kernel→user copy (beside `user-writebytes-64b` and
 * `user-write-64b`): the best hand-written copy of 64 B to a user address
 * under the same rules — a software TLB hit for a write (tag, delta), a
 * check that the range stays in the page, the source's 64 bytes checked
 * still there (a detached buffer reads as length 0), and one `set` of the
 * whole array into RAM (no `subarray`: the source is all of one array).
 * What it does beyond its limit is the lookup and the checks. No vmio code;
 * one space, its TLB a constant of the loop (not an honest floor: a best
 * case). Sixth pass, two runs of three processes: 0.76–0.84, beside
 * writeBytes 0.60–0.66 and the fresh writer 0.47–0.51 in the same runs
 * (the writer's extra is its two cursors and the call of `copyWithSpace`).
 */
function smallWriteFloor(): BenchCase {
  return {
    id: "user-write-64b-floor",
    group: "vm",
    title: "floor of a 64 B kernel→user copy: hand-written TLB hit + bounds and length checks + one set of the array into RAM",
    limitLabel: "one Uint8Array.prototype.set of 64 B",
    ops: 1_000_000,
    unit: "copy",
    setup() {
      const ram = filled(4 << 20);
      const tags = handTlb(4, (k) => (64 + k) * PAGE_SIZE);
      const src = filled(64);
      const dst = new Uint8Array(64);
      const fault = (): never => {
        throw new Error("a miss: not in this case");
      };
      return {
        limit: setLoop(dst, src),
        vmio: (n) => {
          let moved = 0;
          for (let i = 0; i < n; i++) {
            const va = BASE + ((i * 64) & 0x3fff);
            const off = va & 4095;
            const s = ((va >>> 12) & 1023) * 2;
            if (tags[s] !== va - off || off + 64 > PAGE_SIZE || src.length < 64) fault();
            ram.set(src, (tags[s + 1] as number) + va);
            moved += 64;
          }
          return moved;
        },
      };
    },
  };
}

/** What the honest 64 B floor's lease check reads (vmio's `Lease`; null for typed memory, which cannot expire). */
interface FloorLease {
  readonly leaseExpired: boolean;
}

/** The honest 64 B floor's page fault: the bytes copied before the first unmapped byte. */
class FloorFault extends Error {
  constructor(readonly copied: number) {
    super("page fault");
  }
}

/**
 * One of the honest 64 B floor's user address spaces: its TLB on the
 * object (vmio's slot layout: read, write and execute tags and a delta,
 * 32 B a slot), its RAM, an active flag and a hit counter. A miss here is
 * a fault (the floor keeps no page table: every page it copies from is in
 * the TLB).
 */
class FloorSpace {
  readonly slots = new Float64Array(1024 * 4).fill(-1);
  readonly ram: Uint8Array;
  /** A `DataView` over all of RAM, for copies moved a word at a time. */
  readonly ramView: DataView;
  /** Whether a copy of at most 96 B on a TLB hit moves words between two `DataView`s instead of a `set` of a `subarray`. */
  readonly words: boolean;
  active = false;
  hits = 0;

  constructor(ram: Uint8Array, words = false) {
    this.ram = ram;
    this.ramView = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
    this.words = words;
  }

  /** Caches page `va` (page-aligned) as mapped read-write onto `paddr`. */
  map(va: number, paddr: number): void {
    const s = ((va >>> 12) & 1023) * 4;
    this.slots[s] = va;
    this.slots[s + 1] = va;
    this.slots[s + 3] = paddr - va;
  }

  /** A reader over `[va, va + len)`, as `VmSpace.reader`: the space must be active, the range numbers in range. */
  reader(va: number, len: number): FloorCursor {
    if (this.active !== true || !(va >= 0 && len >= 0 && va + len <= 2 ** 47 && Math.floor(va) === va && Math.floor(len) === len)) {
      throw new RangeError("not active, or a bad range");
    }
    return FloorCursor.user(this, va, va + len);
  }
}

// The floor writer's one-entry cache of the last array it was made over (identity and length), as vmio's `from` has.
let floorBytes: Uint8Array | null = null;
let floorLength = 0;
// And its `DataView`, made the first time a word copy needs it.
let floorView: DataView | null = null;

/** The `DataView` over `bytes` when it is the cached array (made on first use), else null. */
function floorViewOf(bytes: Uint8Array): DataView | null {
  if (bytes !== floorBytes || bytes.length !== floorLength) return null;
  return floorView ?? (floorView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/**
 * The word-copy floor's copy: `n` bytes from `src` at `sIndex` to `dst` at
 * `dIndex`, two 32-bit words an iteration, then the last bytes. Hand-written
 * beside vmio's `copyWords` (a floor uses no vmio code).
 */
function floorWords(dst: DataView, dIndex: number, src: DataView, sIndex: number, n: number): void {
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

/**
 * The honest 64 B floor's reader and writer: one class (so that a copy
 * reaches the other side's fields directly, where vmio's two classes go
 * through accessors), five `#private` fields — direct bytes or a user
 * space, a lease, a position, an end. A writer over a typed array is made
 * per copy from any `Uint8Array` without running user code (its array and
 * length found in a one-entry cache, else checked with
 * `ArrayBuffer.isView` and its prototype); a user reader is made by
 * {@link FloorSpace.reader}. `readFallible` copies from a user space into
 * bytes: checks the writer is one (a private read), the lease and the
 * bytes, then on a TLB hit within one page one `set` of a `subarray` of
 * RAM; anything else out of line, page by page, stopping at the first
 * unmapped byte with the exact count copied and both cursors advanced by
 * it. No vmio code.
 */
class FloorCursor {
  readonly #bytes: Uint8Array | null;
  readonly #space: FloorSpace | null;
  readonly #lease: FloorLease | null;
  #pos: number;
  readonly #end: number;

  private constructor(bytes: Uint8Array | null, space: FloorSpace | null, pos: number, end: number) {
    this.#bytes = bytes;
    this.#space = space;
    this.#lease = null;
    this.#pos = pos;
    this.#end = end;
  }

  static user(space: FloorSpace, pos: number, end: number): FloorCursor {
    return new FloorCursor(null, space, pos, end);
  }

  static from(bytes: Uint8Array): FloorCursor {
    if (bytes === floorBytes && bytes.length === floorLength) return new FloorCursor(bytes, null, 0, floorLength);
    return FloorCursor.#fromOther(bytes);
  }

  static #fromOther(bytes: Uint8Array): FloorCursor {
    if (!ArrayBuffer.isView(bytes) || Object.getPrototypeOf(bytes) !== Uint8Array.prototype || bytes.length === 0) throw new TypeError("not a Uint8Array");
    floorBytes = bytes;
    floorLength = bytes.length;
    floorView = null;
    return new FloorCursor(bytes, null, 0, bytes.length);
  }

  cursor(): number {
    return this.#pos;
  }

  /** Copies min(remain, w's room) bytes from this user reader into writer `w`, stopping at the first fault. */
  readFallible(w: FloorCursor): number {
    let to: number;
    try {
      to = w.#pos;
    } catch {
      throw new TypeError("not a writer");
    }
    const pos = this.#pos;
    const left = this.#end - pos;
    const room = w.#end - to;
    const n = left < room ? left : room;
    const space = this.#space;
    const dst = w.#bytes;
    if (space === null || dst === null) throw new TypeError("the floor copies from user memory into bytes only");
    // Before the TLB lookup, as vmio: making the view reads the array's prototype getters.
    const view = space.words === true && n <= 96 ? floorViewOf(dst) : null;
    const lease = w.#lease;
    if (lease !== null && lease.leaseExpired) throw new TypeError("use after dispose");
    if (to + n > dst.length) throw new TypeError("detached");
    const off = pos & 4095;
    const k = (pos >>> 10) & 0xffc;
    if (n !== 0 && off + n <= PAGE_SIZE && space.slots[k] === pos - off) {
      space.hits++;
      const p = (space.slots[k + 3] as number) + pos;
      if (view !== null) floorWords(view, to, space.ramView, p, n);
      else dst.set(space.ram.subarray(p, p + n), to);
      this.#pos = pos + n;
      w.#pos = to + n;
      return n;
    }
    return FloorCursor.#pages(this, w, space, dst, pos, to, n);
  }

  /** The rest of a copy: page by page through the TLB, a miss being a fault with the exact count. */
  static #pages(r: FloorCursor, w: FloorCursor, space: FloorSpace, dst: Uint8Array, pos: number, to: number, n: number): number {
    let done = 0;
    while (done < n) {
      const va = pos + done;
      const off = va & 4095;
      const k = (va >>> 10) & 0xffc;
      if (space.slots[k] !== va - off) {
        r.#pos = pos + done;
        w.#pos = to + done;
        throw new FloorFault(done);
      }
      const m = Math.min(n - done, PAGE_SIZE - off);
      const p = (space.slots[k + 3] as number) + va;
      dst.set(space.ram.subarray(p, p + m), to + done);
      done += m;
    }
    r.#pos = pos + n;
    w.#pos = to + n;
    return n;
  }
}

/**
 * The honest floor of the 64 B user→kernel copy: per copy, a hand-written
 * reader made by one of three hand-written user spaces and a hand-written
 * writer made over the destination, as the API makes them
 * (`space.reader(va, 64).readFallible(VmWriter.from(dst))`): see
 * {@link FloorCursor}. Its TLB and RAM are fields of the space, not closure
 * constants V8 could fold, and its page-crossing and fault path is real
 * (exact count, cursors advanced), though no copy here takes it. With
 * `words`, a copy of ≤ 96 B on a TLB hit moves 32-bit words between a
 * `DataView` of RAM and one of the destination, as vmio's does since the
 * fifth pass (user-copy-64b-floor-honest-words): 0.24–0.30 in three runs
 * beside vmio's 0.31–0.32 and the `subarray` floor's 0.26–0.27 — vmio at
 * or above both.
 */
function smallCopyHonestFloor(words = false): BenchCase {
  return {
    id: words ? "user-copy-64b-floor-honest-words" : "user-copy-64b-floor-honest",
    group: "vm",
    title: words
      ? "honest floor of a 64 B user→kernel copy, word copy: the honest floor's reader and writer, the bytes moved as 32-bit words between a DataView of RAM and one of the destination (made once, one-entry cache) instead of a set of a subarray"
      : "honest floor of a 64 B user→kernel copy: hand-written user reader (one of three spaces, TLB on the object, active flag, hit counter) + writer (any Uint8Array, one-entry cache) per copy, #private fields, lease and bytes checked, exact count on a fault",
    limitLabel: "one Uint8Array.prototype.set of 64 B",
    ops: 1_000_000,
    unit: "copy",
    setup() {
      const ram = filled(4 << 20);
      const spaces = [0, 1, 2].map(() => new FloorSpace(ram, words));
      for (const sp of spaces) for (let k = 0; k < 4; k++) sp.map(BASE + k * PAGE_SIZE, (64 + k) * PAGE_SIZE);
      const src = filled(64);
      const dst = new Uint8Array(64);
      // Every space copies once, and a copy across a page boundary and one that faults take the slow path:
      // the call sites and the class see more than one object, and the floor's fault path is shown exact.
      for (const sp of spaces) {
        sp.active = true;
        sp.reader(BASE, 64).readFallible(FloorCursor.from(dst));
        sp.active = false;
      }
      const space = spaces[1] as FloorSpace;
      space.active = true;
      if (space.reader(BASE + PAGE_SIZE - 8, 64).readFallible(FloorCursor.from(dst)) !== 64) throw new Error("the floor's page-crossing copy is wrong");
      space.reader(BASE + 103, 64).readFallible(FloorCursor.from(dst));
      if (!dst.every((b, i) => b === ram[64 * PAGE_SIZE + 103 + i])) throw new Error("the floor's copy is wrong");
      const r = space.reader(BASE + 4 * PAGE_SIZE - 8, 64);
      try {
        r.readFallible(FloorCursor.from(dst));
        throw new Error("the floor did not fault");
      } catch (e) {
        if (!(e instanceof FloorFault) || e.copied !== 8 || r.cursor() !== BASE + 4 * PAGE_SIZE) throw e;
      }
      return {
        limit: setLoop(dst, src),
        vmio: (n) => {
          let moved = 0;
          for (let i = 0; i < n; i++) moved += space.reader(BASE + ((i * 64) & 0x3fff), 64).readFallible(FloorCursor.from(dst));
          return moved;
        },
      };
    },
  };
}

/**
 * The floor of a random read on a TLB hit: a hand-written software TLB
 * (1024 slots of tag and delta, 256 scattered pages cached) in front of
 * `DataView.getUint32`, against the row's limit (`DataView.getUint32` at
 * random offsets of one buffer). The tag compare, the delta load and the
 * add are what any translation costs in JS.
 */
function tlbHitFloor(): BenchCase {
  return {
    id: "tlb-hit-floor",
    group: "vm",
    title: "floor of a random read on a TLB hit (256 pages): hand-written software TLB (tag, delta) + DataView.getUint32",
    limitLabel: "DataView.getUint32 at random offsets",
    ops: 1 << 22,
    unit: "value",
    setup() {
      const pages = 256;
      const ram = new DataView(filled(4 << 20).buffer);
      const tags = handTlb(pages, scatteredPage(pages));
      const dv = new DataView(filled(pages * PAGE_SIZE).buffer);
      const K = 1 << 12;
      const offsets = new Float64Array(K);
      let seed = 12345;
      for (let i = 0; i < K; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        offsets[i] = (seed % (pages * 1024)) * 4;
      }
      const fault = (): never => {
        throw new Error("a miss: not in this case");
      };
      return {
        limit: (n) => {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += dv.getUint32(offsets[i & (K - 1)] as number, true);
          return sum;
        },
        vmio: (n) => {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const va = BASE + (offsets[i & (K - 1)] as number);
            const off = va & 4095;
            const s = ((va >>> 12) & 1023) * 2;
            if (tags[s] !== va - off || off > PAGE_SIZE - 4) fault();
            sum += ram.getUint32((tags[s + 1] as number) + va, true);
          }
          return sum;
        },
      };
    },
  };
}

/**
 * The honest floor of a random read on a TLB hit: the TLB of
 * {@link tlbHitFloor} held by an object, as an implementation with many
 * address spaces must hold it (here three, each with its own arrays), with
 * vmio's slot layout (read, write, execute tags and delta: 32 B a slot), the
 * space's "active" flag checked and a hit counter kept, behind a method
 * call. Its arrays are fields, not closure constants V8 can fold.
 */
function tlbHitFloorOnObject(): BenchCase {
  class HandSpace {
    readonly slots = new Float64Array(1024 * 4).fill(-1);
    readonly view: DataView;
    active = true;
    hits = 0;
    constructor(view: DataView) {
      this.view = view;
    }
    miss(va: number): never {
      throw new Error(`a miss at ${va}: not in this case`);
    }
    load32(va: number): number {
      const off = va & 4095;
      const base = va - off;
      const k = (va >>> 10) & 0xffc;
      if (this.active === true && off <= PAGE_SIZE - 4 && this.slots[k] === base) {
        this.hits++;
        return this.view.getUint32((this.slots[k + 3] as number) + va, true);
      }
      return this.miss(va);
    }
  }
  return {
    id: "tlb-hit-floor-object",
    group: "vm",
    title: "floor of a random read on a TLB hit (256 pages), TLB on an object: one of three hand-written spaces (32 B slots as vmio's, active flag, hit counter) + DataView.getUint32",
    limitLabel: "DataView.getUint32 at random offsets",
    ops: 1 << 22,
    unit: "value",
    setup() {
      const pages = 256;
      const ram = new DataView(filled(4 << 20).buffer);
      const spaces = [0, 1, 2].map(() => new HandSpace(ram));
      for (const sp of spaces) {
        for (let k = 0; k < pages; k++) {
          const va = BASE + k * PAGE_SIZE;
          const s = ((va >>> 12) & 1023) * 4;
          sp.slots[s] = va;
          sp.slots[s + 3] = scatteredPage(pages)(k) - va;
        }
      }
      const space = spaces[1] as HandSpace;
      const dv = new DataView(filled(pages * PAGE_SIZE).buffer);
      const K = 1 << 12;
      const offsets = new Float64Array(K);
      let seed = 12345;
      for (let i = 0; i < K; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        offsets[i] = (seed % (pages * 1024)) * 4;
      }
      // The other spaces read too: the call site and the class see more than one object.
      for (const sp of spaces) sp.load32(BASE);
      return {
        limit: (n) => {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += dv.getUint32(offsets[i & (K - 1)] as number, true);
          return sum;
        },
        vmio: (n) => {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += space.load32(BASE + (offsets[i & (K - 1)] as number));
          return sum;
        },
      };
    },
  };
}

// Each row that may fall short has its floor beside it (a `*-floor` case:
// the best hand-written plain JS doing the same job under the same rules),
// and the reason on the line above it.
export const cases: BenchCase[] = [
  // Past the TLB's reach most reads miss: a walk-cache hit, a leaf-entry load from RAM and a data load after it (floors:
  // walk-floor-*, whose TLB knows reads only — a tag and a delta, 16 B a page; walk-floor-vmram-* runs that walker over
  // vmio's RAM and table and costs what it costs on its own memory; walk-floor-fulltlb-* is the honest one, the same
  // walker with a TLB doing vmio's job: read, write-once-DIRTY and execute tags + delta, 32 B a slot). This pass:
  // the common miss (walk-cache hit, entry with nothing to set) is inline in SpaceState.valueAt, and readVal keeps
  // only the hit and that miss inline (123 bytes of bytecode, was 277/362), the rest in VmSpace.#readMissed; measured
  // in separate processes, old build against new in one sitting: 4 Ki 0.13 → 0.17, 64 Ki 0.083 → 0.094 (five more
  // runs: 4 Ki 0.18–0.19, 64 Ki 0.095–0.112, 256 Ki 0.084–0.089). What limits it, in V8 terms:
  // - a call out of the loop per miss was the first cost: missValue is past --max-inlined-bytecode-size (460), so every
  //   miss was a call, with a heap number allocated for the address (user addresses past 2^30 are not Smis); merging
  //   its tagged result with the hit's float64 also made TurboFan tag every hit's address before the decode;
  // - TurboFan inlines readVal into the loop only while 1.2 × (its bytecode + what its own optimised code inlined)
  //   stays within the 920-byte cumulative budget: with the shared-RAM path and the miss call written in readVal it
  //   was 362 + 486 and every read became a call once the walk step was warm (--trace-turbo-inlining); now 123 + 486;
  // - the TLB's layout: the read-only floor's TLB touches half the memory of one that also serves writes and fetches
  //   (walk-floor-fulltlb-* is 0.22–0.24 at 4 Ki where walk-floor-* is 0.22–0.30, 0.09–0.10 at 256 Ki against 0.11);
  // - left against walk-floor-fulltlb-* (12.8–14.0 ns against 10.0–10.2, once 13.7, at 4 Ki): the API's checks, the two statistics counters,
  //   and the paging format's frame-number fields read from the PageTable (the floor folds x86-64's shifts and masks
  //   into its code; holding them as Smi fields on SpaceState measured no gain). Not attributed further at this noise.
  // Fourth pass: most of that gap was VmSpace's #state being a mutable field (see the TLB-hit row below): with it const,
  // TurboFan folds the SpaceState and its const fields (TLB and walk-cache arrays, RAM views, the paging format's bits)
  // into the loop. A/B against main's build, three rounds at load 3.5–5.7: 4 Ki 0.16–0.19 → 0.20–0.22, 64 Ki
  // 0.09–0.11 → 0.11–0.13, 256 Ki 0.08–0.11 → 0.08–0.12 (walk-floor-fulltlb-4ki 0.24 in the same runs). The API's share
  // is measured apart (walk-floor-api-*: the honest walker held by one of three space objects, with an active flag,
  // hit and miss counters and an out-of-line rest whose result merges with the inline one's): 0.24–0.25 at 4 Ki, the
  // same as walk-floor-fulltlb's — the API's checks and counters cost nothing measurable. What is left (~1.5 ns a read):
  // vmio's loop and walk-floor-api's are the same machine code shape (--print-opt-code: the same loads, compares and
  // TLB fill; vmio's frame number in float64 arithmetic from the paging format's scale where the floor has an int32
  // multiply, the floor's vpn a divide where vmio's is a multiply), and the very same optimised code (diffed) ran
  // 11.5–17.5 ns a read from one process to the next: the rest is below this machine's process-to-process spread.
  // Sixth pass. (1) The 64 Ki row's two speeds between processes are not vmio's code: in 8 processes traced with
  // --trace-turbo-inlining --trace-deopt --trace-opt, every one compiled the same loop (readVal, valueAt and frameAt
  // inlined; #readMissed and missValue not; no deopt of any of them), made the same walk-cache and TLB hits and misses
  // (the offsets are fixed: 1,021,427 hits, 11,561,485 misses each time) and no GC ran while timed (--trace-gc); and
  // the honest floor (HandSpaceWalker over the same RAM and table, alternated in the same process) moved with vmio,
  // 17–25 ns a read from one process to the next, vmio at 0.99–1.16× of it in 7 of the 8 (1.51 in the eighth, whose
  // samples spread 20–92 ns; but see (4)). Nor is it the RAM buffer's placement: two RAMs in one process, each with vmio and the
  // floor over it, ran within 0–11 % of each other in 4 of 5 processes (28 % for vmio and 15 % for the floor in the
  // fifth). What is left is how loaded the two shared cores are while a process runs; one process of those five had
  // vmio at 1.56× the floor over both RAMs, not attributed.
  // (2) What was vmio's own past the TLB: valueAt's common miss took the frame number through PageTable.frameAt, whose
  // feedback is Number (an x86-64 user entry's high word has NX, bit 63, so it is a heap number in the interpreter):
  // TurboFan made it a float64 multiply, an int64 add and a range check between the entry's load and the value's.
  // It now takes it from the low word alone (RAM is at most 4 GiB: the high word has no frame bits; an entry that has
  // some is left to missValue), which TurboFan compiles to `lo & 0xfffff000`. One process, one RAM, one space with the
  // old valueAt and one with the new (own-property functions, same build), alternated, 6 processes at load 2–5:
  // 64 Ki 20.4–27.4 → 18.0–24.4 ns (new/old 0.77–0.89; new 0.99–1.23× the floor in the same process, old 1.13–1.38×),
  // 4 Ki 11.7–12.5 → 11.1–11.7 ns (0.92–0.95 in 5 of 6), 256 Ki 0.69–0.94 (4 of 4). Harness, this build against main's,
  // 3 processes each, alternated: 4 Ki 0.159–0.212 → 0.181–0.226, 64 Ki 0.096–0.113 → 0.125–0.162, 256 Ki 0.080–0.109 →
  // 0.092–0.117 (walk-floor-api-4ki 0.195–0.319, -64ki 0.117–0.158 in the same runs). The floors above divide by
  // PAGE_SIZE (an imported binding, loaded with a hole check, then vdivsd) where vmio multiplies by 2^-12: that made
  // them slower than a hand-written walker need be (walk-floor-api-local-*, below).
  // (3) What was left against the floors was the shape of valueAt's answer, not its work. Measured with
  // HandSpaceWalkerLocal (walk-floor-api-local-*, below: the honest floor with the page size a module-local constant,
  // as in vmio's own modules — the older floors load the imported binding with a hole check and divide by it) and a
  // copy of it written as vmio was (a translation step answering one address or -1, decoded once), each alone in a
  // process beside vmio: the local floor ran at 0.70–0.75× vmio's time at 4 Ki and 0.76–0.83× at 64 Ki, the copy
  // with vmio's shape at 0.96–0.98× at both. TurboFan gives a merged value one representation: the walk-cache step's
  // address is a uint32 (`lo & 0xfffff000` plus the offset), and beside -1 the merge could only be a float64, so each
  // common miss converted its address to float64 and back (an exactness check) before the load. valueAt now answers a
  // uint32 (the hit's address `>>> 0`, exact below 4 GiB) and NO_VALUE = 2^32 − 1 for none: one word compared, RAM
  // indexed with it. vmio over the local floor in one process (alternated, processes of both builds interleaved):
  // 4 Ki 1.28–1.34 (main's build) / 1.08–1.35 (low-word build) → 1.03–1.26; 64 Ki 1.15–1.22 (low-word build, quiet
  // processes) → 1.01–1.10. Harness, this build against main's, 3 processes each at load 5–6.5: 4 Ki 0.189–0.205 →
  // 0.197–0.238, 64 Ki 0.094–0.136 → 0.149–0.166, 256 Ki 0.076–0.122 → 0.093–0.098, user-readval-random (TLB hits)
  // 0.326–0.433 → 0.339–0.398, tlb-miss 0.327–0.377 → 0.377–0.465.
  // What limits the 4 Ki row now: its honest floor (walk-floor-api-local-4ki, 0.27–0.28 in this pass's runs) is below
  // the target 0.33.
  // (4) The slow processes: under load about one process in three ran vmio at 1.5–1.9× the floor beside it, with any
  // build. Traced (--trace-turbo-inlining), those had readVal optimised on its own first, while the first reads still
  // missed often (a cold TLB, ACCESSED bits to set): #readMissed's call frequency then passed V8's 0.15 and it was
  // inlined into readVal's own code — 823 bytes with the shared-RAM path in it — so 1.2 × (123 + 823) passed the
  // 920-byte budget and the loop called readVal on every read. So (1)'s conclusion holds only for the processes that
  // got the inlined readVal. readVal's miss is now two functions, #readMissed (missValue; unshared) and #readOther
  // (shared RAM, the general path, never called on unshared RAM): readVal's own code inlines at most 549–563 bytes,
  // and it is inlined into the loop whatever the order. Forcing the bad order (%OptimizeFunctionOnNextCall on readVal
  // after 3,000 first touches): main's build 39–40 ns a read at 64 Ki (1.81–1.88× the floor), 29.8 at 4 Ki (2.1×);
  // this build 15.8–16.3 (0.96–0.98×), 9.9 (1.05×).
  // This pass's end state (main's build against this one, harness, 3 processes each, alternated, load 4–5): 4 Ki
  // 0.182–0.196 → 0.213–0.259, 64 Ki 0.090–0.138 → 0.151–0.181, 256 Ki 0.077–0.092 → 0.127–0.166, user-readval-random
  // (TLB hits) 0.363–0.451 → 0.372–0.387; walk-floor-api-local-4ki 0.270–0.305, -64ki 0.157–0.184 in the same sitting.
  randomWorkingSet(4096, 1 / 3, false),
  randomWorkingSet(65536, 1 / 8, false),
  randomWorkingSet(262144, 1 / 12, false),
  // Mmu.load32 on a TLB hit: Mmu's fields (TLB array, RAM view, `shared`) are defined once by their initializers, so
  // TurboFan folds them when the Mmu is a constant of the caller's code (see VmSpace's #state and the TLB-hit row).
  // A/B against main's build, separate processes, three rounds at load 4.9–6.7: 0.37–0.38 → 0.45–0.48 (256 Ki:
  // 0.080–0.086 → 0.090–0.094). The shared-RAM rows below take this unshared Mmu as their limit, which became
  // 5.5–6.7 ns from 9.6–11.2: their ratios fell (load 0.26–0.27 → 0.21–0.23) while their own times did not grow
  // (load 40–43 → 27–40 ns, store 73–84 → 69–82 ns).
  // Random writes past the TLB: the random-read rows' addresses and targets, with writeVal(u32) (honest floor:
  // walk-floor-write-*, HandSpaceWalkerLocal.store32 — the value checked, the TLB's write tag, the walk-cache common miss
  // with a writable DIRTY entry inline, the rest out of line, errors in vmio's order). Added this pass (seventh), with
  // main's build (32d3210) first: it had two speeds between processes, as readVal had. --trace-turbo-inlining: in the
  // slow processes writeVal (188 bytes) had been optimised on its own while its first writes still missed (a cold TLB,
  // DIRTY bits to set), #storeMissed (264 bytes) was then past V8's 0.15 call frequency and inlined into it — 822 bytes
  // in all — and 1.2 × (188 + 822) > 920: the loop called writeVal on every write (7 of 8 traced processes at 64 Ki and
  // 256 Ki; 0.085–0.099 against 0.133–0.144 in the fast ones). Forced into that order in one process
  // (%OptimizeFunctionOnNextCall after 3,000 first touches, 64 Ki): 40.9 ns a write, 2.12× the floor beside it.
  // Now (src/vm/vm-space.ts): the miss calls missValue itself (519 bytes, never inlined), its answer merged as a uint32
  // into the one store, and a valid scalar is translated before it is stored (its snapshot is the value, checked by
  // `valid`, which reads and changes nothing), so the isIndex check that a struct's getters need before them is not on
  // its path; structs and everything else keep the checked order in #writeChecked. writeVal is 204 bytes and inlines
  // 500 (valueAt, valid, store) whatever the order: 1.2 × 704 = 845. Traced: inlined into the loop in every process
  // (9 of 9 at 4, 64 and 256 Ki). Forced order, one process, 64 Ki: 19.6–21.6 ns, 0.92–1.19× the floor (main's build
  // alternated with it: 40.9–43.0 ns, 1.88–2.12×). One process, 4 Ki, variants of the fast
  // path over one SpaceState alternated with the floor: with isIndex and the snapshot first 11.4–13.4 ns, translated
  // first 10.0–11.1, floor 9.0–11.5. Harness, main's build against this one, alternated, 3 processes each, load 9–10:
  // 4 Ki 0.165–0.188 → 0.199–0.221, 64 Ki 0.132–0.144 → 0.133–0.147, 256 Ki 0.071–0.089 → 0.114–0.175 (main's slow
  // order in all six processes there); floors 4 Ki 0.23–0.37, 64 Ki 0.146–0.192, 256 Ki 0.141–0.173. At load 6 (an
  // earlier round of this build, before the scalar path): 0.171–0.178 / 0.123–0.141 / 0.124–0.129, main's 0.177–0.181 /
  // 0.087–0.140 / 0.073–0.132. The readVal rows (user-readval-random-*, -random, mmu-load32-random-*, tlb-hit-floor*)
  // ran the same with either build (readVal's code is unchanged). What limits the rows now: 64 Ki and 256 Ki meet their
  // targets, at 0.8–0.9 of the floor (the same leaf-entry load and data load after it); 4 Ki is short of 0.33 and so is
  // its honest floor (0.23–0.37 under this load, 0.26–0.31 at load 6), which does the same TLB and walk-cache work.
  randomWriteSet(4096, 1 / 3),
  randomWriteSet(65536, 1 / 8),
  randomWriteSet(262144, 1 / 12),
  walkFloorWrite(4096),
  walkFloorWrite(65536),
  walkFloorWrite(262144),
  randomWorkingSet(256, 1 / 3, true),
  randomWorkingSet(262144, 1 / 12, true),
  walkFloor(4096),
  walkFloor(65536),
  walkFloor(262144),
  walkFloorOnVmRam(4096),
  walkFloorOnVmRam(262144),
  walkFloorFullTlb(4096),
  walkFloorFullTlb(65536),
  walkFloorFullTlb(262144),
  walkFloorApi(4096),
  walkFloorApi(65536),
  walkFloorApi(4096, true),
  walkFloorApi(65536, true),
  // Each `Atomics` operation is a call into V8's runtime, 10–15 ns against ~1 ns for the access (floors: shared-load-floor, shared-store-floor).
  sharedReadVal(),
  sharedMmu(false),
  sharedMmu(true),
  sharedFloor(false),
  sharedFloor(true),
  bigCopy(false),
  // 16 MiB: one `set` of 16 MiB, as the limit's, plus a check of each of the 4096 pages' leaf entries (see bigCopy).
  // Main's build 0.81–0.90 (0.86 in the last table run) lost up to 104 µs a copy to the merge from the table (a TLB fill
  // per page and float64 entry arithmetic); this stop's merge fills the 1024 slots that keep their fill and checks in
  // int32: 0.89–1.01 (median 0.95) beside its floor's 0.93–1.01 (0.98), main's 0.81–0.90 (0.88) in between (five
  // alternated harness runs each, --runs 3, load 5–9 on 2 cores). With the limit, the row and the floor in one process
  // (three processes) the row was 0.01–0.08 below its floor (0.81–0.90 against 0.84–0.95): a TLB fill of the last 1024
  // pages, on lines the `set` evicted, is the row's own. The floor, user-copy-16m-contiguous-floor, is one `set` plus
  // the same check by hand: what it loses against the limit is that check on a table the `set` has just evicted.
  bigCopy(false, 16),
  bigCopy(false, 64),
  bigCopyFloor(1),
  bigCopyFloor(16),
  bigCopyFloor(64),
  // Pages in scattered frames cannot merge: one `set` per 4 KiB page (floor: user-copy-1m-scattered-floor). In time vmio
  // is at the floor (61.6 µs each in one run); the ratios (0.59–0.70 against 0.74–0.84) move with the limit's 1 MiB `set`
  // (43–53 µs). 256 `set`s from the same offsets of any fresh 18 MiB buffer cost what they cost from vmio's RAM.
  bigCopy(true),
  scatteredCopyFloor(),
  // Added at the end of the fourth pass: the honest floor (a TLB lookup and a view per page, made per copy) ran at
  // 0.73–0.77 beside vmio's 0.53–0.59 then (the table run: 0.55, re-runs 0.59–0.62), with 10–25 µs a copy of vmio's own
  // in one process. Fifth pass, attributed (perf record with --perf-basic-prof, --print-opt-code, --trace-turbo-inlining):
  // - the whole-page view cache checked `view.byteOffset`: optimised code on Node 20 reads that getter through a generic
  //   load IC and a call (about 20 ns a page; the cache saved a `subarray` of about as much). Now Tlb.pageAddrs, a
  //   Float64Array of the views' addresses, is compared instead;
  // - `dBytes.set(view, i)`: the load of `set` is a generic load IC per page too (about 8 ns); the copy loop now calls
  //   Uint8Array.prototype.set held in a module constant (a direct call of the builtin);
  // - every page went through runSlow, which TurboFan inlined into copyLoop only when runSlow had not been optimised on
  //   its own first (its optimised code's inlined bytecode counts against copyLoop's 920-byte budget): a call per page
  //   or not from one process to the next (main's build, two processes: 0.65 inlined, 0.55 not). A whole scattered page
  //   is now answered by SpaceState.probeRun (247 bytes, calls nothing, always inlined); runSlow is left to first pages,
  //   misses and merged runs.
  // Measured: in one process, 16 pages (cache-resident, where the per-page work shows), vmio against the best
  // hand-written loop (user-copy-1m-scattered-floor-cached's), medians of paired rounds: main's build 3–20 ns a page
  // slower, this one 2–12 (five and three processes; one noisy process of each left out: +74 and +30). Harness processes alternated with main's build (--case, nine each, load
  // average 4–7): vmio 0.67–0.78 (median 0.72) against main's 0.60–0.75 (median 0.66); honest floor 0.61–0.84, best
  // floor 0.72–0.82 (median 0.77). What is left is the best floor's: 256 calls of the `set` builtin (its checks and a
  // memmove of 4 KiB each) against one memmove of 1 MiB.
  scatteredCopyFloorHonest(),
  scatteredCopyFloorHonest(true),
  // A copy from a moving user address needs a view made per copy (`subarray`), about the cost of a 64 B `set` (floor:
  // user-copy-64b-floor, which has no cursor objects at all; the honest floor, user-copy-64b-floor-honest, makes a
  // user reader and a writer per copy as the API does, see FloorCursor). Before this pass the loop inlined
  // VmSpace.reader and VmWriter.from but not readFallible's copy chain (transfer → exchange → copyRaw → copyWithSpace
  // → probe, checkDirect: 109 + 758 bytes, past V8's 920-byte budget), so both cursors escaped into that call and were
  // allocated: 0.15–0.18. Now readFallible of a space reader goes through CursorAccess.spaceCopy (141 bytes), which
  // calls copyWithSpace given the writer's fields; copyWithSpace (467 bytes) is past V8's 460-byte limit for a
  // function to be inlined at all, so spaceCopy's own optimised code stays small and the loop inlines everything but
  // that one call (13 inlinees, ≈ 900 bytes): the writer is no longer allocated (GC scavenges 87 → 62 in one run).
  // The reader still is: it is the receiver of readFallible around an un-inlined call (the escape-analysis rule, see
  // io.bench.ts), as the honest floor's reader is. A/B against main's build, alternating processes (medians of six
  // pairs: 0.20 against 0.17): 0.16–0.28 against 0.15–0.23; two harness runs 0.20 / 0.22, the honest floor 0.27 / 0.24,
  // the old floor 0.30 / 0.27 (load average 6). What is left to the honest floor is that call (nine
  // arguments, copyWithSpace's frame) and vmio's generality inside it; inlining the TLB hit too would need ≈ 300 more
  // bytes of budget than the loop has. With the budget raised to 2,000 (user-copy-64b-budget-2000) copyWithSpace
  // still cannot be inlined (its own size), so that row no longer shows a gain: 0.19–0.22, where it was 0.22–0.24.
  // Fifth pass, measured (--print-opt-code, --trace-turbo-inlining, GC counts, lengths 8–1,000 B): the call and the
  // reader were not the gap. A 64 B copy cost ~90 ns of which ~60 ns was `set` of a `subarray` of RAM (the subarray is
  // an object made through a builtin; the honest floor paid the same, which is why it sat at 0.24–0.27); an 8 B copy
  // through the whole chain costs ~30 ns, only ~10 ns above one `set`. Now copyWithSpace moves a copy of ≤ 96 B on a TLB
  // hit as 32-bit words between RAM's DataView and the typed side's shared one (copyWords; the view is made on the
  // array's 32nd small copy, before the probe). Three harness runs each, alternating with main's build (load 4.7–5.5):
  // 0.306 / 0.306 / 0.315 (63.5–68.3 ns) against main's 0.212–0.229 (98–107 ns), a fourth at load 8.5 0.295 against
  // 0.221; the honest floor 0.26–0.27 and its word-copy version (user-copy-64b-floor-honest-words) 0.24–0.30 in the
  // same runs. What is left (~45 ns above one
  // `set`): the words, ~0.5 ns a byte (each DataView access checks the view's map and bounds again: TurboFan hoists
  // nothing out of a loop), the reader's allocation (the receiver rule) and the one call (~10 ns together).
  smallCopy(),
  smallCopy(2000),
  smallCopyFloor(),
  smallWriteFloor(),
  smallReadBytes(),
  smallWriteBytes(),
  smallWrite(),
  smallCopyHonestFloor(),
  smallCopyHonestFloor(true),
  // A translation is a tag compare, a delta load and an add on top of the read (floors: tlb-hit-floor, whose TLB arrays
  // are closure constants; tlb-hit-floor-object, the honest one: one of three hand-written spaces on objects, 32 B
  // slots as vmio's, an active flag and a hit counter, behind a method call). This pass: readVal's hit keeps its
  // address a float64 (valueAt returns -1 instead of calling the miss: a call's tagged result merged with it made
  // TurboFan tag it), compares booleans with === (a bare test of a field is V8's generic ToBoolean: five compares),
  // and loads the delta before counting the hit (after the store TurboFan loaded the array again): 7.7 → 6.8 ns in
  // the same sitting, 0.30 → 0.32 (five runs 0.31–0.33, 6.6–7.2 ns; the object floor 0.31–0.39, 5.3–6.5 ns). What is left
  // against the object floor (~1 ns): readVal's argument checks (type brand, number), the descriptor's decode reached
  // through the type, and the SpaceState's map check behind VmSpace's private field.
  // Fourth pass (--print-opt-code of both loops, instruction by instruction): the floor's TLB array and its "active"
  // flag were constants in its code — V8's const-field tracking: a field stored once (its initializer) stays "const",
  // and TurboFan folds a const field of a constant object (the bench's space is a closure constant, as an emulator's
  // often is). VmSpace's #state was a field defined as undefined and assigned in the constructor — a second store,
  // which made it mutable: every read loaded it and checked the SpaceState's map, then loaded the TLB array, the RAM
  // view and `shared` from it. With #state defined once by its initializer, all of it folds (the SpaceState's fields
  // are stored once in its constructor). A/B against main's build, separate processes, three rounds at load 3.5–5.7:
  // 0.320–0.333 → 0.364–0.367, at the object floor (0.36–0.40 in the same runs). The argument checks fold too here
  // (the type is a constant).
  {
    id: "user-readval-random",
    group: "vm",
    title: "random VmSpace.readVal(u32) at user addresses, TLB hits (256 pages)",
    limitLabel: "DataView.getUint32 at random offsets",
    target: 1 / 3,
    ops: 1 << 22,
    unit: "value",
    setup() {
      const pages = 256;
      const space = mappedSpace(new PhysicalMemory({ size: 4 << 20 }), pages, true);
      const bytes = filled(pages * PAGE_SIZE);
      const dv = new DataView(bytes.buffer);
      const K = 1 << 12;
      const offsets = new Float64Array(K);
      let seed = 12345;
      for (let i = 0; i < K; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        offsets[i] = (seed % (pages * 1024)) * 4;
      }
      const T = u32;
      return {
        limit: (n) => {
          let s = 0;
          for (let i = 0; i < n; i++) s += dv.getUint32(offsets[i & (K - 1)] as number, true);
          return s;
        },
        vmio: (n) => {
          let s = 0;
          for (let i = 0; i < n; i++) s += space.readVal(BASE + (offsets[i & (K - 1)] as number), T);
          return s;
        },
        teardown: () => space.dispose(),
      };
    },
  },
  tlbHitFloor(),
  tlbHitFloorOnObject(),
  {
    id: "user-readval-reader",
    group: "vm",
    title: "sequential readVal(u32) through one user reader over 256 pages (TLB hits)",
    limitLabel: "DataView.getUint32 in a loop",
    ops: 256 * 1024 * 8,
    unit: "value",
    setup() {
      const pages = 256;
      const space = mappedSpace(new PhysicalMemory({ size: 4 << 20 }), pages, true);
      const bytes = filled(pages * PAGE_SIZE);
      const dv = new DataView(bytes.buffer);
      const N = pages * 1024;
      const T = u32;
      return {
        limit: (n) => {
          let s = 0;
          for (let done = 0; done < n; done += N) for (let o = 0; o < N * 4; o += 4) s += dv.getUint32(o, true);
          return s;
        },
        vmio: (n) => {
          let s = 0;
          for (let done = 0; done < n; done += N) {
            const r = space.reader(BASE, N * 4);
            for (let i = 0; i < N; i++) s += r.readVal(T);
          }
          return s;
        },
        teardown: () => space.dispose(),
      };
    },
  },
  {
    id: "tlb-miss",
    group: "vm",
    title: "readVal(u32) on a TLB miss (page walk) — one access per page over 4096 pages",
    limitLabel: "the same on TLB hits (one access per page over 512 pages)",
    ops: 4096 * 50,
    unit: "access",
    setup() {
      const space = mappedSpace(new PhysicalMemory({ size: 32 << 20 }), 4096, false);
      const T = u32;
      return {
        limit: (n) => {
          let s = 0;
          for (let i = 0; i < n; i++) s += space.readVal(BASE + (i & 511) * PAGE_SIZE, T);
          return s;
        },
        vmio: (n) => {
          let s = 0;
          for (let i = 0; i < n; i++) s += space.readVal(BASE + (i & 4095) * PAGE_SIZE, T);
          return s;
        },
        teardown: () => space.dispose(),
      };
    },
  },
];
