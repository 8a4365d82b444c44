/**
 * What a kernel snapshot holds (`Kernel.inspect()`, see `inspect.ts`):
 * processes and threads, their regions with the present pages' real
 * page-table entries, each address space's page-table tree and TLB
 * counters as vmio reports them, frames by kind, the counters.
 *
 * Plain data, and this file imports nothing but the import-free
 * `mm-events.ts`: a page compiled on its own, without vmio or the rest of
 * the kernel (the inspector's), uses these very types.
 *
 * @module
 */

import type { FaultResolution } from "../mm/mm-events.js";

/** One mapped page as the page table holds it. */
export interface PageInfo {
  readonly va: number;
  /** The frame's physical address. */
  readonly paddr: number;
  /** `PageFlags` bits of the entry (R, W, X, ACCESSED, DIRTY). */
  readonly flags: number;
  /** The frame's reference count (mappings in every address space, and kernel handles). */
  readonly refs: number;
}

/** One region of an address space. */
export interface RegionInfo {
  readonly start: number;
  readonly end: number;
  /** `PROT_*` bits. */
  readonly prot: number;
  readonly shared: boolean;
  readonly name: string;
  readonly kind: "anon" | "file" | "shared";
  /** Pages present in the page table. */
  readonly mapped: number;
  /** Present pages of a private region whose frame another mapping shares (copy-on-write pending). */
  readonly cowShared: number;
  /** The present pages, in address order. */
  readonly pages: readonly PageInfo[];
}

/**
 * One entry of a page-table node that is not empty, as vmio's read-only
 * walk (`VmSpace.walkPageTable`) read it from RAM.
 */
export interface TableEntryInfo {
  /** Its index in its node (0–511). */
  readonly index: number;
  /** The first virtual address it covers. */
  readonly va: number;
  /** Bytes of virtual address it covers: 4 KiB at level 1, 2 MiB at 2, 1 GiB at 3, 512 GiB at 4. */
  readonly span: number;
  /** The bits set, by their names in the memory's paging format (x86-64 `P RW US … NX`, Sv48 `V R W X U G A D`). */
  readonly flags: readonly string[];
  /** The physical address it points to: the node below, or (level 1) the mapped frame. */
  readonly paddr: number;
  /** The node below (entries above level 1 that point to a table). */
  readonly child: TableNodeInfo | undefined;
}

/** One node (one frame) of a page table. */
export interface TableNodeInfo {
  /** 4 for the root, 1 for the nodes whose entries map 4 KiB pages. */
  readonly level: number;
  /** The node's physical address. */
  readonly paddr: number;
  /** The first virtual address it covers. */
  readonly va: number;
  /** Its entries that are not empty (vmio's count, kept in the node's frame metadata). */
  readonly present: number;
  /** Its entries that are not empty, by index. */
  readonly entries: readonly TableEntryInfo[];
}

/** An address space's page table, walked from the root in RAM. */
export interface PageTableInfo {
  /** The memory's paging format (`"x86-64"`, `"riscv-sv48"`). */
  readonly paging: string;
  readonly root: TableNodeInfo;
  /** Nodes in the tree, the root included: the frames the page table holds. */
  readonly nodes: number;
  /** Pages mapped (level-1 entries). */
  readonly pages: number;
}

/** vmio's TLB counters of an address space, on the kernel's thread (`VmSpace.tlbStats`). */
export interface TlbInfo {
  /** Translations found in the TLB. */
  readonly hits: number;
  /** Translations that walked the page table. */
  readonly misses: number;
  /** Whole flushes of the TLB. */
  readonly flushes: number;
  /** Unmaps and protects that removed or narrowed translations (on every thread). */
  readonly shootdowns: number;
}

/** One process. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly state: "alive" | "zombie" | "reaped";
  readonly exe: string;
  readonly argv: readonly string[];
  readonly threads: ReadonlyArray<{ readonly tid: number; readonly state: string; readonly pc: number }>;
  readonly regions: readonly RegionInfo[];
  /** Its page table; `undefined` once its address space is gone (a zombie). */
  readonly pageTable: PageTableInfo | undefined;
  /** Its address space's TLB counters; `undefined` once the address space is gone. */
  readonly tlb: TlbInfo | undefined;
}

/** The whole kernel. */
export interface KernelSnapshot {
  readonly processes: readonly ProcessInfo[];
  readonly frames: {
    readonly total: number;
    readonly free: number;
    /** Distinct frames mapped in user address spaces (the zero page among them, once mapped). */
    readonly user: number;
    /** The rest of the frames in use: page tables, address-space control blocks, the zero page while no one maps it. */
    readonly kernel: number;
    /** Of those, the page tables' nodes (every process's). */
    readonly pageTables: number;
    readonly peak: number;
    /** The physical address of the zero page (mapped read-only for reads of untouched anonymous memory), once it exists. */
    readonly zeroPage: number | undefined;
  };
  readonly faults: Readonly<Record<FaultResolution, number>>;
  readonly instructions: number;
  readonly syscalls: number;
}
