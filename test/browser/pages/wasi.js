// vmio/wasi in a browser page: examples/wasi/wc.wasm (a C program built for
// wasm32-wasi) runs on an in-memory directory, its stdout caught by a sink,
// its output file left in the MemoryDir. The test reads `window.result`.
import { MemoryDir, WASI } from "vmio/wasi";

async function main() {
  const wasm = await (await fetch("/examples/wasi/wc.wasm")).arrayBuffer();
  const dir = new MemoryDir({ "poem.txt": "Tyger Tyger, burning bright,\nIn the forests of the night;\n", docs: { "empty.txt": "" } });
  let stdout = "";
  const wasi = new WASI({
    args: ["wc", "poem.txt", "docs/empty.txt"],
    env: { WC_TOTALS: "totals.txt" },
    preopens: { "/": dir },
    stdout: (bytes) => (stdout += new TextDecoder().decode(bytes)),
  });
  const { instance } = await WebAssembly.instantiate(wasm, wasi.getImportObject());
  const code = wasi.start(instance);

  // The guest cannot leave its directory: the error is the guest's, not the host's.
  let stderr = "";
  const escape = new WASI({ args: ["wc", "../../etc/passwd"], preopens: { "/": new MemoryDir({}) }, stderr: (b) => (stderr += new TextDecoder().decode(b)) });
  const second = await WebAssembly.instantiate(wasm, escape.getImportObject());
  const escapeCode = escape.start(second.instance);

  // A host path is refused in the browser entry, with a clear error.
  let refused = "";
  try {
    new WASI({ preopens: { "/": "/tmp" } });
  } catch (e) {
    refused = e.constructor.name;
  }
  const totals = new TextDecoder().decode(dir.snapshot()["totals.txt"]);
  return { code, stdout, totals, escapeCode, stderr, refused };
}

window.result = main();
