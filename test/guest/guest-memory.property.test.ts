// Model-based fuzz test of guest memory: random memories (a WebAssembly.Memory
// that grows, a resizable ArrayBuffer that grows and shrinks), random guest
// arguments — any int32 or uint32, most of them hostile — and random
// sequences of reader/writer copies, fills, values, VmIo calls, C strings and
// iovec imports, run against vmio and against a plain byte-array model.
// Counts, contents, fault positions and every byte of memory must agree after
// each step, and nothing a guest can pass may make vmio throw anything but a
// VmError.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  GuestMemory,
  IOV_MAX,
  Iovec32,
  VmError,
  VmReader,
  VmReaderArray,
  VmWriter,
  VmWriterArray,
  readCString,
  u16,
  u32,
  u8,
  type Fallible,
  type PodOnceType,
} from "../../src/index.js";
import { resizableBuffer, wasmMemory } from "./support.js";

const WASM_PAGE = 65536;

/** A pointer-like argument: an offset from the current end of memory, or an absolute value a guest chose. */
type Arg = { near: number } | { abs: number };
const argArb: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -24, max: 16 }).map((near) => ({ near })) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 600 }).map((abs) => ({ abs })) },
  { weight: 2, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }).map((abs) => ({ abs })) },
  { weight: 1, arbitrary: fc.constantFrom(-1, -4, -(2 ** 31), 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32 - 4).map((abs) => ({ abs })) },
);
/** A length: mostly small, sometimes hostile. */
const lenArb: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 80 }).map((abs) => ({ abs })) },
  { weight: 1, arbitrary: fc.constantFrom(-1, -(2 ** 31), 2 ** 31, 2 ** 32 - 1, 4096).map((abs) => ({ abs })) },
);

function resolve(a: Arg, size: number): number {
  if ("abs" in a) return a.abs;
  // Relative to the end, kept a valid int32/uint32.
  return Math.max(0, size + a.near);
}

const u = (x: number): number => x >>> 0;

type Op =
  | { kind: "grow"; by: number }
  | { kind: "newReader"; p: Arg; n: Arg }
  | { kind: "newWriter"; p: Arg; n: Arg }
  | { kind: "readFallible"; which: number; room: number }
  | { kind: "writeFallible"; which: number; data: number[] }
  | { kind: "fillZerosW"; which: number; n: number }
  | { kind: "readValR"; which: number; t: number }
  | { kind: "writeValW"; which: number; t: number; v: number }
  | { kind: "readBytes"; p: Arg; n: number }
  | { kind: "writeBytes"; p: Arg; data: number[] }
  | { kind: "fillZeros"; p: Arg; n: Arg }
  | { kind: "readVal"; p: Arg; t: number }
  | { kind: "writeVal"; p: Arg; t: number; v: number }
  | { kind: "readOnce"; p: Arg; t: number }
  | { kind: "writeOnce"; p: Arg; t: number; v: number }
  | { kind: "check"; p: Arg; n: Arg }
  | { kind: "cstring"; p: Arg; n: Arg; max: number }
  | { kind: "iovecs"; at: Arg; count: number; recs: Array<[Arg, Arg]>; write: boolean; room: number };

const types = [u8, u16, u32] as Array<PodOnceType<number>>;
const tArb = fc.integer({ min: 0, max: 2 });
const which = fc.nat(7);
const bytesArb = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 });

const opArb = (shrinks: boolean): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: shrinks ? -3000 : 0, max: 3000 }).map((by) => ({ kind: "grow" as const, by })) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("newReader" as const), p: argArb, n: lenArb }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("newWriter" as const), p: argArb, n: lenArb }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("readFallible" as const), which, room: fc.integer({ min: 0, max: 120 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("writeFallible" as const), which, data: bytesArb }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("fillZerosW" as const), which, n: fc.integer({ min: 0, max: 100 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("readValR" as const), which, t: tArb }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("writeValW" as const), which, t: tArb, v: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("readBytes" as const), p: argArb, n: fc.integer({ min: 0, max: 64 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("writeBytes" as const), p: argArb, data: bytesArb }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("fillZeros" as const), p: argArb, n: lenArb }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("readVal" as const), p: argArb, t: tArb }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("writeVal" as const), p: argArb, t: tArb, v: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("readOnce" as const), p: argArb, t: tArb }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("writeOnce" as const), p: argArb, t: tArb, v: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("check" as const), p: argArb, n: lenArb }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("cstring" as const), p: argArb, n: lenArb, max: fc.integer({ min: 0, max: 90 }) }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("iovecs" as const),
        at: argArb,
        count: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(IOV_MAX, IOV_MAX + 1, -1, -(2 ** 31), 2 ** 32 - 1)),
        recs: fc.array(fc.tuple(argArb, lenArb), { maxLength: 5 }),
        write: fc.boolean(),
        room: fc.integer({ min: 0, max: 200 }),
      }),
    },
    {
      // Mostly well-formed vectors, so that gathers and scatters run often.
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("iovecs" as const),
        at: fc.integer({ min: 0, max: 64 }).map((abs): Arg => ({ abs })),
        count: fc.constant(5),
        recs: fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }).map((abs): Arg => ({ abs })), fc.integer({ min: 0, max: 30 }).map((abs): Arg => ({ abs }))), {
          maxLength: 5,
        }),
        write: fc.boolean(),
        room: fc.integer({ min: 0, max: 200 }),
      }),
    },
  );

interface ModelCursor {
  pos: number;
  end: number;
  write: boolean;
  real: VmReader<Fallible> | VmWriter<Fallible>;
}

/** Runs `f`; returns its value, or the VmError it threw. Anything else thrown fails the test. */
function guarded<T>(what: string, f: () => T): T | VmError {
  try {
    return f();
  } catch (e) {
    assert.ok(e instanceof VmError, `${what}: a guest argument made vmio throw ${String(e)}`);
    return e;
  }
}

function faultOr<T>(r: T | VmError, code: "PageFault" | "InvalidArgs", copied = 0): void {
  assert.ok(r instanceof VmError, `expected VmError ${code}, got ${String(r)}`);
  assert.equal(r.code, code, r.message);
  assert.equal(r.copied, copied, `copied (${r.message})`);
}

function scenario(kind: "wasm" | "resizable") {
  return fc.record({
    initial: kind === "wasm" ? fc.constant(WASM_PAGE) : fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 256, max: 2048 })),
    ops: fc.array(opArb(kind === "resizable"), { minLength: 1, maxLength: 40 }),
  });
}

function run(kind: "wasm" | "resizable", s: { initial: number; ops: Op[] }): void {
  const MAX = kind === "wasm" ? 4 * WASM_PAGE : 8192;
  let model = new Uint8Array(s.initial).map((_, i) => (i * 13 + 5) & 0xff);
  let grow: (to: number) => void;
  let bytes: () => Uint8Array;
  let guest: GuestMemory;
  if (kind === "wasm") {
    const memory = wasmMemory(1, MAX / WASM_PAGE);
    new Uint8Array(memory.buffer).set(model);
    guest = new GuestMemory(memory);
    grow = (to) => {
      const pages = Math.ceil((to - model.length) / WASM_PAGE);
      if (pages > 0) memory.grow(pages);
    };
    bytes = () => new Uint8Array(memory.buffer);
  } else {
    const rab = resizableBuffer(s.initial, MAX);
    new Uint8Array(rab).set(model);
    guest = new GuestMemory(rab);
    grow = (to) => rab.resize(to);
    bytes = () => new Uint8Array(rab);
  }
  const cursors: ModelCursor[] = [];
  const size = (): number => model.length;
  const inside = (p: number, n: number): boolean => p + n <= size();

  for (const op of s.ops) {
    switch (op.kind) {
      case "grow": {
        const to = Math.min(MAX, Math.max(0, size() + op.by));
        if (kind === "wasm" && to <= size()) break;
        grow(to);
        const next = new Uint8Array(kind === "wasm" ? size() + Math.ceil((to - size()) / WASM_PAGE) * WASM_PAGE : to);
        next.set(model.subarray(0, Math.min(model.length, next.length)));
        model = next;
        break;
      }
      case "newReader":
      case "newWriter": {
        const p = resolve(op.p, size());
        const n = resolve(op.n, size());
        const write = op.kind === "newWriter";
        const real = guarded(op.kind, () => (write ? guest.writer(p, n) : guest.reader(p, n)));
        assert.ok(!(real instanceof VmError), "making a reader or writer never faults");
        assert.equal(real.cursor(), u(p));
        cursors.push({ pos: u(p), end: u(p) + u(n), write, real });
        if (cursors.length > 8) cursors.shift();
        break;
      }
      case "readFallible":
      case "writeFallible":
      case "fillZerosW": {
        const c = cursors.filter((x) => x.write === (op.kind !== "readFallible"))[op.which % 8];
        if (c === undefined) break;
        const want = op.kind === "readFallible" ? op.room : op.kind === "writeFallible" ? op.data.length : op.n;
        const n = Math.min(c.end - c.pos, want);
        const ok = Math.max(0, Math.min(n, size() - c.pos));
        const host = new Uint8Array(want + 4).fill(0xcd);
        if (op.kind === "readFallible") {
          const r = guarded("readFallible", () => (c.real as VmReader<Fallible>).readFallible(VmWriter.from(host.subarray(0, want))));
          if (ok < n) faultOr(r, "PageFault", ok);
          else assert.equal(r, n);
          assert.deepEqual(host.subarray(0, ok), model.subarray(c.pos, c.pos + ok));
          assert.ok(host.subarray(ok).every((b) => b === 0xcd), "nothing past the copied bytes");
        } else if (op.kind === "writeFallible") {
          const data = Uint8Array.from(op.data);
          const r = guarded("writeFallible", () => (c.real as VmWriter<Fallible>).writeFallible(VmReader.from(data)));
          if (ok < n) faultOr(r, "PageFault", ok);
          else assert.equal(r, n);
          if (ok > 0) model.set(data.subarray(0, ok), c.pos);
        } else {
          const r = guarded("fillZeros", () => (c.real as VmWriter<Fallible>).fillZeros(op.n));
          if (ok < n) faultOr(r, "PageFault", ok);
          else assert.equal(r, n);
          model.fill(0, c.pos, c.pos + ok);
        }
        c.pos += ok;
        assert.equal(c.real.cursor(), c.pos);
        break;
      }
      case "readValR":
      case "writeValW": {
        const c = cursors.filter((x) => x.write === (op.kind === "writeValW"))[op.which % 8];
        if (c === undefined) break;
        const t = types[op.t] as PodOnceType<number>;
        const v = op.kind === "writeValW" ? op.v % 2 ** (8 * t.size) : 0;
        const r = guarded(op.kind, () =>
          op.kind === "readValR" ? (c.real as VmReader<Fallible>).readVal(t) : (c.real as VmWriter<Fallible>).writeVal(t, v),
        );
        if (c.end - c.pos < t.size) faultOr(r, "InvalidArgs");
        else if (!inside(c.pos, t.size)) faultOr(r, "PageFault");
        else {
          if (op.kind === "readValR") assert.equal(r, readModel(model, c.pos, t.size));
          else writeModel(model, c.pos, t.size, v);
          c.pos += t.size;
        }
        assert.equal(c.real.cursor(), c.pos);
        break;
      }
      case "readBytes": {
        const p = resolve(op.p, size());
        const host = new Uint8Array(op.n).fill(0xcd);
        const r = guarded("readBytes", () => guest.readBytes(p, host));
        if (inside(u(p), op.n)) assert.deepEqual(host, model.subarray(u(p), u(p) + op.n));
        else {
          faultOr(r, "PageFault");
          assert.ok(host.every((b) => b === 0xcd));
        }
        break;
      }
      case "writeBytes": {
        const p = resolve(op.p, size());
        const data = Uint8Array.from(op.data);
        const r = guarded("writeBytes", () => guest.writeBytes(p, data));
        if (inside(u(p), data.length)) model.set(data, u(p));
        else faultOr(r, "PageFault");
        break;
      }
      case "fillZeros": {
        const p = resolve(op.p, size());
        const n = resolve(op.n, size());
        const r = guarded("fillZeros", () => guest.fillZeros(p, n));
        if (inside(u(p), u(n))) model.fill(0, u(p), u(p) + u(n));
        else faultOr(r, "PageFault");
        break;
      }
      case "readVal":
      case "writeVal":
      case "readOnce":
      case "writeOnce": {
        const p = resolve(op.p, size());
        const t = types[op.t] as PodOnceType<number>;
        const v = op.kind === "writeVal" || op.kind === "writeOnce" ? op.v % 2 ** (8 * t.size) : 0;
        const r = guarded(op.kind, () => {
          switch (op.kind) {
            case "readVal":
              return guest.readVal(p, t);
            case "writeVal":
              return guest.writeVal(p, t, v);
            case "readOnce":
              return guest.readOnce(p, t);
            default:
              return guest.writeOnce(p, t, v);
          }
        });
        const once = op.kind === "readOnce" || op.kind === "writeOnce";
        if (!inside(u(p), t.size)) faultOr(r, "PageFault");
        else if (once && u(p) % t.size !== 0) faultOr(r, "InvalidArgs");
        else if (op.kind === "readVal" || op.kind === "readOnce") assert.equal(r, readModel(model, u(p), t.size));
        else writeModel(model, u(p), t.size, v);
        break;
      }
      case "check": {
        const p = resolve(op.p, size());
        const n = resolve(op.n, size());
        const r = guarded("check", () => guest.check(p, n));
        if (inside(u(p), u(n))) assert.equal(r, u(p));
        else faultOr(r, "PageFault");
        break;
      }
      case "cstring": {
        const p = resolve(op.p, size());
        const n = resolve(op.n, size());
        const r = guarded("reader", () => guest.reader(p, n));
        assert.ok(!(r instanceof VmError));
        const got = guarded("readCString", () => readCString(r, op.max));
        // The model: scan up to maxLen bytes and the reader's end; a byte past memory faults.
        const start = u(p);
        const limit = Math.min(op.max, u(n));
        let expected: Uint8Array | null | { fault: number } = null;
        for (let i = 0; i < limit; i++) {
          if (start + i >= size()) {
            expected = { fault: i };
            break;
          }
          if (model[start + i] === 0) {
            expected = model.slice(start, start + i);
            break;
          }
        }
        if (expected !== null && "fault" in expected) {
          faultOr(got, "PageFault", expected.fault);
          assert.equal(r.cursor(), start + expected.fault);
        } else {
          assert.deepEqual(got, expected);
          assert.equal(r.cursor(), start + (expected === null ? limit : expected.length + 1));
        }
        break;
      }
      case "iovecs": {
        const at = resolve(op.at, size());
        const recs = op.recs.map(([b, l]) => [u(resolve(b, size())), u(resolve(l, size()))] as const);
        // Store the records where the guest says they are, if they fit (as a guest would).
        recs.forEach(([base, len], i) => {
          const where = u(at) + i * 8;
          if (where + 8 <= size()) {
            writeModel(model, where, 4, base);
            writeModel(model, where + 4, 4, len);
            guest.writeVal(where, Iovec32, { base, len });
          }
        });
        // 5 stands for "as many as were written"; other counts read whatever memory holds.
        const count = op.count === 5 ? recs.length : op.count;
        const r = guarded("fromIovecs", () =>
          op.write ? VmWriterArray.fromIovecs(guest, at, count, Iovec32) : VmReaderArray.fromIovecs(guest, at, count, Iovec32),
        );
        // The model: count checked, then the array, then every buffer, then empties left out.
        const c = count >>> 0;
        if (count < 0 || count > IOV_MAX) {
          faultOr(r, "InvalidArgs");
          break;
        }
        if (c !== 0 && !inside(u(at), c * 8)) {
          faultOr(r, "PageFault");
          break;
        }
        const buffers: Array<[number, number]> = [];
        let bad = false;
        for (let i = 0; i < c; i++) {
          const base = readModel(model, u(at) + i * 8, 4);
          const len = readModel(model, u(at) + i * 8 + 4, 4);
          if (!inside(base, len)) bad = true;
          else if (len > 0) buffers.push([base, len]);
        }
        if (bad) {
          faultOr(r, "PageFault");
          break;
        }
        assert.ok(!(r instanceof VmError), String(r));
        const total = buffers.reduce((sum, [, len]) => sum + len, 0);
        assert.equal(r.sumLens(), total);
        const n = Math.min(total, op.room);
        if (r instanceof VmReaderArray) {
          const host = new Uint8Array(op.room);
          assert.equal(r.readFallible(VmWriter.from(host)), n);
          const expected = new Uint8Array(total);
          let off = 0;
          for (const [base, len] of buffers) {
            expected.set(model.subarray(base, base + len), off);
            off += len;
          }
          assert.deepEqual(host.subarray(0, n), expected.subarray(0, n));
          assert.equal(r.readers().length, buffers.length);
        } else {
          const data = new Uint8Array(op.room).map((_, i) => (i * 7 + 1) & 0xff);
          assert.equal((r as VmWriterArray).writeFallible(VmReader.from(data)), n);
          let off = 0;
          for (const [base, len] of buffers) {
            const k = Math.min(len, n - off);
            if (k <= 0) break;
            model.set(data.subarray(off, off + k), base);
            off += k;
          }
        }
        break;
      }
    }
    assert.equal(guest.size(), model.length, `size after ${op.kind}`);
    assert.deepEqual(bytes(), model, `memory after ${op.kind}`);
  }
}

function readModel(m: Uint8Array, p: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + (m[p + i] as number);
  return v;
}

function writeModel(m: Uint8Array, p: number, size: number, v: number): void {
  for (let i = 0; i < size; i++) {
    m[p + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
}

test("model: a resizable ArrayBuffer that grows and shrinks, hostile arguments, every guest-facing call", () => {
  fc.assert(fc.property(scenario("resizable"), (s) => run("resizable", s)), { seed: 909, numRuns: 300 });
});

test("model: a WebAssembly.Memory that grows, hostile arguments, every guest-facing call", () => {
  fc.assert(fc.property(scenario("wasm"), (s) => run("wasm", s)), { seed: 910, numRuns: 60 });
});
