/**
 * The runs panel: one row per finished demo program with the kernel's
 * final counters — exit status, instructions, system calls, processes,
 * page faults by kind, frames at the peak, run time — and, at the end,
 * the summary over every demo (the `npm start` summary's lines).
 *
 * @module
 */

import { h } from "../dom.js";
import { count } from "../../view/format.js";
import type { InspectorModel } from "../../view/model.js";
import { FAULT_KINDS } from "./fault-log.js";

/** Draws the panel into `body`. */
export function renderRuns(model: InspectorModel, body: HTMLElement): void {
  if (model.runs.length === 0) {
    body.replaceChildren(h("p", { class: "empty" }, "The first program is still running."));
    return;
  }
  const num = (field: string, value: number) => h("td", { class: "n", "data-field": field }, count(value));
  body.replaceChildren(
    h(
      "div",
      { class: "scroll-x" },
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, "program"),
            h("th", {}, "exit"),
            h("th", {}, "instructions"),
            h("th", {}, "system calls"),
            h("th", {}, "processes"),
            ...FAULT_KINDS.map(([kind]) => h("th", {}, kind)),
            h("th", {}, "stack growth"),
            h("th", {}, "frames at the peak"),
            h("th", {}, "run time"),
          ),
        ),
        h(
          "tbody",
          {},
          ...model.runs.map((r) =>
            h(
              "tr",
              { "data-program": r.program },
              h("td", { class: "mono" }, r.program),
              num("code", r.code),
              num("instructions", r.counters.instructions),
              num("syscalls", r.counters.syscalls),
              num("processes", r.counters.processes),
              ...FAULT_KINDS.map(([kind]) => num(`faults.${kind}`, r.counters.faults[kind])),
              num("stackGrowth", r.counters.stackGrowth),
              num("framesPeak", r.counters.framesPeak),
              h("td", { class: "n" }, `${r.seconds.toFixed(2)} s`),
            ),
          ),
        ),
      ),
    ),
    model.summary === undefined ? "" : h("ul", { class: "summary", "data-field": "summary" }, ...model.summary.map((line) => h("li", {}, line))),
    h("p", { class: "note" }, "Run time is the kernel's own, without the inspector's pauses and samples."),
  );
}
