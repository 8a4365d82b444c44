/**
 * A C program built for wasm32-wasi, run through vmio/wasi.
 *
 *   npm run build && node build/examples/wasi-wc.js
 *
 * `examples/wasi/wc.c` (built by `examples/wasi/build.sh`; the .wasm is
 * committed) counts lines, words and bytes like `wc`. It runs twice: on an
 * in-memory directory (`MemoryDir`, what a browser would use) and on a
 * host directory (Node only), where it can touch nothing outside the
 * directory it was given.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryDir, WASI } from "vmio/wasi";

// The tsconfig has no DOM lib, so the little of WebAssembly used here is typed here.
const Wasm = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }> };
}).WebAssembly;

const wasm = readFileSync(new URL("../../examples/wasi/wc.wasm", import.meta.url));

async function run(wasi: WASI): Promise<number> {
  const { instance } = await Wasm.instantiate(wasm, wasi.getImportObject());
  return wasi.start(instance);
}

// 1. In memory: the guest's "/" is a MemoryDir; its output file stays in it.
const dir = new MemoryDir({ "poem.txt": "Tyger Tyger, burning bright,\nIn the forests of the night;\n", docs: { "empty.txt": "" } });
let printed = "";
const code = await run(
  new WASI({
    args: ["wc", "poem.txt", "docs/empty.txt"],
    env: { WC_TOTALS: "totals.txt" },
    preopens: { "/": dir },
    stdout: (bytes) => (printed += new TextDecoder().decode(bytes)),
  }),
);
process.stdout.write(printed);
assert.equal(code, 0);
const totals = dir.snapshot()["totals.txt"] as Uint8Array;
console.log(`totals.txt in the MemoryDir: ${new TextDecoder().decode(totals).trim()}`);

// 2. On the host: a temporary directory preopened as "/". Output goes to this process's stdout.
const host = mkdtempSync(join(tmpdir(), "vmio-wasi-wc-"));
try {
  writeFileSync(join(host, "notes.txt"), "one two\nthree\n");
  assert.equal(await run(new WASI({ args: ["wc", "notes.txt"], preopens: { "/": host } })), 0);
  // A path out of the preopen fails inside the guest (wc's perror), not in the host.
  const status = await run(new WASI({ args: ["wc", "../../etc/passwd"], preopens: { "/": host } }));
  console.log(`wc ../../etc/passwd exited with ${status}: the guest cannot leave its directory`);
} finally {
  rmSync(host, { recursive: true, force: true });
}
