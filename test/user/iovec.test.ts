// Iovec32/Iovec64 and VmReaderArray/VmWriterArray.fromIovecs on both kinds
// of user memory: gather and scatter, empty buffers, count 0, 1024 and 1025,
// a bad array pointer, a bad buffer in the middle (refused before anything is
// read), holes met part-way, negative 64-bit lengths, MAX_RW_COUNT, skip,
// and the argument errors; a guest gather into any writer against a byte
// model (a seeded property), and into a writer whose memory is gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  FrameAllocOptions,
  GuestMemory,
  IOV_MAX,
  Iovec32,
  Iovec64,
  MAX_RW_COUNT,
  MAX_USERSPACE_VADDR,
  PAGE_SIZE,
  VmError,
  VmReader,
  VmReaderArray,
  VmSpace,
  VmWriter,
  PhysicalMemory,
  VmWriterArray,
  sizeOf,
  u8,
  u32,
  type Fallibility,
  type UserMemory,
} from "../../src/index.js";
import { throwsContract, throwsDisposed, throwsVmError } from "../vm/support.js";
import { resizableBuffer, wasmMemory, type ResizableArrayBuffer } from "../guest/support.js";
import { ascii, guestKind, kinds, spaceKind, type Kind } from "./support.js";

type Layout = typeof Iovec32 | typeof Iovec64;
const layouts: ReadonlyArray<[string, Layout]> = [
  ["Iovec32", Iovec32],
  ["Iovec64", Iovec64],
];

/** Writes iovec records `[base, len]` at `at` in the layout. */
function putIovecs(k: Kind, at: number, layout: Layout, iovs: ReadonlyArray<readonly [number, number]>): void {
  const size = sizeOf(layout);
  const bytes = new Uint8Array(iovs.length * size);
  const view = new DataView(bytes.buffer);
  iovs.forEach(([base, len], i) => {
    if (size === 8) {
      view.setUint32(i * 8, base, true);
      view.setUint32(i * 8 + 4, len, true);
    } else {
      view.setBigUint64(i * 16, BigInt(base), true);
      view.setBigUint64(i * 16 + 8, BigInt(len), true);
    }
  });
  k.put(at, bytes);
}

test("Iovec32 is wasm32's { u32, u32 } (8 bytes), Iovec64 LP64 Linux's { u64, u64 } (16 bytes)", () => {
  assert.equal(sizeOf(Iovec32), 8);
  assert.equal(sizeOf(Iovec64), 16);
  const g = new GuestMemory(new ArrayBuffer(32));
  g.writeVal(0, Iovec32, { base: 0x1234, len: 7 });
  assert.deepEqual(g.readVal(0, Iovec32), { base: 0x1234, len: 7 });
  assert.deepEqual([g.readVal(0, u32), g.readVal(4, u32)], [0x1234, 7]);
  g.writeVal(8, Iovec64, { base: 2n ** 40n, len: 3n });
  assert.deepEqual(g.readVal(8, Iovec64), { base: 2n ** 40n, len: 3n });
  assert.equal(IOV_MAX, 1024);
  assert.equal(MAX_RW_COUNT, 2 ** 31 - 4096);
});

for (const make of kinds) {
  const name = make().name;
  for (const [layoutName, layout] of layouts) {
    const size = sizeOf(layout);
    const where = `${name}, ${layoutName}`;

    test(`${where}: gather through VmReaderArray, empty buffers left out`, () => {
      const k = make();
      k.put(k.base + 1000, ascii("Hello, "));
      k.put(k.base + 2000, ascii("guest"));
      k.put(k.base + 3000, ascii("!"));
      putIovecs(k, k.base + 100, layout, [
        [k.base + 1000, 7],
        [k.base + 5000, 0],
        [k.base + 2000, 5],
        [0, 0],
        [k.base + 3000, 1],
      ]);
      const a = VmReaderArray.fromIovecs(k.mem, k.base + 100, 5, layout);
      assert.equal(a.readers().length, 3);
      assert.equal(a.sumLens(), 13);
      const out = new Uint8Array(20);
      const w = VmWriter.from(out);
      assert.equal(a.readFallible(w), 13);
      assert.equal(new TextDecoder().decode(out.subarray(0, 13)), "Hello, guest!");
      assert.equal(a.sumLens(), 0);
      assert.equal(a.readFallible(w), 0);
    });

    test(`${where}: a writer with less room stops the gather there; readers advance exactly`, () => {
      const k = make();
      k.put(k.base + 1000, ascii("abcdef"));
      k.put(k.base + 2000, ascii("ghij"));
      putIovecs(k, k.base + 100, layout, [
        [k.base + 1000, 6],
        [k.base + 2000, 4],
      ]);
      const a = VmReaderArray.fromIovecs(k.mem, k.base + 100, 2, layout);
      const out = new Uint8Array(8);
      assert.equal(a.readFallible(VmWriter.from(out)), 8);
      assert.equal(new TextDecoder().decode(out), "abcdefgh");
      assert.equal(a.sumLens(), 2);
      assert.equal(a.readers()[1]?.cursor(), k.base + 2002);
    });

    test(`${where}: scatter through VmWriterArray`, () => {
      const k = make();
      putIovecs(k, k.base + 100, layout, [
        [k.base + 1000, 3],
        [k.base + 1500, 0],
        [k.base + 2000, 4],
      ]);
      const a = VmWriterArray.fromIovecs(k.mem, k.base + 100, 3, layout);
      assert.equal(a.writers().length, 2);
      assert.equal(a.sumLens(), 7);
      const r = VmReader.from(ascii("1234567890"));
      assert.equal(a.writeFallible(r), 7);
      assert.equal(r.remain(), 3);
      assert.deepEqual(k.get(k.base + 1000, 4), ascii("123\0"));
      assert.deepEqual(k.get(k.base + 2000, 5), ascii("4567\0"));
      assert.equal(a.writeFallible(r), 0);
    });

    test(`${where}: count 0 reads nothing (not even a bad array pointer); count above IOV_MAX or negative is InvalidArgs`, () => {
      const k = make();
      assert.equal(VmReaderArray.fromIovecs(k.mem, k.outside, 0, layout).sumLens(), 0);
      assert.equal(VmWriterArray.fromIovecs(k.mem, k.outside, 0, layout).writers().length, 0);
      for (const count of [1025, 2 ** 31, -1, -(2 ** 31)]) {
        throwsVmError(() => VmReaderArray.fromIovecs(k.mem, k.base, count, layout), "InvalidArgs", 0);
        throwsVmError(() => VmWriterArray.fromIovecs(k.mem, k.base, count, layout), "InvalidArgs", 0);
      }
    });

    test(`${where}: count 1024 is accepted`, () => {
      const k = make();
      const at = k.fault - IOV_MAX * size;
      const iovs = Array.from({ length: IOV_MAX }, (_, i) => [k.base + (i % 10), i % 3] as const);
      putIovecs(k, at, layout, iovs);
      const a = VmReaderArray.fromIovecs(k.mem, at, IOV_MAX, layout);
      assert.equal(a.sumLens(), iovs.reduce((s, [, len]) => s + len, 0));
      assert.equal(a.readers().length, iovs.filter(([, len]) => len > 0).length);
    });

    test(`${where}: an array that is not wholly in memory is a PageFault`, () => {
      const k = make();
      putIovecs(k, k.fault - size, layout, [[k.base, 1]]);
      assert.equal(VmReaderArray.fromIovecs(k.mem, k.fault - size, 1, layout).sumLens(), 1);
      throwsVmError(() => VmReaderArray.fromIovecs(k.mem, k.fault - size, 2, layout), "PageFault");
      throwsVmError(() => VmWriterArray.fromIovecs(k.mem, k.fault, 1, layout), "PageFault");
    });

    // (A 32-bit iovec cannot point outside a 47-bit address space: that pair has no such case.)
    if (size === 16 || make().outside < 2 ** 32) {
      test(`${where}: a buffer outside memory, even in the middle, is refused before anything is read or written`, () => {
        const k = make();
        k.put(k.base + 1000, ascii("first"));
        putIovecs(k, k.base + 100, layout, [
          [k.base + 1000, 5],
          [k.outside - 2, 4],
          [k.base + 2000, 5],
        ]);
        throwsVmError(() => VmReaderArray.fromIovecs(k.mem, k.base + 100, 3, layout), "PageFault", 0);
        throwsVmError(() => VmWriterArray.fromIovecs(k.mem, k.base + 100, 3, layout), "PageFault", 0);
        assert.deepEqual(k.get(k.base + 1000, 5), ascii("first"));
        // An empty buffer is checked too: its pointer must be inside memory (or at its end).
        putIovecs(k, k.base + 100, layout, [[k.outside + 1, 0]]);
        throwsVmError(() => VmReaderArray.fromIovecs(k.mem, k.base + 100, 1, layout), "PageFault", 0);
        putIovecs(k, k.base + 100, layout, [[k.outside, 0]]);
        assert.equal(VmReaderArray.fromIovecs(k.mem, k.base + 100, 1, layout).readers().length, 0);
      });
    }

    test(`${where}: a fault part-way through the gather and the scatter gives the exact count over the whole vector`, () => {
      const k = make();
      // The second buffer runs from 10 bytes before the fault boundary into it.
      const iovs = [
        [k.base + 1000, 6],
        [k.fault - 10, 40],
        [k.base + 2000, 5],
      ] as const;
      putIovecs(k, k.base + 100, layout, iovs);
      if (k.beyondHole === undefined) {
        // Guest memory: that buffer is outside memory, refused up front.
        throwsVmError(() => VmReaderArray.fromIovecs(k.mem, k.base + 100, 3, layout), "PageFault", 0);
        return;
      }
      const a = VmReaderArray.fromIovecs(k.mem, k.base + 100, 3, layout);
      const out = new Uint8Array(100);
      const w = VmWriter.from(out);
      throwsVmError(() => a.readFallible(w), "PageFault", 16);
      assert.equal(w.avail(), 100 - 16);
      assert.equal(a.sumLens(), 30 + 5);
      const b = VmWriterArray.fromIovecs(k.mem, k.base + 100, 3, layout);
      const r = VmReader.from(new Uint8Array(100).fill(9));
      throwsVmError(() => b.writeFallible(r), "PageFault", 16);
      assert.equal(r.remain(), 100 - 16);
      assert.deepEqual(k.get(k.fault - 10, 10), new Uint8Array(10).fill(9));
    });

    test(`${where}: skip(n) crosses buffers; n past the end is a RangeError`, () => {
      const k = make();
      k.put(k.base + 1000, ascii("abc"));
      k.put(k.base + 2000, ascii("defgh"));
      putIovecs(k, k.base + 100, layout, [
        [k.base + 1000, 3],
        [k.base + 2000, 5],
      ]);
      const a = VmReaderArray.fromIovecs(k.mem, k.base + 100, 2, layout);
      assert.equal(a.skip(4), a);
      const out = new Uint8Array(4);
      assert.equal(a.readFallible(VmWriter.from(out)), 4);
      assert.equal(new TextDecoder().decode(out), "efgh");
      throwsContract(() => a.skip(1), RangeError);
      a.skip(0);
      const b = VmWriterArray.fromIovecs(k.mem, k.base + 100, 2, layout);
      b.skip(3);
      assert.equal(b.sumLens(), 5);
      throwsContract(() => b.skip(6), RangeError);
      throwsContract(() => b.skip(-1), RangeError);
      assert.equal(b.writeFallible(VmReader.from(ascii("XY"))), 2);
      assert.deepEqual(k.get(k.base + 2000, 5), ascii("XYfgh"));
    });
  }

  test(`${name}: argument errors are TypeError/RangeError; readFallible/writeFallible refuse non-cursors`, () => {
    const k = make();
    throwsContract(() => VmReaderArray.fromIovecs(null as unknown as UserMemory, 0, 1, Iovec32), TypeError);
    throwsContract(() => VmReaderArray.fromIovecs({} as UserMemory, 0, 1, Iovec32), TypeError);
    throwsContract(() => VmReaderArray.fromIovecs(k.mem, k.base, 1, u32 as never), TypeError);
    throwsContract(() => VmReaderArray.fromIovecs(k.mem, k.base, 1.5, Iovec32), RangeError);
    throwsContract(() => VmReaderArray.fromIovecs(k.mem, k.base, NaN, Iovec32), RangeError);
    throwsContract(() => VmWriterArray.fromIovecs(k.mem, k.base, "1" as unknown as number, Iovec32), TypeError);
    throwsContract(() => VmReaderArray.fromIovecs(k.mem, "0" as unknown as number, 1, Iovec32), TypeError);
    const a = VmReaderArray.fromIovecs(k.mem, k.base, 0, Iovec32);
    throwsContract(() => a.readFallible(VmReader.from(new Uint8Array(1)) as unknown as VmWriter), TypeError);
    const b = VmWriterArray.fromIovecs(k.mem, k.base, 0, Iovec32);
    throwsContract(() => b.writeFallible(VmWriter.from(new Uint8Array(1)) as unknown as VmReader), TypeError);
  });
}

test("Iovec64: a length that is negative as an ssize_t is InvalidArgs (EINVAL), before any buffer check", () => {
  for (const k of [spaceKind(), guestOf(256)]) {
    const bytes = new Uint8Array(32);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(k.base), true);
    view.setBigUint64(8, 2n ** 63n, true);
    k.put(k.base + 64, bytes);
    throwsVmError(() => VmReaderArray.fromIovecs(k.mem, k.base + 64, 1, Iovec64), "InvalidArgs", 0);
    view.setBigUint64(8, 2n ** 63n - 1n, true); // positive, but far outside memory
    k.put(k.base + 64, bytes);
    throwsVmError(() => VmReaderArray.fromIovecs(k.mem, k.base + 64, 1, Iovec64), "PageFault", 0);
    view.setBigUint64(0, 2n ** 64n - 8n, true); // a base above 2^53
    view.setBigUint64(8, 4n, true);
    k.put(k.base + 64, bytes);
    throwsVmError(() => VmReaderArray.fromIovecs(k.mem, k.base + 64, 1, Iovec64), "PageFault", 0);
  }
});

function guestOf(size: number): Kind {
  const g = new GuestMemory(new ArrayBuffer(size));
  return {
    name: "GuestMemory",
    mem: g,
    base: 0,
    fault: size,
    beyondHole: undefined,
    outside: size,
    put: (addr, bytes) => g.writeBytes(addr, bytes),
    get: (addr, len) => {
      const out = new Uint8Array(len);
      g.readBytes(addr, out);
      return out;
    },
  };
}

test("the total is capped at MAX_RW_COUNT: later buffers are shortened, then left out (VmSpace, Iovec64)", () => {
  const GiB = 2 ** 30;
  const k = spaceKind();
  const at = k.base;
  putIovecs(k, at, Iovec64, [
    [0x1000_0000, GiB],
    [0x9000_0000, GiB],
    [0x1_1000_0000, GiB],
    [0x1_9000_0000, 5],
  ]);
  const a = VmReaderArray.fromIovecs(k.mem, at, 4, Iovec64);
  assert.equal(a.sumLens(), MAX_RW_COUNT);
  assert.deepEqual(
    a.readers().map((r) => r.remain()),
    [GiB, GiB - PAGE_SIZE],
  );
  // The bounds check is on the whole, uncapped length (Linux checks access_ok before capping).
  putIovecs(k, at, Iovec64, [
    [0x1000_0000, GiB],
    [0x9000_0000, GiB],
    [MAX_USERSPACE_VADDR - 10, 11],
  ]);
  throwsVmError(() => VmReaderArray.fromIovecs(k.mem, at, 3, Iovec64), "PageFault", 0);
});

test("the total is capped at MAX_RW_COUNT on guest memory too (a 4 GiB memory, Iovec32)", () => {
  const big = new GuestMemory(new ArrayBuffer(2 ** 32));
  const iovs = [
    [0, 2 ** 31],
    [2 ** 31, 2 ** 31 - 1],
    [100, 1],
  ];
  iovs.forEach(([base, len], i) => {
    big.writeVal(i * 8, u32, base as number);
    big.writeVal(i * 8 + 4, u32, len as number);
  });
  const a = VmWriterArray.fromIovecs(big, 0, 3, Iovec32);
  assert.equal(a.sumLens(), MAX_RW_COUNT);
  assert.equal(a.writers().length, 1);
  // A length that would run past 4 GiB is refused.
  big.writeVal(12, u32, 2 ** 31 + 1);
  throwsVmError(() => VmWriterArray.fromIovecs(big, 0, 3, Iovec32), "PageFault", 0);
});

test("GuestMemory: the array pointer is a wasm32 pointer (a negative int32 is unsigned: past the end)", () => {
  const g = new GuestMemory(new ArrayBuffer(4096));
  throwsVmError(() => VmReaderArray.fromIovecs(g, -8, 1, Iovec32), "PageFault", 0);
  throwsContract(() => VmReaderArray.fromIovecs(g, 2 ** 32, 1, Iovec32), RangeError);
});

test("VmSpace: the array is read through the space — not active is AccessDenied, a hole is PageFault", () => {
  const k = spaceKind();
  const other = new VmSpace();
  other.activate();
  throwsVmError(() => VmReaderArray.fromIovecs(k.mem, k.base, 1, Iovec64), "AccessDenied");
  (k.mem as VmSpace).activate();
  throwsVmError(() => VmReaderArray.fromIovecs(k.mem, k.fault, 1, Iovec64), "PageFault");
  other.dispose();
});

test("a fault handler's exception in the middle of a gather passes through as it is", () => {
  const k = spaceKind();
  const boom = new Error("handler failed");
  (k.mem as VmSpace).setPageFaultHandler(() => {
    throw boom;
  });
  putIovecs(k, k.base, Iovec64, [
    [k.base + 100, 10],
    [k.fault - 4, 8],
  ]);
  const a = VmReaderArray.fromIovecs(k.mem, k.base, 2, Iovec64);
  const w = VmWriter.from(new Uint8Array(18));
  assert.throws(() => a.readFallible(w), (e) => e === boom);
  assert.equal(w.avail(), 18 - 14, "the cursors accounted for the bytes moved");
});

test("a VmError from the first buffer keeps its own copied; later ones count the whole vector", () => {
  const k = spaceKind();
  putIovecs(k, k.base, Iovec64, [[k.fault - 3, 8]]);
  const e = throwsVmError(() => VmReaderArray.fromIovecs(k.mem, k.base, 1, Iovec64).readFallible(VmWriter.from(new Uint8Array(8))), "PageFault", 3);
  assert.ok(e instanceof VmError);
});

test("readers()/writers() made first: the array then moves its bytes through them, with the same counts and faults", () => {
  const k = spaceKind();
  k.put(k.base + 1000, ascii("abcdef"));
  putIovecs(k, k.base, Iovec64, [
    [k.base + 1000, 6],
    [k.fault - 4, 10],
    [k.base + 2000, 3],
  ]);
  const a = VmReaderArray.fromIovecs(k.mem, k.base, 3, Iovec64);
  const readers = a.readers();
  assert.equal(a.readers(), readers, "made once");
  assert.deepEqual(
    readers.map((r) => [r.cursor(), r.remain()]),
    [
      [k.base + 1000, 6],
      [k.fault - 4, 10],
      [k.base + 2000, 3],
    ],
  );
  a.skip(2);
  assert.equal(readers[0]?.cursor(), k.base + 1002);
  const w = VmWriter.from(new Uint8Array(20));
  throwsVmError(() => a.readFallible(w), "PageFault", 8);
  assert.equal(a.sumLens(), 6 + 3);
  assert.equal(readers[1]?.cursor(), k.fault);
  throwsContract(() => a.skip(10), RangeError);
  a.skip(9);
  assert.equal(a.sumLens(), 0);

  const b = VmWriterArray.fromIovecs(k.mem, k.base, 3, Iovec64);
  const writers = b.writers();
  assert.equal(writers.length, 3);
  const r = VmReader.from(new Uint8Array(20).fill(5));
  throwsVmError(() => b.writeFallible(r), "PageFault", 10);
  assert.equal(r.remain(), 10);
  assert.deepEqual(k.get(k.base + 1000, 6), new Uint8Array(6).fill(5));
});

test("user memory of another kind (any object with reader() and writer()) hands out its own cursors", () => {
  const k = spaceKind();
  const calls: string[] = [];
  const mem: UserMemory = {
    reader: (addr, len) => {
      calls.push(`reader ${addr - k.base} ${len}`);
      return k.mem.reader(addr, len);
    },
    writer: (addr, len) => {
      calls.push(`writer ${addr - k.base} ${len}`);
      return k.mem.writer(addr, len);
    },
  };
  k.put(k.base + 1000, ascii("xyz"));
  putIovecs(k, k.base, Iovec32, [
    [k.base + 1000, 3],
    [k.base + 1500, 0],
    [k.base + 2000, 2],
  ]);
  const a = VmReaderArray.fromIovecs(mem, k.base, 3, Iovec32);
  assert.deepEqual(calls, ["reader 0 24", "reader 1000 3", "reader 2000 2"]);
  const out = new Uint8Array(5);
  assert.equal(a.readFallible(VmWriter.from(out)), 5);
  assert.deepEqual(out.subarray(0, 3), ascii("xyz"));
  calls.length = 0;
  const b = VmWriterArray.fromIovecs(mem, k.base, 3, Iovec32);
  assert.deepEqual(calls, ["reader 0 24", "writer 1000 3", "writer 2000 2"]);
  assert.equal(b.writeFallible(VmReader.from(ascii("12345"))), 5);
  assert.deepEqual(k.get(k.base + 2000, 2), ascii("45"));
  // Its faults count over the whole vector too.
  putIovecs(k, k.base, Iovec32, [
    [k.base + 1000, 3],
    [k.fault - 1, 4],
  ]);
  throwsVmError(() => VmReaderArray.fromIovecs(mem, k.base, 2, Iovec32).readFallible(VmWriter.from(new Uint8Array(7))), "PageFault", 4);
});

/** A gather of `_readAllInto` into `into` at `at` checked against `readFallible` of the same vector. */
function readAllLikeReadFallible(k: Kind, layout: Layout, at: number, skip: number): void {
  k.put(k.base + 3000, ascii("0123456789abcdefghij"));
  putIovecs(k, k.base, layout, [
    [k.base + 3000, 7],
    [k.base + 3010, 0],
    [k.base + 3007, 13],
    [k.base + 3002, 4],
  ]);
  const expected = new Uint8Array(24 - skip);
  VmReaderArray.fromIovecs(k.mem, k.base, 4, layout).skip(skip).readFallible(VmWriter.from(expected));
  const a = VmReaderArray.fromIovecs(k.mem, k.base, 4, layout).skip(skip);
  const into = new Uint8Array(at + 24 - skip + 3).fill(0xee);
  a._readAllInto(into, at);
  assert.deepEqual(into.subarray(at, at + 24 - skip), expected);
  assert.ok(into.subarray(0, at).every((b) => b === 0xee) && into.subarray(at + 24 - skip).every((b) => b === 0xee), "nothing outside the range is written");
  assert.equal(a.sumLens(), 0, "the vector was read to its end");
}

for (const make of kinds) {
  for (const [lname, layout] of layouts) {
    test(`${make().name}, ${lname}: _readAllInto copies what readFallible copies, at any offset, after a skip too`, () => {
      for (const at of [0, 1, 5]) for (const skip of [0, 3, 7, 10, 24]) readAllLikeReadFallible(make(), layout, at, skip);
    });
  }
}

test("_readAllInto: an array without room for every byte left is a contract violation, and nothing is read", () => {
  const k = guestKind();
  putIovecs(k, 0, Iovec32, [[100, 10]]);
  const a = VmReaderArray.fromIovecs(k.mem, 0, 1, Iovec32);
  throwsContract(() => a._readAllInto(new Uint8Array(9), 0), RangeError);
  throwsContract(() => a._readAllInto(new Uint8Array(12), 3), RangeError);
  throwsContract(() => a._readAllInto(new Uint8Array(12), -1), RangeError);
  assert.equal(a.sumLens(), 10);
});

test("_readAllInto after memory.grow() (the checked buffer detached) copies from the new buffer", () => {
  const memory = wasmMemory(1, 4);
  const g = new GuestMemory(memory);
  g.writeBytes(500, ascii("hello, world"));
  putIovecs({ put: (addr: number, bytes: Uint8Array) => g.writeBytes(addr, bytes) } as Kind, 0, Iovec32, [
    [500, 5],
    [507, 5],
  ]);
  const a = VmReaderArray.fromIovecs(g, 0, 2, Iovec32);
  memory.grow(1);
  const into = new Uint8Array(10);
  a._readAllInto(into, 0);
  assert.deepEqual(into, ascii("helloworld"));
  assert.equal(a.sumLens(), 0);
});

test("_readAllInto after a resizable buffer shrank: PageFault at the new end, the bytes before it copied", () => {
  const buffer = new (ArrayBuffer as unknown as new (n: number, o: object) => ResizableArrayBuffer)(8192, { maxByteLength: 8192 });
  const g = new GuestMemory(buffer);
  g.writeBytes(4000, ascii("abcdefghij"));
  g.writeBytes(6000, ascii("ABCDEFGHIJ"));
  g.writeVal(0, u32, 4000);
  g.writeVal(4, u32, 10);
  g.writeVal(8, u32, 6000);
  g.writeVal(12, u32, 10);
  const a = VmReaderArray.fromIovecs(g, 0, 2, Iovec32);
  buffer.resize(6004);
  const into = new Uint8Array(20).fill(0xee);
  throwsVmError(() => a._readAllInto(into, 0), "PageFault", 14);
  assert.deepEqual(into.subarray(0, 14), ascii("abcdefghijABCD"));
  assert.ok(into.subarray(14).every((b) => b === 0xee), "nothing past the fault is written");
});

/** A scatter of `_writeFrom` of `n` bytes checked against `writeFallible` of the same vector. */
function writeFromLikeWriteFallible(make: () => Kind, layout: Layout, n: number, skip: number): void {
  const iovs: [number, number][] = [
    [3000, 7],
    [3010, 0],
    [3020, 13],
    [3040, 4],
  ];
  const source = ascii("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
  const run = (scatter: (a: VmWriterArray) => void): { bytes: Uint8Array; left: number } => {
    const k = make();
    k.put(k.base + 2990, new Uint8Array(60).fill(0xee));
    putIovecs(k, k.base, layout, iovs.map(([p, len]) => [k.base + p, len]));
    const a = VmWriterArray.fromIovecs(k.mem, k.base, 4, layout).skip(skip);
    scatter(a);
    return { bytes: k.get(k.base + 2990, 60), left: a.sumLens() };
  };
  const expected = run((a) => a.writeFallible(VmReader.from(source).limit(n)));
  const got = run((a) => a._writeFrom(source, n));
  assert.deepEqual(got, expected, `n ${n}, skip ${skip}`);
}

for (const make of kinds) {
  for (const [lname, layout] of layouts) {
    test(`${make().name}, ${lname}: _writeFrom writes what writeFallible writes, any count, after a skip too, and advances as it does`, () => {
      for (const skip of [0, 3, 7, 10, 24]) for (const n of [0, 1, 6, 7, 8, 19, 24 - skip]) if (n <= 24 - skip) writeFromLikeWriteFallible(make, layout, n, skip);
    });
  }
}

test("_writeFrom: more bytes than the buffers' room or the source is a contract violation, and nothing is written", () => {
  const k = guestKind();
  putIovecs(k, 0, Iovec32, [[100, 10]]);
  const a = VmWriterArray.fromIovecs(k.mem, 0, 1, Iovec32);
  throwsContract(() => a._writeFrom(new Uint8Array(11), 11), RangeError);
  throwsContract(() => a._writeFrom(new Uint8Array(5), 6), RangeError);
  throwsContract(() => a._writeFrom(new Uint8Array(5), -1), RangeError);
  assert.equal(a.sumLens(), 10);
  assert.ok(k.get(100, 10).every((b) => b === 0));
});

test("_writeFrom after memory.grow() (the checked buffer detached) writes into the new buffer", () => {
  const memory = wasmMemory(1, 4);
  const g = new GuestMemory(memory);
  g.writeVal(0, u32, 500);
  g.writeVal(4, u32, 5);
  g.writeVal(8, u32, 507);
  g.writeVal(12, u32, 5);
  const a = VmWriterArray.fromIovecs(g, 0, 2, Iovec32);
  memory.grow(1);
  a._writeFrom(ascii("helloworld"), 10);
  const got = new Uint8Array(12);
  g.readBytes(500, got);
  assert.deepEqual(got, ascii("hello\0\0world"));
  assert.equal(a.sumLens(), 0);
});

test("_writeFrom after a resizable buffer shrank: PageFault at the new end, the bytes before it written, nothing past it", () => {
  const buffer = new (ArrayBuffer as unknown as new (n: number, o: object) => ResizableArrayBuffer)(8192, { maxByteLength: 8192 });
  const g = new GuestMemory(buffer);
  g.writeVal(0, u32, 4000);
  g.writeVal(4, u32, 10);
  g.writeVal(8, u32, 6000);
  g.writeVal(12, u32, 10);
  const a = VmWriterArray.fromIovecs(g, 0, 2, Iovec32);
  buffer.resize(6004);
  throwsVmError(() => a._writeFrom(ascii("abcdefghijABCDEFGHIJ"), 20), "PageFault", 14);
  const u8 = new Uint8Array(buffer);
  assert.deepEqual(u8.subarray(4000, 4010), ascii("abcdefghij"));
  assert.deepEqual(u8.subarray(6000, 6004), ascii("ABCD"));
});

// A gather out of guest memory into a writer (`readFallible`) against a byte
// model: the buffers' bytes in order, each buffer copied as one snapshot
// (what `set` does, and what the engine does through a scratch or a
// `set`), cut at the writer's room, and stopped exactly at the first byte
// past memory's end when memory shrank after the import. The writers are
// every kind a host hands in: fresh over its own bytes, moved and limited,
// over a segment (leased), over guest memory itself (the copy may overlap
// its own source); memory may have grown (a non-shared buffer detached),
// shrunk (a resizable buffer) or neither since the import.
type GatherMemory = "wasm" | "shared" | "resizable";
type GatherWriter = "fresh" | "moved" | "segment" | "guest";
type GatherEvent = "none" | "grow" | "shrink";

function gatherCase(
  kind: GatherMemory,
  writerKind: GatherWriter,
  event: GatherEvent,
  iovs: ReadonlyArray<readonly [number, number]>,
  room: number,
  shrinkTo: number,
): void {
  const SIZE = 65536;
  const resizable = kind === "resizable" ? resizableBuffer(SIZE, 2 * SIZE) : undefined;
  const memory = kind === "resizable" ? undefined : wasmMemory(1, 4, kind === "shared");
  const g = new GuestMemory(resizable ?? memory!);
  const initial = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) initial[i] = (i * 131 + 7) & 0xff;
  g.writeBytes(0, initial);
  putIovecs({ put: (addr: number, bytes: Uint8Array) => g.writeBytes(addr, bytes) } as Kind, 0, Iovec32, iovs);
  for (let i = 0; i < iovs.length * 8; i++) initial[i] = g.readVal(i, u8);
  const a = VmReaderArray.fromIovecs(g, 0, iovs.length, Iovec32);
  const before = a.sumLens();
  // The model: a flat copy of memory after the event, the writer's bytes.
  let size = SIZE;
  if (event === "grow") {
    if (memory !== undefined) memory.grow(1);
    else resizable!.resize(2 * SIZE);
    size = 2 * SIZE;
  } else if (event === "shrink" && resizable !== undefined) {
    resizable.resize(shrinkTo);
    size = shrinkTo;
  }
  const model = new Uint8Array(size);
  model.set(initial.subarray(0, Math.min(size, SIZE)));
  const guestBytes = (): Uint8Array => new Uint8Array(g.size() === 0 ? new ArrayBuffer(0) : (resizable ?? memory!.buffer));
  let w: VmWriter<Fallibility>;
  let target: Uint8Array; // the model of the writer's memory
  let start: number; // the writer's first byte in `target`
  let read: () => Uint8Array; // the writer's memory as it is
  const segment = new FrameAllocOptions(new PhysicalMemory({ size: 1 << 20 })).allocSegment(1);
  if (writerKind === "guest") {
    // Into guest memory itself, made after the change (a writer over a
    // detached buffer is a host's bug), at an offset that may overlap the buffers.
    start = Math.min(20000, size);
    room = Math.min(room, size - start);
    w = VmWriter.from(guestBytes()).skip(start).limit(room);
    target = model;
    read = () => guestBytes().slice(0, size);
  } else if (writerKind === "segment") {
    start = 100;
    w = segment.writer().skip(start).limit(room);
    target = new Uint8Array(4096);
    read = () => {
      const out = new Uint8Array(4096);
      segment.readBytes(0, out);
      return out;
    };
  } else {
    start = writerKind === "moved" ? 3 : 0;
    const out = new Uint8Array(start + room + 5).fill(0xee);
    w = writerKind === "moved" ? VmWriter.from(out).skip(start).limit(room) : VmWriter.from(out.subarray(0, room));
    target = out.slice();
    read = () => out;
  }
  // The expected copy: buffer after buffer, each one snapshot, to the room or the first byte past the end.
  let copied = 0;
  let fault = false;
  for (const [base, len] of iovs) {
    const n = Math.min(len, room - copied);
    const inside = Math.max(0, Math.min(n, size - base));
    target.set(model.slice(base, base + inside), start + copied);
    copied += inside;
    if (inside < n) {
      fault = true;
      break;
    }
  }
  const availBefore = w.avail();
  if (fault) throwsVmError(() => a.readFallible(w), "PageFault", copied);
  else assert.equal(a.readFallible(w), copied);
  assert.equal(w.avail(), availBefore - copied, "the writer advanced by the bytes copied");
  assert.equal(a.sumLens(), before - copied, "the buffers advanced by the bytes copied");
  assert.deepEqual(read(), target);
  segment.dispose();
}

test("GuestMemory gather into any writer, after any change of memory, matches a byte model (a seeded property)", () => {
  const iov = fc.tuple(fc.integer({ min: 0, max: 65536 }), fc.integer({ min: 0, max: 300 })).map(([base, len]): [number, number] => [base, Math.min(len, 65536 - base)]);
  fc.assert(
    fc.property(
      fc.constantFrom<GatherMemory>("wasm", "shared", "resizable"),
      fc.constantFrom<GatherWriter>("fresh", "moved", "segment", "guest"),
      fc.constantFrom<GatherEvent>("none", "grow", "shrink"),
      fc.array(fc.oneof(iov, fc.tuple(fc.integer({ min: 19800, max: 20300 }), fc.integer({ min: 0, max: 300 })).map(([b, l]): [number, number] => [b, l])), { maxLength: 6 }),
      fc.integer({ min: 0, max: 2000 }),
      fc.integer({ min: 0, max: 65536 }),
      (kind, writerKind, event, iovs, room, shrinkTo) => gatherCase(kind, writerKind, event, iovs, room, shrinkTo),
    ),
    { seed: 1013, numRuns: 400 },
  );
});

test("a gather into a writer advances it by vmio's own skip, not one a user put on the writer or its prototype", () => {
  const g = new GuestMemory(new ArrayBuffer(4096));
  g.writeBytes(100, ascii("abcdef"));
  g.writeVal(0, u32, 100);
  g.writeVal(4, u32, 6);
  const out = new Uint8Array(6);
  const w = VmWriter.from(out);
  const calls: number[] = [];
  Object.defineProperty(w, "skip", { value: (n: number) => calls.push(n) });
  const proto = VmWriter.prototype as unknown as { skip: unknown };
  const skip = proto.skip;
  proto.skip = (n: number) => calls.push(n);
  try {
    assert.equal(VmReaderArray.fromIovecs(g, 0, 1, Iovec32).readFallible(w), 6);
  } finally {
    proto.skip = skip;
  }
  assert.deepEqual(calls, []);
  assert.equal(w.avail(), 0);
  assert.deepEqual(out, ascii("abcdef"));
});

test("a gather into a writer whose memory is gone moves no byte: a disposed segment is ERR_USE_AFTER_DISPOSE, a detached array ERR_DETACHED_BUFFER", () => {
  const g = new GuestMemory(new ArrayBuffer(4096));
  g.writeBytes(100, ascii("abcdef"));
  g.writeVal(0, u32, 100);
  g.writeVal(4, u32, 6);
  const segment = new FrameAllocOptions(new PhysicalMemory({ size: 1 << 20 })).allocSegment(1);
  const w = segment.writer();
  segment.dispose();
  const a = VmReaderArray.fromIovecs(g, 0, 1, Iovec32);
  throwsDisposed(() => a.readFallible(w));
  assert.equal(a.sumLens(), 6);
  const out = new Uint8Array(6);
  const v = VmWriter.from(out);
  structuredClone(out.buffer, { transfer: [out.buffer] });
  assert.throws(() => a.readFallible(v), (e: unknown) => e instanceof TypeError && (e as { code?: unknown }).code === "ERR_DETACHED_BUFFER");
  assert.equal(a.sumLens(), 6);
});
