// `array(elem, n)`: layout, codec, argument checks, value validation, and
// the limits that keep decoding bounded (length, zero-size elements); every
// codec test runs on both codec paths.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  VmReader,
  VmWriter,
  alignOf,
  array as anyArray,
  i16,
  sizeOf,
  struct as anyStruct,
  u16,
  u32,
  u64,
  u8,
  type PodType,
  type StructFields,
} from "../../src/index.js";
import { codecPaths, coded, isGenerated } from "./support.js";

function encodeOver<T>(t: PodType<T>, value: T, fill = 0xff): number[] {
  const buf = new Uint8Array(sizeOf(t)).fill(fill);
  VmWriter.from(buf).writeVal(t, value);
  return Array.from(buf);
}

function decode<T>(t: PodType<T>, bytes: ArrayLike<number>): T {
  return VmReader.from(Uint8Array.from(bytes)).readVal(t);
}

for (const [pathName, codegen] of codecPaths) {
  // Every array and struct in these tests is built on this path (arrays of
  // more than 32 scalars loop over their elements on both).
  const array = <T>(elem: PodType<T>, length: number) => anyArray(elem, length, { codegen });
  const struct = <F extends StructFields>(fields: F) => anyStruct(fields, { codegen });

  describe(`codecs on the ${pathName} path`, () => {
    test("the arrays of this suite are built on this path, up to 32 scalars", () => {
      assert.equal(isGenerated(array(u32, 4)), codegen);
      assert.equal(isGenerated(array(struct({ a: u8, b: u64 }), 16)), codegen);
      assert.equal(isGenerated(array(u8, 33)), false);
    });

    describe("layout", () => {
      test("array(u32, 4) has size 16 and the element's alignment", () => {
        const A = array(u32, 4);
        assert.equal(sizeOf(A), 16);
        assert.equal(alignOf(A), 4);
      });

      test("array(u8, 0) has size 0 and alignment 1 and decodes to []", () => {
        const A = array(u8, 0);
        assert.equal(sizeOf(A), 0);
        assert.equal(alignOf(A), 1);
        assert.deepEqual(VmReader.from(new Uint8Array(0)).readVal(A), []);
        assert.equal(sizeOf(array(u64, 0)), 0);
        assert.equal(alignOf(array(u64, 0)), 8);
      });

      test("elements are back to back, each little-endian", () => {
        assert.deepEqual(encodeOver(array(u16, 3), [0x0201, 0x0403, 0x0605]), [1, 2, 3, 4, 5, 6]);
        assert.deepEqual(encodeOver(array(i16, 2), [-1, -2]), [0xff, 0xff, 0xfe, 0xff]);
      });

      test("nested arrays are row-major", () => {
        const M = array(array(u8, 2), 3);
        assert.equal(sizeOf(M), 6);
        assert.equal(alignOf(M), 1);
        assert.deepEqual(encodeOver(M, [[1, 2], [3, 4], [5, 6]]), [1, 2, 3, 4, 5, 6]);
        assert.deepEqual(decode(M, [1, 2, 3, 4, 5, 6]), [[1, 2], [3, 4], [5, 6]]);
      });

      test("the stride of an array of structs includes the struct's trailing padding", () => {
        const E = struct({ a: u64, b: u8 });
        const A = array(E, 3);
        assert.equal(sizeOf(A), 48);
        assert.equal(alignOf(A), 8);
        const v = [
          { a: 1n, b: 2 },
          { a: 3n, b: 4 },
          { a: 5n, b: 6 },
        ];
        const bytes = encodeOver(A, v);
        assert.equal(bytes[16], 3);
        assert.equal(bytes[24], 4);
        assert.deepEqual(bytes.slice(25, 32), [0, 0, 0, 0, 0, 0, 0]);
        assert.deepEqual(decode(A, bytes), v);
      });
    });

    describe("codec", () => {
      test("array(u64, n) decodes to a plain array of bigints", () => {
        const A = array(u64, 2);
        const v = decode(A, [1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        assert.ok(Array.isArray(v));
        assert.deepEqual(v, [1n, 2n ** 64n - 1n]);
      });

      test("round-trips through a reader and writer, advancing by the array's size", () => {
        const A = array(u32, 3);
        const buf = new Uint8Array(14);
        const w = VmWriter.from(buf);
        w.skip(1);
        w.writeVal(A, [0xdeadbeef, 0, 7]);
        assert.equal(w.cursor(), 13);
        const r = VmReader.from(buf);
        r.skip(1);
        assert.deepEqual(r.readVal(A), [0xdeadbeef, 0, 7]);
        assert.equal(r.remain(), 1);
      });
    });

    describe("value validation", () => {
      const A = array(u16, 3);

      function assertRejected(value: unknown, error: typeof TypeError | typeof RangeError): void {
        const buf = new Uint8Array(8).fill(0xa5);
        const w = VmWriter.from(buf);
        w.skip(1);
        assert.throws(() => w.writeVal(A, value as number[]), error);
        assert.equal(w.cursor(), 1);
        assert.deepEqual(Array.from(buf), new Array(8).fill(0xa5));
      }

      test("a value that is not an array is a TypeError and writes nothing", () => {
        for (const bad of [null, undefined, 1, "abc", { length: 3, 0: 1, 1: 2, 2: 3 }, new Uint16Array(3)]) {
          assertRejected(bad, TypeError);
        }
      });

      test("an array of the wrong length is a RangeError and writes nothing", () => {
        assertRejected([1, 2], RangeError);
        assertRejected([1, 2, 3, 4], RangeError);
        assertRejected([], RangeError);
      });

      test("arrays of 1 to 6 elements (unrolled up to 4 on the closure path): bytes, the refused element's path, each part read once", () => {
        for (let n = 1; n <= 6; n++) {
          const T = array(u16, n);
          const value = Array.from({ length: n }, (_, i) => 0x100 * (i + 1) + i);
          const bytes = value.flatMap((x) => [x & 0xff, x >> 8]);
          assert.deepEqual(encodeOver(T, value), bytes, `${n} elements`);
          assert.deepEqual(decode(T, bytes), value);
          for (let i = 0; i < n; i++) {
            const bad: unknown[] = [...value];
            bad[i] = "x";
            assert.throws(() => encodeOver(T, bad as number[]), coded(TypeError, "ERR_INVALID_ARG_TYPE", `value[${i}]`), `${n} elements, [${i}]`);
          }
          // A proxy of the array: its length and each element are read exactly once.
          const reads: string[] = [];
          const proxy = new Proxy(value, {
            get(target, key, receiver) {
              reads.push(String(key));
              return Reflect.get(target, key, receiver) as unknown;
            },
          });
          assert.deepEqual(encodeOver(T, proxy), bytes);
          assert.deepEqual(reads, ["length", ...value.map((_, i) => String(i))], `${n} elements: reads`);
        }
      });

      test("an invalid element writes nothing, even the last one", () => {
        assertRejected([1, 2, 0x10000], RangeError);
        assertRejected([1, 2, 1.5], RangeError);
        assertRejected([1, 2, "3"], TypeError);
        // eslint-disable-next-line no-sparse-arrays
        assertRejected([1, , 3], TypeError);
      });
    });
  });
}

describe("arguments", () => {
  test("a length that is not a number is a TypeError", () => {
    for (const bad of ["3", 3n, null, undefined, {}, [3]]) {
      assert.throws(() => anyArray(u8, bad as unknown as number), TypeError, String(bad));
    }
  });

  test("a negative, fractional, non-finite or unsafe length is a RangeError", () => {
    for (const bad of [-1, 1.5, NaN, Infinity, -Infinity, 2 ** 53]) {
      assert.throws(() => anyArray(u8, bad), RangeError, String(bad));
    }
  });

  test("an array larger than 2^53 - 1 bytes is a RangeError", () => {
    assert.throws(() => anyArray(u64, 2 ** 50), RangeError);
    assert.throws(() => anyArray(anyArray(u8, 2 ** 30), 2 ** 23), RangeError);
  });

  test("an element that is not a Pod type is a TypeError", () => {
    for (const bad of [null, undefined, 4, "u8", {}, { size: 1, align: 1, name: "u8" }]) {
      assert.throws(() => anyArray(bad as unknown as PodType<number>, 2), TypeError);
    }
  });

  test("the longest array is 2^32 - 1 elements, the most a JS array holds", () => {
    assert.equal(sizeOf(anyArray(u8, 2 ** 32 - 1)), 2 ** 32 - 1);
    assert.equal(sizeOf(anyArray(anyArray(u8, 2 ** 32 - 1), 2 ** 21)), 2 ** 53 - 2 ** 21);
  });

  test("an array of a zero-size element type must be empty: a RangeError with a code otherwise", () => {
    for (const elem of [anyStruct({}), anyArray(u8, 0), anyStruct({ a: anyArray(u32, 0) }), anyArray(anyStruct({}), 0)] as Array<PodType<unknown>>) {
      assert.equal(sizeOf(anyArray(elem, 0)), 0);
      for (const length of [1, 2, 1e7, 2 ** 32, 2 ** 53 - 1]) {
        assert.throws(() => anyArray(elem, length), coded(RangeError, "ERR_OUT_OF_RANGE"), `${elem.name} × ${length}`);
      }
    }
  });

  test("a length above 2^32 - 1 is a RangeError with a code, whatever the element", () => {
    for (const length of [2 ** 32, 2 ** 40, 2 ** 53 - 1]) {
      assert.throws(() => anyArray(u8, length), coded(RangeError, "ERR_OUT_OF_RANGE"));
      assert.throws(() => anyArray(anyStruct({}), length), coded(RangeError, "ERR_OUT_OF_RANGE"));
    }
  });

  test("malformed options are a TypeError with a code", () => {
    for (const bad of [null, 1, "codegen"]) {
      assert.throws(() => anyArray(u8, 2, bad as unknown as { codegen: boolean }), coded(TypeError, "ERR_INVALID_ARG_TYPE"));
    }
    assert.throws(() => anyArray(u8, 2, { codegen: 1 as unknown as boolean }), coded(TypeError, "ERR_INVALID_ARG_TYPE"));
    assert.equal(sizeOf(anyArray(u8, 2, {})), 2);
    assert.equal(sizeOf(anyArray(u8, 2, { codegen: undefined })), 2);
  });

  test("every argument error carries a code", () => {
    const codes = new Set<unknown>();
    for (const f of [() => anyArray(null as unknown as PodType<number>, 1), () => anyArray(u8, -1), () => anyArray(u8, "1" as unknown as number), () => anyArray(u64, 2 ** 50)]) {
      try {
        f();
        assert.fail("accepted");
      } catch (e) {
        codes.add((e as { code?: unknown }).code);
      }
    }
    assert.deepEqual([...codes].sort(), ["ERR_INVALID_ARG_TYPE", "ERR_OUT_OF_RANGE"]);
  });
});
