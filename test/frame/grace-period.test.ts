// Grace periods, tested on one thread with other threads simulated (a
// PhysicalMemory object with a thread slot of its own, see support.ts): a
// frame retired while another thread is inside an access that began before
// is never freed early; waits are bounded and then defer the frees (retire)
// or fail with a code (synchronize); nothing ever presumes a thread dead;
// and a thread never waits for its own section.
// Real workers: test/threads/reclaim.test.ts and shootdown.test.ts.

import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { FrameAllocOptions, PhysicalMemory, type UFrame } from "../../src/index.js";
import { waitBounds } from "../../src/base/futex-lock.js";
import { H_EPOCH } from "../../src/frame/layout.js";
import { ramOf } from "../../src/frame/physical-memory.js";
import { memory, otherThread, usableFrames } from "./support.js";
import { noWait } from "../base/no-wait.js";

const saved = { ...waitBounds };
beforeEach(() => {
  waitBounds.retireMs = 40;
  waitBounds.synchronizeMs = 40;
});
afterEach(() => Object.assign(waitBounds, saved));

/** Frames whose references this thread holds without a handle (as a page table holds mapped frames). */
function takeFrames(mem: PhysicalMemory, n: number): number[] {
  const ram = ramOf(mem);
  return Array.from({ length: n }, () => ram.frames.alloc(1, true, 0));
}

function isTimeout(e: unknown): boolean {
  return e instanceof Error && (e as { code?: unknown }).code === "ERR_GRACE_PERIOD_TIMEOUT" && /thread slot \d+/.test(e.message);
}

describe("grace periods", () => {
  test("on unshared RAM sections are no-ops and retired frames are freed at once", () => {
    const mem = memory(64);
    const gp = ramOf(mem).gp;
    const free0 = mem.freeFrames();
    const frames = takeFrames(mem, 3);
    gp.enter();
    gp.retire(frames);
    gp.synchronize();
    gp.exit();
    assert.equal(mem.freeFrames(), free0);
  });

  test("with no thread inside an access, retired frames are freed before retire returns", () => {
    const mem = memory(64, { shared: true });
    const other = otherThread(mem);
    const free0 = mem.freeFrames();
    const frames = takeFrames(mem, 4);
    ramOf(mem).gp.retire(frames);
    assert.equal(mem.freeFrames(), free0);
    ramOf(mem).gp.synchronize();
    mem.reclaim(other.token);
  });

  test("a frame retired while another thread is inside an access is not freed until that access ends, however long it takes", () => {
    const mem = memory(64, { shared: true });
    const other = otherThread(mem);
    const b = ramOf(other.memory).gp;
    const a = ramOf(mem).gp;
    const frames = takeFrames(mem, 2);
    const free0 = mem.freeFrames();
    b.enter();
    const start = performance.now();
    a.retire(frames);
    assert.ok(performance.now() - start >= waitBounds.retireMs - 5, "it waited for the bound");
    assert.equal(mem.freeFrames(), free0, "then deferred the frees");
    // Well past any deadline: still not freed, whatever asks.
    for (let i = 0; i < 5; i++) a.retire(takeFrames(mem, 0));
    assert.throws(() => new FrameAllocOptions(mem).allocSegment(free0 + 1));
    assert.equal(mem.freeFrames(), free0);
    b.exit();
    assert.equal(mem.freeFrames(), free0 + 2, "freed once the access ended");
    mem.reclaim(other.token);
  });

  test("deferred frees are done by the retiring thread's next grace period, its outermost exit, or an allocation that would fail", () => {
    const mem = memory(64, { shared: true });
    const other = otherThread(mem);
    const b = ramOf(other.memory).gp;
    const a = ramOf(mem).gp;
    const opts = new FrameAllocOptions(mem);

    // By the next retire.
    b.enter();
    a.retire(takeFrames(mem, 1));
    b.exit();
    const free = ramOf(mem).allocator.freeCount();
    a.retire(takeFrames(mem, 1));
    assert.equal(ramOf(mem).allocator.freeCount(), free + 1, "the earlier frame, now that its grace period is over");

    // By an outermost exit of the retiring thread.
    b.enter();
    a.retire(takeFrames(mem, 1));
    b.exit();
    const before = ramOf(mem).allocator.freeCount();
    a.enter();
    a.enter();
    a.exit();
    assert.equal(ramOf(mem).allocator.freeCount(), before, "not by a nested exit");
    a.exit();
    assert.equal(ramOf(mem).allocator.freeCount(), before + 1);

    // By an allocation that would otherwise be NoMemory.
    const rest = takeFrames(mem, ramOf(mem).allocator.freeCount());
    b.enter();
    a.retire(rest.splice(0, 1));
    b.exit();
    assert.equal(ramOf(mem).allocator.freeCount(), 0, "RAM is full; the retired frame waits");
    const f = opts.allocFrame();
    f.dispose();
    a.retire(rest);
    assert.equal(mem.freeFrames(), usableFrames(mem));
    mem.reclaim(other.token);
  });

  test("a section that begins after the grace period started does not hold it up", () => {
    const mem = memory(64, { shared: true });
    const other = otherThread(mem);
    const b = ramOf(other.memory).gp;
    const a = ramOf(mem).gp;
    const free0 = mem.freeFrames();
    const frames = takeFrames(mem, 1);
    b.enter();
    a.retire(frames);
    b.exit();
    b.enter(); // a new access: it cannot hold the old translation
    assert.equal(mem.freeFrames(), free0);
    b.exit();
    mem.reclaim(other.token);
  });

  test("a thread found in the same section at an earlier timeout is not waited for again; a new section is", () => {
    waitBounds.retireMs = 300;
    const mem = memory(64, { shared: true });
    const other = otherThread(mem);
    const b = ramOf(other.memory).gp;
    const a = ramOf(mem).gp;
    b.enter();
    let start = performance.now();
    a.retire(takeFrames(mem, 1));
    assert.ok(performance.now() - start >= 295, "the first retire waited the bound");
    // A long bound now: waiting for the same section again would show as seconds.
    waitBounds.retireMs = 10_000;
    start = performance.now();
    a.retire(takeFrames(mem, 1));
    a.retire(takeFrames(mem, 1));
    assert.ok(noWait(performance.now() - start, waitBounds.retireMs), `the same section is not waited for twice (${(performance.now() - start).toFixed(0)} ms)`);
    b.exit();
    b.enter();
    waitBounds.retireMs = 300;
    start = performance.now();
    a.retire(takeFrames(mem, 1));
    assert.ok(performance.now() - start >= 295, "a new section is waited for");
    b.exit();
    assert.equal(mem.freeFrames(), usableFrames(mem));
    mem.reclaim(other.token);
  });

  test("synchronize waits for another thread's section up to its bound, then fails with ERR_GRACE_PERIOD_TIMEOUT; never for the caller's own", () => {
    const mem = memory(64, { shared: true });
    const other = otherThread(mem);
    const b = ramOf(other.memory).gp;
    const a = ramOf(mem).gp;
    b.enter();
    assert.throws(() => a.synchronize(), isTimeout);
    assert.throws(() => a.synchronize(), isTimeout, "still inside: still refused (without waiting again)");
    b.exit();
    a.synchronize();
    // Inside its own section a thread's grace period does not wait for itself.
    waitBounds.synchronizeMs = 10_000;
    a.enter();
    const start = performance.now();
    a.synchronize();
    assert.ok(noWait(performance.now() - start, waitBounds.synchronizeMs), "no wait for itself");
    a.exit();
    mem.reclaim(other.token);
  });

  test("a frame retired inside the caller's own section (a callback during an access) is freed when that access ends, without waiting", () => {
    waitBounds.retireMs = 10_000;
    const mem = memory(64, { shared: true });
    const a = ramOf(mem).gp;
    const frames = takeFrames(mem, 3);
    const free0 = mem.freeFrames();
    a.enter();
    const start = performance.now();
    a.retire(frames);
    assert.ok(noWait(performance.now() - start, waitBounds.retireMs), "no wait for itself");
    assert.equal(ramOf(mem).allocator.freeCount(), free0, "the access in progress may still use them");
    a.exit();
    assert.equal(ramOf(mem).allocator.freeCount(), free0 + 3);
  });

  test("a fault handler runs outside the section (suspend/resume): what it retires is freed at once", () => {
    const mem = memory(64, { shared: true });
    const a = ramOf(mem).gp;
    const free0 = mem.freeFrames();
    a.enter();
    a.enter();
    const depth = a.suspend();
    assert.equal(depth, 2);
    a.retire(takeFrames(mem, 2));
    assert.equal(ramOf(mem).allocator.freeCount(), free0);
    a.resume(depth);
    a.exit();
    a.exit();
    assert.equal(mem.freeFrames(), free0);
  });

  test("epochs wrap around: a section that began before the wrap still holds a grace period that began after it", () => {
    const mem = memory(64, { shared: true });
    Atomics.store(ramOf(mem).i32, H_EPOCH, 0x7fff_ffff);
    const other = otherThread(mem);
    const b = ramOf(other.memory).gp;
    const a = ramOf(mem).gp;
    const free0 = mem.freeFrames();
    b.enter();
    a.retire(takeFrames(mem, 1));
    assert.ok(Atomics.load(ramOf(mem).i32, H_EPOCH) < 0, "the epoch wrapped");
    assert.notEqual(Atomics.load(ramOf(mem).i32, H_EPOCH), 0);
    assert.equal(mem.freeFrames(), free0 - 1);
    b.exit();
    assert.equal(mem.freeFrames(), free0);
    mem.reclaim(other.token);
  });

  test("frames kept by a UFrame handle are not the grace period's business: dispose frees at once even while another thread is inside an access", () => {
    const mem = memory(64, { shared: true });
    const other = otherThread(mem);
    const free0 = mem.freeFrames();
    ramOf(other.memory).gp.enter();
    const f: UFrame = new FrameAllocOptions(mem).allocFrame();
    f.dispose();
    assert.equal(mem.freeFrames(), free0);
    mem.reclaim(other.token);
  });
});
