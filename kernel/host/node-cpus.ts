/**
 * CPU workers for Node (`--cpus N`): each is a `worker_threads` Worker
 * running `node-cpu-worker.js`.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import type { CpuFactory, CpuPort, FromCpu } from "../smp/cpu-protocol.js";

/** A factory that starts Node workers serving as CPUs. */
export function nodeCpuFactory(): CpuFactory {
  return () => {
    const worker = new Worker(new URL("./node-cpu-worker.js", import.meta.url));
    const port: CpuPort = {
      postMessage: (m) => worker.postMessage(m),
      onMessage: (h) => {
        worker.on("message", (m: FromCpu) => h(m));
        worker.on("error", (e: Error) => h({ kind: "error", cpu: -1, message: e.stack ?? e.message }));
      },
      terminate: () => worker.terminate(),
    };
    return port;
  };
}
