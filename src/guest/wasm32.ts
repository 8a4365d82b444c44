/**
 * wasm32 pointers and sizes as a host function receives them.
 *
 * A WebAssembly import receives an `i32` argument as a signed JS number:
 * the guest pointer `0xFFFF_FFF0` arrives as `-16`. So that host code can
 * pass guest arguments straight through, vmio's guest-memory calls accept
 * any int32 or uint32 and read it as its unsigned value (`x >>> 0`), the
 * way the wasm machine itself reads it. Anything else — a non-number, a
 * fraction, NaN, a number outside `[-2^31, 2^32)` — cannot come from a
 * guest `i32` and is a host bug: `TypeError` or `RangeError`, never a fault.
 *
 * @module
 */

import { invalidType, outOfRange } from "../base/contract.js";

/** One past the highest wasm32 address: linear memory holds at most 4 GiB. */
export const WASM32_LIMIT = 2 ** 32;

/**
 * The unsigned value of a wasm32 pointer or size passed as an int32 or a
 * uint32 (`-1` is `0xFFFF_FFFF`).
 *
 * WASI counterpart: the `i32` → `u32` reading every preview1 host does
 * (wasmtime's `GuestPtr::new(arg as u32)`).
 *
 * @throws {TypeError} `value` is not a number.
 * @throws {RangeError} `value` is not an integer in `[-2^31, 2^32)`.
 */
export function toU32(value: unknown, name: string): number {
  if (typeof value === "number") {
    const u = value >>> 0;
    if (u === value || (value | 0) === value) return u;
  }
  return badU32(value, name);
}

/** Cold path of {@link toU32}. */
export function badU32(value: unknown, name: string): never {
  if (typeof value !== "number") invalidType(name, "a wasm32 value (an int32 or uint32 number)", value);
  return outOfRange(name, "an int32 or uint32 (an integer in [-2^31, 2^32))", value);
}
