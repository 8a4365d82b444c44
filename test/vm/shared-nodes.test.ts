// Shared leaf page-table nodes (CursorMut.copyFrom's `shareNodes`, page-table.ts
// unshareLeaf/shareLeaf) against a reference model in which every copy is
// per page: random sequences of forks (of any space, the children's too,
// over the whole window or part of it), maps, unmaps of part of a node or
// whole nodes, protectNext, CursorMut.query, writes through a space that
// take a copy-on-write fault, and disposes of any space. After each step
// every page of every space is compared with the model (its frame, its
// flags, its byte), and every mapped frame's reference count with the
// entries that hold it (a shared node's counted once); at the end every
// space's CursorMut.query (which unshares) gives each frame the count the
// per-page model says — one per space that maps it — and disposing every
// space frees every frame. Then the errors: `op` throwing on a page of a
// node being shared, and a node allocation failing mid-copy, leave both
// spaces as they were.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { CachePolicy, FrameAllocOptions, PAGE_SIZE, PageFlags, PageProperty, VmError, VmSpace, type PhysicalMemory, type UFrame } from "../../src/index.js";
import { memory, PAGING } from "./support.js";

const BASE = 0x4000_0000;
/** Pages of the window every space uses: three leaf nodes. */
const WINDOW = 3 * 512;
const MAX_SPACES = 4;

/** A page in the model: its frame (an id the test gives it), flags, and the byte at its offset 0. */
interface Page {
  frame: number;
  flags: number;
  byte: number;
}

type Step =
  | { readonly kind: "fork"; readonly from: number; readonly start: number; readonly len: number; readonly exec: boolean }
  | { readonly kind: "map"; readonly in: number; readonly page: number; readonly count: number }
  | { readonly kind: "unmap"; readonly in: number; readonly page: number; readonly count: number }
  | { readonly kind: "protect"; readonly in: number; readonly page: number; readonly count: number; readonly write: boolean }
  | { readonly kind: "query"; readonly in: number; readonly page: number }
  | { readonly kind: "write"; readonly in: number; readonly page: number; readonly byte: number }
  | { readonly kind: "dispose"; readonly in: number };

const who = fc.nat(MAX_SPACES - 1);
const page = fc.nat(WINDOW - 1);
/** Counts that cover a page, part of a node, a whole node or more. */
const count = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(512, 1024, WINDOW));
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("fork" as const), from: who, start: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, page), len: fc.oneof({ weight: 2, arbitrary: fc.constant(WINDOW) }, page), exec: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("map" as const), in: who, page, count }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("unmap" as const), in: who, page: fc.oneof(page, fc.constantFrom(0, 512, 1024)), count }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("protect" as const), in: who, page, count, write: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("query" as const), in: who, page }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("write" as const), in: who, page, byte: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("dispose" as const), in: who }) },
);

/** Flags as the model compares them: no ACCESSED/DIRTY (hints the MMU sets). */
function plain(flags: number): number {
  return flags & ~(PageFlags.ACCESSED | PageFlags.DIRTY);
}

interface Live {
  readonly space: VmSpace;
  readonly pages: Map<number, Page>;
}

/**
 * A kernel's copy-on-write write fault, as kernel/mm/address-space.ts
 * `#resolve` makes it: a CursorMut query, then the frame is reused when the
 * mapping and the handle are its only references, else copied.
 */
function cowHandler(space: VmSpace, opts: FrameAllocOptions): (fault: { address: number; write: boolean }) => boolean {
  return ({ address, write }) => {
    const va = address - (address % PAGE_SIZE);
    using c = space.cursorMut({ start: va, end: va + PAGE_SIZE });
    const item = c.query().item;
    if (item === undefined || !write) {
      item?.frame.dispose();
      return false;
    }
    using frame = item.frame;
    if (frame.referenceCount() <= 2) {
      c.protectNext(PAGE_SIZE, (p) => {
        p.flags |= PageFlags.W;
      });
      return true;
    }
    using copy = opts.allocFrame();
    const bytes = new Uint8Array(PAGE_SIZE);
    frame.readBytes(0, bytes);
    copy.writeBytes(0, bytes);
    c.unmap(PAGE_SIZE);
    c.jump(va);
    c.map(copy, new PageProperty(item.prop.flags | PageFlags.W, item.prop.cache));
    return true;
  };
}

/** The reference count of the frame at `paddr`, read through a read-only query of `space` at `va` (which does not unshare). */
function refsAt(space: VmSpace, va: number): number {
  using c = space.cursor({ start: va, end: va + PAGE_SIZE });
  using frame = (c.query().item as { frame: UFrame }).frame;
  return frame.referenceCount() - 1;
}

/** Compares every page of every live space with the model, and every mapped frame's count with the entries that hold it. */
function compare(spaces: readonly (Live | undefined)[], paddrOf: Map<number, number>, where: string): void {
  // Entries holding each frame: a leaf node linked from several places counted once.
  const holders = new Map<number, number>();
  const seen = new Set<number>();
  for (const live of spaces) {
    if (live === undefined) continue;
    const walk = live.space.walkPageTable({ start: BASE, end: BASE + WINDOW * PAGE_SIZE });
    const visit = (node: typeof walk.root): void => {
      if (node.level === 1) {
        if (seen.has(node.frame)) return;
        seen.add(node.frame);
        for (const e of node.entries) holders.set(e.paddr, (holders.get(e.paddr) ?? 0) + 1);
        return;
      }
      for (const e of node.entries) if (e.child !== undefined) visit(e.child);
    };
    visit(walk.root);
  }
  for (const [s, live] of spaces.entries()) {
    if (live === undefined) continue;
    const byte = new Uint8Array(1);
    using c = live.space.cursor({ start: BASE, end: BASE + WINDOW * PAGE_SIZE });
    for (let k = 0; k < WINDOW; k++) {
      const va = BASE + k * PAGE_SIZE;
      c.jump(va);
      const item = c.query().item;
      const want: Page | undefined = live.pages.get(k);
      if (want === undefined) {
        assert.equal(item, undefined, `${where}: space ${s} page ${k} is unmapped`);
        continue;
      }
      assert.ok(item !== undefined, `${where}: space ${s} page ${k} is mapped`);
      using frame = item.frame;
      const paddr = frame.startPaddr();
      const known = paddrOf.get(want.frame);
      if (known === undefined) paddrOf.set(want.frame, paddr);
      else assert.equal(paddr, known, `${where}: space ${s} page ${k} maps the model's frame`);
      assert.equal(plain(item.prop.flags), want.flags, `${where}: space ${s} page ${k}'s flags`);
      live.space.activate();
      live.space.readBytes(va, byte);
      assert.equal(byte[0], want.byte, `${where}: space ${s} page ${k}'s byte`);
      assert.equal(frame.referenceCount() - 1, holders.get(paddr), `${where}: the reference count of the frame of space ${s} page ${k}`);
    }
  }
  // Two model frames mapped somewhere are two frames (one no page maps any more is gone: its frame may come back as another).
  const inUse = new Set<number>();
  for (const live of spaces) for (const p of live?.pages.values() ?? []) inUse.add(p.frame);
  for (const id of paddrOf.keys()) if (!inUse.has(id)) paddrOf.delete(id);
  assert.equal(new Set(paddrOf.values()).size, paddrOf.size, `${where}: distinct frames`);
}

function run(steps: readonly Step[], initial: readonly { page: number; count: number }[]): void {
  const mem = memory(16 << 20);
  const used = mem.usedFrames();
  const opts = new FrameAllocOptions(mem);
  let nextFrame = 0;
  const paddrOf = new Map<number, number>();
  const spaces: (Live | undefined)[] = [];
  const open = (): Live => {
    const space = new VmSpace(mem);
    space.setPageFaultHandler(cowHandler(space, opts));
    const live = { space, pages: new Map<number, Page>() };
    const at = spaces.indexOf(undefined);
    if (at >= 0) spaces[at] = live;
    else spaces.push(live);
    return live;
  };
  const mapPages = (live: Live, first: number, n: number): void => {
    using c = live.space.cursorMut({ start: BASE, end: BASE + WINDOW * PAGE_SIZE });
    for (let k = first; k < Math.min(WINDOW, first + n); k++) {
      if (live.pages.has(k)) continue;
      c.jump(BASE + k * PAGE_SIZE);
      using frame = opts.allocFrame();
      const byte = (k * 7 + nextFrame) % 251 + 1;
      frame.writeBytes(0, Uint8Array.of(byte));
      c.map(frame, new PageProperty(PageFlags.RW, CachePolicy.Writeback));
      paddrOf.set(nextFrame, frame.startPaddr());
      live.pages.set(k, { frame: nextFrame++, flags: PageFlags.RW, byte });
    }
  };
  const first = open();
  for (const r of initial) mapPages(first, r.page, r.count);
  compare(spaces, paddrOf, "setup");
  for (const [n, step] of steps.entries()) {
    const where = `step ${n} (${JSON.stringify(step)})`;
    const live = spaces[step.kind === "fork" ? step.from % Math.max(1, spaces.length) : step.in % Math.max(1, spaces.length)];
    if (live === undefined) continue;
    const space = live.space;
    switch (step.kind) {
      case "fork": {
        if (spaces.filter((s) => s !== undefined).length >= MAX_SPACES) continue;
        const len = Math.min(step.len, WINDOW - step.start) || 1;
        const child = open();
        const start = BASE + step.start * PAGE_SIZE;
        {
          using from = space.cursorMut({ start, end: start + len * PAGE_SIZE });
          using to = child.space.cursorMut({ start, end: start + len * PAGE_SIZE });
          // `exec`: op changes a page of a node shared already (the source must not change it for the other sharers).
          to.copyFrom(from, len * PAGE_SIZE, (p) => (p.flags = (p.flags & ~PageFlags.W) | (step.exec ? PageFlags.X : 0)), { shareNodes: true });
        }
        for (const [k, p] of live.pages) {
          if (k < step.start || k >= step.start + len) continue;
          p.flags = (p.flags & ~PageFlags.W) | (step.exec ? PageFlags.X : 0);
          child.pages.set(k, { ...p });
        }
        break;
      }
      case "map":
        mapPages(live, step.page, step.count);
        break;
      case "unmap": {
        const end = Math.min(WINDOW, step.page + step.count);
        {
          using c = space.cursorMut({ start: BASE + step.page * PAGE_SIZE, end: BASE + end * PAGE_SIZE });
          c.unmap((end - step.page) * PAGE_SIZE);
        }
        for (let k = step.page; k < end; k++) live.pages.delete(k);
        break;
      }
      case "protect": {
        const end = Math.min(WINDOW, step.page + step.count);
        using c = space.cursorMut({ start: BASE + step.page * PAGE_SIZE, end: BASE + end * PAGE_SIZE });
        const found = c.protectNext((end - step.page) * PAGE_SIZE, (p) => {
          p.flags = step.write ? p.flags | PageFlags.W : p.flags & ~PageFlags.W;
        });
        const k = [...live.pages.keys()].filter((x) => x >= step.page && x < end).sort((a, b) => a - b)[0];
        assert.equal(found?.start, k === undefined ? undefined : BASE + k * PAGE_SIZE, where);
        if (k !== undefined) {
          const p = live.pages.get(k) as Page;
          p.flags = step.write ? p.flags | PageFlags.W : p.flags & ~PageFlags.W;
        }
        break;
      }
      case "query": {
        using c = space.cursorMut({ start: BASE + step.page * PAGE_SIZE, end: BASE + (step.page + 1) * PAGE_SIZE });
        c.query().item?.frame.dispose();
        break;
      }
      case "write": {
        const p = live.pages.get(step.page);
        if (p === undefined) continue;
        space.activate();
        space.writeBytes(BASE + step.page * PAGE_SIZE, Uint8Array.of(step.byte));
        if ((p.flags & PageFlags.W) === 0) {
          // The fault: reuse the frame when this space alone maps it, else a copy.
          const sharers = spaces.filter((s) => s !== undefined && [...s.pages.values()].some((q) => q.frame === p.frame)).length;
          if (sharers > 1) p.frame = nextFrame++;
          p.flags |= PageFlags.W;
        }
        // Every page mapping that frame (W set on a frame several spaces map, by protectNext) sees the byte.
        for (const s of spaces) for (const q of s?.pages.values() ?? []) if (q.frame === p.frame) q.byte = step.byte;
        break;
      }
      case "dispose":
        space.dispose();
        spaces[spaces.indexOf(live)] = undefined;
        break;
    }
    compare(spaces, paddrOf, where);
  }
  // Every space's own copy of every node (a CursorMut query unshares): then each frame's count is the per-page model's.
  for (const live of spaces) {
    if (live === undefined) continue;
    using c = live.space.cursorMut({ start: BASE, end: BASE + WINDOW * PAGE_SIZE });
    for (const k of live.pages.keys()) {
      c.jump(BASE + k * PAGE_SIZE);
      c.query().item?.frame.dispose();
    }
  }
  compare(spaces, paddrOf, "unshared");
  for (const live of spaces) {
    if (live === undefined) continue;
    for (const [k, p] of live.pages) {
      const mappers = spaces.filter((s) => s !== undefined && [...s.pages.values()].some((q) => q.frame === p.frame)).length;
      assert.equal(refsAt(live.space, BASE + k * PAGE_SIZE), mappers, `the end: page ${k}'s frame is mapped by ${mappers} spaces`);
    }
  }
  for (const live of spaces) live?.space.dispose();
  assert.equal(mem.usedFrames(), used, "every frame and node is free again");
}

test(`shared leaf nodes against a per-page model (${PAGING}): forks of any space, maps, unmaps of part or whole nodes, protectNext, CursorMut.query, copy-on-write writes, disposes`, () => {
  const initial = fc.array(fc.record({ page: fc.oneof(page, fc.constantFrom(0, 512, 1024)), count: count }), { minLength: 1, maxLength: 5 });
  fc.assert(
    fc.property(initial, fc.array(stepArb, { minLength: 1, maxLength: 25 }), (init, steps) => run(steps, init)),
    {
      seed: PAGING === "x86-64" ? 0x5a4e_d001 : 0x5a4e_d002,
      numRuns: 60,
      // A node shared by three spaces, then changed by a fork's op in one of them.
      examples: [
        [
          [{ page: 0, count: WINDOW }],
          [
            { kind: "fork", from: 0, start: 0, len: WINDOW, exec: false },
            { kind: "fork", from: 0, start: 0, len: WINDOW, exec: true },
            { kind: "fork", from: 1, start: 100, len: 1000, exec: true },
          ],
        ],
      ],
    },
  );
});

/** A space with all of nodes 0 and 1 mapped (RW, a byte each) and part of node 2. */
/**
 * A space with 1,124 pages mapped from the window's start. `alike`: every
 * page `RW`; else `RW` and `RWX` in turn, so that no page's property is
 * its neighbour's and a shared copy calls `op` for every page.
 */
function parent(mem: PhysicalMemory, alike = false): { space: VmSpace; pages: number } {
  const opts = new FrameAllocOptions(mem);
  const space = new VmSpace(mem);
  using c = space.cursorMut({ start: BASE, end: BASE + WINDOW * PAGE_SIZE });
  const pages = 1024 + 100;
  for (let k = 0; k < pages; k++) {
    using frame = opts.allocFrame();
    frame.writeBytes(0, Uint8Array.of((k % 251) + 1));
    c.map(frame, new PageProperty(alike || k % 2 === 0 ? PageFlags.RW : PageFlags.RWX, CachePolicy.Writeback));
  }
  return { space, pages };
}

/** `to.copyFrom(from, …)` over the window's first `pages` pages (all of it by default), with `shareNodes` unless told. */
function copyWindow(from: VmSpace, to: VmSpace, op: (p: PageProperty) => void, shareNodes = true, pages = WINDOW): void {
  using src = from.cursorMut({ start: BASE, end: BASE + WINDOW * PAGE_SIZE });
  using dst = to.cursorMut({ start: BASE, end: BASE + WINDOW * PAGE_SIZE });
  dst.copyFrom(src, pages * PAGE_SIZE, op, { shareNodes });
}

test(`a shared copy calls op once for each run of pages alike in a shared node, and once per page elsewhere (${PAGING})`, () => {
  const mem = memory(16 << 20);
  const used = mem.usedFrames();
  const { space, pages } = parent(mem, true);
  const child = new VmSpace(mem);
  for (const shareNodes of [true, false]) {
    let calls = 0;
    copyWindow(space, child, (p) => {
      calls++;
      p.flags &= ~PageFlags.W;
    }, shareNodes);
    // The window is three whole nodes, each of one property (RW; read-only once the first copy cleared W): shared, one
    // call each; copied per page, one call per page.
    assert.equal(calls, shareNodes ? 3 : pages, `shareNodes ${shareNodes}`);
    {
      using c = child.cursorMut({ start: BASE, end: BASE + WINDOW * PAGE_SIZE });
      c.unmap(WINDOW * PAGE_SIZE);
    }
  }
  using c = child.cursor({ start: BASE, end: BASE + WINDOW * PAGE_SIZE });
  assert.equal(c.findNext(WINDOW * PAGE_SIZE), undefined, "the child is empty again");
  child.dispose();
  space.dispose();
  assert.equal(mem.usedFrames(), used, "every frame is free again");
});

/** Each page of `space` in the window: paddr and flags (no A/D), or undefined. */
function picture(space: VmSpace): string[] {
  const out: string[] = [];
  using c = space.cursor({ start: BASE, end: BASE + WINDOW * PAGE_SIZE });
  for (let k = 0; k < WINDOW; k++) {
    c.jump(BASE + k * PAGE_SIZE);
    const item = c.query().item;
    if (item === undefined) continue;
    using frame = item.frame;
    out.push(`${k}:${frame.startPaddr()}:${plain(item.prop.flags)}:${frame.referenceCount()}`);
  }
  return out;
}

test(`a shared copy whose op throws on the k-th page of a node being shared leaves both spaces as they were (${PAGING})`, () => {
  for (const at of [0, 1, 300, 511, 512, 700, 1023, 1030]) {
    for (const again of [false, true]) {
      const mem = memory(16 << 20);
      const used = mem.usedFrames();
      const { space } = parent(mem);
      // `again`: the parent's nodes are shared already (with a first child), and op changes a page of them.
      const first = again ? new VmSpace(mem) : undefined;
      if (first !== undefined) copyWindow(space, first, () => {});
      const before = picture(space);
      const beforeFirst = first === undefined ? [] : picture(first);
      const child = new VmSpace(mem);
      const free = mem.freeFrames();
      let calls = 0;
      assert.throws(() => {
        copyWindow(space, child, (p) => {
          if (calls++ === at) throw new Error("op fails");
          p.flags &= ~PageFlags.W;
        });
      }, /op fails/);
      assert.equal(calls, at + 1);
      assert.deepEqual(picture(space), before, `op failing at ${at}: the source is as it was`);
      if (first !== undefined) assert.deepEqual(picture(first), beforeFirst, `op failing at ${at}: the first child is as it was`);
      assert.deepEqual(picture(child), [], `op failing at ${at}: the destination holds nothing`);
      assert.equal(mem.freeFrames(), free, `op failing at ${at}: no frame or node kept`);
      assert.equal(child.walkPageTable().nodes, 1, "the destination has its root alone");
      child.dispose();
      first?.dispose();
      space.dispose();
      assert.equal(mem.usedFrames(), used, "every frame is free again");
    }
  }
});

test(`a shared copy that runs out of memory for a node mid-copy leaves both spaces as they were (${PAGING})`, () => {
  let failed = 0;
  for (let free = 0; free <= 6; free++) {
    const mem = memory(16 << 20);
    const used = mem.usedFrames();
    const { space } = parent(mem);
    const child = new VmSpace(mem);
    const before = picture(space);
    // Leave `free` frames: node 0 is shared first (two nodes above it), node 2 needs a leaf node of its own.
    const opts = new FrameAllocOptions(mem);
    const hog: UFrame[] = [];
    for (;;) {
      try {
        hog.push(opts.allocFrame());
      } catch (e) {
        assert.ok(e instanceof VmError && e.code === "NoMemory");
        break;
      }
    }
    for (const f of hog.splice(0, free)) f.dispose();
    const spare = mem.freeFrames();
    const copy = (): void => copyWindow(space, child, (p) => (p.flags &= ~PageFlags.W));
    let ok = true;
    try {
      copy();
    } catch (e) {
      assert.ok(e instanceof VmError && e.code === "NoMemory", `${free} free: NoMemory`);
      ok = false;
      failed++;
    }
    if (!ok) {
      assert.deepEqual(picture(space), before, `${free} free: the source is as it was`);
      assert.deepEqual(picture(child), [], `${free} free: the destination holds nothing`);
      assert.equal(mem.freeFrames(), spare, `${free} free: no node kept`);
    } else {
      assert.equal(picture(child).length, before.length, `${free} free: the copy is whole`);
    }
    for (const f of hog) f.dispose();
    child.dispose();
    space.dispose();
    assert.equal(mem.usedFrames(), used, `${free} free: every frame is free again`);
  }
  assert.ok(failed >= 2, "some copies ran out of memory");
});

test(`walkPageTable shows a shared leaf node in both spaces, with its sharers (${PAGING})`, () => {
  const mem = memory(16 << 20);
  const { space, pages } = parent(mem);
  const child = new VmSpace(mem);
  // To the last mapped page: node 2 is copied in part.
  copyWindow(space, child, (p) => (p.flags &= ~PageFlags.W), true, pages);
  const leaves = (s: VmSpace): Array<[number, number]> => {
    const out: Array<[number, number]> = [];
    const visit = (node: ReturnType<VmSpace["walkPageTable"]>["root"]): void => {
      if (node.level === 1) out.push([node.frame, node.sharers]);
      for (const e of node.entries) if (e.child !== undefined) visit(e.child);
    };
    visit(s.walkPageTable({ start: BASE, end: BASE + WINDOW * PAGE_SIZE }).root);
    return out;
  };
  const a = leaves(space);
  const b = leaves(child);
  // Nodes 0 and 1 shared; node 2 (in part) copied per page.
  assert.deepEqual(a.slice(0, 2), b.slice(0, 2));
  assert.deepEqual(a.map(([, n]) => n), [2, 2, 1]);
  assert.notEqual(a[2]?.[0], b[2]?.[0]);
  // A write to a page of node 0 gives the child its own copy of it.
  child.setPageFaultHandler(cowHandler(child, new FrameAllocOptions(mem)));
  child.activate();
  child.writeBytes(BASE, Uint8Array.of(9));
  assert.deepEqual(leaves(child).map(([, n]) => n), [1, 2, 1]);
  assert.deepEqual(leaves(space).map(([, n]) => n), [1, 2, 1]);
  assert.equal(space.walkPageTable().root.sharers, 1);
  child.dispose();
  space.dispose();
});

test(`copyFrom checks its options (${PAGING})`, () => {
  const mem = memory(1 << 20);
  const a = new VmSpace(mem);
  const b = new VmSpace(mem);
  using from = a.cursorMut({ start: BASE, end: BASE + PAGE_SIZE });
  using to = b.cursorMut({ start: BASE, end: BASE + PAGE_SIZE });
  for (const bad of [null, 1, "x", true]) assert.throws(() => to.copyFrom(from, PAGE_SIZE, () => {}, bad as never), TypeError);
  for (const bad of [1, "yes", null]) assert.throws(() => to.copyFrom(from, PAGE_SIZE, () => {}, { shareNodes: bad } as never), TypeError);
  to.copyFrom(from, PAGE_SIZE, () => {}, {});
  b.dispose();
  a.dispose();
});
