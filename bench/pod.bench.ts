/**
 * Pod codec benchmarks (issue 10): struct and array codecs against the same
 * work written by hand with `DataView`, on both codec paths (closures, and
 * generated code: `struct(…, { codegen: true })`).
 *
 * Every shape is measured four ways:
 * - `decode`: the descriptor's decoder called directly on a `DataView`;
 * - `encode`: the descriptor's two-phase write, `snapshot` then `store`;
 * - `readVal` / `writeVal`: through a `VmReader`/`VmWriter` over a
 *   `Uint8Array`, one per pass over the buffer (1024 values).
 *
 * The hand-written limit produces the same values and the same bytes
 * (padding zeroed) but checks nothing: it is the floor a safe codec is
 * measured against (the targets). The `encode-checked` rows measure the same
 * encode against hand-written code that makes vmio's checks (types, ranges,
 * each part read once before anything is written): what the checks cost is
 * the difference between the two. Values to encode are made fresh in the
 * loop on both sides, as a caller would make them.
 *
 * Each case runs in its own process (run.ts), so the closure path is measured
 * with one struct type per field count in use: each has function literals
 * (inline caches) of its own, as the first 4 struct types of each field
 * count do (struct-closures.ts). The `poly` rows first run eight other
 * struct types with the same field count through the same path, as a
 * program with many struct types does, and show what that costs each path.
 *
 * Floors (issue 10), beside the rows that fall short: `encode-floor-*`, the
 * hand-written encode with vmio's checks against the same encode without
 * them (the checks are the contract, so no safe encoder beats that ratio);
 * `*-floor-4-shared-literal`, a CSP-safe codec written by hand from one
 * function literal for nine struct types (what the `poly` closure rows
 * are up against); `*-floor-*-own-literal`, the same written for one type;
 * `encode-floor-*-defined`, the same hand-written encode
 * in a process that has also defined the struct with vmio, as the `encode`
 * rows' processes have (the definition shares V8's maps with the values:
 * {@link definedFloorCase}); `readval-floor-*` and `writeval-floor-*`, a
 * hand-written cursor with vmio's bookkeeping calling the same codec, the
 * floor of any cursor object ({@link PodCursor}); `writeval-truefloor-*`,
 * a hand-written writer with the encode written out and no vmio code at all
 * ({@link HandWriter}); `writeval-cspfloor-8`, that writer through the
 * smallest CSP-safe 8-field codec written by hand, the closure path's own
 * floor ({@link cspFloorCase}); `encode-floor-*-through-object`, a
 * hand-written checked codec reached through a codec object per value
 * ({@link descriptorFloorCase}); `writeval-round-robin-floor-*`, 8 struct types
 * through one site ({@link roundRobinCase}); and the `budget-*` cases,
 * writes with V8's inlining budget raised ({@link budgetCase}).
 *
 * What limits the short rows, measured (Node 20, V8 11.3):
 * - `readval`/`writeval` of 1, 4 and 8 fields (generated): the cursor. They
 *   run at their `*-floor-*` and `truefloor` beside them (0.3–0.5):
 *   everything is inlined and the snapshot scalar-replaced, but a position
 *   kept in an object is loaded, checked against the end, and stored per
 *   value with the lease checked, where the plain loop keeps its offset in
 *   a register.
 * - `writeval` of 8 fields and of the nested struct, closures: V8's inlining
 *   budget ({@link budgetCase}). A `writeVal` that V8 has optimized on its
 *   own (it is hot before its caller is) counts at 1.2 × (its 210 bytes +
 *   the snapshot and store it inlined): 8 × u32 closures 210 + 811, nested
 *   closures 210 + 824, past the 920 available; generated 210 + 540 (8 ×
 *   u32) and 210 + 422 (nested) fit.
 *   Raised, they run at their floors. No CSP-safe codec fits: the smallest
 *   8-field one written by hand, with builtin stores instead of store
 *   closures, is 665 bytes, and through a hand-written writer 105 + 724;
 *   it runs at 0.12–0.17 beside the row's 0.11–0.16 ({@link cspFloorCase}).
 * - nested `encode`/`writeval`: the values' maps, shared with the struct's
 *   definition ({@link definedFloorCase}): the hand-written encode is as
 *   slow once the struct is defined (0.60 → 0.15–0.28 for the nested
 *   struct); both paths' encodes run at that floor.
 * - `decode` of 1 and 4 fields, closures: at their CSP-safe floors, the same
 *   codec written by hand for one struct type (`decode-floor-*-own-literal`):
 *   a constructor storing computed keys, where a literal has its final map.
 * - `encode` of 1 and 4 fields: at or above their honest floor, measured
 *   in the same process ({@link versusFloorCase}, `-vs-floor`: three runs
 *   of 3 processes, load 9–10: `{ u32 }` 1.15–1.27 closures, 1.14–1.21
 *   generated; 4 × u32 0.93–1.01 and 0.97–0.99). Against the plain limit
 *   they are bimodal because the limit is (0.6–0.7 or 1.7 ns a value from
 *   one process to the next, the same code): `{ u32 }` closures 0.42–0.47
 *   or 0.67–0.78, its through-object floor 0.32–0.50 or 1.36, in three
 *   rounds alternated with main's build, which ran the same. Earlier runs
 *   gave 0.61–0.77 against checked floors of 0.71–0.80. What separates
 *   the row from the limit is the codec reached through the descriptor per value; with
 *   `snapshot` and `store` loaded once per pass the same code runs at
 *   0.88–1.06 ({@link hoistedEncodeCase}). Per value TurboFan checks the
 *   descriptor's map, loads both functions and compares each with its
 *   inlined target: no const-field folding without a prototype holder, no
 *   loop-invariant code motion. A hand-written codec reached the same way
 *   compiles to the same loop and runs at 0.54–0.66
 *   ({@link descriptorFloorCase}).
 * - 8 struct types through one `writeVal`: at the floor of its shape, two
 *   megamorphic calls with the snapshot allocated between them
 *   ({@link roundRobinCase}).
 *
 * Timing is CPU time (`clock: "cpu"`): the machine is shared.
 *
 * @module
 */

import v8 from "node:v8";
import { VmReader, VmWriter, array, f64, i32, struct, u16, u32, u64, u8, type PodType } from "vmio";
import { PodDescriptor } from "../src/pod/pod-type.js";
import type { BenchCase, Body } from "./harness.js";

/** Values per pass over a buffer (and per reader or writer). */
const PASS = 1024;

type Obj = Record<string, unknown>;

/** One benchmarked shape: how to build it, and its hand-written codec. */
interface Shape<T> {
  readonly id: string;
  readonly title: string;
  readonly make: (codegen: boolean) => PodType<T>;
  readonly size: number;
  /** Hand-written decode at `o` of `dv`. */
  readonly decode: (dv: DataView, o: number) => T;
  /** Hand-written encode (padding zeroed, nothing checked). */
  readonly encode: (dv: DataView, o: number, v: T) => void;
  /** Hand-written encode that checks what vmio checks, reading each part once, before it writes. */
  readonly checked: (dv: DataView, o: number, v: unknown) => void;
  /** A fresh value to encode, made from a counter. */
  readonly value: (i: number) => T;
  /** A number read from a decoded value, so that the decode is used. */
  readonly use: (v: T) => number;
}

const opts = (codegen: boolean): { codegen: boolean } => ({ codegen });

// The checks a careful hand-written encoder makes (the `checked` limits).
function bad(v: unknown): never {
  throw new TypeError(`bad value: ${String(v)}`);
}
function obj(v: unknown): Obj {
  if (typeof v !== "object" || v === null) bad(v);
  return v as Obj;
}
function list(v: unknown, n: number): unknown[] {
  if (!Array.isArray(v)) bad(v);
  if (v.length !== n) bad(v);
  return v as unknown[];
}
function cu32(v: unknown): number {
  if (typeof v !== "number" || v >>> 0 !== v) bad(v);
  return v as number;
}
function cu16(v: unknown): number {
  if (typeof v !== "number" || (v & 0xffff) !== v) bad(v);
  return v as number;
}
function cu64(v: unknown): bigint {
  if (typeof v !== "bigint" || BigInt.asUintN(64, v) !== v) bad(v);
  return v as bigint;
}
function cf64(v: unknown): number {
  if (typeof v !== "number") bad(v);
  return v as number;
}

function u32Fields(n: number): Record<string, typeof u32> {
  const fields: Record<string, typeof u32> = {};
  for (let i = 0; i < n; i++) fields[`f${i}`] = u32;
  return fields;
}

const shapes: Array<Shape<Obj> | Shape<number[]> | Shape<Obj[]>> = [
  {
    id: "1",
    title: "struct { a: u32 }",
    make: (g) => struct({ a: u32 }, opts(g)),
    size: 4,
    decode: (dv, o) => ({ a: dv.getUint32(o, true) }),
    encode: (dv, o, v) => dv.setUint32(o, v.a as number, true),
    checked: (dv, o, v) => {
      const a = cu32(obj(v).a);
      dv.setUint32(o, a, true);
    },
    value: (i) => ({ a: i }),
    use: (v) => v.a as number,
  } satisfies Shape<Obj>,
  // The limits' u64 goes through DataView's getBigUint64/setBigUint64, a
  // builtin call on Node 20 (V8 11.3); vmio's 64-bit codec moves it through a
  // scratch word as two u32 halves and makes no call (src/pod/scalars.ts), so
  // the `-2` rows can run above 1 (one round at load 9: encode 0.82 -> 2.8,
  // writeval 0.71 -> 1.96, readval 0.81 -> 1.36). The decode rows use only
  // `a`, so vmio's unused u64 is dead code TurboFan removes, which the
  // limit's call is not: decode-2 generated 1.0 -> 9.1 is that, not speed.
  // io.bench.ts's `-word` rows measure the same struct against plain code
  // that moves its u64 the same way, with each u64 kept on both sides.
  {
    id: "2",
    title: "struct { a: u32, b: u64 }",
    make: (g) => struct({ a: u32, b: u64 }, opts(g)),
    size: 16,
    decode: (dv, o) => ({ a: dv.getUint32(o, true), b: dv.getBigUint64(o + 8, true) }),
    encode: (dv, o, v) => {
      dv.setUint32(o, v.a as number, true);
      dv.setUint32(o + 4, 0);
      dv.setBigUint64(o + 8, v.b as bigint, true);
    },
    checked: (dv, o, v) => {
      const x = obj(v);
      const a = cu32(x.a);
      const b = cu64(x.b);
      dv.setUint32(o, a, true);
      dv.setUint32(o + 4, 0);
      dv.setBigUint64(o + 8, b, true);
    },
    value: (i) => ({ a: i, b: 5n }),
    use: (v) => v.a as number,
  } satisfies Shape<Obj>,
  {
    id: "4",
    title: "struct of 4 × u32",
    make: (g) => struct(u32Fields(4), opts(g)),
    size: 16,
    decode: (dv, o) => ({ f0: dv.getUint32(o, true), f1: dv.getUint32(o + 4, true), f2: dv.getUint32(o + 8, true), f3: dv.getUint32(o + 12, true) }),
    encode: (dv, o, v) => {
      dv.setUint32(o, v.f0 as number, true);
      dv.setUint32(o + 4, v.f1 as number, true);
      dv.setUint32(o + 8, v.f2 as number, true);
      dv.setUint32(o + 12, v.f3 as number, true);
    },
    checked: (dv, o, v) => {
      const x = obj(v);
      const f0 = cu32(x.f0);
      const f1 = cu32(x.f1);
      const f2 = cu32(x.f2);
      const f3 = cu32(x.f3);
      dv.setUint32(o, f0, true);
      dv.setUint32(o + 4, f1, true);
      dv.setUint32(o + 8, f2, true);
      dv.setUint32(o + 12, f3, true);
    },
    value: (i) => ({ f0: i, f1: 1, f2: 2, f3: 3 }),
    use: (v) => v.f2 as number,
  } satisfies Shape<Obj>,
  {
    id: "8",
    title: "struct of 8 × u32",
    make: (g) => struct(u32Fields(8), opts(g)),
    size: 32,
    decode: (dv, o) => ({
      f0: dv.getUint32(o, true),
      f1: dv.getUint32(o + 4, true),
      f2: dv.getUint32(o + 8, true),
      f3: dv.getUint32(o + 12, true),
      f4: dv.getUint32(o + 16, true),
      f5: dv.getUint32(o + 20, true),
      f6: dv.getUint32(o + 24, true),
      f7: dv.getUint32(o + 28, true),
    }),
    encode: (dv, o, v) => {
      dv.setUint32(o, v.f0 as number, true);
      dv.setUint32(o + 4, v.f1 as number, true);
      dv.setUint32(o + 8, v.f2 as number, true);
      dv.setUint32(o + 12, v.f3 as number, true);
      dv.setUint32(o + 16, v.f4 as number, true);
      dv.setUint32(o + 20, v.f5 as number, true);
      dv.setUint32(o + 24, v.f6 as number, true);
      dv.setUint32(o + 28, v.f7 as number, true);
    },
    checked: (dv, o, v) => {
      const x = obj(v);
      const f0 = cu32(x.f0);
      const f1 = cu32(x.f1);
      const f2 = cu32(x.f2);
      const f3 = cu32(x.f3);
      const f4 = cu32(x.f4);
      const f5 = cu32(x.f5);
      const f6 = cu32(x.f6);
      const f7 = cu32(x.f7);
      dv.setUint32(o, f0, true);
      dv.setUint32(o + 4, f1, true);
      dv.setUint32(o + 8, f2, true);
      dv.setUint32(o + 12, f3, true);
      dv.setUint32(o + 16, f4, true);
      dv.setUint32(o + 20, f5, true);
      dv.setUint32(o + 24, f6, true);
      dv.setUint32(o + 28, f7, true);
    },
    value: (i) => ({ f0: i, f1: 1, f2: 2, f3: 3, f4: 4, f5: 5, f6: 6, f7: 7 }),
    use: (v) => v.f6 as number,
  } satisfies Shape<Obj>,
  {
    id: "nested",
    title: "struct { id: u32, pos: struct { x: f64, y: f64 }, size: struct { w: u16, h: u16 } }",
    make: (g) => struct({ id: u32, pos: struct({ x: f64, y: f64 }, opts(g)), size: struct({ w: u16, h: u16 }, opts(g)) }, opts(g)),
    size: 32,
    decode: (dv, o) => ({
      id: dv.getUint32(o, true),
      pos: { x: dv.getFloat64(o + 8, true), y: dv.getFloat64(o + 16, true) },
      size: { w: dv.getUint16(o + 24, true), h: dv.getUint16(o + 26, true) },
    }),
    encode: (dv, o, v) => {
      const pos = v.pos as Obj;
      const size = v.size as Obj;
      dv.setUint32(o, v.id as number, true);
      dv.setUint32(o + 4, 0);
      dv.setFloat64(o + 8, pos.x as number, true);
      dv.setFloat64(o + 16, pos.y as number, true);
      dv.setUint16(o + 24, size.w as number, true);
      dv.setUint16(o + 26, size.h as number, true);
      dv.setUint32(o + 28, 0);
    },
    checked: (dv, o, v) => {
      const x = obj(v);
      const id = cu32(x.id);
      const pos = obj(x.pos);
      const px = cf64(pos.x);
      const py = cf64(pos.y);
      const size = obj(x.size);
      const w = cu16(size.w);
      const h = cu16(size.h);
      dv.setUint32(o, id, true);
      dv.setUint32(o + 4, 0);
      dv.setFloat64(o + 8, px, true);
      dv.setFloat64(o + 16, py, true);
      dv.setUint16(o + 24, w, true);
      dv.setUint16(o + 26, h, true);
      dv.setUint32(o + 28, 0);
    },
    value: (i) => ({ id: i, pos: { x: 0.5, y: 1.5 }, size: { w: 3, h: 4 } }),
    use: (v) => (v.size as Obj).h as number,
  } satisfies Shape<Obj>,
  {
    id: "nested-array",
    title: "struct { tag: u32, data: [u32; 4] }",
    make: (g) => struct({ tag: u32, data: array(u32, 4) }, opts(g)),
    size: 20,
    decode: (dv, o) => ({
      tag: dv.getUint32(o, true),
      data: [dv.getUint32(o + 4, true), dv.getUint32(o + 8, true), dv.getUint32(o + 12, true), dv.getUint32(o + 16, true)],
    }),
    encode: (dv, o, v) => {
      const data = v.data as number[];
      dv.setUint32(o, v.tag as number, true);
      for (let i = 0; i < 4; i++) dv.setUint32(o + 4 + 4 * i, data[i] as number, true);
    },
    checked: (dv, o, v) => {
      const x = obj(v);
      const tag = cu32(x.tag);
      const data = list(x.data, 4);
      const d0 = cu32(data[0]);
      const d1 = cu32(data[1]);
      const d2 = cu32(data[2]);
      const d3 = cu32(data[3]);
      dv.setUint32(o, tag, true);
      dv.setUint32(o + 4, d0, true);
      dv.setUint32(o + 8, d1, true);
      dv.setUint32(o + 12, d2, true);
      dv.setUint32(o + 16, d3, true);
    },
    value: (i) => ({ tag: i, data: [1, 2, 3, 4] }),
    use: (v) => (v.data as number[])[2] as number,
  } satisfies Shape<Obj>,
  {
    id: "array-u32",
    title: "[u32; 16]",
    make: (g) => array(u32, 16, opts(g)),
    size: 64,
    decode: (dv, o) => {
      const r = new Array<number>(16);
      for (let i = 0; i < 16; i++) r[i] = dv.getUint32(o + 4 * i, true);
      return r;
    },
    encode: (dv, o, v) => {
      for (let i = 0; i < 16; i++) dv.setUint32(o + 4 * i, v[i] as number, true);
    },
    checked: (dv, o, v) => {
      const x = list(v, 16);
      const copy = new Array<number>(16);
      for (let i = 0; i < 16; i++) copy[i] = cu32(x[i]);
      for (let i = 0; i < 16; i++) dv.setUint32(o + 4 * i, copy[i] as number, true);
    },
    value: (i) => [i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    use: (v) => v[3] as number,
  } satisfies Shape<number[]>,
  {
    id: "array-struct",
    title: "[struct { a: u32, b: u32 }; 4]",
    make: (g) => array(struct({ a: u32, b: u32 }, opts(g)), 4, opts(g)),
    size: 32,
    decode: (dv, o) => {
      const r = new Array<Obj>(4);
      for (let i = 0; i < 4; i++) r[i] = { a: dv.getUint32(o + 8 * i, true), b: dv.getUint32(o + 8 * i + 4, true) };
      return r;
    },
    encode: (dv, o, v) => {
      for (let i = 0; i < 4; i++) {
        const e = v[i] as Obj;
        dv.setUint32(o + 8 * i, e.a as number, true);
        dv.setUint32(o + 8 * i + 4, e.b as number, true);
      }
    },
    checked: (dv, o, v) => {
      const x = list(v, 4);
      const copy = new Array<number>(8);
      for (let i = 0; i < 4; i++) {
        const e = obj(x[i]);
        copy[2 * i] = cu32(e.a);
        copy[2 * i + 1] = cu32(e.b);
      }
      for (let i = 0; i < 8; i++) dv.setUint32(o + 4 * i, copy[i] as number, true);
    },
    value: (i) => [
      { a: i, b: 1 },
      { a: 2, b: 3 },
      { a: 4, b: 5 },
      { a: 6, b: 7 },
    ],
    use: (v) => (v[2] as Obj).b as number,
  } satisfies Shape<Obj[]>,
];

/** `encode-checked`: the same encode as `encode`, against hand-written code that checks what vmio checks. */
type Op = "decode" | "encode" | "encode-checked" | "readval" | "writeval";

/** Runs eight other struct types with `fields` u32 fields through `path`, so that its shared code has seen them. */
function pollute(fields: number, codegen: boolean): void {
  const dv = new DataView(new ArrayBuffer(64));
  for (let j = 0; j < 8; j++) {
    const f: Record<string, typeof u32> = {};
    for (let i = 0; i < fields; i++) f[`x${j}_${i}`] = u32;
    const S = struct(f, { codegen }) as unknown as PodDescriptor<Obj>;
    const value: Obj = {};
    for (const k of Object.keys(f)) value[k] = j;
    for (let i = 0; i < 20_000; i++) {
      S.store(dv, 0, S.snapshot(value, "value"));
      if (S.decode(dv, 0) === null) throw new Error("unreachable");
    }
  }
}

function bodies<T>(shape: Shape<T>, op: Op, codegen: boolean): { vmio: Body; limit: Body } {
  const t = shape.make(codegen);
  const d = t as unknown as PodDescriptor<T>;
  if (d.generated !== codegen) throw new Error(`${shape.title}: expected the ${codegen ? "generated" : "closure"} path`);
  const size = shape.size;
  const bytes = new Uint8Array(PASS * size);
  const dv = new DataView(bytes.buffer);
  const end = PASS * size;
  // Meaningful bytes to decode: encode a value into every slot first.
  for (let o = 0, i = 0; o < end; o += size, i++) shape.encode(dv, o, shape.value(i));
  const { decode, encode, value, use } = shape;
  if (op === "decode" || op === "readval") {
    const limit: Body = (n) => {
      let s = 0;
      for (let done = 0; done < n; done += PASS) for (let o = 0; o < end; o += size) s += use(decode(dv, o));
      return s;
    };
    if (op === "decode") {
      return {
        limit,
        vmio: (n) => {
          let s = 0;
          for (let done = 0; done < n; done += PASS) for (let o = 0; o < end; o += size) s += use(d.decode(dv, o));
          return s;
        },
      };
    }
    return {
      limit,
      vmio: (n) => {
        let s = 0;
        for (let done = 0; done < n; done += PASS) {
          const r = VmReader.from(bytes);
          for (let i = 0; i < PASS; i++) s += use(r.readVal(t));
        }
        return s;
      },
    };
  }
  const { checked } = shape;
  const limit: Body =
    op === "encode-checked"
      ? (n) => {
          for (let done = 0; done < n; done += PASS) for (let o = 0, i = 0; o < end; o += size, i++) checked(dv, o, value(i));
          return bytes[5];
        }
      : (n) => {
          for (let done = 0; done < n; done += PASS) for (let o = 0, i = 0; o < end; o += size, i++) encode(dv, o, value(i));
          return bytes[5];
        };
  if (op === "encode" || op === "encode-checked") {
    return {
      limit,
      vmio: (n) => {
        for (let done = 0; done < n; done += PASS) for (let o = 0, i = 0; o < end; o += size, i++) d.store(dv, o, d.snapshot(value(i), "value"));
        return bytes[5];
      },
    };
  }
  return {
    limit,
    vmio: (n) => {
      for (let done = 0; done < n; done += PASS) {
        const w = VmWriter.from(bytes);
        for (let i = 0; i < PASS; i++) w.writeVal(t, value(i));
      }
      return bytes[5];
    },
  };
}

/** Target ratios (vmio throughput / hand-written): decode ≤ 1.2×, encode ≤ 1.3× the hand-written time. */
const targets: Record<Op, number | undefined> = { decode: 1 / 1.2, readval: 1 / 1.2, encode: 1 / 1.3, "encode-checked": undefined, writeval: 1 / 1.3 };

function podCase<T>(shape: Shape<T>, op: Op, codegen: boolean, poly: number | null): BenchCase {
  const path = codegen ? " generated" : " closures";
  return {
    id: `pod-${op}-${shape.id}${path.replace(" ", "-")}${poly === null ? "" : "-poly"}`,
    group: "pod",
    title: `${op} ${shape.title}${path}${poly === null ? "" : ", after 8 other struct types"}`,
    limitLabel: `hand-written DataView ${op === "decode" || op === "readval" ? "decode" : op === "encode-checked" ? "encode with vmio's checks" : "encode"}`,
    target: targets[op],
    ops: PASS * 200,
    unit: "value",
    clock: "cpu",
    setup() {
      if (poly !== null) pollute(poly, codegen);
      return bodies(shape, op, codegen);
    },
  };
}

/**
 * The floor of a checked encode: the hand-written encode that checks what
 * vmio checks (the `checked` codec: each part read once, checked, and only
 * then written) against the same encode without checks. A safe encoder
 * cannot beat it — the checks are the contract — so an `encode` row short
 * of its target but near this ratio is at the platform's floor. Most of
 * the gap is not the compares but the value itself: code that may throw an
 * error naming a refused part keeps that part alive, so V8 no longer
 * scalar-replaces the value objects the caller made.
 */
function floorCase<T>(shape: Shape<T>): BenchCase {
  return {
    id: `pod-encode-floor-${shape.id}`,
    group: "pod",
    title: `encode ${shape.title}: floor, hand-written with vmio's checks`,
    limitLabel: "hand-written DataView encode, unchecked",
    ops: PASS * 200,
    unit: "value",
    clock: "cpu",
    setup() {
      const size = shape.size;
      const bytes = new Uint8Array(PASS * size);
      const dv = new DataView(bytes.buffer);
      const end = PASS * size;
      const { encode, checked, value } = shape;
      return {
        vmio: (n) => {
          for (let done = 0; done < n; done += PASS) for (let o = 0, i = 0; o < end; o += size, i++) checked(dv, o, value(i));
          return bytes[5];
        },
        limit: (n) => {
          for (let done = 0; done < n; done += PASS) for (let o = 0, i = 0; o < end; o += size, i++) encode(dv, o, value(i));
          return bytes[5];
        },
      };
    },
  };
}

/**
 * The same floor in a process that has also defined the struct with vmio
 * (`shape.make`), as every `encode` row's process has. The value objects
 * (`{ id, pos, size }`) and the struct's definition (`struct({ id: u32,
 * pos: …, size: … })`) have the same keys in the same order, so V8 gives
 * them one map transition tree: the definition's descriptors generalize the
 * value's fields (`--trace-generalization`: `id` Smi → tagged, `pos` and
 * `size` from their literal's map to any heap object), after which the
 * value literals are no longer scalar-replaced: 7 → 119 scavenges in a run
 * where the struct is defined, 3.5 → 19 ns per nested value, for this
 * hand-written code as much as for vmio's codecs. A nested encode short of
 * its target near this ratio is at the platform's floor.
 */
function definedFloorCase<T>(shape: Shape<T>): BenchCase {
  const base = floorCase(shape);
  return {
    ...base,
    id: `${base.id}-defined`,
    title: `${base.title}, after struct(…) defined it (its fields object shares V8's maps with the values)`,
    setup() {
      // Defined and kept, as a program using vmio keeps its types.
      defined.push(shape.make(false));
      return base.setup();
    },
  };
}

/** Types the `-defined` floors made, kept alive. */
const defined: unknown[] = [];

/**
 * A hand-written cursor with vmio's bookkeeping (position, end and lease in
 * `#private` fields, each checked per value) calling vmio's own codec —
 * `decode`, or `snapshot`, then the checks, then `store` — for the
 * `readval`/`writeval` floors: what is left between those rows and the bare
 * codec is what any cursor object costs. Unlike `VmReader`/`VmWriter` it
 * has no `try`/`catch` turning a detached buffer's native error into a
 * coded one, and takes the descriptor unchecked.
 */
class PodCursor {
  readonly #view: DataView;
  readonly #lease: { readonly leaseExpired: boolean } | null;
  #pos = 0;
  readonly #end: number;

  constructor(view: DataView, lease: { readonly leaseExpired: boolean } | null) {
    this.#view = view;
    this.#lease = lease;
    this.#end = view.byteLength;
  }

  read<T>(d: PodDescriptor<T>): T {
    const size = d.size;
    const pos = this.#pos;
    if (this.#end - pos < size) short();
    const lease = this.#lease;
    if (lease !== null && lease.leaseExpired) bad(lease);
    const value = d.decode(this.#view, pos);
    this.#pos = pos + size;
    return value;
  }

  write<T>(d: PodDescriptor<T>, value: T): void {
    const snap = d.snapshot(value, "value");
    const size = d.size;
    const pos = this.#pos;
    if (this.#end - pos < size) short();
    const lease = this.#lease;
    if (lease !== null && lease.leaseExpired) bad(lease);
    d.store(this.#view, pos, snap);
    this.#pos = pos + size;
  }
}

function short(): never {
  throw new RangeError("short");
}

/**
 * The floor of a `readval`/`writeval` row: the same values through a
 * {@link PodCursor} made per pass, as the row makes a reader or writer per
 * pass, against the row's own hand-written limit.
 */
function cursorFloorCase<T>(shape: Shape<T>, op: "readval" | "writeval", codegen: boolean): BenchCase {
  const path = codegen ? "generated" : "closures";
  return {
    id: `pod-${op}-floor-${shape.id}-${path}`,
    group: "pod",
    title: `${op} ${shape.title} ${path}: floor, a hand-written cursor (#private position, end, lease checked per value) calling the same codec`,
    limitLabel: `hand-written DataView ${op === "readval" ? "decode" : "encode"}`,
    ops: PASS * 200,
    unit: "value",
    clock: "cpu",
    setup() {
      const { limit } = bodies(shape, op, codegen);
      const d = shape.make(codegen) as unknown as PodDescriptor<T>;
      const size = shape.size;
      const bytes = new Uint8Array(PASS * size);
      const dv = new DataView(bytes.buffer);
      for (let o = 0, i = 0; o < PASS * size; o += size, i++) shape.encode(dv, o, shape.value(i));
      const { value, use } = shape;
      return {
        limit,
        vmio:
          op === "readval"
            ? (n) => {
                let s = 0;
                for (let done = 0; done < n; done += PASS) {
                  const c = new PodCursor(dv, null);
                  for (let i = 0; i < PASS; i++) s += use(c.read(d));
                }
                return s;
              }
            : (n) => {
                for (let done = 0; done < n; done += PASS) {
                  const c = new PodCursor(dv, null);
                  for (let i = 0; i < PASS; i++) c.write(d, value(i));
                }
                return bytes[5];
              },
      };
    },
  };
}

/**
 * The true floor of a `writeval` row: a hand-written writer with vmio's
 * bookkeeping and rules and none of vmio's code — position, end, view and
 * lease in `#private` fields of an object made per pass (as the row makes a
 * `VmWriter` per pass), so that it serves any number of memories; the
 * encode written out by hand for the one shape: every field read once,
 * range-checked, then the bounds and the lease checked (after the reads: a
 * getter may free the memory), then the stores, with a detached buffer's
 * error caught. What it lacks against `writeVal` is what no hand-written
 * code has: the type argument's brand check and a codec reached through
 * the type (`snapshot` then `store`), which V8 must inline whole — within
 * its 920-byte budget — to scalar-replace the snapshot. Like the row's
 * process, the floor's has defined the struct (its limit is the row's), so
 * the nested values share V8's maps with the definition
 * ({@link definedFloorCase}).
 */
class HandWriter {
  readonly #view: DataView;
  readonly #lease: { readonly leaseExpired: boolean } | null;
  #pos = 0;
  readonly #end: number;

  constructor(view: DataView, lease: { readonly leaseExpired: boolean } | null) {
    this.#view = view;
    this.#lease = lease;
    this.#end = view.byteLength;
  }

  /** Checks `size` bytes left and the lease (after the value's reads), returns the position. */
  #reserve(size: number): number {
    const pos = this.#pos;
    if (this.#end - pos < size) short();
    const lease = this.#lease;
    if (lease !== null && lease.leaseExpired) bad(lease);
    return pos;
  }

  /** A write through a codec object, as `writeVal` reaches a descriptor's: snapshot, bounds and lease, store. */
  writeWith(c: HandCodec, v: unknown): void {
    const snap = c.snapshot(v);
    const size = c.size;
    const o = this.#reserve(size);
    try {
      c.store(this.#view, o, snap);
    } catch (e) {
      detached(e);
    }
    this.#pos = o + size;
  }

  write4(v: unknown): void {
    const x = obj(v);
    const f0 = cu32(x.f0);
    const f1 = cu32(x.f1);
    const f2 = cu32(x.f2);
    const f3 = cu32(x.f3);
    const o = this.#reserve(16);
    const dv = this.#view;
    try {
      dv.setUint32(o, f0, true);
      dv.setUint32(o + 4, f1, true);
      dv.setUint32(o + 8, f2, true);
      dv.setUint32(o + 12, f3, true);
    } catch (e) {
      detached(e);
    }
    this.#pos = o + 16;
  }

  write8(v: unknown): void {
    const x = obj(v);
    const f0 = cu32(x.f0);
    const f1 = cu32(x.f1);
    const f2 = cu32(x.f2);
    const f3 = cu32(x.f3);
    const f4 = cu32(x.f4);
    const f5 = cu32(x.f5);
    const f6 = cu32(x.f6);
    const f7 = cu32(x.f7);
    const o = this.#reserve(32);
    const dv = this.#view;
    try {
      dv.setUint32(o, f0, true);
      dv.setUint32(o + 4, f1, true);
      dv.setUint32(o + 8, f2, true);
      dv.setUint32(o + 12, f3, true);
      dv.setUint32(o + 16, f4, true);
      dv.setUint32(o + 20, f5, true);
      dv.setUint32(o + 24, f6, true);
      dv.setUint32(o + 28, f7, true);
    } catch (e) {
      detached(e);
    }
    this.#pos = o + 32;
  }

  writeNested(v: unknown): void {
    const x = obj(v);
    const id = cu32(x.id);
    const pos = obj(x.pos);
    const px = cf64(pos.x);
    const py = cf64(pos.y);
    const size = obj(x.size);
    const w = cu16(size.w);
    const h = cu16(size.h);
    const o = this.#reserve(32);
    const dv = this.#view;
    try {
      dv.setUint32(o, id, true);
      dv.setUint32(o + 4, 0);
      dv.setFloat64(o + 8, px, true);
      dv.setFloat64(o + 16, py, true);
      dv.setUint16(o + 24, w, true);
      dv.setUint16(o + 26, h, true);
      dv.setUint32(o + 28, 0);
    } catch (e) {
      detached(e);
    }
    this.#pos = o + 32;
  }
}

function detached(e: unknown): never {
  throw new TypeError("detached", { cause: e });
}

const handWrites: Record<string, (w: HandWriter, v: unknown) => void> = {
  "4": (w, v) => w.write4(v),
  "8": (w, v) => w.write8(v),
  nested: (w, v) => w.writeNested(v),
};

/** Values of `shape` written by `write` through a {@link HandWriter} made per pass. */
function handWriterBody<T>(shape: Shape<T>, write: (w: HandWriter, v: unknown) => void): Body {
  const { bytes, dv } = passBuffer(shape.size);
  const { value } = shape;
  return (n) => {
    for (let done = 0; done < n; done += PASS) {
      const w = new HandWriter(dv, null);
      for (let i = 0; i < PASS; i++) write(w, value(i));
    }
    return bytes[5];
  };
}

function trueFloorCase<T>(shape: Shape<T>): BenchCase {
  const write = handWrites[shape.id] as (w: HandWriter, v: unknown) => void;
  return {
    id: `pod-writeval-truefloor-${shape.id}`,
    group: "pod",
    title: `writeval ${shape.title}: true floor, a hand-written writer (#private position, end, view, lease; made per pass) with the encode written out (each field read once and checked, then bounds and lease, then the stores; detach caught), no vmio code; the struct defined in the process, as in the row's`,
    limitLabel: "hand-written DataView encode",
    ops: PASS * 200,
    unit: "value",
    clock: "cpu",
    setup() {
      const { limit } = bodies(shape, "writeval", true);
      return { limit, vmio: handWriterBody(shape, write) };
    },
  };
}

type FieldCheck = (v: unknown) => unknown;
type Refused = (err: unknown, field: number | undefined) => never;

/**
 * The smallest CSP-safe codec of an 8-field struct I could write by hand:
 * what any codec serving every struct type without generating code must
 * take as parameters (each field's name, check and offset; here also its
 * `DataView` setter's name, so that the store calls the builtin directly,
 * which V8 inlines as a store without spending inlining budget, where
 * vmio's calls a store closure per field, any field type's), with the
 * field being read counted for the refusal's message, as vmio's. Bytecode
 * (`--trace-turbo-inlining`): its snapshot 239 bytes with 8 checks of 26
 * (vmio's: 244 + 8 × 27, whose checks also pass the path), its store 218
 * (vmio's: 175 + 8 × 22 for the store closures). Its snapshot reads like
 * struct-literals.ts's 8-field one on purpose: a floor does the same job,
 * written without vmio's code.
 */
/* eslint-disable no-var -- a `var` costs no bytecode to declare, as in src/pod/struct-literals.ts */
function cspCodec8(
  fail: Refused,
  k0: string, c0: FieldCheck, n0: "setUint32",
  k1: string, c1: FieldCheck, n1: "setUint32", o1: number,
  k2: string, c2: FieldCheck, n2: "setUint32", o2: number,
  k3: string, c3: FieldCheck, n3: "setUint32", o3: number,
  k4: string, c4: FieldCheck, n4: "setUint32", o4: number,
  k5: string, c5: FieldCheck, n5: "setUint32", o5: number,
  k6: string, c6: FieldCheck, n6: "setUint32", o6: number,
  k7: string, c7: FieldCheck, n7: "setUint32", o7: number,
  size: number,
): HandCodec {
  type S8 = { a: number; b: number; c: number; d: number; e: number; f: number; g: number; h: number };
  return new HandCodec(
    (x) => {
      if (typeof x !== "object" || x === null) bad(x);
      var i;
      try {
        var a = c0((x as Obj)[k0]); i = 1;
        var b = c1((x as Obj)[k1]); i = 2;
        var c = c2((x as Obj)[k2]); i = 3;
        var d = c3((x as Obj)[k3]); i = 4;
        var e = c4((x as Obj)[k4]); i = 5;
        var f = c5((x as Obj)[k5]); i = 6;
        var g = c6((x as Obj)[k6]); i = 7;
        var h = c7((x as Obj)[k7]);
      } catch (err) {
        fail(err, i);
      }
      return { a, b, c, d, e, f, g, h };
    },
    (v, o, snap) => {
      const s = snap as S8;
      v[n0](o, s.a, true);
      v[n1](o + o1, s.b, true);
      v[n2](o + o2, s.c, true);
      v[n3](o + o3, s.d, true);
      v[n4](o + o4, s.e, true);
      v[n5](o + o5, s.f, true);
      v[n6](o + o6, s.g, true);
      v[n7](o + o7, s.h, true);
    },
    size,
  );
}
/* eslint-enable no-var */

/** A u32 field's check, as a CSP-safe codec takes it (a closure it calls). */
function u32Check(refuse: (v: unknown) => never): FieldCheck {
  return (v) => {
    if (typeof v !== "number" || v !== v >>> 0) refuse(v);
    return v;
  };
}

/** {@link cspCodec8} for the 8 × u32 shape (fields f0…f7, 4 bytes apart), refusals named as vmio's. */
function cspCodec8x32(): ReturnType<typeof cspCodec8> {
  const refuse = (v: unknown): never => bad(v);
  const fail: Refused = (err, field) => {
    throw new TypeError(`value.f${field ?? 0}`, { cause: err });
  };
  const u = (k: string, o: number): [string, FieldCheck, "setUint32", number] => [k, u32Check(refuse), "setUint32", o];
  const [, c0] = u("f0", 0);
  return cspCodec8(fail, "f0", c0, "setUint32", ...u("f1", 4), ...u("f2", 8), ...u("f3", 12), ...u("f4", 16), ...u("f5", 20), ...u("f6", 24), ...u("f7", 28), 32);
}

/**
 * The honest floor of the closure `writeval` of 8 × u32: a hand-written
 * writer (the true floors' {@link HandWriter}) writing through the
 * smallest CSP-safe 8-field codec written by hand ({@link cspCodec8}), no
 * vmio code — the job of the closure path, which must serve every struct
 * type without generating code, under the same rules (each field read
 * once and checked, the refused field named, then bounds and lease, then
 * the stores). Traced (`--trace-turbo-inlining`): the floor's `writeWith`
 * is 105 bytes of bytecode with 59 of `#reserve` and 447 + 218 of codec
 * (829 in all), vmio's `writeVal` 210 with 811 of codec (1,021). V8
 * inlines a call only while 1.2 × (its size + what its own optimized code
 * inlined) fits what is left of 920, so neither is inlined into the loop:
 * both call the write per value and allocate the value, and the 8-field
 * codec alone, 665 bytes at best, leaves about 100 for any writer's
 * bounds, lease and position. The `-budget-1300` twin shows the budget is
 * the whole gap (floor 0.12–0.17 → 0.30–0.36, vmio 0.11–0.16 → 0.35–0.40 in four runs).
 */
function cspFloorCase(budget?: number): BenchCase {
  const shape = shapes[3] as Shape<Obj>;
  return {
    id: `pod-writeval-cspfloor-8${budget === undefined ? "" : `-budget-${budget}`}`,
    group: "pod",
    title: `writeval ${shape.title}: honest floor of the closure path, a hand-written writer (#private position, end, view, lease; made per pass) through the smallest CSP-safe 8-field codec written by hand (names, checks, offsets and setter names as parameters), no vmio code${budget === undefined ? "" : `, V8's inlining budget raised from 920 to ${budget} bytes of bytecode`}`,
    limitLabel: "hand-written DataView encode",
    ops: PASS * 200,
    unit: "value",
    clock: "cpu",
    setup() {
      if (budget !== undefined) v8.setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${budget}`);
      const { limit } = bodies(shape, "writeval", false);
      const codec = cspCodec8x32();
      return { limit, vmio: handWriterBody(shape, (w, v) => w.writeWith(codec, v)) };
    },
  };
}

/**
 * An experiment beside the closure `writeval` of 8 × u32, not a floor:
 * what a structural change would buy. vmio's own `writeVal` writes
 * through a descriptor whose codec is {@link cspCodec8}'s snapshot and a
 * store padded with dead code past V8's 460-byte limit on any one inlined
 * function, so that no optimized code inlines the store: `writeVal`'s own
 * code is then 210 + 447 bytes, which fits what the loop has left, and
 * `writeVal` and the snapshot inline into the loop (the value is not
 * allocated; the snapshot is, since it goes into the called store). It
 * runs at 0.13–0.14 (three runs) beside the row's 0.11–0.16: what an
 * out-of-line store gives here is within the noise, far from the floors.
 * In a micro-benchmark the snapshot written into a per-codec scratch
 * instead of a fresh object measured the same (22–26 against 24–27 ns a
 * value), so the snapshot's allocation is not what costs; the store being
 * a call is (with the store inlined too, the `-budget-1300` case, the
 * same work runs at 0.35–0.40). Not done in vmio: it gains nothing
 * measurable, and V8 offers no way to keep a function out of its
 * callers' code but its size.
 */
function storeOutOfLineCase(): BenchCase {
  const shape = shapes[3] as Shape<Obj>;
  const base = podCase(shape, "writeval", false, null);
  return {
    ...base,
    id: "pod-writeval-8-store-out-of-line",
    title: `writeval ${shape.title}: experiment, vmio's writeVal through a hand-made CSP-safe codec whose store is kept out of line (padded past V8's 460-byte limit), so writeVal and the snapshot inline into the loop`,
    target: undefined,
    setup() {
      const { limit } = bodies(shape, "writeval", false);
      const codec = cspCodec8x32();
      const inner = codec.store;
      let pad = 0;
      const store = (v: DataView, o: number, snap: unknown): void => {
        inner(v, o, snap);
        if (o < 0) {
        pad = (pad * 31 + 0) | 0;
        pad = (pad * 31 + 1) | 0;
        pad = (pad * 31 + 2) | 0;
        pad = (pad * 31 + 3) | 0;
        pad = (pad * 31 + 4) | 0;
        pad = (pad * 31 + 5) | 0;
        pad = (pad * 31 + 6) | 0;
        pad = (pad * 31 + 7) | 0;
        pad = (pad * 31 + 8) | 0;
        pad = (pad * 31 + 9) | 0;
        pad = (pad * 31 + 10) | 0;
        pad = (pad * 31 + 11) | 0;
        pad = (pad * 31 + 12) | 0;
        pad = (pad * 31 + 13) | 0;
        pad = (pad * 31 + 14) | 0;
        pad = (pad * 31 + 15) | 0;
        pad = (pad * 31 + 16) | 0;
        pad = (pad * 31 + 17) | 0;
        pad = (pad * 31 + 18) | 0;
        pad = (pad * 31 + 19) | 0;
        pad = (pad * 31 + 20) | 0;
        pad = (pad * 31 + 21) | 0;
        pad = (pad * 31 + 22) | 0;
        pad = (pad * 31 + 23) | 0;
        pad = (pad * 31 + 24) | 0;
        pad = (pad * 31 + 25) | 0;
        pad = (pad * 31 + 26) | 0;
        pad = (pad * 31 + 27) | 0;
        pad = (pad * 31 + 28) | 0;
        pad = (pad * 31 + 29) | 0;
        pad = (pad * 31 + 30) | 0;
        pad = (pad * 31 + 31) | 0;
        pad = (pad * 31 + 32) | 0;
        pad = (pad * 31 + 33) | 0;
        pad = (pad * 31 + 34) | 0;
        pad = (pad * 31 + 35) | 0;
        pad = (pad * 31 + 36) | 0;
        pad = (pad * 31 + 37) | 0;
        pad = (pad * 31 + 38) | 0;
        pad = (pad * 31 + 39) | 0;
        }
      };
      const t = new PodDescriptor<Obj>(shape.title, 32, 4, null, { kind: "struct", fields: [] }, {
        decode: (v, o) => shape.decode(v, o),
        snapshot: codec.snapshot as PodDescriptor<Obj>["snapshot"],
        store: store as PodDescriptor<Obj>["store"],
      }) as unknown as PodType<Obj>;
      const { bytes } = passBuffer(shape.size);
      const { value } = shape;
      return {
        limit,
        vmio: (n) => {
          for (let done = 0; done < n; done += PASS) {
            const w = VmWriter.from(bytes);
            for (let i = 0; i < PASS; i++) w.writeVal(t, value(i));
          }
          return bytes[5] + pad;
        },
      };
    },
  };
}

/**
 * The floor of the closure path past its copies: the best codec written
 * without generating code, by hand — one function literal taking the
 * field names as parameters, with 4 × u32 checks and `DataView` calls
 * written out — made for nine struct types of 4 fields and run for the
 * ninth after the eight others. Whatever the code, a CSP-safe program has
 * only the function literals of its source, and V8 keeps one set of inline
 * caches per literal: the `x[k]` and `this[k] = …` sites see nine names
 * and go megamorphic. (vmio's closure path has 4 copies of each literal, so the
 * first 4 struct types of a field count are fast; the `poly` rows run the
 * 9th.)
 */
function sharedLiteral(k0: string, k1: string, k2: string, k3: string): { decode: (dv: DataView, o: number) => Obj; encode: (dv: DataView, o: number, v: unknown) => void } {
  // A constructor of plain objects: 6× faster here than an object literal with computed keys (`{ [k0]: … }`).
  function Value(this: Obj, a: number, b: number, c: number, d: number): void {
    this[k0] = a;
    this[k1] = b;
    this[k2] = c;
    this[k3] = d;
  }
  Value.prototype = Object.prototype;
  const New = Value as unknown as new (a: number, b: number, c: number, d: number) => Obj;
  return {
    decode: (dv, o) => new New(dv.getUint32(o, true), dv.getUint32(o + 4, true), dv.getUint32(o + 8, true), dv.getUint32(o + 12, true)),
    encode: (dv, o, v) => {
      const x = obj(v);
      const a = cu32(x[k0]);
      const b = cu32(x[k1]);
      const c = cu32(x[k2]);
      const d = cu32(x[k3]);
      dv.setUint32(o, a, true);
      dv.setUint32(o + 4, b, true);
      dv.setUint32(o + 8, c, true);
      dv.setUint32(o + 12, d, true);
    },
  };
}

function sharedLiteralFloor(op: "decode" | "encode", others = 8): BenchCase {
  const shape = shapes[2] as Shape<Obj>;
  return {
    id: others === 0 ? `pod-${op}-floor-4-own-literal` : `pod-${op}-floor-4-shared-literal`,
    group: "pod",
    title:
      others === 0
        ? `${op} ${shape.title}: floor of a CSP-safe codec, written by hand for this one struct type (field names as parameters, a constructor with computed keys)`
        : `${op} ${shape.title}: floor of a CSP-safe codec, one function literal shared by 9 struct types, after the 8 others`,
    limitLabel: `hand-written DataView ${op}`,
    ops: PASS * 200,
    unit: "value",
    clock: "cpu",
    setup() {
      const dv = new DataView(new ArrayBuffer(PASS * 16));
      for (let j = 0; j < others; j++) {
        const c = sharedLiteral(`x${j}_0`, `x${j}_1`, `x${j}_2`, `x${j}_3`);
        const v = { [`x${j}_0`]: j, [`x${j}_1`]: j, [`x${j}_2`]: j, [`x${j}_3`]: j };
        for (let i = 0; i < 20_000; i++) {
          c.encode(dv, 0, v);
          if (c.decode(dv, 0) === null) throw new Error("unreachable");
        }
      }
      const c = sharedLiteral("f0", "f1", "f2", "f3");
      // The same hand-written limit as the shape's own rows (its vmio side, a closure struct, is not run).
      const { limit } = bodies(shape, op, false);
      const end = PASS * 16;
      const bytes = new Uint8Array(dv.buffer);
      return {
        limit,
        vmio:
          op === "decode"
            ? (n) => {
                let s = 0;
                for (let done = 0; done < n; done += PASS) for (let o = 0; o < end; o += 16) s += shape.use(c.decode(dv, o));
                return s;
              }
            : (n) => {
                for (let done = 0; done < n; done += PASS) for (let o = 0, i = 0; o < end; o += 16, i++) c.encode(dv, o, shape.value(i));
                return bytes[5];
              },
      };
    },
  };
}

/**
 * The CSP-safe floor of the closure decode of `{ a: u32 }`: a decoder
 * written by hand for one struct type whose field name is a parameter (as
 * any codec built without generating code must take it), building its
 * value with a constructor of its own storing the computed key — what the
 * closure path does (struct-literals.ts) — against the row's limit, an
 * object literal with the key written out. Measured against the builds of
 * 7ce8688 (whose full run printed 0.83) and d87f84c, alternated: all three
 * run the row at 0.70–0.76 when the limit takes ~1 ns, and 0.92–0.94 when
 * the limit lands in its slow mode (1.6–3.5 ns, as it did in 7ce8688's run:
 * 1.97 ns): the row did not regress, the limit is bimodal.
 */
function ownLiteralDecodeFloor1(): BenchCase {
  const shape = shapes[0] as Shape<Obj>;
  return {
    id: "pod-decode-floor-1-own-literal",
    group: "pod",
    title: `decode ${shape.title}: floor of a CSP-safe codec, written by hand for this one struct type (the field name as a parameter, a constructor storing the computed key)`,
    limitLabel: "hand-written DataView decode",
    ops: PASS * 200,
    unit: "value",
    clock: "cpu",
    setup() {
      const { limit } = bodies(shape, "decode", false);
      const make = (k0: string): ((dv: DataView, o: number) => Obj) => {
        function Value(this: Obj, a: number): void {
          this[k0] = a;
        }
        Value.prototype = Object.prototype;
        const New = Value as unknown as new (a: number) => Obj;
        return (dv, o) => new New(dv.getUint32(o, true));
      };
      const decode = make("a");
      const dv = new DataView(new ArrayBuffer(PASS * 4));
      const end = PASS * 4;
      return {
        limit,
        vmio: (n) => {
          let s = 0;
          for (let done = 0; done < n; done += PASS) for (let o = 0; o < end; o += 4) s += shape.use(decode(dv, o));
          return s;
        },
      };
    },
  };
}

/** A hand-written encoder of one struct type, in the two shapes a checked encoder can take. */
interface RoundRobinEncoder {
  readonly size: number;
  /** Reads each field once and checks it; returns a fresh snapshot. */
  readonly snap: (v: unknown) => Obj;
  /** Writes a snapshot made by `snap`. */
  readonly store: (dv: DataView, o: number, s: Obj) => void;
  /** Reads and checks each field once, then (only then) checks the lease, then writes: one call. */
  readonly put: (dv: DataView, o: number, v: unknown, lease: { readonly leaseExpired: boolean } | null) => void;
}

function ci32(v: unknown): number {
  if (typeof v !== "number" || (v | 0) !== v) bad(v);
  return v as number;
}
function cu8(v: unknown): number {
  if (typeof v !== "number" || (v & 0xff) !== v) bad(v);
  return v as number;
}
function leaseOk(lease: { readonly leaseExpired: boolean } | null): void {
  if (lease !== null && lease.leaseExpired) bad(lease);
}

/**
 * The 8 struct types of io.bench.ts's round-robin rows, each with its
 * encoders written by hand (its own function literals) and a value.
 */
const roundRobin: ReadonlyArray<{ readonly type: PodType<Obj>; readonly enc: RoundRobinEncoder; readonly value: Obj }> = [
  {
    type: struct({ a: u32 }),
    enc: {
      size: 4,
      snap: (v) => ({ a: cu32(obj(v).a) }),
      store: (dv, o, s) => dv.setUint32(o, s.a as number, true),
      put: (dv, o, v, lease) => {
        const a = cu32(obj(v).a);
        leaseOk(lease);
        dv.setUint32(o, a, true);
      },
    },
    value: { a: 1 },
  },
  {
    type: struct({ a: u32, b: u32 }),
    enc: {
      size: 8,
      snap: (v) => {
        const x = obj(v);
        const a = cu32(x.a);
        return { a, b: cu32(x.b) };
      },
      store: (dv, o, s) => {
        dv.setUint32(o, s.a as number, true);
        dv.setUint32(o + 4, s.b as number, true);
      },
      put: (dv, o, v, lease) => {
        const x = obj(v);
        const a = cu32(x.a);
        const b = cu32(x.b);
        leaseOk(lease);
        dv.setUint32(o, a, true);
        dv.setUint32(o + 4, b, true);
      },
    },
    value: { a: 1, b: 2 },
  },
  {
    type: struct({ a: u16, b: u16, c: u32 }),
    enc: {
      size: 8,
      snap: (v) => {
        const x = obj(v);
        const a = cu16(x.a);
        const b = cu16(x.b);
        return { a, b, c: cu32(x.c) };
      },
      store: (dv, o, s) => {
        dv.setUint16(o, s.a as number, true);
        dv.setUint16(o + 2, s.b as number, true);
        dv.setUint32(o + 4, s.c as number, true);
      },
      put: (dv, o, v, lease) => {
        const x = obj(v);
        const a = cu16(x.a);
        const b = cu16(x.b);
        const c = cu32(x.c);
        leaseOk(lease);
        dv.setUint16(o, a, true);
        dv.setUint16(o + 2, b, true);
        dv.setUint32(o + 4, c, true);
      },
    },
    value: { a: 1, b: 2, c: 3 },
  },
  {
    type: struct({ a: u8, b: u8, c: u16 }),
    enc: {
      size: 4,
      snap: (v) => {
        const x = obj(v);
        const a = cu8(x.a);
        const b = cu8(x.b);
        return { a, b, c: cu16(x.c) };
      },
      store: (dv, o, s) => {
        dv.setUint8(o, s.a as number);
        dv.setUint8(o + 1, s.b as number);
        dv.setUint16(o + 2, s.c as number, true);
      },
      put: (dv, o, v, lease) => {
        const x = obj(v);
        const a = cu8(x.a);
        const b = cu8(x.b);
        const c = cu16(x.c);
        leaseOk(lease);
        dv.setUint8(o, a);
        dv.setUint8(o + 1, b);
        dv.setUint16(o + 2, c, true);
      },
    },
    value: { a: 1, b: 2, c: 3 },
  },
  {
    type: struct({ a: u32, b: u32, c: u32 }),
    enc: {
      size: 12,
      snap: (v) => {
        const x = obj(v);
        const a = cu32(x.a);
        const b = cu32(x.b);
        return { a, b, c: cu32(x.c) };
      },
      store: (dv, o, s) => {
        dv.setUint32(o, s.a as number, true);
        dv.setUint32(o + 4, s.b as number, true);
        dv.setUint32(o + 8, s.c as number, true);
      },
      put: (dv, o, v, lease) => {
        const x = obj(v);
        const a = cu32(x.a);
        const b = cu32(x.b);
        const c = cu32(x.c);
        leaseOk(lease);
        dv.setUint32(o, a, true);
        dv.setUint32(o + 4, b, true);
        dv.setUint32(o + 8, c, true);
      },
    },
    value: { a: 1, b: 2, c: 3 },
  },
  {
    type: struct({ a: f64 }),
    enc: {
      size: 8,
      snap: (v) => ({ a: cf64(obj(v).a) }),
      store: (dv, o, s) => dv.setFloat64(o, s.a as number, true),
      put: (dv, o, v, lease) => {
        const a = cf64(obj(v).a);
        leaseOk(lease);
        dv.setFloat64(o, a, true);
      },
    },
    value: { a: 1.5 },
  },
  {
    type: struct({ a: u32, b: u16, c: u16 }),
    enc: {
      size: 8,
      snap: (v) => {
        const x = obj(v);
        const a = cu32(x.a);
        const b = cu16(x.b);
        return { a, b, c: cu16(x.c) };
      },
      store: (dv, o, s) => {
        dv.setUint32(o, s.a as number, true);
        dv.setUint16(o + 4, s.b as number, true);
        dv.setUint16(o + 6, s.c as number, true);
      },
      put: (dv, o, v, lease) => {
        const x = obj(v);
        const a = cu32(x.a);
        const b = cu16(x.b);
        const c = cu16(x.c);
        leaseOk(lease);
        dv.setUint32(o, a, true);
        dv.setUint16(o + 4, b, true);
        dv.setUint16(o + 6, c, true);
      },
    },
    value: { a: 1, b: 2, c: 3 },
  },
  {
    type: struct({ a: i32, b: i32 }),
    enc: {
      size: 8,
      snap: (v) => {
        const x = obj(v);
        const a = ci32(x.a);
        return { a, b: ci32(x.b) };
      },
      store: (dv, o, s) => {
        dv.setInt32(o, s.a as number, true);
        dv.setInt32(o + 4, s.b as number, true);
      },
      put: (dv, o, v, lease) => {
        const x = obj(v);
        const a = ci32(x.a);
        const b = ci32(x.b);
        leaseOk(lease);
        dv.setInt32(o, a, true);
        dv.setInt32(o + 4, b, true);
      },
    },
    value: { a: -1, b: 2 },
  },
];

/** A hand-written writer (#private position, end, view, lease) for the round-robin floors. */
class RoundRobinWriter {
  readonly #view: DataView;
  readonly #lease: { readonly leaseExpired: boolean } | null;
  #pos = 0;
  readonly #end: number;

  constructor(view: DataView, lease: { readonly leaseExpired: boolean } | null) {
    this.#view = view;
    this.#lease = lease;
    this.#end = view.byteLength;
  }

  /** Two calls through the one site, as `writeVal`: snapshot, then bounds and lease, then store. */
  split(e: RoundRobinEncoder, v: unknown): void {
    const s = e.snap(v);
    const size = e.size;
    const pos = this.#pos;
    if (this.#end - pos < size) short();
    leaseOk(this.#lease);
    e.store(this.#view, pos, s);
    this.#pos = pos + size;
  }

  /** One call: bounds first, then the encoder reads, checks the lease it is given, and writes. */
  fused(e: RoundRobinEncoder, v: unknown): void {
    const size = e.size;
    const pos = this.#pos;
    if (this.#end - pos < size) short();
    e.put(this.#view, pos, v, this.#lease);
    this.#pos = pos + size;
  }
}

/** Values per pass of the round-robin rows (whole rounds of 8). */
const RR_PASS = 1024;

/**
 * 8 struct types through one `writeVal` site (as io.bench.ts's
 * `writeval-round-robin`) against its floors, hand-written writers calling
 * hand-written encoders of those 8 types through one site, in the two
 * shapes a checked encoder can take under vmio's rule that the lease is
 * checked after the value's reads (a getter may free the memory): `split`,
 * vmio's own shape — a snapshot call, then bounds and lease, then a store
 * call, the snapshot allocated since neither call is inlined at a
 * megamorphic site; and `fused` — one call that reads, checks the lease it
 * is passed, and writes (what `writeVal` cannot be without the codec
 * reading the writer's position after the value's getters, which may
 * re-enter it). (io.bench.ts's floor checks its lease before the reads.)
 *
 * Measured (3 runs, loaded machine): vmio 0.07–0.08, `split` 0.07–0.09,
 * `fused` 0.13–0.15: `writeVal` is at the floor of its shape; the rest is
 * the shape — two megamorphic calls with a snapshot allocated between
 * them, against one. Reaching `fused` would take a third codec entry that
 * reads and checks the value, then calls back into the writer for its
 * position, bounds and lease, then stores from its locals; not built.
 */
function roundRobinCase(kind: "vmio" | "split" | "fused"): BenchCase {
  return {
    id: kind === "vmio" ? "pod-writeval-round-robin" : `pod-writeval-round-robin-floor-${kind}`,
    group: "pod",
    title:
      kind === "vmio"
        ? "writeVal through one writer, 8 struct types in turn (closures; one megamorphic snapshot and store site)"
        : `writeval of 8 struct types in turn: floor, a hand-written writer calling 8 hand-written encoders through one site, ${
            kind === "split" ? "split as vmio's (snapshot call, then bounds and lease, then store call)" : "fused (one call: reads, then the lease passed in, then stores)"
          }`,
    limitLabel: "the 8 DataView encodes written out in one loop",
    ops: RR_PASS * 200,
    unit: "value",
    clock: "cpu",
    setup() {
      const round = roundRobin.reduce((n, t) => n + t.enc.size, 0);
      const bytes = new Uint8Array((RR_PASS / 8) * round);
      const dv = new DataView(bytes.buffer);
      const types = roundRobin.map((t) => t.type);
      const encs = roundRobin.map((t) => t.enc);
      const values = roundRobin.map((t) => t.value);
      const limit: Body = (n) => {
        for (let done = 0; done < n; done += RR_PASS) {
          for (let r = 0, o = 0; r < RR_PASS / 8; r++, o += round) {
            dv.setUint32(o, 1, true);
            dv.setUint32(o + 4, 1, true);
            dv.setUint32(o + 8, 2, true);
            dv.setUint16(o + 12, 1, true);
            dv.setUint16(o + 14, 2, true);
            dv.setUint32(o + 16, 3, true);
            dv.setUint8(o + 20, 1);
            dv.setUint8(o + 21, 2);
            dv.setUint16(o + 22, 3, true);
            dv.setUint32(o + 24, 1, true);
            dv.setUint32(o + 28, 2, true);
            dv.setUint32(o + 32, 3, true);
            dv.setFloat64(o + 36, 1.5, true);
            dv.setUint32(o + 44, 1, true);
            dv.setUint16(o + 48, 2, true);
            dv.setUint16(o + 50, 3, true);
            dv.setInt32(o + 52, -1, true);
            dv.setInt32(o + 56, 2, true);
          }
        }
        return bytes[5];
      };
      const vmio: Body =
        kind === "vmio"
          ? (n) => {
              for (let done = 0; done < n; done += RR_PASS) {
                const w = VmWriter.from(bytes);
                for (let i = 0; i < RR_PASS; i++) w.writeVal(types[i & 7] as PodType<Obj>, values[i & 7] as Obj);
              }
              return bytes[5];
            }
          : kind === "split"
            ? (n) => {
                for (let done = 0; done < n; done += RR_PASS) {
                  const w = new RoundRobinWriter(dv, null);
                  for (let i = 0; i < RR_PASS; i++) w.split(encs[i & 7] as RoundRobinEncoder, values[i & 7]);
                }
                return bytes[5];
              }
            : (n) => {
                for (let done = 0; done < n; done += RR_PASS) {
                  const w = new RoundRobinWriter(dv, null);
                  for (let i = 0; i < RR_PASS; i++) w.fused(encs[i & 7] as RoundRobinEncoder, values[i & 7]);
                }
                return bytes[5];
              };
      return { vmio, limit };
    },
  };
}

/** A buffer of one pass of values of `size` bytes: its bytes, a view of them, and its end. */
function passBuffer(size: number): { bytes: Uint8Array; dv: DataView; end: number } {
  const bytes = new Uint8Array(PASS * size);
  return { bytes, dv: new DataView(bytes.buffer), end: PASS * size };
}

/**
 * What reaching the codec through its descriptor costs an `encode` row: the
 * same generated `snapshot` and `store`, loaded from the descriptor once per
 * pass instead of per value (`d.store(dv, o, d.snapshot(v, "value"))`, as
 * the row and `writeVal` do). Both inline everything and allocate nothing
 * (the same scavenge count), yet a per-value load of the two functions,
 * with the call-target checks V8 keeps for each, is what separates the
 * `encode` rows of 1 and 4 fields from their checked floor, whose one
 * checking function is called through a variable (micro-benchmark, Node 20:
 * `{ a: u32 }` 0.66–0.68 through the descriptor, 1.00–1.14 loaded once, and
 * the same with the loads in the loop but called without a receiver). A
 * user's `writeVal(t, v)` reaches the codec through `t` per value by its
 * nature, so this is measured, not a target.
 */
function hoistedEncodeCase<T>(shape: Shape<T>): BenchCase {
  const base = podCase(shape, "encode", true, null);
  return {
    ...base,
    id: `${base.id}-hoisted`,
    title: `${base.title}, snapshot and store loaded from the descriptor once per pass (not per value)`,
    target: undefined,
    setup() {
      const { limit } = bodies(shape, "encode", true);
      const d = shape.make(true) as unknown as PodDescriptor<T>;
      const { size, value } = shape;
      const { bytes, dv, end } = passBuffer(size);
      return {
        limit,
        vmio: (n) => {
          const snapshot = d.snapshot;
          const store = d.store;
          for (let done = 0; done < n; done += PASS) for (let o = 0, i = 0; o < end; o += size, i++) store(dv, o, snapshot(value(i), "value"));
          return bytes[5];
        },
      };
    },
  };
}

/**
 * A codec object written by hand, of one class for every type (as a
 * descriptor serving any type through one call site must be: all of
 * vmio's struct descriptors share one map, so that a `writeVal` seeing
 * many types keeps monomorphic property loads), its functions in own
 * fields as the descriptor's are.
 */
class HandCodec {
  constructor(
    readonly snapshot: (v: unknown) => unknown,
    readonly store: (dv: DataView, o: number, s: unknown) => void,
    readonly size: number,
  ) {}
}

/**
 * Hand-written checked codecs of the 1- and 4-field structs: each part read
 * once and checked, then stored. The checks are written out (the module's
 * `obj` and `cu32` are mutable bindings of this module, which TurboFan
 * loads and compares with the function it inlined at every use).
 */
function handCodecs(): Record<string, HandCodec> {
  type S1 = { readonly a: number };
  type S4 = { readonly f0: number; readonly f1: number; readonly f2: number; readonly f3: number };
  return {
    "1": new HandCodec(
      (v) => {
        if (typeof v !== "object" || v === null) bad(v);
        const a = (v as Obj).a;
        if (typeof a !== "number" || a >>> 0 !== a) bad(a);
        return { a };
      },
      (dv, o, s) => dv.setUint32(o, (s as S1).a, true),
      4,
    ),
    "4": new HandCodec(
      (v) => {
        if (typeof v !== "object" || v === null) bad(v);
        const x = v as Obj;
        const f0 = x.f0;
        if (typeof f0 !== "number" || f0 >>> 0 !== f0) bad(f0);
        const f1 = x.f1;
        if (typeof f1 !== "number" || f1 >>> 0 !== f1) bad(f1);
        const f2 = x.f2;
        if (typeof f2 !== "number" || f2 >>> 0 !== f2) bad(f2);
        const f3 = x.f3;
        if (typeof f3 !== "number" || f3 >>> 0 !== f3) bad(f3);
        return { f0, f1, f2, f3 };
      },
      (dv, o, s) => {
        const t = s as S4;
        dv.setUint32(o, t.f0, true);
        dv.setUint32(o + 4, t.f1, true);
        dv.setUint32(o + 8, t.f2, true);
        dv.setUint32(o + 12, t.f3, true);
      },
      16,
    ),
  };
}

/** The encode of {@link descriptorFloorCase}: a hand-written checked codec reached through a codec object per value. */
function throughObject<T>(shape: Shape<T>): Body {
  const h = handCodecs()[shape.id] as HandCodec;
  const { size, value } = shape;
  const { bytes, dv, end } = passBuffer(size);
  return (n) => {
    for (let done = 0; done < n; done += PASS) for (let o = 0, i = 0; o < end; o += size, i++) h.store(dv, o, h.snapshot(value(i)));
    return bytes[5];
  };
}

/**
 * The honest floor of the generated `encode` rows of 1 and 4 fields: the
 * same two-phase encode with no vmio code — hand-written checked
 * `snapshot` and `store` reached through a codec object per value
 * (`h.store(dv, o, h.snapshot(v))`, as the row reaches the descriptor's),
 * the object one of two of its class, held as the row holds its
 * descriptor. Against the row's limit.
 *
 * What limits both, in V8 terms (Node 20, V8 11.3; `--print-opt-code` of
 * the loop): per value, TurboFan checks the object's map, loads its two
 * function fields and compares each with the target it inlined — 2 loads,
 * 3 compares and branches that the `-hoisted` case does not have. They
 * stay although the fields are const data fields (`%DebugPrint`) and, in
 * these loops, the object is a constant of the final code (it seems to
 * become one only after the property accesses were lowered); what TurboFan
 * did fold, in a micro-benchmark, was the same functions on a prototype,
 * which the access names as its holder: the loads and target checks
 * vanished from the loop. TurboFan has no loop-invariant code motion, and
 * loop peeling does not remove them either (they stay with a
 * typed-array store, which LoadElimination does not treat as killing its
 * state, where a `DataView` store does). A per-type prototype gives every
 * type its own map, so a `writeVal` or `readVal` that sees more than 4
 * types pays megamorphic property loads (a stub-cache probe per load)
 * where it now has monomorphic ones: in a micro-benchmark of a
 * `writeVal`-shaped function (brand, snapshot, size, store) over 8
 * generated types in turn, 73–82 ns a value with per-type prototypes
 * against 36–40 with one shared map, and no difference measured over one
 * type (8.0–9.9 against 7.9–12 ns): a loss for any program with several
 * types, to save 2 loads and 2 compares in a loop over one.
 */
function descriptorFloorCase<T>(shape: Shape<T>): BenchCase {
  return {
    id: `pod-encode-floor-${shape.id}-through-object`,
    group: "pod",
    title: `encode ${shape.title}: honest floor, hand-written checked snapshot and store reached through a codec object per value (two types of one class, functions in own fields), no vmio code`,
    limitLabel: "hand-written DataView encode",
    ops: PASS * 200,
    unit: "value",
    clock: "cpu",
    setup() {
      const { limit } = bodies(shape, "encode", true);
      return { limit, vmio: throughObject(shape) };
    },
  };
}

/**
 * The `encode` row of 1 or 4 fields measured against its honest floor
 * ({@link descriptorFloorCase}) in the same process, instead of against the
 * plain limit: that limit runs at one of two speeds from one process to the
 * next (0.6–0.7 or 1.7 ns a value for `{ u32 }`, the same code), which moves
 * the row and its floor between 0.35 and 0.85 in alternated runs however
 * fast either is. Here both sides reach a checked two-phase codec through
 * an object per value: vmio's descriptor and a hand-written codec object.
 */
function versusFloorCase<T>(shape: Shape<T>, codegen: boolean): BenchCase {
  const base = podCase(shape, "encode", codegen, null);
  return {
    ...base,
    id: `${base.id}-vs-floor`,
    title: `${base.title}, against its honest floor (a hand-written checked codec reached through an object per value)`,
    limitLabel: "hand-written checked snapshot and store through a codec object per value",
    target: undefined,
    setup() {
      const { vmio } = bodies(shape, "encode", codegen);
      return { vmio, limit: throughObject(shape) };
    },
  };
}

/**
 * What the 8-field writes lack: V8 inlines a caller's chain of calls only
 * up to 920 bytes of bytecode (`--max-inlined-bytecode-size-cumulative`),
 * and refuses a call whose callee, with what that callee's own optimized
 * code inlined, would take the total past it once scaled by 1.2
 * (`--reserve-inline-budget-scale-factor`). The closure path's 8-field
 * encode fits with about 5 bytes to spare: its snapshot (244 bytes, 460
 * with its fields' checks) after its store (173, 351 with the fields'
 * stores); it missed by 5 while the store called an empty padding writer,
 * and ran at 0.15 (the `-budget-960` case shows what raising the budget
 * did then, and costs nothing now). `writeVal` adds itself to either
 * path's snapshot and store, and once V8 has optimized `writeVal` on its
 * own (it is hot before its caller is), it is counted with what that code
 * inlined: it was 233 + 576 bytes (generated), past the budget, so every
 * write was a call that allocated the value. Now 210 + 540 (a smaller
 * `writeVal` and generated snapshot), which fits: the generated row runs at
 * its floors (0.26–0.37, `truefloor` 0.32–0.38), and its `-budget-1100`
 * case shows nothing more to gain. The closure path's is 210 + 811, short
 * by V8's budget, not by work done: raised, it runs at its floor.
 */
function budgetCase(op: "encode" | "writeval", codegen: boolean, budget: number, id?: string, shape = shapes[3] as Shape<unknown>): BenchCase {
  const base = podCase(shape, op, codegen, null);
  return {
    ...base,
    id: id ?? `${base.id}-budget-${budget}`,
    title: `${base.title}, V8's inlining budget raised from 920 to ${budget} bytes of bytecode`,
    target: undefined,
    setup() {
      v8.setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${budget}`);
      return base.setup();
    },
  };
}

export const cases: BenchCase[] = [];
for (const shape of shapes) {
  for (const op of ["decode", "encode", "encode-checked", "readval", "writeval"] as const) {
    for (const codegen of [false, true]) cases.push(podCase(shape as Shape<unknown>, op, codegen, null));
  }
}
// The cost of sharing: the 4-field struct after other 4-field struct types used the same path.
for (const op of ["decode", "encode"] as const) {
  for (const codegen of [false, true]) cases.push(podCase(shapes[2] as Shape<unknown>, op, codegen, 4));
  cases.push(sharedLiteralFloor(op));
  // The closure rows' own floor: the same hand-written CSP-safe codec used by one struct type only.
  cases.push(sharedLiteralFloor(op, 0));
}
cases.push(ownLiteralDecodeFloor1());
cases.push(roundRobinCase("vmio"), roundRobinCase("split"), roundRobinCase("fused"));
cases.push(hoistedEncodeCase(shapes[0] as Shape<unknown>), hoistedEncodeCase(shapes[2] as Shape<unknown>));
cases.push(descriptorFloorCase(shapes[0] as Shape<unknown>), descriptorFloorCase(shapes[2] as Shape<unknown>));
for (const codegen of [false, true]) cases.push(versusFloorCase(shapes[0] as Shape<unknown>, codegen), versusFloorCase(shapes[2] as Shape<unknown>, codegen));
// Floors beside the short rows (issue 10).
for (const shape of shapes) {
  cases.push(floorCase(shape as Shape<unknown>), definedFloorCase(shape as Shape<unknown>));
  for (const op of ["readval", "writeval"] as const) {
    for (const codegen of [false, true]) cases.push(cursorFloorCase(shape as Shape<unknown>, op, codegen));
  }
}
// True floors of the writeval rows: no vmio code at all.
for (const shape of shapes) if (shape.id in handWrites) cases.push(trueFloorCase(shape as Shape<unknown>));
// The closure path's own floor: a CSP-safe codec written by hand, through a hand-written writer.
cases.push(cspFloorCase(), cspFloorCase(1300), storeOutOfLineCase());
cases.push(
  budgetCase("encode", false, 960, "pod-encode-8-closures-budget-960"),
  budgetCase("writeval", false, 1300),
  budgetCase("writeval", true, 1100),
  // The nested struct's closure writeVal: 210 bytes of writeVal with 824 of
  // snapshots and stores (three factories' closures and the scalars'),
  // where the generated code's fit.
  budgetCase("writeval", false, 1300, undefined, shapes[4] as Shape<unknown>),
);
