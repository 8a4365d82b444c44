// Page-fault handlers: demand paging, copy-on-write, handlers that claim a
// fix they did not make, refuse, or throw — and what the caller, the cursors,
// the page table and the reference counts look like afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FrameAllocOptions, PAGE_SIZE, PageFlags, VmError, VmReader, VmSpace, VmWriter, u16, u32, u64, u8, type PageFaultInfo } from "../../src/index.js";
import {
  disposeAndCheck,
  fixture,
  flagsAt,
  hasCode,
  mapAt,
  mapNew,
  memory,
  newFrame,
  pattern,
  physBytes,
  queryAt,
  reclaim,
  spaceBytes,
  throwsVmError,
  unmapAt,
  user,
} from "./support.js";
import { spaceStateOf } from "../../src/vm/vm-space.js";

const BASE = 0x40_0000;

/** A handler that maps a zeroed RW frame at the faulting page and records every call. */
function demandPager(space: VmSpace, calls: PageFaultInfo[], flags: number = PageFlags.RW): (fault: PageFaultInfo) => boolean {
  const opts = new FrameAllocOptions(spaceStateOf(space).mem);
  return (fault) => {
    calls.push({ address: fault.address, write: fault.write, execute: fault.execute });
    const page = Math.floor(fault.address / PAGE_SIZE) * PAGE_SIZE;
    using c = space.cursorMut({ start: page, end: page + PAGE_SIZE });
    using frame = opts.allocFrame();
    c.map(frame, user(flags));
    return true;
  };
}

test("demand paging: a 10-page write into unmapped memory succeeds, the handler called once per page with the exact address and write=true", () => {
  const f = fixture();
  const { space } = f;
  const calls: PageFaultInfo[] = [];
  space.setPageFaultHandler(demandPager(space, calls));
  const start = BASE + 123;
  const len = 10 * PAGE_SIZE - 123;
  const data = pattern(len, 3);
  const w = space.writer(start, len);
  assert.equal(w.writeFallible(VmReader.from(data)), len);
  assert.deepEqual(calls, [{ address: start, write: true, execute: false }, ...Array.from({ length: 9 }, (_, k) => ({ address: BASE + (k + 1) * PAGE_SIZE, write: true, execute: false }))]);
  // Reading it back needs no handler; the bytes before `start` are the zeroes of a fresh frame.
  const back = new Uint8Array(10 * PAGE_SIZE);
  assert.equal(space.reader(BASE, back.length).readFallible(VmWriter.from(back)), back.length);
  assert.equal(calls.length, 10);
  assert.ok(back.subarray(0, 123).every((b) => b === 0));
  assert.deepEqual(back.subarray(123), data);
  for (let k = 0; k < 10; k++) assert.equal(flagsAt(space, BASE + k * PAGE_SIZE), PageFlags.RW | PageFlags.ACCESSED | PageFlags.DIRTY);
  disposeAndCheck(f);
});

test("demand paging: a read from unmapped memory calls the handler with write=false and reads zeroes", () => {
  const f = fixture();
  const { space } = f;
  const calls: PageFaultInfo[] = [];
  space.setPageFaultHandler(demandPager(space, calls, PageFlags.R));
  const buf = new Uint8Array(3 * PAGE_SIZE).fill(0xee);
  assert.equal(space.reader(BASE + PAGE_SIZE - 1, buf.length).readFallible(VmWriter.from(buf)), buf.length);
  assert.ok(buf.every((b) => b === 0));
  assert.deepEqual(calls, [
    { address: BASE + PAGE_SIZE - 1, write: false, execute: false },
    { address: BASE + PAGE_SIZE, write: false, execute: false },
    { address: BASE + 2 * PAGE_SIZE, write: false, execute: false },
    { address: BASE + 3 * PAGE_SIZE, write: false, execute: false },
  ]);
  // The pages were mapped read-only: a write faults again (the handler is asked, but cannot map over a page).
  space.setPageFaultHandler(undefined);
  throwsVmError(() => space.writer(BASE + PAGE_SIZE, 4).writeVal(u32, 1), "PageFault");
  disposeAndCheck(f);
});

test("demand paging serves every kind of access: values straddling pages, fills, atomics and VmIo", () => {
  const f = fixture();
  const { space } = f;
  const calls: PageFaultInfo[] = [];
  space.setPageFaultHandler(demandPager(space, calls));
  space.writer(BASE + PAGE_SIZE - 4, 8).writeVal(u64, 0x1122334455667788n);
  assert.deepEqual(calls, [
    { address: BASE + PAGE_SIZE - 4, write: true, execute: false },
    { address: BASE + PAGE_SIZE, write: true, execute: false },
  ]);
  assert.equal(space.reader(BASE + PAGE_SIZE - 4, 8).readVal(u64), 0x1122334455667788n);
  calls.length = 0;
  assert.equal(space.reader(BASE + 3 * PAGE_SIZE - 2, 4).readVal(u32), 0);
  assert.deepEqual(calls, [
    { address: BASE + 3 * PAGE_SIZE - 2, write: false, execute: false },
    { address: BASE + 3 * PAGE_SIZE, write: false, execute: false },
  ]);
  calls.length = 0;
  assert.equal(space.writer(BASE + 5 * PAGE_SIZE + 10, PAGE_SIZE).fillZeros(PAGE_SIZE), PAGE_SIZE);
  assert.deepEqual(calls.map((c) => c.address), [BASE + 5 * PAGE_SIZE + 10, BASE + 6 * PAGE_SIZE]);
  calls.length = 0;
  assert.equal(space.reader(BASE + 8 * PAGE_SIZE, 4).atomicLoad(u32), 0);
  const r = space.reader(BASE + 9 * PAGE_SIZE, 4);
  assert.deepEqual(space.writer(BASE + 9 * PAGE_SIZE, 4).atomicCompareExchange(r, u32, 0, 5), [0, true]);
  assert.deepEqual(calls, [
    { address: BASE + 8 * PAGE_SIZE, write: false, execute: false },
    { address: BASE + 9 * PAGE_SIZE, write: true, execute: false },
  ]);
  calls.length = 0;
  space.writeBytes(BASE + 12 * PAGE_SIZE, new Uint8Array([1, 2, 3]));
  const out = new Uint8Array(3);
  space.readBytes(BASE + 12 * PAGE_SIZE, out);
  assert.deepEqual([...out], [1, 2, 3]);
  assert.deepEqual(calls, [{ address: BASE + 12 * PAGE_SIZE, write: true, execute: false }]);
  disposeAndCheck(f);
});

test("copy-on-write: a shared frame mapped read-only in two spaces; a write in one copies the page; the other keeps the old data", () => {
  const mem = memory();
  const free0 = mem.freeFrames();
  const a = new VmSpace(mem);
  const b = new VmSpace(mem);
  const original = pattern(PAGE_SIZE, 21);
  const shared = newFrame(mem, original);
  mapAt(a, BASE, shared, PageFlags.R);
  mapAt(b, BASE, shared, PageFlags.R);
  mapNew(a, mem, BASE - PAGE_SIZE, PageFlags.RW); // a writable page before it, for a copy that runs into it
  assert.equal(shared.referenceCount(), 3);
  const calls: PageFaultInfo[] = [];
  a.setPageFaultHandler((fault) => {
    calls.push({ address: fault.address, write: fault.write, execute: fault.execute });
    if (!fault.write) return false;
    const page = Math.floor(fault.address / PAGE_SIZE) * PAGE_SIZE;
    using c = a.cursorMut({ start: page, end: page + PAGE_SIZE });
    const item = c.query().item;
    if (item === undefined) return false;
    using old = item.frame;
    using copy = new FrameAllocOptions(mem).allocFrame();
    old.reader().read(copy.writer());
    c.unmap(PAGE_SIZE);
    c.jump(page);
    c.map(copy, user(PageFlags.RW));
    return true;
  });
  a.activate();
  // Reads do not fault.
  assert.equal(a.readVal(BASE + 5, u8), original[5]);
  assert.equal(calls.length, 0);
  // A write that starts on the writable page and runs into the shared one.
  const data = new Uint8Array(200).fill(0x77);
  const w = a.writer(BASE - 100, 200);
  assert.equal(w.writeFallible(VmReader.from(data)), 200);
  assert.deepEqual(calls, [{ address: BASE, write: true, execute: false }]);
  const now = new Uint8Array(PAGE_SIZE);
  a.readBytes(BASE, now);
  const want = original.slice();
  want.fill(0x77, 0, 100);
  assert.deepEqual(now, want, "a sees its private copy with the write");
  assert.equal(flagsAt(a, BASE), PageFlags.RW | PageFlags.ACCESSED | PageFlags.DIRTY);
  assert.notEqual(queryAt(a, BASE)?.paddr, shared.startPaddr());
  b.activate();
  const theirs = new Uint8Array(PAGE_SIZE);
  b.readBytes(BASE, theirs);
  assert.deepEqual(theirs, original, "b still sees the shared frame unchanged");
  assert.deepEqual(physBytes(mem, shared.startPaddr()), original);
  assert.equal(shared.referenceCount(), 2, "a's mapping let go of the shared frame");
  // A second write in a goes straight to its copy.
  a.activate();
  a.writeVal(BASE + 300, u32, 9);
  assert.equal(calls.length, 1);
  a.dispose();
  b.dispose();
  assert.equal(shared.referenceCount(), 1);
  shared.dispose();
  assert.equal(mem.freeFrames(), free0);
});

test("a handler that returns true without fixing anything: PageFault, called once for that byte (no loop)", () => {
  const f = fixture();
  const { mem, space } = f;
  mapNew(space, mem, BASE, PageFlags.R, pattern(PAGE_SIZE));
  const calls: PageFaultInfo[] = [];
  space.setPageFaultHandler((fault) => {
    calls.push({ address: fault.address, write: fault.write, execute: fault.execute });
    return true;
  });
  const buf = new Uint8Array(200).fill(0xee);
  const r = space.reader(BASE + PAGE_SIZE - 50, 200);
  throwsVmError(() => r.readFallible(VmWriter.from(buf)), "PageFault", 50);
  assert.deepEqual(calls, [{ address: BASE + PAGE_SIZE, write: false, execute: false }]);
  assert.equal(r.cursor(), BASE + PAGE_SIZE);
  assert.ok(buf.subarray(50).every((b) => b === 0xee));
  calls.length = 0;
  throwsVmError(() => space.writer(BASE + 10, 4).writeVal(u32, 1), "PageFault", 0);
  assert.deepEqual(calls, [{ address: BASE + 10, write: true, execute: false }], "a write to a read-only page asks once");
  calls.length = 0;
  throwsVmError(() => space.reader(BASE + 2 * PAGE_SIZE, 8).readVal(u64), "PageFault", 0);
  throwsVmError(() => space.writer(BASE + 2 * PAGE_SIZE, 8).fillZeros(8), "PageFault", 0);
  assert.equal(calls.length, 2);
  disposeAndCheck(f);
});

test("a handler that returns false leaves the fault standing: PageFault", () => {
  const f = fixture();
  const { space } = f;
  let calls = 0;
  space.setPageFaultHandler(() => {
    calls++;
    return false;
  });
  throwsVmError(() => space.reader(BASE, 4).readVal(u32), "PageFault", 0);
  assert.equal(calls, 1);
  disposeAndCheck(f);
});

test("a handler that returns anything but a boolean ends the access with a TypeError (ERR_INVALID_RETURN_VALUE), after the bytes before the fault moved", () => {
  const f = fixture();
  const { mem, space } = f;
  mapNew(space, mem, BASE, PageFlags.RW, pattern(PAGE_SIZE, 2));
  let calls = 0;
  for (const answer of [undefined, 1, 0, "yes", {}, null]) {
    space.setPageFaultHandler(() => {
      calls++;
      return answer as boolean;
    });
    assert.throws(
      () => space.reader(BASE + PAGE_SIZE, 4).readVal(u32),
      (e: unknown) => e instanceof TypeError && (e as { code?: unknown }).code === "ERR_INVALID_RETURN_VALUE",
    );
    const r = space.reader(BASE + PAGE_SIZE - 8, 16);
    const out = new Uint8Array(16);
    assert.throws(() => r.readFallible(VmWriter.from(out)), (e: unknown) => e instanceof TypeError && (e as { code?: unknown }).code === "ERR_INVALID_RETURN_VALUE");
    assert.equal(r.cursor(), BASE + PAGE_SIZE, "the reader advanced by the bytes copied before the fault");
    assert.deepEqual(out.subarray(0, 8), pattern(PAGE_SIZE, 2).subarray(PAGE_SIZE - 8));
  }
  assert.equal(calls, 12);
  disposeAndCheck(f);
});

test("setPageFaultHandler(undefined) removes the handler; handlers belong to their space", () => {
  const mem = memory();
  const a = new VmSpace(mem);
  const b = new VmSpace(mem);
  let calls = 0;
  a.setPageFaultHandler(() => {
    calls++;
    return false;
  });
  b.activate();
  throwsVmError(() => b.reader(BASE, 1).readVal(u8), "PageFault");
  assert.equal(calls, 0, "b's fault does not reach a's handler");
  a.activate();
  throwsVmError(() => a.reader(BASE, 1).readVal(u8), "PageFault");
  assert.equal(calls, 1);
  a.setPageFaultHandler(undefined);
  throwsVmError(() => a.reader(BASE, 1).readVal(u8), "PageFault");
  assert.equal(calls, 1);
  a.dispose();
  b.dispose();
});

test("a handler that throws: the exception reaches the caller, cursors account for the bytes copied, the space stays consistent", () => {
  const f = fixture();
  const { mem, space } = f;
  mapNew(space, mem, BASE, PageFlags.RW, pattern(PAGE_SIZE, 2));
  mapNew(space, mem, BASE + 2 * PAGE_SIZE, PageFlags.R);
  class Boom extends Error {}
  const calls: PageFaultInfo[] = [];
  space.setPageFaultHandler((fault) => {
    calls.push({ address: fault.address, write: fault.write, execute: fault.execute });
    throw new Boom(`no page at 0x${fault.address.toString(16)}`);
  });
  const freeMid = mem.freeFrames();

  // readFallible from user memory into a buffer.
  const buf = new Uint8Array(300).fill(0xee);
  const r = space.reader(BASE + PAGE_SIZE - 100, 300);
  const w = VmWriter.from(buf);
  assert.throws(() => r.readFallible(w), Boom);
  assert.equal(r.cursor(), BASE + PAGE_SIZE, "reader advanced by the 100 bytes copied");
  assert.equal(w.avail(), 200, "writer advanced by the same");
  assert.deepEqual(buf.subarray(0, 100), pattern(PAGE_SIZE, 2).subarray(PAGE_SIZE - 100));
  assert.ok(buf.subarray(100).every((b) => b === 0xee));

  // writeFallible into user memory (faulting on the read-only page).
  const w2 = space.writer(BASE + 2 * PAGE_SIZE - 10, 20);
  const r2 = VmReader.from(new Uint8Array(20).fill(5));
  mapNew(space, mem, BASE + PAGE_SIZE, PageFlags.RW);
  assert.throws(() => w2.writeFallible(r2), Boom);
  assert.equal(w2.cursor(), BASE + 2 * PAGE_SIZE);
  assert.equal(r2.remain(), 10);

  // readVal / writeVal straddling into the faulting page: cursor not moved.
  const r3 = space.reader(BASE + 3 * PAGE_SIZE - 2, 4);
  assert.throws(() => r3.readVal(u32), Boom);
  assert.equal(r3.cursor(), BASE + 3 * PAGE_SIZE - 2);
  const w3 = space.writer(BASE + 2 * PAGE_SIZE - 2, 4);
  assert.throws(() => w3.writeVal(u32, 0xffffffff), Boom);
  assert.equal(w3.cursor(), BASE + 2 * PAGE_SIZE - 2);
  assert.equal(space.readVal(BASE + 2 * PAGE_SIZE - 2, u16), 0x0505, "writeVal wrote nothing before the fault (the bytes of w2 remain)");

  // fillZeros, atomics, VmIo.
  const w4 = space.writer(BASE + 3 * PAGE_SIZE - 8, 16);
  assert.throws(() => w4.fillZeros(16), Boom);
  assert.throws(() => space.reader(BASE + 5 * PAGE_SIZE, 4).atomicLoad(u32), Boom);
  assert.throws(() => space.readBytes(BASE + 5 * PAGE_SIZE, new Uint8Array(4)), Boom);
  assert.equal(calls.length, 7);

  // Nothing leaked or half-done; a later fault without a handler is a plain PageFault, not the old exception.
  assert.equal(mem.freeFrames(), freeMid - 1);
  space.setPageFaultHandler(undefined);
  throwsVmError(() => space.reader(BASE + 5 * PAGE_SIZE, 4).readVal(u32), "PageFault", 0);
  throwsVmError(() => space.reader(BASE + 2 * PAGE_SIZE - 1, 2 * PAGE_SIZE).readFallible(VmWriter.from(new Uint8Array(2 * PAGE_SIZE))), "PageFault", PAGE_SIZE + 1);
  space.writeVal(BASE, u32, 1);
  disposeAndCheck(f);
});

test("a handler that maps the page and then throws: the exception still ends the access; a retry needs no handler", () => {
  const f = fixture();
  const { space } = f;
  const calls: PageFaultInfo[] = [];
  const pager = demandPager(space, calls);
  space.setPageFaultHandler((fault) => {
    pager(fault);
    throw new RangeError("mapped, but complaining");
  });
  const buf = new Uint8Array(8);
  const r = space.reader(BASE, 8);
  assert.throws(() => r.readFallible(VmWriter.from(buf)), RangeError);
  assert.equal(r.cursor(), BASE);
  assert.equal(r.readFallible(VmWriter.from(buf)), 8);
  assert.equal(calls.length, 1);
  disposeAndCheck(f);
});

test("a fault inside the handler is not handled again (no recursion)", () => {
  const f = fixture();
  const { space } = f;
  const calls: PageFaultInfo[] = [];
  const inner: unknown[] = [];
  const pager = demandPager(space, calls);
  space.setPageFaultHandler((fault) => {
    // The handler touches the faulting address itself before fixing it.
    try {
      space.reader(fault.address, 1).readVal(u8);
    } catch (e) {
      inner.push(e);
    }
    return pager(fault);
  });
  assert.equal(space.reader(BASE, 4).readVal(u32), 0);
  assert.equal(calls.length, 1);
  assert.equal(inner.length, 1);
  assert.ok(inner[0] instanceof VmError && inner[0].code === "PageFault");
  disposeAndCheck(f);
});

test("a handler that unmaps another page mid-copy: the copy sees the change at the next page", () => {
  const f = fixture();
  const { mem, space } = f;
  for (let k = 0; k < 3; k++) mapNew(space, mem, BASE + k * PAGE_SIZE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(k + 1));
  // BASE + 3 pages is unmapped; resolving it unmaps BASE + 4 pages' neighbour... and maps the page.
  const calls: PageFaultInfo[] = [];
  const pager = demandPager(space, calls);
  space.setPageFaultHandler((fault) => {
    const ok = pager(fault);
    if (fault.address === BASE + 3 * PAGE_SIZE) {
      // Warm translations for later pages must not survive an unmap made here.
      unmapAt(space, BASE + 4 * PAGE_SIZE);
    }
    return ok;
  });
  mapNew(space, mem, BASE + 4 * PAGE_SIZE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(9));
  space.readVal(BASE + 4 * PAGE_SIZE, u8); // TLB entry for page 4
  const buf = new Uint8Array(5 * PAGE_SIZE);
  assert.equal(space.reader(BASE, buf.length).readFallible(VmWriter.from(buf)), buf.length);
  assert.deepEqual(
    calls.map((c) => c.address),
    [BASE + 3 * PAGE_SIZE, BASE + 4 * PAGE_SIZE],
    "page 4 faulted again after the handler unmapped it",
  );
  assert.ok(buf.subarray(4 * PAGE_SIZE).every((b) => b === 0), "page 4 is the fresh zeroed frame, not the unmapped one");
  disposeAndCheck(f);
});

test(
  "a handler on the destination side that evicts the source page: the copy never reads the evicted frame after it was reused",
  () => {
    const f = fixture();
    const { mem, space } = f;
    const SRC = BASE;
    const DST = BASE + 8 * PAGE_SIZE;
    const srcPaddr = mapNew(space, mem, SRC, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(0x11)); // the mapping holds the only reference
    let reused = false;
    space.setPageFaultHandler((fault) => {
      if (fault.address !== DST) return false;
      unmapAt(space, SRC); // evict the source page: its frame is freed…
      using frame = reclaim(mem, srcPaddr) ?? newFrame(mem); // …and handed out again, here for the destination
      reused = frame.startPaddr() === srcPaddr;
      frame.writeBytes(0, new Uint8Array(PAGE_SIZE).fill(0x22));
      mapAt(space, DST, frame);
      return true;
    });
    const r = space.reader(SRC, 16);
    const w = space.writer(DST, 16);
    let copied: number;
    try {
      copied = r.readFallible(w);
    } catch (e) {
      assert.ok(e instanceof VmError && e.code === "PageFault", String(e));
      copied = e.copied;
    }
    assert.ok(reused, "the evicted frame was handed out again for the destination");
    // Either the copy notices that the source is gone (a fault at SRC, nothing copied) or it copies
    // the source bytes as they were; it must not copy the bytes of the frame's new owner.
    const out = new Uint8Array(16);
    space.readBytes(DST, out);
    if (copied === 0) assert.ok(out.every((b) => b === 0x22), "nothing copied: the destination is as the handler left it");
    else assert.deepEqual({ copied, out: [...out] }, { copied: 16, out: new Array(16).fill(0x11) }, "the source bytes as they were");
    disposeAndCheck(f);
  },
);

test("a handler that disposes the space ends the access with a TypeError and every frame is freed", () => {
  const mem = memory();
  const free0 = mem.freeFrames();
  const space = new VmSpace(mem);
  space.activate();
  mapNew(space, mem, BASE, PageFlags.RW);
  space.setPageFaultHandler(() => {
    space.dispose();
    return true;
  });
  const r = space.reader(BASE + PAGE_SIZE - 4, 8);
  assert.throws(() => r.readFallible(VmWriter.from(new Uint8Array(8))), TypeError);
  assert.equal(mem.freeFrames(), free0);
  assert.throws(() => r.readVal(u8), TypeError);
});

test(
  "VmIo readVal/writeVal on a VmSpace ask the handler once per faulting byte, like readers and writers do",
  () => {
    const f = fixture();
    const { space } = f;
    for (const answer of [false, true]) {
      const calls: PageFaultInfo[] = [];
      space.setPageFaultHandler((fault) => {
        calls.push({ address: fault.address, write: fault.write, execute: fault.execute });
        return answer;
      });
      throwsVmError(() => space.reader(BASE, 4).readVal(u32), "PageFault", 0);
      throwsVmError(() => space.readBytes(BASE, new Uint8Array(4)), "PageFault", 0);
      assert.equal(calls.length, 2, "reader.readVal and readBytes ask once each");
      calls.length = 0;
      throwsVmError(() => space.readVal(BASE, u32), "PageFault", 0);
      assert.deepEqual(calls, [{ address: BASE, write: false, execute: false }], `space.readVal, handler answering ${answer}`);
      calls.length = 0;
      throwsVmError(() => space.writeVal(BASE, u32, 1), "PageFault", 0);
      assert.deepEqual(calls, [{ address: BASE, write: true, execute: false }], `space.writeVal, handler answering ${answer}`);
    }
    disposeAndCheck(f);
  },
);

test(
  "a handler's exception during VmIo readVal/writeVal on a VmSpace reaches that caller, and never a later, unrelated access",
  () => {
    const f = fixture();
    const { space } = f;
    for (const access of [() => space.readVal(BASE, u32), () => space.writeVal(BASE + 8 * PAGE_SIZE, u32, 1)]) {
      class Transient extends Error {}
      let calls = 0;
      const calls2: PageFaultInfo[] = [];
      const pager = demandPager(space, calls2);
      space.setPageFaultHandler((fault) => {
        calls++;
        if (calls === 1) throw new Transient("no memory right now");
        return pager(fault);
      });
      // The first (and only, see above) call of the handler throws: so does the access.
      assert.throws(access, Transient);
      space.setPageFaultHandler(undefined);
      // Whatever happened above, a later fault elsewhere is a plain PageFault.
      throwsVmError(() => space.reader(BASE + 4 * PAGE_SIZE, 4).readVal(u32), "PageFault", 0);
    }
    disposeAndCheck(f);
  },
);

// ---- issue 8, defect 5: a handler that detaches or shrinks the caller's buffer ----

test("a handler that detaches the source buffer: the copy ends with ERR_DETACHED_BUFFER and writes nothing (any length)", () => {
  for (const len of [1, 16, 32, 33, 100]) {
    const f = fixture();
    const { mem, space } = f;
    const ab = new ArrayBuffer(len);
    new Uint8Array(ab).fill(9);
    space.setPageFaultHandler((fault) => {
      structuredClone(ab, { transfer: [ab] });
      mapNew(space, mem, Math.floor(fault.address / PAGE_SIZE) * PAGE_SIZE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(0xaa));
      return true;
    });
    const r = VmReader.from(new Uint8Array(ab));
    const w = space.writer(BASE, len);
    assert.throws(() => w.writeFallible(r), (e: unknown) => e instanceof TypeError && hasCode(e, "ERR_DETACHED_BUFFER"), `len ${len}`);
    assert.ok(spaceBytes(space, BASE, PAGE_SIZE).every((b) => b === 0xaa), "nothing written");
    disposeAndCheck(f);
  }
});

test("a handler that shrinks a resizable destination: the copy ends with ERR_DETACHED_BUFFER instead of reporting bytes it could not write", () => {
  const f = fixture();
  const { mem, space } = f;
  type Resizable = ArrayBuffer & { resize(n: number): void };
  const rab = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => Resizable)(16, { maxByteLength: 64 });
  space.setPageFaultHandler((fault) => {
    rab.resize(0);
    mapNew(space, mem, Math.floor(fault.address / PAGE_SIZE) * PAGE_SIZE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(0xaa));
    return true;
  });
  const r = space.reader(BASE, 16);
  assert.throws(() => r.readFallible(VmWriter.from(new Uint8Array(rab, 0, 16))), (e: unknown) => e instanceof TypeError && hasCode(e, "ERR_DETACHED_BUFFER"));
  disposeAndCheck(f);
});

test("a handler that disposes the frame a destination writer borrows: ERR_USE_AFTER_DISPOSE, and the frame's next owner is untouched", () => {
  const f = fixture();
  const { mem, space } = f;
  const target = newFrame(mem, new Uint8Array(PAGE_SIZE).fill(0x11));
  space.setPageFaultHandler((fault) => {
    target.dispose();
    mapNew(space, mem, Math.floor(fault.address / PAGE_SIZE) * PAGE_SIZE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(0xbb));
    return true;
  });
  const w = target.writer();
  assert.throws(() => space.reader(BASE, 64).readFallible(w), (e: unknown) => e instanceof TypeError && hasCode(e, "ERR_USE_AFTER_DISPOSE"));
  disposeAndCheck(f);
});
