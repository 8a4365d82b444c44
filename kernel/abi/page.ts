/**
 * Page arithmetic on user addresses. User addresses exceed 2^32, so this is
 * plain arithmetic, never 32-bit bit operations (vmio's docs/architecture.md, "Measured rules").
 *
 * @module
 */

import { PAGE_SIZE } from "vmio";

/** Rounds `a` down to a page boundary. Linux counterpart: `PAGE_ALIGN_DOWN`. */
export function pageDown(a: number): number {
  return a - (a % PAGE_SIZE);
}

/** Rounds `a` up to a page boundary. Linux counterpart: `PAGE_ALIGN`. */
export function pageUp(a: number): number {
  const r = a % PAGE_SIZE;
  return r === 0 ? a : a + (PAGE_SIZE - r);
}

/** Whether `a` is on a page boundary. Linux counterpart: `PAGE_ALIGNED`. */
export function isPageAligned(a: number): boolean {
  return a % PAGE_SIZE === 0;
}
