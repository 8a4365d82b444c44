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
 * specialised store (the common case: one gap), or a loop.
 *
 * @internal
 */
export function zeroPadding(writes: readonly ZeroWrite[]): (view: DataView, offset: number) => void {
  if (writes.length === 0) return () => {};
  if (writes.length === 1) {
    const [[p, width]] = writes as [ZeroWrite];
    if (width === 4) return (v, o) => v.setUint32(o + p, 0);
    if (width === 2) return (v, o) => v.setUint16(o + p, 0);
    return (v, o) => v.setUint8(o + p, 0);
  }
  return (v, o) => {
    for (const [p, width] of writes) {
      if (width === 4) v.setUint32(o + p, 0);
      else if (width === 2) v.setUint16(o + p, 0);
      else v.setUint8(o + p, 0);
    }
  };
}
