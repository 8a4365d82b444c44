// PodType descriptors as values: sizeOf/alignOf, which objects count as a
// descriptor (only the library's own: not spread copies, not Object.create
// derivatives), that descriptors are frozen, which types are PodOnce, and
// the two-phase write (snapshot, then store) every writer of values uses.
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
import { codecPaths, coded, descriptor } from "./support.js";

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

  test("a descriptor's shape is frozen too: a nesting struct's generated code cannot be steered by it", () => {
    const S = struct({ a: u32, b: u8 });
    for (const t of [S, array(u16, 2), u32] as Array<PodType<unknown>>) {
      const shape = descriptor(t).shape as unknown as Record<string, unknown>;
      assert.ok(Object.isFrozen(shape), t.name);
      assert.throws(() => void (shape.check = "true"), TypeError);
      assert.throws(() => void (shape.length = 1000), TypeError);
    }
    const fields = (descriptor(S).shape as unknown as { fields: Array<{ offset: number }> }).fields;
    assert.ok(Object.isFrozen(fields) && fields.every((f) => Object.isFrozen(f)));
    assert.throws(() => void ((fields[0] as { offset: number }).offset = 1000), TypeError);
    assert.throws(() => fields.push({ offset: 0 }), TypeError);
    const buf = new Uint8Array(24).fill(0xa5);
    VmWriter.from(buf).writeVal(struct({ s: S }, { codegen: true }), { s: { a: 1, b: 2 } });
    assert.deepEqual(Array.from(buf.subarray(0, 8)), [1, 0, 0, 0, 2, 0, 0, 0]);
    assert.ok(buf.subarray(8).every((b) => b === 0xa5));
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

describe("two-phase writes: snapshot, validate, then store", () => {
  /** A writer-less write through the descriptor's two phases, at offset 1 of a buffer of 0xa5. */
  function twoPhase<T>(t: PodType<T>, value: unknown): number[] {
    const d = descriptor(t);
    const buf = new Uint8Array(d.size + 2).fill(0xa5);
    d.store(new DataView(buf.buffer), 1, d.snapshot(value, "value"));
    return Array.from(buf);
  }

  test("a scalar's snapshot is the value itself; a bad one is a coded error naming the path", () => {
    assert.equal(descriptor(u32).snapshot(7, "v"), 7);
    assert.equal(descriptor(u64).snapshot(7n, "v"), 7n);
    assert.throws(() => descriptor(u32).snapshot(-1, "v"), coded(RangeError, "ERR_OUT_OF_RANGE", "v"));
    assert.throws(() => descriptor(u64).snapshot(7, "v"), coded(TypeError, "ERR_INVALID_ARG_TYPE", "v"));
    assert.throws(() => descriptor(f64).snapshot("1", "x.y"), coded(TypeError, "ERR_INVALID_ARG_TYPE", "x.y"));
  });

  for (const [pathName, codegen] of codecPaths) {
    describe(`on the ${pathName} path`, () => {
      const Inner = struct({ x: u16, y: u64 }, { codegen });
      const S = struct({ a: u32, inner: Inner, list: array(u8, 3, { codegen }), b: i8 }, { codegen });
      const value = { a: 0x01020304, inner: { x: 0x0506, y: 0x0708n }, list: [9, 10, 11], b: -1 };
      const bytes = twoPhase(S, value);

      test("snapshot + store writes exactly what writeVal writes", () => {
        const buf = new Uint8Array(sizeOf(S) + 2).fill(0xa5);
        VmWriter.from(buf).skip(1).writeVal(S, value);
        assert.deepEqual(bytes, Array.from(buf));
        assert.deepEqual(VmReader.from(new Uint8Array(bytes)).skip(1).readVal(S), value);
      });

      test("a snapshot is a copy: changing the value afterwards changes nothing it stores, and it can be stored twice", () => {
        const v = { a: 1, inner: { x: 2, y: 3n }, list: [4, 5, 6], b: 7 };
        const d = descriptor(S);
        const snap = d.snapshot(v, "value");
        v.a = 100;
        v.inner.x = 200;
        v.list[0] = 44;
        v.list.length = 0;
        const one = new Uint8Array(d.size);
        const two = new Uint8Array(d.size + 8);
        d.store(new DataView(one.buffer), 0, snap);
        d.store(new DataView(two.buffer), 8, snap);
        assert.deepEqual(VmReader.from(one).readVal(S), { a: 1, inner: { x: 2, y: 3n }, list: [4, 5, 6], b: 7 });
        assert.deepEqual(Array.from(two.subarray(8)), Array.from(one));
      });

      test("every field getter runs exactly once per snapshot, nested fields and array elements included, and store runs none", () => {
        const reads: string[] = [];
        const counted = <T extends object>(where: string, o: T): T => {
          const out = {};
          for (const [k, v] of Object.entries(o)) {
            Object.defineProperty(out, k, {
              enumerable: true,
              get: () => {
                reads.push(`${where}.${k}`);
                return v;
              },
            });
          }
          return out as T;
        };
        const list = new Proxy([9, 10, 11], {
          get(target, key, receiver) {
            if (typeof key === "string") reads.push(`list.${key}`);
            return Reflect.get(target, key, receiver) as unknown;
          },
        });
        const v = counted("v", { a: value.a, inner: counted("inner", value.inner), list, b: value.b });
        const d = descriptor(S);
        const snap = d.snapshot(v, "value");
        assert.deepEqual(reads, ["v.a", "v.inner", "inner.x", "inner.y", "v.list", "list.length", "list.0", "list.1", "list.2", "v.b"]);
        const buf = new Uint8Array(d.size + 2).fill(0xa5);
        d.store(new DataView(buf.buffer), 1, snap);
        assert.equal(reads.length, 10, "store read nothing");
        assert.deepEqual(Array.from(buf), bytes);
      });

      test("regression: a getter that answers a bigint when checked and a number when written: writeVal reads it once and writes what it read", () => {
        // Before the two-phase write, writeVal checked the value (bigint: fine),
        // then encoded it, reading the getter again: a number, after the first
        // fields were written; setBigUint64 then threw a code-less TypeError.
        // Now writeVal snapshots the value first: the getter runs once, and its
        // one answer is what is checked and written.
        let calls = 0;
        const flipping = { a: 1, inner: { x: 2, get y() { return calls++ === 0 ? 3n : 3; } }, list: [1, 2, 3], b: 0 };
        const buf = new Uint8Array(sizeOf(S) + 2).fill(0xa5);
        const w = VmWriter.from(buf).skip(1);
        w.writeVal(S, flipping as unknown as typeof value);
        assert.equal(calls, 1, "the getter ran once");
        assert.equal(w.cursor(), 1 + sizeOf(S));
        assert.deepEqual(Array.from(buf), twoPhase(S, { ...value, a: 1, inner: { x: 2, y: 3n }, list: [1, 2, 3], b: 0 }));
        // Answering the number first: a coded TypeError naming the field, nothing written.
        const flopping = { a: 1, inner: { x: 2, get y() { return calls++ === 1 ? 3 : 3n; } }, list: [1, 2, 3], b: 0 };
        const clean = new Uint8Array(sizeOf(S) + 2).fill(0xa5);
        const w2 = VmWriter.from(clean).skip(1);
        assert.throws(() => w2.writeVal(S, flopping as unknown as typeof value), coded(TypeError, "ERR_INVALID_ARG_TYPE", "value.inner.y"));
        assert.equal(w2.cursor(), 1);
        assert.ok(clean.every((b) => b === 0xa5), "nothing written");
      });

      test("a getter that throws: its own error comes out unchanged, nothing is written", () => {
        const boom = new Error("boom");
        const v = { ...value, inner: { x: 1, get y(): bigint { throw boom; } } };
        assert.throws(() => descriptor(S).snapshot(v, "value"), (e) => e === boom);
        const buf = new Uint8Array(sizeOf(S)).fill(0xa5);
        assert.throws(() => VmWriter.from(buf).writeVal(S, v), (e) => e === boom);
        assert.ok(buf.every((b) => b === 0xa5));
      });

      test("a Proxy value is read through its traps, once per field", () => {
        const gets: PropertyKey[] = [];
        const p = new Proxy(value, {
          get(target, key, receiver) {
            gets.push(key);
            return Reflect.get(target, key, receiver) as unknown;
          },
        });
        assert.deepEqual(twoPhase(S, p), bytes);
        assert.deepEqual(gets, ["a", "inner", "list", "b"]);
      });

      test("a getter may re-enter the same descriptor: the outer snapshot is unaffected", () => {
        const d = descriptor(S);
        const other = { a: 0xffffffff, inner: { x: 0xffff, y: 2n ** 64n - 1n }, list: [255, 255, 255], b: 127 };
        const inner = new Uint8Array(d.size);
        const v = {
          ...value,
          get b(): number {
            // Snapshot and store another value of S in the middle of this snapshot.
            d.store(new DataView(inner.buffer), 0, d.snapshot(other, "other"));
            return value.b;
          },
        };
        assert.deepEqual(twoPhase(S, v), bytes);
        assert.deepEqual(VmReader.from(inner).readVal(S), other);
      });

      test("deprecated one-phase interface: valid, reject and encode still work, and encode never half-writes", () => {
        const d = descriptor(S);
        assert.equal(d.valid(value), true);
        assert.equal(d.valid({ ...value, b: 128 }), false);
        assert.throws(() => d.reject({ ...value, b: 128 }, "v"), coded(RangeError, "ERR_OUT_OF_RANGE", "v.b"));
        // A value whose getter turned valid since `valid` said no: reject still throws, with a code.
        let calls = 0;
        const turning = { ...value, get b() { return calls++ === 0 ? 128 : 1; } };
        assert.equal(d.valid(turning), false);
        assert.throws(() => d.reject(turning, "v"), coded(TypeError, "ERR_INVALID_ARG_TYPE", "v"));
        const buf = new Uint8Array(d.size + 2).fill(0xa5);
        d.encode(new DataView(buf.buffer), 1, value as never);
        assert.deepEqual(Array.from(buf), bytes);
        const flipping = { ...value, get a() { return calls++ % 2 === 0 ? 1 : "1"; } };
        calls = 1;
        const untouched = new Uint8Array(d.size).fill(0xa5);
        assert.throws(() => d.encode(new DataView(untouched.buffer), 0, flipping as never), coded(TypeError, "ERR_INVALID_ARG_TYPE", "value.a"));
        assert.ok(untouched.every((b) => b === 0xa5));
      });
    });
  }
});
