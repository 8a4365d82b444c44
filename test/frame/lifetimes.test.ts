// Lifetimes: readers and writers borrow the handle they were made from (as a
// Rust VmReader<'a> borrows its frame), so once that handle is disposed or
// consumed their next access throws, even when clones keep the frames alive.
// (Leak tracking of handles garbage-collected undisposed: leak-tracking.test.ts.)

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  FrameAllocOptions,
  FrameVec,
  PAGE_SIZE,
  PhysicalMemory,
  VmReader,
  VmWriter,
  u32,
  u8,
  type Infallible,
} from "../../src/index.js";
import { memory, throwsDisposed, usableFrames } from "./support.js";

/** Every access of a reader that touches memory. */
function readerAccesses(r: VmReader<Infallible>): Array<[string, () => unknown]> {
  return [
    ["readVal", () => r.readVal(u32)],
    ["readVal u8", () => r.readVal(u8)],
    ["readOnce", () => r.readOnce(u32)],
    ["atomicLoad", () => r.atomicLoad(u32)],
    ["read", () => r.read(VmWriter.from(new Uint8Array(8)))],
    ["readFallible", () => r.readFallible(VmWriter.from(new Uint8Array(8)))],
    ["clone().readVal", () => r.clone().readVal(u32)],
    ["toFallible().readVal", () => r.toFallible().readVal(u32)],
    ["toFallible().readFallible", () => r.toFallible().readFallible(VmWriter.from(new Uint8Array(8)))],
    ["a writer pulling from it (write)", () => VmWriter.from(new Uint8Array(4)).write(r)],
  ];
}

/** Every access of a writer that touches memory. */
function writerAccesses(w: VmWriter<Infallible>, r: VmReader<Infallible>): Array<[string, () => unknown]> {
  return [
    ["writeVal", () => w.writeVal(u32, 1)],
    ["writeOnce", () => w.writeOnce(u32, 1)],
    ["fillZeros", () => w.fillZeros(8)],
    ["write", () => w.write(VmReader.from(new Uint8Array(8).fill(1)))],
    ["writeFallible", () => w.writeFallible(VmReader.from(new Uint8Array(8).fill(1)))],
    ["atomicCompareExchange", () => w.atomicCompareExchange(r, u32, 0, 1)],
    ["cloneExclusive().writeVal", () => w.cloneExclusive().writeVal(u32, 1)],
    ["toFallible().fillZeros", () => w.toFallible().fillZeros(4)],
    ["toFallible().writeVal", () => w.toFallible().writeVal(u32, 1)],
  ];
}

/** One kind of handle with readers and writers. */
interface Subject {
  reader(): VmReader<Infallible>;
  writer(): VmWriter<Infallible>;
  dispose(): void;
  /** Reads byte 0..3 through a handle that is still alive. */
  check(): number;
  /** Releases whatever keeps the frames alive. */
  release(): void;
}

type Maker = (mem: PhysicalMemory) => Subject;

const subjects: Array<[string, Maker]> = [
  [
    "UFrame",
    (mem) => {
      const f = new FrameAllocOptions(mem).allocFrame();
      const keep = f.clone();
      return { reader: () => f.reader(), writer: () => f.writer(), dispose: () => f.dispose(), check: () => keep.readVal(0, u32), release: () => keep.dispose() };
    },
  ],
  [
    "USegment",
    (mem) => {
      const s = new FrameAllocOptions(mem).allocSegment(2);
      const keep = s.clone();
      return { reader: () => s.reader(), writer: () => s.writer(), dispose: () => s.dispose(), check: () => keep.readVal(0, u32), release: () => keep.dispose() };
    },
  ],
  [
    "FrameVec",
    (mem) => {
      const opts = new FrameAllocOptions(mem);
      const a = opts.allocFrame();
      const gap = opts.allocFrame();
      const b = opts.allocFrame();
      const v = new FrameVec([a, b]);
      gap.dispose();
      return {
        reader: () => v.reader(),
        writer: () => v.writer(),
        dispose: () => v.dispose(),
        check: () => a.readVal(0, u32),
        release: () => {
          a.dispose();
          b.dispose();
        },
      };
    },
  ],
];

for (const [kind, make] of subjects) {
  describe(`${kind}: readers and writers borrow the handle`, () => {
    test("every reader access after dispose is a TypeError, even while a clone keeps the frames alive", () => {
      const mem = memory(64);
      const s = make(mem);
      const readers = readerAccesses(s.reader()).map(([name]) => name);
      const made = readers.map(() => s.reader());
      // Prove each reader worked before the handle was disposed.
      assert.equal(s.reader().readVal(u32), 0);
      s.dispose();
      made.forEach((r, i) => {
        const [name, access] = readerAccesses(r)[i]!;
        assert.doesNotThrow(() => r.remain(), "remain() only looks at the cursor");
        try {
          throwsDisposed(access);
        } catch (e) {
          assert.fail(`${kind} reader ${name}: ${String(e)}`);
        }
      });
      s.release();
      assert.equal(mem.freeFrames(), usableFrames(mem));
    });

    test("every writer access after dispose is a TypeError and writes nothing", () => {
      const mem = memory(64);
      const s = make(mem);
      const names = writerAccesses(s.writer(), s.reader()).map(([name]) => name);
      const made = names.map(() => [s.writer(), s.reader()] as const);
      s.dispose();
      made.forEach(([w, r], i) => {
        const [name, access] = writerAccesses(w, r)[i]!;
        try {
          throwsDisposed(access);
        } catch (e) {
          assert.fail(`${kind} writer ${name}: ${String(e)}`);
        }
      });
      assert.equal(s.check(), 0, "no byte was written");
      s.release();
    });

    test("a reader that is part-way through still throws on its next access", () => {
      const mem = memory(64);
      const s = make(mem);
      const w = s.writer();
      w.writeVal(u32, 11);
      w.writeVal(u32, 22);
      const r = s.reader();
      assert.equal(r.readVal(u32), 11);
      s.dispose();
      throwsDisposed(() => r.readVal(u32));
      throwsDisposed(() => w.writeVal(u32, 33));
      assert.equal(r.remain() > 0, true);
      s.release();
    });

    test("VmIo calls that read into or write from a dead reader/writer are TypeErrors", () => {
      const mem = memory(64);
      const s = make(mem);
      const target = new FrameAllocOptions(mem).allocFrame();
      const r = s.reader().limit(16);
      const w = s.writer().limit(16);
      s.dispose();
      throwsDisposed(() => target.write(0, r));
      throwsDisposed(() => target.read(0, w));
      assert.equal(r.remain(), 16, "a failed copy does not move the cursor");
      assert.equal(w.avail(), 16);
      target.dispose();
      s.release();
    });
  });
}

describe("consumed and freed handles", () => {
  test("a reader and writer of the original segment throw after split()", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(2);
    const r = seg.reader();
    const w = seg.writer();
    const [a, b] = seg.split(PAGE_SIZE);
    throwsDisposed(() => r.readVal(u32));
    throwsDisposed(() => r.read(VmWriter.from(new Uint8Array(4))));
    throwsDisposed(() => w.writeVal(u32, 1));
    throwsDisposed(() => w.fillZeros(4));
    // The halves have readers of their own.
    assert.equal(a.reader().readVal(u32), 0);
    assert.equal(b.reader().readVal(u32), 0);
    a.dispose();
    b.dispose();
  });

  test("a reader of a segment throws once iteration consumed the segment", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(2);
    const r = seg.reader();
    const frames = [...seg];
    throwsDisposed(() => r.readVal(u32));
    for (const f of frames) f.dispose();
  });

  test("a reader of a slice is unaffected by disposing the original, and vice versa", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(3);
    seg.writeVal(PAGE_SIZE, u32, 99);
    const slice = seg.slice(PAGE_SIZE, 2 * PAGE_SIZE);
    const sr = slice.reader();
    const or = seg.reader().skip(PAGE_SIZE);
    seg.dispose();
    assert.equal(sr.readVal(u32), 99);
    throwsDisposed(() => or.readVal(u32));
    slice.dispose();
    throwsDisposed(() => sr.readVal(u32));
  });

  test("disposing a clone does not expire readers of the original handle", () => {
    const mem = memory(64);
    const f = new FrameAllocOptions(mem).allocFrame();
    const r = f.reader();
    const c = f.clone();
    c.dispose();
    assert.equal(r.readVal(u32), 0);
    f.dispose();
  });

  test("a reader of a freed frame never reads the bytes of the frame's next owner", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const old = opts.allocFrame();
    const paddr = old.startPaddr();
    const r = old.reader();
    const w = old.writer();
    old.dispose();
    const next = opts.allocFrame();
    assert.equal(next.startPaddr(), paddr, "the frame was recycled");
    next.writeVal(0, u32, 0x5ec7e7);
    throwsDisposed(() => r.readVal(u32));
    throwsDisposed(() => w.writeVal(u32, 0));
    assert.equal(next.readVal(0, u32), 0x5ec7e7);
    next.dispose();
  });

  test("readers of frames yielded by iteration borrow those frame handles", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(2);
    const readers: VmReader<Infallible>[] = [];
    for (using f of seg) readers.push(f.reader());
    for (const r of readers) throwsDisposed(() => r.readVal(u8));
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("a writer made before `using` ends throws after the block", () => {
    const mem = memory(64);
    let w: VmWriter<Infallible> | undefined;
    {
      using f = new FrameAllocOptions(mem).allocFrame();
      w = f.writer();
      w.writeVal(u8, 1);
    }
    throwsDisposed(() => w.writeVal(u8, 2));
  });
});
