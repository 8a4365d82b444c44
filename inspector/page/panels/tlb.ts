/**
 * The TLB panel: vmio's counters of each address space's TLB on the
 * kernel's thread (`VmSpace.tlbStats`, through the kernel's snapshot) —
 * translations found in the TLB and walked, whole flushes, and the
 * shootdowns of unmaps and protects.
 *
 * @module
 */

import { h } from "../dom.js";
import { count } from "../../view/format.js";
import type { InspectorModel } from "../../view/model.js";

/** Draws the panel into `body`. */
export function renderTlb(model: InspectorModel, body: HTMLElement): void {
  const latest = model.latest?.seq ?? 0;
  const rows = model.spaces().flatMap((s) => {
    const t = s.view.tlb;
    if (t === undefined) return [];
    const cell = (field: string, n: number) => h("td", { class: "n", "data-field": `tlb.${field}` }, count(n));
    return [
      h(
        "tr",
        { "data-pid": String(s.view.pid) },
        h("td", { class: "n" }, String(s.view.pid)),
        h("td", {}, s.view.exe || "(no program)", s.sample === latest ? "" : h("span", { class: "stale" }, ` (as last seen, sample ${s.sample})`)),
        cell("hits", t.hits),
        cell("misses", t.misses),
        cell("flushes", t.flushes),
        cell("shootdowns", t.shootdowns),
      ),
    ];
  });
  const note = h(
    "p",
    { class: "note" },
    "vmio's counters of each address space's TLB: every load, store and fetch of the guest and every copy of the kernel translates through it. " +
      "A miss walks the page table; a shootdown is an unmap or protect that removed or narrowed translations. execve starts a new address space, with new counters.",
  );
  if (rows.length === 0) {
    body.replaceChildren(note, h("p", { class: "empty" }, "No address space yet."));
    return;
  }
  body.replaceChildren(
    note,
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, h("th", {}, "pid"), h("th", {}, "program"), h("th", {}, "hits"), h("th", {}, "misses"), h("th", {}, "flushes"), h("th", {}, "shootdowns"))),
      h("tbody", {}, ...rows),
    ),
  );
}
