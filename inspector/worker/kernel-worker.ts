/**
 * The inspector's module worker: fetches the demo's RISC-V programs, then
 * runs the demo on the teaching kernel (`demo-run.ts`), posting samples to
 * the page. The kernel runs here, not on the page's thread, so the page
 * stays responsive while the guest computes.
 *
 * Module workers do not see a page's import map, so the page loads this
 * file bundled (`inspector/node/bundle.ts` links it with vmio).
 *
 * @module
 */

import { DEMO_BINARIES } from "../../kernel/host/demo-programs.js";
import type { FromWorker, ToWorker } from "../protocol.js";
import { validPace } from "./pacing.js";
import { runDemo } from "./demo-run.js";

/** The parts of a dedicated worker's global scope this file uses. */
interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: { readonly data: ToWorker }) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;
let pace = 1;
let started = false;

/** Fetches each program under `bin` (a directory URL). @throws {Error} a program could not be fetched. */
async function fetchBinaries(bin: string): Promise<Map<string, Uint8Array>> {
  const entries = await Promise.all(
    DEMO_BINARIES.map(async (path) => {
      const url = new URL(path.slice(path.lastIndexOf("/") + 1), bin);
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url}: ${res.status} ${res.statusText}`);
      return [path, new Uint8Array(await res.arrayBuffer())] as const;
    }),
  );
  return new Map(entries);
}

async function start(bin: string): Promise<void> {
  let binaries: Map<string, Uint8Array>;
  try {
    binaries = await fetchBinaries(bin);
  } catch (e) {
    scope.postMessage({ kind: "error", message: e instanceof Error ? e.message : String(e) });
    return;
  }
  await runDemo({ binaries, post: (m) => scope.postMessage(m), pace: () => pace });
}

scope.onmessage = ({ data }) => {
  if (!validPace(data.pace)) {
    scope.postMessage({ kind: "error", message: `pace must be a number from 0 to 10, not ${String(data.pace)}` });
    return;
  }
  pace = data.pace;
  if (data.kind === "start" && !started) {
    started = true;
    void start(data.bin);
  }
};
