// PodType descriptors as values: sizeOf/alignOf, which objects count as a
// descriptor (only the library's own: not spread copies, not Object.create
// derivatives), that descriptors are frozen, and which types are PodOnce.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  VmError,
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

  test("a spread copy of a descriptor with a forged size cannot read or write outside a reader's range", () => {
    const backing = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const forged of [{ ...u32, size: 0 }, { ...u32 }, Object.assign({}, u32, { size: 0 })] as Array<PodType<number>>) {
      assert.throws(() => sizeOf(forged), TypeError);
      assert.throws(() => alignOf(forged), TypeError);
      assert.throws(() => array(forged, 2), TypeError);
      assert.throws(() => struct({ a: forged }), TypeError);
      const r = VmReader.from(backing.subarray(0, 4)).skip(4);
      assert.throws(() => r.readVal(forged), TypeError);
      assert.throws(() => r.toFallible().readVal(forged), TypeError);
      const w = VmWriter.from(backing.subarray(0, 4)).skip(4);
      assert.throws(() => w.writeVal(forged, 0xffffffff), TypeError);
      assert.throws(() => w.toFallible().writeVal(forged, 0xffffffff), TypeError);
      // A writer limited inside a longer buffer: its DataView would reach the next bytes.
      const limited = VmWriter.from(backing).limit(4).skip(4);
      assert.throws(() => limited.writeVal(forged, 0xffffffff), TypeError);
      assert.throws(() => limited.writeOnce(forged as PodOnceType<number>, 0xffffffff), TypeError);
      assert.throws(() => VmReader.from(backing).limit(4).skip(4).readOnce(forged as PodOnceType<number>), TypeError);
      assert.equal(r.cursor(), 4);
      assert.equal(w.cursor(), 4);
    }
    assert.deepEqual(Array.from(backing), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test("an object derived from a descriptor with Object.create is not a descriptor", () => {
    const backing = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const S = struct({ a: u32 });
    for (const base of [u32, u64, S, array(u8, 4)] as Array<PodType<unknown>>) {
      const derived: Array<PodType<unknown>> = [
        Object.create(base) as PodType<unknown>,
        Object.create(base, { size: { value: 0 } }) as PodType<unknown>,
      ];
      for (const t of derived) {
        assert.throws(() => sizeOf(t), TypeError);
        assert.throws(() => alignOf(t), TypeError);
        assert.throws(() => array(t, 1), TypeError);
        assert.throws(() => struct({ a: t }), TypeError);
        const r = VmReader.from(backing).limit(4).skip(4);
        const w = VmWriter.from(backing).limit(4).skip(4);
        assert.throws(() => r.readVal(t), TypeError);
        assert.throws(() => w.writeVal(t, 0xffffffff), TypeError);
        assert.throws(() => r.readOnce(t as PodOnceType<unknown>), TypeError);
        assert.throws(() => w.writeOnce(t as PodOnceType<unknown>, 0xffffffff), TypeError);
        assert.throws(() => r.atomicLoad(t as typeof u32), TypeError);
      }
    }
    assert.deepEqual(Array.from(backing), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test("descriptors are frozen: size, alignment, name and codec cannot be changed, added to or deleted", () => {
    const S = struct({ a: u32 });
    const A = array(u8, 4);
    const all = [u8, u16, u32, u64, i8, i16, i32, i64, usize, isize, f32, f64, S, A, struct({}), array(S, 0)] as Array<PodType<unknown>>;
    for (const t of all) {
      assert.ok(Object.isFrozen(t), `${t.name} is frozen`);
      const size = t.size;
      const align = t.align;
      const name = t.name;
      const m = t as unknown as Record<string, unknown>;
      const decode = m.decode;
      // Test modules are strict code: assigning to a frozen property throws.
      assert.throws(() => void (m.size = 0), TypeError);
      assert.throws(() => void (m.align = 64), TypeError);
      assert.throws(() => void (m.name = "x"), TypeError);
      assert.throws(() => void (m.decode = () => 0), TypeError);
      assert.throws(() => void (m.self = {}), TypeError);
      assert.throws(() => void (m.extra = 1), TypeError);
      assert.throws(() => delete m.size, TypeError);
      assert.throws(() => Object.defineProperty(t, "size", { value: size + 1 }), TypeError);
      assert.equal(t.size, size);
      assert.equal(t.align, align);
      assert.equal(t.name, name);
      assert.equal(m.decode, decode);
      assert.equal(sizeOf(t), size);
    }
  });

  test("a descriptor's size cannot be changed to let writeVal write past a writer's end", () => {
    const S = struct({ a: u32 });
    const backing = new Uint8Array(8).fill(0xa5);
    for (const t of [S, u32] as Array<PodType<unknown>>) {
      try {
        (t as { size: number }).size = 0;
      } catch {
        // Frozen: refused (strict mode).
      }
      const w = VmWriter.from(backing).limit(4).skip(4);
      assert.throws(() => w.writeVal(t, t === u32 ? 1 : { a: 1 }), (e: unknown) => e instanceof VmError && e.code === "InvalidArgs");
    }
    assert.deepEqual(Array.from(backing), new Array(8).fill(0xa5));
  });

  test("the brand is a non-enumerable own property `self`, so copies by spreading or Object.assign do not carry it", () => {
    for (const t of [u32, struct({ a: u8 }), array(u16, 2)] as Array<PodType<unknown>>) {
      const d = Object.getOwnPropertyDescriptor(t, "self");
      assert.ok(d !== undefined, `${t.name} has an own self`);
      assert.equal(d.value, t);
      assert.equal(d.enumerable, false);
      assert.equal(d.writable, false);
      assert.equal(d.configurable, false);
      assert.ok(!Object.keys(t).includes("self"));
      assert.ok(!("self" in { ...t }));
      assert.equal(Object.getOwnPropertyDescriptor(Object.create(t), "self"), undefined, "a derived object only inherits it");
    }
  });
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
