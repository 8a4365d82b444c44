/**
 * `array`: fixed-length arrays of a Pod type, like Rust's `[T; N]`.
 *
 * Elements are laid out back to back (an element's size is already a
 * multiple of its alignment), so the array's size is `N × size` and its
 * alignment that of the element. Values are plain JS arrays of length `N`.
 *
 * @module
 */

import { invalidType, outOfRange } from "../base/contract.js";
import { checkIndex } from "../base/validate.js";
import { PodDescriptor, descriptorOf, type PodType } from "./pod-type.js";

/**
 * Describes an array of `length` elements of type `elem`: `array(u32, 4)` is
 * a `PodType<number[]>` of size 16 and alignment 4.
 *
 * OSTD counterpart: `[T; N]` where `T: Pod`.
 *
 * @throws {TypeError} `elem` is not a Pod type, or `length` is not a number.
 * @throws {RangeError} `length` is not a non-negative safe integer, or the
 *   array would be larger than 2^53 − 1 bytes.
 */
export function array<T>(elem: PodType<T>, length: number): PodType<T[]> {
  const e = descriptorOf(elem, "elem");
  checkIndex(length, "length");
  const size = e.size * length;
  if (!Number.isSafeInteger(size)) outOfRange("length", "small enough for the array to fit in 2^53 - 1 bytes", length);
  const n = length;
  const step = e.size;
  const decodeElem = e.decode;
  const encodeElem = e.encode;
  const validElem = e.valid;
  return new PodDescriptor<T[]>(
    `[${e.name}; ${n}]`,
    size,
    e.align,
    null,
    (v, o) => {
      const r = new Array<T>(n);
      for (let i = 0; i < n; i++) r[i] = decodeElem(v, o + i * step);
      return r;
    },
    (v, o, x) => {
      for (let i = 0; i < n; i++) encodeElem(v, o + i * step, x[i] as T);
    },
    (x) => {
      if (!Array.isArray(x) || x.length !== n) return false;
      for (let i = 0; i < n; i++) if (!validElem(x[i])) return false;
      return true;
    },
    (x, path) => {
      if (!Array.isArray(x)) invalidType(path, `an array of ${n} elements`, x);
      if (x.length !== n) outOfRange(`${path}.length`, `${n}`, x.length);
      for (let i = 0; i < n; i++) if (!validElem(x[i])) e.reject(x[i], `${path}[${i}]`);
      throw new Error("unreachable: array value was rejected but every element is valid");
    },
  );
}
