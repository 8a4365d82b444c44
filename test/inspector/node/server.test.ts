// The inspector's server: its URL layout, and nothing of the repository
// outside it; cross-origin isolation headers on every answer; 127.0.0.1.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fileFor, serveInspector, type InspectorServer } from "../../../inspector/node/server.js";

// This file runs as build/test/inspector/node/server.test.js.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
let server: InspectorServer;

before(async () => {
  server = await serveInspector({ root });
});

after(async () => {
  await server?.close();
});

test("the layout: the page, its stylesheet, the compiled inspector, the guest programs; nothing else", () => {
  assert.equal(fileFor("/r", "/"), "/r/inspector/page/index.html");
  assert.equal(fileFor("/r", "/inspector.css"), "/r/inspector/page/inspector.css");
  assert.equal(fileFor("/r", "/js/page/main.js"), "/r/build/inspector/page/main.js");
  assert.equal(fileFor("/r", "/js/kernel-worker.js.map"), "/r/build/inspector/kernel-worker.js.map");
  assert.equal(fileFor("/r", "/bin/demo-cow"), "/r/kernel/guest/bin/demo-cow");
  for (const outside of ["/package.json", "/js/../../package.json", "/js/page/main.ts", "/js//etc/passwd.js", "/bin/../expected/hello.json", "/bin/extra/x", "/bin/.hidden", "/build/src/index.js", "/js/x.d.ts"]) {
    assert.equal(fileFor("/r", outside), undefined, outside);
  }
});

test("answers over HTTP on 127.0.0.1, cross-origin isolated; 404 outside the layout, whatever the encoding", async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await fetch(server.url);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(page.headers.get("cross-origin-opener-policy"), "same-origin");
  assert.equal(page.headers.get("cross-origin-embedder-policy"), "require-corp");
  assert.match(await page.text(), /<title>vmio inspector/);
  const bin = await fetch(new URL("bin/hello", server.url));
  assert.equal(bin.status, 200);
  assert.deepEqual(new Uint8Array(await bin.arrayBuffer()), new Uint8Array(readFileSync(join(root, "kernel", "guest", "bin", "hello"))));
  const js = await fetch(new URL("js/view/format.js", server.url));
  assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
  for (const path of ["package.json", "js/%2e%2e/%2e%2e/package.json", "bin/%2e%2e%2fexpected%2fhello.json", "bin/nope", "js/%E0%A4%A.js"]) {
    const r = await fetch(new URL(path, server.url));
    assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
    assert.equal(r.headers.get("cross-origin-embedder-policy"), "require-corp");
    await r.body?.cancel();
  }
  const post = await fetch(server.url, { method: "POST" });
  assert.equal(post.status, 404);
  await post.body?.cancel();
});

test("a taken port is an error (EADDRINUSE), not a silent other port", async () => {
  const port = Number(new URL(server.url).port);
  await assert.rejects(serveInspector({ root, port }), (e: unknown) => (e as { code?: string }).code === "EADDRINUSE");
});
