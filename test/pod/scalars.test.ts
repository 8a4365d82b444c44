// The scalar Pod types: layout, little-endian codecs, 64-bit bigints, and
// value validation (a rejected value never reaches memory).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  VmReader,
  VmWriter,
  alignOf,
  f32,
  f64,
  i16,
  i32,
  i64,
  i8,
  isize,
  sizeOf,
  u16,
  u32,
  u64,
  u8,
  usize,
  type PodType,
} from "../../src/index.js";
import { descriptor } from "./support.js";

/** Encodes one value at offset 0 of a fresh buffer and returns the bytes written. */
function encode<T>(t: PodType<T>, value: T): number[] {
  const buf = new Uint8Array(sizeOf(t));
  VmWriter.from(buf).writeVal(t, value);
  return Array.from(buf);
}

/** Decodes one value from exactly these bytes. */
function decode<T>(t: PodType<T>, bytes: number[]): T {
  const r = VmReader.from(new Uint8Array(bytes));
  const value = r.readVal(t);
  assert.equal(r.remain(), 0);
  return value;
}

function roundTrip<T>(t: PodType<T>, value: T): T {
  return decode(t, encode(t, value));
}

// Writing a rejected value must leave both the memory and the cursor alone.
function assertRejected<T>(t: PodType<T>, value: unknown, error: typeof TypeError | typeof RangeError): void {
  const buf = new Uint8Array(sizeOf(t) + 2).fill(0xa5);
  const w = VmWriter.from(buf);
  w.skip(1);
  assert.throws(() => w.writeVal(t, value as T), error);
  assert.equal(w.cursor(), 1);
  assert.deepEqual(Array.from(buf), new Array(buf.length).fill(0xa5));
}

const layout: Array<[string, PodType<unknown>, number]> = [
  ["u8", u8, 1],
  ["u16", u16, 2],
  ["u32", u32, 4],
  ["u64", u64, 8],
  ["i8", i8, 1],
  ["i16", i16, 2],
  ["i32", i32, 4],
  ["i64", i64, 8],
  ["usize", usize, 8],
  ["isize", isize, 8],
  ["f32", f32, 4],
  ["f64", f64, 8],
];

describe("scalar layout", () => {
  for (const [name, t, size] of layout) {
    test(`${name} has size ${size} and alignment ${size}`, () => {
      assert.equal(sizeOf(t), size);
      assert.equal(alignOf(t), size);
      assert.equal(t.size, size);
      assert.equal(t.align, size);
    });
  }
});

describe("little-endian byte order", () => {
  test("u16, u32 and u64 store the least significant byte first", () => {
    assert.deepEqual(encode(u16, 0x0201), [1, 2]);
    assert.deepEqual(encode(u32, 0x04030201), [1, 2, 3, 4]);
    assert.deepEqual(encode(u64, 0x0807060504030201n), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(encode(usize, 0x0807060504030201n), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test("decoding reads the least significant byte first", () => {
    assert.equal(decode(u16, [0x34, 0x12]), 0x1234);
    assert.equal(decode(u32, [0xef, 0xbe, 0xad, 0xde]), 0xdeadbeef);
    assert.equal(decode(i32, [0xef, 0xbe, 0xad, 0xde]), 0xdeadbeef - 2 ** 32);
    assert.equal(decode(u64, [0xef, 0xbe, 0xad, 0xde, 0x78, 0x56, 0x34, 0x12]), 0x12345678deadbeefn);
  });

  test("f32 and f64 are IEEE 754 little-endian", () => {
    assert.deepEqual(encode(f32, 1), [0x00, 0x00, 0x80, 0x3f]);
    assert.deepEqual(encode(f64, 1), [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    assert.equal(decode(f32, [0x00, 0x00, 0x20, 0xc0]), -2.5);
  });
});

describe("unsigned and signed integers", () => {
  const extremes: Array<[string, PodType<number>, number[]]> = [
    ["u8", u8, [0, 1, 0x7f, 0x80, 0xff]],
    ["u16", u16, [0, 1, 0x7fff, 0x8000, 0xffff]],
    ["u32", u32, [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff]],
    ["i8", i8, [-0x80, -1, 0, 1, 0x7f]],
    ["i16", i16, [-0x8000, -1, 0, 1, 0x7fff]],
    ["i32", i32, [-0x8000_0000, -1, 0, 1, 0x7fff_ffff]],
  ];
  for (const [name, t, values] of extremes) {
    test(`${name} round-trips its extremes`, () => {
      for (const v of values) assert.equal(roundTrip(t, v), v);
    });
  }

  test("negative i8/i16/i32 values are stored in two's complement", () => {
    assert.deepEqual(encode(i8, -1), [0xff]);
    assert.deepEqual(encode(i8, -128), [0x80]);
    assert.deepEqual(encode(i16, -2), [0xfe, 0xff]);
    assert.deepEqual(encode(i32, -0x8000_0000), [0, 0, 0, 0x80]);
    assert.deepEqual(encode(i32, -1), [0xff, 0xff, 0xff, 0xff]);
  });

  test("the same bytes decode as unsigned or signed by type", () => {
    assert.equal(decode(u8, [0xff]), 255);
    assert.equal(decode(i8, [0xff]), -1);
    assert.equal(decode(u16, [0x00, 0x80]), 0x8000);
    assert.equal(decode(i16, [0x00, 0x80]), -0x8000);
  });

  test("-0 is accepted as an integer and stored as 0", () => {
    assert.deepEqual(encode(u32, -0), [0, 0, 0, 0]);
    assert.ok(Object.is(roundTrip(i8, -0), 0));
  });
});

describe("64-bit integers are bigints", () => {
  for (const [name, t] of [
    ["u64", u64],
    ["usize", usize],
  ] as const) {
    test(`${name} decodes to a bigint and round-trips 0n and 2^64-1`, () => {
      assert.equal(typeof decode(t, [0, 0, 0, 0, 0, 0, 0, 0]), "bigint");
      for (const v of [0n, 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]) assert.equal(roundTrip(t, v), v);
      assert.equal(decode(t, new Array(8).fill(0xff)), 2n ** 64n - 1n);
    });
  }
  for (const [name, t] of [
    ["i64", i64],
    ["isize", isize],
  ] as const) {
    test(`${name} decodes to a bigint and round-trips -(2^63) and 2^63-1`, () => {
      assert.equal(typeof decode(t, [0, 0, 0, 0, 0, 0, 0, 0]), "bigint");
      for (const v of [-(2n ** 63n), -(2n ** 53n) - 1n, -1n, 0n, 1n, 2n ** 63n - 1n]) assert.equal(roundTrip(t, v), v);
      assert.equal(decode(t, new Array(8).fill(0xff)), -1n);
      assert.deepEqual(encode(t, -(2n ** 63n)), [0, 0, 0, 0, 0, 0, 0, 0x80]);
    });
  }
});

describe("64-bit codecs against DataView's bigint accessors", () => {
  // The 64-bit codecs go through a scratch word and two 32-bit halves
  // (scalars.ts, `wide`), not `getBigUint64`/`setBigUint64`: they must read
  // and write exactly the bytes those do, at any offset (aligned or not) of
  // a view that need not start at its buffer's start, and touch nothing else.
  const wideTypes = [
    ["u64", u64, false],
    ["usize", usize, false],
    ["i64", i64, true],
    ["isize", isize, true],
  ] as const;
  const value = (signed: boolean): fc.Arbitrary<bigint> =>
    fc.oneof(
      signed ? fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) : fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.constantFrom(...(signed ? [-(2n ** 63n), -1n, 0n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 63n - 1n] : [0n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n])),
    );
  for (const [name, t, signed] of wideTypes) {
    test(`${name}: store and decode agree with DataView at every offset`, () => {
      const d = descriptor(t);
      fc.assert(
        fc.property(value(signed), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), (v, start, o) => {
          const mine = new DataView(new ArrayBuffer(24), start, 16);
          const theirs = new DataView(new ArrayBuffer(24), start, 16);
          new Uint8Array(mine.buffer).fill(0xa5);
          new Uint8Array(theirs.buffer).fill(0xa5);
          d.store(mine, o, d.snapshot(v, "value"));
          if (signed) theirs.setBigInt64(o, v, true);
          else theirs.setBigUint64(o, v, true);
          assert.deepEqual(new Uint8Array(mine.buffer), new Uint8Array(theirs.buffer));
          const back = d.decode(mine, o);
          assert.equal(typeof back, "bigint");
          assert.equal(back, v);
          assert.equal(back, signed ? theirs.getBigInt64(o, true) : theirs.getBigUint64(o, true));
        }),
        { seed: 64, numRuns: 500 },
      );
    });
  }

  test("a 64-bit store into a detached buffer throws a TypeError, as DataView's does", () => {
    const buf = new ArrayBuffer(16);
    const view = new DataView(buf);
    structuredClone(buf, { transfer: [buf] });
    assert.throws(() => descriptor(u64).store(view, 0, descriptor(u64).snapshot(1n, "value")), TypeError);
    assert.throws(() => descriptor(i64).decode(view, 0), TypeError);
  });

  test("a detached buffer under a writer is a TypeError for a u64 field too, and the cursor stays", () => {
    const buf = new ArrayBuffer(16);
    const w = VmWriter.from(new Uint8Array(buf));
    structuredClone(buf, { transfer: [buf] });
    assert.throws(() => w.writeVal(u64, 5n), TypeError);
    assert.equal(w.cursor(), 0);
  });
});

describe("floats", () => {
  test("f32 rounds to the nearest single-precision value", () => {
    assert.equal(roundTrip(f32, 0.1), Math.fround(0.1));
    assert.notEqual(roundTrip(f32, 0.1), 0.1);
    assert.equal(roundTrip(f32, 16777217), 16777216);
    assert.equal(roundTrip(f32, 1e40), Infinity);
    assert.equal(roundTrip(f32, -1e-50), -0);
  });

  test("f32 and f64 keep NaN, infinities and the sign of zero", () => {
    for (const t of [f32, f64]) {
      assert.ok(Number.isNaN(roundTrip(t, NaN)));
      assert.equal(roundTrip(t, Infinity), Infinity);
      assert.equal(roundTrip(t, -Infinity), -Infinity);
      assert.ok(Object.is(roundTrip(t, -0), -0));
    }
  });

  test("f64 round-trips every double exactly", () => {
    for (const v of [0.1, Math.PI, Number.MAX_VALUE, Number.MIN_VALUE, -Number.EPSILON, 2 ** 53 + 2]) {
      assert.equal(roundTrip(f64, v), v);
    }
  });
});

describe("value validation", () => {
  test("a value of the wrong type is a TypeError and writes nothing", () => {
    for (const t of [u8, u16, u32, i8, i16, i32, f32, f64] as PodType<number>[]) {
      for (const bad of ["1", 1n, null, undefined, true, {}, [1]]) assertRejected(t, bad, TypeError);
    }
    for (const t of [u64, i64, usize, isize] as PodType<bigint>[]) {
      for (const bad of [1, 0, "1", null, undefined, false, {}]) assertRejected(t, bad, TypeError);
    }
  });

  test("an out-of-range integer is a RangeError and writes nothing", () => {
    assertRejected(u8, 256, RangeError);
    assertRejected(u8, -1, RangeError);
    assertRejected(u16, 0x10000, RangeError);
    assertRejected(u32, 2 ** 32, RangeError);
    assertRejected(u32, -1, RangeError);
    assertRejected(i8, 128, RangeError);
    assertRejected(i8, -129, RangeError);
    assertRejected(i16, 0x8000, RangeError);
    assertRejected(i32, 2 ** 31, RangeError);
    assertRejected(i32, -(2 ** 31) - 1, RangeError);
    assertRejected(u64, 2n ** 64n, RangeError);
    assertRejected(u64, -1n, RangeError);
    assertRejected(usize, 2n ** 64n, RangeError);
    assertRejected(i64, 2n ** 63n, RangeError);
    assertRejected(i64, -(2n ** 63n) - 1n, RangeError);
    assertRejected(isize, 2n ** 63n, RangeError);
  });

  test("a fractional or non-finite integer is a RangeError and writes nothing", () => {
    for (const t of [u8, u16, u32, i8, i16, i32] as PodType<number>[]) {
      for (const bad of [0.5, 1.5, -0.5, NaN, Infinity, -Infinity]) assertRejected(t, bad, RangeError);
    }
  });

  test("floats accept every number", () => {
    for (const v of [NaN, Infinity, -0, 1e300, 0.1]) {
      assert.doesNotThrow(() => encode(f32, v));
      assert.doesNotThrow(() => encode(f64, v));
    }
  });
});

describe("the two forms of each scalar's check", () => {
  const all = { u8, u16, u32, u64, i8, i16, i32, i64, usize, isize, f32, f64 };
  // Candidates around every boundary, and values of every other type.
  const edges = [0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53)];
  for (const bits of [7, 8, 15, 16, 31, 32]) edges.push(2 ** bits, 2 ** bits - 1, -(2 ** bits), -(2 ** bits) - 1, 2 ** bits + 0.5);
  const bigs = [0n, 1n, -1n, 2n ** 63n, 2n ** 63n - 1n, -(2n ** 63n), -(2n ** 63n) - 1n, 2n ** 64n, 2n ** 64n - 1n];
  const others: unknown[] = ["1", "", null, undefined, true, {}, [], Symbol("s"), () => 1, new Number(1), Object(1n)];

  const refused = Symbol("refused");
  for (const [name, t] of Object.entries(all)) {
    test(`${name}: the generated-code check and the snapshot agree with the closure check on every candidate`, () => {
      const d = descriptor(t as PodType<unknown>);
      assert.equal(d.shape.kind, "scalar");
      const source = d.shape.kind === "scalar" ? d.shape.check : "";
      const generated = new Function("$", `return ${source};`) as (v: unknown) => boolean;
      const candidates = fc.sample(fc.oneof(fc.double(), fc.integer(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n })), { seed: 5, numRuns: 2000 });
      for (const v of [...edges, ...bigs, ...others, ...candidates]) {
        assert.equal(generated(v), d.valid(v), `${name} on ${String(v)}`);
        // The snapshot writes the same test out again: it accepts exactly what `valid` accepts, and returns the value itself.
        let snapped: unknown = refused;
        try {
          snapped = d.snapshot(v, "v");
        } catch {
          // refused
        }
        assert.equal(snapped !== refused, d.valid(v), `${name} snapshot on ${String(v)}`);
        if (snapped !== refused) assert.ok(Object.is(snapped, v));
      }
    });
  }
});
