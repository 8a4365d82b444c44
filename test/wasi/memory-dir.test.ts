/** MemoryDir: built from a plain tree (copied, validated), read back with snapshot(). */

import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryDir, MemorySymlink, type MemoryDirTree } from "vmio/wasi";

test("a tree of text, bytes, directories and symlinks round-trips through snapshot()", () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const dir = new MemoryDir({ "a.txt": "hé", bin: bytes, sub: { deeper: {} }, link: MemoryDir.symlink("sub") });
  bytes[0] = 9; // the tree was copied
  const snap = dir.snapshot();
  assert.deepEqual(snap["a.txt"], new TextEncoder().encode("hé"));
  assert.deepEqual(snap["bin"], new Uint8Array([1, 2, 3]));
  assert.deepEqual(snap["sub"], { deeper: {} });
  assert.ok(snap["link"] instanceof MemorySymlink);
  assert.equal((snap["link"] as MemorySymlink).target, "sub");
});

test("bad names and values are contract violations with a code; a cycle is refused", () => {
  for (const name of ["", ".", "..", "a/b", "a\0"]) {
    assert.throws(() => new MemoryDir({ [name]: "x" }), (e: Error & { code?: string }) => e instanceof RangeError && e.code === "ERR_OUT_OF_RANGE", name);
  }
  for (const value of [1, null, true, new Uint16Array(2)]) {
    assert.throws(() => new MemoryDir({ f: value as never }), (e: Error & { code?: string }) => e instanceof TypeError && e.code === "ERR_INVALID_ARG_TYPE");
  }
  const cyclic: MemoryDirTree = {};
  cyclic["self"] = cyclic;
  assert.throws(() => new MemoryDir(cyclic), TypeError);
  assert.throws(() => new MemoryDir(5 as never), TypeError);
  assert.throws(() => MemoryDir.symlink(5 as never), TypeError);
  // The same object twice (not a cycle) is two copies.
  const shared = { f: "x" };
  assert.deepEqual(Object.keys(new MemoryDir({ a: shared, b: shared }).snapshot()), ["a", "b"]);
});
