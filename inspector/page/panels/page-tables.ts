/**
 * The page-tables panel: for each address space, the tree vmio's walk read
 * from the real entries in RAM — each node's level, frame and count of
 * present entries, each entry's index and bits (named as the paging format
 * names them) — down to the last-level tables, whose entries map the pages
 * (address, frame, bits, the frame's reference count).
 *
 * @module
 */

import { h, type Child } from "../dom.js";
import { count, hex } from "../../view/format.js";
import type { InspectorModel } from "../../view/model.js";
import { nodesPerLevel, pagesByAddress } from "../../view/page-table-tree.js";
import type { PageView, ProcessView, TableEntryView, TableNodeView } from "../../protocol.js";

/** The `<details>` the reader opened, by key, kept across redraws. */
const open = new Set<string>();

function details(key: string, summary: Child[], content: () => Node): HTMLDetailsElement {
  const d = h("details", { "data-key": key, open: open.has(key) ? "" : undefined }, h("summary", {}, ...summary));
  // Built only when open: a closed table costs nothing to redraw.
  if (open.has(key)) d.append(content());
  d.addEventListener("toggle", () => {
    if (d.open) {
      open.add(key);
      if (d.childElementCount === 1) d.append(content());
    } else open.delete(key);
  });
  return d;
}

const bits = (e: TableEntryView) => h("span", { class: "bits" }, e.flags.join(" "));

/** A last-level node's entries: the pages it maps. */
function leafEntries(n: TableNodeView, pages: ReadonlyMap<number, PageView>): HTMLElement {
  return h(
    "table",
    { class: "entries" },
    h("thead", {}, h("tr", {}, h("th", {}, "index"), h("th", {}, "address"), h("th", {}, "frame"), h("th", {}, "bits"), h("th", {}, "refs"))),
    h(
      "tbody",
      {},
      ...n.entries.map((e) => {
        const refs = pages.get(e.va)?.refs;
        return h(
          "tr",
          {},
          h("td", { class: "n" }, String(e.index)),
          h("td", { class: "mono" }, hex(e.va)),
          h("td", { class: "mono" }, hex(e.paddr)),
          h("td", { class: "mono" }, e.flags.join(" ")),
          h("td", { class: "n" }, refs === undefined ? "" : String(refs)),
        );
      }),
    ),
  );
}

function node(n: TableNodeView): Child[] {
  const plural = n.present === 1 ? "entry" : "entries";
  return [`level-${n.level} table at `, h("span", { class: "mono" }, hex(n.paddr)), ` · ${count(n.present)} present ${plural}`];
}

function entry(pid: number, e: TableEntryView, pages: ReadonlyMap<number, PageView>): HTMLElement {
  const range = h("span", { class: "mono" }, ` ${hex(e.va)}–${hex(e.va + e.span)}`);
  const head: Child[] = [h("span", { class: "entry" }, `entry ${e.index}`), " ", bits(e), " → "];
  const c = e.child;
  if (c === undefined) return h("li", {}, ...head, "frame ", h("span", { class: "mono" }, hex(e.paddr)), range);
  if (c.level === 1) return h("li", {}, details(`${pid}/${c.paddr}`, [...head, ...node(c), range], () => leafEntries(c, pages)));
  return h("li", {}, ...head, ...node(c), range, h("ul", {}, ...c.entries.map((ce) => entry(pid, ce, pages))));
}

function tree(p: ProcessView, stale: number | undefined): HTMLElement | undefined {
  const pt = p.pageTable;
  if (pt === undefined) return undefined;
  const pages = pagesByAddress(p.regions);
  return h(
    "div",
    { class: "pt", "data-pid": String(p.pid) },
    h(
      "h3",
      {},
      `pid ${p.pid} · ${pt.paging}: `,
      h("span", { "data-field": "nodes" }, count(pt.nodes)),
      ` ${pt.nodes === 1 ? "table" : "tables"}, `,
      h("span", { "data-field": "pages" }, count(pt.pages)),
      " pages mapped",
      h("span", { class: "note" }, ` (tables by level, root first: ${nodesPerLevel(pt).join(" · ")})`),
      stale === undefined ? "" : h("span", { class: "stale" }, ` (as last seen, sample ${stale})`),
    ),
    h("ul", { class: "tree" }, h("li", {}, "root: ", ...node(pt.root), h("ul", {}, ...pt.root.entries.map((e) => entry(p.pid, e, pages))))),
  );
}

/** Draws the panel into `body`. */
export function renderPageTables(model: InspectorModel, body: HTMLElement): void {
  const latest = model.latest?.seq ?? 0;
  const trees = model.spaces().flatMap((s) => tree(s.view, s.sample === latest ? undefined : s.sample) ?? []);
  const note = h(
    "p",
    { class: "note" },
    "Each address space's page table as vmio's read-only walk read it from RAM: every table's frame and count of present entries, " +
      "every entry's bits as the paging format names them. Open a last-level table for the pages it maps and their frames' reference counts.",
  );
  body.replaceChildren(note, ...(trees.length === 0 ? [h("p", { class: "empty" }, "No address space yet.")] : trees));
}
