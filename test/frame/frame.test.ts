// Frame<M> and UFrame: OSTD's frame ktests, reference counting, disposal,
// typed frames, and VmIo on untyped frames.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Frame, FrameAllocOptions, FrameVec, PAGE_SIZE, PhysicalMemory, Segment, UFrame, USegment, u32, u8 } from "../../src/index.js";
import { VM_IO_NAMES, exposesOnly, memory, throwsContract, throwsDisposed, usableFrames, vmIoSuite } from "./support.js";

describe("OSTD frame ktests", () => {
  test("frame_allocation: allocFrameWith(meta) has that meta, reference count 1, size PAGE_SIZE", () => {
    const mem = memory(64);
    const meta = { value: 42 };
    const frame = new FrameAllocOptions(mem).allocFrameWith(meta);
    assert.ok(frame instanceof Frame);
    assert.ok(!(frame instanceof UFrame));
    assert.equal(frame.meta(), meta);
    assert.equal(frame.referenceCount(), 1);
    assert.equal(frame.size(), PAGE_SIZE);
    assert.equal(frame.startPaddr() % PAGE_SIZE, 0);
    assert.ok(frame.startPaddr() >= mem.reservedFrames() * PAGE_SIZE);
    assert.ok(frame.startPaddr() < mem.size);
    frame.dispose();
  });

  test("frame_clone: both handles have the same paddr and see reference count 2", () => {
    const mem = memory(64);
    const frame = new FrameAllocOptions(mem).allocFrameWith({ value: 42 });
    const clone = frame.clone();
    assert.ok(clone instanceof Frame);
    assert.notEqual(clone, frame);
    assert.equal(clone.startPaddr(), frame.startPaddr());
    assert.equal(frame.referenceCount(), 2);
    assert.equal(clone.referenceCount(), 2);
    assert.equal(clone.meta(), frame.meta());
    clone.dispose();
    assert.equal(frame.referenceCount(), 1);
    frame.dispose();
  });

  test("frame_drop: after dispose the next allocation gets the same paddr", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const frame = opts.allocFrameWith({ value: 42 });
    const paddr = frame.startPaddr();
    frame.dispose();
    const again = opts.allocFrameWith({ value: 43 });
    assert.equal(again.startPaddr(), paddr);
    assert.deepEqual(again.meta(), { value: 43 });
    again.dispose();
    const untyped = opts.allocFrame();
    assert.equal(untyped.startPaddr(), paddr);
    untyped.dispose();
  });

  test("untyped_frame_reader_writer: a reader made before a write sees the written bytes", () => {
    const mem = memory(64);
    const frame = new FrameAllocOptions(mem).allocFrame();
    const reader = frame.reader();
    const writer = frame.writer();
    assert.equal(reader.remain(), PAGE_SIZE);
    assert.equal(writer.avail(), PAGE_SIZE);
    assert.equal(reader.cursor(), frame.startPaddr());
    assert.equal(writer.cursor(), frame.startPaddr());
    for (let i = 0; i < 128; i++) writer.writeVal(u8, 0xaa);
    assert.equal(writer.avail(), PAGE_SIZE - 128);
    for (let i = 0; i < 128; i++) assert.equal(reader.readVal(u8), 0xaa);
    assert.equal(reader.readVal(u8), 0, "byte 128 was not written");
    frame.dispose();
  });
});

describe("untyped frames", () => {
  test("allocFrame gives a zeroed UFrame with meta() undefined and reference count 1", () => {
    const mem = memory(64);
    const frame = new FrameAllocOptions(mem).allocFrame();
    assert.ok(frame instanceof UFrame);
    assert.ok(frame instanceof Frame);
    assert.equal(frame.meta(), undefined);
    assert.equal(frame.referenceCount(), 1);
    assert.equal(frame.size(), PAGE_SIZE);
    const bytes = new Uint8Array(PAGE_SIZE).fill(1);
    frame.readBytes(0, bytes);
    assert.deepEqual(bytes, new Uint8Array(PAGE_SIZE));
    frame.dispose();
  });

  test("a UFrame clone is a UFrame over the same bytes", () => {
    const mem = memory(64);
    const frame = new FrameAllocOptions(mem).allocFrame();
    const clone = frame.clone();
    assert.ok(clone instanceof UFrame);
    frame.writeVal(100, u32, 0x12345678);
    assert.equal(clone.readVal(100, u32), 0x12345678);
    frame.dispose();
    assert.equal(clone.readVal(100, u32), 0x12345678, "the clone keeps the frame and its bytes alive");
    clone.dispose();
  });

  test("two live frames never share bytes", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const a = opts.allocFrame();
    const b = opts.allocFrame();
    assert.notEqual(a.startPaddr(), b.startPaddr());
    a.fillZeros(0, PAGE_SIZE);
    b.writeBytes(0, new Uint8Array(PAGE_SIZE).fill(0xff));
    const out = new Uint8Array(PAGE_SIZE);
    a.readBytes(0, out);
    assert.deepEqual(out, new Uint8Array(PAGE_SIZE));
    a.dispose();
    b.dispose();
  });

  test("copying one frame into another through write(offset, reader)", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const a = opts.allocFrame();
    const b = opts.allocFrame();
    const bytes = new Uint8Array(PAGE_SIZE).map((_, i) => i * 31);
    a.writeBytes(0, bytes);
    const r = a.reader();
    b.write(0, r);
    assert.equal(r.remain(), 0);
    const out = new Uint8Array(PAGE_SIZE);
    b.readBytes(0, out);
    assert.deepEqual(out, bytes);
    a.dispose();
    b.dispose();
  });
});

describe("reference counting", () => {
  test("clone and dispose arithmetic: the count is the number of live handles", () => {
    const mem = memory(64);
    const frame = new FrameAllocOptions(mem).allocFrame();
    const handles = [frame];
    for (let i = 2; i <= 5; i++) {
      handles.push(handles[handles.length - 1]!.clone());
      for (const h of handles) assert.equal(h.referenceCount(), i);
    }
    // Dispose in a scrambled order: the survivors always agree on the count.
    const live = new Set(handles);
    for (const i of [2, 0, 4, 1, 3]) {
      handles[i]!.dispose();
      live.delete(handles[i]!);
      for (const h of live) assert.equal(h.referenceCount(), live.size);
    }
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("a frame is freed exactly when its last reference goes", () => {
    const mem = memory(64);
    const free0 = mem.freeFrames();
    const frame = new FrameAllocOptions(mem).allocFrame();
    assert.equal(mem.freeFrames(), free0 - 1);
    const c1 = frame.clone();
    const c2 = c1.clone();
    assert.equal(mem.freeFrames(), free0 - 1, "clones do not allocate");
    frame.dispose();
    assert.equal(mem.freeFrames(), free0 - 1);
    c2.dispose();
    assert.equal(mem.freeFrames(), free0 - 1);
    c1.dispose();
    assert.equal(mem.freeFrames(), free0);
  });

  test("disposing twice is a TypeError and does not drop a second reference", () => {
    const mem = memory(64);
    const frame = new FrameAllocOptions(mem).allocFrame();
    const clone = frame.clone();
    frame.dispose();
    throwsDisposed(() => frame.dispose());
    throwsDisposed(() => frame[Symbol.dispose]());
    assert.equal(clone.referenceCount(), 1);
    clone.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("every method of a disposed UFrame is a TypeError", () => {
    const mem = memory(64);
    const frame = new FrameAllocOptions(mem).allocFrame();
    const keep = frame.clone();
    frame.dispose();
    const calls: Array<() => unknown> = [
      () => frame.startPaddr(),
      () => frame.size(),
      () => frame.referenceCount(),
      () => frame.meta(),
      () => frame.clone(),
      () => frame.dispose(),
      () => frame[Symbol.dispose](),
      () => frame.reader(),
      () => frame.writer(),
      () => frame.readBytes(0, new Uint8Array(1)),
      () => frame.readBytes(0, new Uint8Array(0)),
      () => frame.writeBytes(0, new Uint8Array(1)),
      () => frame.readSlice(0, new Uint32Array(1)),
      () => frame.writeSlice(0, new Uint32Array(1)),
      () => frame.readVal(0, u32),
      () => frame.writeVal(0, u32, 1),
      () => frame.read(0, keep.writer().limit(4)),
      () => frame.write(0, keep.reader().limit(4)),
      () => frame.fillZeros(0, 4),
      () => frame.fillZeros(0, 0),
      () => frame.readOnce(0, u32),
      () => frame.writeOnce(0, u32, 1),
    ];
    for (const call of calls) throwsDisposed(call);
    assert.equal(keep.referenceCount(), 1, "none of the failed calls changed the count");
    assert.equal(keep.readVal(0, u32), 0, "none of the failed calls wrote");
    keep.dispose();
  });

  test("every method of a disposed typed Frame is a TypeError", () => {
    const mem = memory(64);
    const frame = new FrameAllocOptions(mem).allocFrameWith("meta");
    frame.dispose();
    for (const call of [
      () => frame.startPaddr(),
      () => frame.size(),
      () => frame.referenceCount(),
      () => frame.meta(),
      () => frame.clone(),
      () => frame.dispose(),
    ]) {
      throwsDisposed(call);
    }
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("`using` disposes a frame at the end of its block", () => {
    const mem = memory(64);
    const free0 = mem.freeFrames();
    let escaped: UFrame | undefined;
    {
      using frame = new FrameAllocOptions(mem).allocFrame();
      escaped = frame;
      assert.equal(mem.freeFrames(), free0 - 1);
      frame.writeVal(0, u32, 7);
    }
    assert.equal(mem.freeFrames(), free0);
    throwsDisposed(() => escaped.startPaddr());
  });

  test("`using` disposes a frame when its block throws", () => {
    const mem = memory(64);
    const free0 = mem.freeFrames();
    assert.throws(() => {
      using frame = new FrameAllocOptions(mem).allocFrame();
      frame.writeVal(0, u32, 7);
      throw new Error("boom");
    }, /boom/);
    assert.equal(mem.freeFrames(), free0);
  });

  test("a frame's metadata is forgotten when it is freed", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const typed = opts.allocFrameWith({ secret: 1 });
    typed.dispose();
    const untyped = opts.allocFrame();
    assert.equal(untyped.meta(), undefined);
    untyped.dispose();
  });
});

describe("typed frames have no VmIo", () => {
  test("a typed frame has no reader, writer or VmIo methods", () => {
    const mem = memory(64);
    const frame = new FrameAllocOptions(mem).allocFrameWith(1);
    for (const name of [
      "reader",
      "writer",
      "read",
      "readBytes",
      "readVal",
      "readSlice",
      "write",
      "writeBytes",
      "writeVal",
      "writeSlice",
      "fillZeros",
      "readOnce",
      "writeOnce",
    ]) {
      assert.equal(name in frame, false, `typed frame has ${name}`);
    }
    frame.dispose();
  });

  test("UFrame.prototype methods called on a typed frame are TypeErrors", () => {
    const mem = memory(64);
    const frame = new FrameAllocOptions(mem).allocFrameWith(1);
    const proto = UFrame.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    const calls: Array<[string, unknown[]]> = [
      ["reader", []],
      ["writer", []],
      ["readBytes", [0, new Uint8Array(4)]],
      ["writeBytes", [0, new Uint8Array(4)]],
      ["readVal", [0, u32]],
      ["writeVal", [0, u32, 1]],
      ["fillZeros", [0, 4]],
      ["readOnce", [0, u32]],
      ["writeOnce", [0, u32, 1]],
    ];
    for (const [name, args] of calls) throwsContract(() => proto[name]!.apply(frame, args), TypeError);
    frame.dispose();
  });

  test("a typed frame forced to look like a UFrame still cannot be read, written or put in a FrameVec", () => {
    const mem = memory(64);
    const frame = new FrameAllocOptions(mem).allocFrameWith(1);
    const paddr = frame.startPaddr();
    // Behind the type system's back: give the handle UFrame's prototype.
    const forced = Object.setPrototypeOf(frame, UFrame.prototype) as UFrame;
    throwsContract(() => forced.reader(), TypeError);
    throwsContract(() => forced.writer(), TypeError);
    throwsContract(() => forced.readBytes(0, new Uint8Array(4)), TypeError);
    throwsContract(() => forced.writeBytes(0, new Uint8Array(4)), TypeError);
    throwsContract(() => forced.writeVal(0, u32, 1), TypeError);
    throwsContract(() => forced.fillZeros(0, 4), TypeError);
    throwsContract(() => forced.writeOnce(0, u32, 1), TypeError);
    throwsContract(() => new FrameVec([forced]), TypeError);
    assert.equal(forced.referenceCount(), 1, "the failed FrameVec took no reference");
    assert.equal(forced.startPaddr(), paddr);
    forced.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("a typed frame is rejected by FrameVec", () => {
    const mem = memory(64);
    const frame = new FrameAllocOptions(mem).allocFrameWith(1);
    throwsContract(() => new FrameVec([frame as unknown as UFrame]), TypeError);
    assert.equal(frame.referenceCount(), 1);
    frame.dispose();
  });
});

vmIoSuite("UFrame", (mem) => ({ io: new FrameAllocOptions(mem).allocFrame(), size: PAGE_SIZE }), { shared: true });

// A UFrame is always one page, whatever the suite asks for: the suite relies on `size` only.
vmIoSuite("UFrame", (mem) => {
  const frame = new FrameAllocOptions(mem).allocFrame();
  return { io: frame, size: PAGE_SIZE };
});

describe("encapsulation (issue 8, defect 7)", () => {
  const FRAME = ["constructor", "leaseExpired", "describeLease", "startPaddr", "size", "referenceCount", "meta", "clone", "dispose", String(Symbol.dispose)];

  test("a frame handle has no own properties and exposes only its methods; its lease cannot be revived", () => {
    for (const shared of [false, true]) {
      const mem = memory(64, { shared });
      const opts = new FrameAllocOptions(mem);
      const u = opts.allocFrame();
      const t = opts.allocFrameWith(1);
      assert.deepEqual(Reflect.ownKeys(u), []);
      assert.deepEqual(Reflect.ownKeys(t), []);
      exposesOnly(t, FRAME);
      exposesOnly(u, [...FRAME, ...VM_IO_NAMES, "reader", "writer", "share"]);
      const r = u.reader();
      u.dispose();
      assert.throws(() => {
        (u as unknown as { leaseExpired: boolean }).leaseExpired = false;
      }, TypeError);
      throwsDisposed(() => r.readVal(u32));
      t.dispose();
      assert.equal(mem.freeFrames(), usableFrames(mem));
    }
  });

  test("there is no public constructor: new, Reflect.construct and subclasses throw ERR_ILLEGAL_CONSTRUCTOR and take nothing", () => {
    const mem = memory(64);
    const free = mem.freeFrames();
    const illegal = (e: unknown): boolean => e instanceof TypeError && (e as { code?: string }).code === "ERR_ILLEGAL_CONSTRUCTOR";
    for (const C of [Frame, UFrame]) {
      assert.throws(() => Reflect.construct(C, [Symbol("vmio.internal"), { ram: {}, index: 5 }]), illegal);
      assert.throws(() => Reflect.construct(C, []), illegal);
      class Sub extends (C as unknown as new (...a: unknown[]) => object) {}
      assert.throws(() => new Sub(), illegal);
    }
    assert.equal(mem.freeFrames(), free);
  });

  test("the frame layer's methods called on anything but their own objects throw coded TypeErrors, never engine errors", () => {
    const classes: Array<{ prototype: object }> = [PhysicalMemory, FrameAllocOptions, Frame, UFrame, Segment, USegment, FrameVec];
    const skip = new Set(["constructor", "leaseExpired", "describeLease", ...VM_IO_NAMES]);
    let checked = 0;
    for (const C of classes) {
      for (const key of Reflect.ownKeys(C.prototype)) {
        if (typeof key === "string" && skip.has(key)) continue;
        if (key === Symbol.iterator) continue; // a generator: it runs (and checks) on the first next()
        const d = Object.getOwnPropertyDescriptor(C.prototype, key) as PropertyDescriptor;
        const fn = (d.get ?? d.value) as (...args: unknown[]) => unknown;
        for (const receiver of [{}, 1, Object.create(C.prototype)]) {
          assert.throws(
            () => fn.call(receiver, 0, 0),
            (e: unknown) => e instanceof TypeError && typeof (e as { code?: unknown }).code === "string",
            `${(C as unknown as { name: string }).name}.prototype.${String(key)} on ${typeof receiver}`,
          );
          checked++;
        }
      }
    }
    assert.ok(checked > 60);
  });
});
