// CursorMut.copyFrom's body (copy-mappings.ts) against a reference model:
// runs of pages of several properties, sharing frames or not, spread over
// several leaf nodes, copied to a destination whose leaf nodes are offset
// from the source's (one space or two, shared RAM or not, both paging
// formats), with ops that keep, narrow or vary the property per page, and
// ops that throw or leave an invalid property halfway. The common page
// takes copy-mappings' loop, every other its page-at-a-time path, and the
// two hand over to each other at every kind of page, so each must leave
// exactly what the other would have.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { CachePolicy, FrameAllocOptions, PAGE_SIZE, PageFlags, PageProperty, PhysicalMemory, VmSpace, type PagingName, type UFrame } from "../../src/index.js";

const SRC = 0x4000_0000;
const DST = 0x8000_0000;
/** Pages of the source window: three leaf nodes and a bit. */
const WINDOW = 1600;
const FLAGS = [PageFlags.R, PageFlags.RW, PageFlags.RX, PageFlags.RWX] as const;
const CACHES = [CachePolicy.Writeback, CachePolicy.Uncacheable] as const;

interface Run {
  readonly at: number;
  readonly count: number;
  readonly flags: number;
  readonly cache: CachePolicy;
  /** Every page of the run maps one frame (else a frame each). */
  readonly oneFrame: boolean;
}

type Op =
  | { readonly kind: "clearW" }
  | { readonly kind: "keep" }
  | { readonly kind: "table"; readonly values: readonly number[] }
  | { readonly kind: "throw"; readonly at: number }
  | { readonly kind: "invalid"; readonly at: number };

const runArb: fc.Arbitrary<Run> = fc.record({
  at: fc.nat(WINDOW - 1),
  count: fc.integer({ min: 1, max: 90 }),
  flags: fc.constantFrom(...FLAGS),
  cache: fc.constantFrom(...CACHES),
  oneFrame: fc.boolean(),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: "clearW" as const }),
  fc.constant({ kind: "keep" as const }),
  fc.record({ kind: fc.constant("table" as const), values: fc.array(fc.constantFrom(...FLAGS), { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant("throw" as const), at: fc.nat(150) }),
  fc.record({ kind: fc.constant("invalid" as const), at: fc.nat(150) }),
);

/** What `op` leaves for call `k` on flags `flags`, or "throw". */
function modelOp(op: Op, k: number, flags: number): number | "throw" {
  switch (op.kind) {
    case "clearW":
      return flags & ~PageFlags.W;
    case "keep":
      return flags;
    case "table":
      return op.values[k % op.values.length] as number;
    case "throw":
    case "invalid":
      return k === op.at ? "throw" : flags & ~PageFlags.W;
  }
}

function opOf(op: Op, calls: { n: number }): (p: PageProperty) => void {
  return (p) => {
    const k = calls.n++;
    if (op.kind === "throw" && k === op.at) throw new Error("op fails");
    if (op.kind === "invalid" && k === op.at) {
      p.flags = 99;
      return;
    }
    p.flags = modelOp(op, k, p.flags) as number;
  };
}

function look(space: VmSpace, va: number): { paddr: number; flags: number; cache: CachePolicy } | undefined {
  using c = space.cursor({ start: va, end: va + PAGE_SIZE });
  const item = c.query().item;
  if (item === undefined) return undefined;
  using frame = item.frame;
  return { paddr: frame.startPaddr(), flags: item.prop.flags, cache: item.prop.cache };
}

function check(paging: PagingName, shared: boolean, runs: readonly Run[], op: Op, srcSkew: number, dstSkew: number, oneSpace: boolean): void {
  const mem = new PhysicalMemory({ size: 4 << 20, shared, paging });
  const used = mem.usedFrames();
  const opts = new FrameAllocOptions(mem);
  const space = new VmSpace(mem);
  const other = oneSpace ? space : new VmSpace(mem);
  const src = SRC + srcSkew * PAGE_SIZE;
  const dst = DST + dstSkew * PAGE_SIZE;
  // The model: page index → its frame's address and property (later runs do not overwrite earlier ones).
  const model = new Map<number, { paddr: number; flags: number; cache: CachePolicy }>();
  {
    using c = space.cursorMut({ start: src, end: src + WINDOW * PAGE_SIZE });
    for (const run of runs) {
      let frame: UFrame | undefined;
      for (let k = run.at; k < Math.min(WINDOW, run.at + run.count); k++) {
        if (model.has(k)) continue;
        if (frame === undefined || !run.oneFrame) {
          frame?.dispose();
          frame = opts.allocFrame();
        }
        c.jump(src + k * PAGE_SIZE);
        c.map(frame, new PageProperty(run.flags, run.cache));
        model.set(k, { paddr: frame.startPaddr(), flags: run.flags, cache: run.cache });
      }
      frame?.dispose();
    }
  }
  const pages = [...model.keys()].sort((a, b) => a - b);
  // What op leaves, page by page, and where it throws.
  let fails = -1;
  const after = new Map<number, number>();
  pages.forEach((k, call) => {
    if (fails >= 0) return;
    const left = modelOp(op, call, (model.get(k) as { flags: number }).flags);
    if (left === "throw") fails = call;
    else after.set(k, left);
  });
  const free = mem.freeFrames();
  const calls = { n: 0 };
  const copy = (): void => {
    using from = space.cursorMut({ start: src, end: src + WINDOW * PAGE_SIZE });
    using to = other.cursorMut({ start: dst, end: dst + WINDOW * PAGE_SIZE });
    to.copyFrom(from, WINDOW * PAGE_SIZE, opOf(op, calls));
  };
  if (fails >= 0) {
    assert.throws(copy, op.kind === "throw" ? /op fails/ : RangeError);
    assert.equal(calls.n, fails + 1, "op ran up to the page that failed");
    assert.equal(mem.freeFrames(), free, "no frame or node kept or lost");
  } else {
    copy();
    assert.equal(calls.n, pages.length, "op ran once per mapped page");
  }
  for (let k = 0; k < WINDOW; k++) {
    const was = model.get(k);
    const expected = was === undefined ? undefined : { ...was, flags: fails >= 0 ? was.flags : (after.get(k) as number) };
    assert.deepEqual(look(space, src + k * PAGE_SIZE), expected, `source page ${k}`);
    assert.deepEqual(look(other, dst + k * PAGE_SIZE), fails >= 0 ? undefined : expected, `copy of page ${k}`);
  }
  // The copy's entry counts are exact: unmapping it gives back every node and reference it took.
  {
    using to = other.cursorMut({ start: dst, end: dst + WINDOW * PAGE_SIZE });
    to.unmap(WINDOW * PAGE_SIZE);
  }
  assert.equal(mem.freeFrames(), free, "the copy's unmap gave back every node and reference");
  if (!oneSpace) other.dispose();
  space.dispose();
  assert.equal(mem.usedFrames(), used, "every frame is free again");
}

for (const paging of ["x86-64", "riscv-sv48"] as const) {
  for (const shared of [false, true]) {
    test(`copyFrom against a model (${paging}, ${shared ? "shared" : "unshared"} RAM): runs of properties across leaf nodes, offset copies, ops that keep, narrow, vary, throw or leave an invalid property`, () => {
      fc.assert(
        fc.property(
          fc.array(runArb, { minLength: 1, maxLength: 6 }),
          opArb,
          fc.nat(511),
          fc.nat(511),
          fc.boolean(),
          (runs, op, srcSkew, dstSkew, oneSpace) => check(paging, shared, runs, op, srcSkew, dstSkew, oneSpace),
        ),
        { seed: 0x5eed_c0f7 + (shared ? 1 : 0) + (paging === "x86-64" ? 0 : 2), numRuns: 40 },
      );
    });
  }
}
