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

import { invalidType, outOfRange } from "../base/contract.js";
import { PodDescriptor, type OnceKind, type PodOnceType, type PodType, type Rejecter, type Validator } from "./pod-type.js";

interface Check {
  valid: Validator;
  reject: Rejecter;
}

/**
 * A check for an integer type. `fits` must be true exactly for the integers
 * of the type (it is only called on numbers): one integer operation and a
 * compare, e.g. `(v >>> 0) === v` for u32, which is also false for NaN,
 * fractions and out-of-range values.
 */
function intCheck(min: number, max: number, fits: (v: number) => boolean): Check {
  return {
    valid: (value) => typeof value === "number" && fits(value),
    reject: (value, path) => {
      if (typeof value !== "number") invalidType(path, "an integer (a number)", value);
      return outOfRange(path, `an integer in [${min}, ${max}]`, value);
    },
  };
}

/** A check for a 64-bit type: `BigInt.asUintN/asIntN` is ~2× cheaper than two bigint compares. */
function bigCheck(signed: boolean): Check {
  const [min, max] = signed ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
  return {
    valid: signed
      ? (value) => typeof value === "bigint" && BigInt.asIntN(64, value) === value
      : (value) => typeof value === "bigint" && BigInt.asUintN(64, value) === value,
    reject: (value, path) => {
      if (typeof value !== "bigint") invalidType(path, "a bigint", value);
      return outOfRange(path, `a bigint in [${min}, ${max}]`, value);
    },
  };
}

const floatCheck: Check = {
  valid: (value) => typeof value === "number",
  reject: (value, path) => invalidType(path, "a number", value),
};

function once<T>(
  name: string,
  kind: OnceKind,
  size: number,
  decode: (v: DataView, o: number) => T,
  encode: (v: DataView, o: number, x: T) => void,
  check: Check,
): PodOnceType<T> {
  return new PodDescriptor<T>(name, size, size, kind, decode, encode, check.valid, check.reject) as PodDescriptor<T> & PodOnceType<T>;
}

/** Unsigned 8-bit integer. OSTD counterpart: `u8`. */
export const u8: PodOnceType<number> = once(
  "u8",
  "u8",
  1,
  (v, o) => v.getUint8(o),
  (v, o, x) => v.setUint8(o, x),
  intCheck(0, 0xff, (v) => (v & 0xff) === v),
);

/** Unsigned 16-bit integer, little-endian. OSTD counterpart: `u16`. */
export const u16: PodOnceType<number> = once(
  "u16",
  "u16",
  2,
  (v, o) => v.getUint16(o, true),
  (v, o, x) => v.setUint16(o, x, true),
  intCheck(0, 0xffff, (v) => (v & 0xffff) === v),
);

/** Unsigned 32-bit integer, little-endian. OSTD counterpart: `u32`. */
export const u32: PodOnceType<number> = once(
  "u32",
  "u32",
  4,
  (v, o) => v.getUint32(o, true),
  (v, o, x) => v.setUint32(o, x, true),
  intCheck(0, 0xffff_ffff, (v) => v >>> 0 === v),
);

/** Unsigned 64-bit integer, little-endian, as a `bigint`. OSTD counterpart: `u64`. */
export const u64: PodOnceType<bigint> = once(
  "u64",
  "u64",
  8,
  (v, o) => v.getBigUint64(o, true),
  (v, o, x) => v.setBigUint64(o, x, true),
  bigCheck(false),
);

/** Signed 8-bit integer. OSTD counterpart: `i8`. */
export const i8: PodOnceType<number> = once(
  "i8",
  "i8",
  1,
  (v, o) => v.getInt8(o),
  (v, o, x) => v.setInt8(o, x),
  intCheck(-0x80, 0x7f, (v) => (v << 24) >> 24 === v),
);

/** Signed 16-bit integer, little-endian. OSTD counterpart: `i16`. */
export const i16: PodOnceType<number> = once(
  "i16",
  "i16",
  2,
  (v, o) => v.getInt16(o, true),
  (v, o, x) => v.setInt16(o, x, true),
  intCheck(-0x8000, 0x7fff, (v) => (v << 16) >> 16 === v),
);

/** Signed 32-bit integer, little-endian. OSTD counterpart: `i32`. */
export const i32: PodOnceType<number> = once(
  "i32",
  "i32",
  4,
  (v, o) => v.getInt32(o, true),
  (v, o, x) => v.setInt32(o, x, true),
  intCheck(-0x8000_0000, 0x7fff_ffff, (v) => (v | 0) === v),
);

/** Signed 64-bit integer, little-endian, as a `bigint`. OSTD counterpart: `i64`. */
export const i64: PodOnceType<bigint> = once(
  "i64",
  "i64",
  8,
  (v, o) => v.getBigInt64(o, true),
  (v, o, x) => v.setBigInt64(o, x, true),
  bigCheck(true),
);

/** Pointer-sized unsigned integer: 64-bit, as a `bigint`. OSTD counterpart: `usize` (x86-64). */
export const usize: PodOnceType<bigint> = once(
  "usize",
  "u64",
  8,
  (v, o) => v.getBigUint64(o, true),
  (v, o, x) => v.setBigUint64(o, x, true),
  bigCheck(false),
);

/** Pointer-sized signed integer: 64-bit, as a `bigint`. OSTD counterpart: `isize` (x86-64). */
export const isize: PodOnceType<bigint> = once(
  "isize",
  "i64",
  8,
  (v, o) => v.getBigInt64(o, true),
  (v, o, x) => v.setBigInt64(o, x, true),
  bigCheck(true),
);

/** IEEE 754 single-precision float, little-endian. OSTD counterpart: `f32`. Not `PodOnce`. */
export const f32: PodType<number> = new PodDescriptor<number>(
  "f32",
  4,
  4,
  null,
  (v, o) => v.getFloat32(o, true),
  (v, o, x) => v.setFloat32(o, x, true),
  floatCheck.valid,
  floatCheck.reject,
);

/** IEEE 754 double-precision float, little-endian. OSTD counterpart: `f64`. Not `PodOnce`. */
export const f64: PodType<number> = new PodDescriptor<number>(
  "f64",
  8,
  8,
  null,
  (v, o) => v.getFloat64(o, true),
  (v, o, x) => v.setFloat64(o, x, true),
  floatCheck.valid,
  floatCheck.reject,
);
