// Helpers for the multi-threaded tests: start real `worker_threads`
// workers from test/threads/workers/, talk to them with time-boxed RPC calls,
// and make sure none outlives its test.
//
// Every wait here has a deadline and rejects when it passes: a test may
// fail, but never hang. Files using this module call
// `afterEach(terminateAll)`, so that a failing test still ends its workers.

import { Worker } from "node:worker_threads";
import { PAGE_SIZE, PhysicalMemory, type MemoryToken, type PagingName, type ReclaimReport } from "../../src/index.js";
import { EXIT_COMMAND, type ErrorInfo } from "./workers/protocol.js";

export { caught, errorInfo, type ErrorInfo } from "./workers/protocol.js";

/**
 * How long a call to a worker may take by default: a guard against a worker
 * that never answers, not a measure of speed. Calls take milliseconds; a
 * worker's start (loading its modules) takes seconds when the tests run
 * niced on a loaded machine. Each test's own box (60 s) is above it.
 */
export const CALL_TIMEOUT_MS = 30_000;

/** A handler in a worker threw: `info` describes what. */
export class WorkerFailure extends Error {
  readonly info: ErrorInfo;
  constructor(cmd: string, info: ErrorInfo) {
    super(`worker command ${JSON.stringify(cmd)} threw ${info.name}${info.code === undefined ? "" : ` [${info.code}]`}: ${info.message}\n--- worker stack ---\n${info.stack ?? "(none)"}`);
    this.name = "WorkerFailure";
    this.info = info;
  }
}

/** A running worker. */
export interface WorkerHandle {
  readonly worker: Worker;
  /** Settles with the exit code once the worker has exited (its `exit` event). */
  readonly exited: Promise<number>;
  /** Runs command `cmd` in the worker and resolves with its result; rejects with a {@link WorkerFailure} if it threw. */
  call<T = unknown>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Runs command `cmd`, which must throw: resolves with what it threw; rejects if it returned. */
  fails(cmd: string, args?: unknown, timeoutMs?: number): Promise<ErrorInfo>;
  /** The next message the worker posted on its own (not a reply to a call). */
  next<T = unknown>(timeoutMs?: number): Promise<T>;
  /** Asks the worker to finish and waits until it has exited with code 0. */
  done(timeoutMs?: number): Promise<void>;
  /** Ends the worker now, wherever it is. */
  terminate(): Promise<void>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Call extends Pending {
  readonly cmd: string;
}

const live = new Set<Worker>();

/** Rejects with a clear message when `promise` has not settled after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves once `ready()` holds, polling without blocking this thread's
 * event loop; rejects after `ms`, or as soon as one of `watched` (calls
 * running in the background) rejects — with that rejection.
 */
export async function waitFor(ready: () => boolean, ms: number, what: string, watched: readonly Promise<unknown>[] = []): Promise<void> {
  let failed: { error: unknown } | undefined;
  for (const p of watched) p.catch((error: unknown) => (failed ??= { error }));
  const deadline = performance.now() + ms;
  while (!ready()) {
    if (failed !== undefined) throw failed.error;
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Marks a call that runs in the background (awaited later) as handled, so
 * that its rejection — a worker crashing early — is reported when the test
 * awaits it, not as an unhandled rejection in between. Returns `p` itself.
 */
export function background<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/**
 * Starts `build/test/threads/workers/<file>` (the compiled form of
 * `test/threads/workers/<file minus .js>.ts`) with `workerData = data`.
 */
export function startWorker(file: string, data: unknown = {}): WorkerHandle {
  const worker = new Worker(new URL(`./workers/${file}`, import.meta.url), { workerData: data });
  live.add(worker);
  const pending = new Map<number, Call>();
  const inbox: unknown[] = [];
  const waiters: Pending[] = [];
  let failure: Error | undefined;
  let exitCode: number | undefined;
  let nextId = 1;
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve));

  const failAll = (e: Error): void => {
    failure ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    for (const w of waiters.splice(0)) w.reject(e);
  };
  worker.on("message", (msg: { id?: number; ok?: boolean; value?: unknown; error?: ErrorInfo }) => {
    if (typeof msg === "object" && msg !== null && typeof msg.id === "number") {
      const p = pending.get(msg.id);
      if (p === undefined) return;
      pending.delete(msg.id);
      if (msg.ok === true) p.resolve(msg.value);
      else p.reject(new WorkerFailure(p.cmd, msg.error as ErrorInfo));
      return;
    }
    const w = waiters.shift();
    if (w !== undefined) w.resolve(msg);
    else inbox.push(msg);
  });
  worker.on("error", (e: Error) => failAll(new Error(`worker ${file} crashed: ${e.stack ?? e.message}`)));
  worker.on("exit", (code) => {
    exitCode = code;
    live.delete(worker);
    failAll(new Error(`worker ${file} exited (code ${code})`));
  });

  const call = <T>(cmd: string, args?: unknown, timeoutMs = CALL_TIMEOUT_MS): Promise<T> => {
    if (failure !== undefined) return Promise.reject(failure);
    const id = nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      pending.set(id, { cmd, resolve: resolve as (v: unknown) => void, reject });
    });
    worker.postMessage({ id, cmd, args });
    return within(reply, timeoutMs, `${file}: ${cmd}`).finally(() => pending.delete(id));
  };

  return {
    worker,
    exited,
    call,
    async fails(cmd, args, timeoutMs) {
      try {
        await call(cmd, args, timeoutMs);
      } catch (e) {
        if (e instanceof WorkerFailure) return e.info;
        throw e;
      }
      throw new Error(`worker command ${JSON.stringify(cmd)} returned, but was expected to throw`);
    },
    next<T>(timeoutMs = CALL_TIMEOUT_MS): Promise<T> {
      if (inbox.length > 0) return Promise.resolve(inbox.shift() as T);
      if (failure !== undefined) return Promise.reject(failure);
      const message = new Promise<T>((resolve, reject) => waiters.push({ resolve: resolve as (v: unknown) => void, reject }));
      return within(message, timeoutMs, `${file}: next message`);
    },
    async done(timeoutMs = CALL_TIMEOUT_MS) {
      // The reply to EXIT_COMMAND and the exit event travel separately:
      // whichever comes first, only the exit code counts.
      if (exitCode === undefined) background(call(EXIT_COMMAND, undefined, timeoutMs));
      const code = await within(exited, timeoutMs, `${file} to exit`);
      if (code !== 0) throw failure ?? new Error(`worker ${file} exited with code ${code}`);
    },
    async terminate() {
      await worker.terminate();
    },
  };
}

/**
 * A worker that was given a memory token of its own (as `workerData.memory`),
 * to be reclaimed once it has exited.
 */
export interface MemoryWorker extends WorkerHandle {
  readonly memory: MemoryToken;
  /** Waits (at most `ms`) for the worker's `exit` event, then reclaims its thread slot: `PhysicalMemory.reclaim`'s report. */
  reclaim(ms?: number): Promise<ReclaimReport>;
}

/** Starts a worker as {@link startWorker} does, with `memory: mem.share()` added to its data. */
export function startOn(mem: PhysicalMemory, file: string, data: object = {}): MemoryWorker {
  const memory = mem.share();
  const handle = startWorker(file, { ...data, memory });
  return {
    ...handle,
    memory,
    async reclaim(ms = CALL_TIMEOUT_MS) {
      await within(handle.exited, ms, `${file} to exit before it is reclaimed`);
      return mem.reclaim(memory);
    },
  };
}

/** What reclaiming a worker that let go of everything itself reports. */
export const NOTHING_HELD: ReclaimReport = { attached: true, inAccess: false, locks: 0, frames: 0, spaces: 0, retired: 0 };

/**
 * Asks each worker to finish, waits until it has exited, and reclaims it:
 * each must have let go of everything itself (the reclaim finds nothing).
 */
export async function finishAll(workers: readonly MemoryWorker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.done()));
  for (const w of workers) {
    const report = await w.reclaim();
    if (JSON.stringify(report) !== JSON.stringify(NOTHING_HELD)) throw new Error(`a worker that finished still held something at exit: ${JSON.stringify(report)}`);
  }
}

/** Terminates every worker still running (for `afterEach`/`after` hooks). */
export async function terminateAll(): Promise<void> {
  await Promise.all([...live].map((w) => w.terminate()));
  live.clear();
}

/** A small shared array of control words (stop flags, counters) to hand to workers. */
export function controlWords(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}

/**
 * The paging format of this process's shared RAMs: x86-64, or Sv48 when a
 * twin in `test/threads/sv48/` called {@link runOnPaging} before importing
 * its test file (workers attach the RAM and read the format from it).
 */
let paging: PagingName = "x86-64";

/** Makes this process's shared RAMs use `p` (call before importing a test file). */
export function runOnPaging(p: PagingName): void {
  paging = p;
}

/** Shared RAM of `frames` frames (metadata included), in this run's paging format. */
export function sharedMemory(frames: number): PhysicalMemory {
  return new PhysicalMemory({ size: frames * PAGE_SIZE, shared: true, paging });
}

/** Bytes `[0, len)` of a position-dependent pattern that never repeats within 251 bytes and has no zero byte. */
export function pattern(len: number, seed = 1): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = ((i * 7 + seed * 13) % 251) + 1;
  return b;
}
