/**
 * Page-table benchmarks (issue 10's "page tables that scale", issue 12's
 * copy-on-write fork): a lone page's map + unmap, sparse unmap, bulk
 * copy-on-write (`CursorMut.copyFrom`), `Cursor.findNext` over holes, and
 * the map/unmap sweeps, dense and sparse, written to the bench JSON.
 *
 * Every figure here is absolute (ns per page): page-table work has no
 * plain-JS equivalent to divide by. Targets from issue 10: sparse unmap
 * ≤ 1 µs per page, map + unmap of a lone page ≤ 1.5 µs.
 *
 * Unmap alone is timed with the harness's alternation: the harness runs the
 * two sides of a case in turn (warm-up included), so the "limit" side maps
 * the pages and the "vmio" side unmaps them — vmio's ns/op is the unmap
 * alone, and the limit column shows what mapping the same pages costs.
 *
 * @module
 */

import { CachePolicy, FrameAllocOptions, PAGE_SIZE, PageFlags, PageProperty, PhysicalMemory, VmSpace, type PagingName } from "vmio";
import type { BenchCase } from "./harness.js";

const RW = PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback);
const TWO_MIB = 0x20_0000;
const BASE = 0x40_0000_0000;
const clearW = (p: PageProperty): void => {
  p.flags &= ~PageFlags.W;
};

function lone(paging: PagingName): BenchCase {
  return {
    id: `pt-lone-map-unmap${paging === "x86-64" ? "" : "-sv48"}`,
    group: "page-table",
    title: `map + unmap of a lone page (every node of its path emptied and refilled), ${paging} (target ≤ 1.5 µs)`,
    ops: 20_000,
    unit: "page",
    setup() {
      const mem = new PhysicalMemory({ size: 4 << 20, paging });
      const frame = new FrameAllocOptions(mem).allocFrame();
      const space = new VmSpace(mem);
      const cursor = space.cursorMut({ start: BASE, end: BASE + 512 * PAGE_SIZE });
      return {
        vmio: (n) => {
          for (let i = 0; i < n; i++) {
            const va = BASE + (i & 511) * PAGE_SIZE;
            cursor.jump(va);
            cursor.map(frame, RW);
            cursor.jump(va);
            cursor.unmap(PAGE_SIZE);
          }
          return frame.referenceCount();
        },
        teardown: () => {
          cursor.dispose();
          space.dispose();
          frame.dispose();
        },
      };
    },
  };
}

/**
 * Unmap of `pages` pages, `stride` bytes apart, in one `unmap` call (vmio
 * side), the limit side mapping them back. One frame is mapped everywhere
 * (mappings take references of their own), so RAM holds only the nodes.
 *
 * An unmap hands its frames over as runs since the fifth pass on issue 10
 * (`frame/frame-runs.ts`); one frame mapped everywhere is the case runs do
 * not help, so a lone frame stays one element: in one-process A/B against
 * main's build (medians of 21–41), dense 100 000 pages 45–51 ns/page
 * against 48–50, sparse 1000 pages (main's build loaded first, which
 * favours it by about 5 % in an A/A run) 411–584 against 425–584 — no
 * change beyond the noise.
 */
function unmapCase(id: string, title: string, pages: number, stride: number, paging: PagingName = "x86-64"): BenchCase {
  const span = pages * stride;
  // Sparse: one level-1 node per page (plus its level-2 share); dense: one per 512 pages.
  const nodes = stride >= TWO_MIB ? pages + Math.ceil(pages / 512) + 8 : Math.ceil(pages / 512) + 8;
  // Small sets are unmapped from several spaces per sample, so that a sample
  // lasts long enough to time (at most 256: each space has its own TLB).
  const reps = Math.max(1, Math.min(256, Math.floor(20_000 / pages)));
  const size = Math.max(4 << 20, Math.ceil(((reps * nodes + 256) * PAGE_SIZE) / (1 << 20)) * (1 << 20));
  return {
    id,
    group: "page-table",
    title,
    limitLabel: "mapping the same pages (the alternating side)",
    ops: reps * pages,
    unit: "page",
    setup() {
      const mem = new PhysicalMemory({ size, paging });
      const frame = new FrameAllocOptions(mem).allocFrame();
      const spaces = Array.from({ length: reps }, () => new VmSpace(mem));
      const cursors = spaces.map((s) => s.cursorMut({ start: BASE, end: BASE + span }));
      // The harness's order is not strictly alternating where warm-up meets
      // the samples (…vmio, limit | limit, vmio…): a limit call that finds
      // the pages mapped does nothing, and every vmio sample unmaps.
      let mapped = false;
      return {
        vmio: () => {
          for (const c of cursors) {
            c.jump(BASE);
            c.unmap(span);
          }
          mapped = false;
          return frame.referenceCount();
        },
        limit: () => {
          if (mapped) return 0;
          mapped = true;
          for (const c of cursors) {
            for (let k = 0; k < pages; k++) {
              c.jump(BASE + k * stride);
              c.map(frame, RW);
            }
          }
          return frame.referenceCount();
        },
        teardown: () => {
          for (const c of cursors) c.dispose();
          for (const s of spaces) s.dispose();
          frame.dispose();
        },
      };
    },
  };
}

/** A space with `pages` pages mapped RW from `BASE`, each to a frame of its own, in a RAM with room for a copy's nodes. */
function mappedParent(pages: number, paging: PagingName): { mem: PhysicalMemory; parent: VmSpace } {
  const mem = new PhysicalMemory({ size: (pages + 4096) * PAGE_SIZE, paging });
  const opts = new FrameAllocOptions(mem);
  const parent = new VmSpace(mem);
  using c = parent.cursorMut({ start: BASE, end: BASE + pages * PAGE_SIZE });
  for (let k = 0; k < pages; k++) {
    using f = opts.allocFrame();
    c.map(f, RW);
  }
  return { mem, parent };
}

/**
 * `copyFrom` of a range of `mib` MiB of mapped private pages into a new space (fork's copy-on-write), and the child's end.
 *
 * Fifth pass on issue 10 (branch `cow`; what changed is noted beside
 * `kernel-fork-copy-floor` in kernel.bench.ts), A/B against main's build in
 * one process, samples alternated, either build loaded first (CPU time,
 * medians of 21–31, load 5–7 on 2 cores): 64 MiB x86-64 130–135 ns/page
 * against 181–189, Sv48 76 against 110.
 *
 * Eighth pass (branch `forkcold`: the copy split into a small loop for the
 * common page, `copyRun` in src/vm/copy-mappings.ts, and a page-at-a-time
 * path for the rest; one undo record per run; `#unmapLeaf` through locals
 * with an int32 frame). These rows are what a kernel that forks a few
 * times feels: a sample is 1 copy at 64 MiB, 64 at 1 MiB, after 3 warm-up
 * samples, so they count how soon TurboFan's code is ready and how long
 * it takes to compile (CPU time counts the compiler's thread). The harness,
 * alternated with main's build (965c7b6), 3 processes each, three rounds
 * per commit of this pass (load 7–10 on 2 cores, all marked noisy):
 * 64 MiB x86-64 59–108 ns/page against 73–185; Sv48 59–108 against
 * 76–322; 1 MiB 378–636 against 489–904. One process forking 10 times
 * (4 processes each, alternated): 64 MiB x86-64 50–84 ms in all against
 * 84–176, Sv48 42–59 against 82–139; this build is at its warm speed from
 * the 3rd copy, main's from the 5th to the 8th (main compiles its per-node
 * callback two or three times, on-stack and whole; `copyRun` once, in
 * 14–47 ms under this load).
 */
function cow(mib: number, paging: PagingName = "x86-64"): BenchCase {
  const pages = mib * 256;
  // Several copies per sample for small sizes, so that a sample lasts long enough to time.
  const reps = Math.max(1, Math.floor(16_384 / pages));
  return {
    id: `pt-cow-${mib}mib${paging === "x86-64" ? "" : "-sv48"}`,
    group: "page-table",
    title: `copy-on-write copy of ${mib} MiB of mapped pages (CursorMut.copyFrom clearing W) + dispose of the copy, ${paging}`,
    ops: reps * pages,
    unit: "page",
    samples: 7,
    warmup: 3,
    setup() {
      const { mem, parent } = mappedParent(pages, paging);
      return {
        vmio: () => {
          for (let r = 0; r < reps; r++) {
            const child = new VmSpace(mem);
            {
              using from = parent.cursorMut({ start: BASE, end: BASE + pages * PAGE_SIZE });
              using to = child.cursorMut({ start: BASE, end: BASE + pages * PAGE_SIZE });
              to.copyFrom(from, pages * PAGE_SIZE, clearW);
            }
            child.dispose();
          }
          return mem.usedFrames();
        },
        teardown: () => parent.dispose(),
      };
    },
  };
}

/** x86-64 leaf bits the floor below encodes: P, RW, US, A, D (pte-x86-64.ts). */
const X86 = { P: 1, RW: 2, US: 4, A: 0x20, D: 0x40 } as const;

/**
 * `copyFrom` with `shareNodes` of 64 MiB of mapped private pages into a
 * second space, and the unmap of the copy: the 32 leaf nodes are linked,
 * not copied, and the unmap drops each share (O(1) a node). In a shared node
 * `op` runs once per run of pages alike (a fresh `PageProperty`, `op`, its
 * two fields read and checked, the answer encoded), so what is left per
 * page is a load, a compare and a store when the entry changes. The limit
 * is that loop hand-written over one typed array of entries (no frame
 * reference, no destination entry, no node to link or unlink, no
 * cursors). A fork's fixed part (a new `VmSpace` and its end, about 20 ns
 * a page of 64 MiB under load) is in the `kernel-fork-*` rows, not here.
 */
function cowShared(): BenchCase {
  const pages = 64 * 256;
  // Copies per sample: one copy is 0.1–1 ms, too short a sample for CPU time (a compile or GC on another thread lands in it whole).
  const REPEAT = 16;
  return {
    id: "pt-cow-shared-64mib",
    group: "page-table",
    title: "copy-on-write copy of 64 MiB of mapped pages sharing leaf nodes (copyFrom clearing W, shareNodes) + unmap of the copy, x86-64",
    limitLabel: "hand-written loop over the entries (op once per run of pages alike: decode, op, checks, encode; a store per changed entry)",
    ops: pages * REPEAT,
    unit: "page",
    samples: 7,
    warmup: 3,
    setup() {
      const { mem, parent } = mappedParent(pages, "x86-64");
      const child = new VmSpace(mem);
      const table = new Uint32Array(pages * 2);
      for (let k = 0; k < pages; k++) table[k * 2] = (((k + 300) * PAGE_SIZE) | X86.P | X86.RW | X86.US | X86.A | X86.D) >>> 0;
      return {
        vmio: () => {
          for (let r = 0; r < REPEAT; r++) {
            {
              using from = parent.cursorMut({ start: BASE, end: BASE + pages * PAGE_SIZE });
              using to = child.cursorMut({ start: BASE, end: BASE + pages * PAGE_SIZE });
              to.copyFrom(from, pages * PAGE_SIZE, clearW, { shareNodes: true });
            }
            using c = child.cursorMut({ start: BASE, end: BASE + pages * PAGE_SIZE });
            c.unmap(pages * PAGE_SIZE);
          }
          return mem.usedFrames();
        },
        limit: () => {
          let n = 0;
          for (let r = 0; r < REPEAT; r++) {
            let lastIn = -1;
            let out = 0;
            for (let i = 0; i < pages * 2; i += 2) {
              const lo = table[i] as number;
              if ((lo & X86.P) === 0) continue;
              if ((lo & 0xfff) !== lastIn) {
                const p = new PageProperty((lo & X86.RW) !== 0 ? PageFlags.RW : PageFlags.R, CachePolicy.Writeback);
                clearW(p);
                const f: unknown = p.flags;
                const cache: unknown = p.cache;
                if (typeof f !== "number" || !Number.isInteger(f) || f < 0 || f > 31 || typeof cache !== "number") throw new TypeError("bad property");
                out = X86.P | X86.US | X86.A | X86.D | ((f & PageFlags.W) !== 0 ? X86.RW : 0);
                lastIn = lo & 0xfff;
              }
              const newLo = ((lo & 0xffff_f000) | out) >>> 0;
              if (newLo !== lo) table[i] = newLo;
              n++;
            }
          }
          return n;
        },
        teardown: () => {
          child.dispose();
          parent.dispose();
        },
      };
    },
  };
}

function findNextCase(): BenchCase {
  const pages = 1000;
  return {
    id: "pt-find-next-sparse",
    group: "page-table",
    title: "Cursor.findNext over 1000 pages one per 2 MiB (from one mapped page to the next)",
    ops: pages,
    unit: "page",
    setup() {
      const mem = new PhysicalMemory({ size: 16 << 20 });
      const frame = new FrameAllocOptions(mem).allocFrame();
      const space = new VmSpace(mem);
      const span = pages * TWO_MIB;
      {
        using c = space.cursorMut({ start: BASE, end: BASE + span });
        for (let k = 0; k < pages; k++) {
          c.jump(BASE + k * TWO_MIB);
          c.map(frame, RW);
        }
      }
      const cursor = space.cursor({ start: BASE, end: BASE + span });
      return {
        vmio: () => {
          let found = 0;
          cursor.jump(BASE);
          for (;;) {
            const va = cursor.findNext(BASE + span - cursor.virtAddr());
            if (va === undefined || va + PAGE_SIZE >= BASE + span) break;
            found++;
            cursor.jump(va + PAGE_SIZE);
          }
          return found;
        },
        teardown: () => {
          cursor.dispose();
          space.dispose();
          frame.dispose();
        },
      };
    },
  };
}

const SWEEP_DENSE = [1, 10, 100, 1000, 10_000, 100_000];
// Sparse stops at 10^4: 10^5 pages one per 2 MiB need 10^5 level-1 nodes (400 MB of RAM).
const SWEEP_SPARSE = [1, 10, 100, 1000, 10_000];

export const cases: BenchCase[] = [
  lone("x86-64"),
  lone("riscv-sv48"),
  unmapCase("pt-sparse-unmap", "sparse unmap: 1000 pages one per 2 MiB in one unmap (target ≤ 1 µs per page)", 1000, TWO_MIB),
  unmapCase("pt-sparse-unmap-sv48", "sparse unmap: 1000 pages one per 2 MiB in one unmap, riscv-sv48 (target ≤ 1 µs per page)", 1000, TWO_MIB, "riscv-sv48"),
  cow(1),
  cow(64),
  cow(64, "riscv-sv48"),
  cowShared(),
  findNextCase(),
  ...SWEEP_DENSE.map((n) => unmapCase(`pt-sweep-dense-unmap-${n}`, `sweep: dense unmap of ${n} contiguous pages in one unmap`, n, PAGE_SIZE)),
  ...SWEEP_SPARSE.map((n) => unmapCase(`pt-sweep-sparse-unmap-${n}`, `sweep: sparse unmap of ${n} pages one per 2 MiB in one unmap`, n, TWO_MIB)),
];
