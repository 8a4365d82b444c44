/**
 * Argument validation at the API boundary.
 *
 * Addresses, offsets and lengths are non-negative safe integers (docs/architecture.md,
 * "Errors"). Anything else — NaN, ±Infinity, a fraction, a negative
 * number, a number above 2^53 − 1, a bigint, a string — is rejected here,
 * before any state changes, with a `TypeError` (wrong type) or `RangeError`
 * (right type, unusable value). Internals trust their inputs, as Node core's
 * `lib/internal` does.
 *
 * @module
 */

import { invalidType, outOfRange } from "./contract.js";

/** True when `value` is a non-negative safe integer. */
export function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Checks that `value` is a non-negative safe integer.
 *
 * @throws {TypeError} `value` is not a number.
 * @throws {RangeError} `value` is NaN, infinite, fractional, negative or above 2^53 − 1.
 */
export function checkIndex(value: unknown, name: string): asserts value is number {
  if (!isIndex(value)) badIndex(value, name);
}

/** Cold path of {@link checkIndex}. */
export function badIndex(value: unknown, name: string): never {
  if (typeof value !== "number") invalidType(name, "a non-negative integer (a number)", value);
  return outOfRange(name, "a non-negative safe integer", value);
}

/**
 * Checks that `value` is an `ArrayBufferView` (a typed array or a `DataView`).
 *
 * @throws {TypeError} otherwise.
 */
export function checkView(value: unknown, name: string): asserts value is ArrayBufferView {
  if (!ArrayBuffer.isView(value)) invalidType(name, "an ArrayBufferView (a typed array or a DataView)", value);
}

/**
 * Checks that `value` is a `Uint8Array` (a real one: a `Proxy` is refused
 * without running any of its traps).
 *
 * @throws {TypeError} otherwise.
 */
export function checkBytes(value: unknown, name: string): asserts value is Uint8Array {
  if (!ArrayBuffer.isView(value) || !(value instanceof Uint8Array)) invalidType(name, "a Uint8Array", value);
}

/**
 * Checks that `value` is a function.
 *
 * @throws {TypeError} otherwise.
 */
export function checkFunction(value: unknown, name: string): asserts value is (...args: never[]) => unknown {
  if (typeof value !== "function") invalidType(name, "a function", value);
}
