// Segment<M> and USegment: OSTD's segment ktests, split/slice/iteration,
// reference counting, typed segments, and VmIo on untyped segments.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Frame, FrameAllocOptions, PAGE_SIZE, Segment, UFrame, USegment, u32, u8 } from "../../src/index.js";
import { VM_IO_NAMES, exposesOnly, memory, throwsContract, throwsDisposed, throwsVmError, usableFrames, vmIoSuite } from "./support.js";

/** Reference counts of the frames of a live segment, read through a slice per frame. */
function refCounts(seg: Segment<unknown>): number[] {
  const counts: number[] = [];
  for (let off = 0; off < seg.size(); off += PAGE_SIZE) {
    const one = seg.slice(off, off + PAGE_SIZE);
    // The slice adds a reference of its own; report the count without it.
    for (const f of one) {
      counts.push(f.referenceCount() - 1);
      f.dispose();
    }
  }
  return counts;
}

describe("OSTD segment ktests", () => {
  test("segment_creation: allocSegment(512) spans 512 pages and endPaddr - startPaddr === size", () => {
    const mem = memory(600);
    const seg = new FrameAllocOptions(mem).allocSegment(512);
    assert.ok(seg instanceof USegment);
    assert.equal(seg.size(), 512 * PAGE_SIZE);
    assert.equal(seg.endPaddr() - seg.startPaddr(), seg.size());
    assert.equal(seg.startPaddr() % PAGE_SIZE, 0);
    assert.ok(seg.startPaddr() >= mem.reservedFrames() * PAGE_SIZE);
    assert.ok(seg.endPaddr() <= mem.size);
    assert.equal(mem.freeFrames(), usableFrames(mem) - 512);
    seg.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("an empty segment, allocSegment(0), is VmError InvalidArgs", () => {
    const mem = memory(64);
    throwsVmError(() => new FrameAllocOptions(mem).allocSegment(0), "InvalidArgs");
    throwsVmError(() => new FrameAllocOptions(mem).allocSegmentWith(0, () => 1), "InvalidArgs");
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("too many frames is VmError NoMemory and leaves the allocator unchanged", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const hold = opts.allocFrame(); // leaves a hint and a hole pattern to keep intact
    const before = mem.freeFrames();
    throwsVmError(() => opts.allocSegment(before + 1), "NoMemory");
    throwsVmError(() => opts.allocSegment(10_000), "NoMemory");
    throwsVmError(() => opts.allocSegmentWith(before + 1, () => 0), "NoMemory");
    assert.equal(mem.freeFrames(), before);
    // Still able to hand out exactly what is free.
    const all = opts.allocSegment(before);
    assert.equal(mem.freeFrames(), 0);
    all.dispose();
    hold.dispose();
  });

  test("zeroed segment: a re-allocated segment is zeroed by default; zeroed(false) keeps the old bytes", () => {
    const mem = memory(64);
    const garbage = new Uint8Array(2 * PAGE_SIZE).map((_, i) => (i % 255) + 1);

    const first = new FrameAllocOptions(mem).allocSegment(2);
    const paddr = first.startPaddr();
    first.writeBytes(0, garbage);
    first.dispose();
    const zeroed = new FrameAllocOptions(mem).allocSegment(2);
    assert.equal(zeroed.startPaddr(), paddr, "the freed run is handed out again");
    const out = new Uint8Array(2 * PAGE_SIZE).fill(7);
    zeroed.readBytes(0, out);
    assert.deepEqual(out, new Uint8Array(2 * PAGE_SIZE));

    zeroed.writeBytes(0, garbage);
    zeroed.dispose();
    const raw = new FrameAllocOptions(mem).zeroed(false).allocSegment(2);
    assert.equal(raw.startPaddr(), paddr);
    raw.readBytes(0, out);
    assert.deepEqual(out, garbage, "zeroed(false) leaves the previous contents");
    raw.dispose();
  });

  test("segment_split: splitting 2 frames at PAGE_SIZE gives two 1-page segments and kills the original", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(2);
    const start = seg.startPaddr();
    const [a, b] = seg.split(PAGE_SIZE);
    assert.ok(a instanceof USegment && b instanceof USegment);
    assert.equal(a.size(), PAGE_SIZE);
    assert.equal(b.size(), PAGE_SIZE);
    assert.equal(a.startPaddr(), start);
    assert.equal(a.endPaddr(), b.startPaddr());
    assert.equal(b.endPaddr(), start + 2 * PAGE_SIZE);
    throwsDisposed(() => seg.size());
    // A consumed segment has nothing to drop: dispose() (and `using`) is a no-op that changes nothing.
    const free = mem.freeFrames();
    seg.dispose();
    seg[Symbol.dispose]();
    assert.equal(mem.freeFrames(), free);
    assert.deepEqual(refCounts(a), [1], "split moves references, it does not add any");
    assert.deepEqual(refCounts(b), [1]);
    a.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem) - 1);
    b.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("split at an uneven page boundary", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(5);
    const [a, b] = seg.split(3 * PAGE_SIZE);
    assert.equal(a.size(), 3 * PAGE_SIZE);
    assert.equal(b.size(), 2 * PAGE_SIZE);
    assert.equal(b.startPaddr(), a.endPaddr());
    a.dispose();
    b.dispose();
  });

  test("split(0), split(size), past the end, or an unaligned offset is a RangeError and keeps the segment", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(2);
    for (const bad of [0, 2 * PAGE_SIZE, 3 * PAGE_SIZE, 1, PAGE_SIZE - 1, PAGE_SIZE + 1, -PAGE_SIZE, 1.5, NaN]) {
      throwsContract(() => seg.split(bad), RangeError);
    }
    for (const bad of ["4096", 4096n, undefined, null] as unknown[]) throwsContract(() => seg.split(bad as number), TypeError);
    assert.equal(seg.size(), 2 * PAGE_SIZE, "the segment is still alive");
    seg.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("split of a 1-frame segment is always a RangeError", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(1);
    throwsContract(() => seg.split(PAGE_SIZE), RangeError);
    seg.dispose();
  });

  test("segment_slice: slice(PAGE_SIZE, 2 * PAGE_SIZE) of 3 frames is the middle page with one more reference", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(3);
    seg.writeVal(PAGE_SIZE, u32, 0xcafe);
    const slice = seg.slice(PAGE_SIZE, 2 * PAGE_SIZE);
    assert.ok(slice instanceof USegment);
    assert.equal(slice.size(), PAGE_SIZE);
    assert.equal(slice.startPaddr(), seg.startPaddr() + PAGE_SIZE);
    assert.equal(slice.readVal(0, u32), 0xcafe);
    assert.deepEqual(refCounts(seg), [1, 2, 1]);
    // The original is untouched and still usable.
    assert.equal(seg.size(), 3 * PAGE_SIZE);
    seg.writeVal(PAGE_SIZE + 4, u8, 9);
    assert.equal(slice.readVal(4, u8), 9);
    seg.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem) - 1, "the sliced page outlives the original");
    assert.equal(slice.readVal(0, u32), 0xcafe);
    slice.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("slice out of bounds, reversed or unaligned is a RangeError with no new reference", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(3);
    const size = 3 * PAGE_SIZE;
    const bad: Array<[number, number]> = [
      [0, size + PAGE_SIZE],
      [size, size + PAGE_SIZE],
      [2 * PAGE_SIZE, PAGE_SIZE],
      [1, PAGE_SIZE],
      [0, PAGE_SIZE + 1],
      [PAGE_SIZE / 2, PAGE_SIZE / 2],
      [-PAGE_SIZE, 0],
      [0, NaN],
      [0.5, PAGE_SIZE],
    ];
    for (const [s, e] of bad) throwsContract(() => seg.slice(s, e), RangeError);
    throwsContract(() => seg.slice("0" as unknown as number, PAGE_SIZE), TypeError);
    throwsContract(() => seg.slice(0, 4096n as unknown as number), TypeError);
    assert.deepEqual(refCounts(seg), [1, 1, 1]);
    seg.dispose();
  });

  test("an empty slice is allowed, holds nothing and reads nothing", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(3);
    for (const at of [0, PAGE_SIZE, 3 * PAGE_SIZE]) {
      const empty = seg.slice(at, at);
      assert.equal(empty.size(), 0);
      assert.equal(empty.startPaddr(), seg.startPaddr() + at);
      assert.equal(empty.endPaddr(), empty.startPaddr());
      assert.equal(empty.reader().remain(), 0);
      assert.equal(empty.writer().avail(), 0);
      throwsVmError(() => empty.readVal(0, u8), "InvalidArgs");
      assert.deepEqual([...empty], []);
      throwsDisposed(() => empty.size()); // iteration consumed it
    }
    const empty = seg.slice(PAGE_SIZE, PAGE_SIZE);
    const copy = empty.clone();
    empty.dispose();
    copy.dispose();
    assert.deepEqual(refCounts(seg), [1, 1, 1]);
    seg.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("segment_iteration: a typed segment yields its frames with their meta, lowest paddr first", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegmentWith(2, (paddr) => ({ value: 42, paddr }));
    assert.ok(seg instanceof Segment);
    assert.ok(!(seg instanceof USegment));
    const start = seg.startPaddr();
    const frames: Frame<{ value: number; paddr: number }>[] = [];
    for (const f of seg) frames.push(f);
    assert.equal(frames.length, 2);
    for (const [i, f] of frames.entries()) {
      assert.ok(f instanceof Frame && !(f instanceof UFrame));
      assert.equal(f.startPaddr(), start + i * PAGE_SIZE);
      assert.deepEqual(f.meta(), { value: 42, paddr: start + i * PAGE_SIZE });
      assert.equal(f.referenceCount(), 1, "the segment's reference moved into the frame handle");
    }
    throwsDisposed(() => seg.size());
    // A consumed segment has nothing to drop: dispose() (and `using`) is a no-op that changes nothing.
    const free = mem.freeFrames();
    seg.dispose();
    seg[Symbol.dispose]();
    assert.equal(mem.freeFrames(), free);
    assert.equal(mem.freeFrames(), usableFrames(mem) - 2);
    for (const f of frames) f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("iteration consumes the segment: a second iteration is a TypeError", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(2);
    const frames = [...seg];
    assert.throws(() => [...seg], TypeError);
    for (const f of frames) f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("breaking out of iteration early releases the frames not yet yielded", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(5);
    const start = seg.startPaddr();
    const taken: UFrame[] = [];
    for (const f of seg) {
      taken.push(f);
      if (taken.length === 2) break;
    }
    assert.equal(mem.freeFrames(), usableFrames(mem) - 2, "the 3 frames never yielded are free");
    assert.deepEqual(
      taken.map((f) => f.startPaddr()),
      [start, start + PAGE_SIZE],
    );
    for (const f of taken) f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("an exception inside the loop also releases the frames not yet yielded", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(4);
    assert.throws(() => {
      for (using f of seg) {
        f.writeVal(0, u8, 1);
        throw new Error("stop");
      }
    }, /stop/);
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("`for (using f of useg)` yields UFrames that are disposed at the end of each iteration", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(3);
    const start = seg.startPaddr();
    const seen: UFrame[] = [];
    let i = 0;
    for (using f of seg) {
      assert.ok(f instanceof UFrame);
      assert.equal(f.startPaddr(), start + i * PAGE_SIZE);
      f.writeVal(0, u32, i);
      assert.equal(mem.freeFrames(), usableFrames(mem) - (3 - i), "earlier frames were disposed already");
      seen.push(f);
      i++;
    }
    assert.equal(i, 3);
    assert.equal(mem.freeFrames(), usableFrames(mem));
    for (const f of seen) throwsDisposed(() => f.startPaddr());
  });

  test("iterating a segment whose clone is alive leaves the clone's references intact", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(2);
    const clone = seg.clone();
    for (using f of seg) assert.equal(f.referenceCount(), 2);
    assert.deepEqual(refCounts(clone), [1, 1]);
    clone.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("segment_drop: after disposing a 1-frame segment, allocSegment(1) gets the same paddr", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const seg = opts.allocSegment(1);
    const paddr = seg.startPaddr();
    seg.dispose();
    const again = opts.allocSegment(1);
    assert.equal(again.startPaddr(), paddr);
    again.dispose();
  });

  test("untyped_segment_reader_writer: a reader made before a write of 256 bytes of 0xBB sees them", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(2);
    const reader = seg.reader();
    const writer = seg.writer();
    assert.equal(reader.remain(), 2 * PAGE_SIZE);
    assert.equal(writer.avail(), 2 * PAGE_SIZE);
    assert.equal(reader.cursor(), seg.startPaddr());
    for (let i = 0; i < 256; i++) writer.writeVal(u8, 0xbb);
    for (let i = 0; i < 256; i++) assert.equal(reader.readVal(u8), 0xbb);
    assert.equal(reader.readVal(u8), 0);
    seg.dispose();
  });

  test("a segment's bytes are one contiguous range across its page boundaries", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(3);
    seg.writeVal(PAGE_SIZE - 2, u32, 0xa1b2c3d4);
    const [a, b] = seg.split(PAGE_SIZE);
    assert.equal(a.readVal(PAGE_SIZE - 2, u8), 0xd4);
    assert.equal(a.readVal(PAGE_SIZE - 1, u8), 0xc3);
    assert.equal(b.readVal(0, u8), 0xb2);
    assert.equal(b.readVal(1, u8), 0xa1);
    a.dispose();
    b.dispose();
  });
});

describe("copies within one segment", () => {
  for (const [len, shift] of [
    [10, 3],
    [2 * PAGE_SIZE - 1, 1],
    [PAGE_SIZE + 100, 37],
  ] as const) {
    test(`overlapping copies between a segment's own reader and writer behave like memmove (${len} bytes, shift ${shift})`, () => {
      const mem = memory(64);
      const seg = new FrameAllocOptions(mem).allocSegment(2);
      const size = seg.size();
      const data = new Uint8Array(size).map((_, i) => (i % 251) + 1);
      // Destination above the source (copies must run backwards).
      seg.writeBytes(0, data);
      seg.write(shift, seg.reader().limit(len));
      const up = data.slice();
      up.set(data.subarray(0, len), shift);
      const out = new Uint8Array(size);
      seg.readBytes(0, out);
      assert.deepEqual(out, up);
      // Destination below the source.
      seg.writeBytes(0, data);
      const n = seg.writer().limit(len).write(seg.reader().skip(shift));
      assert.equal(n, len);
      const down = data.slice();
      down.set(data.subarray(shift, shift + len), 0);
      seg.readBytes(0, out);
      assert.deepEqual(out, down);
      seg.dispose();
    });
  }
});

describe("segment reference counting", () => {
  test("clone adds one reference to every frame; dispose drops one from every frame", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(4);
    const c1 = seg.clone();
    const c2 = c1.clone();
    assert.equal(c2.startPaddr(), seg.startPaddr());
    assert.equal(c2.size(), seg.size());
    assert.deepEqual(refCounts(seg), [3, 3, 3, 3]);
    c1.dispose();
    assert.deepEqual(refCounts(seg), [2, 2, 2, 2]);
    seg.dispose();
    assert.deepEqual(refCounts(c2), [1, 1, 1, 1]);
    assert.equal(mem.freeFrames(), usableFrames(mem) - 4);
    c2.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("frames of a segment are freed one by one as their own last reference goes", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(4);
    const middle = seg.slice(PAGE_SIZE, 3 * PAGE_SIZE);
    seg.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem) - 2, "the two outer frames are free");
    const [x, y] = middle.split(PAGE_SIZE);
    x.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem) - 1);
    y.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("every method of a disposed USegment is a TypeError and changes nothing", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(2);
    const keep = seg.clone();
    seg.dispose();
    const calls: Array<() => unknown> = [
      () => seg.startPaddr(),
      () => seg.endPaddr(),
      () => seg.size(),
      () => seg.clone(),
      () => seg.dispose(),
      () => seg[Symbol.dispose](),
      () => seg.split(PAGE_SIZE),
      () => seg.slice(0, PAGE_SIZE),
      () => seg[Symbol.iterator]().next(),
      () => seg.reader(),
      () => seg.writer(),
      () => seg.readBytes(0, new Uint8Array(1)),
      () => seg.writeBytes(0, new Uint8Array(1)),
      () => seg.readSlice(0, new Uint16Array(1)),
      () => seg.writeSlice(0, new Uint16Array(1)),
      () => seg.readVal(0, u32),
      () => seg.writeVal(0, u32, 1),
      () => seg.read(0, keep.writer().limit(8)),
      () => seg.write(0, keep.reader().limit(8)),
      () => seg.fillZeros(0, 8),
      () => seg.readOnce(0, u32),
      () => seg.writeOnce(0, u32, 1),
    ];
    for (const call of calls) throwsDisposed(call);
    assert.deepEqual(refCounts(keep), [1, 1]);
    keep.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("`using` disposes a segment at the end of its block", () => {
    const mem = memory(64);
    {
      using seg = new FrameAllocOptions(mem).allocSegment(3);
      assert.equal(mem.freeFrames(), usableFrames(mem) - 3);
      using half = seg.slice(0, PAGE_SIZE);
      assert.equal(half.size(), PAGE_SIZE);
    }
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });
});

describe("typed segments have no VmIo", () => {
  test("a typed segment has no reader, writer or VmIo methods; its slices and splits are typed too", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegmentWith(3, (p) => p);
    const slice = seg.slice(0, PAGE_SIZE);
    const [a, b] = seg.split(PAGE_SIZE);
    for (const s of [a, b, slice]) {
      assert.ok(!(s instanceof USegment));
      for (const name of ["reader", "writer", "read", "readBytes", "readVal", "write", "writeBytes", "writeVal", "fillZeros", "readOnce", "writeOnce"]) {
        assert.equal(name in s, false, `typed segment has ${name}`);
      }
    }
    for (const f of b) {
      assert.equal(f.meta(), f.startPaddr());
      f.dispose();
    }
    a.dispose();
    slice.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("USegment.prototype methods on a typed segment, even one forced to USegment's prototype, are TypeErrors", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegmentWith(2, () => "meta");
    const proto = USegment.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const [name, args] of [
      ["reader", []],
      ["writer", []],
      ["readBytes", [0, new Uint8Array(4)]],
      ["writeBytes", [0, new Uint8Array(4)]],
      ["fillZeros", [0, 4]],
    ] as Array<[string, unknown[]]>) {
      throwsContract(() => proto[name]!.apply(seg, args), TypeError);
    }
    const forced = Object.setPrototypeOf(seg, USegment.prototype) as USegment;
    throwsContract(() => forced.reader(), TypeError);
    throwsContract(() => forced.writer(), TypeError);
    throwsContract(() => forced.readBytes(0, new Uint8Array(4)), TypeError);
    throwsContract(() => forced.writeBytes(0, new Uint8Array(4)), TypeError);
    throwsContract(() => forced.fillZeros(0, 4), TypeError);
    forced.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });
});

vmIoSuite("USegment", (mem, pages) => {
  const seg = new FrameAllocOptions(mem).allocSegment(pages);
  return { io: seg, size: pages * PAGE_SIZE };
});

vmIoSuite(
  "USegment",
  (mem, pages) => ({ io: new FrameAllocOptions(mem).allocSegment(pages), size: pages * PAGE_SIZE }),
  { shared: true },
);

vmIoSuite("USegment slice", (mem, pages) => {
  const whole = new FrameAllocOptions(mem).allocSegment(pages + 2);
  const inner = whole.slice(PAGE_SIZE, (pages + 1) * PAGE_SIZE);
  whole.dispose();
  return { io: inner, size: pages * PAGE_SIZE };
});

describe("encapsulation (issue 8, defect 7)", () => {
  test("a segment handle has no own properties and exposes only its methods; there is no public constructor", () => {
    const mem = memory(64, { shared: true });
    const opts = new FrameAllocOptions(mem);
    const s = opts.allocSegment(2);
    const t = opts.allocSegmentWith(2, () => 0);
    assert.deepEqual(Reflect.ownKeys(s), []);
    exposesOnly(t, ["constructor", "leaseExpired", "describeLease", "startPaddr", "endPaddr", "size", "split", "slice", "clone", "dispose", String(Symbol.dispose), "Symbol(Symbol.iterator)"]);
    exposesOnly(s, [...["constructor", "leaseExpired", "describeLease", "startPaddr", "endPaddr", "size", "split", "slice", "clone", "dispose", String(Symbol.dispose), "Symbol(Symbol.iterator)"], ...VM_IO_NAMES, "reader", "writer", "share"]);
    const illegal = (e: unknown): boolean => e instanceof TypeError && (e as { code?: string }).code === "ERR_ILLEGAL_CONSTRUCTOR";
    for (const C of [Segment, USegment]) assert.throws(() => Reflect.construct(C, [Symbol("vmio.internal"), {}]), illegal);
    s.dispose();
    t.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });
});
