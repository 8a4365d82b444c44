// Sharing RAM, frames, segments and address spaces with real workers:
// tokens carry references, counts and mappings are coherent across threads,
// tokens attach once, and activation is per thread.

import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CachePolicy,
  FrameAllocOptions,
  PAGE_SIZE,
  PageFlags,
  PageProperty,
  PhysicalMemory,
  UFrame,
  USegment,
  VmError,
  VmSpace,
  u32,
  type FrameToken,
  type SegmentToken,
  type SpaceToken,
} from "../../src/index.js";
import { background, caught, controlWords, finishAll, pattern, sharedMemory, startOn, terminateAll, waitFor, type ErrorInfo } from "./support.js";

afterEach(terminateAll);

const T = { timeout: 60_000 };
const VA = 0x4000_0000;

function spawn(mem: PhysicalMemory, control?: Int32Array) {
  return startOn(mem, "sharing-worker.js", { control });
}

function assertError(info: ErrorInfo | undefined, name: string, code?: string): void {
  assert.ok(info !== undefined, `expected a ${name}, but nothing was thrown`);
  assert.equal(info.name, name, `error class (${info.message})`);
  if (code !== undefined) assert.equal(info.code, code, `error code (${info.message})`);
}

function mapFrame(space: VmSpace, va: number, frame: UFrame, flags: number = PageFlags.RW): void {
  const c = space.cursorMut({ start: va, end: va + PAGE_SIZE });
  c.map(frame, PageProperty.newUser(flags, CachePolicy.Writeback));
  c.dispose();
}

function queryPaddr(space: VmSpace, va: number): number | undefined {
  const c = space.cursor({ start: va, end: va + PAGE_SIZE });
  try {
    const q = c.query();
    if (q.item === undefined) return undefined;
    const paddr = q.item.frame.startPaddr();
    q.item.frame.dispose();
    return paddr;
  } finally {
    c.dispose();
  }
}

describe("PhysicalMemory shared with a worker", () => {
  test("an attached memory token sees the same bytes, metadata and allocator in both directions", T, async () => {
    const mem = sharedMemory(256);
    const opts = new FrameAllocOptions(mem);
    const f = opts.allocFrame();
    f.writeBytes(100, pattern(300, 3));
    const w = spawn(mem);

    const info = await w.call<{ size: number; shared: boolean; freeFrames: number; reserved: number }>("memoryInfo");
    assert.deepEqual(info, { size: mem.size, shared: true, freeFrames: mem.freeFrames(), reserved: mem.reservedFrames() });

    const got = await w.call<{ paddr: number; refs: number }>("attachFrame", { name: "f", token: f.share() });
    assert.equal(got.paddr, f.startPaddr());
    assert.deepEqual(await w.call("readFrame", { name: "f", offset: 100, len: 300 }), pattern(300, 3));
    const whole = new Uint8Array(PAGE_SIZE);
    f.readBytes(0, whole);
    assert.deepEqual(await w.call("readFrameByReader", { name: "f" }), whole);

    // The worker writes; this thread reads.
    await w.call("writeFrame", { name: "f", offset: 2000, bytes: pattern(1000, 9) });
    const back = new Uint8Array(1000);
    f.readBytes(2000, back);
    assert.deepEqual(back, pattern(1000, 9));

    // The worker allocates: this thread's allocator sees it, and the frame comes over as a token.
    const before = mem.freeFrames();
    const shared = await w.call<{ token: FrameToken; refs: number }>("allocAndShare", { bytes: pattern(PAGE_SIZE, 5) });
    assert.equal(shared.refs, 2, "the worker's handle and the token");
    assert.equal(mem.freeFrames(), before - 1, "the token alone keeps the worker's frame allocated");
    const g = UFrame.attach(mem, shared.token);
    assert.equal(g.referenceCount(), 1);
    const bytes = new Uint8Array(PAGE_SIZE);
    g.readBytes(0, bytes);
    assert.deepEqual(bytes, pattern(PAGE_SIZE, 5));
    g.dispose();
    assert.equal(mem.freeFrames(), before, "the last reference, dropped here, frees the worker's frame");

    await w.call("disposeFrame", { name: "f" });
    f.dispose();
    await finishAll([w]);
  });

  test("share() on unshared RAM is a TypeError, for memory, frames, segments and address spaces", T, () => {
    const mem = new PhysicalMemory({ size: 64 * PAGE_SIZE });
    const opts = new FrameAllocOptions(mem);
    const f = opts.allocFrame();
    const s = opts.allocSegment(2);
    const space = new VmSpace(mem);
    const free = mem.freeFrames();
    assert.throws(() => mem.share(), TypeError);
    assert.throws(() => f.share(), TypeError);
    assert.throws(() => s.share(), TypeError);
    assert.throws(() => space.share(), TypeError);
    assert.equal(f.referenceCount(), 1, "a refused share takes no reference");
    assert.equal(mem.freeFrames(), free);
    space.dispose();
    s.dispose();
    f.dispose();
  });
});

describe("frame and segment tokens carry references across threads", () => {
  test("a frame's reference count is coherent on both threads, and either thread's last dispose frees it", T, async () => {
    const mem = sharedMemory(128);
    const free0 = mem.freeFrames();
    const f = new FrameAllocOptions(mem).allocFrame();
    f.writeBytes(0, pattern(PAGE_SIZE, 2));
    const token = f.share();
    assert.equal(f.referenceCount(), 2, "the token holds a reference of its own");
    const w = spawn(mem);
    const got = await w.call<{ refs: number }>("attachFrame", { name: "a", token });
    assert.equal(got.refs, 2, "attach adopts the token's reference: no new one");
    assert.equal(f.referenceCount(), 2);

    const g = f.clone();
    assert.equal(await w.call("frameRefs", { name: "a" }), 3, "a clone here is visible there");
    await w.call("cloneFrame", { name: "a", as: "b" });
    assert.equal(f.referenceCount(), 4, "a clone there is visible here");

    f.dispose();
    g.dispose();
    assert.equal(await w.call("frameRefs", { name: "a" }), 2);
    assert.equal(mem.freeFrames(), free0 - 1, "the worker's handles keep the frame allocated");
    assert.deepEqual(await w.call("readFrame", { name: "a", offset: 0, len: PAGE_SIZE }), pattern(PAGE_SIZE, 2));

    await w.call("disposeFrame", { name: "a" });
    assert.equal(await w.call("frameRefs", { name: "b" }), 1);
    assert.equal(mem.freeFrames(), free0 - 1);
    await w.call("disposeFrame", { name: "b" });
    assert.equal(mem.freeFrames(), free0, "the last dispose, in the worker, freed the frame");
    await finishAll([w]);
  });

  test("a segment token carries a reference to each frame; the segment outlives this thread's handle", T, async () => {
    const mem = sharedMemory(128);
    const free0 = mem.freeFrames();
    const seg = new FrameAllocOptions(mem).allocSegment(3);
    seg.writeBytes(0, pattern(3 * PAGE_SIZE, 4));
    const token = seg.share();
    const w = spawn(mem);
    const got = await w.call<{ paddr: number; size: number; refs: number[] }>("attachSegment", { name: "s", token });
    assert.deepEqual(got, { paddr: seg.startPaddr(), size: 3 * PAGE_SIZE, refs: [2, 2, 2] });
    assert.deepEqual(await w.call("readSegment", { name: "s", offset: 0, len: 3 * PAGE_SIZE }), pattern(3 * PAGE_SIZE, 4));

    // A slice here holds the middle frame once more, and the worker sees it.
    const middle = seg.slice(PAGE_SIZE, 2 * PAGE_SIZE);
    assert.deepEqual(await w.call("segmentRefs", { name: "s" }), [2, 3, 2]);
    seg.dispose();
    assert.deepEqual(await w.call("segmentRefs", { name: "s" }), [1, 2, 1]);
    await w.call("writeSegment", { name: "s", offset: PAGE_SIZE - 10, bytes: pattern(20, 8) });
    const crossing = new Uint8Array(10);
    middle.readBytes(0, crossing);
    assert.deepEqual(crossing, pattern(20, 8).subarray(10), "bytes written there are read here");
    assert.equal(mem.freeFrames(), free0 - 3);

    middle.dispose();
    assert.equal(mem.freeFrames(), free0 - 3, "the worker's segment keeps all three frames");
    await w.call("disposeSegment", { name: "s" });
    assert.equal(mem.freeFrames(), free0, "the worker's dispose freed the segment");
    await finishAll([w]);
  });

  test("a token can be attached once: a second attach, on either thread, is a RangeError and takes nothing", T, async () => {
    const mem = sharedMemory(128);
    const opts = new FrameAllocOptions(mem);
    const w = spawn(mem);

    const f = opts.allocFrame();
    const ft = f.share();
    await w.call("attachFrame", { name: "f", token: ft });
    assertError(await w.fails("attachFrameAgain", { token: ft }), "RangeError");
    assertError(caught(() => UFrame.attach(mem, ft)), "RangeError");
    assert.equal(f.referenceCount(), 2, "failed attaches took no reference");
    // Attached here first, then there.
    const ft2 = f.share();
    const here = UFrame.attach(mem, ft2);
    assertError(await w.fails("attachFrameAgain", { token: ft2 }), "RangeError");
    assert.equal(f.referenceCount(), 3);
    here.dispose();

    const s = opts.allocSegment(2);
    const st: SegmentToken = s.share();
    await w.call("attachSegment", { name: "s", token: st });
    assertError(await w.fails("attachSegmentAgain", { token: st }), "RangeError");
    assertError(caught(() => USegment.attach(mem, st)), "RangeError");

    const space = new VmSpace(mem);
    const sp: SpaceToken = space.share();
    await w.call("attachSpace", { name: "v", token: sp });
    assertError(await w.fails("attachSpaceAgain", { token: sp }), "RangeError");
    assertError(caught(() => VmSpace.attach(mem, sp)), "RangeError");

    // A token of another RAM is refused before its ticket is touched: it can still be attached where it belongs.
    const elsewhere = sharedMemory(64);
    const ft3 = f.share();
    assertError(caught(() => UFrame.attach(elsewhere, ft3)), "TypeError");
    UFrame.attach(mem, ft3).dispose();

    const free = mem.freeFrames();
    await w.call("disposeFrame", { name: "f" });
    await w.call("disposeSegment", { name: "s" });
    await w.call("disposeSpace", { name: "v" });
    assert.equal(f.referenceCount(), 1);
    s.dispose();
    space.dispose();
    f.dispose();
    assert.ok(mem.freeFrames() > free);
    assert.equal(mem.freeFrames(), mem.size / PAGE_SIZE - mem.reservedFrames(), "every frame is back");
    await finishAll([w]);
  });
});

describe("VmSpace shared with a worker", () => {
  test("the worker translates, maps, unmaps and copies through the same page table", T, async () => {
    const mem = sharedMemory(256);
    const free0 = mem.freeFrames();
    const space = new VmSpace(mem);
    const f1 = new FrameAllocOptions(mem).allocFrame();
    f1.writeBytes(0, pattern(PAGE_SIZE, 1));
    mapFrame(space, VA, f1);
    const p1 = f1.startPaddr();
    f1.dispose();
    space.activate();

    const w = spawn(mem);
    await w.call("attachSpace", { name: "v", token: space.share() });
    await w.call("activate", { name: "v" });

    // Translate: the worker's walk finds this thread's mapping.
    assert.deepEqual(await w.call("query", { name: "v", va: VA }), { paddr: p1, flags: PageFlags.RW });
    assert.deepEqual(await w.call("spaceRead", { name: "v", va: VA, len: PAGE_SIZE }), pattern(PAGE_SIZE, 1));

    // Map in the worker, read here.
    const p2 = await w.call<number>("mapNew", { name: "v", va: VA + PAGE_SIZE, bytes: pattern(PAGE_SIZE, 2), flags: PageFlags.RW });
    assert.equal(queryPaddr(space, VA + PAGE_SIZE), p2);
    const got = new Uint8Array(PAGE_SIZE);
    space.readBytes(VA + PAGE_SIZE, got);
    assert.deepEqual(got, pattern(PAGE_SIZE, 2));

    // Write here, read in the worker (its TLB already holds the page).
    space.writeBytes(VA + 100, pattern(200, 7));
    assert.deepEqual(await w.call("spaceRead", { name: "v", va: VA + 100, len: 200 }), pattern(200, 7));

    // Copy in the worker across both pages; read here.
    assert.equal(await w.call("spaceCopy", { name: "v", from: VA, to: VA + PAGE_SIZE, len: PAGE_SIZE }), PAGE_SIZE);
    const first = new Uint8Array(PAGE_SIZE);
    space.readBytes(VA, first);
    space.readBytes(VA + PAGE_SIZE, got);
    assert.deepEqual(got, first);

    // Unmap in the worker: this thread faults.
    assert.equal(space.readVal(VA, u32), new DataView(first.buffer).getUint32(0, true), "fills this thread's TLB");
    await w.call("unmap", { name: "v", va: VA, len: PAGE_SIZE });
    assert.equal(queryPaddr(space, VA), undefined);
    assert.throws(() => space.readVal(VA, u32), (e: unknown) => e instanceof VmError && e.code === "PageFault");

    await w.call("disposeSpace", { name: "v" });
    space.dispose();
    assert.equal(mem.freeFrames(), free0, "page table, control block and mapped frames are all back");
    await finishAll([w]);
  });

  test("activation is per thread: activating in a worker changes nothing here, and an inactive space denies readers", T, async () => {
    const mem = sharedMemory(256);
    const space = new VmSpace(mem);
    const other = new VmSpace(mem);
    const f = new FrameAllocOptions(mem).allocFrame();
    f.writeBytes(0, pattern(PAGE_SIZE, 6));
    mapFrame(space, VA, f);
    mapFrame(other, VA, f);
    f.dispose();
    other.activate();

    const w = spawn(mem);
    await w.call("attachSpace", { name: "v", token: space.share() });
    // Not active in the worker yet: its reader is denied, although `space` exists on two threads.
    assertError(await w.fails("spaceRead", { name: "v", va: VA, len: 8 }), "VmError", "AccessDenied");
    await w.call("activate", { name: "v" });
    assert.deepEqual(await w.call("spaceRead", { name: "v", va: VA, len: 8 }), pattern(8, 6));

    // Here, `other` is still the active space.
    assertError(caught(() => space.reader(VA, 8)), "VmError", "AccessDenied");
    assertError(caught(() => space.readVal(VA, u32)), "VmError", "AccessDenied");
    assert.equal(other.reader(VA, 8).remain(), 8);

    // Activating `space` here does not deactivate it in the worker, and a second worker starts with nothing active.
    space.activate();
    assertError(caught(() => other.reader(VA, 8)), "VmError", "AccessDenied");
    assert.deepEqual(await w.call("spaceRead", { name: "v", va: VA, len: 8 }), pattern(8, 6));
    const w2 = spawn(mem);
    await w2.call("attachSpace", { name: "v", token: space.share() });
    assertError(await w2.fails("spaceRead", { name: "v", va: VA, len: 8 }), "VmError", "AccessDenied");
    assertError(await w2.fails("spaceReadVal", { name: "v", va: VA }), "VmError", "AccessDenied");

    await w.call("disposeSpace", { name: "v" });
    await w2.call("disposeSpace", { name: "v" });
    space.dispose();
    other.dispose();
    await finishAll([w, w2]);
  });

  test("a VmSpace lives until its last object on any thread is disposed", T, async () => {
    const mem = sharedMemory(256);
    const free0 = mem.freeFrames();
    const space = new VmSpace(mem);
    const opts = new FrameAllocOptions(mem);
    for (let i = 0; i < 3; i++) {
      const f = opts.allocFrame();
      f.writeBytes(0, pattern(PAGE_SIZE, 10 + i));
      mapFrame(space, VA + i * PAGE_SIZE, f);
      f.dispose();
    }
    const w = spawn(mem);
    await w.call("attachSpace", { name: "v", token: space.share() });
    await w.call("activate", { name: "v" });

    space.dispose();
    assert.throws(() => space.cursor({ start: VA, end: VA + PAGE_SIZE }), TypeError, "this thread's object is dead");
    const held = mem.freeFrames();
    assert.ok(held < free0, "the worker's object keeps the space");

    // The worker goes on: reads, maps, unmaps, copies.
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await w.call("spaceRead", { name: "v", va: VA + i * PAGE_SIZE, len: PAGE_SIZE }), pattern(PAGE_SIZE, 10 + i));
    }
    await w.call("mapNew", { name: "v", va: VA + 3 * PAGE_SIZE, bytes: pattern(PAGE_SIZE, 20), flags: PageFlags.RW });
    await w.call("unmap", { name: "v", va: VA, len: PAGE_SIZE });
    assert.equal(await w.call("spaceCopy", { name: "v", from: VA + 3 * PAGE_SIZE, to: VA + PAGE_SIZE, len: PAGE_SIZE }), PAGE_SIZE);
    assert.deepEqual(await w.call("spaceRead", { name: "v", va: VA + PAGE_SIZE, len: PAGE_SIZE }), pattern(PAGE_SIZE, 20));
    assert.equal(mem.freeFrames(), held, "one frame mapped, one unmapped");

    await w.call("disposeSpace", { name: "v" });
    assert.equal(mem.freeFrames(), free0, "the worker's dispose, the last, freed everything");
    await finishAll([w]);
  });

  test("an unattached space token keeps the space alive until a worker attaches it", T, async () => {
    const mem = sharedMemory(256);
    const free0 = mem.freeFrames();
    const space = new VmSpace(mem);
    const f = new FrameAllocOptions(mem).allocFrame();
    f.writeBytes(0, pattern(PAGE_SIZE, 30));
    mapFrame(space, VA, f);
    f.dispose();
    const token = space.share();
    space.dispose();
    assert.ok(mem.freeFrames() < free0);

    const w = spawn(mem);
    await w.call("attachSpace", { name: "v", token });
    await w.call("activate", { name: "v" });
    assert.deepEqual(await w.call("spaceRead", { name: "v", va: VA, len: PAGE_SIZE }), pattern(PAGE_SIZE, 30));
    await w.call("disposeSpace", { name: "v" });
    assert.equal(mem.freeFrames(), free0);
    await finishAll([w]);
  });

  test("a space made in a worker is attached here, and outlives the worker's object", T, async () => {
    const mem = sharedMemory(256);
    const free0 = mem.freeFrames();
    const w = spawn(mem);
    const token = await w.call<SpaceToken>("newSpace", { name: "v" });
    await w.call("activate", { name: "v" });
    const paddr = await w.call<number>("mapNew", { name: "v", va: VA, bytes: pattern(PAGE_SIZE, 40), flags: PageFlags.R });
    const space = VmSpace.attach(mem, token);
    space.activate();
    assert.equal(queryPaddr(space, VA), paddr);
    await w.call("disposeSpace", { name: "v" });
    const got = new Uint8Array(PAGE_SIZE);
    space.readBytes(VA, got);
    assert.deepEqual(got, pattern(PAGE_SIZE, 40));
    assert.throws(() => space.writeVal(VA, u32, 1), (e: unknown) => e instanceof VmError && e.code === "PageFault", "the worker mapped it read-only");
    space.dispose();
    assert.equal(mem.freeFrames(), free0);
    await finishAll([w]);
  });

  test("the last objects of a space, disposed on four threads at once, free it exactly once", T, async () => {
    const mem = sharedMemory(256);
    const free0 = mem.freeFrames();
    const control = controlWords(4);
    const workers = [0, 1, 2].map(() => spawn(mem, control));
    const opts = new FrameAllocOptions(mem);
    for (let round = 0; round < 5; round++) {
      const space = new VmSpace(mem);
      for (let p = 0; p < 10; p++) {
        const f = opts.allocFrame();
        mapFrame(space, VA + p * 512 * PAGE_SIZE, f); // one last-level table per page: many nodes to free
        f.dispose();
      }
      for (const w of workers) await w.call("attachSpace", { name: "v", token: space.share() });
      Atomics.store(control, 0, 0);
      Atomics.store(control, 1, 0);
      const drops = workers.map((w) => background(w.call("disposeSpaceAt", { name: "v", readyIndex: 0, goIndex: 1 })));
      await waitFor(() => Atomics.load(control, 0) === workers.length, 10_000, "the workers at the start line", drops);
      Atomics.store(control, 1, 1);
      Atomics.notify(control, 1);
      space.dispose();
      await Promise.all(drops);
      assert.equal(mem.freeFrames(), free0, `round ${round}: the space, its tables and its frames are freed once`);
    }
    await finishAll(workers);
  });
});

describe("one RAM attached twice in one thread", () => {
  test(
    "a frame of one attachment maps into a space of another attachment of the same RAM",
    T,
    () => {
      const mem = sharedMemory(64);
      const a = PhysicalMemory.attach(mem.share());
      const b = PhysicalMemory.attach(mem.share());
      // One object per RAM per thread: attaching returns the creator's object here.
      assert.equal(a, mem);
      assert.equal(b, mem);
      const free0 = mem.freeFrames();
      const f = new FrameAllocOptions(a).allocFrame();
      const space = new VmSpace(b);
      try {
        mapFrame(space, VA, f);
        space.activate();
        f.writeVal(0, u32, 0xfeed);
        assert.equal(space.readVal(VA, u32), 0xfeed);
      } finally {
        f.dispose();
        space.dispose();
      }
      assert.equal(mem.freeFrames(), free0);
    },
  );
});
