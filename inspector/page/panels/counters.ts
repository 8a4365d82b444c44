/**
 * The counters strip under the header: the running program's kernel
 * counters (instructions retired, system calls, processes created, page
 * faults, frames in use and at the peak), from the latest sample.
 *
 * @module
 */

import { h } from "../dom.js";
import { count } from "../../view/format.js";
import type { InspectorModel } from "../../view/model.js";

/** Draws the strip into `body`. */
export function renderCounters(model: InspectorModel, body: HTMLElement): void {
  const s = model.latest;
  const c = s?.counters;
  const faults = c === undefined ? 0 : Object.values(c.faults).reduce((a, b) => a + b, 0);
  const stat = (field: string, label: string, value: number | undefined) =>
    h("div", { class: "counter" }, h("b", { "data-field": field }, value === undefined ? "—" : count(value)), h("span", {}, label));
  body.replaceChildren(
    stat("instructions", "instructions retired", c?.instructions),
    stat("syscalls", "system calls", c?.syscalls),
    stat("processes", "processes created", c?.processes),
    stat("faults", "page faults", c === undefined ? undefined : faults),
    stat("frames.inUse", "frames in use", s === undefined ? undefined : s.frames.total - s.frames.free),
    stat("frames.peak", "frames at the peak", c?.framesPeak),
  );
}
