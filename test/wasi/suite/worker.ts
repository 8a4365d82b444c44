/**
 * Runs one suite test in its own worker thread, so a test that hangs or
 * corrupts its host can be terminated without touching the others.
 *
 * @module
 */

import { parentPort, workerData } from "node:worker_threads";
import { runOn, type HostName, type TestInput } from "./hosts.js";

const { host, input } = workerData as { host: HostName; input: TestInput };
parentPort!.postMessage(await runOn(host, input));
