/**
 * Virtual memory areas: the kernel's record of what a range of an address
 * space should be — its permissions, whether it is private (copy-on-write
 * after `fork`) or shared, and where its pages come from when first touched
 * (zeros, a file's bytes, a shared memory object). The page table holds
 * only the pages touched so far; the areas say what every other page would
 * be, which is what the page-fault handler consults.
 *
 * Linux counterpart: `struct vm_area_struct`.
 *
 * @module
 */

import { PAGE_SIZE } from "vmio";
import type { SharedMemory } from "./shared-memory.js";

/** Where the pages of an area come from. */
export type VmaBacking =
  /** Zero-filled on first touch (anonymous memory, bss, heap, stack). */
  | { readonly kind: "anon" }
  /**
   * A file's bytes (an ELF segment, a private file mapping): page `va` holds
   * the file bytes from `offset + (va - start)`, up to file offset `limit`;
   * the rest of the page is zeros.
   */
  | { readonly kind: "file"; readonly data: Uint8Array; readonly offset: number; readonly limit: number }
  /** Pages of a shared memory object, from page `pgoff` of it. */
  | { readonly kind: "shared"; readonly object: SharedMemory; readonly pgoff: number };

/**
 * One area: `[start, end)`, page-aligned.
 *
 * Linux counterpart: `struct vm_area_struct` (`vm_start`, `vm_end`,
 * `vm_flags`, `vm_file`/`vm_pgoff`, anonymous or shared).
 */
export class Vma {
  start: number;
  end: number;
  /** `PROT_READ | PROT_WRITE | PROT_EXEC` bits. */
  prot: number;
  /** Private areas are copy-on-write after `fork`; shared ones map the same pages in parent and child. */
  readonly shared: boolean;
  /** The stack: a fault just below it grows it (up to the stack limit). */
  readonly growsDown: boolean;
  backing: VmaBacking;
  /** What `/proc/self/maps` would call it: a path, `[heap]`, `[stack]`, or "". */
  readonly name: string;

  constructor(start: number, end: number, prot: number, shared: boolean, backing: VmaBacking, name = "", growsDown = false) {
    this.start = start;
    this.end = end;
    this.prot = prot;
    this.shared = shared;
    this.backing = backing;
    this.name = name;
    this.growsDown = growsDown;
  }

  /** Size in bytes. */
  get length(): number {
    return this.end - this.start;
  }

  /** The backing as seen from a new start address `start` (≥ this.start): offsets move with it. */
  backingFrom(start: number): VmaBacking {
    const b = this.backing;
    const delta = start - this.start;
    if (b.kind === "file") return { kind: "file", data: b.data, offset: b.offset + delta, limit: b.limit };
    if (b.kind === "shared") return { kind: "shared", object: b.object, pgoff: b.pgoff + delta / PAGE_SIZE };
    return b;
  }

  /** A copy of `[start, end)` of this area (a piece after a split, or a child's area after `fork`). */
  slice(start: number, end: number): Vma {
    const v = new Vma(start, end, this.prot, this.shared, this.backingFrom(start), this.name, this.growsDown);
    if (v.backing.kind === "shared") v.backing.object.ref();
    return v;
  }

  /** Whether `other` (starting where this ends) could be merged into this area. */
  continuesWith(other: Vma): boolean {
    if (other.start !== this.end || other.prot !== this.prot || other.shared !== this.shared || other.growsDown !== this.growsDown || other.name !== this.name) {
      return false;
    }
    const a = this.backing;
    const b = other.backing;
    if (a.kind === "anon" && b.kind === "anon") return true;
    if (a.kind === "file" && b.kind === "file") return a.data === b.data && a.limit === b.limit && a.offset + this.length === b.offset;
    if (a.kind === "shared" && b.kind === "shared") return a.object === b.object && a.pgoff + this.length / PAGE_SIZE === b.pgoff;
    return false;
  }

  /** Drops what the area holds on its backing (a shared object's reference). */
  release(): void {
    if (this.backing.kind === "shared") this.backing.object.unref();
  }
}
