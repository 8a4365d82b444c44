/**
 * The scalar Pod types: fixed-width integers and IEEE floats, little-endian.
 *
 * `u64`, `i64`, `usize` and `isize` decode to `bigint` (a JS `number` cannot
 * hold every 64-bit integer); all others decode to `number`. `usize` and
 * `isize` are 64-bit, as on the x86-64 machines OSTD models.
 *
 * Encoding rejects values the type cannot hold instead of wrapping them the
 * way `DataView.setUint8(300)` would: a non-number (or non-bigint for the
 * 64-bit types) is a `TypeError`, an out-of-range or fractional integer a
 * `RangeError`. Floats accept every number, NaN included.
 *
 * @module
 */

import { PodFault, rethrow } from "./pod-fault.js";
import { PodDescriptor, type Decoder, type OnceKind, type PodOnceType, type PodSnapshot, type PodType, type Snapshotter } from "./pod-type.js";

/** How a scalar type checks a value, in both forms the codec paths need. */
interface Check {
  /** True exactly for the values of the type; allocation-free. */
  readonly valid: (value: unknown) => boolean;
  /** The same test as JS source over the variable `$`, for generated code (tested to agree). */
  readonly source: string;
  /** The fault for a value `valid` refused. */
  readonly fault: (value: unknown) => PodFault;
  /**
   * The snapshot function: the same test again, written out (not a call of
   * `valid`) and calling `refuse` for a refused value, so that it stays
   * within the 27 bytes of bytecode that V8 inlines whatever its inlining
   * budget has left (a struct of 8 fields spends it on its own code): 27
   * exactly for u32, i32 and the floats, in the form `if (typeof v !==
   * "number" || v !== v >>> 0) refuse(v, p); return v;` (a ternary, or
   * `v >>> 0 === v`, costs a few bytes more); 30 for the 8- and 16-bit
   * types, whose masks need wider operands. Each type has its own function
   * rather than one shared call site that sees every type's `valid`.
   */
  readonly snapshot: (refuse: (value: unknown, path: string | undefined) => never) => (value: unknown, path?: string) => unknown;
}

/**
 * A check for an integer type. `valid` must be true exactly for the integers
 * of the type: a type test, one integer operation and a compare, e.g.
 * `typeof v === "number" && v >>> 0 === v` for u32, which is also false for
 * NaN, fractions and out-of-range values. Each type writes its own (rather
 * than sharing one that calls a `fits` function), so that the check is one
 * small function V8 inlines without spending its inlining budget on a
 * second call. `source` is the same test over `$`.
 */
function intCheck(min: number, max: number, valid: (v: unknown) => boolean, source: string, snapshot: Check["snapshot"]): Check {
  return {
    valid,
    source,
    snapshot,
    fault: (value) =>
      typeof value !== "number"
        ? new PodFault(value, "an integer (a number)", false)
        : new PodFault(value, `an integer in [${min}, ${max}]`, true),
  };
}

/** A check for a 64-bit type: `BigInt.asUintN/asIntN` is ~2× cheaper than two bigint compares. */
function bigCheck(signed: boolean): Check {
  const [min, max] = signed ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
  const wrap = signed ? "asIntN" : "asUintN";
  return {
    valid: signed
      ? (value) => typeof value === "bigint" && BigInt.asIntN(64, value) === value
      : (value) => typeof value === "bigint" && BigInt.asUintN(64, value) === value,
    source: `typeof $ === "bigint" && BigInt.${wrap}(64, $) === $`,
    snapshot: signed
      ? (refuse) => (v, p) => {
          if (typeof v !== "bigint" || v !== BigInt.asIntN(64, v)) refuse(v, p);
          return v;
        }
      : (refuse) => (v, p) => {
          if (typeof v !== "bigint" || v !== BigInt.asUintN(64, v)) refuse(v, p);
          return v;
        },
    fault: (value) =>
      typeof value !== "bigint"
        ? new PodFault(value, "a bigint", false)
        : new PodFault(value, `a bigint in [${min}, ${max}]`, true),
  };
}

const floatCheck: Check = {
  valid: (value) => typeof value === "number",
  source: `typeof $ === "number"`,
  snapshot: (refuse) => (v, p) => {
    if (typeof v !== "number") refuse(v, p);
    return v;
  },
  fault: (value) => new PodFault(value, "a number", false),
};

/**
 * Builds a scalar descriptor. `get`/`set` name the `DataView` accessors
 * that `decode`/`store` call (for the generated-code path); a scalar's
 * snapshot is the primitive value itself.
 */
function scalar<T>(
  name: string,
  once: OnceKind | null,
  size: number,
  accessor: string,
  decode: Decoder<T>,
  store: (v: DataView, o: number, x: T) => void,
  check: Check,
): PodDescriptor<T> {
  return new PodDescriptor<T>(
    name,
    size,
    size,
    once,
    { kind: "scalar", get: `get${accessor}`, set: `set${accessor}`, check: check.source, fault: check.fault },
    {
      decode,
      snapshot: check.snapshot((value, path) => rethrow(check.fault(value), "", path)) as Snapshotter<T>,
      store: store as (v: DataView, o: number, x: PodSnapshot<T>) => void,
    },
    check.valid,
  );
}

function once<T>(
  name: string,
  kind: OnceKind,
  size: number,
  accessor: string,
  decode: Decoder<T>,
  store: (v: DataView, o: number, x: T) => void,
  check: Check,
): PodOnceType<T> {
  return scalar(name, kind, size, accessor, decode, store, check) as PodDescriptor<T> & PodOnceType<T>;
}

/**
 * The codec of a 64-bit integer type, through a scratch word: the value is
 * put into (or taken from) an 8-byte typed array as a whole and moved to or
 * from memory as two `u32` halves, least significant first.
 *
 * Why not `DataView`'s `getBigUint64`/`setBigUint64`: TurboFan (Node 20,
 * V8 11.3) does not inline them, so each is a builtin call (measured:
 * 12–17 ns a store or a load in a loop where the scratch word takes 5–6),
 * and a call keeps a cursor alive: V8's escape analysis treats the
 * receiver of every frame around a call it did not inline as escaping
 * (vm-reader.ts), so a reader or writer made for one `u64` value was
 * allocated. A `BigUint64Array` element access and `DataView`'s 32-bit
 * accessors are all inlined, so a fresh cursor is scalar-replaced again.
 *
 * The bytes are those of the `DataView` methods (tested against them):
 * `q` wraps a bigint to 64 bits on store as `setBigUint64`/`setBigInt64`
 * do, and the snapshot has already refused anything out of range. A store
 * is made only where all 8 bytes are in bounds of a live view (`store`'s
 * contract), so either both halves are written or the first `setUint32`
 * throws (a detached buffer) before any byte is. Nothing between the two
 * halves runs user code. On a big-endian host (the scratch word's first
 * `u32` half is then its high one) the `DataView` methods are used.
 *
 * `w` and `q` are parameters, not closed-over `const`s: V8 would check a
 * `const` for its temporal dead zone at every use, bytecode that counts
 * against its inlining budget.
 */
function wide<T extends bigint>(
  w: Uint32Array,
  q: BigUint64Array | BigInt64Array,
  fallback: { decode: Decoder<T>; store: (v: DataView, o: number, x: T) => void },
): { decode: Decoder<T>; store: (v: DataView, o: number, x: T) => void } {
  if (!LITTLE_ENDIAN_HOST) return fallback;
  return {
    decode: (v, o) => {
      w[0] = v.getUint32(o, true);
      w[1] = v.getUint32(o + 4, true);
      return q[0] as T;
    },
    store: (v, o, x) => {
      q[0] = x;
      v.setUint32(o, w[0] as number, true);
      v.setUint32(o + 4, w[1] as number, true);
    },
  };
}

/** Whether this host stores typed-array elements least significant byte first (every host Node ships for but s390x). */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The scratch word of the 64-bit codecs ({@link wide}), as unsigned and signed 64 bits and as two `u32` halves. */
const scratchU64 = new BigUint64Array(1);
const scratchI64 = new BigInt64Array(scratchU64.buffer);
const scratchHalves = new Uint32Array(scratchU64.buffer);

/** The codecs of the unsigned and the signed 64-bit types. */
const u64Codec = wide<bigint>(scratchHalves, scratchU64, {
  decode: (v, o) => v.getBigUint64(o, true),
  store: (v, o, x) => v.setBigUint64(o, x, true),
});
const i64Codec = wide<bigint>(scratchHalves, scratchI64, {
  decode: (v, o) => v.getBigInt64(o, true),
  store: (v, o, x) => v.setBigInt64(o, x, true),
});

/** Unsigned 8-bit integer. OSTD counterpart: `u8`. */
export const u8: PodOnceType<number> = once(
  "u8",
  "u8",
  1,
  "Uint8",
  (v, o) => v.getUint8(o),
  (v, o, x) => v.setUint8(o, x),
  intCheck(0, 0xff, (v) => typeof v === "number" && (v & 0xff) === v, `typeof $ === "number" && ($ & 0xff) === $`, (refuse) => (v, p) => {
    if (typeof v !== "number" || v !== (v & 0xff)) refuse(v, p);
    return v;
  }),
);

/** Unsigned 16-bit integer, little-endian. OSTD counterpart: `u16`. */
export const u16: PodOnceType<number> = once(
  "u16",
  "u16",
  2,
  "Uint16",
  (v, o) => v.getUint16(o, true),
  (v, o, x) => v.setUint16(o, x, true),
  intCheck(0, 0xffff, (v) => typeof v === "number" && (v & 0xffff) === v, `typeof $ === "number" && ($ & 0xffff) === $`, (refuse) => (v, p) => {
    if (typeof v !== "number" || v !== (v & 0xffff)) refuse(v, p);
    return v;
  }),
);

/** Unsigned 32-bit integer, little-endian. OSTD counterpart: `u32`. */
export const u32: PodOnceType<number> = once(
  "u32",
  "u32",
  4,
  "Uint32",
  (v, o) => v.getUint32(o, true),
  (v, o, x) => v.setUint32(o, x, true),
  intCheck(0, 0xffff_ffff, (v) => typeof v === "number" && v >>> 0 === v, `typeof $ === "number" && $ >>> 0 === $`, (refuse) => (v, p) => {
    if (typeof v !== "number" || v !== v >>> 0) refuse(v, p);
    return v;
  }),
);

/** Unsigned 64-bit integer, little-endian, as a `bigint`. OSTD counterpart: `u64`. */
export const u64: PodOnceType<bigint> = once(
  "u64",
  "u64",
  8,
  "BigUint64",
  u64Codec.decode,
  u64Codec.store,
  bigCheck(false),
);

/** Signed 8-bit integer. OSTD counterpart: `i8`. */
export const i8: PodOnceType<number> = once(
  "i8",
  "i8",
  1,
  "Int8",
  (v, o) => v.getInt8(o),
  (v, o, x) => v.setInt8(o, x),
  intCheck(-0x80, 0x7f, (v) => typeof v === "number" && (v << 24) >> 24 === v, `typeof $ === "number" && ($ << 24) >> 24 === $`, (refuse) => (v, p) => {
    if (typeof v !== "number" || v !== (v << 24) >> 24) refuse(v, p);
    return v;
  }),
);

/** Signed 16-bit integer, little-endian. OSTD counterpart: `i16`. */
export const i16: PodOnceType<number> = once(
  "i16",
  "i16",
  2,
  "Int16",
  (v, o) => v.getInt16(o, true),
  (v, o, x) => v.setInt16(o, x, true),
  intCheck(-0x8000, 0x7fff, (v) => typeof v === "number" && (v << 16) >> 16 === v, `typeof $ === "number" && ($ << 16) >> 16 === $`, (refuse) => (v, p) => {
    if (typeof v !== "number" || v !== (v << 16) >> 16) refuse(v, p);
    return v;
  }),
);

/** Signed 32-bit integer, little-endian. OSTD counterpart: `i32`. */
export const i32: PodOnceType<number> = once(
  "i32",
  "i32",
  4,
  "Int32",
  (v, o) => v.getInt32(o, true),
  (v, o, x) => v.setInt32(o, x, true),
  intCheck(-0x8000_0000, 0x7fff_ffff, (v) => typeof v === "number" && (v | 0) === v, `typeof $ === "number" && ($ | 0) === $`, (refuse) => (v, p) => {
    if (typeof v !== "number" || v !== (v | 0)) refuse(v, p);
    return v;
  }),
);

/** Signed 64-bit integer, little-endian, as a `bigint`. OSTD counterpart: `i64`. */
export const i64: PodOnceType<bigint> = once(
  "i64",
  "i64",
  8,
  "BigInt64",
  i64Codec.decode,
  i64Codec.store,
  bigCheck(true),
);

/** Pointer-sized unsigned integer: 64-bit, as a `bigint`. OSTD counterpart: `usize` (x86-64). */
export const usize: PodOnceType<bigint> = once(
  "usize",
  "u64",
  8,
  "BigUint64",
  u64Codec.decode,
  u64Codec.store,
  bigCheck(false),
);

/** Pointer-sized signed integer: 64-bit, as a `bigint`. OSTD counterpart: `isize` (x86-64). */
export const isize: PodOnceType<bigint> = once(
  "isize",
  "i64",
  8,
  "BigInt64",
  i64Codec.decode,
  i64Codec.store,
  bigCheck(true),
);

/** IEEE 754 single-precision float, little-endian. OSTD counterpart: `f32`. Not `PodOnce`. */
export const f32: PodType<number> = scalar(
  "f32",
  null,
  4,
  "Float32",
  (v, o) => v.getFloat32(o, true),
  (v, o, x) => v.setFloat32(o, x, true),
  floatCheck,
);

/** IEEE 754 double-precision float, little-endian. OSTD counterpart: `f64`. Not `PodOnce`. */
export const f64: PodType<number> = scalar(
  "f64",
  null,
  8,
  "Float64",
  (v, o) => v.getFloat64(o, true),
  (v, o, x) => v.setFloat64(o, x, true),
  floatCheck,
);
