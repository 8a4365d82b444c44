/**
 * The page-fault panel: the kernel's counts by how faults ended, and the
 * newest faults, newest first — process, address, access, resolution.
 *
 * @module
 */

import { h } from "../dom.js";
import { count, hex } from "../../view/format.js";
import type { InspectorModel } from "../../view/model.js";
import { FAULT_LOG_LIMIT, type FaultKind } from "../../protocol.js";

/** The kinds, in the order the counts are shown, with what each means. */
export const FAULT_KINDS: ReadonlyArray<readonly [FaultKind, string]> = [
  ["demand-zero", "a zeroed frame mapped on first write"],
  ["zero-page", "the shared zero page mapped on a read"],
  ["file", "a page read in from a file"],
  ["shared", "a page of a shared mapping mapped"],
  ["cow-copy", "a shared page copied on write"],
  ["cow-reuse", "a page made writable in place: no one else mapped it"],
  ["spurious", "the entry brought in line with its region"],
  ["fatal", "no region allows it: EFAULT in a system call, SIGSEGV in the program"],
  ["oom", "out of memory: the process is killed"],
];

/** Draws the panel into `body`. */
export function renderFaultLog(model: InspectorModel, body: HTMLElement): void {
  const c = model.latest?.counters;
  const counts = h(
    "p",
    { class: "stats" },
    ...FAULT_KINDS.map(([kind, meaning]) =>
      h("span", { class: `stat fault-${kind}`, title: meaning }, h("b", { "data-field": `faults.${kind}` }, count(c?.faults[kind] ?? 0)), ` ${kind}`),
    ),
  );
  const total = c === undefined ? 0 : FAULT_KINDS.reduce((n, [kind]) => n + c.faults[kind], 0);
  const log = model.faults;
  const caption =
    log.length === 0
      ? "No page fault yet."
      : `The ${log.length === total ? "" : `newest ${count(log.length)} of `}${count(total)} faults of this program, newest first${log.length === FAULT_LOG_LIMIT ? ` (the page keeps ${FAULT_LOG_LIMIT})` : ""}.`;
  body.replaceChildren(
    counts,
    h("p", { class: "note" }, caption),
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "pid"), h("th", {}, "address"), h("th", {}, "access"), h("th", {}, "resolution"))),
        h(
          "tbody",
          {},
          ...[...log].reverse().map((f) =>
            h(
              "tr",
              { class: `fault-${f.resolution}` },
              h("td", { class: "n" }, String(f.seq)),
              h("td", { class: "n" }, String(f.pid)),
              h("td", { class: "mono" }, hex(f.address)),
              h("td", {}, f.write ? "write" : f.execute ? "fetch" : "read"),
              h("td", {}, f.resolution, f.stackGrowth ? " (the stack grew)" : ""),
            ),
          ),
        ),
      ),
    ),
  );
}
