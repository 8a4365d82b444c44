// Model-based property tests of the Pod codecs: random struct/array layouts
// (nesting, packed, every scalar) built on both codec paths must agree with
// a reference layout and byte encoder written independently here (a byte
// array model, no DataView), round-trip random values, refuse random bad
// values with the same coded error on both paths and write nothing, and read
// every part of a value exactly once, in the same order on both paths, even
// through getters and proxies.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
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
  type PodType,
} from "../../src/index.js";
import { codecPaths, descriptor } from "./support.js";

// ---------------------------------------------------------------------------
// The model: a type tree, its layout, and a little-endian byte encoder.

type ScalarName = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "usize" | "isize" | "f32" | "f64";
type Model =
  | { readonly kind: "scalar"; readonly name: ScalarName }
  | { readonly kind: "struct"; readonly packed: boolean; readonly fields: ReadonlyArray<readonly [string, Model]> }
  | { readonly kind: "array"; readonly elem: Model; readonly length: number };

const widths: Record<ScalarName, number> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, u64: 8, i64: 8, usize: 8, isize: 8, f64: 8 };
const scalarTypes: Record<ScalarName, PodType<unknown>> = { u8, u16, u32, u64, i8, i16, i32, i64, usize, isize, f32, f64 };
const scalarNames = Object.keys(widths) as ScalarName[];

function modelAlign(m: Model): number {
  if (m.kind === "scalar") return widths[m.name];
  if (m.kind === "array") return modelAlign(m.elem);
  return m.packed ? 1 : Math.max(1, ...m.fields.map(([, f]) => modelAlign(f)));
}

/** Field offsets and size, by C's rules, computed here independently of src/pod. */
function modelLayout(m: Model): { size: number; offsets: number[] } {
  if (m.kind === "scalar") return { size: widths[m.name], offsets: [] };
  if (m.kind === "array") return { size: m.length * modelLayout(m.elem).size, offsets: [] };
  let at = 0;
  const offsets: number[] = [];
  for (const [, f] of m.fields) {
    const a = m.packed ? 1 : modelAlign(f);
    at = Math.ceil(at / a) * a;
    offsets.push(at);
    at += modelLayout(f).size;
  }
  const align = modelAlign(m);
  return { size: Math.ceil(at / align) * align, offsets };
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes `v` as `m` into `out` at `at`: the reference encoder (zeros in padding). */
function modelEncode(m: Model, v: unknown, out: number[], at: number): void {
  if (m.kind === "scalar") {
    const w = widths[m.name];
    if (m.name === "f32" || m.name === "f64") {
      const bytes = new Uint8Array((m.name === "f32" ? new Float32Array([v as number]) : new Float64Array([v as number])).buffer);
      for (let i = 0; i < w; i++) out[at + i] = bytes[isLittleEndian ? i : w - 1 - i] as number;
      return;
    }
    let x = BigInt.asUintN(8 * w, BigInt(v as number | bigint));
    for (let i = 0; i < w; i++, x >>= 8n) out[at + i] = Number(x & 0xffn);
    return;
  }
  const { size, offsets } = modelLayout(m);
  for (let i = 0; i < size; i++) out[at + i] = 0;
  if (m.kind === "array") {
    const step = modelLayout(m.elem).size;
    (v as unknown[]).forEach((e, i) => modelEncode(m.elem, e, out, at + i * step));
    return;
  }
  m.fields.forEach(([key, f], i) => modelEncode(f, (v as Record<string, unknown>)[key], out, at + (offsets[i] as number)));
}

/** Builds the vmio type of a model on one codec path. */
function build(m: Model, codegen: boolean): PodType<unknown> {
  if (m.kind === "scalar") return scalarTypes[m.name];
  if (m.kind === "array") return array(build(m.elem, codegen), m.length, { codegen }) as PodType<unknown>;
  return struct(Object.fromEntries(m.fields.map(([k, f]) => [k, build(f, codegen)])), { packed: m.packed, codegen }) as PodType<unknown>;
}

// ---------------------------------------------------------------------------
// Arbitraries.

// Field names: plain identifiers and names that are only safe as data (quotes,
// backslashes, line separators, code), never array indices or __proto__.
const fieldNames = ["a", "b", "tag", "constructor", "toString", "x y", "\"", "\\", "'", "a\u2028b", "*/", "${x}", "\"); throw 1; (\"", "-1", "1.5", "é"];

const modelArb: fc.Arbitrary<Model> = fc.letrec<{ model: Model }>((tie) => ({
  model: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...scalarNames).map((name): Model => ({ kind: "scalar", name })),
    fc
      .record({
        packed: fc.boolean(),
        fields: fc.uniqueArray(fc.tuple(fc.constantFrom(...fieldNames), tie("model")), { maxLength: 6, selector: ([k]) => k }),
      })
      .map(({ packed, fields }): Model => ({ kind: "struct", packed, fields })),
    fc
      .tuple(tie("model"), fc.integer({ min: 0, max: 5 }))
      // An array of zero-size elements must be empty (the rule under test elsewhere).
      .map(([elem, length]): Model => ({ kind: "array", elem, length: modelLayout(elem).size === 0 ? 0 : length })),
  ),
})).model;

function valueArb(m: Model): fc.Arbitrary<unknown> {
  if (m.kind === "scalar") {
    const w = widths[m.name];
    switch (m.name) {
      case "f32":
        return fc.float();
      case "f64":
        return fc.double();
      case "u64":
      case "usize":
        return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
      case "i64":
      case "isize":
        return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
      default:
        return m.name.startsWith("u") ? fc.integer({ min: 0, max: 2 ** (8 * w) - 1 }) : fc.integer({ min: -(2 ** (8 * w - 1)), max: 2 ** (8 * w - 1) - 1 });
    }
  }
  if (m.kind === "array") return fc.array(valueArb(m.elem), { minLength: m.length, maxLength: m.length });
  return fc.tuple(...m.fields.map(([, f]) => valueArb(f))).map((vs) => Object.fromEntries(m.fields.map(([k], i) => [k, vs[i]])));
}

const modelWithValue = modelArb.chain((m) => valueArb(m).map((v) => [m, v] as const));

/** Where a part of a value sits: the steps from the top and the part's model. */
interface Part {
  readonly steps: ReadonlyArray<string | number>;
  readonly model: Model;
}

function parts(m: Model, steps: ReadonlyArray<string | number> = []): Part[] {
  const here: Part = { steps, model: m };
  if (m.kind === "scalar") return [here];
  if (m.kind === "array") return [here, ...Array.from({ length: m.length }, (_, i) => parts(m.elem, [...steps, i])).flat()];
  return [here, ...m.fields.flatMap(([k, f]) => parts(f, [...steps, k]))];
}

/** The message path of a part, as vmio renders it. */
function pathOf(steps: ReadonlyArray<string | number>): string {
  return steps.map((s) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join("");
}

/** A copy of `v` with the part at `steps` replaced by `bad`. */
function replaced(v: unknown, steps: ReadonlyArray<string | number>, bad: unknown): unknown {
  if (steps.length === 0) return bad;
  const [head, ...rest] = steps as [string | number, ...Array<string | number>];
  const copy = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Record<string | number, unknown>;
  copy[head] = replaced(copy[head], rest, bad);
  return copy;
}

/** A bad replacement for a part of this model, and the error it must cause (at which path suffix). */
function badArb(m: Model): fc.Arbitrary<{ bad: { value: unknown }; error: typeof TypeError | typeof RangeError; code: string; suffix: string }> {
  const type = (value: unknown) => ({ bad: { value }, error: TypeError, code: "ERR_INVALID_ARG_TYPE", suffix: "" });
  const range = (value: unknown) => ({ bad: { value }, error: RangeError, code: "ERR_OUT_OF_RANGE", suffix: "" });
  const wrongTypes = fc.constantFrom<unknown>(null, undefined, "1", true, Symbol("s"), () => 1);
  if (m.kind === "scalar") {
    if (m.name === "f32" || m.name === "f64") return fc.oneof(wrongTypes, fc.constant(1n), fc.constant({})).map(type);
    const w = widths[m.name];
    if (w === 8) {
      const [min, max] = m.name.startsWith("u") ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
      return fc.oneof(wrongTypes.map(type), fc.constantFrom(1, 0, {}).map(type), fc.constantFrom(min - 1n, max + 1n, 2n ** 100n).map(range));
    }
    const [min, max] = m.name.startsWith("u") ? [0, 2 ** (8 * w) - 1] : [-(2 ** (8 * w - 1)), 2 ** (8 * w - 1) - 1];
    return fc.oneof(wrongTypes.map(type), fc.constantFrom(1n, {}, [1]).map(type), fc.constantFrom(min - 1, max + 1, 0.5, NaN, Infinity, -Infinity).map(range));
  }
  if (m.kind === "array") {
    return fc.oneof(
      fc.constantFrom<unknown>(null, 1, "abc", { length: m.length }).map(type),
      fc
        .integer({ min: 0, max: 7 })
        .filter((n) => n !== m.length)
        .map((n) => ({ bad: { value: new Array(n).fill(0) }, error: RangeError, code: "ERR_OUT_OF_RANGE", suffix: ".length" })),
    );
  }
  return fc.constantFrom<unknown>(null, undefined, 1, "x", 1n).map(type);
}

// ---------------------------------------------------------------------------
// Properties.

const runs = { seed: 0x9a11, numRuns: 300 };

function encodeWith(t: PodType<unknown>, v: unknown, before: number, fill: number): number[] {
  const d = descriptor(t);
  const buf = new Uint8Array(before + d.size + 3).fill(fill);
  d.store(new DataView(buf.buffer), before, d.snapshot(v, "value"));
  return Array.from(buf);
}

describe("codecs against the byte-array model", () => {
  test("the platform is little-endian (the model's floats rely on it, vmio does not)", () => {
    assert.ok(isLittleEndian);
  });

  test("random layouts: size, alignment and bytes agree with the model on both paths, and values round-trip", () => {
    fc.assert(
      fc.property(modelWithValue, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 255 }), ([m, v], before, fill) => {
        const { size } = modelLayout(m);
        const expected = new Array<number>(before + size + 3).fill(fill);
        modelEncode(m, v, expected, before);
        for (const [, codegen] of codecPaths) {
          const t = build(m, codegen);
          assert.equal(sizeOf(t), size);
          assert.equal(alignOf(t), modelAlign(m));
          // The descriptor's two phases, directly.
          assert.deepEqual(encodeWith(t, v, before, fill), expected, `snapshot + store, codegen ${codegen}`);
          // Through a writer, and back through the decoder and a reader.
          const buf = new Uint8Array(before + size + 3).fill(fill);
          VmWriter.from(buf).skip(before).writeVal(t, v);
          assert.deepEqual(Array.from(buf), expected, `writeVal, codegen ${codegen}`);
          assert.deepEqual(descriptor(t).decode(new DataView(buf.buffer), before), v);
          assert.deepEqual(VmReader.from(buf).skip(before).readVal(t), v);
        }
      }),
      runs,
    );
  });

  test("random bad values are refused with the same coded error on both paths, naming the bad part, and nothing is written", () => {
    const arb = modelWithValue.chain(([m, v]) =>
      fc.constantFrom(...parts(m)).chain((part) => badArb(part.model).map((bad) => ({ m, v, part, bad }))),
    );
    fc.assert(
      fc.property(arb, ({ m, v, part, bad }) => {
        const value = replaced(v, part.steps, bad.bad.value);
        const name = `value${pathOf(part.steps)}${bad.suffix}`;
        const messages = new Set<string>();
        for (const [, codegen] of codecPaths) {
          const t = build(m, codegen);
          const d = descriptor(t);
          let caught: unknown;
          try {
            d.snapshot(value, "value");
          } catch (e) {
            caught = e;
          }
          assert.ok(caught instanceof bad.error, `${String(caught)} is a ${bad.error.name}`);
          assert.equal((caught as { code?: unknown }).code, bad.code);
          assert.ok((caught as Error).message.startsWith(`${name} must be`), `"${(caught as Error).message}" names ${name}`);
          messages.add((caught as Error).message);
          // Through a writer too: the buffer and the cursor are untouched.
          const buf = new Uint8Array(d.size + 2).fill(0xa5);
          const w = VmWriter.from(buf).skip(1);
          assert.throws(() => w.writeVal(t, value), bad.error);
          assert.equal(w.cursor(), 1);
          assert.ok(buf.every((b) => b === 0xa5));
        }
        assert.equal(messages.size, 1, "both paths give the same message");
      }),
      runs,
    );
  });

  test("every part of a value is read exactly once, in the same order on both paths, through getters and proxies", () => {
    // Each object or array of the value becomes, at random, a plain one, an
    // object whose fields are counting getters, or a Proxy counting its traps.
    const wrapArb = fc.array(fc.constantFrom("plain", "getters", "proxy"), { minLength: 64, maxLength: 64 });
    fc.assert(
      fc.property(modelWithValue, wrapArb, ([m, v], wrappers) => {
        const logs: string[][] = [];
        for (const [, codegen] of codecPaths) {
          const log: string[] = [];
          let next = 0;
          const wrap = (x: unknown, where: string): unknown => {
            if (typeof x !== "object" || x === null) return x;
            const inner = (Array.isArray(x) ? [...(x as unknown[])] : { ...x }) as Record<string, unknown>;
            for (const k of Object.keys(inner)) inner[k] = wrap(inner[k], `${where}/${k}`);
            const how = wrappers[next++ % wrappers.length];
            if (how === "proxy") {
              return new Proxy(inner, {
                get(target, key, receiver) {
                  if (typeof key === "string") log.push(`${where}.${key}`);
                  return Reflect.get(target, key, receiver) as unknown;
                },
              });
            }
            if (how === "getters" && !Array.isArray(inner)) {
              const o = {};
              for (const k of Object.keys(inner)) {
                Object.defineProperty(o, k, {
                  enumerable: true,
                  get: () => {
                    log.push(`${where}.${k}`);
                    return inner[k];
                  },
                });
              }
              return o;
            }
            return inner;
          };
          const t = build(m, codegen);
          const d = descriptor(t);
          const snap = d.snapshot(wrap(v, ""), "value");
          const reads = log.length;
          const buf = new Uint8Array(d.size);
          d.store(new DataView(buf.buffer), 0, snap);
          assert.equal(log.length, reads, "store reads nothing");
          assert.equal(new Set(log).size, log.length, `no part read twice: ${log.join(" ")}`);
          const expected = new Array<number>(d.size).fill(0);
          modelEncode(m, v, expected, 0);
          assert.deepEqual(Array.from(buf), expected);
          logs.push(log);
        }
        assert.deepEqual(logs[0], logs[1], "the same reads in the same order on both paths");
      }),
      runs,
    );
  });
});
