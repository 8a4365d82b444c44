// Reclaiming a thread that has exited releases exactly what its thread
// slot records: the references of its handles (frames, clones, segments and
// their splits, slices and iterations, vectors, attached tokens, typed
// frames), its views of address spaces, the locks it held, the access it was
// in, and the frames it had unmapped that still waited for a grace period.
// Tested on one thread with the exited thread simulated (support.ts); real
// workers are in test/threads/reclaim.test.ts.

import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CachePolicy,
  FrameAllocOptions,
  FrameVec,
  PAGE_SIZE,
  PageFlags,
  PageProperty,
  UFrame,
  USegment,
  VmSpace,
  u32,
  type PhysicalMemory,
} from "../../src/index.js";
import { waitBounds } from "../../src/base/futex-lock.js";
import { allocatorBases } from "../../src/frame/layout.js";
import { ramOf } from "../../src/frame/physical-memory.js";
import { memory, otherThread, usableFrames } from "./support.js";

const saved = { ...waitBounds };
afterEach(() => Object.assign(waitBounds, saved));

const RW = PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback);

function mapAt(space: VmSpace, va: number, frame: UFrame): void {
  const c = space.cursorMut({ start: va, end: va + PAGE_SIZE });
  c.map(frame, RW);
  c.dispose();
}

/** Frames whose references this thread holds without a handle. */
function takeFrames(mem: PhysicalMemory, n: number): number[] {
  const ram = ramOf(mem);
  return Array.from({ length: n }, () => ram.frames.alloc(1, true, 0));
}

describe("PhysicalMemory.reclaim", () => {
  test("drops exactly the references an exited thread's handles held, however they were made", () => {
    const mem = memory(256, { shared: true });
    const free0 = mem.freeFrames();
    const { memory: b, token } = otherThread(mem);
    const opts = new FrameAllocOptions(b);
    const f = opts.allocFrame();
    f.clone(); // 2
    const [s1, s2] = opts.allocSegment(5).split(2 * PAGE_SIZE); // 5
    s2.slice(PAGE_SIZE, 3 * PAGE_SIZE); // 2
    s1.slice(0, 0); // an empty slice holds nothing
    const it = opts.allocSegment(4)[Symbol.iterator]();
    it.next(); // 4: one frame handed out, three still held by the iteration
    const v = opts.allocFrame();
    new FrameVec([v, v, opts.allocFrame()]); // 1 + 1 + 3
    new FrameVec(opts.allocSegment(2)); // 2 + 2
    opts.allocFrameWith({ typed: true }); // 1
    opts.allocSegmentWith(2, () => 0); // 2
    const fromHere = new FrameAllocOptions(mem).allocFrame();
    UFrame.attach(b, fromHere.share()); // 1
    fromHere.dispose();
    const seg = new FrameAllocOptions(mem).allocSegment(3);
    USegment.attach(b, seg.share()); // 3
    seg.dispose();
    const expected = 2 + 5 + 2 + 4 + 5 + 4 + 1 + 2 + 1 + 3;

    const report = mem.reclaim(token);
    assert.deepEqual(report, { attached: true, inAccess: false, locks: 0, frames: expected, spaces: 0, retired: 0 });
    assert.equal(mem.freeFrames(), free0, "every frame is back");
    assert.deepEqual(mem.reclaim(token), { attached: false, inAccess: false, locks: 0, frames: 0, spaces: 0, retired: 0 }, "twice is nothing");
  });

  test("releases an exited thread's views of address spaces: the last view frees the space, its tables and its frames", () => {
    const mem = memory(512, { shared: true });
    const free0 = mem.freeFrames();
    const { memory: b, token } = otherThread(mem);
    // A space made here, shared with the thread; and one the thread made itself.
    const here = new VmSpace(mem);
    for (let p = 0; p < 10; p++) {
      const frame = new FrameAllocOptions(mem).allocFrame();
      mapAt(here, 0x4000_0000 + p * 512 * PAGE_SIZE, frame); // a last-level table each
      frame.dispose();
    }
    VmSpace.attach(b, here.share());
    const own = new VmSpace(b);
    const frame = new FrameAllocOptions(b).allocFrame();
    mapAt(own, 0x1000, frame);
    frame.dispose();
    here.dispose(); // the thread's view keeps it alive
    assert.ok(mem.freeFrames() < free0 - 20);

    const report = mem.reclaim(token);
    assert.deepEqual(report, { attached: true, inAccess: false, locks: 0, frames: 0, spaces: 2, retired: 0 });
    assert.equal(mem.freeFrames(), free0, "both spaces, every table and every mapped frame");
  });

  test("releases the access an exited thread was in: the frees it held up are done", () => {
    waitBounds.retireMs = 20;
    const mem = memory(64, { shared: true });
    const free0 = mem.freeFrames();
    const { memory: b, token } = otherThread(mem);
    ramOf(b).gp.enter();
    ramOf(mem).gp.retire(takeFrames(mem, 3));
    assert.equal(mem.freeFrames(), free0 - 3, "held up by the section");
    const report = mem.reclaim(token);
    assert.equal(report.inAccess, true);
    assert.equal(mem.freeFrames(), free0);
  });

  test("takes over the frames an exited thread had retired: they are freed once the sections they wait for end, never before", () => {
    waitBounds.retireMs = 20;
    const mem = memory(64, { shared: true });
    const free0 = mem.freeFrames();
    const b = otherThread(mem);
    const c = otherThread(mem);
    ramOf(c.memory).gp.enter();
    ramOf(b.memory).gp.retire(takeFrames(b.memory, 2));
    const report = mem.reclaim(b.token);
    assert.equal(report.retired, 2);
    assert.equal(mem.freeFrames(), free0 - 2, "the third thread is still inside");
    ramOf(c.memory).gp.exit();
    assert.equal(mem.freeFrames(), free0);
    mem.reclaim(c.token);
  });

  test("releases the locks an exited thread held, and only those; a lock record left for a frame freed since is ignored", () => {
    waitBounds.lockMs = 30;
    const mem = memory(64, { shared: true });
    const { memory: b, token } = otherThread(mem);
    const words = new FrameAllocOptions(mem).allocFrameWith("locks");
    const index = words.startPaddr() / 4;
    const ram = ramOf(mem);
    ramOf(b).lock(index, "a test lock");
    ramOf(b).lock(index + 1, "another");
    ramOf(b).unlock(index + 1);
    assert.throws(() => ram.lock(index, "a test lock"), (e: Error) => (e as { code?: string }).code === "ERR_LOCK_TIMEOUT");
    assert.deepEqual(mem.reclaim(token).locks, 1);
    ram.lock(index, "a test lock");
    ram.unlock(index);

    // A thread killed between releasing a lock and erasing its record leaves the record behind;
    // if the frame holding the word was freed and reused, reclaiming must not touch it.
    const c = otherThread(mem);
    const lockFrame = new FrameAllocOptions(mem).allocFrameWith("lock");
    const at = lockFrame.startPaddr() / 4;
    ramOf(c.memory).thread.willLock(at); // the record, without the lock
    lockFrame.dispose();
    const reused = new FrameAllocOptions(mem).allocFrame();
    assert.equal(reused.startPaddr() / 4, at, "the same frame, reused");
    reused.writeVal(0, u32, ramOf(c.memory).thread.lockTag); // data that looks like the dead thread's lock
    assert.equal(mem.reclaim(c.token).locks, 0);
    assert.equal(reused.readVal(0, u32), ramOf(c.memory).thread.lockTag, "another owner's data is left alone");
    reused.dispose();
    words.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("rebuilds the allocator's tree, which a thread killed half-way through an update may have left saying no", () => {
    const mem = memory(128, { shared: true });
    const { token } = otherThread(mem);
    const opts = new FrameAllocOptions(mem);
    const n = mem.freeFrames();
    ramOf(mem).i32.fill(0, ...treeRange(mem)); // what a dead updater could leave: every node says "no run"
    assert.throws(() => opts.allocSegment(n), /NoMemory|no run/);
    mem.reclaim(token);
    opts.allocSegment(n).dispose();
  });

  test("a thread's ledger grows past its slot into pages of RAM and gives them back; reclaiming releases both", () => {
    const mem = memory(1024, { shared: true });
    const free0 = mem.freeFrames();
    const { memory: b, token } = otherThread(mem);
    const opts = new FrameAllocOptions(b);
    const frames = Array.from({ length: 600 }, () => opts.allocFrame());
    assert.equal(mem.freeFrames(), free0 - 600 - 2, "24 handles in the slot, 511 per ledger page");
    for (const f of frames.splice(0, 590)) f.dispose();
    // The first page (emptied) goes back once little is held; the second still holds the last ten.
    assert.equal(mem.freeFrames(), free0 - 10 - 1);
    const more = Array.from({ length: 100 }, () => opts.allocFrame());
    assert.equal(mem.freeFrames(), free0 - 110 - 1, "the slot's entries first, then the page's");
    assert.equal(mem.reclaim(token).frames, 110);
    assert.equal(mem.freeFrames(), free0);
    void more;
  });
});

/** The Int32 range of the allocator's tree in RAM. */
function treeRange(mem: PhysicalMemory): [number, number] {
  const { tree, words } = allocatorBases(ramOf(mem).nframes);
  return [tree, tree + words.tree];
}
