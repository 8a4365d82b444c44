/**
 * The WASI class: options checked at the boundary (contract violations are
 * TypeError/RangeError with a code), start/initialize as node:wasi has
 * them, proc_exit and traps, stdio defaults.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryDir, WASI } from "vmio/wasi";
import { WASI as DefaultWASI } from "../../src/wasi/index.js";
import { commandModule, MEMORY_ONLY_MODULE, Wasm } from "./suite/wasm.js";

const exitWith7 = commandModule([0x41, 0x07, 0x10, 0x00]); // i32.const 7; call proc_exit
const returns = commandModule([]);
const traps = commandModule([0x00]); // unreachable

async function instance(bytes: Uint8Array, wasi: { getImportObject(): object }) {
  return Wasm.instantiate(await Wasm.compile(bytes), wasi.getImportObject());
}

describe("options", () => {
  const bad: [string, unknown, string][] = [
    ["options", 5, "TypeError"],
    ["args", "x", "TypeError"],
    ["args", [1], "TypeError"],
    ["args", ["a\0b"], "RangeError"],
    ["env", { A: 1 }, "TypeError"],
    ["env", { "A=B": "x" }, "RangeError"],
    ["preopens", { "/": 5 }, "TypeError"],
    ["preopens", { "/": "/definitely/not/a/dir" }, "TypeError"],
    ["stdin", "text", "TypeError"],
    ["stdout", -1, "RangeError"],
    ["stderr", {}, "TypeError"],
    ["returnOnExit", "yes", "TypeError"],
  ];
  for (const [name, value, kind] of bad) {
    test(`${name}: ${JSON.stringify(value)} is a ${kind} with a code`, () => {
      const options = name === "options" ? value : { [name]: value };
      assert.throws(() => new WASI(options as never), (e: Error & { code?: string }) => e.constructor.name === kind && typeof e.code === "string");
    });
  }

  test("getters on the options run once, before anything is built", () => {
    let reads = 0;
    const options = { get args() { reads++; return ["p"]; } };
    new WASI(options);
    assert.equal(reads, 1);
  });

  test("the default entry refuses host paths, host fds and returnOnExit: false, naming the Node entry", () => {
    assert.throws(() => new DefaultWASI({ preopens: { "/": "/tmp" } }), (e: Error) => e instanceof TypeError && /MemoryDir/.test(e.message));
    assert.throws(() => new DefaultWASI({ stdout: 1 }), TypeError);
    assert.throws(() => new DefaultWASI({ returnOnExit: false }), RangeError);
    assert.ok(new DefaultWASI({ preopens: { "/": new MemoryDir() } }));
  });

  test("the import object has all 46 preview1 functions, and a fresh copy each time", () => {
    const wasi = new WASI();
    const a = wasi.getImportObject().wasi_snapshot_preview1;
    assert.equal(Object.keys(a).length, 46);
    assert.notEqual(a, wasi.getImportObject().wasi_snapshot_preview1);
  });
});

describe("start and initialize", () => {
  test("start returns 0 when _start returns, the proc_exit code when it exits", async () => {
    let wasi = new WASI();
    assert.equal(wasi.start(await instance(returns, wasi)), 0);
    wasi = new WASI();
    assert.equal(wasi.start(await instance(exitWith7, wasi)), 7);
  });

  test("a trap propagates as a WebAssembly.RuntimeError", async () => {
    const wasi = new WASI();
    const inst = await instance(traps, wasi);
    assert.throws(() => wasi.start(inst), (e: Error) => e.name === "RuntimeError");
  });

  test("a second start, a missing memory or _start, a reactor's export in a command are contract violations", async () => {
    const wasi = new WASI();
    const inst = await instance(returns, wasi);
    wasi.start(inst);
    assert.throws(() => wasi.start(inst), RangeError);
    assert.throws(() => new WASI().start({ exports: {} }), TypeError);
    assert.throws(() => new WASI().start({ exports: { memory: inst.exports["memory"] } }), TypeError);
    assert.throws(() => new WASI().start({ exports: { ...inst.exports, _initialize: () => {} } }), TypeError);
    assert.throws(() => new WASI().initialize(inst), TypeError, "a command is no reactor");
  });

  test("a start refused for a missing _start leaves the WASI unstarted", async () => {
    const wasi = new WASI();
    const inst = await instance(returns, wasi);
    assert.throws(() => wasi.start({ exports: { memory: inst.exports["memory"] } }), TypeError);
    assert.equal(wasi.start(inst), 0);
  });

  test("a host function called before start is a host bug (TypeError), not an errno", () => {
    const f = new WASI().getImportObject().wasi_snapshot_preview1["fd_write"] as (...a: number[]) => number;
    assert.throws(() => f(1, 0, 0, 0), TypeError);
  });

  test("initialize binds a reactor's memory; its _initialize runs once", async () => {
    const wasi = new WASI();
    const inst = await Wasm.instantiate(await Wasm.compile(MEMORY_ONLY_MODULE), {});
    wasi.initialize(inst);
    assert.throws(() => wasi.initialize(inst), RangeError);
    let runs = 0;
    new WASI().initialize({ exports: { memory: inst.exports["memory"], _initialize: () => runs++ } });
    assert.equal(runs, 1);
  });

  test("output without a final newline reaches a sink; a MemoryDir keeps what the guest wrote", async () => {
    const chunks: string[] = [];
    const wasi = new WASI({ stdout: (b) => chunks.push(new TextDecoder().decode(b)) });
    const inst = await Wasm.instantiate(await Wasm.compile(MEMORY_ONLY_MODULE), {});
    wasi.initialize(inst);
    const mem = new Uint8Array((inst.exports["memory"] as { buffer: ArrayBuffer }).buffer);
    mem.set(new TextEncoder().encode("no newline"), 100);
    new DataView(mem.buffer).setUint32(8, 100, true);
    new DataView(mem.buffer).setUint32(12, 10, true);
    const fdWrite = wasi.getImportObject().wasi_snapshot_preview1["fd_write"] as (...a: number[]) => number;
    assert.equal(fdWrite(1, 8, 1, 16), 0);
    assert.deepEqual(chunks, ["no newline"]);
  });
});
