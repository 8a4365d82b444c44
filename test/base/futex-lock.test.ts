// Locks on words of shared memory: re-entry is refused at once with a
// TypeError naming the lock, a waiter gives up after its bound with a coded
// Error and changes nothing, a lock is released only by its holder — or by
// whoever reclaims that holder once it has exited — and every lock taken is
// recorded where a reclaimer finds it.

import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CachePolicy, FrameAllocOptions, PAGE_SIZE, PageFlags, PageProperty, PhysicalMemory, VmSpace } from "../../src/index.js";
import { lockWord, releaseLockOf, unlockWord, waitBounds, type LockOwner } from "../../src/base/futex-lock.js";
import { noWait } from "./no-wait.js";

const saved = { ...waitBounds };
afterEach(() => Object.assign(waitBounds, saved));

/** An owner that keeps its records in a list. */
function owner(tag: number): LockOwner & { records: number[] } {
  const records: number[] = [];
  return {
    lockTag: tag,
    records,
    willLock: (index) => void records.push(index),
    didUnlock: (index) => void records.splice(records.indexOf(index), 1),
  };
}

function words(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(64));
}

describe("lockWord", () => {
  test("takes a free lock, writes the owner's tag, and records it; unlock clears both", () => {
    const i32 = words();
    const a = owner(4);
    lockWord(i32, 3, a, "lock 3");
    assert.equal(i32[3], 4);
    assert.deepEqual(a.records, [3]);
    unlockWord(i32, 3, a);
    assert.equal(i32[3], 0);
    assert.deepEqual(a.records, []);
  });

  test("taking a lock this owner holds is a TypeError ERR_REENTERED naming the lock, at once; the lock stays held once", () => {
    const i32 = words();
    const a = owner(4);
    waitBounds.lockMs = 10_000;
    lockWord(i32, 0, a, "a VmSpace's page-table lock");
    const start = performance.now();
    assert.throws(
      () => lockWord(i32, 0, a, "a VmSpace's page-table lock"),
      (e: Error) => e instanceof TypeError && (e as { code?: string }).code === "ERR_REENTERED" && /VmSpace's page-table lock/.test(e.message),
    );
    assert.ok(noWait(performance.now() - start, waitBounds.lockMs), "not after waiting for itself");
    assert.deepEqual(a.records, [0], "no second record");
    unlockWord(i32, 0, a);
    assert.equal(i32[0], 0);
  });

  test("a lock held by another owner: the waiter gives up after its bound with ERR_LOCK_TIMEOUT, having changed nothing but the waiters bit", () => {
    waitBounds.lockMs = 60;
    const i32 = words();
    const a = owner(4);
    const b = owner(6);
    lockWord(i32, 1, a, "lock 1");
    const start = performance.now();
    assert.throws(
      () => lockWord(i32, 1, b, "lock 1"),
      (e: Error) => !(e instanceof TypeError) && !(e instanceof RangeError) && (e as { code?: string }).code === "ERR_LOCK_TIMEOUT" && /lock 1/.test(e.message) && /reclaim/.test(e.message),
    );
    assert.ok(performance.now() - start >= 55);
    assert.equal(i32[1]! & ~1, 4, "still held by its owner");
    assert.deepEqual(b.records, [], "the waiter's record is gone");
    unlockWord(i32, 1, a);
    lockWord(i32, 1, b, "lock 1");
    unlockWord(i32, 1, b);
  });

  test("releaseLockOf releases a lock only for the owner holding it", () => {
    const i32 = words();
    const a = owner(4);
    lockWord(i32, 2, a, "lock 2");
    assert.equal(releaseLockOf(i32, 2, 6), false);
    assert.equal(i32[2], 4);
    assert.equal(releaseLockOf(i32, 2, 4), true);
    assert.equal(i32[2], 0);
    assert.equal(releaseLockOf(i32, 2, 4), false, "free already");
    const b = owner(6);
    lockWord(i32, 2, b, "lock 2");
    unlockWord(i32, 2, b);
  });

  test("a failing record (too many locks) takes nothing", () => {
    const i32 = words();
    const full: LockOwner = {
      lockTag: 8,
      willLock: () => {
        throw new RangeError("full");
      },
      didUnlock: () => {},
    };
    assert.throws(() => lockWord(i32, 0, full, "lock 0"), /full/);
    assert.equal(i32[0], 0);
  });

  test("on shared RAM, a protectNext callback that re-enters its space never waits for itself: a change gets ERR_REENTERED at once, a query works, and the space stays usable (issue 8, defect 4)", () => {
    const mem = new PhysicalMemory({ size: 64 * PAGE_SIZE, shared: true });
    const free0 = mem.freeFrames();
    const space = new VmSpace(mem);
    const frame = new FrameAllocOptions(mem).allocFrame();
    const c = space.cursorMut({ start: 0x1000, end: 0x2000 });
    c.map(frame, PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback));
    c.jump(0x1000);
    let inner: unknown;
    let queried: number | undefined;
    waitBounds.lockMs = 10_000;
    const start = performance.now();
    c.protectNext(PAGE_SIZE, (p) => {
      // Looking takes no lock: allowed.
      const item = space.cursor({ start: 0x1000, end: 0x2000 }).query().item;
      queried = item?.frame.startPaddr();
      item?.frame.dispose();
      // Changing the space the op is protecting is refused at once.
      try {
        space.cursorMut({ start: 0x1000, end: 0x2000 }).unmap(PAGE_SIZE);
      } catch (e) {
        inner = e;
      }
      p.flags = PageFlags.R;
    });
    assert.ok(noWait(performance.now() - start, waitBounds.lockMs), "no wait for itself");
    assert.equal(queried, frame.startPaddr());
    assert.ok(inner instanceof TypeError && (inner as { code?: string }).code === "ERR_REENTERED", `got ${String(inner)}`);
    c.dispose();
    const q = space.cursor({ start: 0x1000, end: 0x2000 }).query();
    assert.equal(q.item?.prop.flags, PageFlags.R, "the protect went through");
    q.item?.frame.dispose();
    frame.dispose();
    space.dispose();
    assert.equal(mem.freeFrames(), free0);
  });
});
