// Cursor and CursorMut: query, jump, virtAddr, map, unmap and protectNext —
// where the cursor goes, what they change, and every contract violation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CachePolicy, Cursor, CursorMut, MAX_USERSPACE_VADDR, PAGE_SIZE, PageFlags, PageProperty, PhysicalMemory, VmSpace, u32, u8 } from "../../src/index.js";
import {
  BAD_NUMBERS,
  BAD_TYPES,
  disposeAndCheck,
  fixture,
  flagsAt,
  hasCode,
  mapNew,
  newFrame,
  protectAt,
  queryAt,
  throwsContract,
  throwsDisposed,
  throwsVmError,
  unmapAt,
  user,
  PAGING,
} from "./support.js";
import { spaceStateOf } from "../../src/vm/vm-space.js";
import { noWait } from "../base/no-wait.js";
import { waitBounds } from "../../src/base/futex-lock.js";

test("cursor ranges: unaligned or empty → InvalidArgs; past MAX_USERSPACE_VADDR → AccessDenied; malformed → TypeError/RangeError", () => {
  const f = fixture();
  const { space } = f;
  for (const make of [(r: { start: number; end: number }) => space.cursor(r), (r: { start: number; end: number }) => space.cursorMut(r)]) {
    throwsVmError(() => make({ start: 0x800, end: 0x2000 }), "InvalidArgs");
    throwsVmError(() => make({ start: 0x1000, end: 0x2001 }), "InvalidArgs");
    throwsVmError(() => make({ start: 0x1000, end: 0x1000 }), "InvalidArgs");
    throwsVmError(() => make({ start: 0x2000, end: 0x1000 }), "InvalidArgs");
    throwsVmError(() => make({ start: 0, end: MAX_USERSPACE_VADDR + PAGE_SIZE }), "AccessDenied");
    throwsVmError(() => make({ start: 2 ** 47, end: 2 ** 47 + PAGE_SIZE }), "AccessDenied");
    make({ start: MAX_USERSPACE_VADDR - PAGE_SIZE, end: MAX_USERSPACE_VADDR }).dispose();
    make({ start: 0, end: MAX_USERSPACE_VADDR }).dispose();
    for (const bad of BAD_NUMBERS) {
      throwsContract(() => make({ start: bad, end: 0x1000 }), RangeError);
      throwsContract(() => make({ start: 0, end: bad }), RangeError);
    }
    for (const bad of BAD_TYPES) throwsContract(() => make({ start: bad as number, end: 0x1000 }), TypeError);
    for (const bad of [null, undefined, 5, "0..4096"]) throwsContract(() => make(bad as never), TypeError);
  }
  disposeAndCheck(f);
});

test("cursor() and cursorMut() make Cursor and CursorMut at the start of their range", () => {
  const f = fixture();
  using c = f.space.cursor({ start: 0x3000, end: 0x5000 });
  using m = f.space.cursorMut({ start: 0x3000, end: 0x5000 });
  assert.ok(c instanceof Cursor && !(c instanceof CursorMut));
  assert.ok(m instanceof CursorMut && m instanceof Cursor);
  assert.equal(c.virtAddr(), 0x3000);
  assert.equal(m.virtAddr(), 0x3000);
  disposeAndCheck(f);
});

test("jump moves within the range; unaligned → RangeError; outside → InvalidArgs; bad types → TypeError/RangeError", () => {
  const f = fixture();
  using c = f.space.cursor({ start: 0x3000, end: 0x6000 });
  c.jump(0x5000);
  assert.equal(c.virtAddr(), 0x5000);
  c.jump(0x3000);
  assert.equal(c.virtAddr(), 0x3000);
  throwsContract(() => c.jump(0x4800), RangeError);
  throwsContract(() => c.jump(0x3001), RangeError);
  throwsVmError(() => c.jump(0x6000), "InvalidArgs");
  throwsVmError(() => c.jump(0x2000), "InvalidArgs");
  throwsVmError(() => c.jump(2 ** 47), "InvalidArgs");
  for (const bad of BAD_NUMBERS) throwsContract(() => c.jump(bad), RangeError);
  for (const bad of BAD_TYPES) throwsContract(() => c.jump(bad as number), TypeError);
  assert.equal(c.virtAddr(), 0x3000, "failed jumps do not move the cursor");
  disposeAndCheck(f);
});

test("query does not move the cursor; at the end of the range it is InvalidArgs", () => {
  const f = fixture();
  mapNew(f.space, f.mem, 0x4000, PageFlags.R);
  using c = f.space.cursorMut({ start: 0x3000, end: 0x5000 });
  assert.deepEqual(c.query(), { range: { start: 0x3000, end: 0x4000 } });
  assert.equal(c.virtAddr(), 0x3000);
  c.jump(0x4000);
  const q = c.query();
  assert.deepEqual(q.range, { start: 0x4000, end: 0x5000 });
  q.item?.frame.dispose();
  c.unmap(PAGE_SIZE);
  assert.equal(c.virtAddr(), 0x5000);
  throwsVmError(() => c.query(), "InvalidArgs");
  disposeAndCheck(f);
});

test("map advances the cursor by one page; map at the end of the range is a RangeError", () => {
  const f = fixture();
  const frame = newFrame(f.mem);
  {
    using c = f.space.cursorMut({ start: 0x3000, end: 0x5000 });
    c.map(frame, user(PageFlags.R));
    assert.equal(c.virtAddr(), 0x4000);
    c.map(frame, user(PageFlags.RW));
    assert.equal(c.virtAddr(), 0x5000);
    throwsContract(() => c.map(frame, user(PageFlags.R)), RangeError);
    assert.equal(frame.referenceCount(), 3);
  }
  assert.equal(flagsAt(f.space, 0x3000), PageFlags.R);
  assert.equal(flagsAt(f.space, 0x4000), PageFlags.RW);
  frame.dispose();
  disposeAndCheck(f);
});

test("map with a bad frame or property is TypeError/RangeError and changes nothing", () => {
  const f = fixture();
  const frame = newFrame(f.mem);
  const dead = newFrame(f.mem);
  dead.dispose();
  using c = f.space.cursorMut({ start: 0x3000, end: 0x5000 });
  for (const bad of [null, undefined, {}, 0x5000]) throwsContract(() => c.map(bad as never, user(PageFlags.R)), TypeError);
  throwsDisposed(() => c.map(dead, user(PageFlags.R)));
  for (const bad of [null, undefined, PageFlags.R, { flags: PageFlags.R, cache: CachePolicy.Writeback }]) {
    throwsContract(() => c.map(frame, bad as never), TypeError);
  }
  const tampered = user(PageFlags.R);
  tampered.flags = 64;
  throwsContract(() => c.map(frame, tampered), RangeError);
  tampered.flags = PageFlags.R;
  tampered.cache = 9 as CachePolicy;
  throwsContract(() => c.map(frame, tampered), RangeError);
  assert.equal(c.virtAddr(), 0x3000);
  assert.equal(frame.referenceCount(), 1);
  assert.equal(spaceStateOf(f.space).table.nodeCount(), 1);
  frame.dispose();
  disposeAndCheck(f);
});

test("the mapping keeps the property given at map time (later changes to the object do not leak in)", () => {
  const f = fixture();
  const frame = newFrame(f.mem);
  const prop = PageProperty.newUser(PageFlags.R, CachePolicy.Writeback);
  {
    using c = f.space.cursorMut({ start: 0x3000, end: 0x4000 });
    c.map(frame, prop);
  }
  prop.flags = PageFlags.RWX;
  assert.equal(flagsAt(f.space, 0x3000), PageFlags.R);
  frame.dispose();
  disposeAndCheck(f);
});

test("unmap(len) unmaps [virtAddr, virtAddr + len), skips holes, and advances the cursor by len", () => {
  const f = fixture();
  for (const va of [0x3000, 0x5000, 0x6000, 0x8000]) mapNew(f.space, f.mem, va);
  using c = f.space.cursorMut({ start: 0x3000, end: 0x9000 });
  c.jump(0x4000);
  c.unmap(3 * PAGE_SIZE);
  assert.equal(c.virtAddr(), 0x7000);
  assert.notEqual(queryAt(f.space, 0x3000), undefined, "before the cursor: kept");
  assert.equal(queryAt(f.space, 0x5000), undefined);
  assert.equal(queryAt(f.space, 0x6000), undefined);
  assert.notEqual(queryAt(f.space, 0x8000), undefined, "after len: kept");
  c.unmap(0);
  assert.equal(c.virtAddr(), 0x7000, "unmap(0) is a no-op");
  c.unmap(2 * PAGE_SIZE);
  assert.equal(c.virtAddr(), 0x9000, "up to the end of the range is fine");
  assert.equal(queryAt(f.space, 0x8000), undefined);
  disposeAndCheck(f);
});

test("unmap: an unaligned length (0x800) or one past the range is a RangeError and changes nothing", () => {
  const f = fixture();
  mapNew(f.space, f.mem, 0x3000);
  using c = f.space.cursorMut({ start: 0x3000, end: 0x5000 });
  throwsContract(() => c.unmap(0x800), RangeError);
  throwsContract(() => c.unmap(PAGE_SIZE + 1), RangeError);
  throwsContract(() => c.unmap(3 * PAGE_SIZE), RangeError);
  for (const bad of BAD_NUMBERS) throwsContract(() => c.unmap(bad), RangeError);
  for (const bad of BAD_TYPES) throwsContract(() => c.unmap(bad as number), TypeError);
  assert.equal(c.virtAddr(), 0x3000);
  assert.notEqual(queryAt(f.space, 0x3000), undefined);
  disposeAndCheck(f);
});

test("protectNext: map RW, jump back, protect to R → returns that page's range, query shows R, cursor past the page", () => {
  const f = fixture();
  const frame = newFrame(f.mem);
  using c = f.space.cursorMut({ start: 0x1000, end: 0x3000 });
  c.map(frame, user(PageFlags.RW));
  assert.equal(c.virtAddr(), 0x2000, "map advanced the cursor");
  c.jump(0x1000);
  const r = c.protectNext(0x1000, (p) => {
    assert.ok(p instanceof PageProperty);
    assert.equal(p.flags, PageFlags.RW);
    p.flags = PageFlags.R;
  });
  assert.deepEqual(r, { start: 0x1000, end: 0x2000 });
  assert.equal(c.virtAddr(), 0x2000);
  c.jump(0x1000);
  const q = c.query();
  assert.equal(q.item?.prop.flags, PageFlags.R);
  q.item?.frame.dispose();
  assert.equal(frame.referenceCount(), 2, "protect keeps the frame and its reference");
  frame.dispose();
  disposeAndCheck(f);
});

test("protectNext finds the first mapped page after holes, and returns undefined (cursor at the end of the searched range) when none", () => {
  const f = fixture();
  for (const va of [0x4000, 0x6000]) mapNew(f.space, f.mem, va, PageFlags.RW);
  using c = f.space.cursorMut({ start: 0x1000, end: 0x9000 });
  const ops: number[] = [];
  const op = (p: PageProperty) => {
    ops.push(p.flags);
    p.flags = PageFlags.R;
  };
  assert.deepEqual(c.protectNext(0x8000, op), { start: 0x4000, end: 0x5000 });
  assert.equal(c.virtAddr(), 0x5000);
  assert.deepEqual(c.protectNext(0x1000, op), undefined, "0x5000 is a hole");
  assert.equal(c.virtAddr(), 0x6000, "moved to the end of the searched range");
  assert.deepEqual(c.protectNext(0x3000, op), { start: 0x6000, end: 0x7000 });
  assert.equal(c.protectNext(0x2000, op), undefined);
  assert.equal(c.virtAddr(), 0x9000);
  assert.deepEqual(ops, [PageFlags.RW, PageFlags.RW], "op ran once per page found");
  assert.equal(flagsAt(f.space, 0x4000), PageFlags.R);
  assert.equal(flagsAt(f.space, 0x6000), PageFlags.R);
  disposeAndCheck(f);
});

test("protectNext over a range with no mapping at all returns undefined and never calls op", () => {
  const f = fixture();
  using c = f.space.cursorMut({ start: 0x1000, end: 0x8000 });
  assert.equal(
    c.protectNext(0x4000, () => assert.fail("op must not run")),
    undefined,
  );
  assert.equal(c.virtAddr(), 0x5000);
  assert.equal(c.protectNext(0, () => assert.fail("op must not run")), undefined);
  assert.equal(c.virtAddr(), 0x5000, "len 0 searches nothing");
  disposeAndCheck(f);
});

test("protectNext past the cursor's range or with an unaligned length is a RangeError; a non-function op is a TypeError", () => {
  const f = fixture();
  mapNew(f.space, f.mem, 0x1000);
  using c = f.space.cursorMut({ start: 0x1000, end: 0x3000 });
  const op = (p: PageProperty) => {
    p.flags = PageFlags.R;
  };
  throwsContract(() => c.protectNext(0x3000, op), RangeError);
  throwsContract(() => c.protectNext(0x800, op), RangeError);
  for (const bad of BAD_NUMBERS) throwsContract(() => c.protectNext(bad, op), RangeError);
  for (const bad of BAD_TYPES) throwsContract(() => c.protectNext(bad as number, op), TypeError);
  for (const bad of [null, undefined, 1, {}]) throwsContract(() => c.protectNext(PAGE_SIZE, bad as never), TypeError);
  assert.equal(c.virtAddr(), 0x1000);
  assert.equal(flagsAt(f.space, 0x1000), PageFlags.RW);
  disposeAndCheck(f);
});

test("protectNext: if op throws or leaves an invalid property, nothing changes and the cursor stays", () => {
  const f = fixture();
  mapNew(f.space, f.mem, 0x1000);
  using c = f.space.cursorMut({ start: 0x1000, end: 0x3000 });
  const boom = new Error("boom");
  assert.throws(
    () =>
      c.protectNext(PAGE_SIZE, (p) => {
        p.flags = PageFlags.R;
        throw boom;
      }),
    (e) => e === boom,
  );
  assert.equal(c.virtAddr(), 0x1000);
  assert.equal(flagsAt(f.space, 0x1000), PageFlags.RW);
  throwsContract(
    () =>
      c.protectNext(PAGE_SIZE, (p) => {
        p.flags = 99;
      }),
    RangeError,
  );
  throwsContract(
    () =>
      c.protectNext(PAGE_SIZE, (p) => {
        p.cache = -1 as CachePolicy;
      }),
    RangeError,
  );
  assert.equal(c.virtAddr(), 0x1000);
  assert.equal(flagsAt(f.space, 0x1000), PageFlags.RW);
  f.space.writeVal(0x1000, u8, 1);
  disposeAndCheck(f);
});

test("protectNext can change the cache policy and add or remove any flag, keeping the frame", () => {
  const f = fixture();
  const paddr = mapNew(f.space, f.mem, 0x1000, PageFlags.R);
  using c = f.space.cursorMut({ start: 0x1000, end: 0x2000 });
  c.protectNext(PAGE_SIZE, (p) => {
    p.flags = PageFlags.RWX | PageFlags.DIRTY;
    p.cache = CachePolicy.Uncacheable;
  });
  assert.deepEqual(queryAt(f.space, 0x1000), { paddr, flags: PageFlags.RWX | PageFlags.DIRTY, cache: CachePolicy.Uncacheable });
  c.jump(0x1000);
  c.protectNext(PAGE_SIZE, (p) => {
    p.flags = 0;
  });
  assert.deepEqual(queryAt(f.space, 0x1000), { paddr, flags: 0, cache: CachePolicy.Uncacheable }, "still mapped without any access");
  throwsVmError(() => f.space.readVal(0x1000, u8), "PageFault");
  disposeAndCheck(f);
});

test("two cursors over overlapping ranges see each other's changes as soon as each operation returns", () => {
  const f = fixture();
  const frame = newFrame(f.mem);
  using a = f.space.cursorMut({ start: 0x1000, end: 0x5000 });
  using b = f.space.cursor({ start: 0x2000, end: 0x3000 });
  assert.equal(b.query().item, undefined);
  a.jump(0x2000);
  a.map(frame, user(PageFlags.RW));
  const q = b.query();
  assert.equal(q.item?.prop.flags, PageFlags.RW);
  q.item?.frame.dispose();
  a.jump(0x2000);
  a.unmap(PAGE_SIZE);
  assert.equal(b.query().item, undefined);
  frame.dispose();
  disposeAndCheck(f);
});

test("a disposed cursor throws TypeError on every method, including a second dispose", () => {
  const f = fixture();
  const c = f.space.cursor({ start: 0x1000, end: 0x2000 });
  const m = f.space.cursorMut({ start: 0x1000, end: 0x2000 });
  c.dispose();
  m[Symbol.dispose]();
  for (const cur of [c, m]) {
    throwsDisposed(() => cur.query());
    throwsDisposed(() => cur.jump(0x1000));
    throwsDisposed(() => cur.virtAddr());
    throwsDisposed(() => cur.dispose());
  }
  throwsDisposed(() => m.map(null as never, user(PageFlags.R)));
  throwsDisposed(() => m.unmap(PAGE_SIZE));
  throwsDisposed(() => m.protectNext(PAGE_SIZE, () => {}));
  disposeAndCheck(f);
});

test("a cursor reaches only its own range: unmap and protectNext stop at its end", () => {
  const f = fixture();
  for (const va of [0x1000, 0x2000, 0x3000]) mapNew(f.space, f.mem, va);
  {
    using c = f.space.cursorMut({ start: 0x2000, end: 0x3000 });
    c.unmap(PAGE_SIZE);
    throwsContract(() => c.unmap(PAGE_SIZE), RangeError);
    assert.equal(c.protectNext(0, () => assert.fail()), undefined);
  }
  assert.notEqual(queryAt(f.space, 0x1000), undefined);
  assert.equal(queryAt(f.space, 0x2000), undefined);
  assert.notEqual(queryAt(f.space, 0x3000), undefined);
  throwsVmError(() => f.space.writeVal(0x1ffe, u32, 0), "PageFault"); // straddling into the hole faults
  disposeAndCheck(f);
});

// ---- issue 8: callbacks and getters that re-enter the space ----

const BASE = 0x40_0000;

test("a protectNext op that unmaps its own page gets ERR_REENTERED; nothing changes, and no reserved frame is ever mapped", () => {
  const f = fixture();
  const { mem, space } = f;
  const paddr = mapNew(space, mem, BASE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(7));
  mapNew(space, mem, BASE + PAGE_SIZE, PageFlags.RW); // keeps the leaf node alive
  using c = space.cursorMut({ start: BASE, end: BASE + PAGE_SIZE });
  let inner: unknown;
  assert.throws(
    () =>
      c.protectNext(PAGE_SIZE, (p) => {
        try {
          unmapAt(space, BASE);
        } catch (e) {
          inner = e;
          throw e;
        }
        p.flags = PageFlags.R;
      }),
    (e: unknown) => e === inner && e instanceof TypeError && hasCode(e, "ERR_REENTERED"),
  );
  assert.equal(c.virtAddr(), BASE, "the cursor did not move");
  assert.deepEqual(queryAt(space, BASE), { paddr, flags: PageFlags.RW, cache: CachePolicy.Writeback }, "the page is as it was");
  assert.ok(space.readBytes(BASE, new Uint8Array(4)) === undefined);
  assert.notEqual(space.readVal(BASE, u32), 0x766d_696f, "user space does not see RAM's header");
  disposeAndCheck(f);
});

test("a protectNext op that catches ERR_REENTERED and returns: the protect applies to the unchanged page", () => {
  const f = fixture();
  const { mem, space } = f;
  const paddr = mapNew(space, mem, BASE, PageFlags.RW);
  using c = space.cursorMut({ start: BASE, end: BASE + PAGE_SIZE });
  const errors: unknown[] = [];
  const attempts: Array<() => void> = [
    () => unmapAt(space, BASE),
    () => mapNew(space, mem, BASE + PAGE_SIZE, PageFlags.RW),
    () => protectAt(space, BASE, PageFlags.R),
    () => space.dispose(),
  ];
  const r = c.protectNext(PAGE_SIZE, (p) => {
    for (const attempt of attempts) {
      try {
        attempt();
      } catch (e) {
        errors.push(e);
      }
    }
    p.flags = PageFlags.R;
  });
  assert.deepEqual(r, { start: BASE, end: BASE + PAGE_SIZE });
  assert.equal(errors.length, attempts.length);
  for (const e of errors) assert.ok(e instanceof TypeError && hasCode(e, "ERR_REENTERED"), String(e));
  assert.deepEqual(queryAt(space, BASE), { paddr, flags: PageFlags.R, cache: CachePolicy.Writeback });
  assert.equal(queryAt(space, BASE + PAGE_SIZE), undefined, "the map inside the op did not happen");
  disposeAndCheck(f);
});

test("a protectNext op that disposes the space gets ERR_REENTERED; the space is intact and disposes cleanly afterwards", () => {
  for (const shared of [false, true]) {
    const mem = new PhysicalMemory({ size: 1 << 20, shared, paging: PAGING });
    const free = mem.freeFrames();
    const space = new VmSpace(mem);
    space.activate();
    mapNew(space, mem, BASE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(9));
    const c = space.cursorMut({ start: BASE, end: BASE + PAGE_SIZE });
    const t0 = performance.now();
    assert.throws(
      () => c.protectNext(PAGE_SIZE, () => space.dispose()),
      (e: unknown) => e instanceof TypeError && hasCode(e, "ERR_REENTERED"),
    );
    const took = performance.now() - t0;
    assert.ok(noWait(took, Math.min(waitBounds.lockMs, waitBounds.synchronizeMs)), `no wait for a lock this thread holds (${took.toFixed(0)} ms)`);
    assert.equal(space.readVal(BASE, u32), 0x0909_0909, "the space still works");
    c.dispose();
    space.dispose();
    assert.equal(mem.freeFrames(), free, `every frame came back (shared: ${shared})`);
  }
});

test("shared RAM: query() and copies inside a protectNext op work at once (no self-wait); changes are ERR_REENTERED at once", () => {
  const mem = new PhysicalMemory({ size: 1 << 20, shared: true, paging: PAGING });
  const free = mem.freeFrames();
  const space = new VmSpace(mem);
  space.activate();
  const paddr = mapNew(space, mem, BASE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(3));
  const t0 = performance.now();
  {
    using c = space.cursorMut({ start: BASE, end: BASE + PAGE_SIZE });
    let seen: number | undefined;
    let read = 0;
    const failures: unknown[] = [];
    c.protectNext(PAGE_SIZE, (p) => {
      using q = space.cursor({ start: BASE, end: BASE + PAGE_SIZE });
      const item = q.query().item;
      seen = item?.frame.startPaddr();
      item?.frame.dispose();
      read = space.readVal(BASE, u32);
      for (const change of [() => unmapAt(space, BASE), () => space.dispose()]) {
        try {
          change();
        } catch (e) {
          failures.push(e);
        }
      }
      p.flags = PageFlags.R;
    });
    assert.equal(seen, paddr);
    assert.equal(read, 0x0303_0303);
    assert.equal(failures.length, 2);
    for (const e of failures) assert.ok(e instanceof TypeError && hasCode(e, "ERR_REENTERED"), String(e));
  }
  const took = performance.now() - t0;
  assert.ok(noWait(took, Math.min(waitBounds.lockMs, waitBounds.synchronizeMs)), `nothing waited for this thread's own lock (${took.toFixed(0)} ms)`);
  assert.equal(flagsAt(space, BASE), PageFlags.R, "the op's flags replaced ACCESSED and DIRTY too");
  space.dispose();
  assert.equal(mem.freeFrames(), free);
});

test("a PageProperty's flags and cache are read once, before the mapping changes; a getter that unmaps a neighbour cannot corrupt the table", () => {
  const f = fixture();
  const { mem, space } = f;
  mapNew(space, mem, BASE + PAGE_SIZE, PageFlags.RW); // the neighbour: the leaf node's only other entry
  const reads = { flags: 0, cache: 0 };
  const prop = user(PageFlags.RW);
  Object.defineProperty(prop, "flags", {
    get() {
      reads.flags++;
      // Unmapping the neighbour frees the leaf node when it is the node's last page.
      if (reads.flags === 1) unmapAt(space, BASE + PAGE_SIZE);
      return PageFlags.RW;
    },
  });
  Object.defineProperty(prop, "cache", {
    get() {
      reads.cache++;
      return CachePolicy.Writeback;
    },
  });
  const frame = newFrame(mem, new Uint8Array(PAGE_SIZE).fill(5));
  {
    using c = space.cursorMut({ start: BASE, end: BASE + 2 * PAGE_SIZE });
    c.map(frame, prop);
  }
  assert.deepEqual(reads, { flags: 1, cache: 1 });
  assert.equal(space.readVal(BASE, u32), 0x0505_0505);
  assert.equal(queryAt(space, BASE + PAGE_SIZE), undefined);
  // A protectNext op's property is read once after the op, too.
  let after = 0;
  {
    using c = space.cursorMut({ start: BASE, end: BASE + PAGE_SIZE });
    c.protectNext(PAGE_SIZE, (p) => {
      Object.defineProperty(p, "flags", {
        get() {
          after++;
          return PageFlags.R;
        },
      });
    });
  }
  assert.equal(after, 1);
  assert.equal(flagsAt(space, BASE), PageFlags.R);
  space.dispose();
  frame.dispose();
  assert.equal(mem.freeFrames(), f.freeBefore);
});

test("a getter that returns a valid value first and an invalid one later is never read twice", () => {
  const f = fixture();
  const { mem, space } = f;
  let n = 0;
  const prop = user(PageFlags.RW);
  Object.defineProperty(prop, "flags", { get: () => (n++ === 0 ? PageFlags.RW : 1234) });
  {
    using frame = newFrame(mem);
    using c = space.cursorMut({ start: BASE, end: BASE + PAGE_SIZE });
    c.map(frame, prop);
  }
  assert.equal(n, 1);
  assert.equal(flagsAt(space, BASE), PageFlags.RW);
  disposeAndCheck(f);
});

test("a cursor at -0 is at 0: virtAddr() and jump() never hand out -0", () => {
  const f = fixture();
  const c = f.space.cursor({ start: -0, end: PAGE_SIZE });
  assert.ok(Object.is(c.virtAddr(), 0));
  c.jump(-0);
  assert.ok(Object.is(c.virtAddr(), 0));
  assert.ok(Object.is(f.space.reader(-0, 4).cursor(), 0));
  assert.ok(Object.is(f.space.writer(-0, 4).cursor(), 0));
  c.dispose();
  disposeAndCheck(f);
});

test("a cursor's state is unreachable: no own properties, nothing but the API on its prototypes, no public constructor", () => {
  const f = fixture();
  const c = f.space.cursorMut({ start: BASE, end: BASE + PAGE_SIZE });
  assert.deepEqual(Reflect.ownKeys(c), []);
  assert.deepEqual(Object.getOwnPropertyNames(Cursor.prototype).sort(), ["constructor", "dispose", "findNext", "jump", "query", "virtAddr"]);
  assert.deepEqual(Object.getOwnPropertyNames(CursorMut.prototype).sort(), ["constructor", "copyFrom", "map", "protectNext", "unmap"]);
  for (const C of [Cursor, CursorMut]) {
    assert.throws(() => new (C as unknown as new (...a: unknown[]) => unknown)(Symbol("vmio.internal"), {}), (e: unknown) => e instanceof TypeError && hasCode(e, "ERR_ILLEGAL_CONSTRUCTOR"));
  }
  c.dispose();
  disposeAndCheck(f);
});

// ---- Cursor.findNext ----

const FAR_PAGE = MAX_USERSPACE_VADDR - PAGE_SIZE;

test("findNext moves to the first mapped page of the next len bytes, or to their end when there is none", () => {
  const f = fixture();
  for (const va of [0x3000, 0x5000, 0x4000_0000, FAR_PAGE]) mapNew(f.space, f.mem, va, PageFlags.R);
  using c = f.space.cursor({ start: 0x1000, end: MAX_USERSPACE_VADDR });
  assert.equal(c.findNext(0x10000), 0x3000);
  assert.equal(c.virtAddr(), 0x3000);
  assert.equal(c.findNext(PAGE_SIZE), 0x3000, "the page at the cursor counts");
  c.jump(0x4000);
  assert.equal(c.findNext(PAGE_SIZE), undefined);
  assert.equal(c.virtAddr(), 0x5000, "moved to the end of the searched range");
  assert.equal(c.findNext(0), undefined);
  assert.equal(c.virtAddr(), 0x5000, "an empty search does not move");
  c.jump(0x6000);
  assert.equal(c.findNext(MAX_USERSPACE_VADDR - 0x6000), 0x4000_0000, "a hole of a GiB is skipped");
  c.jump(0x4000_1000);
  assert.equal(c.findNext(MAX_USERSPACE_VADDR - 0x4000_1000), FAR_PAGE, "and one of 128 TiB");
  assert.equal(c.virtAddr(), FAR_PAGE);
  unmapAt(f.space, FAR_PAGE);
  assert.equal(c.findNext(PAGE_SIZE), undefined);
  assert.equal(c.virtAddr(), MAX_USERSPACE_VADDR, "at the end of the cursor's range");
  disposeAndCheck(f);
});

test("findNext over a random set of pages visits exactly the mapped ones, in order (model)", () => {
  const f = fixture(4 << 20);
  let seed = 99;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const mapped = new Set<number>();
  const spans = [0x1000, 0x20_0000, 0x4000_0000, 0x80_0000_0000];
  while (mapped.size < 60) {
    const va = ((spans[rnd(4)] as number) * rnd(8) + 0x1000 * rnd(600)) % (MAX_USERSPACE_VADDR - PAGE_SIZE);
    const page = va - (va % PAGE_SIZE);
    if (mapped.has(page)) continue;
    mapNew(f.space, f.mem, page, PageFlags.R);
    mapped.add(page);
  }
  for (const page of [...mapped].filter((_, k) => k % 3 === 0)) {
    unmapAt(f.space, page);
    mapped.delete(page);
  }
  const expected = [...mapped].sort((a, b) => a - b);
  using c = f.space.cursor({ start: 0, end: MAX_USERSPACE_VADDR });
  const seen: number[] = [];
  for (;;) {
    const va = c.findNext(MAX_USERSPACE_VADDR - c.virtAddr());
    if (va === undefined) break;
    seen.push(va);
    if (va + PAGE_SIZE >= MAX_USERSPACE_VADDR) break;
    c.jump(va + PAGE_SIZE);
  }
  assert.deepEqual(seen, expected);
  disposeAndCheck(f);
});

test("findNext changes nothing: no reference, no ACCESSED, no shootdown", () => {
  const f = fixture();
  mapNew(f.space, f.mem, 0x7000, PageFlags.RW);
  const free = f.mem.freeFrames();
  const shootdowns = f.space.tlbStats().shootdowns;
  using c = f.space.cursorMut({ start: 0x1000, end: 0x10000 });
  assert.equal(c.findNext(0xf000), 0x7000);
  assert.equal(f.mem.freeFrames(), free);
  assert.equal(f.space.tlbStats().shootdowns, shootdowns);
  assert.equal(flagsAt(f.space, 0x7000), PageFlags.RW, "not ACCESSED");
  disposeAndCheck(f);
});

test("findNext contract: len a multiple of PAGE_SIZE within the cursor's range; a disposed cursor throws", () => {
  const f = fixture();
  const c = f.space.cursor({ start: 0x1000, end: 0x5000 });
  throwsContract(() => c.findNext(100), RangeError);
  throwsContract(() => c.findNext(0x5000), RangeError, /runs past/);
  for (const n of BAD_NUMBERS) throwsContract(() => c.findNext(n), RangeError);
  for (const v of BAD_TYPES) throwsContract(() => c.findNext(v as number), TypeError);
  assert.equal(c.virtAddr(), 0x1000, "refused calls do not move the cursor");
  c.dispose();
  throwsDisposed(() => c.findNext(PAGE_SIZE));
  disposeAndCheck(f);
});

// ---- CursorMut.copyFrom ----

const clearW = (p: PageProperty): void => {
  p.flags &= ~PageFlags.W;
};

/** A second space in the fixture's memory, activated nowhere. */
function childOf(f: ReturnType<typeof fixture>): VmSpace {
  return new VmSpace(f.mem);
}

test("copyFrom: copy-on-write in one call — the source loses W, the destination maps the same frames with the same property", () => {
  const f = fixture();
  const pages: Array<[va: number, flags: number]> = [
    [0x1000, PageFlags.RW],
    [0x3000, PageFlags.R],
    [0x20_0000, PageFlags.RWX],
    [0x4000_0000, PageFlags.RW],
  ];
  const paddrs = pages.map(([va, flags], k) => mapNew(f.space, f.mem, va, flags, new Uint8Array(PAGE_SIZE).fill(k + 1)));
  const child = childOf(f);
  const freeBefore = f.mem.freeFrames();
  const seen: Array<[number, number]> = [];
  {
    using from = f.space.cursorMut({ start: 0, end: 0x8000_0000 });
    using to = child.cursorMut({ start: 0, end: 0x8000_0000 });
    from.jump(0x1000);
    to.jump(0x1000);
    to.copyFrom(from, 0x4000_1000 - 0x1000, (p) => {
      seen.push([p.flags, p.cache]);
      clearW(p);
    });
    assert.equal(from.virtAddr(), 0x4000_1000, "the source cursor moved past len");
    assert.equal(to.virtAddr(), 0x4000_1000, "and so did this one");
  }
  assert.deepEqual(
    seen,
    pages.map(([, flags]) => [flags, CachePolicy.Writeback]),
    "op ran once per mapped page, in order, on the source's property",
  );
  pages.forEach(([va, flags], k) => {
    const expected = { paddr: paddrs[k], flags: flags & ~PageFlags.W, cache: CachePolicy.Writeback };
    assert.deepEqual(queryAt(f.space, va), expected, `source 0x${va.toString(16)}`);
    assert.deepEqual(queryAt(child, va), expected, `copy 0x${va.toString(16)}`);
  });
  // The copy made only the child's page-table nodes: no frame was copied.
  assert.equal(freeBefore - f.mem.freeFrames(), spaceStateOf(child).table.nodeCount() - 1);
  child.activate();
  assert.equal(child.readVal(0x20_0000, u8), 3);
  f.space.activate();
  throwsVmError(() => f.space.writeVal(0x1000, u8, 1), "PageFault");
  child.dispose();
  // The frames are the source's alone again.
  for (const [va] of pages) {
    using c = f.space.cursor({ start: va, end: va + PAGE_SIZE });
    const item = c.query().item;
    assert.equal(item?.frame.referenceCount(), 2, "the mapping's reference and the handle's");
    item?.frame.dispose();
  }
  disposeAndCheck(f);
});

test("copyFrom shoots the source down once: a write through a translation cached before faults after", () => {
  const f = fixture();
  mapNew(f.space, f.mem, 0x5000, PageFlags.RW);
  f.space.writeVal(0x5000, u32, 7); // caches a writable translation
  const child = childOf(f);
  const before = f.space.tlbStats().shootdowns;
  {
    using from = f.space.cursorMut({ start: 0x1000, end: 0x9000 });
    using to = child.cursorMut({ start: 0x1000, end: 0x9000 });
    to.copyFrom(from, 0x8000, clearW);
  }
  assert.equal(f.space.tlbStats().shootdowns, before + 1);
  throwsVmError(() => f.space.writeVal(0x5000, u32, 8), "PageFault");
  assert.equal(f.space.readVal(0x5000, u32), 7);
  // An op that narrows nothing (shared memory keeps W) shoots nothing down.
  const other = childOf(f);
  {
    using from = f.space.cursorMut({ start: 0x1000, end: 0x9000 });
    using to = other.cursorMut({ start: 0x1000, end: 0x9000 });
    to.copyFrom(from, 0x8000, () => {});
  }
  assert.equal(f.space.tlbStats().shootdowns, before + 1);
  other.dispose();
  child.dispose();
  disposeAndCheck(f);
});

test("copyFrom is all or nothing: an op that throws halfway leaves both spaces as they were", () => {
  const f = fixture();
  for (const va of [0x1000, 0x2000, 0x3000, 0x20_0000]) mapNew(f.space, f.mem, va, PageFlags.RW);
  const child = childOf(f);
  mapNew(child, f.mem, 0x50_0000, PageFlags.R); // outside the copied range
  const free = f.mem.freeFrames();
  let calls = 0;
  {
    using from = f.space.cursorMut({ start: 0x1000, end: 0x40_0000 });
    using to = child.cursorMut({ start: 0x1000, end: 0x40_0000 });
    assert.throws(
      () =>
        to.copyFrom(from, 0x3f_f000, (p) => {
          if (++calls === 3) throw new Error("op fails");
          clearW(p);
        }),
      /op fails/,
    );
    assert.equal(from.virtAddr(), 0x1000, "neither cursor moved");
    assert.equal(to.virtAddr(), 0x1000);
    // An op that leaves an invalid property is refused the same way.
    throwsContract(
      () =>
        to.copyFrom(from, 0x3f_f000, (p) => {
          p.flags = 99;
        }),
      RangeError,
    );
  }
  for (const va of [0x1000, 0x2000, 0x3000, 0x20_0000]) {
    assert.equal(flagsAt(f.space, va), PageFlags.RW, `source 0x${va.toString(16)} keeps W`);
    assert.equal(queryAt(child, va), undefined, `nothing mapped at 0x${va.toString(16)} in the copy`);
  }
  assert.equal(flagsAt(child, 0x50_0000), PageFlags.R);
  assert.equal(f.mem.freeFrames(), free, "no frame or node lost");
  child.dispose();
  disposeAndCheck(f);
});

test("copyFrom within one space into the source's own leaf node and the next: an op failing after the log grew undoes exactly, and every entry count is exact", () => {
  const f = fixture();
  // 63 writable pages from 0x1000; the copy goes to 0x1f_0000, so its first
  // 16 pages land in the source's own leaf node and the rest in the next one.
  const vas: number[] = [];
  for (let va = 0x1000; va < 0x4_0000; va += PAGE_SIZE) vas.push(va);
  for (const va of vas) mapNew(f.space, f.mem, va, PageFlags.RW);
  const free = f.mem.freeFrames();
  const dst = 0x1f_0000;
  let calls = 0;
  {
    using from = f.space.cursorMut({ start: 0x1000, end: 0x4_0000 });
    using to = f.space.cursorMut({ start: dst, end: dst + 0x4_0000 });
    // The op fails on its 40th page: past 16 rewritten entries (the log grew) and in the copy's second leaf node.
    assert.throws(
      () =>
        to.copyFrom(from, 0x3_f000, (p) => {
          if (++calls === 40) throw new Error("op fails");
          clearW(p);
        }),
      /op fails/,
    );
    assert.equal(calls, 40);
    assert.equal(f.mem.freeFrames(), free, "no frame or node lost, none kept");
    for (const va of vas) {
      assert.equal(flagsAt(f.space, va), PageFlags.RW, `source 0x${va.toString(16)} keeps W`);
      assert.equal(queryAt(f.space, dst + va - 0x1000), undefined, `nothing mapped at 0x${(dst + va - 0x1000).toString(16)}`);
    }
    to.copyFrom(from, 0x3_f000, clearW);
  }
  for (const va of vas) {
    assert.equal(flagsAt(f.space, va), PageFlags.R);
    assert.equal(queryAt(f.space, dst + va - 0x1000)?.paddr, queryAt(f.space, va)?.paddr);
  }
  // The counts bound the unmaps' scans and free the nodes: every page comes off, the copy's second node goes.
  {
    using c = f.space.cursorMut({ start: dst, end: dst + 0x4_0000 });
    c.unmap(0x3_f000);
  }
  assert.equal(f.mem.freeFrames(), free);
  for (const va of vas) assert.equal(flagsAt(f.space, va), PageFlags.R, `source 0x${va.toString(16)} still mapped`);
  disposeAndCheck(f);
});

test("copyFrom to a destination offset that is not a multiple of 2 MiB: runs cross the copy's leaf nodes where the source's do not", () => {
  const f = fixture();
  // Source pages on both sides of a 2 MiB boundary; copied 0x13_5000 higher,
  // so each source leaf node's run lands in two of the copy's leaf nodes.
  const vas = [0x1000, 0xc_a000, 0xc_b000, 0x1f_f000, 0x20_0000, 0x2c_b000, 0x3f_f000];
  const paddrs = vas.map((va, k) => mapNew(f.space, f.mem, va, k % 2 === 0 ? PageFlags.RW : PageFlags.RX));
  const before = f.mem.freeFrames();
  const child = childOf(f);
  const shift = 0x13_5000;
  const free = f.mem.freeFrames();
  const props: PageProperty[] = [];
  {
    using from = f.space.cursorMut({ start: 0x1000, end: 0x40_0000 });
    using to = child.cursorMut({ start: 0x1000 + shift, end: 0x40_0000 + shift });
    to.copyFrom(from, 0x3f_f000, (p) => {
      props.push(p);
      clearW(p);
    });
  }
  assert.equal(props.length, vas.length, "op ran once per mapped page");
  assert.equal(new Set(props).size, vas.length, "each call got its own property object");
  vas.forEach((va, k) => {
    const flags = (k % 2 === 0 ? PageFlags.RW : PageFlags.RX) & ~PageFlags.W;
    const expected = { paddr: paddrs[k], flags, cache: CachePolicy.Writeback };
    assert.deepEqual(queryAt(f.space, va), expected, `source 0x${va.toString(16)}`);
    assert.deepEqual(queryAt(child, va + shift), expected, `copy 0x${(va + shift).toString(16)}`);
  });
  const nodes = spaceStateOf(child).table.nodeCount();
  assert.equal(nodes, 1 + 1 + 1 + 3, "root, one node per upper level, three leaf nodes (0x13_6000 … 0x53_4000)");
  assert.equal(free - f.mem.freeFrames(), nodes - 1, "only the copy's nodes were allocated");
  child.dispose();
  assert.equal(f.mem.freeFrames(), before, "the copy's nodes, root and control block are back");
  for (const va of vas) {
    using c = f.space.cursor({ start: va, end: va + PAGE_SIZE });
    const item = c.query().item;
    assert.equal(item?.frame.referenceCount(), 2, "the mapping's reference and the handle's");
    item?.frame.dispose();
  }
  disposeAndCheck(f);
});

test("copyFrom reads op's property once per page and checks every value it reads, even after valid ones", () => {
  const f = fixture();
  for (const va of [0x1000, 0x2000, 0x3000, 0x4000]) mapNew(f.space, f.mem, va, PageFlags.RW);
  const child = childOf(f);
  const free = f.mem.freeFrames();
  let reads = 0;
  {
    using from = f.space.cursorMut({ start: 0x1000, end: 0x5000 });
    using to = child.cursorMut({ start: 0x1000, end: 0x5000 });
    // A getter that answers differently on a second read: only the first counts.
    to.copyFrom(from, 0x2000, (p) => {
      let first = true;
      Object.defineProperty(p, "flags", {
        get: () => {
          reads++;
          const v = first ? PageFlags.R : PageFlags.RWX;
          first = false;
          return v;
        },
      });
    });
    assert.equal(reads, 2, "flags read once per page");
    assert.equal(flagsAt(child, 0x1000), PageFlags.R);
    assert.equal(flagsAt(child, 0x2000), PageFlags.R);
    // Pages 3 and 4: the first is valid, the second not; all or nothing.
    let n = 0;
    throwsContract(
      () =>
        to.copyFrom(from, 0x2000, (p) => {
          if (++n === 2) p.flags = 1.5;
          else clearW(p);
        }),
      RangeError,
    );
    n = 0;
    throwsContract(
      () =>
        to.copyFrom(from, 0x2000, (p) => {
          if (++n === 2) p.cache = "writeback" as never;
          else clearW(p);
        }),
      TypeError,
    );
  }
  assert.equal(flagsAt(f.space, 0x3000), PageFlags.RW, "the refused copies undid the first page");
  assert.equal(queryAt(child, 0x3000), undefined);
  assert.equal(f.mem.freeFrames(), free - (spaceStateOf(child).table.nodeCount() - 1), "no frame or node lost");
  child.dispose();
  disposeAndCheck(f);
});

test("copyFrom: op gets a fresh property per page, which it may keep; pages of every property keep their own, whatever op leaves", () => {
  const f = fixture();
  const policies = [CachePolicy.Uncacheable, CachePolicy.WriteCombining, CachePolicy.WriteProtected, CachePolicy.Writethrough, CachePolicy.Writeback];
  // Runs of equal properties and changes of every kind: flags, A and D, cache policy alone.
  const props: PageProperty[] = [];
  for (const cache of policies) {
    for (const flags of [PageFlags.RW, PageFlags.RW, PageFlags.RX, PageFlags.R | PageFlags.ACCESSED, PageFlags.RWX | PageFlags.ACCESSED | PageFlags.DIRTY, 0, 0]) {
      props.push(new PageProperty(flags, cache));
    }
  }
  const base = 0x1f_0000; // crosses a 2 MiB boundary
  const paddrs = props.map((p, k) => {
    using frame = newFrame(f.mem);
    using c = f.space.cursorMut({ start: base + k * PAGE_SIZE, end: base + (k + 1) * PAGE_SIZE });
    c.map(frame, p);
    return frame.startPaddr();
  });
  const child = childOf(f);
  const kept: PageProperty[] = [];
  // What op leaves: W cleared on even pages, a cache policy changed on every third, the rest as given.
  const leave = (k: number, p: PageProperty): void => {
    if (k % 2 === 0) p.flags &= ~PageFlags.W;
    if (k % 3 === 0) p.cache = policies[k % policies.length] as CachePolicy;
  };
  {
    using from = f.space.cursorMut({ start: base, end: base + props.length * PAGE_SIZE });
    using to = child.cursorMut({ start: base + 0x40_0000, end: base + 0x40_0000 + props.length * PAGE_SIZE });
    to.copyFrom(from, props.length * PAGE_SIZE, (p) => {
      const k = kept.length;
      kept.push(p);
      assert.ok(p.equals(props[k] as PageProperty), `page ${k}'s property`);
      leave(k, p);
      // Scribbling on properties kept from earlier pages changes nothing.
      for (const old of kept.slice(0, -1)) old.flags = 99;
    });
  }
  assert.equal(new Set(kept).size, props.length, "a property object per page");
  props.forEach((p, k) => {
    const expected = p.clone();
    leave(k, expected);
    const want = { paddr: paddrs[k], flags: expected.flags, cache: expected.cache };
    assert.deepEqual(queryAt(f.space, base + k * PAGE_SIZE), want, `source page ${k}`);
    assert.deepEqual(queryAt(child, base + 0x40_0000 + k * PAGE_SIZE), want, `copy of page ${k}`);
  });
  child.dispose();
  disposeAndCheck(f);
});

test("copyFrom checks the first page's property whatever op leaves in it (-1, NaN, undefined in both fields)", () => {
  const f = fixture();
  mapNew(f.space, f.mem, 0x1000, PageFlags.RW);
  const child = childOf(f);
  const free = f.mem.freeFrames();
  {
    using from = f.space.cursorMut({ start: 0x1000, end: 0x2000 });
    using to = child.cursorMut({ start: 0x1000, end: 0x2000 });
    for (const [bad, type] of [
      [-1, RangeError],
      [NaN, RangeError],
      [undefined, TypeError],
    ] as const) {
      throwsContract(
        () =>
          to.copyFrom(from, PAGE_SIZE, (p) => {
            p.flags = bad as number;
            p.cache = bad as CachePolicy;
          }),
        type,
      );
    }
  }
  assert.equal(flagsAt(f.space, 0x1000), PageFlags.RW);
  assert.equal(queryAt(child, 0x1000), undefined);
  assert.equal(f.mem.freeFrames(), free, "no frame or node lost");
  child.dispose();
  disposeAndCheck(f);
});

test("copyFrom: op may copy other spaces (its own copies, its own properties) while both spaces are mid-change", () => {
  const f = fixture();
  for (const va of [0x1000, 0x2000, 0x3000]) mapNew(f.space, f.mem, va, PageFlags.RW);
  const other = childOf(f);
  for (const va of [0x1000, 0x2000]) mapNew(other, f.mem, va, PageFlags.RX);
  const child = childOf(f);
  const nested: VmSpace[] = [];
  const outer: PageProperty[] = [];
  {
    using from = f.space.cursorMut({ start: 0x1000, end: 0x4000 });
    using to = child.cursorMut({ start: 0x1000, end: 0x4000 });
    to.copyFrom(from, 0x3000, (p) => {
      outer.push(p);
      const copy = childOf(f);
      nested.push(copy);
      using src = other.cursorMut({ start: 0x1000, end: 0x3000 });
      using dst = copy.cursorMut({ start: 0x1000, end: 0x3000 });
      dst.copyFrom(src, 0x2000, (q) => {
        assert.ok(q !== p && !outer.includes(q), "the nested copy's properties are its own");
        q.flags = PageFlags.R;
      });
      clearW(p);
    });
  }
  for (const va of [0x1000, 0x2000, 0x3000]) {
    assert.equal(flagsAt(f.space, va), PageFlags.R);
    assert.deepEqual(queryAt(child, va), queryAt(f.space, va));
  }
  for (const copy of nested) {
    for (const va of [0x1000, 0x2000]) assert.deepEqual(queryAt(copy, va), queryAt(other, va));
    copy.dispose();
  }
  assert.equal(flagsAt(other, 0x1000), PageFlags.R);
  other.dispose();
  child.dispose();
  disposeAndCheck(f);
});

test("copyFrom is all or nothing under NoMemory for a page-table node", () => {
  const f = fixture();
  mapNew(f.space, f.mem, 0x1000, PageFlags.RW);
  mapNew(f.space, f.mem, 0x40_0000, PageFlags.RW); // needs a second leaf node in the copy
  const child = childOf(f);
  const hog: Array<{ dispose(): void }> = [];
  while (f.mem.freeFrames() > 3) hog.push(newFrame(f.mem)); // the first path's 3 nodes, not the 4th
  {
    using from = f.space.cursorMut({ start: 0x1000, end: 0x80_0000 });
    using to = child.cursorMut({ start: 0x1000, end: 0x80_0000 });
    throwsVmError(() => to.copyFrom(from, 0x7f_f000, clearW), "NoMemory");
  }
  assert.equal(f.mem.freeFrames(), 3, "the nodes made before the failure were freed");
  assert.equal(flagsAt(f.space, 0x1000), PageFlags.RW);
  assert.equal(flagsAt(f.space, 0x40_0000), PageFlags.RW);
  assert.equal(queryAt(child, 0x1000), undefined);
  for (const h of hog) h.dispose();
  child.dispose();
  disposeAndCheck(f);
});

test("copyFrom contract: an empty destination, no overlap within one space, one memory, a CursorMut source, no re-entry", () => {
  const f = fixture();
  mapNew(f.space, f.mem, 0x1000, PageFlags.RW);
  mapNew(f.space, f.mem, 0x9000, PageFlags.RW);
  const child = childOf(f);
  mapNew(child, f.mem, 0x2000, PageFlags.R);
  using from = f.space.cursorMut({ start: 0x1000, end: 0x10000 });
  using to = child.cursorMut({ start: 0x1000, end: 0x10000 });
  throwsContract(() => to.copyFrom(from, 0x2000, clearW), RangeError, /holds mapped pages/);
  throwsContract(() => to.copyFrom(from, 0x1001, clearW), RangeError);
  throwsContract(() => to.copyFrom(from, 0x10000, clearW), RangeError, /runs past/);
  throwsContract(() => to.copyFrom(f.space.cursor({ start: 0x1000, end: 0x2000 }) as CursorMut, PAGE_SIZE, clearW), TypeError);
  throwsContract(() => to.copyFrom(from, PAGE_SIZE, "op" as never), TypeError);
  const elsewhere = new VmSpace(new PhysicalMemory({ size: 1 << 20, paging: PAGING }));
  throwsContract(() => elsewhere.cursorMut({ start: 0x1000, end: 0x2000 }).copyFrom(from, PAGE_SIZE, clearW), TypeError);
  // Within one space: overlapping ranges are refused, disjoint ones work.
  using same = f.space.cursorMut({ start: 0x2000, end: 0x10000 });
  throwsContract(() => same.copyFrom(from, 0x2000, clearW), RangeError, /overlap/);
  same.jump(0x5000);
  same.copyFrom(from, 0x2000, clearW);
  assert.equal(queryAt(f.space, 0x5000)?.paddr, queryAt(f.space, 0x1000)?.paddr);
  assert.equal(flagsAt(f.space, 0x5000), PageFlags.R);
  // An op may look at both spaces, not change them.
  from.jump(0x9000);
  to.jump(0x9000);
  const errors: unknown[] = [];
  to.copyFrom(from, PAGE_SIZE, (p) => {
    assert.equal(queryAt(f.space, 0x9000)?.flags, PageFlags.RW);
    for (const space of [f.space, child]) {
      try {
        unmapAt(space, 0x1000);
      } catch (e) {
        errors.push(e);
      }
    }
    clearW(p);
  });
  assert.equal(errors.length, 2);
  for (const e of errors) assert.ok(e instanceof TypeError && hasCode(e, "ERR_REENTERED"), String(e));
  assert.equal(flagsAt(child, 0x9000), PageFlags.R);
  elsewhere.dispose();
  child.dispose();
  disposeAndCheck(f);
});
