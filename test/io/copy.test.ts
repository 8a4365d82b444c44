// The copy engine (internal): copyBytes' overlap handling around the
// small-copy threshold (and its mayAlias contract), cursor-to-cursor copies
// and fills and copyRaw/fillRaw on direct memory, and — through a fake
// paged MemorySpace — fallible copies that stop exactly at the first faulting
// byte, a destination whose run (a fault handler) changes the source, memmove
// within one space whose pages are not physically in order, and the critical
// sections of shared spaces.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { VmError, type Fallible, type Infallible } from "../../src/index.js";
import { copyBytes, copyRaw as copyRawResult, fillRaw as fillRawResult } from "../../src/io/copy.js";
import { CopyFault } from "../../src/io/access-errors.js";
import { MemorySpace } from "../../src/io/memory-space.js";
import type { Lease } from "../../src/io/memory-cursor.js";
import { VmReader, newReader } from "../../src/io/vm-reader.js";
import { VmWriter, newWriter } from "../../src/io/vm-writer.js";
import { u16, u32, u64 } from "../../src/pod/scalars.js";
import { struct } from "../../src/pod/struct.js";
import { withUserSet } from "./support.js";

/** The count of a copy-engine result: the bytes moved, whether or not a fault stopped it. */
function count(result: number | CopyFault): number {
  return result instanceof CopyFault ? result.copied : result;
}

/** `copyRaw`, as a count of the bytes moved. */
function copyRaw(...args: Parameters<typeof copyRawResult>): number {
  return count(copyRawResult(...args));
}

/** `fillRaw`, as a count of the bytes zeroed. */
function fillRaw(...args: Parameters<typeof fillRawResult>): number {
  return count(fillRawResult(...args));
}

/** `n` bytes from `r`'s position to `w`'s through the copy engine; neither cursor moves. */
function memcpyFallible(w: VmWriter<Fallible | Infallible>, r: VmReader<Fallible | Infallible>, n: number): number {
  try {
    return r.clone().limit(n).readFallible(w.cloneExclusive());
  } catch (e) {
    if (e instanceof VmError && e.code === "PageFault") return e.copied;
    throw e;
  }
}

/** `n` zero bytes at `w`'s position; the cursor does not move. */
function memsetFallible(w: VmWriter<Fallible | Infallible>, n: number): number {
  return w.cloneExclusive().fillZeros(n);
}

/** The reference: C's memmove on a plain array. */
function memmove(bytes: number[], dst: number, src: number, n: number): number[] {
  const out = bytes.slice();
  const chunk = bytes.slice(src, src + n);
  for (let i = 0; i < n; i++) out[dst + i] = chunk[i] as number;
  return out;
}

function pattern(length: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 13 + seed * 101 + 7) & 0xff);
}

const sizes = [0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 34, 63, 64, 65, 200];
const shifts = [1, 2, 3, 8, 16, 31, 32, 33, 100];

describe("copyBytes", () => {
  test("within one array (dst === src), overlapping in both directions, is a memmove at every size around the threshold", () => {
    for (const mayAlias of [false, true]) {
      for (const n of sizes) {
        for (const shift of shifts) {
          for (const forward of [true, false]) {
            const length = n + shift + 4;
            const buf = pattern(length);
            const before = Array.from(buf);
            const [d, s] = forward ? [2 + shift, 2] : [2, 2 + shift];
            copyBytes(buf, d, buf, s, n, mayAlias);
            assert.deepEqual(Array.from(buf), memmove(before, d, s, n), `n=${n} shift=${shift} forward=${forward} mayAlias=${mayAlias}`);
          }
        }
      }
    }
  });

  for (const kind of ["ArrayBuffer", "SharedArrayBuffer"] as const) {
    test(`between two overlapping views of one ${kind} (mayAlias), in both directions, is a memmove`, () => {
      for (const n of sizes) {
        for (const shift of shifts) {
          for (const forward of [true, false]) {
            const length = n + shift + 8;
            const backing = kind === "ArrayBuffer" ? new ArrayBuffer(length) : new SharedArrayBuffer(length);
            const whole = new Uint8Array(backing);
            whole.set(pattern(length, n));
            const before = Array.from(whole);
            const [dOff, sOff] = forward ? [3 + shift, 3] : [3, 3 + shift];
            // Views that start at different offsets, so their indices differ from the buffer offsets.
            const dView = new Uint8Array(backing, 1);
            const sView = new Uint8Array(backing, 2);
            copyBytes(dView, dOff - 1, sView, sOff - 2, n, true);
            assert.deepEqual(Array.from(whole), memmove(before, dOff, sOff, n), `n=${n} shift=${shift} forward=${forward}`);
          }
        }
      }
    });

    test(`a whole source view overlapping the destination in one ${kind} is a memmove, whatever mayAlias says`, () => {
      // sIndex 0 and n === src.length: the engine copies the view itself with set().
      for (const mayAlias of [false, true]) {
        for (const n of sizes.filter((x) => x > 0)) {
          for (const shift of shifts) {
            for (const forward of [true, false]) {
              const length = n + shift + 8;
              const backing = kind === "ArrayBuffer" ? new ArrayBuffer(length) : new SharedArrayBuffer(length);
              const whole = new Uint8Array(backing);
              whole.set(pattern(length, shift));
              const before = Array.from(whole);
              const [dOff, sOff] = forward ? [3 + shift, 3] : [3, 3 + shift];
              const sView = new Uint8Array(backing, sOff, n);
              const dView = new Uint8Array(backing, 1);
              copyBytes(dView, dOff - 1, sView, 0, n, mayAlias);
              assert.deepEqual(Array.from(whole), memmove(before, dOff, sOff, n), `n=${n} shift=${shift} forward=${forward} mayAlias=${mayAlias}`);
            }
          }
        }
      }
    });
  }

  test("between separate buffers copies exactly n bytes and nothing else", () => {
    for (const mayAlias of [false, true]) {
      for (const n of sizes) {
        const src = pattern(n + 10, 3);
        const dst = new Uint8Array(n + 10).fill(0xee);
        copyBytes(dst, 4, src, 5, n, mayAlias);
        const expected = new Array(n + 10).fill(0xee);
        for (let i = 0; i < n; i++) expected[4 + i] = src[5 + i];
        assert.deepEqual(Array.from(dst), expected, `n=${n} mayAlias=${mayAlias}`);
      }
    }
  });

  test("copies call the Uint8Array.prototype.set the module holds, not one a user put on the prototype later", () => {
    // copyBytes (the whole source and a part of it), copyDirect (a reader
    // into a writer) and a copy between two views of one buffer, each past
    // the small-copy threshold so that they reach `set`.
    const calls = withUserSet(() => {
      const src = pattern(100, 7);
      const whole = new Uint8Array(120);
      copyBytes(whole, 10, src, 0, 100, false);
      assert.deepEqual(Array.from(whole.subarray(10, 110)), Array.from(src));
      const part = new Uint8Array(120);
      copyBytes(part, 3, src, 40, 60, true);
      assert.deepEqual(Array.from(part.subarray(3, 63)), Array.from(src.subarray(40, 100)));
      const into = new Uint8Array(100);
      assert.equal(VmReader.from(src).read(VmWriter.from(into)), 100);
      assert.deepEqual(Array.from(into), Array.from(src));
      const shared = pattern(200, 11);
      const before = Array.from(shared.subarray(0, 100));
      assert.equal(copyRaw(new Uint8Array(shared.buffer, 50, 150), null, null, 0, new Uint8Array(shared.buffer, 0, 150), null, null, 0, 100), 100);
      assert.deepEqual(Array.from(shared.subarray(50, 150)), before);
    });
    assert.equal(calls, 0);
  });
});

describe("cursor-to-cursor copies and fills on direct memory", () => {
  test("memcpyFallible copies len bytes between the cursors, returns len, and moves neither cursor", () => {
    for (const n of sizes) {
      const src = pattern(n + 6, 5);
      const dst = new Uint8Array(n + 6).fill(0xee);
      const r = VmReader.from(src).skip(2);
      const w = VmWriter.from(dst).skip(3);
      assert.equal(memcpyFallible(w, r, n), n);
      assert.equal(r.cursor(), 2);
      assert.equal(w.cursor(), 3);
      const expected = new Array(n + 6).fill(0xee);
      for (let i = 0; i < n; i++) expected[3 + i] = src[2 + i];
      assert.deepEqual(Array.from(dst), expected, `n=${n}`);
    }
  });

  test("memcpyFallible between overlapping cursors on one buffer is a memmove", () => {
    for (const n of sizes) {
      for (const shift of [1, 5, 32, 40]) {
        for (const forward of [true, false]) {
          const buf = pattern(n + shift + 2, 9);
          const before = Array.from(buf);
          const [d, s] = forward ? [1 + shift, 1] : [1, 1 + shift];
          const r = VmReader.from(buf).skip(s);
          const w = VmWriter.from(buf).skip(d);
          assert.equal(memcpyFallible(w, r, n), n);
          assert.deepEqual(Array.from(buf), memmove(before, d, s, n), `n=${n} shift=${shift} forward=${forward}`);
        }
      }
    }
  });

  test("memcpyFallible between cursors over two different views of one buffer is a memmove (addresses are view-relative)", () => {
    for (const kind of ["ArrayBuffer", "SharedArrayBuffer"] as const) {
      for (const n of sizes) {
        for (const shift of [1, 3, 31, 33]) {
          for (const forward of [true, false]) {
            const length = n + shift + 8;
            const backing = kind === "ArrayBuffer" ? new ArrayBuffer(length) : new SharedArrayBuffer(length);
            const whole = new Uint8Array(backing);
            whole.set(pattern(length, shift));
            const before = Array.from(whole);
            const [dOff, sOff] = forward ? [4 + shift, 4] : [4, 4 + shift];
            // The reader's view starts at 1 and the writer's at 3: the same
            // buffer offset has a different address in each.
            const r = VmReader.from(new Uint8Array(backing, 1)).skip(sOff - 1);
            const w = VmWriter.from(new Uint8Array(backing, 3)).skip(dOff - 3);
            assert.equal(memcpyFallible(w, r, n), n);
            assert.equal(r.cursor(), sOff - 1);
            assert.equal(w.cursor(), dOff - 3);
            assert.deepEqual(Array.from(whole), memmove(before, dOff, sOff, n), `${kind} n=${n} shift=${shift} forward=${forward}`);
          }
        }
      }
    }
  });

  test("memsetFallible zeroes len bytes at the cursor, returns len, and does not move it", () => {
    for (const n of sizes) {
      const buf = new Uint8Array(n + 4).fill(0xee);
      const w = VmWriter.from(buf).skip(2);
      assert.equal(memsetFallible(w, n), n);
      assert.equal(w.cursor(), 2);
      const expected = new Array(n + 4).fill(0xee);
      for (let i = 0; i < n; i++) expected[2 + i] = 0;
      assert.deepEqual(Array.from(buf), expected, `n=${n}`);
    }
  });

  test("a detached buffer on either side is a TypeError for any non-zero length", () => {
    const gone = new ArrayBuffer(64);
    const r = VmReader.from(new Uint8Array(gone));
    const w = VmWriter.from(new Uint8Array(gone));
    structuredClone(gone, { transfer: [gone] });
    const live = new Uint8Array(64).fill(0xee);
    for (const n of [1, 32, 33, 64]) {
      assert.throws(() => memcpyFallible(VmWriter.from(live), r, n), TypeError);
      assert.throws(() => memcpyFallible(w, VmReader.from(live), n), TypeError);
      assert.throws(() => memsetFallible(w, n), TypeError);
    }
    assert.ok(live.every((b) => b === 0xee));
  });

  test("an expired lease makes every access a TypeError", () => {
    const lease: Lease & { leaseExpired: boolean } = { leaseExpired: false, describeLease: () => "test lease" };
    const ram = pattern(32);
    const r = newReader<Infallible>(ram, null, null, lease, 0, 32, false);
    const w = newWriter<Infallible>(ram, null, null, lease, 16, 32, false);
    assert.equal(r.clone().readVal(u32), new DataView(ram.buffer).getUint32(0, true));
    lease.leaseExpired = true;
    const out = new Uint8Array(8);
    assert.throws(() => r.read(VmWriter.from(out)), isDisposed);
    assert.throws(() => r.readVal(u32), isDisposed);
    assert.throws(() => r.readOnce(u32), isDisposed);
    assert.throws(() => w.writeVal(u32, 1), isDisposed);
    assert.throws(() => w.fillZeros(4), isDisposed);
    assert.throws(() => memsetFallible(w, 4), isDisposed);
    assert.throws(() => memcpyFallible(w, VmReader.from(pattern(8)), 4), isDisposed);
    assert.ok(out.every((b) => b === 0));
    assert.deepEqual(ram, pattern(32));
  });
});

describe("copyRaw and fillRaw (memory described by its parts)", () => {
  test("copyRaw between direct memories copies len bytes at the given positions and returns len", () => {
    for (const n of sizes) {
      const src = pattern(n + 6, 2);
      const dst = new Uint8Array(n + 6).fill(0xee);
      assert.equal(copyRaw(dst, null, null, 4, src, null, null, 1, n), n);
      const expected = new Array(n + 6).fill(0xee);
      for (let i = 0; i < n; i++) expected[4 + i] = src[1 + i];
      assert.deepEqual(Array.from(dst), expected, `n=${n}`);
    }
  });

  test("copyRaw between two leaseless views of one buffer is a memmove", () => {
    for (const n of sizes) {
      const backing = new ArrayBuffer(n + 40);
      const whole = new Uint8Array(backing);
      whole.set(pattern(n + 40, 4));
      const before = Array.from(whole);
      // Destination view at 5, position 2 → buffer offset 7; source view at 1, position 2 → offset 3.
      assert.equal(copyRaw(new Uint8Array(backing, 5), null, null, 2, new Uint8Array(backing, 1), null, null, 2, n), n);
      assert.deepEqual(Array.from(whole), memmove(before, 7, 3, n), `n=${n}`);
    }
  });

  test("copyRaw with an expired lease on either side, or past the end of a detached buffer, is a TypeError and copies nothing", () => {
    const lease = { leaseExpired: true, describeLease: () => "test lease" };
    const src = pattern(16);
    const dst = new Uint8Array(16).fill(0xee);
    assert.throws(() => copyRaw(dst, null, null, 0, src, null, lease, 0, 4), isDisposed);
    assert.throws(() => copyRaw(dst, null, lease, 0, src, null, null, 0, 4), isDisposed);
    assert.throws(() => copyRaw(dst, null, null, 0, src, null, null, 14, 4), TypeError);
    assert.ok(dst.every((b) => b === 0xee));
    // Nothing to copy: nothing is checked.
    assert.equal(copyRaw(dst, null, lease, 0, src, null, lease, 0, 0), 0);
  });

  test("fillRaw zeroes len bytes of direct memory; an expired lease is a TypeError", () => {
    const buf = new Uint8Array(40).fill(0xee);
    assert.equal(fillRaw(buf, null, null, 3, 33), 33);
    assert.deepEqual(Array.from(buf), [0xee, 0xee, 0xee, ...new Array(33).fill(0), 0xee, 0xee, 0xee, 0xee]);
    const lease = { leaseExpired: true, describeLease: () => "test lease" };
    const other = new Uint8Array(8).fill(0xee);
    assert.throws(() => fillRaw(other, null, lease, 0, 4), isDisposed);
    assert.ok(other.every((b) => b === 0xee));
  });

  test("copyRaw and fillRaw through a space stop at the first fault and return the count", () => {
    const space = makeSpace();
    const dst = new Uint8Array(40).fill(0xee);
    assert.equal(copyRaw(dst, null, null, 0, null, space, null, 5, 40), 2 * P - 5);
    for (let i = 0; i < 2 * P - 5; i++) assert.equal(dst[i], space.byteAt(5 + i));
    assert.ok(dst.subarray(2 * P - 5).every((b) => b === 0xee));
    assert.equal(fillRaw(null, space, null, P + 2, 3 * P), P - 2);
    for (let a = P + 2; a < 2 * P; a++) assert.equal(space.byteAt(a), 0);
    assert.equal(copyRaw(null, space, null, 3 * P, pattern(4), null, null, 0, 4), 0, "read-only page");
  });
});

interface PageEntry {
  frame: number | null;
  writable: boolean;
}

/**
 * A user-space stand-in: `pages[i]` maps virtual page i to a frame of `ram`
 * (or to nothing), read-only or writable. Frames are deliberately not in
 * virtual order, so every page is its own run.
 */
class PagedSpace extends MemorySpace {
  readonly shared: boolean;
  readonly ram: Uint8Array;
  private readonly ramView: DataView;
  readonly pages: PageEntry[];
  /** Whether runs come with a `runSlice` view. */
  readonly slices: boolean;
  /** The generation: bumped by {@link PagedSpace.remap}. */
  gen = 0;
  /** When set, a fault on this page parks this error instead of reporting a plain fault. */
  handlerError: unknown = undefined;
  handlerPage = -1;
  /** Called at the start of every run, as a fault handler or a TLB refill would be. */
  onRun: ((addr: number, write: boolean) => void) | undefined = undefined;
  /** Calls of `run`. */
  runs = 0;
  /** Critical sections (shared spaces only). */
  depth = 0;
  enters = 0;
  /** Calls of `run` made outside a critical section of a shared space. */
  runsOutside = 0;

  constructor(
    readonly pageSize: number,
    pages: ReadonlyArray<PageEntry>,
    opts: { slices?: boolean; shared?: boolean; frames?: number } = {},
  ) {
    super();
    this.pages = pages.map((p) => ({ ...p }));
    this.slices = opts.slices ?? false;
    this.shared = opts.shared ?? false;
    const frames = Math.max(opts.frames ?? 0, pages.reduce((m, p) => Math.max(m, (p.frame ?? -1) + 1), 0));
    const size = frames * pageSize;
    this.ram = new Uint8Array(this.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
    this.ram.set(pattern(size, 42));
    this.ramView = new DataView(this.ram.buffer);
  }

  generation(): number {
    return this.gen;
  }

  override enter(): void {
    this.depth++;
    this.enters++;
  }

  override exit(): void {
    this.depth--;
  }

  /** Changes a mapping, as an unmap/map/protect would: runs handed out before are stale. */
  remap(page: number, entry: PageEntry): void {
    this.pages[page] = { ...entry };
    this.gen++;
  }

  run(addr: number, len: number, write: boolean): number {
    this.runs++;
    if (this.shared && this.depth === 0) this.runsOutside++;
    this.onRun?.(addr, write);
    const page = Math.floor(addr / this.pageSize);
    const entry = this.pages[page];
    if (entry === undefined || entry.frame === null || (write && !entry.writable)) {
      this.faultAddr = addr;
      this.faultWrite = write;
      if (page === this.handlerPage) {
        this.pendingError = this.handlerError;
        this.hasPendingError = true;
      }
      return 0;
    }
    const offset = addr - page * this.pageSize;
    const n = Math.min(len, this.pageSize - offset);
    this.runBytes = this.ram;
    this.runView = this.ramView;
    this.runOffset = entry.frame * this.pageSize + offset;
    this.runSlice = this.slices ? this.ram.subarray(this.runOffset, this.runOffset + n) : null;
    return n;
  }

  /** The model: the byte at a virtual address, or undefined when it faults. */
  byteAt(addr: number): number | undefined {
    const page = Math.floor(addr / this.pageSize);
    const entry = this.pages[page];
    if (entry === undefined || entry.frame === null) return undefined;
    return this.ram[entry.frame * this.pageSize + (addr - page * this.pageSize)];
  }

  /** The bytes at `[start, end)`, undefined where unmapped. */
  bytesAt(start: number, end: number): Array<number | undefined> {
    return Array.from({ length: end - start }, (_, i) => this.byteAt(start + i));
  }

  reader(start: number, end: number): VmReader<Fallible> {
    return newReader<Fallible>(null, null, this, null, start, end, true);
  }

  writer(start: number, end: number): VmWriter<Fallible> {
    return newWriter<Fallible>(null, null, this, null, start, end, true);
  }
}

const P = 16;
// Virtual pages 0..4: frames 3, 0, (hole), 1, 2 — page 3 is read-only.
function makeSpace(opts: { slices?: boolean; shared?: boolean } = {}): PagedSpace {
  return new PagedSpace(
    P,
    [
      { frame: 3, writable: true },
      { frame: 0, writable: true },
      { frame: null, writable: false },
      { frame: 1, writable: false },
      { frame: 2, writable: true },
    ],
    opts,
  );
}

function isPageFault(copied: number) {
  return (e: unknown): boolean => e instanceof VmError && e.code === "PageFault" && e.copied === copied;
}

function isDisposed(e: unknown): boolean {
  return e instanceof TypeError && (e as { code?: unknown }).code === "ERR_USE_AFTER_DISPOSE";
}

for (const slices of [false, true]) {
  const how = slices ? " (runs with runSlice views)" : "";

  describe(`fallible copies through a paged memory space${how}`, () => {
    const space = (pages?: PageEntry[]): PagedSpace => (pages === undefined ? makeSpace({ slices }) : new PagedSpace(P, pages, { slices }));

    test("memcpyFallible from a space stops exactly at the first unmapped byte", () => {
      const s = space();
      const dst = new Uint8Array(40).fill(0xee);
      const n = memcpyFallible(VmWriter.from(dst), s.reader(5, 45), 40);
      assert.equal(n, 2 * P - 5);
      for (let i = 0; i < n; i++) assert.equal(dst[i], s.byteAt(5 + i));
      assert.ok(dst.subarray(n).every((b) => b === 0xee));
    });

    test("readFallible throws PageFault with copied, and both cursors advance by copied", () => {
      const s = space();
      const dst = new Uint8Array(40).fill(0xee);
      const r = s.reader(5, 45);
      const w = VmWriter.from(dst);
      assert.throws(() => r.readFallible(w), isPageFault(27));
      assert.equal(r.cursor(), 32);
      assert.equal(w.cursor(), 27);
      assert.equal(r.remain(), 13);
      assert.ok(dst.subarray(27).every((b) => b === 0xee));
      assert.equal(s.faultAddr, 32);
      assert.equal(s.faultWrite, false);
    });

    test("readFallible/writeFallible of a space cursor refuse anything but a cursor of the other class, before any run, moving nothing", () => {
      const s = space();
      const dst = new Uint8Array(8).fill(0xee);
      const before = Array.from(s.ram);
      const isBadArg = (e: unknown): boolean => e instanceof TypeError && (e as { code?: unknown }).code === "ERR_INVALID_ARG_TYPE";
      const fakes: unknown[] = [null, undefined, 7, {}, new Uint8Array(8), VmReader.from(new Uint8Array(8)), s.reader(0, 8)];
      for (const fake of fakes) {
        const r = s.reader(1, 9);
        assert.throws(() => r.readFallible(fake as VmWriter<Fallible>), isBadArg);
        assert.equal(r.cursor(), 1);
      }
      for (const fake of [null, 7, {}, dst, VmWriter.from(dst), s.writer(0, 8)]) {
        const w = s.writer(1, 9);
        assert.throws(() => w.writeFallible(fake as VmReader<Fallible>), isBadArg);
        assert.equal(w.cursor(), 1);
      }
      assert.equal(s.runs, 0);
      assert.deepEqual(Array.from(s.ram), before);
      assert.ok(dst.every((b) => b === 0xee));
    });

    test("a 0-byte readFallible/writeFallible of a space cursor moves nothing and takes no run, even at a hole", () => {
      const s = space();
      const dst = new Uint8Array(0);
      assert.equal(s.reader(2 * P, 3 * P).readFallible(VmWriter.from(new Uint8Array(4)).limit(0)), 0);
      assert.equal(s.writer(2 * P, 2 * P).writeFallible(VmReader.from(new Uint8Array(4))), 0);
      assert.equal(s.reader(0, 0).readFallible(newWriter<Fallible>(dst, null, null, null, 0, 0, true)), 0);
      assert.equal(s.runs, 0);
    });

    test("writeFallible into a read-only page or a hole faults at its first byte and writes nothing", () => {
      const s = space();
      const before = Array.from(s.ram);
      const src = pattern(30, 8);
      for (const start of [3 * P, 3 * P + 5, 2 * P, 2 * P + 15]) {
        const r = VmReader.from(src);
        const w = s.writer(start, 5 * P);
        assert.throws(() => w.writeFallible(r), isPageFault(0), `start ${start}`);
        assert.equal(w.cursor(), start);
        assert.equal(r.cursor(), 0);
      }
      assert.deepEqual(Array.from(s.ram), before);
      const w = s.writer(P + 3, 2 * P);
      assert.equal(w.writeFallible(VmReader.from(src)), P - 3);
      for (let i = 0; i < P - 3; i++) assert.equal(s.byteAt(P + 3 + i), src[i]);
    });

    test("writeFallible from a writable page into a read-only page reports the bytes before it", () => {
      const s = space([
        { frame: 0, writable: true },
        { frame: 1, writable: false },
      ]);
      const frame1 = Array.from(s.ram.subarray(P, 2 * P));
      const w = s.writer(P - 6, 2 * P);
      const src = pattern(20, 4);
      const r = VmReader.from(src);
      assert.throws(() => w.writeFallible(r), (e: unknown) => isPageFault(6)(e) && s.faultWrite && s.faultAddr === P);
      assert.equal(w.cursor(), P);
      assert.equal(r.cursor(), 6);
      for (let i = 0; i < 6; i++) assert.equal(s.byteAt(P - 6 + i), src[i]);
      assert.deepEqual(Array.from(s.ram.subarray(P, 2 * P)), frame1);
    });

    test("fillZeros on a fallible writer stops at a fault with copied, having advanced by it", () => {
      const s = space([
        { frame: 1, writable: true },
        { frame: 0, writable: true },
        { frame: 2, writable: false },
      ]);
      const w = s.writer(4, 3 * P);
      assert.throws(() => w.fillZeros(100), isPageFault(2 * P - 4));
      assert.equal(w.cursor(), 2 * P);
      for (let a = 4; a < 2 * P; a++) assert.equal(s.byteAt(a), 0);
      assert.notEqual(s.byteAt(2 * P), 0);
      assert.equal(memsetFallible(s.writer(0, P), P), P);
    });

    test("a copy between two non-overlapping ranges of one space reads each run before asking for the next", () => {
      const s = space([
        { frame: 2, writable: true },
        { frame: 0, writable: true },
        { frame: 3, writable: true },
        { frame: 1, writable: true },
      ]);
      const expected = s.bytesAt(3, 23);
      const r = s.reader(3, 23);
      const w = s.writer(2 * P + 5, 4 * P);
      assert.equal(r.readFallible(w), 20);
      assert.deepEqual(s.bytesAt(2 * P + 5, 2 * P + 25), expected);
    });

    test("a copy between two spaces whose pages straddle differently moves every byte", () => {
      const a = space([
        { frame: 2, writable: true },
        { frame: 0, writable: true },
        { frame: 1, writable: true },
      ]);
      const b = new PagedSpace(P, [
        { frame: 1, writable: true },
        { frame: 2, writable: true },
        { frame: 0, writable: true },
      ], { slices });
      const expected = a.bytesAt(3, 3 + 2 * P + 5);
      assert.equal(a.reader(3, 3 + 2 * P + 5).readFallible(b.writer(7, 3 * P)), 2 * P + 5);
      assert.deepEqual(b.bytesAt(7, 7 + 2 * P + 5), expected);
    });

    test("a fault handler's exception is rethrown after both cursors advanced by the bytes copied", () => {
      const s = space();
      const boom = new Error("handler failed");
      s.handlerPage = 2;
      s.handlerError = boom;
      const r = s.reader(P + 8, 3 * P);
      const w = VmWriter.from(new Uint8Array(32));
      assert.throws(() => r.readFallible(w), (e: unknown) => e === boom);
      assert.equal(r.cursor(), 2 * P);
      assert.equal(w.cursor(), 8);
      assert.equal(s.hasPendingError, false);
    });
  });

  describe(`a destination whose run changes the source${how}`, () => {
    // Three pages over frames 0..2, and spare frames 3 and 4 to remap to.
    const source = (): PagedSpace =>
      new PagedSpace(
        P,
        [
          { frame: 1, writable: true },
          { frame: 0, writable: true },
          { frame: 2, writable: true },
        ],
        { slices, frames: 5 },
      );
    const destination = (): PagedSpace =>
      new PagedSpace(
        P,
        [
          { frame: 2, writable: true },
          { frame: 0, writable: true },
          { frame: 1, writable: true },
        ],
        { slices },
      );

    test("a source page remapped by the destination's run is copied from its new frame, never from the stale run", () => {
      for (const page of [0, 1]) {
        const src = source();
        const dst = destination();
        let fired = false;
        dst.onRun = (addr) => {
          // Once, when the destination first reaches the page being copied into.
          if (!fired && Math.floor((addr - 2) / P) === page) {
            fired = true;
            src.remap(page, { frame: 3 + page, writable: true });
          }
        };
        // Take the expected bytes from the mapping as it will be.
        const after = source();
        after.pages[page] = { frame: 3 + page, writable: true };
        const expected = after.bytesAt(0, 2 * P);
        assert.equal(src.reader(0, 2 * P).readFallible(dst.writer(2, 2 + 2 * P)), 2 * P);
        assert.ok(fired);
        assert.deepEqual(dst.bytesAt(2, 2 + 2 * P), expected, `page ${page}`);
      }
    });

    test("within one space: a destination run that remaps the source page makes the copy use the new frame", () => {
      const s = source();
      let fired = false;
      s.onRun = (_addr, write) => {
        if (write && !fired) {
          fired = true;
          s.remap(0, { frame: 4, writable: true });
        }
      };
      const fresh = Array.from(s.ram.subarray(4 * P, 5 * P - 4));
      assert.equal(s.reader(0, P - 4).readFallible(s.writer(2 * P + 4, 3 * P)), P - 4);
      assert.deepEqual(s.bytesAt(2 * P + 4, 3 * P), fresh);
    });

    test("a source page unmapped by the destination's run ends the copy with PageFault at that page", () => {
      const src = source();
      const dst = destination();
      const before = Array.from(dst.ram);
      dst.onRun = () => src.remap(0, { frame: null, writable: false });
      const r = src.reader(3, 2 * P);
      const w = dst.writer(0, 3 * P);
      assert.throws(() => r.readFallible(w), isPageFault(0));
      assert.equal(src.faultAddr, 3);
      assert.equal(src.faultWrite, false);
      assert.equal(r.cursor(), 3);
      assert.equal(w.cursor(), 0);
      assert.deepEqual(Array.from(dst.ram), before, "nothing was copied from the stale run");
    });

    test("a later source page unmapped by the destination's run: the bytes before it are copied, exactly", () => {
      const src = source();
      const dst = destination();
      const expected = src.bytesAt(3, P);
      dst.onRun = (addr) => {
        if (addr >= P - 3) src.remap(1, { frame: null, writable: false });
      };
      const r = src.reader(3, 3 * P);
      const w = dst.writer(0, 3 * P);
      assert.throws(() => r.readFallible(w), isPageFault(P - 3));
      assert.equal(r.cursor(), P);
      assert.equal(w.cursor(), P - 3);
      assert.deepEqual(dst.bytesAt(0, P - 3), expected);
    });

    test("a source lease that expires during the destination's run is a TypeError, and nothing is copied", () => {
      const lease = { leaseExpired: false, describeLease: () => "source lease" };
      const srcBytes = pattern(64, 3);
      const r = newReader<Fallible>(srcBytes, null, null, lease, 4, 64, true);
      const dst = destination();
      const before = Array.from(dst.ram);
      dst.onRun = () => {
        lease.leaseExpired = true;
      };
      assert.throws(() => r.readFallible(dst.writer(1, 3 * P)), isDisposed);
      assert.equal(r.cursor(), 4);
      assert.deepEqual(Array.from(dst.ram), before);
    });

    test("a destination lease that expires during the source's run is a TypeError, and nothing is copied", () => {
      const lease = { leaseExpired: false, describeLease: () => "destination lease" };
      const dstBytes = new Uint8Array(64).fill(0xee);
      const w = newWriter<Fallible>(dstBytes, null, null, lease, 2, 64, true);
      const src = source();
      src.onRun = () => {
        lease.leaseExpired = true;
      };
      assert.throws(() => w.writeFallible(src.reader(5, 3 * P)), isDisposed);
      assert.equal(w.cursor(), 2);
      assert.ok(dstBytes.every((b) => b === 0xee));
    });

    test("a source space that dies during the destination's run (its run throws TypeError) is not read from", () => {
      const src = source();
      const dst = destination();
      const before = Array.from(dst.ram);
      let dead = false;
      const liveRun = src.run.bind(src);
      src.run = (addr, len, write) => {
        if (dead) throw new TypeError("source space disposed");
        return liveRun(addr, len, write);
      };
      dst.onRun = () => {
        dead = true;
        src.gen++;
      };
      assert.throws(() => src.reader(0, P).readFallible(dst.writer(0, P)), TypeError);
      assert.deepEqual(Array.from(dst.ram), before);
    });
  });

  describe(`overlapping copies within one space are memmoves${how}`, () => {
    const layouts: Array<[string, number[]]> = [
      ["frames in order (one merged run would be possible)", [0, 1, 2, 3, 4, 5]],
      ["frames in reverse order", [5, 4, 3, 2, 1, 0]],
      ["frames scrambled", [2, 5, 0, 3, 1, 4]],
    ];
    const cases: Array<[number, number, number]> = [];
    for (const len of [1, 2, P - 1, P, P + 1, 2 * P + 3, 3 * P]) {
      for (const shift of [1, 3, P - 1, P, P + 1, 2 * P + 5]) {
        for (const srcStart of [0, 5, P - 1]) {
          if (srcStart + shift + len <= 6 * P) cases.push([srcStart, shift, len]);
        }
      }
    }

    for (const [name, frames] of layouts) {
      test(`${name}: upward and downward, every length and shift, byte-exact against memmove`, () => {
        for (const [start, shift, len] of cases) {
          for (const upward of [true, false]) {
            for (const how of ["readFallible", "writeFallible", "memcpyFallible"] as const) {
              const s = new PagedSpace(
                P,
                frames.map((frame) => ({ frame, writable: true })),
                { slices },
              );
              const before = s.bytesAt(0, 6 * P) as number[];
              const [from, to] = upward ? [start, start + shift] : [start + shift, start];
              const r = s.reader(from, from + len);
              const w = s.writer(to, to + len);
              const got = how === "readFallible" ? r.readFallible(w) : how === "writeFallible" ? w.writeFallible(r) : memcpyFallible(w, r, len);
              assert.equal(got, len);
              assert.deepEqual(s.bytesAt(0, 6 * P), memmove(before, to, from, len), `${how} from ${from} to ${to} len ${len}`);
            }
          }
        }
      });
    }

    test("an upward overlapping copy into a read-only page stops there: copied is exact and nothing after it changes", () => {
      for (const [from, to, len] of [
        [5, 9, 3 * P],
        [2, 2 + P, 3 * P],
        [0, 1, 4 * P],
        [P + 1, P + 4, 2 * P],
      ] as Array<[number, number, number]>) {
        // Page 3 is read-only; frames scrambled.
        const s = new PagedSpace(P, [
          { frame: 4, writable: true },
          { frame: 2, writable: true },
          { frame: 0, writable: true },
          { frame: 5, writable: false },
          { frame: 1, writable: true },
          { frame: 3, writable: true },
        ], { slices });
        const before = s.bytesAt(0, 6 * P) as number[];
        const copied = Math.min(len, 3 * P - to);
        const r = s.reader(from, from + len);
        const w = s.writer(to, to + len);
        assert.throws(() => r.readFallible(w), isPageFault(copied), `from ${from} to ${to}`);
        assert.equal(s.faultAddr, 3 * P);
        assert.equal(s.faultWrite, true);
        assert.equal(r.cursor(), from + copied);
        assert.equal(w.cursor(), to + copied);
        assert.deepEqual(s.bytesAt(0, 6 * P), memmove(before, to, from, copied), `from ${from} to ${to}`);
      }
    });

    test("an upward overlapping copy whose source runs into a hole first copies exactly the bytes before the hole", () => {
      // Page 1 is a hole inside the source range; the destination range starts after it.
      const s = new PagedSpace(P, [
        { frame: 3, writable: true },
        { frame: null, writable: false },
        { frame: 0, writable: true },
        { frame: 4, writable: true },
        { frame: 1, writable: true },
        { frame: 2, writable: true },
      ], { slices });
      const before = s.bytesAt(0, 6 * P);
      const from = 5;
      const to = 2 * P + 3;
      const len = 3 * P; // source [5, 3P+5) overlaps destination [2P+3, 5P+3)
      const r = s.reader(from, from + len);
      const w = s.writer(to, to + len);
      assert.throws(() => r.readFallible(w), isPageFault(P - from));
      assert.equal(s.faultAddr, P);
      assert.equal(s.faultWrite, false);
      assert.equal(r.cursor(), P);
      assert.equal(w.cursor(), to + P - from);
      const expected = before.slice();
      for (let i = 0; i < P - from; i++) expected[to + i] = before[from + i];
      assert.deepEqual(s.bytesAt(0, 6 * P), expected);
    });

    test(
      "an overlapping copy stopped by a plain destination fault reports that fault, not a handler exception of a source page it never reached",
      () => {
        // Page 1 is read-only (a plain fault), page 2 a hole whose handler throws.
        // Front to back, the copy [0, 3P) -> [4, 3P+4) stops at the destination's
        // fault at P (after P - 4 bytes) and never reads page 2.
        const s = new PagedSpace(P, [
          { frame: 2, writable: true },
          { frame: 0, writable: false },
          { frame: null, writable: false },
          { frame: 1, writable: true },
        ], { slices });
        s.handlerPage = 2;
        s.handlerError = new Error("handler failed");
        const before = s.bytesAt(0, 4 * P) as number[];
        const r = s.reader(0, 3 * P);
        const w = s.writer(4, 3 * P + 4);
        assert.throws(() => r.readFallible(w), isPageFault(P - 4));
        assert.equal(s.faultAddr, P);
        assert.equal(s.faultWrite, true);
        assert.equal(w.cursor(), P);
        assert.equal(r.cursor(), P - 4);
        assert.deepEqual(s.bytesAt(0, 4 * P), memmove(before, 4, 0, P - 4));
        assert.equal(s.hasPendingError, false, "no exception is left parked for a later access");
      },
    );

    test("a fault handler's exception during an overlapping copy is rethrown after the cursors advanced", () => {
      const s = new PagedSpace(P, [
        { frame: 2, writable: true },
        { frame: 0, writable: true },
        { frame: null, writable: false },
        { frame: 1, writable: true },
      ], { slices });
      const boom = new Error("handler failed");
      s.handlerPage = 2;
      s.handlerError = boom;
      const before = s.bytesAt(0, 2 * P) as number[];
      const r = s.reader(1, 1 + 2 * P);
      const w = s.writer(4, 4 + 2 * P);
      assert.throws(() => r.readFallible(w), (e: unknown) => e === boom);
      assert.equal(w.cursor(), 2 * P, "the destination reached the hole first");
      assert.equal(r.cursor(), 2 * P - 3);
      assert.equal(s.hasPendingError, false);
      assert.deepEqual(s.bytesAt(0, 2 * P), memmove(before, 4, 1, 2 * P - 4));
    });
  });
}

describe("shared spaces: every run is taken inside a critical section", () => {
  function check(s: PagedSpace, label: string): void {
    assert.equal(s.depth, 0, `${label}: every enter() was matched by exit()`);
    assert.equal(s.runsOutside, 0, `${label}: no run outside a critical section`);
    assert.ok(s.enters > 0, `${label}: a critical section was entered`);
  }

  const ops: Array<[string, (s: PagedSpace) => unknown]> = [
    ["readFallible into typed memory", (s) => s.reader(3, 2 * P).readFallible(VmWriter.from(new Uint8Array(64)))],
    ["writeFallible from typed memory", (s) => s.writer(P + 3, 2 * P).writeFallible(VmReader.from(pattern(64)))],
    ["a copy within the space (bounced)", (s) => s.reader(1, P + 5).readFallible(s.writer(4, P + 8))],
    ["a copy to another shared space", (s) => s.reader(0, 2 * P).readFallible(makeSpace({ shared: true }).writer(4 * P, 5 * P))],
    ["fillZeros", (s) => s.writer(4 * P, 5 * P).fillZeros(P)],
    ["readVal", (s) => s.reader(4, 2 * P).readVal(u32)],
    ["readVal straddling pages", (s) => s.reader(P - 2, 2 * P).readVal(u32)],
    ["writeVal", (s) => s.writer(4, 2 * P).writeVal(u32, 7)],
    ["writeVal straddling pages", (s) => s.writer(P - 2, 2 * P).writeVal(u32, 7)],
    ["atomicLoad", (s) => s.reader(P, 2 * P).atomicLoad(u32)],
    ["atomicCompareExchange", (s) => s.writer(P, 2 * P).atomicCompareExchange(s.reader(P, 2 * P), u32, 0, 1)],
    // Faults: the critical section is left on the way out too.
    ["readFallible up to a hole", (s) => s.reader(P, 3 * P).readFallible(VmWriter.from(new Uint8Array(64)))],
    ["writeVal into a read-only page", (s) => s.writer(3 * P, 4 * P).writeVal(u32, 1)],
    ["fillZeros up to a hole", (s) => s.writer(P, 3 * P).fillZeros(2 * P)],
    ["readVal in a hole", (s) => s.reader(2 * P, 3 * P).readVal(u32)],
  ];

  for (const [name, op] of ops) {
    test(name, () => {
      const s = makeSpace({ shared: true });
      try {
        op(s);
      } catch (e) {
        assert.ok(e instanceof VmError && e.code === "PageFault", `${name}: only a page fault may end it (${String(e)})`);
      }
      check(s, name);
    });
  }

  test("a run that throws still leaves the critical section", () => {
    const s = makeSpace({ shared: true });
    s.onRun = () => {
      throw new TypeError("space disposed");
    };
    assert.throws(() => s.reader(0, P).readFallible(VmWriter.from(new Uint8Array(P))), TypeError);
    assert.throws(() => s.reader(0, P).readVal(u32), TypeError);
    assert.throws(() => s.writer(0, P).fillZeros(4), TypeError);
    assert.equal(s.depth, 0);
  });

  test("an unshared space is never asked to enter", () => {
    const s = makeSpace();
    s.reader(3, 2 * P).readFallible(VmWriter.from(new Uint8Array(64)));
    s.reader(1, P + 5).readFallible(s.writer(4, P + 8));
    s.writer(4 * P, 5 * P).fillZeros(P);
    s.reader(P - 2, 2 * P).readVal(u32);
    assert.equal(s.enters, 0);
  });
});

describe("values through a paged memory space", () => {
  test("readVal of a value that straddles two mapped pages gathers it", () => {
    const space = makeSpace();
    const r = space.reader(P - 2, 2 * P);
    const expected = [0, 1, 2, 3].reduce((v, i) => v + (space.byteAt(P - 2 + i) as number) * 2 ** (8 * i), 0);
    assert.equal(r.readVal(u32), expected);
    assert.equal(r.cursor(), P + 2);
  });

  test("readVal of a value that straddles into a hole is PageFault and does not move", () => {
    const space = makeSpace();
    const r = space.reader(2 * P - 4, 3 * P);
    assert.throws(() => r.readVal(u64), isPageFault(0));
    assert.equal(r.cursor(), 2 * P - 4);
    assert.equal(r.readVal(u32), new DataView(space.ram.buffer).getUint32(P - 4, true));
  });

  test("writeVal of a value that straddles into a read-only page is PageFault and writes nothing", () => {
    const space = new PagedSpace(P, [
      { frame: 0, writable: true },
      { frame: 1, writable: false },
    ]);
    const before = Array.from(space.ram);
    const w = space.writer(P - 4, 2 * P);
    assert.throws(() => w.writeVal(u64, 2n ** 64n - 1n), isPageFault(0));
    assert.throws(() => w.writeVal(struct({ a: u32, b: u16 }), { a: 1, b: 2 }), isPageFault(0));
    assert.equal(w.cursor(), P - 4);
    assert.deepEqual(Array.from(space.ram), before);
  });

  test("writeVal of a value that straddles two writable pages writes both parts", () => {
    const space = makeSpace();
    const w = space.writer(P - 1, 2 * P);
    w.writeVal(u16, 0xbbaa);
    assert.equal(space.byteAt(P - 1), 0xaa);
    assert.equal(space.byteAt(P), 0xbb);
    assert.equal(w.cursor(), P + 1);
  });

  test("atomicLoad on an unmapped page is PageFault", () => {
    const space = makeSpace();
    assert.throws(() => space.reader(2 * P, 3 * P).atomicLoad(u32), isPageFault(0));
    assert.equal(space.reader(P, 2 * P).atomicLoad(u32), new DataView(space.ram.buffer).getUint32(0, true));
  });

  test("atomicCompareExchange on a read-only page is PageFault (a write access)", () => {
    const space = makeSpace();
    const before = Array.from(space.ram);
    const w = space.writer(3 * P, 4 * P);
    const r = space.reader(3 * P, 4 * P);
    const current = r.atomicLoad(u32);
    assert.throws(() => w.atomicCompareExchange(r, u32, current, 1), isPageFault(0));
    assert.deepEqual(Array.from(space.ram), before);
  });

  test("atomicCompareExchange with a reader of another space at the same address is a RangeError", () => {
    const a = makeSpace();
    const b = makeSpace();
    const before = Array.from(a.ram);
    assert.throws(() => a.writer(P, 2 * P).atomicCompareExchange(b.reader(P, 2 * P), u32, 0, 1), RangeError);
    assert.throws(() => a.writer(P, 2 * P).atomicCompareExchange(a.reader(P + 4, 2 * P), u32, 0, 1), RangeError);
    assert.deepEqual(Array.from(a.ram), before);
  });
});
