/**
 * The page-tables panel: for each address space, the tree from the root
 * table down to the last-level tables and their present entries (virtual
 * address, frame, flags, the frame's reference count). See
 * `view/page-table-tree.ts` for what the tree can and cannot show yet.
 *
 * @module
 */

import { h, type Child } from "../dom.js";
import { count, hex, pteFlags } from "../../view/format.js";
import type { InspectorModel } from "../../view/model.js";
import { indexAt, nodesPerLevel, treeFromPages, type TreeNode } from "../../view/page-table-tree.js";
import type { ProcessView } from "../../protocol.js";

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

function entries(n: TreeNode): HTMLElement {
  return h(
    "table",
    { class: "entries" },
    h("thead", {}, h("tr", {}, h("th", {}, "index"), h("th", {}, "address"), h("th", {}, "frame"), h("th", {}, "flags"), h("th", {}, "refs"))),
    h(
      "tbody",
      {},
      ...n.entries.map((e) =>
        h(
          "tr",
          {},
          h("td", { class: "n" }, String(indexAt(e.va, 1))),
          h("td", { class: "mono" }, hex(e.va)),
          h("td", { class: "mono" }, hex(e.paddr)),
          h("td", { class: "mono" }, pteFlags(e.flags)),
          h("td", { class: "n" }, String(e.refs)),
        ),
      ),
    ),
  );
}

function subtree(pid: number, n: TreeNode): HTMLElement {
  const range = `${hex(n.base)}–${hex(n.base + n.span)}`;
  if (n.level === 1) {
    return h(
      "li",
      {},
      details(`${pid}/${n.base}`, [h("span", { class: "entry" }, `entry ${n.index}`), ` → level-1 table, ${n.entries.length} present ${n.entries.length === 1 ? "entry" : "entries"}, `, h("span", { class: "mono" }, range)], () =>
        entries(n),
      ),
    );
  }
  return h(
    "li",
    {},
    h("span", { class: "entry" }, `entry ${n.index}`),
    ` → level-${n.level} table, `,
    h("span", { class: "mono" }, range),
    h("ul", {}, ...n.children.map((c) => subtree(pid, c))),
  );
}

function tree(p: ProcessView, stale: number | undefined): HTMLElement {
  const root = treeFromPages(p.regions.flatMap((r) => r.pages));
  const perLevel = nodesPerLevel(root);
  const present = p.regions.reduce((n, r) => n + r.mapped, 0);
  return h(
    "div",
    { class: "pt", "data-pid": String(p.pid) },
    h(
      "h3",
      {},
      `pid ${p.pid} · ${count(present)} present entries in at least ${count(perLevel.reduce((a, b) => a + b, 0))} tables`,
      h("span", { class: "note" }, ` (by level, root first: ${perLevel.join(" · ")})`),
      stale === undefined ? "" : h("span", { class: "stale" }, ` (as last seen, sample ${stale})`),
    ),
    h("ul", { class: "tree" }, h("li", {}, "root: level-4 table", h("ul", {}, ...root.children.map((c) => subtree(p.pid, c))))),
  );
}

/** Draws the panel into `body`. */
export function renderPageTables(model: InspectorModel, body: HTMLElement): void {
  const latest = model.latest?.seq ?? 0;
  const seen = model.spaces();
  const note = h(
    "p",
    { class: "note" },
    "The tree holds each present page's entry as the kernel read it through vmio cursors, placed by its address's index bits. " +
      "The upper tables' frames and their own entries need a read-only page-table walk, which vmio does not expose yet.",
  );
  if (seen.length === 0) {
    body.replaceChildren(note, h("p", { class: "empty" }, "No address space yet."));
    return;
  }
  body.replaceChildren(note, ...seen.map((s) => tree(s.view, s.sample === latest ? undefined : s.sample)));
}
