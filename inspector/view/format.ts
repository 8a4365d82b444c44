/**
 * How the page writes numbers, addresses, sizes and permissions.
 * Pure functions, no DOM: the page and its Node tests share them.
 *
 * @module
 */

/** A count with thousands separators: `12,345`. */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** An address or a physical address in hex: `0x3ff7eff000`. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** A size in bytes, in the largest binary unit that keeps it whole where it can: `4 KiB`, `256 MiB`, `1.5 MiB`. */
export function size(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

/** Linux `PROT_*` bits as `rwx`, with `-` for each one missing. */
export function prot(p: number): string {
  return `${p & 1 ? "r" : "-"}${p & 2 ? "w" : "-"}${p & 4 ? "x" : "-"}`;
}
