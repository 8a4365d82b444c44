/** stdio over host fds (Node entry): reads and writes through a real fd, direction enforced. */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { GuestMemory, Iovec32, VmReaderArray } from "vmio";
import { FsError } from "../../src/wasi/fs/file-system.js";
import { HostFdStream } from "../../src/wasi/node-stdio.js";

test("a host fd as output writes every byte; as input reads them back, then 0", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmio-stdio-"));
  try {
    const file = path.join(dir, "out");
    const w = fs.openSync(file, "w");
    const out = new HostFdStream(w, false);
    const mem = new GuestMemory(new ArrayBuffer(65536));
    mem.writeBytes(8, new TextEncoder().encode("hello"));
    mem.writeVal(0, Iovec32, { base: 8, len: 5 });
    const bytes = out.gather(VmReaderArray.fromIovecs(mem, 0, 1, Iovec32), 5);
    assert.equal(out.write(bytes), 5);
    assert.throws(() => out.read(new Uint8Array(1)), (e: unknown) => e instanceof FsError && e.errno === 8);
    fs.closeSync(w);
    const r = fs.openSync(file, "r");
    const input = new HostFdStream(r, true);
    const into = new Uint8Array(8);
    assert.equal(input.read(into), 5);
    assert.equal(new TextDecoder().decode(into.subarray(0, 5)), "hello");
    assert.equal(input.read(into), 0);
    assert.equal(input.readable(), undefined, "a host fd cannot tell what a read would find");
    assert.throws(() => input.write(into), FsError);
    assert.throws(() => input.gather(VmReaderArray.fromIovecs(mem, 0, 1, Iovec32), 5), (e: unknown) => e instanceof FsError && e.errno === 8);
    fs.closeSync(r);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a closed host fd is an errno, not an exception", () => {
  const s = new HostFdStream(987654, false);
  assert.throws(() => s.write(new Uint8Array(1)), (e: unknown) => e instanceof FsError && e.errno === 8);
});
