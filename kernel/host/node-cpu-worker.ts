/**
 * The entry point of a Node CPU worker: serves the kernel over
 * `parentPort` (see `smp/cpu-server.ts`).
 *
 * @module
 */

import { parentPort } from "node:worker_threads";
import type { ToCpu } from "../smp/cpu-protocol.js";
import { serveCpu } from "../smp/cpu-server.js";

const port = parentPort;
if (port === null) throw new Error("node-cpu-worker.js must run in a worker thread");
serveCpu({
  postMessage: (m) => port.postMessage(m),
  onMessage: (h) => port.on("message", (m: ToCpu) => h(m)),
});
