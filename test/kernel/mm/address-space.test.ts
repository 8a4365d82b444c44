// Address spaces: areas and the page table together — demand paging from
// zeros and files, copy-on-write after fork on vmio frames and reference
// counts, the growing stack, munmap/mprotect/mremap/brk splitting and
// merging areas, the top-down allocator, and running out of frames.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PAGE_SIZE, PageFlags, PhysicalMemory, VmError, u32, u8 } from "vmio";
import { AddressSpace } from "../../../kernel/mm/address-space.js";
import type { FaultEvent, MmEvents } from "../../../kernel/mm/mm-events.js";
import { MMAP_BASE, STACK_TOP } from "../../../kernel/mm/layout.js";
import { PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE, MREMAP_MAYMOVE } from "../../../kernel/abi/mman.js";
import { SharedMemory } from "../../../kernel/mm/shared-memory.js";
import { SpaceMemory } from "../../../kernel/mm/space-memory.js";
import { errnoOf } from "../support/errno.js";

const RW = PROT_READ | PROT_WRITE;

function recorder(): MmEvents & { faults: FaultEvent[]; code: Array<[number, number]> } {
  const faults: FaultEvent[] = [];
  const code: Array<[number, number]> = [];
  return { faults, code, fault: (e) => faults.push(e), codeChanged: (s, e) => code.push([s, e]) };
}

function setup(size = 8 * 2 ** 20): { mem: PhysicalMemory; ev: ReturnType<typeof recorder>; as: AddressSpace; initial: number } {
  const mem = new PhysicalMemory({ size });
  const initial = mem.freeFrames();
  const ev = recorder();
  const as = new AddressSpace(mem, ev);
  as.space.activate();
  return { mem, ev, as, initial };
}

function flagsAt(as: AddressSpace, va: number): number | undefined {
  using c = as.space.cursor({ start: va, end: va + PAGE_SIZE });
  const item = c.query().item;
  if (item === undefined) return undefined;
  item.frame.dispose();
  return item.prop.flags & PageFlags.RWX;
}


test("anonymous memory is demand-zero: untouched pages are not mapped; a write maps one zeroed page, counted once", () => {
  const { ev, as } = setup();
  as.map(0x10_0000, 4 * PAGE_SIZE, RW, { kind: "anon" });
  assert.equal(flagsAt(as, 0x10_0000), undefined);
  as.space.writeVal(0x10_1004, u32, 0xdead_beef);
  assert.equal(as.space.readVal(0x10_1004, u32), 0xdead_beef);
  assert.equal(as.space.readVal(0x10_1000, u32), 0);
  assert.deepEqual(ev.faults, [{ address: 0x10_1004, write: true, execute: false, resolution: "demand-zero", stackGrowth: false }]);
  assert.equal(flagsAt(as, 0x10_1000), PageFlags.RW);
  assert.equal(flagsAt(as, 0x10_0000), undefined);
  as.dispose();
});

test("a file-backed area fills pages from the file up to its limit, the rest of the page zero", () => {
  const { ev, as } = setup();
  const file = new Uint8Array(3 * PAGE_SIZE).map((_, i) => (i % 251) + 1);
  // Maps file offset 4096.. with data valid up to 4096 + 100.
  as.map(0x20_0000, 2 * PAGE_SIZE, PROT_READ | PROT_EXEC, { kind: "file", data: file, offset: PAGE_SIZE, limit: PAGE_SIZE + 100 });
  assert.equal(as.space.readVal(0x20_0000, u8), file[PAGE_SIZE]);
  assert.equal(as.space.readVal(0x20_0000 + 99, u8), file[PAGE_SIZE + 99]);
  assert.equal(as.space.readVal(0x20_0000 + 100, u8), 0);
  assert.equal(as.space.readVal(0x20_1000, u8), 0);
  assert.deepEqual(
    ev.faults.map((f) => f.resolution),
    ["file", "file"],
  );
  assert.equal(flagsAt(as, 0x20_0000), PageFlags.RX);
  // Writing a read-only area is a fatal fault.
  assert.throws(() => as.space.writeVal(0x20_0000, u8, 1), (e: unknown) => e instanceof VmError && e.code === "PageFault");
  assert.equal(ev.faults.at(-1)?.resolution, "fatal");
  as.dispose();
});

test("an access outside every area is a fatal fault and maps nothing", () => {
  const { ev, as } = setup();
  assert.throws(() => as.space.readVal(0x5000, u32), (e: unknown) => e instanceof VmError && e.code === "PageFault");
  assert.deepEqual(ev.faults, [{ address: 0x5000, write: false, execute: false, resolution: "fatal", stackGrowth: false }]);
  as.dispose();
});

test("fork is copy-on-write: both see the old bytes, writes stay private, the last owner reuses the frame", () => {
  const { mem, ev, as, initial } = setup();
  as.map(0x10_0000, 2 * PAGE_SIZE, RW, { kind: "anon" });
  as.space.writeVal(0x10_0000, u32, 111);
  as.space.writeVal(0x10_1000, u32, 222);
  const free0 = mem.freeFrames();
  const child = as.fork(ev);
  // Only the child's page table (root, three levels below it) and control block: no data frame.
  assert.equal(free0 - mem.freeFrames(), 5);
  assert.equal(flagsAt(as, 0x10_0000), PageFlags.R);
  assert.equal(flagsAt(child, 0x10_0000), PageFlags.R);
  ev.faults.length = 0;
  // The parent writes: the frame is shared, so it is copied.
  as.space.writeVal(0x10_0000, u32, 333);
  child.space.activate();
  assert.equal(child.space.readVal(0x10_0000, u32), 111);
  // The child writes page 1: shared with the parent, copied.
  child.space.writeVal(0x10_1000, u32, 444);
  // The child now writes page 0: the parent has its own copy, so the child's frame is its alone: reused.
  child.space.writeVal(0x10_0000, u32, 555);
  assert.deepEqual(
    ev.faults.map((f) => f.resolution),
    ["cow-copy", "cow-copy", "cow-reuse"],
  );
  as.space.activate();
  assert.equal(as.space.readVal(0x10_0000, u32), 333);
  assert.equal(as.space.readVal(0x10_1000, u32), 222);
  child.dispose();
  // The child is gone: the parent's page 1 frame is its alone again.
  ev.faults.length = 0;
  as.space.writeVal(0x10_1000, u32, 666);
  assert.deepEqual(
    ev.faults.map((f) => f.resolution),
    ["cow-reuse"],
  );
  as.dispose();
  assert.equal(mem.freeFrames(), initial, "every frame is back");
});

test("fork shares the leaf page-table nodes an area covers: no frame reference, copy-on-write decides as with copied entries", () => {
  const { mem, ev, as, initial } = setup(16 * 2 ** 20);
  // Two whole leaf nodes (2 MiB each, aligned) and a page of a third.
  const base = 0x200_0000;
  const pages = 2 * 512 + 1;
  as.map(base, pages * PAGE_SIZE, RW, { kind: "anon" });
  for (let i = 0; i < pages; i++) as.space.writeVal(base + i * PAGE_SIZE, u32, i);
  const free0 = mem.freeFrames();
  const child = as.fork(ev);
  // The child's root, the nodes down to level 2, its control block, and one leaf node (the third's page): the two full nodes are linked.
  assert.equal(free0 - mem.freeFrames(), 5);
  const leaves = (a: AddressSpace): number[] => {
    const out: number[] = [];
    const visit = (n: ReturnType<typeof a.space.walkPageTable>["root"]): void => {
      if (n.level === 1) out.push(n.sharers);
      for (const e of n.entries) if (e.child !== undefined) visit(e.child);
    };
    visit(a.space.walkPageTable({ start: base, end: base + pages * PAGE_SIZE }).root);
    return out;
  };
  assert.deepEqual(leaves(child), [2, 2, 1]);
  assert.equal(flagsAt(child, base), PageFlags.R);
  assert.equal(flagsAt(as, base + 600 * PAGE_SIZE), PageFlags.R);
  ev.faults.length = 0;
  // The parent writes page 0: it takes its own copy of node 0, and the frame is shared: copied.
  as.space.writeVal(base, u32, 1000);
  assert.deepEqual(leaves(as), [1, 2, 1]);
  child.space.activate();
  assert.equal(child.space.readVal(base, u32), 0);
  // The child writes page 0: its frame is its alone now — reused; page 1 is still the parent's too: copied.
  child.space.writeVal(base, u32, 2000);
  child.space.writeVal(base + PAGE_SIZE, u32, 2001);
  // Node 1, still shared: the child's write there copies the frame.
  child.space.writeVal(base + 700 * PAGE_SIZE, u32, 2700);
  assert.deepEqual(
    ev.faults.map((f) => f.resolution),
    ["cow-copy", "cow-reuse", "cow-copy", "cow-copy"],
  );
  assert.deepEqual(leaves(child), [1, 1, 1]);
  as.space.activate();
  for (const [i, want] of [[0, 1000], [1, 1], [700, 700], [1024, 1024]] as const) assert.equal(as.space.readVal(base + i * PAGE_SIZE, u32), want);
  child.space.activate();
  for (const [i, want] of [[0, 2000], [1, 2001], [700, 2700], [1024, 1024], [5, 5]] as const) assert.equal(child.space.readVal(base + i * PAGE_SIZE, u32), want);
  child.dispose();
  as.space.activate();
  ev.faults.length = 0;
  as.space.writeVal(base + 5 * PAGE_SIZE, u32, 5000);
  assert.deepEqual(
    ev.faults.map((f) => f.resolution),
    ["cow-reuse"],
  );
  as.dispose();
  assert.equal(mem.freeFrames(), initial, "every frame is back");
});

test("every frame returns to the allocator after fork, writes and dispose", () => {
  const { mem, ev, as, initial } = setup();
  as.map(0x10_0000, 8 * PAGE_SIZE, RW, { kind: "anon" });
  for (let i = 0; i < 8; i++) as.space.writeVal(0x10_0000 + i * PAGE_SIZE, u32, i);
  const child = as.fork(ev);
  child.space.activate();
  for (let i = 0; i < 8; i += 2) child.space.writeVal(0x10_0000 + i * PAGE_SIZE, u32, 100 + i);
  child.dispose();
  as.space.activate();
  as.dispose();
  assert.equal(mem.freeFrames(), initial);
});

test("shared areas are not copy-on-write: parent and child see each other's writes", () => {
  const { mem, ev, as } = setup();
  const shm = new SharedMemory(mem);
  as.map(0x30_0000, PAGE_SIZE, RW, { kind: "shared", object: shm, pgoff: 0 }, { shared: true });
  as.space.writeVal(0x30_0000, u32, 7);
  const child = as.fork(ev);
  child.space.activate();
  child.space.writeVal(0x30_0000, u32, 8);
  as.space.activate();
  assert.equal(as.space.readVal(0x30_0000, u32), 8);
  child.dispose();
  as.dispose();
  assert.equal(shm.pages, 0);
});

test("the stack grows down on a fault just below it, up to the limit, never into the guard gap", () => {
  const { ev, as } = setup();
  const top = STACK_TOP;
  as.map(top - 4 * PAGE_SIZE, 4 * PAGE_SIZE, RW, { kind: "anon" }, { name: "[stack]", growsDown: true });
  as.space.writeVal(top - 10 * PAGE_SIZE + 8, u32, 5);
  assert.equal(ev.faults.at(-1)?.stackGrowth, true);
  assert.equal(as.find(top - 10 * PAGE_SIZE)?.start, top - 10 * PAGE_SIZE);
  // Past the 8 MiB limit: fatal.
  assert.throws(() => as.space.writeVal(top - 8 * 2 ** 20 - PAGE_SIZE, u32, 1), VmError);
  assert.equal(ev.faults.at(-1)?.resolution, "fatal");
  as.dispose();
});

test("munmap splits areas and removes exactly the range; mprotect splits and changes the entries; both report stale code", () => {
  const { ev, as } = setup();
  const base = 0x10_0000;
  as.map(base, 6 * PAGE_SIZE, RW, { kind: "anon" });
  for (let i = 0; i < 6; i++) as.space.writeVal(base + i * PAGE_SIZE, u32, i + 1);
  as.unmap(base + 2 * PAGE_SIZE, base + 3 * PAGE_SIZE);
  assert.deepEqual(
    as.areas().map((a) => [a.start - base, a.end - base]),
    [
      [0, 2 * PAGE_SIZE],
      [3 * PAGE_SIZE, 6 * PAGE_SIZE],
    ],
  );
  assert.equal(flagsAt(as, base + 2 * PAGE_SIZE), undefined);
  assert.deepEqual(ev.code.at(-1), [base + 2 * PAGE_SIZE, base + 3 * PAGE_SIZE]);
  as.protect(base + 4 * PAGE_SIZE, base + 5 * PAGE_SIZE, PROT_READ);
  assert.deepEqual(
    as.areas().map((a) => [a.start - base, a.end - base, a.prot]),
    [
      [0, 2 * PAGE_SIZE, RW],
      [3 * PAGE_SIZE, 4 * PAGE_SIZE, RW],
      [4 * PAGE_SIZE, 5 * PAGE_SIZE, PROT_READ],
      [5 * PAGE_SIZE, 6 * PAGE_SIZE, RW],
    ],
  );
  assert.equal(flagsAt(as, base + 4 * PAGE_SIZE), PageFlags.R);
  assert.throws(() => as.space.writeVal(base + 4 * PAGE_SIZE, u32, 0), VmError);
  assert.equal(as.space.readVal(base + 4 * PAGE_SIZE, u32), 5);
  // Back to RW: the areas merge again, and the page becomes writable at its next write.
  as.protect(base + 4 * PAGE_SIZE, base + 5 * PAGE_SIZE, RW);
  assert.equal(as.areas().length, 2);
  as.space.writeVal(base + 4 * PAGE_SIZE, u32, 50);
  assert.equal(as.space.readVal(base + 4 * PAGE_SIZE, u32), 50);
  // PROT_NONE keeps the frame but forbids every access.
  as.protect(base, base + PAGE_SIZE, PROT_NONE);
  assert.throws(() => as.space.readVal(base, u32), VmError);
  as.protect(base, base + PAGE_SIZE, PROT_READ);
  assert.equal(as.space.readVal(base, u32), 1);
  as.dispose();
});

test("mprotect over a hole is ENOMEM and changes nothing", () => {
  const { as } = setup();
  as.map(0x10_0000, PAGE_SIZE, RW, { kind: "anon" });
  as.map(0x10_2000, PAGE_SIZE, RW, { kind: "anon" });
  assert.equal(errnoOf(() => as.protect(0x10_0000, 0x10_3000, PROT_READ)), 12);
  assert.deepEqual(
    as.areas().map((a) => a.prot),
    [RW, RW],
  );
  as.dispose();
});

test("mremap grows in place when it can, moves frames (not bytes) when it must, shrinks by unmapping", () => {
  const { mem, as } = setup();
  const a = as.findFree(2 * PAGE_SIZE);
  assert.equal(a, MMAP_BASE - 2 * PAGE_SIZE);
  as.map(a, 2 * PAGE_SIZE, RW, { kind: "anon" });
  as.space.writeVal(a, u32, 1);
  as.space.writeVal(a + PAGE_SIZE, u32, 2);
  // Something right after it: growing must move.
  as.map(a + 2 * PAGE_SIZE, PAGE_SIZE, RW, { kind: "anon" });
  const free = mem.freeFrames();
  const b = as.remap(a, 2 * PAGE_SIZE, 4 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
  assert.notEqual(b, a);
  assert.ok(mem.freeFrames() >= free - 2, "no data frame copied");
  assert.equal(as.space.readVal(b, u32), 1);
  assert.equal(as.space.readVal(b + PAGE_SIZE, u32), 2);
  assert.equal(as.space.readVal(b + 3 * PAGE_SIZE, u32), 0);
  assert.throws(() => as.space.readVal(a, u32), VmError);
  // Without MREMAP_MAYMOVE a blocked growth is ENOMEM, and changes nothing.
  as.map(a + 3 * PAGE_SIZE, PAGE_SIZE, PROT_READ, { kind: "anon" });
  assert.equal(errnoOf(() => as.remap(a + 2 * PAGE_SIZE, PAGE_SIZE, 2 * PAGE_SIZE, 0, 0)), 12);
  assert.equal(as.find(a + 2 * PAGE_SIZE)?.end, a + 3 * PAGE_SIZE);
  // Shrink.
  assert.equal(as.remap(b, 4 * PAGE_SIZE, PAGE_SIZE, 0, 0), b);
  assert.throws(() => as.space.readVal(b + PAGE_SIZE, u32), VmError);
  as.dispose();
});

test("brk grows and shrinks the heap, refuses to run into another area", () => {
  const { as } = setup();
  as.initBrk(0x40_0000);
  assert.equal(as.setBrk(0), 0x40_0000);
  assert.equal(as.setBrk(0x40_2345), 0x40_2345);
  as.space.writeVal(0x40_2340, u32, 9);
  assert.equal(as.setBrk(0x40_1000), 0x40_1000);
  assert.throws(() => as.space.readVal(0x40_2340, u32), VmError);
  as.map(0x50_0000, PAGE_SIZE, RW, { kind: "anon" });
  assert.equal(as.setBrk(0x60_0000), 0x40_1000);
  as.dispose();
});

test("running out of physical memory during a fault fails the access and flags the space, never throws from the kernel", () => {
  const mem = new PhysicalMemory({ size: 64 * PAGE_SIZE });
  const ev = recorder();
  const as = new AddressSpace(mem, ev);
  as.space.activate();
  as.map(0x10_0000, 200 * PAGE_SIZE, RW, { kind: "anon" });
  let n = 0;
  try {
    for (; n < 200; n++) as.space.writeVal(0x10_0000 + n * PAGE_SIZE, u8, 1);
  } catch (e) {
    assert.ok(e instanceof VmError && e.code === "PageFault");
  }
  assert.ok(n > 10 && n < 200);
  assert.equal(as.outOfMemory, true);
  assert.equal(ev.faults.at(-1)?.resolution, "oom");
  as.dispose();
});

test("a read of untouched anonymous memory maps the shared zero page read-only; the first write replaces it with a frame of its own", () => {
  const { mem, ev, as } = setup();
  as.map(0x10_0000, 2 * PAGE_SIZE, RW, { kind: "anon" });
  assert.equal(as.space.readVal(0x10_0000, u32), 0);
  assert.equal(as.space.readVal(0x10_1000, u32), 0);
  const free = mem.freeFrames();
  assert.deepEqual(
    ev.faults.map((f) => f.resolution),
    ["zero-page", "zero-page"],
  );
  assert.equal(flagsAt(as, 0x10_0000), PageFlags.R);
  as.space.writeVal(0x10_0000, u32, 5);
  assert.equal(ev.faults.at(-1)?.resolution, "demand-zero");
  assert.equal(mem.freeFrames(), free - 1);
  assert.equal(as.space.readVal(0x10_0000, u32), 5);
  assert.equal(as.space.readVal(0x10_1000, u32), 0, "the other page still reads the zero page");
  as.dispose();
});

test("a fetch needs an executable area: from data it is fatal and maps nothing; from code it maps the page", () => {
  const { mem, ev, as } = setup();
  as.map(0x10_0000, PAGE_SIZE, RW, { kind: "anon" });
  as.map(0x20_0000, PAGE_SIZE, PROT_READ | PROT_EXEC, { kind: "file", data: new Uint8Array([0x13, 0, 0, 0]), offset: 0, limit: 4 });
  const m = new SpaceMemory(as.space);
  const free = mem.freeFrames();
  assert.throws(() => m.fetch16(0x10_0000), (e: unknown) => e instanceof VmError && e.code === "PageFault");
  assert.deepEqual(ev.faults, [{ address: 0x10_0000, write: false, execute: true, resolution: "fatal", stackGrowth: false }]);
  assert.equal(flagsAt(as, 0x10_0000), undefined, "no page mapped on the way to SIGSEGV");
  assert.equal(mem.freeFrames(), free);
  // A load of the same area is fine, and maps the zero page read-only.
  assert.equal(m.load32(0x10_0000), 0);
  assert.equal(ev.faults.at(-1)?.resolution, "zero-page");
  assert.equal(m.fetch16(0x20_0000), 0x13);
  assert.deepEqual(ev.faults.at(-1), { address: 0x20_0000, write: false, execute: true, resolution: "file", stackGrowth: false });
  as.dispose();
});
