/**
 * The TLB panel. vmio's software TLB (per thread, direct-mapped, shot down
 * through the address space's generation) keeps no statistics that its
 * public API exposes yet; until it does, the panel says so instead of
 * showing numbers that would have to be invented.
 *
 * @module
 */

import { h } from "../dom.js";

/** Draws the panel into `body`. */
export function renderTlb(body: HTMLElement): void {
  if (body.childElementCount > 0) return;
  body.replaceChildren(
    h(
      "p",
      { class: "note", "data-field": "tlb.unavailable" },
      "Hits, misses and shootdowns: vmio does not expose TLB statistics yet. " +
        "Every load, store and fetch of the guest goes through its TLB; munmap and mprotect shoot down cached translations " +
        "through the address space's generation. The counts will show here when vmio reports them.",
    ),
  );
}
