/**
 * Facts about `ArrayBuffer`s and `SharedArrayBuffer`s that several layers
 * need, and the one way a caller's bytes enter vmio ({@link plainBytes}).
 *
 * @module
 */

import { detachedBuffer, invalidType } from "./contract.js";

const hasSharedArrayBuffer = typeof SharedArrayBuffer === "function";

/** True when `buffer` is a `SharedArrayBuffer` (and so may be raced by other threads). */
export function isShared(buffer: ArrayBufferLike): buffer is SharedArrayBuffer {
  return hasSharedArrayBuffer && buffer instanceof SharedArrayBuffer;
}

/**
 * True when `buffer` has been detached (transferred, or replaced by a
 * `WebAssembly.Memory` growing). Node 20 has no `ArrayBuffer.prototype.detached`,
 * so a zero-length probe view stands in: constructing a view on a detached
 * buffer throws.
 */
export function isDetached(buffer: ArrayBufferLike): boolean {
  if (isShared(buffer)) return false;
  const detached = (buffer as { detached?: boolean }).detached;
  if (typeof detached === "boolean") return detached;
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

const U8_PROTO = Uint8Array.prototype;
const TYPED_ARRAY_PROTO = Object.getPrototypeOf(U8_PROTO) as object;

/** The built-in getter `name` of `proto`, to call on a caller's object without running its code. */
function intrinsicGetter(proto: object, name: string): (this: unknown) => unknown {
  return (Object.getOwnPropertyDescriptor(proto, name) as PropertyDescriptor).get as (this: unknown) => unknown;
}

const typedArrayBuffer = intrinsicGetter(TYPED_ARRAY_PROTO, "buffer");
const typedArrayByteOffset = intrinsicGetter(TYPED_ARRAY_PROTO, "byteOffset");
const typedArrayByteLength = intrinsicGetter(TYPED_ARRAY_PROTO, "byteLength");
const dataViewBuffer = intrinsicGetter(DataView.prototype, "buffer");
const dataViewByteOffset = intrinsicGetter(DataView.prototype, "byteOffset");
const dataViewByteLength = intrinsicGetter(DataView.prototype, "byteLength");

/**
 * A `DataView` over exactly the bytes of the plain `Uint8Array` `bytes`
 * (index = offset in `bytes`), made from the built-in `buffer`,
 * `byteOffset` and `byteLength` getters: no user code runs, even where a
 * program has redefined those getters on the prototypes, so a view made in
 * the middle of a copy can neither run a callback nor cover other bytes.
 *
 * @throws {TypeError} the buffer is detached (`ERR_DETACHED_BUFFER`).
 */
export function exactView(bytes: Uint8Array): DataView {
  const buffer = typedArrayBuffer.call(bytes) as ArrayBufferLike;
  if (isDetached(buffer)) detachedBuffer();
  return new DataView(buffer, typedArrayByteOffset.call(bytes) as number, typedArrayByteLength.call(bytes) as number);
}

/**
 * The bytes of a caller's `ArrayBufferView` as a plain `Uint8Array`: the
 * view itself when it is one (the common case, a few loads), else a new
 * `Uint8Array` over exactly the same bytes.
 *
 * Why not any `Uint8Array`: vmio calls `set`, `subarray` and `length` on the
 * bytes it copies, and a subclass (or a `Proxy`) could answer with its own
 * code — in the middle of a copy, or with a length that is not the truth,
 * which would let a copy into RAM run past its range. A `Proxy` is not a
 * view at all (`ArrayBuffer.isView` says so without running its traps), so
 * it is refused; a subclass instance (a Node `Buffer`) or another typed
 * array kind is read through the built-in getters, never its own. (Own
 * properties defined on a plain `Uint8Array` to shadow its methods are
 * deliberate forgery, out of scope — see the README's "Known limits".)
 *
 * @throws {TypeError} `view` is not an `ArrayBufferView` (`ERR_INVALID_ARG_TYPE`),
 *   or its buffer is detached (`ERR_DETACHED_BUFFER`).
 */
export function plainBytes(view: unknown, name: string): Uint8Array {
  // `isView` refuses a Proxy without running a trap; `constructor` (one
  // load from the prototype) tells a plain Uint8Array from a subclass or
  // another kind of view. (`Object.getPrototypeOf` would be exact, but costs
  // about 150 instructions here on Node 20, twice per small copy.)
  if (ArrayBuffer.isView(view) && (view as Uint8Array).constructor === Uint8Array && (view as Uint8Array).length !== 0) return view as Uint8Array;
  return rewrap(view, name);
}

/** Cold path of {@link plainBytes}. */
function rewrap(view: unknown, name: string): Uint8Array {
  if (!ArrayBuffer.isView(view)) invalidType(name, "an ArrayBufferView (a typed array or a DataView)", view);
  const isDataView = view instanceof DataView;
  const buffer = (isDataView ? dataViewBuffer : typedArrayBuffer).call(view) as ArrayBufferLike;
  if (isDetached(buffer)) detachedBuffer();
  if (!isDataView && Object.getPrototypeOf(view) === U8_PROTO) return view as Uint8Array;
  const offset = (isDataView ? dataViewByteOffset : typedArrayByteOffset).call(view) as number;
  const length = (isDataView ? dataViewByteLength : typedArrayByteLength).call(view) as number;
  return new Uint8Array(buffer, offset, length);
}
