// Shared guest memory with real workers: readOnce/writeOnce never tear,
// atomicCompareExchange loses no update, and a growth made by another
// thread in the middle of a host call is seen by the readers, writers and
// VmIo calls of that call. Every wait is time-boxed; workers never outlive
// their test.
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { GuestMemory, VmReader, VmWriter, u32, u64 } from "../../src/index.js";
import { background, controlWords, startWorker, terminateAll, waitFor } from "../threads/support.js";
import { growableShared, wasmMemory } from "./support.js";
import { GROWN, GROW_REQUEST, READY, STOP } from "./workers/control.js";

afterEach(terminateAll);

// Hang guards, not speed: each step takes milliseconds, but a worker starts
// and runs slowly on a loaded machine (the threads tests' guards are alike).
const T = { timeout: 90_000 };
const WASM_PAGE = 65536;
/** The worker file, relative to test/threads/workers/ where startWorker looks. */
const WORKER = "../../guest/workers/guest-worker.js";

test("readOnce never sees a torn u64 while another thread writeOnce's it", T, async () => {
  const memory = wasmMemory(1, 2, true);
  const guest = new GuestMemory(memory);
  assert.equal(guest.shared, true);
  const control = controlWords(4);
  const w = startWorker(WORKER, { memory, control });
  const run = background(w.call<number>("hammer", { at: 64 }));
  await waitFor(() => Atomics.load(control, READY) === 1, 30_000, "the worker to start hammering", [run]);
  const seen = new Set<bigint>();
  for (let i = 0; i < 200_000; i++) seen.add(guest.readOnce(64, u64));
  Atomics.store(control, STOP, 1);
  const writes = await run;
  assert.ok(writes > 0);
  for (const v of seen) assert.ok(v === 0n || v === 2n ** 64n - 1n, `torn value 0x${v.toString(16)}`);
  await w.done();
});

test("atomicCompareExchange through guest readers and writers loses no update across threads", T, async () => {
  const memory = wasmMemory(1, 2, true);
  const guest = new GuestMemory(memory);
  const control = controlWords(4);
  const workers = [startWorker(WORKER, { memory, control }), startWorker(WORKER, { memory, control })];
  const N = 20_000;
  const runs = workers.map((w) => background(w.call<number>("increment", { at: 128, n: N })));
  for (let i = 0; i < N; i++) {
    for (;;) {
      const seen = guest.reader(128, 4).atomicLoad(u32);
      if (guest.writer(128, 4).atomicCompareExchange(guest.reader(128, 4), u32, seen, seen + 1)[1]) break;
    }
  }
  await Promise.all(runs);
  assert.equal(guest.readOnce(128, u32), 3 * N);
  await Promise.all(workers.map((w) => w.done()));
});

test("a shared WebAssembly.Memory grown by another thread in the middle of a host call: the call sees the new pages", T, async () => {
  const memory = wasmMemory(1, 4, true);
  const guest = new GuestMemory(memory);
  const control = controlWords(4);
  const w = startWorker(WORKER, { memory, control });
  const fill = Array.from({ length: 32 }, (_, i) => i + 1);
  const grown = background(w.call<number>("growOnRequest", { pages: 1, fill }));
  // The host call: a reader over the last 16 bytes and 32 beyond the end.
  guest.writeBytes(WASM_PAGE - 16, new Uint8Array(16).fill(0xaa));
  const r = guest.reader(WASM_PAGE - 16, 48);
  const first = new Uint8Array(8);
  r.readFallible(VmWriter.from(first));
  const w2 = guest.writer(WASM_PAGE + 100, 4);
  // Mid-call, another thread grows the memory (this thread waits for it, time-boxed).
  Atomics.store(control, GROW_REQUEST, 1);
  Atomics.notify(control, GROW_REQUEST);
  assert.equal(Atomics.wait(control, GROWN, 0, 30_000), "ok", "the worker grew the memory in time");
  const rest = new Uint8Array(40);
  assert.equal(r.readFallible(VmWriter.from(rest)), 40);
  assert.deepEqual(rest, Uint8Array.from([...new Array(8).fill(0xaa), ...fill]));
  assert.equal(guest.size(), 2 * WASM_PAGE);
  w2.writeVal(u32, 0xfeed);
  assert.equal(guest.readVal(WASM_PAGE + 100, u32), 0xfeed);
  assert.equal(await grown, WASM_PAGE);
  assert.equal(await w.call<number>("readU32", { at: WASM_PAGE + 100 }), 0xfeed);
  assert.equal(await w.call<number>("size"), 2 * WASM_PAGE);
  await w.done();
});

test("a growable SharedArrayBuffer grown by another thread mid-call: readers made before see the new bytes", T, async () => {
  const sab = growableShared(WASM_PAGE, 4 * WASM_PAGE);
  const guest = new GuestMemory(sab);
  const control = controlWords(4);
  const w = startWorker(WORKER, { memory: sab, control });
  const fill = [9, 8, 7, 6];
  const grown = background(w.call<number>("growOnRequest", { pages: 1, fill }));
  const r = guest.reader(WASM_PAGE - 4, 8);
  const dst = new Uint8Array(8);
  assert.throws(() => guest.reader(WASM_PAGE - 4, 8).readFallible(VmWriter.from(new Uint8Array(8))), { code: "PageFault", copied: 4 });
  Atomics.store(control, GROW_REQUEST, 1);
  Atomics.notify(control, GROW_REQUEST);
  assert.equal(Atomics.wait(control, GROWN, 0, 30_000), "ok");
  assert.equal(r.readFallible(VmWriter.from(dst)), 8);
  assert.deepEqual(dst.subarray(4), Uint8Array.from(fill));
  assert.equal(guest.size(), 2 * WASM_PAGE);
  assert.equal(await grown, WASM_PAGE);
  guest.write(2 * WASM_PAGE - 4, VmReader.from(Uint8Array.of(1, 2, 3, 4)));
  assert.equal(await w.call<number>("readU32", { at: 2 * WASM_PAGE - 4 }), 0x0403_0201);
  await w.done();
});
