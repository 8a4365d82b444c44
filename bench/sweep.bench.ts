/**
 * Scaling sweeps (issue 10, "Benchmarks that can be trusted"), written to
 * the bench JSON as one row per point (ids `sweep-…`, group "sweep"):
 *
 * - copy size 16 B … 64 MiB for typed memory (`VmReader.from` →
 *   `VmWriter.from`), segment memory (a `USegment` reader → another
 *   segment's writer) and user memory (`VmSpace.reader` over physically
 *   contiguous frames → a segment's writer), each against one
 *   `Uint8Array.prototype.set` between the very same bytes;
 * - random `VmSpace.readVal(u32)` over working sets of 1 … 256 Ki pages
 *   (vm.bench.ts's case: the pages map at most 1024 frames cyclically),
 *   against `DataView.getUint32` at random offsets of a buffer as large
 *   (capped at 64 MiB).
 *
 * The other sweeps live beside the cases they extend: allocation at RAM
 * 16 MiB … 1 GiB, clean and fragmented, and the failed allocation in
 * frame.bench.ts (`alloc-scale-…`, `alloc-nomem-…`); map/unmap, dense and
 * sparse, in page-table.bench.ts (`pt-sweep-…`).
 *
 * Buffer placement (4 KiB aliasing): a copy whose destination sits a few
 * bytes past its source modulo 4 KiB runs up to ~17× slower on x86 (the
 * loads wait on stores that match their low 12 address bits), and the
 * addresses of separately allocated buffers are not under our control. So
 * both sides of every copy here lie in one buffer whose layout we choose —
 * one `ArrayBuffer` for typed memory, the RAM for segments and user memory —
 * with the source at a page boundary and the destination 2 KiB past one:
 * half a page apart modulo 4 KiB, far from aliasing, on both sides.
 *
 * A sweep point takes fewer samples than a target row (2 warm-ups, 5
 * samples): the whole `npm run bench sweep` takes about 2 minutes here
 * (3 processes a point, 31 points; the 256 Ki-page working set's setup,
 * mapping 256 Ki pages, is the longest).
 *
 * @module
 */

import { CachePolicy, FrameAllocOptions, PAGE_SIZE, PageFlags, PageProperty, PhysicalMemory, VmReader, VmSpace, VmWriter, type USegment } from "vmio";
// Internal: the RAM's bytes, so that the limit copies between the very bytes vmio copies.
import { ramOf } from "../src/frame/physical-memory.js";
import type { BenchCase } from "./harness.js";
import { randomWorkingSet } from "./vm.bench.js";

const BASE = 0x4000_0000;
const RW = PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback);
/** Where a destination starts past a page boundary: half a page from its source modulo 4 KiB. */
const SKEW = 2048;

const SIZES: ReadonlyArray<[label: string, bytes: number]> = [
  ["16 B", 16],
  ["256 B", 256],
  ["4 KiB", 4096],
  ["64 KiB", 64 << 10],
  ["1 MiB", 1 << 20],
  ["16 MiB", 16 << 20],
  ["64 MiB", 64 << 20],
];

function filled(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + 7) & 0xff;
  return b;
}

function pagesFor(bytes: number): number {
  return Math.ceil(bytes / PAGE_SIZE);
}

/** Copies per sample: about 2^27 bytes, at most 200 000 (small copies are per-call cost). */
function copyOps(bytes: number): number {
  return Math.max(2, Math.min(200_000, Math.floor(2 ** 27 / bytes)));
}

type Kind = "typed" | "segment" | "user";

function copySweep(kind: Kind, label: string, size: number): BenchCase {
  const what = {
    typed: "VmReader.from(u8) → VmWriter.from(u8)",
    segment: "USegment reader → USegment writer",
    user: "VmSpace.reader (physically contiguous frames) → USegment writer",
  }[kind];
  return {
    id: `sweep-copy-${kind}-${label.replace(" ", "").toLowerCase()}`,
    group: "sweep",
    title: `sweep: ${kind} copy ${label} (${what})`,
    limitLabel: `one Uint8Array.prototype.set of ${label} between the same bytes`,
    ops: copyOps(size),
    unit: "copy",
    warmup: 2,
    samples: 5,
    setup() {
      if (kind === "typed") {
        // Source at 0, destination SKEW past the next page boundary after it, in one buffer.
        const buf = new Uint8Array(pagesFor(size) * PAGE_SIZE + PAGE_SIZE + SKEW + size);
        buf.set(filled(size));
        const src = buf.subarray(0, size);
        const dst = buf.subarray(buf.length - size);
        return {
          limit: (n) => {
            for (let i = 0; i < n; i++) dst.set(src);
            return dst[size - 1];
          },
          vmio: (n) => {
            let moved = 0;
            for (let i = 0; i < n; i++) moved += VmReader.from(src).read(VmWriter.from(dst));
            return moved;
          },
        };
      }
      const mem = new PhysicalMemory({ size: (2 * pagesFor(size) + 256) * PAGE_SIZE + (4 << 20) });
      const opts = new FrameAllocOptions(mem);
      const from = opts.allocSegment(pagesFor(size));
      const to: USegment = opts.allocSegment(pagesFor(size + SKEW));
      from.writeBytes(0, filled(size));
      const ram = ramOf(mem).bytes;
      const src = ram.subarray(from.startPaddr(), from.startPaddr() + size);
      const dst = ram.subarray(to.startPaddr() + SKEW, to.startPaddr() + SKEW + size);
      const limit = (n: number): unknown => {
        for (let i = 0; i < n; i++) dst.set(src);
        return dst[size - 1];
      };
      // The segment rows (no target) go through a segment's reader: direct
      // memory with a lease, whose `read` is inline again (vm-reader.ts: a
      // reader with `#bytes` of its own is direct and infallible, its
      // `#via` its lease as it is). The fresh reader's one-field change had
      // sent it out of line (`readOther`, an `instanceof` per copy); with
      // `read` at 126 bytes of bytecode it was then a call in this loop,
      // as 1.2 × (126 + 648 inlined by its own code) > 920; at 115 it is
      // inlined (915). The loop still calls the segment's `reader()` and
      // the writer's `transfer` (past the budget), so both cursors are
      // allocated, and a 16 B copy between two segments is copyPart's byte
      // loop. A/B against main's build (32d3210), harness, one process per
      // case, nine rounds alternated on a loaded machine (load 5–10; three
      // of them beside a full npm test): 16 B 0.18–0.28 (median 0.22) →
      // 0.22–0.31 (0.24); 256 B 0.24–0.32 (0.26) → 0.27–0.38 (0.28); 4 KiB
      // 0.31–0.54 (0.435) → 0.41–0.57 (0.455). In one process alternating
      // three builds (three processes, medians of 11–15 samples, ns a
      // copy): 16 B 148 / 98 / 105 → 127 / 84 / 98, 256 B 136 / 148 / 116
      // → 118 / 110 / 91, 4 KiB 176 / 186 / 165 → 161 / 163 / 146, where
      // the build before the one-field change (b2141fe) ran 136 / 82 / 122,
      // 113 / 114 / 76, 160 / 171 / 142: faster than main's build in
      // every process, and level with the build before the change or
      // ahead of it in seven of nine (behind at 256 B: 118 against 113,
      // 91 against 76 ns).
      if (kind === "segment") {
        return {
          limit,
          vmio: (n) => {
            let moved = 0;
            for (let i = 0; i < n; i++) moved += from.reader().limit(size).read(to.writer().skip(SKEW));
            return moved;
          },
          teardown: () => {
            from.dispose();
            to.dispose();
          },
        };
      }
      const space = new VmSpace(mem);
      {
        using cursor = space.cursorMut({ start: BASE, end: BASE + pagesFor(size) * PAGE_SIZE });
        for (const f of from) {
          cursor.map(f, RW);
          f.dispose();
        }
      }
      space.activate();
      // Written through the space once: every page ACCESSED and DIRTY, as after any first use.
      space.writeBytes(BASE, filled(size));
      return {
        limit,
        vmio: (n) => {
          let moved = 0;
          for (let i = 0; i < n; i++) moved += space.reader(BASE, size).readFallible(to.writer().skip(SKEW));
          return moved;
        },
        teardown: () => {
          space.dispose();
          to.dispose();
        },
      };
    },
  };
}

const WORKING_SETS = [1, 4, 16, 64, 256, 1024, 4096, 16_384, 65_536, 262_144];

export const cases: BenchCase[] = [
  ...(["typed", "segment", "user"] as const).flatMap((kind) => SIZES.map(([label, bytes]) => copySweep(kind, label, bytes))),
  ...WORKING_SETS.map((pages) => randomWorkingSet(pages, undefined, false, true)),
];
