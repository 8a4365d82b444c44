/**
 * The processes panel: every process of the running demo — pid, parent,
 * the kernel's state, program and arguments, threads — and how it ended.
 *
 * @module
 */

import { h } from "../dom.js";
import { hex } from "../../view/format.js";
import type { InspectorModel } from "../../view/model.js";

/** Draws the panel into `body`. */
export function renderProcesses(model: InspectorModel, body: HTMLElement): void {
  const rows = [...model.processes.values()].sort((a, b) => a.pid - b.pid);
  if (rows.length === 0) {
    body.replaceChildren(h("p", { class: "empty" }, model.phase === "loading" ? "Loading the programs…" : "No process yet."));
    return;
  }
  body.replaceChildren(
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, h("th", {}, "PID"), h("th", {}, "parent"), h("th", {}, "state"), h("th", {}, "program"), h("th", {}, "threads (tid: state @ pc)"))),
      h(
        "tbody",
        {},
        ...rows.map((p) =>
          h(
            "tr",
            { class: `state-${p.state}`, "data-pid": String(p.pid) },
            h("td", { class: "n" }, String(p.pid)),
            h("td", { class: "n" }, p.ppid === 0 ? "—" : String(p.ppid)),
            h("td", {}, p.state === "gone" ? (p.how ?? "gone") : p.how !== undefined ? `${p.state}, ${p.how}` : p.state),
            h("td", { class: "mono" }, [p.exe, ...p.argv.slice(1)].join(" ")),
            h("td", { class: "mono" }, p.threads.map((t) => `${t.tid}: ${t.state} @ ${hex(t.pc)}`).join(", ")),
          ),
        ),
      ),
    ),
  );
}
