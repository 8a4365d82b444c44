// examples/wasm-host.ts, run as a newcomer runs it: a real wasm guest calls
// the host's fd_write with good and hostile pointers and grows its memory;
// the host answers with errnos and writes nothing for a hostile call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

// This file runs as build/test/guest/wasm-host-example.test.js.
const example = fileURLToPath(new URL("../../examples/wasm-host.js", import.meta.url));

test("examples/wasm-host runs: greets, answers every hostile call with EFAULT or EINVAL, follows a grow", { timeout: 60_000 }, async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [example], { timeout: 30_000 }, (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)));
  });
  const lines = stdout.trim().split("\n");
  assert.ok(lines.includes('  host: wrote to fd 1: "Hello from the guest, through two iovecs!\\n"'), stdout);
  assert.ok(lines.includes("greet(): errno 0"));
  assert.ok(lines.includes("  the guest reads nwritten = 42"));
  assert.ok(lines.includes("  host: (iovs arrived as -16: a signed i32, passed straight through)"));
  const hostile = lines.filter((l) => l.startsWith("hostile: "));
  assert.equal(hostile.length, 6);
  assert.deepEqual(
    hostile.map((l) => l.replace(/^.*: errno /, "")),
    ["21 (EFAULT)", "21 (EFAULT)", "21 (EFAULT)", "28 (EINVAL)", "21 (EFAULT)", "28 (EINVAL)"],
  );
  // Nothing was written between the greeting and the grown page's line.
  assert.equal(lines.filter((l) => l.startsWith("  host: wrote")).length, 2);
  assert.ok(lines.includes('  host: wrote to fd 1: "Printed from a page the guest grew between two host calls.\\n"'));
  assert.deepEqual(lines.filter((l) => l.startsWith("guest memory:")), ["guest memory: 131072 bytes", "guest memory: 196608 bytes"]);
});
