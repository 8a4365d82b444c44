/**
 * The inspector page: starts the kernel's worker, takes in its messages
 * (`view/model.ts`) and redraws the panels at most once a frame. `?pace=N`
 * in the URL sets the starting pace (0 runs at full speed).
 *
 * For tests and curious readers, `document.body.dataset.phase` says where
 * the demo is (`loading`, `running`, `done`, `error`), `dataset.sample`
 * which sample the panels show, and `globalThis.inspector` is the model:
 * everything the worker reported.
 *
 * @module
 */

import { byId } from "./dom.js";
import { InspectorModel } from "../view/model.js";
import type { FromWorker, ToWorker } from "../protocol.js";
import { renderAddressSpaces } from "./panels/address-spaces.js";
import { renderCounters } from "./panels/counters.js";
import { renderFaultLog } from "./panels/fault-log.js";
import { renderFrameMap } from "./panels/frame-map.js";
import { renderPageTables } from "./panels/page-tables.js";
import { renderProcesses } from "./panels/processes.js";
import { renderRuns } from "./panels/runs.js";
import { renderTerminal, resetTerminal } from "./panels/terminal.js";
import { renderTlb } from "./panels/tlb.js";

const body = (panel: string) => byId(`${panel}-body`);
const paceSelect = byId<HTMLSelectElement>("pace");
const status = byId("status");

let model = new InspectorModel();
let worker: Worker | undefined;
let frame = 0;

function statusText(m: InspectorModel): string {
  switch (m.phase) {
    case "loading":
      return "Loading the programs…";
    case "running":
      return m.demo === undefined ? "Starting…" : `Program ${m.demo.index + 1} of ${m.demo.count}: ${m.demo.program} — ${m.demo.title}`;
    case "done":
      return m.failures === 0 ? `Done: all ${m.runs.length} programs ran and exited with status 0.` : `Done: ${m.failures} program(s) failed.`;
    case "error":
      return `The kernel's worker failed: ${m.error ?? "unknown error"}`;
  }
}

function render(): void {
  frame = 0;
  document.body.dataset.phase = model.phase;
  document.body.dataset.sample = String(model.latest?.seq ?? 0);
  status.textContent = statusText(model);
  renderCounters(model, byId("counters"));
  renderProcesses(model, body("processes"));
  renderAddressSpaces(model, body("spaces"));
  renderPageTables(model, body("pagetables"));
  renderFrameMap(model, body("frames"));
  renderFaultLog(model, body("faults"));
  renderTlb(model, body("tlb"));
  renderTerminal(model, body("terminal"));
  renderRuns(model, body("runs"));
}

function receive(m: FromWorker): void {
  model.apply(m);
  if (m.kind === "error") console.error(`inspector worker: ${m.message}`);
  if (frame === 0) frame = requestAnimationFrame(render);
}

function pace(): number {
  return Number(paceSelect.value);
}

function start(): void {
  worker?.terminate();
  model = new InspectorModel();
  (globalThis as { inspector?: InspectorModel }).inspector = model;
  resetTerminal(body("terminal"));
  const w = new Worker(new URL("../kernel-worker.js", import.meta.url), { type: "module" });
  worker = w;
  w.onmessage = (e: MessageEvent<FromWorker>) => {
    if (worker === w) receive(e.data);
  };
  w.onerror = (e) => receive({ kind: "error", message: e.message || "the worker could not start" });
  const bin = new URL("bin/", location.href).href;
  w.postMessage({ kind: "start", pace: pace(), bin } satisfies ToWorker);
  render();
}

// ?pace=N: one of the menu's, or any other from 0 to 10 (the worker refuses the rest).
const fromUrl = new URLSearchParams(location.search).get("pace");
if (fromUrl !== null && fromUrl !== "") {
  const wanted = Number(fromUrl);
  const option = [...paceSelect.options].find((o) => Number(o.value) === wanted);
  if (option !== undefined) paceSelect.value = option.value;
  else paceSelect.add(new Option(`×${fromUrl} (from the URL)`, String(wanted), true, true));
}
paceSelect.addEventListener("change", () => worker?.postMessage({ kind: "pace", pace: pace() } satisfies ToWorker));
byId("again").addEventListener("click", start);
start();
