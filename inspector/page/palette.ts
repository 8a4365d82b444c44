/**
 * The colours of the page's maps (frames, pages, faults), one source for
 * the canvases and their legends.
 *
 * @module
 */

/** A frame's or a page's colour, by what it holds. */
export const COLOURS = {
  /** vmio's metadata (reserved frames). */
  reserved: "#5b6270",
  /** A page-table node. */
  table: "#2f9e6f",
  /** Neither mapped in user space nor a page-table node: free, or held by the kernel. */
  other: "#e3e6eb",
  /** A user page with one reference. */
  user: "#3b82c4",
  /** A user page with several references (copy-on-write shared, or a shared mapping). */
  shared: "#e8892b",
  /** The zero page. */
  zero: "#8e5bc6",
  /** A page of a region that is not present. */
  absent: "#f3f4f6",
} as const;
