/**
 * One-instruction loads and stores (`readOnce`, `writeOnce`, `atomicLoad`,
 * `atomicCompareExchange`) on memory that other threads may race on.
 *
 * Only a `SharedArrayBuffer` can be raced, so only there do these go
 * through `Atomics` (7–14× the cost of a plain access on Node 20, docs/architecture.md, "Measured rules");
 * on an unshared buffer a plain `DataView` access is already indivisible to
 * every observer. `Atomics` needs an integer typed array of the access width
 * over the buffer, indexed by `offset / width`: the views are made once per
 * buffer and cached.
 *
 * @module
 */

import type { OnceKind } from "../pod/pod-type.js";

interface AtomicViews {
  u8: Uint8Array;
  i8: Int8Array;
  u16: Uint16Array;
  i16: Int16Array;
  u32: Uint32Array;
  i32: Int32Array;
  u64: BigUint64Array;
  i64: BigInt64Array;
}

const cache = new WeakMap<ArrayBufferLike, AtomicViews>();

function viewsOf(buffer: ArrayBufferLike): AtomicViews {
  let views = cache.get(buffer);
  if (views === undefined) {
    // A growable buffer (a shared WebAssembly.Memory) gets length-tracking
    // views; a fixed one gets views over its whole multiple of each width.
    const tracking = (buffer as { growable?: boolean }).growable === true;
    const count = (width: number): number | undefined => (tracking ? undefined : Math.floor(buffer.byteLength / width));
    views = {
      u8: new Uint8Array(buffer),
      i8: new Int8Array(buffer),
      u16: new Uint16Array(buffer, 0, count(2)),
      i16: new Int16Array(buffer, 0, count(2)),
      u32: new Uint32Array(buffer, 0, count(4)),
      i32: new Int32Array(buffer, 0, count(4)),
      u64: new BigUint64Array(buffer, 0, count(8)),
      i64: new BigInt64Array(buffer, 0, count(8)),
    };
    cache.set(buffer, views);
  }
  return views;
}

const widths: Record<OnceKind, number> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, u64: 8, i64: 8 };

/**
 * `Atomics.load` of a `kind` value at byte `offset` (aligned) of a shared `buffer`.
 *
 * @internal
 */
export function atomicLoad(buffer: ArrayBufferLike, kind: OnceKind, offset: number): number | bigint {
  const view = viewsOf(buffer)[kind];
  return Atomics.load(view as Int32Array, offset / widths[kind]);
}

/**
 * `Atomics.store` of a `kind` value at byte `offset` (aligned) of a shared `buffer`.
 *
 * @internal
 */
export function atomicStore(buffer: ArrayBufferLike, kind: OnceKind, offset: number, value: number | bigint): void {
  const view = viewsOf(buffer)[kind];
  Atomics.store(view as Int32Array, offset / widths[kind], value as number);
}

/**
 * `Atomics.compareExchange` of a `u32` at byte `offset` (aligned) of a shared
 * `buffer`; returns the previous value.
 *
 * @internal
 */
export function atomicCompareExchangeU32(buffer: ArrayBufferLike, offset: number, expected: number, next: number): number {
  return Atomics.compareExchange(viewsOf(buffer).u32, offset / 4, expected, next);
}
