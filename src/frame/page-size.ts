/**
 * The size of a base page and of a frame: 4 KiB, as on x86-64.
 *
 * @module
 */

/**
 * Bytes in one page (and one frame).
 *
 * OSTD counterpart: `ostd::mm::PAGE_SIZE`.
 */
export const PAGE_SIZE = 4096;
