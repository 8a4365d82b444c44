/**
 * What a kernel snapshot holds (`Kernel.inspect()`, see `inspect.ts`):
 * processes and threads, their regions with the present pages' real
 * page-table entries, frames by kind, the counters.
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

/** One process. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly state: "alive" | "zombie" | "reaped";
  readonly exe: string;
  readonly argv: readonly string[];
  readonly threads: ReadonlyArray<{ readonly tid: number; readonly state: string; readonly pc: number }>;
  readonly regions: readonly RegionInfo[];
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
    readonly peak: number;
    /** The physical address of the zero page (mapped read-only for reads of untouched anonymous memory), once it exists. */
    readonly zeroPage: number | undefined;
  };
  readonly faults: Readonly<Record<FaultResolution, number>>;
  readonly instructions: number;
  readonly syscalls: number;
}
