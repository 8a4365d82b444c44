// PhysicalMemory: option validation, sizes, reserved metadata frames,
// free-frame accounting and shared (SharedArrayBuffer) RAM.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FrameAllocOptions, FrameVec, PAGE_SIZE, PhysicalMemory, u32, u64 } from "../../src/index.js";
import { exposesOnly, memory, throwsContract, usableFrames } from "./support.js";
import { ramOf } from "../../src/frame/physical-memory.js";

/** The header at the start of RAM (layout, grace-period words, thread slots, share tickets). */
const HEADER_BYTES = 32 * 1024;

/** The fewest frames a memory can have: its metadata and one usable frame. */
function smallestFrames(): number {
  for (let frames = 1; ; frames++) {
    try {
      return memory(frames).size / PAGE_SIZE;
    } catch (e) {
      assert.ok(e instanceof RangeError, `too small must be a RangeError, got ${String(e)}`);
    }
  }
}

describe("PhysicalMemory", () => {
  test("a new memory has its size, is unshared by default, and all but the reserved frames are free", () => {
    for (const frames of [smallestFrames(), 31, 32, 33, 64, 100, 256, 1000]) {
      const mem = memory(frames);
      assert.equal(mem.size, frames * PAGE_SIZE);
      assert.equal(mem.shared, false);
      assert.ok(mem.reservedFrames() >= HEADER_BYTES / PAGE_SIZE, "the header at least");
      assert.ok(mem.reservedFrames() < frames);
      assert.equal(mem.freeFrames(), frames - mem.reservedFrames());
    }
  });

  test("64 MiB of RAM (the default size) reserves 77 frames for its metadata", () => {
    const mem = new PhysicalMemory({ size: 64 * 1024 * 1024 });
    assert.equal(mem.size / PAGE_SIZE, 16384);
    assert.equal(mem.reservedFrames(), 77);
    assert.equal(mem.freeFrames(), 16384 - 77);
    assert.equal(new PhysicalMemory().reservedFrames(), 77);
  });

  test("the reserved metadata grows with RAM: a 32 KiB header plus about 16 bytes per frame", () => {
    const sizes = [smallestFrames(), 64, 256, 1024, 8192];
    const reserved = sizes.map((frames) => memory(frames).reservedFrames());
    for (let i = 1; i < sizes.length; i++) assert.ok(reserved[i]! >= reserved[i - 1]!, "never shrinks as RAM grows");
    for (const [i, frames] of sizes.entries()) {
      // The frame table alone is 16 bytes per frame; bitmap and tree add under 2 more.
      assert.ok(reserved[i]! * PAGE_SIZE >= HEADER_BYTES + 16 * frames, `${frames} frames: at least header + frame table`);
      assert.ok(reserved[i]! * PAGE_SIZE <= HEADER_BYTES + 18 * frames + PAGE_SIZE, `${frames} frames: at most header + 18 bytes per frame, rounded up`);
    }
    const growth = ((reserved[4]! - reserved[1]!) * PAGE_SIZE) / (8192 - 64);
    assert.ok(growth >= 15.5 && growth <= 18.5, `${growth} bytes of metadata per added frame`);
  });

  test("the smallest memory holds its metadata and one frame", () => {
    let smallest = 0;
    for (let frames = 1; frames < 64 && smallest === 0; frames++) {
      try {
        const mem = memory(frames);
        smallest = frames;
        assert.equal(mem.freeFrames(), frames - mem.reservedFrames());
        assert.ok(mem.freeFrames() >= 1);
        const f = new FrameAllocOptions(mem).allocFrame();
        f.dispose();
      } catch (e) {
        assert.ok(e instanceof RangeError, `too small must be a RangeError, got ${String(e)}`);
      }
    }
    assert.ok(smallest > 1, "a memory of one frame cannot hold its own metadata");
  });

  test("a size that is too small for the metadata is a RangeError", () => {
    throwsContract(() => new PhysicalMemory({ size: PAGE_SIZE }), RangeError);
    throwsContract(() => new PhysicalMemory({ size: 2 * PAGE_SIZE }), RangeError);
  });

  test("a size that is not a positive multiple of PAGE_SIZE of at most 4 GiB is a RangeError", () => {
    for (const size of [0, -PAGE_SIZE, 1, PAGE_SIZE + 1, 64 * PAGE_SIZE - 1, 64.5 * PAGE_SIZE, NaN, Infinity, -Infinity, 2 ** 32 + PAGE_SIZE, 2 ** 40, 2 ** 53, Number.MAX_VALUE]) {
      throwsContract(() => new PhysicalMemory({ size }), RangeError);
    }
  });

  test("options of the wrong type are TypeErrors", () => {
    const bad: unknown[] = [
      { size: null },
      { shared: null },
      { size: 262144, shared: null },
      { size: null, shared: false },
      { size: 262144, trackLeaks: null },
      { size: "262144" },
      { size: 262144n },
      { size: {} },
      { size: 262144, shared: "yes" },
      { size: 262144, shared: 1 },
      { size: 262144, trackLeaks: 1 },
      { size: 262144, trackLeaks: "warn" },
      { size: 262144, trackLeaks: {} },
      5,
      "big",
      null,
      true,
    ];
    for (const opts of bad) throwsContract(() => new PhysicalMemory(opts as ConstructorParameters<typeof PhysicalMemory>[0]), TypeError);
  });

  test("paging: x86-64 by default, riscv-sv48 on request, anything else refused; an attached worker's view has the same", () => {
    assert.equal(new PhysicalMemory({ size: 64 * PAGE_SIZE }).paging, "x86-64");
    assert.equal(new PhysicalMemory({ size: 64 * PAGE_SIZE, paging: "x86-64" }).paging, "x86-64");
    assert.equal(new PhysicalMemory({ size: 64 * PAGE_SIZE, paging: "riscv-sv48" }).paging, "riscv-sv48");
    for (const paging of ["sv48", "X86-64", "riscv-sv39", ""]) {
      throwsContract(() => new PhysicalMemory({ size: 64 * PAGE_SIZE, paging } as unknown as ConstructorParameters<typeof PhysicalMemory>[0]), RangeError);
    }
    for (const paging of [null, 1, {}, true]) {
      throwsContract(() => new PhysicalMemory({ size: 64 * PAGE_SIZE, paging } as unknown as ConstructorParameters<typeof PhysicalMemory>[0]), TypeError);
    }
    const shared = new PhysicalMemory({ size: 64 * PAGE_SIZE, shared: true, paging: "riscv-sv48" });
    assert.equal(ramOf(shared).paging, 1, "recorded in the RAM header, which workers attach to");
  });

  test("usedFrames: every frame neither free nor reserved, kept up to date by allocations and frees", () => {
    const mem = new PhysicalMemory({ size: 256 * PAGE_SIZE });
    const total = 256 - mem.reservedFrames();
    assert.equal(mem.usedFrames(), 0);
    assert.equal(mem.freeFrames(), total);
    const seg = new FrameAllocOptions(mem).allocSegment(10);
    const f = new FrameAllocOptions(mem).allocFrame();
    assert.equal(mem.usedFrames(), 11);
    assert.equal(mem.freeFrames(), total - 11);
    seg.dispose();
    assert.equal(mem.usedFrames(), 1);
    f.dispose();
    assert.equal(mem.usedFrames(), 0);
  });

  test("undefined options fields fall back to their defaults", () => {
    const mem = new PhysicalMemory({ size: 64 * PAGE_SIZE, shared: undefined, trackLeaks: undefined });
    assert.equal(mem.shared, false);
    const quiet = new PhysicalMemory({ size: 64 * PAGE_SIZE, trackLeaks: false });
    assert.equal(quiet.freeFrames(), usableFrames(quiet));
  });

  test("shared: true gives SharedArrayBuffer-backed RAM that works like unshared RAM", () => {
    const mem = memory(64, { shared: true });
    assert.equal(mem.shared, true);
    assert.ok(ramOf(mem).bytes.buffer instanceof SharedArrayBuffer);
    assert.ok(!(ramOf(memory(64)).bytes.buffer instanceof SharedArrayBuffer));
    const opts = new FrameAllocOptions(mem);
    const frame = opts.allocFrame();
    frame.writeOnce(8, u64, 0xfedc_ba98_7654_3210n);
    assert.equal(frame.readOnce(8, u64), 0xfedc_ba98_7654_3210n);
    frame.writeOnce(4, u32, 0xffff_fffe);
    assert.equal(frame.readOnce(4, u32), 0xffff_fffe);
    assert.equal(frame.reader().skip(4).readOnce(u32), 0xffff_fffe);
    throwsContract(() => frame.readOnce(2, u32), RangeError);
    const seg = opts.allocSegment(2);
    seg.writeVal(PAGE_SIZE - 4, u64, 7n);
    assert.equal(seg.readVal(PAGE_SIZE - 4, u64), 7n);
    using vec = new FrameVec([frame]);
    assert.equal(vec.readOnce(8, u64), 0xfedc_ba98_7654_3210n);
    frame.dispose();
    seg.dispose();
  });

  test("freeFrames counts frames, not handles", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const usable = usableFrames(mem);
    const a = opts.allocFrame();
    const s = opts.allocSegment(5);
    const t = opts.allocFrameWith(0);
    assert.equal(mem.freeFrames(), usable - 7);
    const clones = [a.clone(), s.clone(), t.clone(), s.slice(0, PAGE_SIZE)];
    assert.equal(mem.freeFrames(), usable - 7);
    for (const h of [a, s, t, ...clones]) h.dispose();
    assert.equal(mem.freeFrames(), usable);
  });

  test("no allocation ever hands out a reserved metadata frame or a frame past the end", () => {
    for (const frames of [smallestFrames(), smallestFrames() + 1, 33, 64, 100]) {
      const mem = memory(frames);
      const opts = new FrameAllocOptions(mem);
      const low = mem.reservedFrames() * PAGE_SIZE;
      const held = [];
      for (;;) {
        let f;
        try {
          f = opts.allocFrame();
        } catch {
          break;
        }
        assert.ok(f.startPaddr() >= low && f.startPaddr() < mem.size, `paddr 0x${f.startPaddr().toString(16)}`);
        held.push(f);
      }
      assert.equal(held.length, usableFrames(mem));
      assert.equal(new Set(held.map((f) => f.startPaddr())).size, held.length, "all distinct");
      for (const f of held) f.dispose();
      const all = opts.allocSegment(usableFrames(mem));
      assert.equal(all.startPaddr(), low);
      assert.equal(all.endPaddr(), mem.size);
      all.dispose();
    }
  });

  test("writing every byte of every frame leaves the allocator's metadata intact", () => {
    const mem = memory(40);
    const opts = new FrameAllocOptions(mem);
    const usable = usableFrames(mem);
    const all = opts.allocSegment(usable);
    all.writeBytes(0, new Uint8Array(all.size()).fill(0xff));
    assert.equal(mem.freeFrames(), 0);
    all.dispose();
    assert.equal(mem.freeFrames(), usable);
    const again = opts.zeroed(false).allocSegment(usable);
    assert.equal(again.readVal(0, u32), 0xffff_ffff, "the bytes were really written to the frames");
    again.dispose();
  });

  test("plain JavaScript reaches no internal: a PhysicalMemory has no own properties and only its public methods (issue 8, defect 7)", () => {
    for (const mem of [memory(64), memory(64, { shared: true })]) {
      assert.deepEqual(Reflect.ownKeys(mem), []);
      exposesOnly(mem, ["constructor", "share", "reclaim", "size", "shared", "paging", "freeFrames", "usedFrames", "reservedFrames"]);
      const free = mem.freeFrames();
      // What used to mark every frame free, and the like, is simply not there.
      for (const name of ["initialize", "retire", "corrupt", "_allocFrames", "_unrefFrames"]) {
        assert.throws(() => (mem as unknown as Record<string, () => void>)[name]!(), TypeError);
      }
      assert.equal(mem.freeFrames(), free);
    }
    exposesOnly(PhysicalMemory, ["length", "name", "prototype", "attach", "default"]);
  });
});
