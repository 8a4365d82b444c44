/**
 * `array`: fixed-length arrays of a Pod type, like Rust's `[T; N]`.
 *
 * Elements are laid out back to back (an element's size is already a
 * multiple of its alignment), so the array's size is `N × size` and its
 * alignment that of the element. Values are plain JS arrays of length `N`.
 *
 * Two limits keep decoding bounded by the memory it reads, so that no array
 * type can make a read throw a native error or allocate without end:
 * - the length is at most 2^32 − 1, the most elements a JS array can hold;
 * - an array of a zero-size element type (`struct({})`, `array(u8, 0)`)
 *   must be empty. Rust allows `[(); N]` for any `N` because it occupies no
 *   memory; here decoding it would make `N` values out of zero bytes (C
 *   forbids zero-size types altogether).
 *
 * Codecs: by default a loop over the element's codecs (the snapshot is a
 * fresh JS array of the elements' snapshots), written out for arrays of up
 * to 4 elements (the snapshot an object literal: `unrolledCodec`); with `{ codegen: true }`, an
 * array of at most 32 scalars in all is unrolled into generated code, its
 * snapshot one object V8 can scalar-replace (codegen.ts). Elements are read
 * with `DataView`: a typed-array view (`Uint32Array`) reads an aligned
 * scalar faster, but decoding into a JS array is dominated by the array
 * itself — measured on Node 20 for 4 to 64 `u32`s, fetching a cached view
 * per call made decoding slower, not faster.
 *
 * @module
 */

import { outOfRange } from "../base/contract.js";
import { checkIndex } from "../base/validate.js";
import { codegenOption, generatedCodec } from "./codegen.js";
import { notArray, rethrow, wrongLength } from "./pod-fault.js";
import { PodDescriptor, descriptorOf, type Codec, type PodSnapshot, type PodType } from "./pod-type.js";

/** The most elements a JS array can hold. */
const MAX_LENGTH = 2 ** 32 - 1;

/** Options of {@link array}. */
export interface ArrayOptions {
  /**
   * Build the array's codecs from generated JavaScript, as
   * `StructOptions.codegen` does for a struct: the elements are
   * unrolled. Only arrays of at most 32 scalars in all are generated; longer
   * ones loop over the element's codecs either way. Default `false`.
   */
  readonly codegen?: boolean;
}

/**
 * Describes an array of `length` elements of type `elem`: `array(u32, 4)` is
 * a `PodType<number[]>` of size 16 and alignment 4.
 *
 * A value to write is a JS array (`Array.isArray`, proxies of arrays
 * included) whose `length` and elements are each read exactly once.
 *
 * OSTD counterpart: `[T; N]` where `T: Pod`.
 *
 * @throws {TypeError} `elem` is not a Pod type, `length` is not a number, or
 *   `opts` is malformed.
 * @throws {RangeError} `length` is not a non-negative safe integer, is above
 *   2^32 − 1, is not 0 for a zero-size `elem`, or the array would be larger
 *   than 2^53 − 1 bytes (`code` `ERR_OUT_OF_RANGE`).
 */
export function array<T>(elem: PodType<T>, length: number, opts?: ArrayOptions): PodType<T[]> {
  const e = descriptorOf(elem, "elem");
  checkIndex(length, "length");
  const codegen = codegenOption(opts);
  if (length > MAX_LENGTH) outOfRange("length", `at most ${MAX_LENGTH} (the most elements a JS array holds)`, length);
  if (e.size === 0 && length !== 0) outOfRange("length", `0 for a zero-size element type (${e.name})`, length);
  const size = e.size * length;
  if (!Number.isSafeInteger(size)) outOfRange("length", "small enough for the array to fit in 2^53 - 1 bytes", length);
  const shape = { kind: "array", elem: e as PodDescriptor<unknown>, length } as const;
  const codec = (codegen ? generatedCodec<T[]>(shape, size) : null) ?? (length >= 1 && length <= UNROLLED ? unrolledCodec(e, length) : loopCodec(e, length));
  return new PodDescriptor<T[]>(`[${e.name}; ${length}]`, size, e.align, null, shape, codec);
}

/** Arrays up to this length get an unrolled closure codec (see `unrolledCodec`). */
const UNROLLED = 4;

/**
 * The closure codec of an array of 1 to {@link UNROLLED} elements: the
 * loop's checks and order, written out, with a snapshot that is an object
 * literal `{ a, b, c, d }` rather than an array filled in a loop. V8
 * scalar-replaces a literal whose every use is inlined, but not an array
 * whose elements are stored by a loop: the snapshot of the loop codec is
 * allocated for every value (struct `{ tag: u32, data: [u32; 4] }`,
 * closure encode, bench/pod.bench.ts). Every small array type shares these
 * literals; their property and element sites see only the few maps of a
 * JS array and of the snapshot, and each call of the element's codec is
 * to a constant once the array's own codec is inlined.
 */
/* eslint-disable no-var -- the snapshots' locals: a `var` costs no bytecode to declare (struct-literals.ts) */
function unrolledCodec<T>(e: PodDescriptor<T>, n: number): Codec<T[]> {
  const step = e.size;
  const snapshotElem = e.snapshot;
  const storeElem = e.store;
  type S = { readonly a: PodSnapshot<T>; readonly b: PodSnapshot<T>; readonly c: PodSnapshot<T>; readonly d: PodSnapshot<T> };
  const check = (x: unknown, path: string | undefined): readonly unknown[] => {
    if (!Array.isArray(x)) rethrow(notArray(x, n), "", path);
    // Read once: a proxy's `length` may answer differently each time.
    const len: unknown = (x as unknown[]).length;
    if (len !== n) rethrow(wrongLength(len, n), "", path);
    return x as unknown[];
  };
  const decode = loopCodec(e, n).decode;
  switch (n) {
    case 1:
      return {
        decode,
        snapshot: (x, path) => {
          const y = check(x, path);
          try {
            var a = snapshotElem(y[0]);
          } catch (err) {
            rethrow(err, "[0]", path);
          }
          return { a } as unknown as PodSnapshot<T[]>;
        },
        store: (v, o, snap) => storeElem(v, o, (snap as unknown as S).a),
      };
    case 2:
      return {
        decode,
        snapshot: (x, path) => {
          const y = check(x, path);
          var i = 0;
          try {
            var a = snapshotElem(y[0]);
            i = 1;
            var b = snapshotElem(y[1]);
          } catch (err) {
            rethrow(err, `[${i}]`, path);
          }
          return { a, b } as unknown as PodSnapshot<T[]>;
        },
        store: (v, o, snap) => {
          storeElem(v, o, (snap as unknown as S).a);
          storeElem(v, o + step, (snap as unknown as S).b);
        },
      };
    case 3:
      return {
        decode,
        snapshot: (x, path) => {
          const y = check(x, path);
          var i = 0;
          try {
            var a = snapshotElem(y[0]);
            i = 1;
            var b = snapshotElem(y[1]);
            i = 2;
            var c = snapshotElem(y[2]);
          } catch (err) {
            rethrow(err, `[${i}]`, path);
          }
          return { a, b, c } as unknown as PodSnapshot<T[]>;
        },
        store: (v, o, snap) => {
          storeElem(v, o, (snap as unknown as S).a);
          storeElem(v, o + step, (snap as unknown as S).b);
          storeElem(v, o + 2 * step, (snap as unknown as S).c);
        },
      };
    default:
      return {
        decode,
        snapshot: (x, path) => {
          const y = check(x, path);
          var i = 0;
          try {
            var a = snapshotElem(y[0]);
            i = 1;
            var b = snapshotElem(y[1]);
            i = 2;
            var c = snapshotElem(y[2]);
            i = 3;
            var d = snapshotElem(y[3]);
          } catch (err) {
            rethrow(err, `[${i}]`, path);
          }
          return { a, b, c, d } as unknown as PodSnapshot<T[]>;
        },
        store: (v, o, snap) => {
          storeElem(v, o, (snap as unknown as S).a);
          storeElem(v, o + step, (snap as unknown as S).b);
          storeElem(v, o + 2 * step, (snap as unknown as S).c);
          storeElem(v, o + 3 * step, (snap as unknown as S).d);
        },
      };
  }
}
/* eslint-enable no-var */

/** The closure codec of an array: loops over the element's codecs. */
function loopCodec<T>(e: PodDescriptor<T>, n: number): Codec<T[]> {
  const step = e.size;
  const decodeElem = e.decode;
  const snapshotElem = e.snapshot;
  const storeElem = e.store;
  return {
    decode: (v, o) => {
      const r = new Array<T>(n);
      for (let i = 0; i < n; i++) r[i] = decodeElem(v, o + i * step);
      return r;
    },
    snapshot: (x, path) => {
      if (!Array.isArray(x)) rethrow(notArray(x, n), "", path);
      // Read once: a proxy's `length` may answer differently each time.
      const len: unknown = x.length;
      if (len !== n) rethrow(wrongLength(len, n), "", path);
      const s = new Array<PodSnapshot<T>>(n);
      let i = 0;
      try {
        for (; i < n; i++) s[i] = snapshotElem(x[i]);
      } catch (err) {
        rethrow(err, `[${i}]`, path);
      }
      return s as unknown as PodSnapshot<T[]>;
    },
    store: (v, o, snap) => {
      const s = snap as unknown as Array<PodSnapshot<T>>;
      for (let i = 0; i < n; i++) storeElem(v, o + i * step, s[i] as PodSnapshot<T>);
    },
  };
}
