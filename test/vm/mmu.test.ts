// The emulator fast path (`VmSpace.mmu()`): every width of load, store and
// fetch, across pages, through faults and the fault handler, shootdowns
// (unmap, protect, remap, another thread's view), the execute check, CAS,
// the user-space boundary and bad input, on unshared and shared RAM; and the
// TLB counters (`VmSpace.tlbStats()`).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { PAGE_SIZE, PageFlags, VmReader, VmSpace, f32, i16, i32, i64, i8, u16, u32, u64, u8, type PageFaultInfo, type PhysicalMemory } from "../../src/index.js";
import { ramOf } from "../../src/frame/physical-memory.js";
import { INTERNAL } from "../../src/base/internal-key.js";
import { SpaceState } from "../../src/vm/space-state.js";
import { newMmu, type Mmu } from "../../src/vm/mmu.js";
import { spaceStateOf } from "../../src/vm/vm-space.js";
import { BAD_TYPES, disposeAndCheck, flagsAt, mapAt, mapNew, memory, newFrame, pattern, protectAt, reclaim, throwsDisposed, throwsVmError, unmapAt } from "./support.js";

const BASE = 0x40_0000;

interface Setup {
  mem: PhysicalMemory;
  space: VmSpace;
  mmu: Mmu;
  freeBefore: number;
}

function setup(shared: boolean): Setup {
  const mem = memory(1 << 20, shared);
  const freeBefore = mem.freeFrames();
  const space = new VmSpace(mem);
  space.activate();
  return { mem, space, mmu: space.mmu(), freeBefore };
}

function done(s: Setup): void {
  disposeAndCheck({ mem: s.mem, space: s.space, freeBefore: s.freeBefore });
}

for (const shared of [false, true]) {
  const ram = shared ? "shared RAM" : "unshared RAM";

  test(`Mmu (${ram}): loads of every width read what VmSpace.readVal reads, little-endian, in-page and across pages`, () => {
    const s = setup(shared);
    const bytes = pattern(2 * PAGE_SIZE, 3);
    mapNew(s.space, s.mem, BASE, PageFlags.RW, bytes.subarray(0, PAGE_SIZE));
    mapNew(s.space, s.mem, BASE + PAGE_SIZE, PageFlags.RW, bytes.subarray(PAGE_SIZE));
    const dv = new DataView(bytes.buffer);
    for (const off of [0, 1, 2, 3, 100, PAGE_SIZE - 8, PAGE_SIZE - 7, PAGE_SIZE - 4, PAGE_SIZE - 3, PAGE_SIZE - 2, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 5]) {
      const va = BASE + off;
      assert.equal(s.mmu.load8(va), dv.getUint8(off), `load8 +${off}`);
      assert.equal(s.mmu.load16(va), dv.getUint16(off, true), `load16 +${off}`);
      assert.equal(s.mmu.load32(va), dv.getInt32(off, true), `load32 +${off}`);
      assert.equal(s.mmu.load64(va), dv.getInt32(off, true), `load64 lo +${off}`);
      assert.equal(s.mmu.hi, dv.getInt32(off + 4, true), `load64 hi +${off}`);
      assert.equal(s.mmu.load16(va), s.space.readVal(va, u16));
    }
    done(s);
  });

  test(`Mmu (${ram}): stores of every width land where VmSpace.readVal sees them, across pages too`, () => {
    const s = setup(shared);
    mapNew(s.space, s.mem, BASE, PageFlags.RW);
    mapNew(s.space, s.mem, BASE + PAGE_SIZE, PageFlags.RW);
    const model = new Uint8Array(2 * PAGE_SIZE);
    const dv = new DataView(model.buffer);
    let k = 1;
    for (const off of [0, 9, PAGE_SIZE - 8, PAGE_SIZE - 6, PAGE_SIZE - 3, PAGE_SIZE - 1, PAGE_SIZE + 2]) {
      const va = BASE + off;
      s.mmu.store8(va, 0x100 + k);
      dv.setUint8(off, k & 0xff);
      s.mmu.store16(va + 1, 0x1_0000 + k * 0x101);
      dv.setUint16(off + 1, k * 0x101, true);
      s.mmu.store32(va + 3, k * 0x01020304);
      dv.setInt32(off + 3, k * 0x01020304, true);
      s.mmu.store64(va + 7, -k, k * 0x11);
      dv.setInt32(off + 7, -k, true);
      dv.setInt32(off + 11, k * 0x11, true);
      k++;
    }
    const out = new Uint8Array(2 * PAGE_SIZE);
    s.space.readBytes(BASE, out);
    assert.deepEqual(out, model);
    assert.equal(s.space.readVal(BASE + 3, u32), dv.getUint32(3, true));
    done(s);
  });

  test(`Mmu (${ram}): a store across into an unmapped or read-only page throws PageFault and writes no byte of either page`, () => {
    const s = setup(shared);
    mapNew(s.space, s.mem, BASE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(0xee));
    for (const [size, store] of [
      [2, (va: number) => s.mmu.store16(va, 0)],
      [4, (va: number) => s.mmu.store32(va, 0)],
      [8, (va: number) => s.mmu.store64(va, 0, 0)],
    ] as const) {
      for (let back = 1; back < size; back++) throwsVmError(() => store(BASE + PAGE_SIZE - back), "PageFault");
    }
    mapNew(s.space, s.mem, BASE + PAGE_SIZE, PageFlags.R, new Uint8Array(PAGE_SIZE).fill(0xdd));
    throwsVmError(() => s.mmu.store64(BASE + PAGE_SIZE - 3, 0, 0), "PageFault");
    assert.equal(s.mmu.load32(BASE + PAGE_SIZE - 2), 0xddddeeee | 0, "nothing written on either side");
    // Loads across into a missing page fault too.
    throwsVmError(() => s.mmu.load32(BASE + 2 * PAGE_SIZE - 2), "PageFault");
    done(s);
  });

  test(`Mmu (${ram}): a miss sets ACCESSED, the first write DIRTY; unmapped pages and writes to read-only pages fault`, () => {
    const s = setup(shared);
    mapNew(s.space, s.mem, BASE, PageFlags.RW);
    mapNew(s.space, s.mem, BASE + PAGE_SIZE, PageFlags.R, pattern(PAGE_SIZE));
    s.mmu.load8(BASE);
    assert.equal(flagsAt(s.space, BASE), PageFlags.RW | PageFlags.ACCESSED);
    s.mmu.store8(BASE + 1, 1);
    assert.equal(flagsAt(s.space, BASE), PageFlags.RW | PageFlags.ACCESSED | PageFlags.DIRTY);
    assert.equal(s.mmu.load8(BASE + PAGE_SIZE), pattern(1)[0]);
    throwsVmError(() => s.mmu.store8(BASE + PAGE_SIZE, 0), "PageFault");
    throwsVmError(() => s.mmu.load8(BASE + 2 * PAGE_SIZE), "PageFault");
    throwsVmError(() => s.mmu.compareExchange32(BASE + PAGE_SIZE, 1, 2), "PageFault");
    assert.equal(flagsAt(s.space, BASE + PAGE_SIZE), PageFlags.R | PageFlags.ACCESSED);
    done(s);
  });

  test(`Mmu (${ram}): fetches need X; a fault handler sees execute and can resolve by mapping`, () => {
    const s = setup(shared);
    mapNew(s.space, s.mem, BASE, PageFlags.RW, pattern(PAGE_SIZE));
    mapNew(s.space, s.mem, BASE + PAGE_SIZE, PageFlags.RX, pattern(PAGE_SIZE, 5));
    assert.equal(s.mmu.load16(BASE), s.space.readVal(BASE, u16), "readable");
    const calls: PageFaultInfo[] = [];
    s.space.setPageFaultHandler((f) => {
      calls.push({ address: f.address, write: f.write, execute: f.execute });
      return false;
    });
    throwsVmError(() => s.mmu.fetch16(BASE + 2), "PageFault");
    assert.deepEqual(calls, [{ address: BASE + 2, write: false, execute: true }]);
    const dv = new DataView(pattern(PAGE_SIZE, 5).buffer);
    assert.equal(s.mmu.fetch16(BASE + PAGE_SIZE + 6), dv.getUint16(6, true));
    assert.equal(s.mmu.fetch32(BASE + PAGE_SIZE + 6), dv.getInt32(6, true));
    // A 32-bit fetch across into a page without X faults at that page.
    calls.length = 0;
    throwsVmError(() => s.mmu.fetch32(BASE + PAGE_SIZE - 2), "PageFault");
    assert.deepEqual(calls, [{ address: BASE + PAGE_SIZE - 2, write: false, execute: true }]);
    // Demand paging of text: the handler maps an executable page.
    s.space.setPageFaultHandler((f) => {
      calls.push({ address: f.address, write: f.write, execute: f.execute });
      mapNew(s.space, s.mem, f.address - (f.address % PAGE_SIZE), PageFlags.RX, new Uint8Array(PAGE_SIZE).fill(0x13));
      return true;
    });
    calls.length = 0;
    assert.equal(s.mmu.fetch32(BASE + 3 * PAGE_SIZE), 0x13131313);
    assert.deepEqual(calls, [{ address: BASE + 3 * PAGE_SIZE, write: false, execute: true }]);
    // Protecting the text page to RW drops X: the next fetch faults.
    protectAt(s.space, BASE + PAGE_SIZE, PageFlags.RW);
    s.space.setPageFaultHandler(undefined);
    throwsVmError(() => s.mmu.fetch16(BASE + PAGE_SIZE), "PageFault");
    done(s);
  });

  test(`Mmu (${ram}): demand paging and copy-on-write through the handler; a handler's exception reaches the caller; nothing is written on a fault`, () => {
    const s = setup(shared);
    const ro = newFrame(s.mem, new Uint8Array(PAGE_SIZE).fill(7));
    mapAt(s.space, BASE, ro, PageFlags.R);
    s.space.setPageFaultHandler((f) => {
      const page = f.address - (f.address % PAGE_SIZE);
      if (page === BASE) {
        // Copy-on-write: replace the read-only frame by a writable copy.
        const copy = newFrame(s.mem, new Uint8Array(PAGE_SIZE).fill(7));
        unmapAt(s.space, page);
        mapAt(s.space, page, copy, PageFlags.RW);
        copy.dispose();
        return true;
      }
      if (page === BASE + PAGE_SIZE) throw new RangeError("from the handler");
      mapNew(s.space, s.mem, page, PageFlags.RW);
      return true;
    });
    assert.equal(s.mmu.load8(BASE), 7, "a read of the read-only page does not fault");
    s.mmu.store32(BASE + 4, 0x55667788);
    assert.equal(s.space.readVal(BASE + 4, u32), 0x55667788);
    assert.equal(ro.readVal(4, u32), 0x07070707, "the original frame is untouched");
    assert.throws(() => s.mmu.load8(BASE + PAGE_SIZE), RangeError);
    assert.equal(s.mmu.load32(BASE + 2 * PAGE_SIZE), 0, "demand-zero");
    s.mmu.store64(BASE + 3 * PAGE_SIZE - 4, 1, 2);
    assert.equal(s.mmu.load64(BASE + 3 * PAGE_SIZE - 4), 1);
    assert.equal(s.mmu.hi, 2);
    ro.dispose();
    done(s);
  });

  test(`Mmu (${ram}): unmap, protect and remap invalidate what the Mmu cached; a freed frame is never reached`, () => {
    const s = setup(shared);
    const paddr = mapNew(s.space, s.mem, BASE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(1));
    s.mmu.store8(BASE, 2);
    assert.equal(s.mmu.load8(BASE), 2);
    protectAt(s.space, BASE, PageFlags.R);
    throwsVmError(() => s.mmu.store8(BASE, 3), "PageFault");
    assert.equal(s.mmu.load8(BASE), 2);
    unmapAt(s.space, BASE);
    throwsVmError(() => s.mmu.load8(BASE), "PageFault");
    const secret = reclaim(s.mem, paddr);
    assert.ok(secret !== undefined);
    secret.writeVal(0, u8, 0x99);
    throwsVmError(() => s.mmu.load8(BASE), "PageFault");
    throwsVmError(() => s.mmu.store8(BASE, 0), "PageFault");
    assert.equal(secret.readVal(0, u8), 0x99);
    mapNew(s.space, s.mem, BASE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(4));
    assert.equal(s.mmu.load8(BASE), 4, "the new frame");
    secret.dispose();
    done(s);
  });

  test(`Mmu (${ram}): compareExchange32/64 compare and swap, return the old value, are write accesses, and need alignment`, () => {
    const s = setup(shared);
    mapNew(s.space, s.mem, BASE, PageFlags.RW);
    s.mmu.store32(BASE, 5);
    assert.equal(s.mmu.compareExchange32(BASE, 4, 9), 5, "no swap");
    assert.equal(s.mmu.load32(BASE), 5);
    assert.equal(s.mmu.compareExchange32(BASE, 5, -1), 5, "swap");
    assert.equal(s.mmu.load32(BASE), -1);
    assert.equal(s.mmu.compareExchange32(BASE, 0xffffffff, 1), -1, "compared as 32-bit patterns");
    s.mmu.store64(BASE + 8, -2, 0x7fffffff);
    assert.equal(s.mmu.compareExchange64(BASE + 8, -2, 0, 1, 1), -2, "no swap: the high halves differ");
    assert.equal(s.mmu.hi, 0x7fffffff);
    assert.equal(s.mmu.compareExchange64(BASE + 8, -2, 0x7fffffff, 3, -4), -2);
    assert.equal(s.mmu.hi, 0x7fffffff);
    assert.equal(s.mmu.load64(BASE + 8), 3);
    assert.equal(s.mmu.hi, -4);
    assert.throws(() => s.mmu.compareExchange32(BASE + 2, 0, 0), RangeError);
    assert.throws(() => s.mmu.compareExchange64(BASE + 4, 0, 0, 0, 0), RangeError);
    assert.equal(s.mmu.load32(BASE + 4), 0);
    done(s);
  });

  test(`Mmu (${ram}): addresses outside user space are AccessDenied, non-numbers TypeError; a disposed space TypeError`, () => {
    const s = setup(shared);
    for (const va of [-1, -4096, 0.5, NaN, Infinity, 2 ** 47 - 4096, 2 ** 47, 2 ** 53, 2 ** 64]) {
      throwsVmError(() => s.mmu.load8(va), "AccessDenied");
      throwsVmError(() => s.mmu.store32(va, 0), "AccessDenied");
      throwsVmError(() => s.mmu.fetch16(va), "AccessDenied");
    }
    throwsVmError(() => s.mmu.load32(2 ** 47 - 4096 - 2), "PageFault");
    for (const bad of BAD_TYPES) assert.throws(() => s.mmu.load8(bad as number), TypeError);
    mapNew(s.space, s.mem, BASE, PageFlags.RW);
    s.mmu.store32(BASE, 1);
    assert.equal(s.space.mmu(), s.mmu, "one Mmu per VmSpace object");
    assert.deepEqual(Reflect.ownKeys(s.mmu), ["hi"], "nothing but `hi` is reachable");
    done(s);
    throwsDisposed(() => s.mmu.load32(BASE));
    throwsDisposed(() => s.mmu.store32(BASE, 1));
    throwsDisposed(() => s.mmu.compareExchange32(BASE, 1, 1));
    throwsDisposed(() => s.space.mmu());
  });

  test(`Mmu (${ram}): a high address (above 2^32) aliasing a low one in the TLB is kept apart`, () => {
    const s = setup(shared);
    const high = 2 ** 40 + BASE;
    mapNew(s.space, s.mem, BASE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(1));
    mapNew(s.space, s.mem, high, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(2));
    for (let i = 0; i < 3; i++) {
      assert.equal(s.mmu.load8(BASE + i), 1);
      assert.equal(s.mmu.load8(high + i), 2);
      s.mmu.store8(high + 8, 3);
      assert.equal(s.mmu.load8(BASE + 8), 1);
    }
    throwsVmError(() => s.mmu.load8(high + PAGE_SIZE), "PageFault");
    done(s);
  });
}

test("Mmu: made only by VmSpace.mmu() (its constructor alone is a TypeError); each space's Mmu reads its own space", () => {
  const mem = memory();
  const a = new VmSpace(mem);
  const b = new VmSpace(mem);
  mapNew(a, mem, BASE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(1));
  mapNew(b, mem, BASE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(2));
  const Ctor = a.mmu().constructor as new () => unknown;
  assert.throws(() => new Ctor(), { name: "TypeError", code: "ERR_ILLEGAL_CONSTRUCTOR" });
  assert.throws(() => new Ctor(), { name: "TypeError", code: "ERR_ILLEGAL_CONSTRUCTOR" }, "and again: nothing was left pending");
  a.activate();
  assert.equal(a.mmu().load8(BASE), 1);
  b.activate();
  assert.equal(b.mmu().load8(BASE), 2);
  a.dispose();
  b.dispose();
});

test("Mmu (shared RAM): another thread's unmap or protect reaches this thread's Mmu (epoch)", () => {
  const s = setup(true);
  mapNew(s.space, s.mem, BASE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(1));
  // This thread's state and Mmu, and a second per-thread state over the same space, as a worker would have.
  const mine = spaceStateOf(s.space);
  const other = new SpaceState(s.mem, mine.table, mine.control);
  const mmu = newMmu(other);
  mmu.store8(BASE, 5);
  assert.equal(mmu.load8(BASE), 5);
  protectAt(s.space, BASE, PageFlags.R);
  throwsVmError(() => mmu.store8(BASE, 6), "PageFault");
  assert.equal(mmu.load8(BASE), 5);
  unmapAt(s.space, BASE);
  throwsVmError(() => mmu.load8(BASE), "PageFault");
  assert.ok(other.tlb.flushes >= 2, "each shootdown flushed the other TLB");
  done(s);
});

test("VmSpace.tlbStats(): hits, misses, flushes and shootdowns move as accesses and changes happen", () => {
  const s = setup(false);
  const zero = s.space.tlbStats();
  assert.deepEqual(zero, { hits: 0, misses: 0, flushes: 0, shootdowns: 0 });
  mapNew(s.space, s.mem, BASE, PageFlags.RW);
  s.mmu.load32(BASE); // miss
  for (let i = 0; i < 10; i++) s.mmu.load32(BASE + 4 * i); // hits
  s.space.readVal(BASE, u32); // hit
  let st = s.space.tlbStats();
  assert.equal(st.misses, 1);
  assert.equal(st.hits, 11);
  s.mmu.store32(BASE, 1); // a clean page: the first write walks again
  st = s.space.tlbStats();
  assert.equal(st.misses, 2);
  protectAt(s.space, BASE, PageFlags.R);
  unmapAt(s.space, BASE);
  st = s.space.tlbStats();
  assert.equal(st.shootdowns, 2);
  unmapAt(s.space, 0, 2 * 1024 * PAGE_SIZE); // a large unmap flushes the whole TLB (after the first: nothing to shoot down if nothing was mapped)
  const before = s.space.tlbStats();
  mapNew(s.space, s.mem, BASE, PageFlags.RW);
  unmapAt(s.space, 0, 2 * 1024 * PAGE_SIZE);
  const after = s.space.tlbStats();
  assert.equal(after.flushes, before.flushes + 1);
  assert.equal(after.shootdowns, before.shootdowns + 1);
  done(s);
  const end = s.space.tlbStats();
  assert.ok(end.shootdowns >= after.shootdowns, "still answers after dispose");
});

test("Mmu: random loads and stores on unshared and shared RAM agree with a byte model (property)", () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.array(
        fc.record({
          op: fc.constantFrom("l8", "l16", "l32", "l64", "s8", "s16", "s32", "s64", "unmap", "map"),
          page: fc.integer({ min: 0, max: 3 }),
          off: fc.oneof(fc.integer({ min: 0, max: PAGE_SIZE - 1 }), fc.integer({ min: PAGE_SIZE - 8, max: PAGE_SIZE - 1 })),
          v: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        }),
        { maxLength: 60 },
      ),
      (shared, ops) => {
        const s = setup(shared);
        const model = new Map<number, Uint8Array>();
        const map = (p: number): void => {
          if (model.has(p)) return;
          mapNew(s.space, s.mem, BASE + p * PAGE_SIZE, PageFlags.RW);
          model.set(p, new Uint8Array(PAGE_SIZE));
        };
        map(0);
        map(1);
        for (const { op, page, off, v } of ops) {
          if (op === "unmap") {
            if (model.delete(page)) unmapAt(s.space, BASE + page * PAGE_SIZE);
            continue;
          }
          if (op === "map") {
            map(page);
            continue;
          }
          const size = Number(op.slice(1)) / 8;
          const va = BASE + page * PAGE_SIZE + off;
          const at = (i: number): [Uint8Array | undefined, number] => {
            const a = page * PAGE_SIZE + off + i;
            return [model.get(Math.floor(a / PAGE_SIZE)), a % PAGE_SIZE];
          };
          let ok = true;
          for (let i = 0; i < size; i++) if (at(i)[0] === undefined) ok = false;
          if (op[0] === "l") {
            const fn = () => (size === 1 ? s.mmu.load8(va) : size === 2 ? s.mmu.load16(va) : size === 4 ? s.mmu.load32(va) : s.mmu.load64(va));
            if (!ok) {
              throwsVmError(fn, "PageFault");
              continue;
            }
            const bytes = new Uint8Array(8);
            for (let i = 0; i < size; i++) {
              const [pg, o] = at(i);
              bytes[i] = (pg as Uint8Array)[o] as number;
            }
            const dv = new DataView(bytes.buffer);
            const got = fn();
            const want = size === 1 ? bytes[0] : size === 2 ? dv.getUint16(0, true) : dv.getInt32(0, true);
            assert.equal(got, want);
            if (size === 8) assert.equal(s.mmu.hi, dv.getInt32(4, true));
          } else {
            const fn = () => (size === 1 ? s.mmu.store8(va, v) : size === 2 ? s.mmu.store16(va, v) : size === 4 ? s.mmu.store32(va, v) : s.mmu.store64(va, v, ~v));
            if (!ok) {
              throwsVmError(fn, "PageFault");
              continue;
            }
            fn();
            const bytes = new Uint8Array(8);
            const dv = new DataView(bytes.buffer);
            dv.setInt32(0, v, true);
            dv.setInt32(4, ~v, true);
            for (let i = 0; i < size; i++) {
              const [pg, o] = at(i);
              (pg as Uint8Array)[o] = bytes[i] as number;
            }
          }
        }
        for (const [p, bytes] of model) {
          const out = new Uint8Array(PAGE_SIZE);
          s.space.readBytes(BASE + p * PAGE_SIZE, out);
          assert.deepEqual(out, bytes);
        }
        done(s);
      },
    ),
    { seed: 1012, numRuns: 60 },
  );
});

test("Mmu: RAM bytes outside mapped pages are never written (raw check)", () => {
  const s = setup(false);
  const paddr = mapNew(s.space, s.mem, BASE, PageFlags.RW);
  s.mmu.store8(BASE, 1); // sets ACCESSED and DIRTY in the page table first
  const raw = ramOf(s.mem).bytes;
  const before = raw.slice();
  for (let off = PAGE_SIZE - 8; off < PAGE_SIZE; off++) {
    try {
      s.mmu.store64(BASE + off, -1, -1);
    } catch {
      // faults across the page end
    }
  }
  for (let i = 0; i < raw.length; i++) if (i < paddr || i >= paddr + PAGE_SIZE) assert.equal(raw[i], before[i], `byte ${i}`);
  done(s);
});

test("VmSpace.readVal/writeVal on shared RAM (the validated-read and the critical-section hit paths): another thread's protect and unmap reach them", () => {
  const s = setup(true);
  mapNew(s.space, s.mem, BASE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(1));
  const mine = spaceStateOf(s.space);
  // A second thread's view of the same space, as VmSpace.attach would make it on a worker.
  const other = new VmSpace(s.mem, INTERNAL, new SpaceState(s.mem, mine.table, mine.control));
  other.activate();
  other.writeVal(BASE, u32, 0x01020304);
  assert.equal(other.readVal(BASE, u32), 0x01020304);
  assert.equal(other.readVal(BASE + 4, u32), 0x01010101, "a hit");
  s.space.activate();
  protectAt(s.space, BASE, PageFlags.R);
  other.activate();
  throwsVmError(() => other.writeVal(BASE, u32, 5), "PageFault");
  assert.equal(other.readVal(BASE, u32), 0x01020304);
  s.space.activate();
  other.activate();
  assert.equal(other.readVal(BASE, u64), 0x01010101_01020304n, "a hit through a critical section");
  s.space.activate();
  unmapAt(s.space, BASE);
  other.activate();
  throwsVmError(() => other.readVal(BASE, u64), "PageFault");
  throwsVmError(() => other.readVal(BASE, u32), "PageFault");
  s.space.activate();
  done(s);
});

test("VmSpace.readVal on shared RAM: integers of up to 32 bits (the validated read, no critical section) decode as on unshared RAM, aligned or not, signed or not", () => {
  const bytes = new Uint8Array(PAGE_SIZE);
  for (let i = 0; i < PAGE_SIZE; i++) bytes[i] = (i * 157 + 0x80) & 0xff; // every sign bit set somewhere
  const types = { u8, i8, u16, i16, u32, i32, u64, i64, f32 };
  for (const shared of [false, true]) {
    const s = setup(shared);
    mapNew(s.space, s.mem, BASE, PageFlags.RW, bytes);
    for (const [name, t] of Object.entries(types)) {
      for (const off of [0, 1, 2, 3, 4, 6, 8, PAGE_SIZE - 8, PAGE_SIZE - 4, PAGE_SIZE - t.size].filter((o) => o + t.size <= PAGE_SIZE)) {
        const expected = VmReader.from(bytes.subarray(off)).readVal(t as typeof u32);
        assert.equal(s.space.readVal(BASE + off, t as typeof u32), expected, `${name} at ${off} (${shared ? "shared" : "unshared"})`);
        assert.equal(s.space.readVal(BASE + off, t as typeof u32), expected, `${name} at ${off} again, a TLB hit`);
      }
    }
    done(s);
  }
});
