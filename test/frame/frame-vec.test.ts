// FrameVec: untyped frames addressed as one range. References, validation,
// empty vectors, vectors of a segment (taken by reference), copies across
// frame boundaries (scattered and adjacent), overlapping copies within one
// vector (memmoves), VmIo.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FrameAllocOptions, FrameVec, PAGE_SIZE, UFrame, VmReader, VmWriter, u8, u16, u32, u64, type PhysicalMemory } from "../../src/index.js";
import { VM_IO_NAMES, exposesOnly, memory, pattern, throwsContract, throwsDisposed, throwsVmError, usableFrames, vmIoSuite } from "./support.js";

/** Frames at positions `picks` of a fresh 6-frame segment (so their physical layout is known). */
function framesAt(mem: PhysicalMemory, picks: number[]): UFrame[] {
  const all = [...new FrameAllocOptions(mem).allocSegment(6)];
  const chosen = picks.map((i) => all[i]!.clone());
  for (const f of all) f.dispose();
  return chosen;
}

function refCountOf(f: UFrame): number {
  return f.referenceCount();
}

describe("FrameVec", () => {
  test("it takes references of its own: disposing the input handles keeps the vector usable", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const a = opts.allocFrame();
    const b = opts.allocFrame();
    a.writeVal(0, u32, 0xa);
    b.writeVal(0, u32, 0xb);
    const pa = a.startPaddr();
    const pb = b.startPaddr();
    const vec = new FrameVec([a, b]);
    assert.equal(refCountOf(a), 2);
    assert.equal(refCountOf(b), 2);
    a.dispose();
    b.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem) - 2);
    assert.equal(vec.length, 2);
    assert.equal(vec.size(), 2 * PAGE_SIZE);
    assert.equal(vec.paddrOf(0), pa);
    assert.equal(vec.paddrOf(1), pb);
    assert.equal(vec.readVal(0, u32), 0xa);
    assert.equal(vec.readVal(PAGE_SIZE, u32), 0xb);
    vec.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("frames keep the order given, whatever their physical order", () => {
    const mem = memory(64);
    const frames = framesAt(mem, [5, 1, 3]);
    frames.forEach((f, i) => f.writeVal(0, u32, 100 + i));
    using vec = new FrameVec(frames);
    assert.deepEqual(
      [0, 1, 2].map((i) => vec.paddrOf(i)),
      frames.map((f) => f.startPaddr()),
    );
    assert.deepEqual(
      [0, 1, 2].map((i) => vec.readVal(i * PAGE_SIZE, u32)),
      [100, 101, 102],
    );
    for (const f of frames) f.dispose();
  });

  test("the same frame may appear twice; both positions alias it", () => {
    const mem = memory(64);
    const f = new FrameAllocOptions(mem).allocFrame();
    const vec = new FrameVec([f, f]);
    assert.equal(f.referenceCount(), 3);
    vec.writeVal(PAGE_SIZE + 8, u32, 77);
    assert.equal(vec.readVal(8, u32), 77);
    vec.dispose();
    assert.equal(f.referenceCount(), 1);
    f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("an empty FrameVec has size 0: zero-length accesses succeed, anything else is InvalidArgs", () => {
    const vec = new FrameVec([]);
    assert.equal(vec.length, 0);
    assert.equal(vec.size(), 0);
    assert.equal(vec.reader().remain(), 0);
    assert.equal(vec.writer().avail(), 0);
    assert.equal(vec.reader().read(VmWriter.from(new Uint8Array(4))), 0);
    assert.equal(vec.writer().write(VmReader.from(new Uint8Array(4))), 0);
    assert.equal(vec.writer().fillZeros(4), 0);
    vec.readBytes(0, new Uint8Array(0));
    vec.writeBytes(0, new Uint8Array(0));
    vec.fillZeros(0, 0);
    vec.read(0, VmWriter.from(new Uint8Array(0)));
    vec.write(0, VmReader.from(new Uint8Array(0)));
    throwsVmError(() => vec.readVal(0, u32), "InvalidArgs");
    throwsVmError(() => vec.writeVal(0, u8, 1), "InvalidArgs");
    throwsVmError(() => vec.readOnce(0, u8), "InvalidArgs");
    throwsVmError(() => vec.readBytes(0, new Uint8Array(1)), "InvalidArgs");
    throwsVmError(() => vec.fillZeros(0, 1), "InvalidArgs", 0);
    throwsVmError(() => vec.fillZeros(1, 0), "InvalidArgs", 0);
    throwsContract(() => vec.paddrOf(0), RangeError);
    const copy = vec.clone();
    assert.equal(copy.size(), 0);
    copy.dispose();
    vec.dispose();
    throwsDisposed(() => vec.size());
    throwsDisposed(() => vec.dispose());
    using fromEmptyIterable = new FrameVec(new Set<UFrame>());
    assert.equal(fromEmptyIterable.length, 0);
  });

  test("paddrOf rejects indices out of range", () => {
    const mem = memory(64);
    const f = new FrameAllocOptions(mem).allocFrame();
    using vec = new FrameVec([f]);
    for (const bad of [-1, 1, 1.5, NaN]) throwsContract(() => vec.paddrOf(bad), RangeError);
    f.dispose();
  });

  test("clone takes another reference to every frame", () => {
    const mem = memory(64);
    const frames = framesAt(mem, [0, 2]);
    const vec = new FrameVec(frames);
    const copy = vec.clone();
    for (const f of frames) assert.equal(f.referenceCount(), 3);
    vec.dispose();
    copy.writeVal(PAGE_SIZE, u32, 5);
    assert.equal(frames[1]!.readVal(0, u32), 5);
    copy.dispose();
    for (const f of frames) {
      assert.equal(f.referenceCount(), 1);
      f.dispose();
    }
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("every method of a disposed FrameVec is a TypeError", () => {
    const mem = memory(64);
    const f = new FrameAllocOptions(mem).allocFrame();
    const vec = new FrameVec([f]);
    vec.dispose();
    const calls: Array<() => unknown> = [
      () => vec.length,
      () => vec.size(),
      () => vec.paddrOf(0),
      () => vec.reader(),
      () => vec.writer(),
      () => vec.clone(),
      () => vec.dispose(),
      () => vec[Symbol.dispose](),
      () => vec.readBytes(0, new Uint8Array(1)),
      () => vec.writeBytes(0, new Uint8Array(1)),
      () => vec.readVal(0, u32),
      () => vec.writeVal(0, u32, 1),
      () => vec.read(0, f.writer().limit(4)),
      () => vec.write(0, f.reader().limit(4)),
      () => vec.fillZeros(0, 4),
      () => vec.readOnce(0, u32),
      () => vec.writeOnce(0, u32, 1),
    ];
    for (const call of calls) throwsDisposed(call);
    assert.equal(f.referenceCount(), 1);
    f.dispose();
  });

  test("its reader and writer throw after the vector is disposed, even though the frames live on", () => {
    const mem = memory(64);
    const frames = framesAt(mem, [4, 1]);
    const vec = new FrameVec(frames);
    const r = vec.reader();
    const w = vec.writer();
    const rPast = vec.reader().skip(PAGE_SIZE - 2);
    vec.dispose();
    throwsDisposed(() => r.readVal(u32));
    throwsDisposed(() => rPast.readVal(u32)); // the straddling path
    throwsDisposed(() => r.readOnce(u32));
    throwsDisposed(() => r.read(VmWriter.from(new Uint8Array(4))));
    throwsDisposed(() => r.readFallible(VmWriter.from(new Uint8Array(4))));
    throwsDisposed(() => w.writeVal(u32, 1));
    throwsDisposed(() => w.writeOnce(u32, 1));
    throwsDisposed(() => w.fillZeros(4));
    throwsDisposed(() => w.write(VmReader.from(new Uint8Array(4))));
    throwsDisposed(() => w.writeFallible(VmReader.from(new Uint8Array(4))));
    for (const f of frames) {
      assert.equal(f.readVal(0, u32), 0, "nothing was written");
      f.dispose();
    }
  });

  test("elements that are not live UFrames are TypeErrors, and no reference is taken", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const good = opts.allocFrame();
    const typed = opts.allocFrameWith(1);
    const seg = opts.allocSegment(1);
    const dead = opts.allocFrame();
    dead.dispose();
    const bad: unknown[] = [typed, seg, dead, null, undefined, {}, 1, "frame", { _index: 5, _mem: mem }];
    for (const b of bad) {
      throwsContract(() => new FrameVec([good, b as UFrame]), TypeError);
      throwsContract(() => new FrameVec([b as UFrame, good]), TypeError);
    }
    for (const notIterable of [null, undefined, 5, {}, good]) {
      throwsContract(() => new FrameVec(notIterable as unknown as UFrame[]), TypeError);
    }
    assert.equal(good.referenceCount(), 1);
    assert.equal(typed.referenceCount(), 1);
    assert.equal(seg.size(), PAGE_SIZE);
    for (const h of [good, typed, seg]) h.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("frames from two different PhysicalMemory objects are a TypeError, with no reference taken", () => {
    const m1 = memory(64);
    const m2 = memory(64);
    const a = new FrameAllocOptions(m1).allocFrame();
    const b = new FrameAllocOptions(m2).allocFrame();
    throwsContract(() => new FrameVec([a, b]), TypeError);
    throwsContract(() => new FrameVec([b, a]), TypeError);
    assert.equal(a.referenceCount(), 1);
    assert.equal(b.referenceCount(), 1);
    a.dispose();
    b.dispose();
  });

  test("building a FrameVec from a USegment never leaks its frames", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(3);
    const vec = new FrameVec(seg);
    assert.equal(vec.length, 3);
    vec.dispose();
    seg.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem), "every frame of the segment is free again");
  });

  test("a USegment is taken by reference: the segment stays usable and keeps its own references", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(3);
    const vec = new FrameVec(seg);
    assert.equal(vec.length, 3);
    assert.equal(vec.size(), seg.size());
    for (let i = 0; i < 3; i++) assert.equal(vec.paddrOf(i), seg.startPaddr() + i * PAGE_SIZE);
    // The segment was not consumed: it has its size, its readers, its VmIo.
    assert.equal(seg.size(), 3 * PAGE_SIZE);
    const r = seg.reader();
    assert.equal(r.remain(), 3 * PAGE_SIZE);
    // Each frame: one reference from the segment, one from the vector.
    const probe = seg.slice(PAGE_SIZE, 2 * PAGE_SIZE);
    for (const f of probe) {
      assert.equal(f.referenceCount(), 3, "segment + vector + this probe");
      f.dispose();
    }
    // Both see the same bytes.
    vec.writeVal(PAGE_SIZE - 2, u32, 0xa1b2c3d4);
    assert.equal(seg.readVal(PAGE_SIZE - 2, u32), 0xa1b2c3d4);
    seg.writeBytes(2 * PAGE_SIZE, pattern(8, 3));
    const back = new Uint8Array(8);
    vec.readBytes(2 * PAGE_SIZE, back);
    assert.deepEqual(back, pattern(8, 3));
    // Either can go first.
    seg.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem) - 3, "the vector keeps the frames");
    assert.equal(vec.readVal(PAGE_SIZE - 2, u32), 0xa1b2c3d4);
    vec.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));

    const seg2 = new FrameAllocOptions(mem).allocSegment(2);
    const vec2 = new FrameVec(seg2);
    vec2.dispose();
    assert.equal(seg2.readVal(0, u32), 0);
    assert.equal(mem.freeFrames(), usableFrames(mem) - 2, "the segment keeps the frames");
    seg2.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("a slice or a clone of a segment works the same way; a disposed or consumed segment is a TypeError with no reference taken", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(4);
    const slice = seg.slice(PAGE_SIZE, 3 * PAGE_SIZE);
    const vec = new FrameVec(slice);
    assert.equal(vec.length, 2);
    assert.equal(vec.paddrOf(0), seg.startPaddr() + PAGE_SIZE);
    slice.dispose();
    vec.dispose();
    const dead = seg.clone();
    dead.dispose();
    throwsContract(() => new FrameVec(dead), TypeError);
    const [a, b] = seg.split(2 * PAGE_SIZE);
    throwsContract(() => new FrameVec(seg), TypeError);
    a.dispose();
    b.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test(
    "a typed Segment is refused without consuming it or leaking its frames",
    () => {
      const mem = memory(64);
      const typed = new FrameAllocOptions(mem).allocSegmentWith(3, () => "meta");
      throwsContract(() => new FrameVec(typed as unknown as Iterable<UFrame>), TypeError);
      // Either the segment is untouched (and disposing it frees the frames) or
      // it was consumed and the frames were released: nothing may leak.
      try {
        typed.dispose();
      } catch {
        // Consumed.
      }
      assert.equal(mem.freeFrames(), usableFrames(mem), "every frame of the typed segment is free again");
    },
  );
});

/**
 * For every offset near the page boundary and every length 1..16, writes
 * through the vector, checks each underlying frame's bytes, and reads back.
 */
function boundarySweep(mem: PhysicalMemory, frames: UFrame[]): void {
  const vec = new FrameVec(frames);
  const size = vec.size();
  const expectFrame = (i: number, whole: Uint8Array) => {
    const got = new Uint8Array(PAGE_SIZE);
    frames[i]!.readBytes(0, got);
    assert.deepEqual(got, whole.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE), `frame ${i}`);
  };
  for (let off = PAGE_SIZE - 8; off <= PAGE_SIZE + 8; off++) {
    for (let len = 1; len <= 16; len++) {
      const data = pattern(len, off);
      const whole = new Uint8Array(size);
      // writeBytes
      vec.fillZeros(0, size);
      vec.writeBytes(off, data);
      whole.set(data, off);
      for (let i = 0; i < frames.length; i++) expectFrame(i, whole);
      const back = new Uint8Array(len);
      vec.readBytes(off, back);
      assert.deepEqual(back, data, `readBytes at ${off} len ${len}`);
      // writer / reader streams
      vec.fillZeros(0, size);
      const w = vec.writer().skip(off).limit(len);
      assert.equal(w.write(VmReader.from(data)), len);
      for (let i = 0; i < frames.length; i++) expectFrame(i, whole);
      const out = new Uint8Array(len + 2);
      const r = vec.reader().skip(off);
      assert.equal(r.read(VmWriter.from(out.subarray(1, 1 + len))), len);
      assert.deepEqual(out.subarray(1, 1 + len), data);
      assert.equal(out[0], 0);
      assert.equal(out[len + 1], 0);
      assert.equal(r.cursor(), off + len);
      // fillZeros in the middle of a filled range
      vec.writeBytes(0, new Uint8Array(size).fill(0xff));
      vec.fillZeros(off, len);
      const filled = new Uint8Array(size).fill(0xff);
      filled.fill(0, off, off + len);
      for (let i = 0; i < frames.length; i++) expectFrame(i, filled);
    }
  }
  // Values straddling the boundary take the gather/scatter path.
  vec.fillZeros(0, size);
  for (let off = PAGE_SIZE - 7; off < PAGE_SIZE; off++) {
    vec.writeVal(off, u64, 0x0807_0605_0403_0201n);
    assert.equal(vec.readVal(off, u64), 0x0807_0605_0403_0201n);
    assert.equal(vec.reader().skip(off).readVal(u64), 0x0807_0605_0403_0201n);
    const expected = new Uint8Array(size);
    expected.set([1, 2, 3, 4, 5, 6, 7, 8], off);
    for (let i = 0; i < frames.length; i++) expectFrame(i, expected);
    vec.writer().skip(off).writeVal(u16, 0xbbaa);
    assert.equal(vec.readVal(off, u16), 0xbbaa);
    assert.equal(frames[0]!.readVal(off, u8), 0xaa);
    vec.fillZeros(0, size);
  }
  // A copy spanning all frames at once.
  const all = pattern(size - 3, 9);
  vec.writeBytes(2, all);
  const back = new Uint8Array(size - 3);
  vec.readBytes(2, back);
  assert.deepEqual(back, all);
  vec.dispose();
  assert.equal(mem.freeFrames(), usableFrames(mem) - frames.length, "the sweep released the vector's references");
}

describe("FrameVec copies across frame boundaries", () => {
  test("scattered frames (non-adjacent, out of order): every offset PAGE_SIZE±8, every length 1..16", () => {
    const mem = memory(64);
    const frames = framesAt(mem, [4, 0, 2]);
    const p = frames.map((f) => f.startPaddr() / PAGE_SIZE);
    assert.ok(p[1]! < p[2]! && p[2]! < p[0]!, "out of physical order");
    assert.ok(Math.abs(p[0]! - p[1]!) > 1 && Math.abs(p[1]! - p[2]!) > 1, "not adjacent");
    boundarySweep(mem, frames);
    for (const f of frames) f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("physically adjacent frames: every offset PAGE_SIZE±8, every length 1..16", () => {
    const mem = memory(64);
    const frames = framesAt(mem, [1, 2, 3]);
    const p = frames.map((f) => f.startPaddr() / PAGE_SIZE);
    assert.deepEqual(p, [p[0], p[0]! + 1, p[0]! + 2]);
    boundarySweep(mem, frames);
    for (const f of frames) f.dispose();
  });

  test("adjacent then scattered: a run that ends mid-vector", () => {
    const mem = memory(64);
    const frames = framesAt(mem, [0, 1, 4]);
    boundarySweep(mem, frames);
    const v = new FrameVec(frames);
    // Across the second boundary (end of the adjacent run).
    v.writeBytes(2 * PAGE_SIZE - 3, new Uint8Array([1, 2, 3, 4, 5, 6]));
    const tail = new Uint8Array(3);
    frames[2]!.readBytes(0, tail);
    assert.deepEqual([...tail], [4, 5, 6]);
    v.dispose();
    for (const f of frames) f.dispose();
  });

  test("copies between a FrameVec and a segment, both directions", () => {
    const mem = memory(64);
    const frames = framesAt(mem, [3, 0]);
    const vec = new FrameVec(frames);
    const seg = new FrameAllocOptions(mem).allocSegment(2);
    const data = pattern(2 * PAGE_SIZE, 5);
    seg.writeBytes(0, data);
    vec.write(0, seg.reader());
    const a = new Uint8Array(2 * PAGE_SIZE);
    vec.readBytes(0, a);
    assert.deepEqual(a, data);
    seg.fillZeros(0, seg.size());
    seg.write(0, vec.reader());
    seg.readBytes(0, a);
    assert.deepEqual(a, data);
    vec.dispose();
    seg.dispose();
    for (const f of frames) f.dispose();
  });
});

/** Asserts two byte arrays are equal, reporting the first difference (deepEqual on 16 KiB is slow and noisy). */
function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) assert.fail(`${what}: byte ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

describe("FrameVec overlapping copies within itself are memmoves", () => {
  const layouts: Array<[string, number[]]> = [
    ["scattered, out of physical order", [4, 0, 2]],
    ["reversed adjacent frames", [3, 2, 1, 0]],
    ["adjacent frames", [1, 2, 3]],
    ["adjacent then scattered", [0, 1, 4, 2]],
  ];
  const P = PAGE_SIZE;

  test("the brief's case: vec.write(1, vec.reader().limit(2 * PAGE_SIZE - 1)) over scattered frames", () => {
    const mem = memory(64);
    const frames = framesAt(mem, [4, 0, 2]);
    const vec = new FrameVec(frames);
    const data = pattern(3 * P, 11);
    vec.writeBytes(0, data);
    const r = vec.reader().limit(2 * P - 1);
    vec.write(1, r);
    assert.equal(r.remain(), 0);
    const expected = data.slice();
    expected.set(data.subarray(0, 2 * P - 1), 1);
    const got = new Uint8Array(3 * P);
    vec.readBytes(0, got);
    sameBytes(got, expected, "vector");
    // Seen through each frame: the bytes really moved inside the frames.
    for (const [i, f] of frames.entries()) {
      const page = new Uint8Array(P);
      f.readBytes(0, page);
      sameBytes(page, expected.subarray(i * P, (i + 1) * P), `frame ${i}`);
    }
    vec.dispose();
    for (const f of frames) f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  for (const [name, picks] of layouts) {
    test(`${name}: upward and downward, through write, read and reader/writer streams`, () => {
      const mem = memory(64);
      const frames = framesAt(mem, picks);
      const vec = new FrameVec(frames);
      const size = vec.size();
      const ops = ["vec.write(to, reader)", "vec.read(from, writer)", "reader.read(writer)", "writer.write(reader)"] as const;
      let round = 0;
      for (const len of [1, 2, 31, 33, P - 1, P, P + 1, 2 * P - 1, 2 * P + 7]) {
        for (const shift of [1, 7, P - 1, P, P + 3]) {
          for (const upward of [true, false]) {
            for (const op of ops) {
              const lo = (round * 37) % 5;
              round++;
              if (lo + shift + len > size) continue;
              const [from, to] = upward ? [lo, lo + shift] : [lo + shift, lo];
              const data = pattern(size, round);
              vec.writeBytes(0, data);
              switch (op) {
                case "vec.write(to, reader)":
                  vec.write(to, vec.reader().skip(from).limit(len));
                  break;
                case "vec.read(from, writer)":
                  vec.read(from, vec.writer().skip(to).limit(len));
                  break;
                case "reader.read(writer)":
                  assert.equal(vec.reader().skip(from).limit(len).read(vec.writer().skip(to)), len);
                  break;
                case "writer.write(reader)":
                  assert.equal(vec.writer().skip(to).limit(len).write(vec.reader().skip(from)), len);
                  break;
              }
              const expected = data.slice();
              expected.set(data.subarray(from, from + len), to);
              const got = new Uint8Array(size);
              vec.readBytes(0, got);
              sameBytes(got, expected, `${op} from ${from} to ${to} len ${len}`);
            }
          }
        }
      }
      vec.dispose();
      for (const f of frames) f.dispose();
    });
  }
});

vmIoSuite("FrameVec (scattered)", (mem, pages) => {
  const picks = [4, 1, 3, 0].slice(0, pages);
  const frames = framesAt(mem, picks);
  const vec = new FrameVec(frames);
  for (const f of frames) f.dispose();
  return { io: vec, size: pages * PAGE_SIZE };
});

describe("encapsulation (issue 8, defect 7)", () => {
  test("a FrameVec has no own properties and exposes only its methods; the internal constructor form is refused", () => {
    const mem = memory(64, { shared: true });
    const f = new FrameAllocOptions(mem).allocFrame();
    const v = new FrameVec([f]);
    assert.deepEqual(Reflect.ownKeys(v), []);
    exposesOnly(v, [...VM_IO_NAMES, "constructor", "leaseExpired", "describeLease", "length", "size", "paddrOf", "reader", "writer", "clone", "dispose", String(Symbol.dispose)]);
    assert.throws(
      () => Reflect.construct(FrameVec, [undefined, Symbol("vmio.internal"), { ram: undefined, indices: new Int32Array([5]) }]),
      (e: unknown) => e instanceof TypeError && (e as { code?: string }).code === "ERR_ILLEGAL_CONSTRUCTOR",
    );
    v.dispose();
    f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });
});
