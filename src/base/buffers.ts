/**
 * Facts about `ArrayBuffer`s and `SharedArrayBuffer`s that several layers need.
 *
 * @module
 */

import { detachedBuffer } from "./contract.js";

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

/**
 * A `Uint8Array` over exactly the bytes of `view`.
 *
 * @throws {TypeError} the view's buffer is detached.
 */
export function bytesOf(view: ArrayBufferView): Uint8Array {
  if (view instanceof Uint8Array) {
    if (view.byteLength === 0 && isDetached(view.buffer)) detachedBuffer();
    return view;
  }
  if (isDetached(view.buffer)) detachedBuffer();
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
