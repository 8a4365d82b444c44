/**
 * The address-spaces panel: each process's regions (VMAs) in address
 * order — range, size, permissions, what backs them — with how many of
 * their pages are present and how many are shared copy-on-write, and a
 * strip placing the present pages in the region, coloured by sharing.
 *
 * @module
 */

import { context2d, h } from "../dom.js";
import { COLOURS } from "../palette.js";
import { count, hex, prot, size } from "../../view/format.js";
import type { InspectorModel } from "../../view/model.js";
import type { ProcessView, RegionView } from "../../protocol.js";

const STRIP_WIDTH = 240;
const STRIP_HEIGHT = 12;
const PAGE = 4096;

/** The colour of a present page. */
function pageColour(refs: number, paddr: number, zeroPage: number | undefined): string {
  if (paddr === zeroPage) return COLOURS.zero;
  return refs > 1 ? COLOURS.shared : COLOURS.user;
}

/** A strip of `r`: its span scaled to the strip's width, each present page drawn where it lies. */
function strip(r: RegionView, zeroPage: number | undefined): HTMLCanvasElement {
  const canvas = h("canvas", { width: String(STRIP_WIDTH), height: String(STRIP_HEIGHT), class: "strip" });
  const ctx = context2d(canvas);
  ctx.fillStyle = COLOURS.absent;
  ctx.fillRect(0, 0, STRIP_WIDTH, STRIP_HEIGHT);
  const pages = (r.end - r.start) / PAGE;
  const w = Math.max(1, STRIP_WIDTH / pages);
  for (const pg of r.pages) {
    ctx.fillStyle = pageColour(pg.refs, pg.paddr, zeroPage);
    const x = Math.floor(((pg.va - r.start) / PAGE) * (STRIP_WIDTH / pages));
    ctx.fillRect(x, 0, Math.ceil(w), STRIP_HEIGHT);
  }
  canvas.title = pages > STRIP_WIDTH ? `${count(pages)} pages: ${(pages / STRIP_WIDTH).toFixed(0)} per pixel column` : `${count(pages)} pages`;
  return canvas;
}

function space(p: ProcessView, sample: number, latest: number, zeroPage: number | undefined): HTMLElement {
  const present = p.regions.reduce((n, r) => n + r.mapped, 0);
  const cow = p.regions.reduce((n, r) => n + r.cowShared, 0);
  return h(
    "div",
    { class: "space", "data-pid": String(p.pid) },
    h(
      "h3",
      {},
      `pid ${p.pid} · ${p.exe || "(no program)"}`,
      h("span", { class: "note" }, ` — ${p.regions.length} regions, ${count(present)} pages present, ${count(cow)} shared copy-on-write`),
      sample === latest ? undefined : h("span", { class: "stale" }, ` (as last seen, sample ${sample})`),
    ),
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h("tr", {}, h("th", {}, "range"), h("th", {}, "size"), h("th", {}, "perm"), h("th", {}, "backing"), h("th", {}, "present"), h("th", {}, "COW-shared"), h("th", {}, "pages")),
      ),
      h(
        "tbody",
        {},
        ...p.regions.map((r) =>
          h(
            "tr",
            {},
            h("td", { class: "mono" }, `${hex(r.start)}–${hex(r.end)}`),
            h("td", { class: "n" }, size(r.end - r.start)),
            h("td", { class: "mono" }, `${prot(r.prot)}${r.shared ? "s" : "p"}`),
            h("td", {}, r.name === "" ? r.kind : `${r.kind} ${r.name}`),
            h("td", { class: "n", "data-field": "mapped" }, count(r.mapped)),
            h("td", { class: "n", "data-field": "cowShared" }, r.cowShared === 0 ? "" : count(r.cowShared)),
            h("td", {}, strip(r, zeroPage)),
          ),
        ),
      ),
    ),
  );
}

/** Draws the panel into `body`. */
export function renderAddressSpaces(model: InspectorModel, body: HTMLElement): void {
  const latest = model.latest?.seq ?? 0;
  const zeroPage = model.latest?.frames.zeroPage;
  const seen = model.spaces();
  if (seen.length === 0) {
    body.replaceChildren(h("p", { class: "empty" }, "No address space yet."));
    return;
  }
  body.replaceChildren(...seen.map((s) => space(s.view, s.sample, latest, zeroPage)));
}
