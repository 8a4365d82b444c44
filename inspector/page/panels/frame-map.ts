/**
 * The physical-RAM panel: the kernel's frame counts, and a map of the RAM
 * from frame 0 up to the highest frame a process maps, one cell per frame,
 * coloured by what it holds (`view/frame-map.ts`). Pointing at a frame
 * shows its reference count and every mapping of it, or the page-table
 * node it holds.
 *
 * @module
 */

import { byId, context2d, h } from "../dom.js";
import { COLOURS } from "../palette.js";
import { count, hex, size } from "../../view/format.js";
import { FRAME_SIZE, frameMap, useOf, type FrameMap } from "../../view/frame-map.js";
import type { InspectorModel } from "../../view/model.js";

/** Frames per row, and each cell's size in CSS pixels. */
const ROW = 64;
const CELL = 8;
const MIN_ROWS = 8;

let shown: FrameMap | undefined;

function legend(): HTMLElement {
  const item = (colour: string, text: string) => h("span", { class: "key" }, h("i", { style: `background:${colour}` }), text);
  return h(
    "div",
    { class: "legend" },
    item(COLOURS.reserved, "vmio metadata"),
    item(COLOURS.table, "page-table node"),
    item(COLOURS.user, "user page, 1 reference"),
    item(COLOURS.shared, "user page, shared (2+ references)"),
    item(COLOURS.zero, "the zero page"),
    item(COLOURS.other, "free, or the kernel's otherwise (address-space control blocks)"),
  );
}

function describe(map: FrameMap, n: number): string {
  const where = `frame ${count(n)} at ${hex(n * FRAME_SIZE)}`;
  const f = map.mapped.get(n);
  if (f !== undefined) {
    const maps = f.mappings.map((m) => `pid ${m.pid} ${hex(m.va)}`).join(", ");
    return `${where}: ${f.use === "zero" ? "the zero page" : "a user page"}, ${f.refs} reference${f.refs === 1 ? "" : "s"}; mapped at ${maps}`;
  }
  const t = map.tables.get(n);
  if (t !== undefined) return `${where}: a level-${t.level} page-table node of pid ${t.pid}, from ${hex(t.va)}`;
  return useOf(map, n) === "reserved" ? `${where}: vmio's frame metadata` : `${where}: free, or held by the kernel otherwise`;
}

/** Draws the panel into `body` (which holds a canvas `#frame-canvas` and a line `#frame-hover`). */
export function renderFrameMap(model: InspectorModel, body: HTMLElement): void {
  const s = model.live ?? model.latest;
  if (s === undefined) {
    body.replaceChildren(h("p", { class: "empty" }, "No frames in use yet."));
    shown = undefined;
    return;
  }
  const f = s.frames;
  const map = frameMap(s.processes, f);
  shown = map;
  const rows = Math.max(MIN_ROWS, Math.ceil((map.highest + 1) / ROW));
  const last = Math.min(map.frames, rows * ROW);
  const canvas = h("canvas", { id: "frame-canvas", width: String(ROW * CELL), height: String(rows * CELL) });
  const ctx = context2d(canvas);
  for (let n = 0; n < last; n++) {
    ctx.fillStyle = COLOURS[useOf(map, n)];
    ctx.fillRect((n % ROW) * CELL, Math.floor(n / ROW) * CELL, CELL - 1, CELL - 1);
  }
  const hover = h("p", { id: "frame-hover", class: "mono" }, "Point at a frame.");
  canvas.addEventListener("mousemove", (e) => {
    const r = canvas.getBoundingClientRect();
    const n = Math.floor((e.clientY - r.top) / CELL) * ROW + Math.floor((e.clientX - r.left) / CELL);
    if (shown !== undefined && n >= 0 && n < last) byId("frame-hover").textContent = describe(shown, n);
  });
  const stat = (field: string, label: string, value: number) => h("span", { class: "stat" }, h("b", { "data-field": field }, count(value)), ` ${label}`);
  body.replaceChildren(
    h(
      "p",
      { class: "stats" },
      stat("frames.total", "frames", f.total),
      stat("frames.free", "free", f.free),
      stat("frames.user", "user", f.user),
      stat("frames.kernel", "kernel", f.kernel),
      stat("frames.pageTables", "of them page-table nodes", f.pageTables),
      stat("frames.peak", "at the peak", f.peak),
    ),
    legend(),
    canvas,
    h("p", { class: "note" }, `Frames 0–${count(last - 1)} of ${count(map.frames)} (${size(f.size)} of RAM), ${ROW} to a row, from sample ${s.seq}. No user page or page-table node lies above frame ${count(map.highest)}.`),
    hover,
  );
}
