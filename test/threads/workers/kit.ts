// The worker side of test/threads/support.ts: a tiny RPC loop. The parent
// sends `{ id, cmd, args }`; the worker runs `handlers[cmd](args)` and
// answers `{ id, ok: true, value }` or `{ id, ok: false, error }` (an
// ErrorInfo). Handlers are synchronous or async; commands run one at a time
// in arrival order.
//
// Long loops that must be stopped from outside watch a word of a shared
// control array (`workerData.control`) instead of a message, because a
// worker busy in a synchronous loop does not receive messages.

import { parentPort } from "node:worker_threads";
import { EXIT_COMMAND, errorInfo } from "./protocol.js";

/** A command handler: gets the command's arguments, returns a structured-clonable value. */
export type Handler = (args: never) => unknown;

interface Request {
  readonly id: number;
  readonly cmd: string;
  readonly args: unknown;
}

/** Serves `handlers` until the parent terminates the worker (or closes the port). */
export function serve(handlers: Record<string, Handler>): void {
  const port = parentPort;
  if (port === null) throw new Error("kit.ts is for workers only");
  let queue: Promise<void> = Promise.resolve();
  port.on("message", (req: Request) => {
    queue = queue.then(async () => {
      const handler = handlers[req.cmd];
      try {
        if (req.cmd === EXIT_COMMAND) {
          port.postMessage({ id: req.id, ok: true, value: undefined });
          port.close();
          return;
        }
        if (handler === undefined) throw new Error(`unknown command ${JSON.stringify(req.cmd)}`);
        const value = await (handler as (args: unknown) => unknown)(req.args);
        port.postMessage({ id: req.id, ok: true, value });
      } catch (e) {
        port.postMessage({ id: req.id, ok: false, error: errorInfo(e) });
      }
    });
  });
}

/** A fast deterministic PRNG (mulberry32): the same seed gives the same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A start line for workers that must race: counts this worker in at
 * `control[ready]`, then waits (at most `ms`) until the parent sets
 * `control[go]`.
 */
export function barrier(control: Int32Array, ready: number, go: number, ms = 10_000): void {
  Atomics.add(control, ready, 1);
  Atomics.notify(control, ready);
  const deadline = performance.now() + ms;
  while (Atomics.load(control, go) === 0) {
    const left = deadline - performance.now();
    if (left <= 0) throw new Error("barrier: the parent never said go");
    Atomics.wait(control, go, 0, Math.min(left, 50));
  }
}
