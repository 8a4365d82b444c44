/**
 * The terminal panel: what the demo's programs wrote to stdout and
 * stderr, under a header per program, with the kernel's explanation of
 * its counters after each (the `npm start` demo's words) and the summary.
 *
 * @module
 */

import { h } from "../dom.js";
import type { InspectorModel } from "../../view/model.js";

let drawn = 0;

/** Draws the parts the panel does not show yet into `body` (the terminal only grows, until `reset`). */
export function renderTerminal(model: InspectorModel, body: HTMLElement): void {
  const parts = model.terminal;
  if (drawn > parts.length) resetTerminal(body);
  if (drawn === parts.length) return;
  const pre = body.firstElementChild instanceof HTMLPreElement ? body.firstElementChild : body.appendChild(h("pre", { id: "terminal" }));
  const stick = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  for (let i = drawn; i < parts.length; i++) {
    const p = parts[i] as (typeof parts)[number];
    const line = p.kind === "stdout" || p.kind === "stderr" ? p.text : `${p.kind === "header" && i > 0 ? "\n" : ""}${p.text}\n`;
    pre.append(h("span", { class: `t-${p.kind}` }, line));
  }
  drawn = parts.length;
  if (stick) pre.scrollTop = pre.scrollHeight;
}

/** Empties the panel (a new run). */
export function resetTerminal(body: HTMLElement): void {
  drawn = 0;
  body.replaceChildren();
}
