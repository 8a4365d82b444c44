// A worker for testing the test harness itself (support.ts): it echoes,
// posts messages on its own, throws, crashes, spins and exits on request.

import { parentPort } from "node:worker_threads";
import { serve } from "./kit.js";

serve({
  echo: (x: unknown) => x,
  /** Posts `n` messages of its own, then answers. */
  post: ({ n }: { n: number }) => {
    for (let i = 0; i < n; i++) parentPort?.postMessage({ seq: i });
    return n;
  },
  throwRange: () => {
    throw new RangeError("out of range, on purpose");
  },
  /** Never answers: an uncaught exception kills the worker while the call is pending. */
  crash: () =>
    new Promise(() => {
      setTimeout(() => {
        throw new Error("crashed on purpose");
      }, 10);
    }),
  /** Blocks this worker's event loop for `ms`. */
  spin: ({ ms }: { ms: number }) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  },
  exitWith: ({ code }: { code: number }) => {
    process.exit(code);
  },
});
