/**
 * A read-only picture of a page table, taken from the entries in RAM: for
 * tools that show what the MMU would see (an inspector, a debugger, tests).
 *
 * Linux counterpart: `ptdump` (`/sys/kernel/debug/page_tables`) and
 * `/proc/PID/pagemap`; OSTD has none (its page tables are walked by cursors
 * only).
 *
 * @module
 */

import type { PagingName } from "../frame/paging-name.js";
import { PAGE_SIZE } from "../frame/page-size.js";
import type { PageProperty } from "./page-property.js";
import type { PageTable } from "./page-table.js";
import type { VaRange } from "./cursor.js";

/** One entry of a page-table node that is not empty. */
export interface PageTableEntryInfo {
  /** Index of the entry in its node (0–511). */
  readonly index: number;
  /** The first virtual address the entry covers. */
  readonly va: number;
  /** Bytes of virtual address the entry covers: 4 KiB at level 1, 2 MiB at 2, 1 GiB at 3, 512 GiB at 4. */
  readonly span: number;
  /** The entry's low 32 bits (bits 0–31), as stored in RAM. */
  readonly lo: number;
  /** The entry's high 32 bits (bits 32–63). */
  readonly hi: number;
  /**
   * The architectural names of the bits set, in the memory's paging format:
   * x86-64 `P RW US PWT PCD A D PAT NX` (`PS` for bit 7 above level 1, and
   * vmio's software bit `NOACCESS`), RISC-V Sv48 `V R W X U G A D` (with
   * `RSW=n` and `PBMT=NC|IO` when those fields are not zero).
   */
  readonly flags: readonly string[];
  /** The frame the entry points to: the next node (above level 1) or the mapped frame (level 1). */
  readonly frame: number;
  /** Physical address of that frame. */
  readonly paddr: number;
  /** The node the entry points to (above level 1, when the walk went down to it). */
  readonly child?: PageTableNodeInfo;
  /** The mapping's property (level 1). */
  readonly prop?: PageProperty;
}

/** One node (one frame) of a page table. */
export interface PageTableNodeInfo {
  /** 4 for the root, 1 for the nodes whose entries map 4 KiB pages. */
  readonly level: 1 | 2 | 3 | 4;
  /** The node's frame number. */
  readonly frame: number;
  /** Physical address of the node. */
  readonly paddr: number;
  /** The first virtual address the node covers. */
  readonly va: number;
  /** Number of entries of the node that are not empty (the count kept in its frame's metadata). */
  readonly present: number;
  /**
   * Number of links to the node: 1, or — for a leaf node shared between
   * spaces (`CursorMut.copyFrom`'s `shareNodes`) — how many page-table
   * entries (of any space) point to it; each of them shows it.
   */
  readonly sharers: number;
  /** The entries that are not empty and overlap the walked range, by index. */
  readonly entries: readonly PageTableEntryInfo[];
}

/** What {@link VmSpace.walkPageTable} returns. */
export interface PageTableWalk {
  /** The memory's paging format. */
  readonly paging: PagingName;
  /** Levels of the table (4 on both formats). */
  readonly levels: 4;
  /** The range walked. */
  readonly range: VaRange;
  /** The root node. */
  readonly root: PageTableNodeInfo;
  /** Number of nodes in the picture, the root included. */
  readonly nodes: number;
  /** Number of mapped pages in the picture. */
  readonly pages: number;
}

const SPAN = [0, 2 ** 12, 2 ** 21, 2 ** 30, 2 ** 39] as const;

/**
 * The picture of `table`'s entries overlapping `[start, end)`. The caller
 * keeps the nodes from being freed meanwhile (a read-side critical section
 * on shared RAM).
 *
 * @internal
 */
export function walkPageTable(table: PageTable, start: number, end: number): PageTableWalk {
  const fmt = table.fmt;
  const u32 = table.u32;
  const frames = table.ram.frames;
  let nodes = 0;
  let pages = 0;
  const visit = (node: number, level: 1 | 2 | 3 | 4, base: number): PageTableNodeInfo => {
    nodes++;
    const span = SPAN[level];
    const first = Math.max(0, Math.floor((start - base) / span));
    const last = Math.min(511, Math.floor((end - 1 - base) / span));
    const entries: PageTableEntryInfo[] = [];
    for (let index = first; index <= last; index++) {
      const i = (node * PAGE_SIZE) / 4 + index * 2;
      const lo = table.loadLo(i);
      if (lo === 0) continue;
      const hi = u32[i + 1] as number;
      const va = base + index * span;
      const frame = fmt.frameOf(lo, hi);
      const common = { index, va, span, lo, hi, flags: fmt.flagNames(lo, hi, level === 1), frame, paddr: frame * PAGE_SIZE };
      if (level === 1) {
        pages++;
        entries.push({ ...common, prop: fmt.propertyOf(lo, hi) });
      } else if (table.isTable(lo)) {
        entries.push({ ...common, child: visit(frame, (level - 1) as 1 | 2 | 3, va) });
      } else {
        entries.push(common);
      }
    }
    return { level, frame: node, paddr: node * PAGE_SIZE, va: base, present: frames.aux(node), sharers: frames.refCount(node), entries };
  };
  const root = visit(table.root, 4, 0);
  return { paging: fmt.name, levels: 4, range: { start, end }, root, nodes, pages };
}
