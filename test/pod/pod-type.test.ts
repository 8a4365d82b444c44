// PodType descriptors as values: sizeOf/alignOf, which objects count as a
// descriptor (only the library's own), and which types are PodOnce.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  VmReader,
  VmWriter,
  alignOf,
  array,
  f32,
  f64,
  i16,
  i32,
  i64,
  i8,
  isize,
  sizeOf,
  struct,
  u16,
  u32,
  u64,
  u8,
  usize,
  type PodOnceType,
  type PodType,
} from "../../src/index.js";

const fakes: Array<[string, unknown]> = [
  ["a look-alike object", { size: 4, align: 4, name: "x" }],
  ["a look-alike with codec functions", { size: 4, align: 4, name: "u32", decode: () => 0, encode: () => {} }],
  ["null", null],
  ["undefined", undefined],
  ["a number", 4],
  ["a string", "u32"],
  ["a class", Uint32Array],
  ["an array", [u32]],
];

describe("sizeOf and alignOf", () => {
  test("report the layout of scalars, structs and arrays", () => {
    assert.equal(sizeOf(u8), 1);
    assert.equal(alignOf(u64), 8);
    const S = struct({ a: u16, b: array(u32, 3) });
    assert.equal(sizeOf(S), 16);
    assert.equal(alignOf(S), 4);
    assert.equal(sizeOf(array(S, 2)), 32);
    assert.equal(alignOf(array(S, 2)), 4);
  });

  test("size and align are also readable on the descriptor", () => {
    const S = struct({ a: u8, b: u64 });
    assert.equal(S.size, 16);
    assert.equal(S.align, 8);
  });
});

describe("only descriptors made by vmio are Pod types", () => {
  for (const [what, fake] of fakes) {
    test(`${what} is rejected with a TypeError wherever a PodType is taken`, () => {
      const t = fake as PodType<number>;
      assert.throws(() => sizeOf(t), TypeError);
      assert.throws(() => alignOf(t), TypeError);
      assert.throws(() => array(t, 1), TypeError);
      assert.throws(() => struct({ a: t }), TypeError);
      const buf = new Uint8Array(16).fill(0xa5);
      const r = VmReader.from(buf);
      const w = VmWriter.from(buf);
      assert.throws(() => r.readVal(t), TypeError);
      assert.throws(() => r.toFallible().readVal(t), TypeError);
      assert.throws(() => w.writeVal(t, 0), TypeError);
      assert.throws(() => w.toFallible().writeVal(t, 0), TypeError);
      assert.throws(() => r.readOnce(t as PodOnceType<number>), TypeError);
      assert.throws(() => w.writeOnce(t as PodOnceType<number>, 0), TypeError);
      assert.throws(() => r.atomicLoad(t as typeof u32), TypeError);
      assert.throws(() => w.atomicCompareExchange(r, t as typeof u32, 0, 1), TypeError);
      assert.equal(r.cursor(), 0);
      assert.equal(w.cursor(), 0);
      assert.deepEqual(Array.from(buf), new Array(16).fill(0xa5));
    });
  }

  test(
    "a copy of a descriptor with a forged size cannot read or write outside a reader's range",
    { todo: "src bug: the brand is a plain enumerable property, so {...u32, size: 0} passes as a descriptor" },
    () => {
      const backing = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
      const forged = { ...u32, size: 0 } as PodType<number>;
      assert.throws(() => sizeOf(forged), TypeError);
      const r = VmReader.from(backing.subarray(0, 4)).skip(4);
      assert.throws(() => r.readVal(forged), TypeError);
      const w = VmWriter.from(backing.subarray(0, 4)).skip(4);
      assert.throws(() => w.writeVal(forged, 0xffffffff), TypeError);
      assert.deepEqual(Array.from(backing), [1, 2, 3, 4, 5, 6, 7, 8]);
    },
  );

  test(
    "a descriptor's size and alignment cannot be changed after it is made",
    { todo: "src bug: descriptors are not frozen; assigning size = 0 lets writeVal write past a writer's end" },
    () => {
      const S = struct({ a: u32 });
      const A = array(u8, 4);
      for (const t of [S, A, u32] as Array<{ size: number; align: number }>) {
        const size = t.size;
        const align = t.align;
        try {
          try {
            t.size = 0;
          } catch {
            // A frozen descriptor may throw in strict mode; either way it must not change.
          }
          try {
            t.align = 64;
          } catch {
            // As above.
          }
          assert.equal(t.size, size);
          assert.equal(t.align, align);
        } finally {
          // Never leave a shared scalar corrupted for the other tests of this file.
          if (t.size !== size) t.size = size;
          if (t.align !== align) t.align = align;
        }
      }
    },
  );
});

describe("PodOnce types", () => {
  const onceTypes: Array<[string, PodOnceType<number | bigint>, number | bigint]> = [
    ["u8", u8, 0xfe],
    ["i8", i8, -2],
    ["u16", u16, 0xfedc],
    ["i16", i16, -2],
    ["u32", u32, 0xfedcba98],
    ["i32", i32, -2],
    ["u64", u64, 0xfedcba9876543210n],
    ["i64", i64, -2n],
    ["usize", usize, 0xfedcba9876543210n],
    ["isize", isize, -2n],
  ] as Array<[string, PodOnceType<number | bigint>, number | bigint]>;

  for (const [name, t, value] of onceTypes) {
    test(`${name} is PodOnce: readOnce and writeOnce accept it`, () => {
      const buf = new Uint8Array(16);
      VmWriter.from(buf).writeOnce(t, value);
      assert.equal(VmReader.from(buf).readVal(t), value);
      assert.equal(VmReader.from(buf).readOnce(t), value);
    });
  }

  const notOnce: Array<[string, PodType<unknown>, unknown]> = [
    ["f32", f32, 1],
    ["f64", f64, 1],
    ["a struct of one u32", struct({ a: u32 }), { a: 1 }],
    ["an array of one u32", array(u32, 1), [1]],
    ["an empty struct", struct({}), {}],
  ];
  for (const [name, t, value] of notOnce) {
    test(`${name} is not PodOnce: readOnce and writeOnce throw TypeError`, () => {
      const buf = new Uint8Array(16).fill(0xa5);
      const r = VmReader.from(buf);
      const w = VmWriter.from(buf);
      assert.throws(() => r.readOnce(t as PodOnceType<unknown>), TypeError);
      assert.throws(() => w.writeOnce(t as PodOnceType<unknown>, value), TypeError);
      assert.equal(r.cursor(), 0);
      assert.equal(w.cursor(), 0);
      assert.deepEqual(Array.from(buf), new Array(16).fill(0xa5));
    });
  }
});
