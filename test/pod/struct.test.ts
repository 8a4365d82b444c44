// `struct`: repr(C) and packed layout, padding (zeroed on encode, hidden on
// decode), nesting, field-name rules, and all-or-nothing value validation;
// every codec test runs on both codec paths (closures and generated code).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  VmReader,
  VmWriter,
  alignOf,
  array as anyArray,
  f32,
  f64,
  i16,
  i32,
  i64,
  i8,
  sizeOf,
  struct as anyStruct,
  u16,
  u32,
  u64,
  u8,
  type PodType,
  type StructFields,
  type StructOptions,
} from "../../src/index.js";
import { codecPaths, isGenerated } from "./support.js";

/** Encodes `value` into a buffer that held 0xff everywhere and returns the bytes. */
function encodeOver<T>(t: PodType<T>, value: T, fill = 0xff): number[] {
  const buf = new Uint8Array(sizeOf(t)).fill(fill);
  VmWriter.from(buf).writeVal(t, value);
  return Array.from(buf);
}

function decode<T>(t: PodType<T>, bytes: ArrayLike<number>): T {
  return VmReader.from(Uint8Array.from(bytes)).readVal(t);
}

for (const [pathName, codegen] of codecPaths) {
  // Every struct and array in these tests is built on this path.
  const struct = <F extends StructFields>(fields: F, opts?: StructOptions) => anyStruct(fields, { ...opts, codegen });
  const array = <T>(elem: PodType<T>, length: number) => anyArray(elem, length, { codegen });

  describe(`codecs on the ${pathName} path`, () => {
    test("the structs and arrays of this suite are built on this path", () => {
      assert.equal(isGenerated(struct({ a: u32, b: u64 })), codegen);
      assert.equal(isGenerated(struct({ x: u8, inner: struct({ a: u16 }), list: array(u32, 3) })), codegen);
      assert.equal(isGenerated(array(u16, 4)), codegen);
    });

    describe("repr(C) layout", () => {
      test("struct({a: u32, b: u64}) has size 16, align 8, and b at offset 8", () => {
        const S = struct({ a: u32, b: u64 });
        assert.equal(sizeOf(S), 16);
        assert.equal(alignOf(S), 8);
        assert.deepEqual(encodeOver(S, { a: 0x11223344, b: 0x0102030405060708n }), [
          0x44, 0x33, 0x22, 0x11, 0, 0, 0, 0, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
        ]);
        const bytes = new Uint8Array(16);
        bytes.set([8, 7, 6, 5, 4, 3, 2, 1], 8);
        bytes.set([1, 0, 0, 0]);
        assert.deepEqual(decode(S, bytes), { a: 1, b: 0x0102030405060708n });
      });

      test("fields are laid out in declaration order, not by size", () => {
        const S = struct({ b: u8, a: u32 });
        assert.equal(sizeOf(S), 8);
        assert.deepEqual(encodeOver(S, { b: 0xaa, a: 0x01020304 }), [0xaa, 0, 0, 0, 4, 3, 2, 1]);
      });

      test("each field sits at its natural alignment", () => {
        const S = struct({ a: u8, b: u32, c: u16 });
        assert.equal(sizeOf(S), 12);
        assert.equal(alignOf(S), 4);
        assert.deepEqual(encodeOver(S, { a: 1, b: 0x05040302, c: 0x0706 }), [1, 0, 0, 0, 2, 3, 4, 5, 6, 7, 0, 0]);
      });

      test("trailing padding rounds the size up to the alignment", () => {
        const S1 = struct({ a: u64, b: u8 });
        assert.equal(sizeOf(S1), 16);
        assert.equal(alignOf(S1), 8);
        assert.deepEqual(encodeOver(S1, { a: 1n, b: 2 }), [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
        const S2 = struct({ a: u16, b: u8 });
        assert.equal(sizeOf(S2), 4);
        assert.equal(alignOf(S2), 2);
        const S3 = struct({ a: u8, b: u16, c: u8 });
        assert.equal(sizeOf(S3), 6);
        assert.deepEqual(encodeOver(S3, { a: 1, b: 0x0302, c: 4 }), [1, 0, 2, 3, 4, 0]);
      });

      test("a struct of bytes has no padding and alignment 1", () => {
        const S = struct({ a: u8, b: i8, c: u8 });
        assert.equal(sizeOf(S), 3);
        assert.equal(alignOf(S), 1);
      });

      test("an empty struct has size 0 and alignment 1 and decodes to {}", () => {
        const E = struct({});
        assert.equal(sizeOf(E), 0);
        assert.equal(alignOf(E), 1);
        const r = VmReader.from(new Uint8Array(0));
        assert.deepEqual(r.readVal(E), {});
        const w = VmWriter.from(new Uint8Array(0));
        w.writeVal(E, {});
        assert.equal(w.avail(), 0);
      });

      test("floats and signed fields are laid out like integers of their size", () => {
        const S = struct({ a: i8, b: f64, c: i16, d: f32, e: i32, f: i64 });
        // a@0, b@8, c@16, d@20, e@24, f@32, size 40
        assert.equal(sizeOf(S), 40);
        assert.equal(alignOf(S), 8);
        const v = { a: -1, b: 0.5, c: -2, d: 1.5, e: -3, f: -4n };
        const bytes = encodeOver(S, v);
        assert.equal(bytes[0], 0xff);
        assert.deepEqual(bytes.slice(1, 8), [0, 0, 0, 0, 0, 0, 0]);
        assert.deepEqual(bytes.slice(16, 18), [0xfe, 0xff]);
        assert.deepEqual(bytes.slice(24, 28), [0xfd, 0xff, 0xff, 0xff]);
        assert.deepEqual(bytes.slice(32, 40), [0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        assert.deepEqual(decode(S, bytes), v);
      });
    });

    describe("packed layout", () => {
      test("packed removes all padding and has alignment 1", () => {
        const P = struct({ a: u8, b: u32, c: u16 }, { packed: true });
        assert.equal(sizeOf(P), 7);
        assert.equal(alignOf(P), 1);
        assert.deepEqual(encodeOver(P, { a: 1, b: 0x05040302, c: 0x0706 }), [1, 2, 3, 4, 5, 6, 7]);
        assert.deepEqual(decode(P, [1, 2, 3, 4, 5, 6, 7]), { a: 1, b: 0x05040302, c: 0x0706 });
      });

      test("packed {a: u32, b: u64} is 12 bytes with b at offset 4", () => {
        const P = struct({ a: u32, b: u64 }, { packed: true });
        assert.equal(sizeOf(P), 12);
        assert.deepEqual(encodeOver(P, { a: 1, b: 2n }), [1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
      });

      test("packed: false is the default C layout", () => {
        const S = struct({ a: u8, b: u32 }, { packed: false });
        assert.equal(sizeOf(S), 8);
        assert.equal(alignOf(S), 4);
        assert.equal(sizeOf(struct({ a: u8, b: u32 }, {})), 8);
      });
    });

    describe("nesting", () => {
      const Inner = struct({ a: u32, b: u64 });

      test("a nested struct is aligned to its own alignment", () => {
        const Outer = struct({ x: u8, inner: Inner, y: u16 });
        // x@0, inner@8 (16 bytes), y@24, size 32
        assert.equal(sizeOf(Outer), 32);
        assert.equal(alignOf(Outer), 8);
        const v = { x: 7, inner: { a: 0x01020304, b: 0x05n }, y: 0x0908 };
        const bytes = encodeOver(Outer, v);
        assert.deepEqual(bytes, [
          7, 0, 0, 0, 0, 0, 0, 0, 4, 3, 2, 1, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 8, 9, 0, 0, 0, 0, 0, 0,
        ]);
        assert.deepEqual(decode(Outer, bytes), v);
      });

      test("a packed struct inside a C struct has alignment 1", () => {
        const P = struct({ a: u8, b: u32 }, { packed: true });
        const S = struct({ x: u8, p: P, y: u8 });
        assert.equal(sizeOf(S), 7);
        assert.equal(alignOf(S), 1);
        assert.deepEqual(encodeOver(S, { x: 1, p: { a: 2, b: 0x06050403 }, y: 7 }), [1, 2, 3, 4, 5, 6, 7]);
      });

      test("a C struct inside a packed struct keeps its own inner padding", () => {
        const P = struct({ x: u8, inner: Inner }, { packed: true });
        assert.equal(sizeOf(P), 17);
        assert.equal(alignOf(P), 1);
        const bytes = encodeOver(P, { x: 1, inner: { a: 2, b: 3n } });
        assert.deepEqual(bytes, [1, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
      });

      test("arrays inside structs are aligned to their element", () => {
        const S = struct({ tag: u8, data: array(u16, 3), tail: u8 });
        // tag@0, data@2..8, tail@8, size 10
        assert.equal(sizeOf(S), 10);
        assert.equal(alignOf(S), 2);
        const v = { tag: 1, data: [0x0302, 0x0504, 0x0706], tail: 8 };
        const bytes = encodeOver(S, v);
        assert.deepEqual(bytes, [1, 0, 2, 3, 4, 5, 6, 7, 8, 0]);
        assert.deepEqual(decode(S, bytes), v);
      });

      test("arrays of structs repeat the struct's trailing padding", () => {
        const E = struct({ a: u32, b: u8 });
        const A = array(E, 2);
        assert.equal(sizeOf(A), 16);
        const bytes = encodeOver(A, [
          { a: 1, b: 2 },
          { a: 3, b: 4 },
        ]);
        assert.deepEqual(bytes, [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]);
      });
    });

    describe("padding", () => {
      test("writeVal writes zeros into every padding byte even over 0xff", () => {
        const shapes: Array<[PodType<Record<string, unknown>>, Record<string, unknown>, number[]]> = [
          [struct({ a: u8, b: u16 }), { a: 1, b: 0x0302 }, [1, 0, 2, 3]],
          [struct({ a: u8, b: u32 }), { a: 1, b: 0 }, [1, 0, 0, 0, 0, 0, 0, 0]],
          [struct({ a: u8, b: u64 }), { a: 1, b: 0n }, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
          [struct({ a: u16, b: u8, c: u32, d: u8 }), { a: 0xffff, b: 0xff, c: 0xffffffff, d: 0xff }, [0xff, 0xff, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0]],
        ];
        for (const [S, v, expected] of shapes) {
          assert.deepEqual(encodeOver(S, v, 0xff), expected, S.name);
          assert.deepEqual(encodeOver(S, v, 0x5a), expected, S.name);
        }
      });

      test("structs of 1 to 9 fields, with padding and without, each of the first 5 types of a field count: every byte written, padding zeroed", () => {
        // The closure path gives the struct types of a field count its
        // factory copies in turn, and zeroes padding only for padded ones.
        for (let n = 1; n <= 9; n++) {
          for (const padded of [false, true]) {
            for (let type = 0; type < 5; type++) {
              // Unpadded: n u32s. Padded: a u8 (3 bytes of padding after it) then u32s;
              // for n = 1, a u8, one byte of padding, and a u16.
              const layout: Array<[key: string, type: PodType<number>, offset: number]> = [];
              for (let i = 0; i < n; i++) layout.push([`t${type}_${i}`, padded && i === 0 ? u8 : u32, 4 * i]);
              if (padded && n === 1) layout.push([`t${type}_pad`, u16, 2]);
              const S = struct(Object.fromEntries(layout.map(([key, t]) => [key, t])));
              const value = Object.fromEntries(layout.map(([key], i) => [key, 0x10 * type + i + 1]));
              const expected = new Uint8Array(sizeOf(S));
              const dv = new DataView(expected.buffer);
              for (const [key, t, offset] of layout) {
                const v = value[key] as number;
                if (t === u8) dv.setUint8(offset, v);
                else if (t === u16) dv.setUint16(offset, v, true);
                else dv.setUint32(offset, v, true);
              }
              assert.deepEqual(encodeOver(S, value, 0xff), Array.from(expected), S.name);
              assert.deepEqual(decode(S, expected), value, S.name);
            }
          }
        }
      });

      test("padding inside a struct in the middle of a buffer is zeroed and neighbours are untouched", () => {
        const S = struct({ a: u8, b: u32 });
        const buf = new Uint8Array(12).fill(0xff);
        const w = VmWriter.from(buf);
        w.skip(2);
        w.writeVal(S, { a: 0x11, b: 0x22 });
        assert.deepEqual(Array.from(buf), [0xff, 0xff, 0x11, 0, 0, 0, 0x22, 0, 0, 0, 0xff, 0xff]);
        assert.equal(w.cursor(), 10);
      });

      test("padding bytes never leak into decoded values", () => {
        const S = struct({ a: u8, b: u32, c: u8 });
        const v = decode(S, new Array(12).fill(0xff));
        assert.deepEqual(v, { a: 0xff, b: 0xffffffff, c: 0xff });
        assert.deepEqual(Object.keys(v), ["a", "b", "c"]);
        assert.equal(Object.getPrototypeOf(v), Object.prototype);
      });

      test("decoding after encoding over garbage yields exactly the value written", () => {
        const S = struct({ x: u8, inner: struct({ a: u16, b: u64 }), y: array(struct({ p: u32, q: u8 }), 2) });
        const v = { x: 1, inner: { a: 2, b: 3n }, y: [{ p: 4, q: 5 }, { p: 6, q: 7 }] };
        assert.deepEqual(decode(S, encodeOver(S, v, 0xee)), v);
      });
    });

    describe("many fields", () => {
      for (const n of [1, 2, 3, 4, 5, 8, 9, 17]) {
        test(`a struct of ${n} fields round-trips every field`, () => {
          const fields: Record<string, PodType<number>> = {};
          const value: Record<string, number> = {};
          for (let i = 0; i < n; i++) {
            fields[`f${i}`] = i % 3 === 0 ? u8 : i % 3 === 1 ? u32 : u16;
            value[`f${i}`] = (i * 37 + 5) & 0xff;
          }
          const S = struct(fields);
          const back = decode(S, encodeOver(S, value));
          assert.deepEqual(back, value);
          assert.deepEqual(Object.keys(back), Object.keys(value));
        });
      }
    });

    describe("value validation", () => {
      const S = struct({ a: u8, b: u32, c: u64 });
      const good = { a: 1, b: 2, c: 3n };

      function assertRejected(value: unknown, error: typeof TypeError | typeof RangeError, t: PodType<unknown> = S): void {
        const buf = new Uint8Array(sizeOf(t) + 4).fill(0xa5);
        const w = VmWriter.from(buf);
        w.skip(2);
        assert.throws(() => w.writeVal(t, value), error);
        assert.equal(w.cursor(), 2, "cursor unchanged");
        assert.deepEqual(Array.from(buf), new Array(buf.length).fill(0xa5), "buffer unchanged");
      }

      test("a non-object value is a TypeError and writes nothing", () => {
        for (const bad of [null, undefined, 1, "x", 1n, true]) assertRejected(bad, TypeError);
      });

      test("a missing or wrongly typed field is a TypeError and writes nothing", () => {
        assertRejected({ a: 1, b: 2 }, TypeError);
        assertRejected({}, TypeError);
        assertRejected({ ...good, c: 3 }, TypeError);
        assertRejected({ ...good, a: "1" }, TypeError);
      });

      test("an out-of-range field is a RangeError and writes nothing, even when it is the last field", () => {
        assertRejected({ ...good, a: 256 }, RangeError);
        assertRejected({ ...good, b: 1.5 }, RangeError);
        assertRejected({ ...good, c: 2n ** 64n }, RangeError);
      });

      test("an invalid field of a nested struct or array writes nothing", () => {
        const N = struct({ x: u32, inner: struct({ a: u8, b: u16 }), list: array(u8, 2) });
        const ok = { x: 1, inner: { a: 1, b: 2 }, list: [1, 2] };
        assert.doesNotThrow(() => VmWriter.from(new Uint8Array(sizeOf(N))).writeVal(N, ok));
        assertRejected({ ...ok, inner: { a: 1, b: -1 } }, RangeError, N);
        assertRejected({ ...ok, inner: null }, TypeError, N);
        assertRejected({ ...ok, list: [1, 256] }, RangeError, N);
        assertRejected({ ...ok, list: [1] }, RangeError, N);
      });
    });

    describe("layout model (property)", () => {
      // Each kind: the type, its size, and how a small value is written in it.
      const scalars: Array<[PodType<number | bigint>, number, (v: number) => number | bigint]> = [
        [u8 as PodType<number | bigint>, 1, (v) => v],
        [u16 as PodType<number | bigint>, 2, (v) => v],
        [u32 as PodType<number | bigint>, 4, (v) => v],
        [u64 as PodType<number | bigint>, 8, (v) => BigInt(v)],
      ];

      test("random structs of scalars match a reference repr(C)/packed layout and round-trip", () => {
        fc.assert(
          fc.property(
            fc.array(fc.integer({ min: 0, max: scalars.length - 1 }), { minLength: 0, maxLength: 12 }),
            fc.boolean(),
            fc.integer({ min: 0, max: 255 }),
            (kinds, packed, fill) => {
              const fields: Record<string, PodType<number | bigint>> = {};
              const value: Record<string, number | bigint> = {};
              const expected: number[] = [];
              let align = 1;
              kinds.forEach((k, i) => {
                const [t, size, make] = scalars[k] as (typeof scalars)[number];
                const a = packed ? 1 : size;
                while (expected.length % a !== 0) expected.push(0);
                align = Math.max(align, a);
                fields[`f${i}`] = t;
                const v = (i * 29 + 1) & 0xff;
                value[`f${i}`] = make(v);
                // Little-endian: the value sits in the first byte, the rest are zero.
                expected.push(v, ...new Array<number>(size - 1).fill(0));
              });
              while (expected.length % align !== 0) expected.push(0);
              const S = struct(fields, { packed });
              assert.equal(sizeOf(S), expected.length);
              assert.equal(alignOf(S), align);
              const bytes = encodeOver(S, value, fill);
              assert.deepEqual(bytes, expected);
              assert.deepEqual(decode(S, bytes), value);
            },
          ),
          { seed: 0x5eed, numRuns: 300 },
        );
      });
    });
  });
}

describe("field names and arguments", () => {
  test("field names that look like array indices are a TypeError", () => {
    for (const name of ["0", "1", "12", "4294967295"]) {
      assert.throws(() => anyStruct({ a: u8, [name]: u8 }), TypeError, name);
    }
  });

  test("an own __proto__ field is a TypeError", () => {
    assert.throws(() => anyStruct({ ["__proto__"]: u32 }), TypeError);
    assert.throws(() => anyStruct(JSON.parse('{"a": 1, "__proto__": 1}') as Record<string, PodType<number>>), TypeError);
  });

  test("names that are not canonical indices are fields in declaration order", () => {
    const S = anyStruct({ b: u8, "01": u8, "-1": u8, "1.5": u8 });
    assert.deepEqual(encodeOver(S, { b: 1, "01": 2, "-1": 3, "1.5": 4 }), [1, 2, 3, 4]);
  });

  test("fields that are not an object of Pod types are a TypeError", () => {
    for (const bad of [null, undefined, 1, "a", [u8]]) {
      assert.throws(() => anyStruct(bad as unknown as Record<string, PodType<number>>), TypeError);
    }
    assert.throws(() => anyStruct({ a: u8, b: {} as PodType<number> }), TypeError);
    assert.throws(() => anyStruct({ a: { size: 4, align: 4, name: "u32" } as PodType<number> }), TypeError);
  });

  test("malformed options are a TypeError", () => {
    assert.throws(() => anyStruct({ a: u8 }, null as unknown as { packed: boolean }), TypeError);
    assert.throws(() => anyStruct({ a: u8 }, 1 as unknown as { packed: boolean }), TypeError);
    assert.throws(() => anyStruct({ a: u8 }, { packed: 1 as unknown as boolean }), TypeError);
    assert.throws(() => anyStruct({ a: u8 }, { packed: "yes" as unknown as boolean }), TypeError);
  });

  test("a struct larger than 2^53 - 1 bytes is a RangeError with a code; one of exactly 2^53 - 1 is fine", () => {
    // 2^53 - 2^21 bytes: the largest arrays are 2^32 - 1 elements long.
    const huge = anyArray(anyArray(u8, 2 ** 32 - 1), 2 ** 21);
    assert.equal(sizeOf(anyStruct({ a: huge, b: anyArray(u8, 2 ** 21 - 1) })), 2 ** 53 - 1);
    for (const fields of [{ a: huge, b: anyArray(u8, 2 ** 21) }, { a: huge, b: anyArray(u8, 2 ** 21 - 2), c: u16 }] as StructFields[]) {
      assert.throws(() => anyStruct(fields), (e: unknown) => e instanceof RangeError && (e as { code?: string }).code === "ERR_OUT_OF_RANGE");
    }
  });
});

