/**
 * Padding: the bytes of a struct that no field covers. Encoding writes
 * zeros there (a value never carries stale bytes of its buffer out), with as
 * few and as wide stores as the gaps allow.
 *
 * @module
 */

/** A zero store: offset in the struct and width in bytes. @internal */
export type ZeroWrite = readonly [offset: number, width: 1 | 2 | 4];

/**
 * The zero stores covering every byte of `[0, size)` outside the `covered`
 * ranges (`[offset, length]`, in ascending order, not overlapping).
 *
 * @internal
 */
export function paddingWrites(covered: Iterable<readonly [offset: number, length: number]>, size: number): ZeroWrite[] {
  const writes: ZeroWrite[] = [];
  let at = 0;
  const gap = (end: number): void => {
    while (at < end) {
      const width = end - at >= 4 ? 4 : end - at >= 2 ? 2 : 1;
      writes.push([at, width]);
      at += width;
    }
  };
  for (const [offset, length] of covered) {
    gap(offset);
    at = offset + length;
  }
  gap(size);
  return writes;
}

/**
 * A function that performs `writes` at an offset of a view: nothing, one
 * specialised store (the common case: one gap), up to four of them called
 * in turn, or a loop past that.
 *
 * Why not always the loop: a struct's `store` (its own stores, then this)
 * is inlined into the caller's encode only while it all fits V8's inlining
 * budget, and the loop — `for…of` over the writes, each destructured — is
 * 356 bytes of bytecode, where two calls of single stores are 43; and a
 * loop over an array closed over is not unrolled, so its stores stay
 * dynamic. Measured on the nested struct `{ id: u32, pos: {x, y: f64},
 * size: {w, h: u16} }` (two gaps), closure encode (bench/pod.bench.ts).
 *
 * @internal
 */
export function zeroPadding(writes: readonly ZeroWrite[]): (view: DataView, offset: number) => void {
  const n = writes.length;
  if (n === 0) return () => {};
  if (n === 1) return zeroOne(writes[0] as ZeroWrite);
  if (n <= 4) {
    const a = zeroOne(writes[0] as ZeroWrite);
    const b = zeroOne(writes[1] as ZeroWrite);
    if (n === 2) {
      return (v, o) => {
        a(v, o);
        b(v, o);
      };
    }
    const c = zeroOne(writes[2] as ZeroWrite);
    if (n === 3) {
      return (v, o) => {
        a(v, o);
        b(v, o);
        c(v, o);
      };
    }
    const d = zeroOne(writes[3] as ZeroWrite);
    return (v, o) => {
      a(v, o);
      b(v, o);
      c(v, o);
      d(v, o);
    };
  }
  return (v, o) => {
    for (const [p, width] of writes) {
      if (width === 4) v.setUint32(o + p, 0);
      else if (width === 2) v.setUint16(o + p, 0);
      else v.setUint8(o + p, 0);
    }
  };
}

/** One zero store of `width` bytes at `p`. */
function zeroOne([p, width]: ZeroWrite): (view: DataView, offset: number) => void {
  if (width === 4) return (v, o) => v.setUint32(o + p, 0);
  if (width === 2) return (v, o) => v.setUint16(o + p, 0);
  return (v, o) => v.setUint8(o + p, 0);
}
