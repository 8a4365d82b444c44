// GuestMemory: wasm32 pointers (signed and unsigned), the end of memory as a
// fault, all-or-nothing VmIo, readers and writers that run past the end,
// growth (also in the middle of a host call and of a copy), a resizable
// ArrayBuffer that shrinks, shared memory, and every argument error.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FrameAllocOptions,
  GuestMemory,
  PAGE_SIZE,
  PageFlags,
  VmReader,
  VmSpace,
  VmWriter,
  i32,
  struct,
  u16,
  u32,
  u64,
  u8,
  type PodType,
} from "../../src/index.js";
import { memory as ram, throwsContract, throwsVmError, user } from "../vm/support.js";
import { growableShared, instantiate, resizableBuffer, wasmMemory } from "./support.js";
import { withUserSet } from "../io/support.js";

const WASM_PAGE = 65536;

/** A one-page guest memory whose byte i is (i * 7 + 3) & 0xff, and the memory. */
function filled(pages = 1) {
  const memory = wasmMemory(pages, 8);
  const bytes = new Uint8Array(memory.buffer);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) & 0xff;
  return { memory, guest: new GuestMemory(memory), bytes: () => new Uint8Array(memory.buffer) };
}

function byteAt(i: number): number {
  return (i * 7 + 3) & 0xff;
}

test("size() is the memory's current length and follows memory.grow()", () => {
  const memory = wasmMemory(1, 4);
  const g = new GuestMemory(memory);
  assert.equal(g.size(), WASM_PAGE);
  assert.equal(g.shared, false);
  memory.grow(2);
  assert.equal(g.size(), 3 * WASM_PAGE);
  memory.grow(0); // replaces (detaches) the buffer even without growing
  assert.equal(g.size(), 3 * WASM_PAGE);
  assert.equal(new GuestMemory(wasmMemory(0)).size(), 0);
});

test("the constructor takes a WebAssembly.Memory, an ArrayBuffer or a SharedArrayBuffer, resizable or growable", () => {
  assert.equal(new GuestMemory(new ArrayBuffer(100)).size(), 100);
  const sab = new GuestMemory(new SharedArrayBuffer(64));
  assert.equal(sab.size(), 64);
  assert.equal(sab.shared, true);
  const rab = resizableBuffer(8, 64);
  const g = new GuestMemory(rab);
  rab.resize(40);
  assert.equal(g.size(), 40);
  const gsab = growableShared(8, 64);
  const h = new GuestMemory(gsab);
  gsab.grow(24);
  assert.equal(h.size(), 24);
  assert.equal(new GuestMemory(wasmMemory(1, 2, true)).shared, true);
});

test("the constructor refuses what is not guest memory (TypeError) and buffers that may exceed 4 GiB (RangeError)", () => {
  for (const bad of [undefined, null, 42, "memory", {}, new Uint8Array(8), { buffer: new ArrayBuffer(8), grow: () => 0 }]) {
    throwsContract(() => new GuestMemory(bad as unknown as ArrayBuffer), TypeError, /WebAssembly.Memory/);
  }
  // An object pretending to be a memory: its getter is never run.
  let ran = false;
  const fake = Object.create((globalThis as unknown as { WebAssembly: { Memory: { prototype: object } } }).WebAssembly.Memory.prototype, {
    buffer: { get: () => ((ran = true), new ArrayBuffer(8)) },
  });
  throwsContract(() => new GuestMemory(fake), TypeError);
  assert.equal(ran, false);
  const transferred = new ArrayBuffer(8);
  structuredClone(transferred, { transfer: [transferred] });
  throwsContract(() => new GuestMemory(transferred), TypeError, /detached/);
  throwsContract(() => new GuestMemory(new ArrayBuffer(2 ** 32 + 8)), RangeError, /4 GiB/);
  assert.equal(new GuestMemory(resizableBuffer(8, 2 ** 32)).size(), 8);
});

test("pointers and lengths are int32 or uint32: a negative int32 means its unsigned value", () => {
  const { guest } = filled();
  guest.writeVal(0xfffc, u32, 0x1234_5678);
  assert.equal(guest.readVal(0xfffc, u32), 0x1234_5678);
  // -1 is 0xFFFF_FFFF: far past the end, a fault (not byte 65535 counted from the end, not a RangeError).
  throwsVmError(() => guest.readVal(-1, u8), "PageFault", 0);
  throwsVmError(() => guest.readVal(-(2 ** 31), u8), "PageFault", 0);
  const r = guest.reader(-16, 8);
  assert.equal(r.cursor(), 0xffff_fff0);
  assert.equal(r.remain(), 8);
  assert.equal(guest.reader(0, -1).remain(), 0xffff_ffff);
  assert.equal(guest.writer(0x10, -(2 ** 31)).avail(), 2 ** 31);
});

test("non-int32/uint32 pointers and lengths are host bugs: TypeError or RangeError with a code, never a fault", () => {
  const { guest } = filled();
  const buf = new Uint8Array(4);
  const calls: Array<[string, (x: never) => unknown]> = [
    ["readVal", (x) => guest.readVal(x, u32)],
    ["writeVal", (x) => guest.writeVal(x, u32, 1)],
    ["readBytes", (x) => guest.readBytes(x, buf)],
    ["writeBytes", (x) => guest.writeBytes(x, buf)],
    ["readSlice", (x) => guest.readSlice(x, buf)],
    ["writeSlice", (x) => guest.writeSlice(x, buf)],
    ["read", (x) => guest.read(x, VmWriter.from(buf))],
    ["write", (x) => guest.write(x, VmReader.from(buf))],
    ["fillZeros ptr", (x) => guest.fillZeros(x, 4)],
    ["fillZeros len", (x) => guest.fillZeros(0, x)],
    ["readOnce", (x) => guest.readOnce(x, u32)],
    ["writeOnce", (x) => guest.writeOnce(x, u32, 1)],
    ["reader ptr", (x) => guest.reader(x, 4)],
    ["reader len", (x) => guest.reader(0, x)],
    ["writer ptr", (x) => guest.writer(x, 4)],
    ["writer len", (x) => guest.writer(0, x)],
    ["check ptr", (x) => guest.check(x, 4)],
    ["check len", (x) => guest.check(0, x)],
  ];
  const ranges: unknown[] = [1.5, NaN, Infinity, -Infinity, 2 ** 32, -(2 ** 31) - 1, 2 ** 53];
  const types: unknown[] = ["0", 0n, null, undefined, {}, [0], { valueOf: () => 0 }];
  for (const [name, call] of calls) {
    for (const x of ranges) {
      assert.throws(() => call(x as never), (e: unknown) => e instanceof RangeError && (e as { code?: string }).code === "ERR_OUT_OF_RANGE", `${name}(${String(x)})`);
    }
    for (const x of types) {
      assert.throws(() => call(x as never), (e: unknown) => e instanceof TypeError && (e as { code?: string }).code === "ERR_INVALID_ARG_TYPE", `${name}(${typeof x})`);
    }
  }
});

test("other bad arguments are TypeErrors: Pod types, buffers, readers and writers, values", () => {
  const { guest } = filled();
  throwsContract(() => guest.readVal(0, {} as PodType<number>), TypeError);
  throwsContract(() => guest.writeVal(0, null as unknown as PodType<number>, 1), TypeError);
  throwsContract(() => guest.writeVal(0, u8, 256), RangeError);
  throwsContract(() => guest.writeVal(0, u8, "1" as unknown as number), TypeError);
  throwsContract(() => guest.readBytes(0, [1, 2] as unknown as Uint8Array), TypeError);
  throwsContract(() => guest.writeBytes(0, new Uint16Array(2) as unknown as Uint8Array), TypeError);
  throwsContract(() => guest.readSlice(0, [] as unknown as Uint8Array), TypeError);
  throwsContract(() => guest.writeSlice(0, {} as Uint8Array), TypeError);
  throwsContract(() => guest.read(0, VmReader.from(new Uint8Array(4)) as unknown as VmWriter), TypeError);
  throwsContract(() => guest.write(0, VmWriter.from(new Uint8Array(4)) as unknown as VmReader), TypeError);
  throwsContract(() => guest.readOnce(0, struct({ a: u32 }) as never), TypeError);
  throwsContract(() => guest.writeOnce(0, u32, -1), RangeError);
  // A host bug is reported even when the guest range is bad too.
  throwsContract(() => guest.writeVal(-1, u8, 256), RangeError);
});

test("values: every byte up to size() - 1 is accessible; a value that reaches size() faults and touches nothing", () => {
  const { guest, bytes } = filled();
  const size = guest.size();
  const types: Array<PodType<number | bigint>> = [u8, u16, u32, u64];
  for (const t of types) {
    const n = t.size;
    for (let p = size - n - 2; p <= size; p++) {
      const before = bytes().slice();
      if (p + n <= size) {
        const v = guest.readVal(p, t);
        guest.writeVal(p, t, v);
        assert.deepEqual(bytes(), before);
      } else {
        throwsVmError(() => guest.readVal(p, t), "PageFault", 0);
        throwsVmError(() => guest.writeVal(p, t, n === 8 ? 0n : 0), "PageFault", 0);
        assert.deepEqual(bytes(), before, `nothing written at ${p}`);
      }
    }
  }
  for (const p of [size, size + 1, 0x7fff_ffff, 0xffff_ffff, 0xffff_fffe]) throwsVmError(() => guest.readVal(p, u16), "PageFault", 0);
  // No wrap-around: a u32 at 0xFFFF_FFFE does not reach bytes 0 and 1.
  const whole = new GuestMemory(new ArrayBuffer(8));
  throwsVmError(() => whole.readVal(0xffff_fffe, u32), "PageFault", 0);
});

test("the fault message names the range and where it faults", () => {
  const { guest } = filled();
  const e = throwsVmError(() => guest.readVal(0xfffe, u32), "PageFault", 0);
  assert.match(e.message, /0xfffe.*0x10000/);
});

test("bulk VmIo is all or nothing: a range not wholly inside memory faults and leaves every byte as it was", () => {
  const { guest, bytes } = filled();
  const size = guest.size();
  const before = bytes().slice();
  const src = new Uint8Array(16).fill(0xaa);
  for (const p of [size - 15, size - 1, size, size + 1, 0xffff_fff8, -8]) {
    throwsVmError(() => guest.writeBytes(p, src), "PageFault", 0);
    throwsVmError(() => guest.writeSlice(p, new Uint32Array(4)), "PageFault", 0);
    throwsVmError(() => guest.fillZeros(p, 16), "PageFault", 0);
    const r = VmReader.from(src);
    throwsVmError(() => guest.write(p, r), "PageFault", 0);
    assert.equal(r.remain(), 16, "the reader did not move");
    const dst = new Uint8Array(16).fill(0x55);
    throwsVmError(() => guest.readBytes(p, dst), "PageFault", 0);
    throwsVmError(() => guest.readSlice(p, new Uint16Array(8)), "PageFault", 0);
    const w = VmWriter.from(dst);
    throwsVmError(() => guest.read(p, w), "PageFault", 0);
    assert.equal(w.avail(), 16, "the writer did not move");
    assert.deepEqual(dst, new Uint8Array(16).fill(0x55));
  }
  assert.deepEqual(bytes(), before);
});

test("a guest read into a writer calls the Uint8Array.prototype.set vmio holds, not one a user put on the prototype later", () => {
  const { guest, bytes } = filled();
  const dst = new Uint8Array(200);
  assert.equal(withUserSet(() => guest.read(100, VmWriter.from(dst))), 0);
  assert.deepEqual(dst, bytes().slice(100, 300));
});

test("bulk VmIo inside memory: exact bytes at the last byte, through every method", () => {
  const { guest, bytes } = filled();
  const size = guest.size();
  const got = new Uint8Array(16);
  guest.readBytes(size - 16, got);
  assert.deepEqual(got, bytes().slice(size - 16));
  const slice = new Uint16Array(4);
  guest.readSlice(size - 8, slice);
  assert.deepEqual(new Uint8Array(slice.buffer), bytes().slice(size - 8));
  const w = VmWriter.from(new Uint8Array(10));
  guest.read(100, w);
  assert.equal(w.avail(), 0);
  guest.writeBytes(size - 3, Uint8Array.of(1, 2, 3));
  assert.deepEqual(bytes().slice(size - 4), Uint8Array.of(byteAt(size - 4), 1, 2, 3));
  guest.writeSlice(0, Uint32Array.of(0x0403_0201));
  assert.deepEqual(bytes().slice(0, 5), Uint8Array.of(1, 2, 3, 4, byteAt(4)));
  const r = VmReader.from(Uint8Array.of(9, 9));
  guest.write(10, r);
  assert.equal(r.remain(), 0);
  assert.deepEqual(bytes().slice(9, 13), Uint8Array.of(byteAt(9), 9, 9, byteAt(12)));
  guest.fillZeros(size - 2, 2);
  assert.deepEqual(bytes().slice(size - 3), Uint8Array.of(1, 0, 0));
});

test("zero-length accesses: inside at any pointer up to size(), a fault past it", () => {
  const { guest } = filled();
  const size = guest.size();
  const empty = new Uint8Array(0);
  for (const p of [0, size - 1, size]) {
    assert.equal(guest.check(p, 0), p);
    guest.readBytes(p, empty);
    guest.writeBytes(p, empty);
    guest.fillZeros(p, 0);
    guest.read(p, VmWriter.from(empty));
  }
  for (const p of [size + 1, 0xffff_ffff, -1]) {
    throwsVmError(() => guest.check(p, 0), "PageFault", 0);
    throwsVmError(() => guest.readBytes(p, empty), "PageFault", 0);
    throwsVmError(() => guest.fillZeros(p, 0), "PageFault", 0);
  }
  // A reader or writer of length 0 anywhere never faults: it touches nothing.
  const r = guest.reader(0xffff_ffff, 0);
  assert.equal(r.readFallible(VmWriter.from(new Uint8Array(4))), 0);
  assert.equal(guest.writer(-1, 0).fillZeros(10), 0);
});

test("check(ptr, len) returns the unsigned pointer when the range is inside memory, else faults", () => {
  const { guest } = filled();
  assert.equal(guest.check(16, 32), 16);
  assert.equal(guest.check(0, WASM_PAGE), 0);
  throwsVmError(() => guest.check(0, WASM_PAGE + 1), "PageFault", 0);
  throwsVmError(() => guest.check(1, -1), "PageFault", 0);
  throwsVmError(() => guest.check(-4, 4), "PageFault", 0);
  const big = new GuestMemory(resizableBuffer(2 ** 32, 2 ** 32));
  assert.equal(big.check(-4, 4), 0xffff_fffc, "the top 4 bytes of a 4 GiB memory");
  throwsVmError(() => big.check(-4, 5), "PageFault", 0); // no wrap to address 0
  big.writeVal(-4, u32, 0x8765_4321); // readVal and writeVal take a negative int32 as its unsigned value too
  assert.equal(big.readVal(0xffff_fffc, u32), 0x8765_4321);
  assert.equal(big.readVal(-4, u32), 0x8765_4321);
  throwsVmError(() => big.readVal(-3, u32), "PageFault", 0);
  assert.equal(big.readVal(-0, u8), 0);
});

test("readers and writers may run past the end: copies stop exactly there with copied exact", () => {
  const { guest, bytes } = filled();
  const size = guest.size();
  for (const start of [size - 100, size - 1, size, size + 5]) {
    const len = 200;
    const expected = Math.max(0, Math.min(len, size - start));
    const dst = new Uint8Array(len).fill(0xee);
    const r = guest.reader(start, len);
    const w = VmWriter.from(dst);
    if (expected < len) throwsVmError(() => r.readFallible(w), "PageFault", expected);
    assert.equal(r.cursor(), start + expected);
    assert.equal(w.avail(), len - expected);
    assert.deepEqual(dst.subarray(0, expected), bytes().subarray(start, start + expected));
    assert.ok(dst.subarray(expected).every((b) => b === 0xee), "nothing past the copied bytes");

    const before = bytes().slice();
    const gw = guest.writer(start, len);
    const src = VmReader.from(new Uint8Array(len).fill(0x11));
    throwsVmError(() => gw.writeFallible(src), "PageFault", expected);
    assert.equal(gw.cursor(), start + expected);
    assert.equal(src.remain(), len - expected);
    const after = bytes();
    assert.ok(after.subarray(start, start + expected).every((b) => b === 0x11));
    assert.deepEqual(after.subarray(0, Math.min(start, size)), before.subarray(0, Math.min(start, size)));
    const fz = guest.writer(start, len);
    throwsVmError(() => fz.fillZeros(len), "PageFault", expected);
    assert.equal(fz.cursor(), start + expected);
  }
});

test("a reader's readVal/writeVal that straddles the end faults with the cursor unmoved and nothing written", () => {
  const { guest, bytes } = filled();
  const size = guest.size();
  const r = guest.reader(size - 2, 8);
  throwsVmError(() => r.readVal(u32), "PageFault", 0);
  assert.equal(r.cursor(), size - 2);
  assert.equal(r.readVal(u16), (byteAt(size - 2) | (byteAt(size - 1) << 8)));
  const before = bytes().slice();
  const w = guest.writer(size - 2, 8);
  throwsVmError(() => w.writeVal(u32, 0xffff_ffff), "PageFault", 0);
  assert.equal(w.cursor(), size - 2);
  assert.deepEqual(bytes(), before);
  // Wholly past the end.
  throwsVmError(() => guest.reader(size, 4).readVal(u8), "PageFault", 0);
  // A fallible reader from typed memory never faults; a guest reader faults at size().
  assert.equal(VmReader.from(new Uint8Array(4)).toFallible().readVal(u32), 0);
});

test("a reader and a writer made before memory.grow() keep working and see the new bytes", () => {
  const { memory, guest } = filled();
  const r = guest.reader(WASM_PAGE - 4, 8);
  const w = guest.writer(WASM_PAGE - 2, 4);
  throwsVmError(() => guest.reader(WASM_PAGE - 4, 8).readFallible(VmWriter.from(new Uint8Array(8))), "PageFault", 4);
  memory.grow(1);
  assert.equal(w.writeFallible(VmReader.from(Uint8Array.of(1, 2, 3, 4))), 4);
  const dst = new Uint8Array(8);
  assert.equal(r.readFallible(VmWriter.from(dst)), 8);
  assert.deepEqual(dst, Uint8Array.of(byteAt(WASM_PAGE - 4), byteAt(WASM_PAGE - 3), 1, 2, 3, 4, 0, 0));
  assert.equal(guest.readVal(2 * WASM_PAGE - 4, u32), 0);
  throwsVmError(() => guest.readVal(2 * WASM_PAGE - 3, u32), "PageFault", 0);
});

test("readVal and writeVal after memory.grow() use the new buffer, below the old end too, whoever saw the growth first", () => {
  const { memory, guest } = filled();
  assert.equal(guest.readVal(100, u32), new DataView(memory.buffer).getUint32(100, true));
  guest.writeVal(200, u32, 0x1111_1111);
  memory.grow(1); // detaches the buffer readVal and writeVal last used
  guest.writeVal(100, u32, 0xdead_beef);
  assert.equal(new DataView(memory.buffer).getUint32(100, true), 0xdead_beef);
  assert.equal(guest.readVal(200, u32), 0x1111_1111);
  assert.equal(guest.readVal(2 * WASM_PAGE - 4, u32), 0);
  // The growth seen first by a reader (which takes the new buffer into the space), then by readVal and writeVal.
  memory.grow(1);
  const dst = new Uint8Array(4);
  assert.equal(guest.reader(100, 4).readFallible(VmWriter.from(dst)), 4);
  assert.deepEqual(dst, Uint8Array.of(0xef, 0xbe, 0xad, 0xde));
  guest.writeVal(104, u32, 7);
  assert.equal(new DataView(memory.buffer).getUint32(104, true), 7);
  assert.equal(guest.readVal(100, u32), 0xdead_beef);
  throwsVmError(() => guest.readVal(3 * WASM_PAGE - 3, u32), "PageFault", 0);
  throwsVmError(() => guest.writeVal(3 * WASM_PAGE, u32, 1), "PageFault", 0);
  // A buffer transferred away after readVal used it: every value faults, nothing is written anywhere.
  const buffer = new ArrayBuffer(64);
  const g = new GuestMemory(buffer);
  g.writeVal(0, u32, 5);
  const moved = structuredClone(buffer, { transfer: [buffer] });
  throwsVmError(() => g.readVal(0, u32), "PageFault", 0);
  throwsVmError(() => g.writeVal(0, u32, 6), "PageFault", 0);
  assert.equal(new DataView(moved).getUint32(0, true), 5);
});

test("growth in the middle of a host call (the host re-enters the guest, which grows its memory) is seen", () => {
  const ctx = {} as { guest: GuestMemory };
  let seen: Uint8Array | undefined;
  const instance = instantiate((ptr, len) => {
    // wasm hands i32 arguments over signed: passed straight through.
    const r = ctx.guest.reader(ptr, len);
    const first = new Uint8Array(4);
    r.readFallible(VmWriter.from(first));
    const old = instance.grow(1); // a re-entrant guest call
    assert.equal(old, 1);
    const rest = new Uint8Array(len - 4);
    assert.equal(r.readFallible(VmWriter.from(rest)), len - 4);
    ctx.guest.writeVal(WASM_PAGE + 100, u32, 0xabcd); // the new page, through the same GuestMemory
    seen = new Uint8Array([...first, ...rest]);
  });
  const guest = (ctx.guest = new GuestMemory(instance.memory));
  guest.writeBytes(WASM_PAGE - 4, Uint8Array.of(1, 2, 3, 4));
  instance.call(WASM_PAGE - 4, 12);
  assert.deepEqual(seen, Uint8Array.of(1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0));
  assert.equal(guest.size(), 2 * WASM_PAGE);
  assert.equal(guest.readVal(WASM_PAGE + 100, u32), 0xabcd);
  // A pointer with the top bit set arrives negative and is read as unsigned: a fault, not a RangeError.
  instantiate(() => {}).call(-8, 4);
  let error: unknown;
  const hostile = instantiate((ptr, len) => {
    try {
      hostileGuest.reader(ptr, len).readFallible(VmWriter.from(new Uint8Array(8)));
    } catch (e) {
      error = e;
    }
  });
  const hostileGuest = new GuestMemory(hostile.memory);
  hostile.call(-8, 8);
  assert.equal((error as { code?: string }).code, "PageFault");
});

test("a copy whose other side's fault handler grows guest memory (detaching the buffer) copies the right bytes", () => {
  const { memory, guest, bytes } = filled();
  const mem = ram();
  using space = new VmSpace(mem);
  space.activate();
  const options = new FrameAllocOptions(mem);
  let grown = 0;
  space.setPageFaultHandler(({ address }) => {
    memory.grow(1);
    grown++;
    using cursor = space.cursorMut({ start: address - (address % PAGE_SIZE), end: address - (address % PAGE_SIZE) + PAGE_SIZE });
    using frame = options.allocFrame();
    cursor.map(frame, user(PageFlags.RW));
    return true;
  });
  const expected = bytes().slice(1000, 1000 + 2 * PAGE_SIZE);
  // Source: guest memory; destination: two unmapped pages, each mapped by the handler after growing.
  guest.read(1000, space.writer(0x10000, 2 * PAGE_SIZE));
  assert.equal(grown, 2);
  const got = new Uint8Array(2 * PAGE_SIZE);
  space.readBytes(0x10000, got);
  assert.deepEqual(got, expected);
  // And the other way round, the guest as destination.
  space.setPageFaultHandler(() => {
    memory.grow(1);
    return false;
  });
  const w = guest.writer(5, 2 * PAGE_SIZE + 10);
  throwsVmError(() => w.writeFallible(space.reader(0x10000 + PAGE_SIZE, 2 * PAGE_SIZE)), "PageFault", PAGE_SIZE);
  assert.deepEqual(bytes().slice(5, 5 + PAGE_SIZE), expected.subarray(PAGE_SIZE));
});

test("a resizable ArrayBuffer that shrinks: bytes past the new end fault from then on, in readers made before too", () => {
  const rab = resizableBuffer(4096, 8192);
  new Uint8Array(rab).fill(7);
  const guest = new GuestMemory(rab);
  const r = guest.reader(1000, 3000);
  const w = guest.writer(2000, 100);
  rab.resize(1500);
  assert.equal(guest.size(), 1500);
  throwsVmError(() => r.readFallible(VmWriter.from(new Uint8Array(3000))), "PageFault", 500);
  throwsVmError(() => w.writeFallible(VmReader.from(new Uint8Array(100))), "PageFault", 0);
  throwsVmError(() => guest.readVal(1497, u32), "PageFault", 0);
  assert.equal(guest.readVal(1496, u32), 0x0707_0707);
  throwsVmError(() => guest.check(1000, 501), "PageFault", 0);
  // Growing back: the bytes between are zero (as resize() makes them), and accessible again.
  rab.resize(8192);
  assert.equal(guest.size(), 8192);
  assert.equal(guest.readVal(1500, u32), 0);
  assert.equal(r.remain(), 2500);
  assert.equal(r.readFallible(VmWriter.from(new Uint8Array(2500))), 2500);
});

test("a copy between a host view and the guest memory it overlaps is a memmove", () => {
  const { memory, guest } = filled();
  for (const [from, to] of [[100, 104], [104, 100], [100, 100]] as const) {
    const bytes = new Uint8Array(memory.buffer);
    bytes.set(Uint8Array.from({ length: 64 }, (_, i) => i + 1), 100);
    const expected = bytes.slice();
    expected.copyWithin(to, from, from + 40);
    guest.readBytes(from, new Uint8Array(memory.buffer, to, 40));
    assert.deepEqual(new Uint8Array(memory.buffer), expected, `readBytes ${from} → ${to}`);
    bytes.set(Uint8Array.from({ length: 64 }, (_, i) => i + 1), 100);
    guest.writeBytes(to, new Uint8Array(memory.buffer, from, 40));
    assert.deepEqual(new Uint8Array(memory.buffer), expected, `writeBytes ${from} → ${to}`);
    // Small copies too (below the engine's byte-loop threshold).
    bytes.set(Uint8Array.from({ length: 64 }, (_, i) => i + 1), 100);
    const small = bytes.slice();
    small.copyWithin(to, from, from + 8);
    guest.reader(from, 8).readFallible(VmWriter.from(new Uint8Array(memory.buffer, to, 8)));
    assert.deepEqual(new Uint8Array(memory.buffer), small, `reader ${from} → ${to}`);
  }
  // Two GuestMemory objects over one memory alias too.
  const other = new GuestMemory(memory);
  const bytes = new Uint8Array(memory.buffer);
  bytes.set(Uint8Array.from({ length: 64 }, (_, i) => i + 1), 100);
  const expected = bytes.slice();
  expected.copyWithin(104, 100, 140);
  other.writer(104, 40).writeFallible(guest.reader(100, 40));
  assert.deepEqual(new Uint8Array(memory.buffer), expected);
});

test("a copy within one guest memory, overlapping upwards and downwards, is a memmove", () => {
  const { guest, bytes } = filled();
  for (const [from, to] of [[10, 20], [20, 10]] as const) {
    const expected = bytes().slice();
    expected.copyWithin(to, from, from + 100);
    guest.writer(to, 100).writeFallible(guest.reader(from, 100));
    assert.deepEqual(bytes(), expected);
  }
});

test("readOnce/writeOnce: aligned values inside memory; misaligned guest pointers are InvalidArgs, outside is PageFault", () => {
  for (const shared of [false, true]) {
    const memory = wasmMemory(1, 2, shared);
    const guest = new GuestMemory(memory);
    assert.equal(guest.shared, shared);
    guest.writeOnce(8, u64, 0x1122_3344_5566_7788n);
    assert.equal(guest.readOnce(8, u64), 0x1122_3344_5566_7788n);
    assert.equal(guest.readOnce(12, u32), 0x1122_3344);
    guest.writeOnce(2, u16, 0xbeef);
    assert.equal(guest.readOnce(2, u16), 0xbeef);
    guest.writeOnce(WASM_PAGE - 4, i32, -5);
    assert.equal(guest.readOnce(WASM_PAGE - 4, i32), -5);
    assert.equal(guest.readOnce(WASM_PAGE - 1, u8), 0xff);
    for (const p of [1, 2, 3, WASM_PAGE - 6]) {
      throwsVmError(() => guest.readOnce(p, u32), "InvalidArgs", 0);
      throwsVmError(() => guest.writeOnce(p, u32, 1), "InvalidArgs", 0);
    }
    for (const p of [WASM_PAGE, -4, 0xffff_fff0]) {
      throwsVmError(() => guest.readOnce(p, u32), "PageFault", 0);
      throwsVmError(() => guest.writeOnce(p, u32, 1), "PageFault", 0);
    }
    memory.grow(1);
    guest.writeOnce(WASM_PAGE, u32, 77);
    assert.equal(guest.readOnce(WASM_PAGE, u32), 77);
  }
});

test("atomicLoad and atomicCompareExchange through guest readers and writers, shared and not", () => {
  for (const shared of [false, true]) {
    const memory = wasmMemory(1, 2, shared);
    const guest = new GuestMemory(memory);
    guest.writeVal(64, u32, 5);
    assert.equal(guest.reader(64, 4).atomicLoad(u32), 5);
    assert.deepEqual(guest.writer(64, 4).atomicCompareExchange(guest.reader(64, 4), u32, 5, 6), [5, true]);
    assert.deepEqual(guest.writer(64, 4).atomicCompareExchange(guest.reader(64, 4), u32, 5, 7), [6, false]);
    assert.equal(guest.readVal(64, u32), 6);
    throwsVmError(() => guest.reader(WASM_PAGE, 4).atomicLoad(u32), "PageFault", 0);
    throwsVmError(() => guest.writer(WASM_PAGE, 4).atomicCompareExchange(guest.reader(WASM_PAGE, 4), u32, 0, 1), "PageFault", 0);
    throwsVmError(() => guest.reader(WASM_PAGE - 2, 2).atomicLoad(u32), "InvalidArgs", 0);
    // The reader must be at the same address of the same memory.
    throwsContract(() => guest.writer(64, 4).atomicCompareExchange(guest.reader(68, 4), u32, 0, 1), RangeError);
    memory.grow(1);
    assert.equal(guest.reader(WASM_PAGE + 8, 4).atomicLoad(u32), 0);
  }
});

test("shared memory grown by another agent: the old buffer's bytes stay valid, new bytes are reached through a fresh buffer", () => {
  const memory = wasmMemory(1, 4, true);
  const guest = new GuestMemory(memory);
  const oldBuffer = memory.buffer;
  guest.writeVal(100, u32, 42);
  // Another thread's grow() is indistinguishable here from this one's: the cached buffer is not replaced.
  memory.grow(2);
  assert.notEqual(memory.buffer, oldBuffer);
  assert.equal(guest.readVal(100, u32), 42);
  assert.equal(guest.size(), 3 * WASM_PAGE);
  guest.writeVal(3 * WASM_PAGE - 4, u32, 9);
  assert.equal(new DataView(memory.buffer).getUint32(3 * WASM_PAGE - 4, true), 9);
});

test("a growable SharedArrayBuffer and a plain SharedArrayBuffer work as guest memory", () => {
  const gsab = growableShared(16, 64);
  const guest = new GuestMemory(gsab);
  throwsVmError(() => guest.readVal(16, u32), "PageFault", 0);
  const r = guest.reader(12, 8);
  gsab.grow(32);
  assert.equal(r.readFallible(VmWriter.from(new Uint8Array(8))), 8);
  guest.writeOnce(28, u32, 3);
  assert.equal(guest.readOnce(28, u32), 3);
  const plain = new GuestMemory(new SharedArrayBuffer(8));
  plain.writeVal(4, u32, 1);
  throwsVmError(() => plain.writeVal(5, u32, 1), "PageFault", 0);
});

test("a transferred (detached) ArrayBuffer reads as size 0: every access faults", () => {
  const buffer = new ArrayBuffer(64);
  const guest = new GuestMemory(buffer);
  const r = guest.reader(0, 8);
  structuredClone(buffer, { transfer: [buffer] });
  assert.equal(guest.size(), 0);
  throwsVmError(() => guest.readVal(0, u8), "PageFault", 0);
  throwsVmError(() => r.readFallible(VmWriter.from(new Uint8Array(8))), "PageFault", 0);
});

test("structs decode and encode in guest memory, padding zeroed", () => {
  const { guest } = filled();
  const S = struct({ a: u8, b: u32 });
  guest.writeVal(-8 + WASM_PAGE, S, { a: 1, b: 2 }); // -8 + 65536 is a plain positive pointer
  assert.deepEqual(guest.readVal(WASM_PAGE - 8, S), { a: 1, b: 2 });
  assert.deepEqual([...new Uint8Array(8).map((_, i) => guest.readVal(WASM_PAGE - 8 + i, u8))], [1, 0, 0, 0, 2, 0, 0, 0]);
  throwsVmError(() => guest.readVal(WASM_PAGE - 7, S), "PageFault", 0);
});
