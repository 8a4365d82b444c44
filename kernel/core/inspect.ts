/**
 * Snapshots of the kernel for an inspector: processes and threads, each
 * address space's regions with how many of their pages are mapped and how
 * many are shared copy-on-write, the real page-table entries of a range
 * (read through vmio cursors: frame, flags, reference count), each address
 * space's page-table tree (vmio's read-only walk of the nodes in RAM) and
 * TLB counters, and frames in use by kind. Everything is read through
 * vmio's public API; nothing here changes the kernel's state.
 *
 * @module
 */

import { PAGE_SIZE, PageFlags, type PageTableNodeInfo, type VmSpace } from "vmio";
import type { System } from "../proc/system.js";
import { zeroPageAddress } from "../mm/zero-page.js";
import type { KernelSnapshot, PageInfo, PageTableInfo, ProcessInfo, RegionInfo, TableNodeInfo, TlbInfo } from "./snapshot.js";

/** The mapped pages of `[start, end)` in `space`, from its page table. */
export function pagesOf(space: VmSpace, start: number, end: number): PageInfo[] {
  const out: PageInfo[] = [];
  if (start >= end) return out;
  using c = space.cursor({ start, end });
  for (let va = start; va < end; va += PAGE_SIZE) {
    c.jump(va);
    const item = c.query().item;
    if (item === undefined) continue;
    // The handle query gave us is one of the references: leave it out.
    out.push({ va, paddr: item.frame.startPaddr(), flags: item.prop.flags, refs: item.frame.referenceCount() - 1 });
    item.frame.dispose();
  }
  return out;
}

/** `node` as plain data: the entries' names of their bits, no `PageProperty` objects (they do not survive `postMessage`). */
function tableNode(node: PageTableNodeInfo): TableNodeInfo {
  return {
    level: node.level,
    paddr: node.paddr,
    va: node.va,
    present: node.present,
    entries: node.entries.map((e) => ({
      index: e.index,
      va: e.va,
      span: e.span,
      flags: e.flags,
      paddr: e.paddr,
      child: e.child === undefined ? undefined : tableNode(e.child),
    })),
  };
}

/** The page table of `space`, walked from its root in RAM. */
export function pageTableOf(space: VmSpace): PageTableInfo {
  const walk = space.walkPageTable();
  return { paging: walk.paging, root: tableNode(walk.root), nodes: walk.nodes, pages: walk.pages };
}

/** A snapshot of `sys`. */
export function snapshot(sys: System): KernelSnapshot {
  const userFrames = new Set<number>();
  const processes: ProcessInfo[] = [];
  let tableFrames = 0;
  for (const p of sys.processes.values()) {
    const as = p.mm.as;
    const regions: RegionInfo[] = [];
    let pageTable: PageTableInfo | undefined;
    let tlb: TlbInfo | undefined;
    if (!as.disposed) {
      pageTable = pageTableOf(as.space);
      tableFrames += pageTable.nodes;
      const t = as.space.tlbStats();
      tlb = { hits: t.hits, misses: t.misses, flushes: t.flushes, shootdowns: t.shootdowns };
      for (const a of as.areas()) {
        const pages = pagesOf(as.space, a.start, a.end);
        for (const pg of pages) userFrames.add(pg.paddr);
        const cowShared = a.shared ? 0 : pages.filter((pg) => pg.refs > 1 && (pg.flags & PageFlags.W) === 0).length;
        regions.push({ ...a, mapped: pages.length, cowShared, pages });
      }
    }
    processes.push({
      pid: p.pid,
      ppid: p.parent?.pid ?? 0,
      state: p.state,
      exe: p.exe?.path ?? "",
      argv: p.argv,
      threads: [...p.threads].map((t) => ({ tid: t.tid, state: t.state, pc: t.hart.pc })),
      regions,
      pageTable,
      tlb,
    });
  }
  const total = sys.memory.size / PAGE_SIZE - sys.memory.reservedFrames();
  const free = sys.memory.freeFrames();
  return {
    processes,
    frames: {
      total,
      free,
      user: userFrames.size,
      kernel: total - free - userFrames.size,
      pageTables: tableFrames,
      peak: sys.stats.framesPeak,
      zeroPage: zeroPageAddress(sys.memory),
    },
    faults: { ...sys.stats.faults },
    instructions: sys.instructions(),
    syscalls: sys.stats.syscalls,
  };
}
