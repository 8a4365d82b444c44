/**
 * The paging formats a `PhysicalMemory` can be made with, by name.
 *
 * The frame layer only records which one a RAM uses (a header word, so that
 * workers attaching the RAM use the same); the formats themselves — how a
 * page-table entry is laid out — live in the vm layer (`vm/paging-format.ts`).
 *
 * @module
 */

/**
 * A paging format: `"x86-64"` (4-level x86-64 page tables, the default) or
 * `"riscv-sv48"` (RISC-V Sv48: 4 levels, real Sv48 entries).
 *
 * OSTD counterpart: the `PagingConstsTrait` and `PageTableEntryTrait`
 * implementations of `ostd::arch::x86` and `ostd::arch::riscv`.
 */
export type PagingName = "x86-64" | "riscv-sv48";

/** The formats, in the order of their number in the RAM header. */
export const PAGING_NAMES: readonly PagingName[] = Object.freeze(["x86-64", "riscv-sv48"]);

/** The number of format `name` in the RAM header, or -1 when `name` is not a format. */
export function pagingId(name: unknown): number {
  return PAGING_NAMES.indexOf(name as PagingName);
}
