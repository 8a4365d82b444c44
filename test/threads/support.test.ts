// The harness of the threads tests: calls, failures, timeouts, crashes and
// exits of workers all settle — nothing a worker does can hang a test.

import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { WorkerFailure, background, startWorker, terminateAll, waitFor, within } from "./support.js";

afterEach(terminateAll);

const T = { timeout: 60_000 };

describe("test/threads/support.ts", () => {
  test("calls answer in order; a handler's exception comes back as a WorkerFailure describing it", T, async () => {
    const w = startWorker("echo-worker.js");
    assert.deepEqual(await w.call("echo", { a: [1, 2n] }), { a: [1, 2n] });
    const info = await w.fails("throwRange");
    assert.equal(info.name, "RangeError");
    assert.equal(info.message, "out of range, on purpose");
    await assert.rejects(w.call("throwRange"), WorkerFailure);
    await assert.rejects(w.call("nonsense"), /unknown command/);
    await assert.rejects(w.fails("echo", 1), /expected to throw/);
    await w.done();
  });

  test("next() returns the messages a worker posts on its own, in order, and times out when there is none", T, async () => {
    const w = startWorker("echo-worker.js");
    assert.equal(await w.call("post", { n: 3 }), 3);
    for (let i = 0; i < 3; i++) assert.deepEqual(await w.next(), { seq: i });
    await assert.rejects(w.next(50), /timed out after 50 ms/);
    await w.done();
  });

  test("a call that outlasts its timeout rejects, and terminating the worker ends it", T, async () => {
    const w = startWorker("echo-worker.js");
    await assert.rejects(w.call("spin", { ms: 5_000 }, 100), /timed out after 100 ms/);
    await w.terminate();
    await assert.rejects(w.call("echo", 1), /exited/);
  });

  test("a crash rejects pending and later calls, and done() reports it", T, async () => {
    const w = startWorker("echo-worker.js");
    await assert.rejects(w.call("crash"), /crashed on purpose/);
    await assert.rejects(w.next(), /crashed on purpose/);
    await assert.rejects(w.call("echo", 1), /crashed on purpose/);
    await assert.rejects(w.done(), /crashed on purpose/);
  });

  test("done() rejects when the worker exits with a non-zero code", T, async () => {
    const w = startWorker("echo-worker.js");
    await assert.rejects(w.call("exitWith", { code: 3 }), /exited \(code 3\)/);
    await assert.rejects(w.done(), /code 3/);
  });

  test("waitFor and within reject instead of waiting forever", T, async () => {
    await assert.rejects(waitFor(() => false, 30, "nothing"), /timed out after 30 ms waiting for nothing/);
    const failing = background(Promise.reject(new Error("watched call failed")));
    await assert.rejects(waitFor(() => false, 5_000, "nothing", [failing]), /watched call failed/);
    await assert.rejects(within(new Promise(() => {}), 30, "never"), /timed out after 30 ms: never/);
  });
});
