// FrameAllocOptions: argument validation, zeroing, typed allocation and the
// process-wide default memory.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Frame, FrameAllocOptions, PAGE_SIZE, PhysicalMemory, Segment, UFrame, USegment, u8 } from "../../src/index.js";
import { BAD_NUMBERS, BAD_TYPES, exposesOnly, memory, throwsContract, throwsVmError, usableFrames } from "./support.js";
import { ramOf } from "../../src/frame/physical-memory.js";

/** The bytes of RAM at `paddr`, read behind the handles (internal), for typed frames that have no reader. */
function rawBytes(mem: PhysicalMemory, paddr: number, len: number): Uint8Array {
  return ramOf(mem).bytes.slice(paddr, paddr + len);
}

describe("FrameAllocOptions", () => {
  test("the constructor takes a PhysicalMemory; anything else is a TypeError", () => {
    for (const bad of [null, {}, 5, "mem", { _allocFrames() {} }, PhysicalMemory]) {
      throwsContract(() => new FrameAllocOptions(bad as unknown as PhysicalMemory), TypeError);
    }
  });

  test("without a memory it allocates from PhysicalMemory.default", () => {
    const def = PhysicalMemory.default;
    assert.equal(PhysicalMemory.default, def, "the default memory is one object");
    const before = def.freeFrames();
    const frame = new FrameAllocOptions().allocFrame();
    assert.equal(def.freeFrames(), before - 1);
    frame.dispose();
    assert.equal(def.freeFrames(), before);
  });

  test("each memory has its own frames", () => {
    const a = memory(64);
    const b = memory(64);
    const fa = new FrameAllocOptions(a).allocFrame();
    assert.equal(a.freeFrames(), usableFrames(a) - 1);
    assert.equal(b.freeFrames(), usableFrames(b));
    fa.dispose();
  });

  test("zeroed(z) returns the options for chaining; a non-boolean is a TypeError", () => {
    const opts = new FrameAllocOptions(memory(64));
    assert.equal(opts.zeroed(false), opts);
    assert.equal(opts.zeroed(true), opts);
    for (const bad of [0, 1, "true", null, undefined, {}]) throwsContract(() => opts.zeroed(bad as boolean), TypeError);
  });

  test("frames are zeroed by default and after zeroed(true)", () => {
    const mem = memory(64);
    const dirty = new FrameAllocOptions(mem).allocFrame();
    const paddr = dirty.startPaddr();
    dirty.writeBytes(0, new Uint8Array(PAGE_SIZE).fill(0x5a));
    dirty.dispose();
    const opts = new FrameAllocOptions(mem).zeroed(false).zeroed(true);
    const clean = opts.allocFrame();
    assert.equal(clean.startPaddr(), paddr);
    const out = new Uint8Array(PAGE_SIZE);
    clean.readBytes(0, out);
    assert.deepEqual(out, new Uint8Array(PAGE_SIZE));
    clean.dispose();
  });

  test("zeroed(false) is honoured by allocFrame, allocSegment, allocFrameWith and allocSegmentWith", () => {
    const mem = memory(64);
    const seg = new FrameAllocOptions(mem).allocSegment(3);
    const paddr = seg.startPaddr();
    seg.writeBytes(0, new Uint8Array(3 * PAGE_SIZE).fill(0x77));
    const raw = new FrameAllocOptions(mem).zeroed(false);
    const cases: Array<() => { paddr: number; size: number; dispose(): void }> = [
      () => {
        const f = raw.allocFrame();
        return { paddr: f.startPaddr(), size: PAGE_SIZE, dispose: () => f.dispose() };
      },
      () => {
        const s = raw.allocSegment(3);
        return { paddr: s.startPaddr(), size: 3 * PAGE_SIZE, dispose: () => s.dispose() };
      },
      () => {
        const f = raw.allocFrameWith("t");
        return { paddr: f.startPaddr(), size: PAGE_SIZE, dispose: () => f.dispose() };
      },
      () => {
        const s = raw.allocSegmentWith(3, () => "t");
        return { paddr: s.startPaddr(), size: 3 * PAGE_SIZE, dispose: () => s.dispose() };
      },
    ];
    seg.dispose();
    for (const make of cases) {
      const got = make();
      assert.equal(got.paddr, paddr, "the freed run is reused");
      assert.deepEqual(rawBytes(mem, got.paddr, got.size), new Uint8Array(got.size).fill(0x77));
      got.dispose();
    }
    // And the zeroing default applies to typed allocations as well.
    const typed = new FrameAllocOptions(mem).allocSegmentWith(3, () => "t");
    assert.equal(typed.startPaddr(), paddr);
    assert.deepEqual(rawBytes(mem, paddr, 3 * PAGE_SIZE), new Uint8Array(3 * PAGE_SIZE));
    typed.dispose();
  });

  test("allocFrame and allocSegment return untyped handles; the *With variants typed ones", () => {
    const opts = new FrameAllocOptions(memory(64));
    const f = opts.allocFrame();
    const s = opts.allocSegment(2);
    const tf = opts.allocFrameWith(1);
    const ts = opts.allocSegmentWith(2, () => 1);
    assert.ok(f instanceof UFrame);
    assert.ok(s instanceof USegment);
    assert.ok(tf instanceof Frame && !(tf instanceof UFrame));
    assert.ok(ts instanceof Segment && !(ts instanceof USegment));
    for (const h of [f, s, tf, ts]) h.dispose();
  });

  test("allocSegment: bad counts are TypeError/RangeError and allocate nothing", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    for (const bad of BAD_NUMBERS) {
      throwsContract(() => opts.allocSegment(bad), RangeError);
      throwsContract(() => opts.allocSegmentWith(bad, () => 0), RangeError);
    }
    for (const bad of BAD_TYPES) {
      throwsContract(() => opts.allocSegment(bad as number), TypeError);
      throwsContract(() => opts.allocSegmentWith(bad as number, () => 0), TypeError);
    }
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("allocSegmentWith: meta must be a function, checked before anything is allocated", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    for (const bad of [undefined, null, 1, "f", {}]) {
      throwsContract(() => opts.allocSegmentWith(2, bad as unknown as () => number), TypeError);
    }
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("allocSegmentWith calls meta once per frame with its paddr, in order", () => {
    const opts = new FrameAllocOptions(memory(64));
    const calls: number[] = [];
    const seg = opts.allocSegmentWith(4, (paddr) => {
      calls.push(paddr);
      return paddr / PAGE_SIZE;
    });
    const start = seg.startPaddr();
    assert.deepEqual(calls, [0, 1, 2, 3].map((i) => start + i * PAGE_SIZE));
    let i = 0;
    for (const f of seg) {
      assert.equal(f.meta(), start / PAGE_SIZE + i++);
      f.dispose();
    }
  });

  test("allocSegmentWith: if meta throws, the frames are freed and the exception propagates", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const boom = new Error("meta failed");
    let calls = 0;
    assert.throws(
      () =>
        opts.allocSegmentWith(4, () => {
          if (++calls === 3) throw boom;
          return calls;
        }),
      (e) => e === boom,
    );
    assert.equal(mem.freeFrames(), usableFrames(mem));
    // The frames come back clean: no stale metadata, untyped when reused as untyped.
    const seg = opts.allocSegment(4);
    for (const f of seg) {
      assert.equal(f.meta(), undefined);
      f.writeVal(0, u8, 1);
      f.dispose();
    }
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("allocFrame when memory is exhausted is NoMemory and changes nothing", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const all = opts.allocSegment(mem.freeFrames());
    throwsVmError(() => opts.allocFrame(), "NoMemory");
    throwsVmError(() => opts.allocFrameWith(1), "NoMemory");
    throwsVmError(() => opts.allocSegment(1), "NoMemory");
    assert.equal(mem.freeFrames(), 0);
    all.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });
});

describe("encapsulation (issue 8, defect 7)", () => {
  test("FrameAllocOptions has no own properties and exposes only its methods; a forged PhysicalMemory is refused", () => {
    const opts = new FrameAllocOptions(memory(64));
    assert.deepEqual(Reflect.ownKeys(opts), []);
    exposesOnly(opts, ["constructor", "zeroed", "allocFrame", "allocSegment", "allocFrameWith", "allocSegmentWith"]);
    throwsContract(() => new FrameAllocOptions(Object.create(PhysicalMemory.prototype) as PhysicalMemory), TypeError);
  });
});
