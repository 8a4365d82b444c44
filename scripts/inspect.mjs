// npm run inspect [-- --port N]: builds what the inspector needs (the
// library, the kernel, the worker and server — tsconfig.inspector.json,
// incremental — then the page), links the kernel's worker into one module,
// and serves the page on 127.0.0.1, cross-origin isolated. Prints the URL;
// Ctrl-C stops it.
//
// npm run inspect -- --screenshot FILE: instead, takes the README's picture
// (docs/inspector.png) in headless Chromium and stops.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

function option(args, name) {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  if (args[i + 1] === undefined) {
    console.error(`inspect: ${name} wants a value`);
    process.exit(2);
  }
  return args[i + 1];
}

const args = process.argv.slice(2);
const screenshot = option(args, "--screenshot");
const port = Number(option(args, "--port") ?? (screenshot === undefined ? 8040 : 0));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`inspect: --port wants a port number, not ${option(args, "--port")}`);
  process.exit(2);
}
for (const project of ["tsconfig.inspector.json", join("inspector", "page", "tsconfig.json")]) {
  console.log(`inspect: tsc -p ${project}`);
  const r = spawnSync(process.execPath, [tsc, "-p", project], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const { bundleInspectorWorker } = await import("../build/inspector/node/bundle.js");
const { serveInspector } = await import("../build/inspector/node/server.js");
await bundleInspectorWorker(root);

let server;
try {
  server = await serveInspector({ root, port });
} catch (e) {
  if (e?.code !== "EADDRINUSE" || port === 0) throw e;
  console.log(`inspect: port ${port} is taken; using a free one`);
  server = await serveInspector({ root, port: 0 });
}
if (screenshot !== undefined) {
  const { screenshotInspector } = await import("../build/inspector/node/screenshot.js");
  const chromium = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p && existsSync(p));
  try {
    if (chromium === undefined) throw new Error("no Chromium found: install Debian's chromium or set CHROMIUM_PATH");
    await screenshotInspector(server.url, screenshot, chromium);
    console.log(`inspect: wrote ${screenshot}`);
  } finally {
    await server.close();
  }
  process.exit(0);
}
console.log(`\nvmio inspector: ${server.url}\n(open it in a browser; Ctrl-C stops the server)`);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
