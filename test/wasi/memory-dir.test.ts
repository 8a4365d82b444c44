/** MemoryDir: built from a plain tree (copied, validated), with modes, read back with snapshot(). */

import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryDir, MemoryFile, MemorySubdir, MemorySymlink, type MemoryDirTree } from "vmio/wasi";
import { E, R, testGuest } from "./guest.js";

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

test("modes: MemoryDir.file and MemoryDir.dir set them, defaults are 0o644 and 0o755, snapshot() reports the others and round-trips", () => {
  const tree: MemoryDirTree = {
    plain: "p",
    ro: MemoryDir.file("r", { mode: 0o444 }),
    same: MemoryDir.file(new Uint8Array([1]), { mode: 0o644 }),
    locked: MemoryDir.dir({ inner: MemoryDir.file("x", { mode: 0o600 }), open: {} }, { mode: 0o500 }),
    normal: MemoryDir.dir({}),
    link: MemoryDir.symlink("plain"),
  };
  const dir = new MemoryDir(tree, { mode: 0o555 });
  assert.equal(dir.mode, 0o555);
  assert.equal(new MemoryDir().mode, 0o755);
  const snap = dir.snapshot();
  assert.deepEqual(snap["plain"], new TextEncoder().encode("p"));
  assert.deepEqual(snap["same"], new Uint8Array([1]), "a default mode is reported as plain bytes");
  assert.deepEqual(snap["normal"], {});
  const ro = snap["ro"] as MemoryFile;
  assert.ok(ro instanceof MemoryFile);
  assert.equal(ro.mode, 0o444);
  assert.deepEqual(ro.data, new TextEncoder().encode("r"));
  const locked = snap["locked"] as MemorySubdir;
  assert.ok(locked instanceof MemorySubdir);
  assert.equal(locked.mode, 0o500);
  assert.equal((locked.tree["inner"] as MemoryFile).mode, 0o600);
  assert.deepEqual(locked.tree["open"], {});
  // Rebuilding from the snapshot gives the same snapshot and mode.
  const again = new MemoryDir(snap, { mode: dir.mode });
  assert.deepEqual(again.snapshot(), snap);
  assert.equal(again.mode, 0o555);
});

test("modes are checked: a number from 0 to 0o777, else a coded TypeError or RangeError; contents are copied", () => {
  const isRange = (e: Error & { code?: string }) => e instanceof RangeError && e.code === "ERR_OUT_OF_RANGE";
  const isType = (e: Error & { code?: string }) => e instanceof TypeError && e.code === "ERR_INVALID_ARG_TYPE";
  for (const mode of [-1, 0o1000, 1.5, NaN]) {
    assert.throws(() => MemoryDir.file("x", { mode }), isRange, String(mode));
    assert.throws(() => MemoryDir.dir({}, { mode }), isRange, String(mode));
    assert.throws(() => new MemoryDir({}, { mode }), isRange, String(mode));
  }
  for (const mode of ["0o644", 420n, null]) assert.throws(() => MemoryDir.file("x", { mode: mode as never }), isType, String(mode));
  assert.throws(() => MemoryDir.file(5 as never), isType);
  assert.throws(() => MemoryDir.dir("x" as never), isType);
  assert.throws(() => MemoryDir.file("x", 5 as never), isType);
  assert.equal(MemoryDir.file("x", { mode: 0 }).mode, 0);
  const bytes = new Uint8Array([7]);
  const f = MemoryDir.file(bytes);
  bytes[0] = 8;
  assert.deepEqual(new MemoryDir({ f }).snapshot()["f"], new Uint8Array([7]));
  // A cycle through MemoryDir.dir is a cycle too.
  const cyclic: MemoryDirTree = {};
  cyclic["self"] = MemoryDir.dir(cyclic);
  assert.throws(() => new MemoryDir(cyclic), isType);
});

test("what a guest creates gets 0o644 (files) and 0o755 (directories)", async () => {
  const dir = new MemoryDir();
  const g = await testGuest({ preopens: { "/": dir } });
  assert.equal(g.call.path_open!(3, 0, ...g.put(1000, "new.txt"), 1, R.FD_WRITE, 0n, 0, 200), E.SUCCESS);
  assert.equal(g.call.path_create_directory!(3, ...g.put(1000, "newdir")), E.SUCCESS);
  assert.deepEqual(dir.snapshot(), { "new.txt": new Uint8Array(0), newdir: {} }, "default modes show as plain entries");
});

test("a read-only tree: the guest reads it and can change nothing", async () => {
  const dir = new MemoryDir({ "a.txt": MemoryDir.file("data", { mode: 0o444 }), sub: MemoryDir.dir({}, { mode: 0o555 }) }, { mode: 0o555 });
  const before = dir.snapshot();
  const g = await testGuest({ preopens: { "/": dir } });
  assert.equal(g.call.path_open!(3, 0, ...g.put(1000, "a.txt"), 0, R.FD_READ, 0n, 0, 200), E.SUCCESS);
  g.iovecs(100, [[2000, 16]]);
  assert.equal(g.call.fd_read!(g.u32(200), 100, 1, 204), E.SUCCESS);
  assert.equal(new TextDecoder().decode(g.u8().subarray(2000, 2000 + g.u32(204))), "data");
  assert.equal(g.call.path_open!(3, 0, ...g.put(1000, "a.txt"), 0, R.FD_WRITE, 0n, 0, 200), E.ACCES);
  assert.equal(g.call.path_open!(3, 0, ...g.put(1000, "b.txt"), 1, R.FD_WRITE, 0n, 0, 200), E.ACCES);
  assert.equal(g.call.path_create_directory!(3, ...g.put(1000, "sub/d")), E.ACCES);
  assert.equal(g.call.path_unlink_file!(3, ...g.put(1000, "a.txt")), E.ACCES);
  assert.deepEqual(dir.snapshot(), before);
});
