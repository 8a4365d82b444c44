/**
 * Path resolution: each directory fd is a sandbox root that `..`, absolute
 * paths and symlinks cannot leave; symlinks are expanded component by
 * component, trailing slashes remembered.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { FsError } from "../../src/wasi/fs/file-system.js";
import { MemoryDir } from "../../src/wasi/memory-dir.js";
import { memoryDirRoot } from "../../src/wasi/memory-dir.js";
import { resolvePath } from "../../src/wasi/path.js";
import { E } from "./guest.js";

function root() {
  return memoryDirRoot(
    new MemoryDir({
      a: { b: { file: "x" }, up: MemoryDir.symlink(".."), out: MemoryDir.symlink("../.."), abs: MemoryDir.symlink("/etc") },
      top: "t",
      toA: MemoryDir.symlink("a/"),
      loop1: MemoryDir.symlink("loop2"),
      loop2: MemoryDir.symlink("loop1"),
      empty: MemoryDir.symlink(""),
    }),
  );
}

function errno(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof FsError) return e.errno;
    throw e;
  }
  return 0;
}

test("plain, dotted and doubled components resolve to the directory and last name", () => {
  const r = resolvePath(root(), "a/./b//file", false);
  assert.equal(r.name, "file");
  assert.equal(r.trailingSlash, false);
  assert.equal(r.dir.lstatChild("file").size, 1n);
  const back = resolvePath(root(), "a/b/../../top", false);
  assert.equal(back.name, "top");
  assert.equal(back.dir.lstatChild("top").size, 1n);
});

test("a path that names the directory itself has no last name", () => {
  const start = root();
  for (const p of [".", "./", "a/..", "a/b/../.."]) {
    const r = resolvePath(start, p, false);
    assert.equal(r.name, undefined, p);
    assert.equal(r.dir.stat().ino, start.stat().ino, p);
  }
});

test("nothing leads above the start: .., absolute paths, absolute and escaping symlinks are NOTCAPABLE", () => {
  const start = root();
  assert.equal(errno(() => resolvePath(start, "..", false)), E.NOTCAPABLE);
  assert.equal(errno(() => resolvePath(start, "a/../../x", false)), E.NOTCAPABLE);
  assert.equal(errno(() => resolvePath(start, "/a", false)), E.NOTCAPABLE);
  assert.equal(errno(() => resolvePath(start, "a/abs/passwd", false)), E.NOTCAPABLE);
  assert.equal(errno(() => resolvePath(start, "a/out/x", false)), E.NOTCAPABLE);
  // From "a" as the start, a link to ".." is already outside.
  const a = start.openChildDir("a");
  assert.equal(errno(() => resolvePath(a, "up/top", false)), E.NOTCAPABLE);
  assert.equal(resolvePath(start, "a/up/top", false).name, "top", "inside the start, the same link is fine");
});

test("symlinks: the last one is followed only when asked, or when a trailing slash asks for a directory", () => {
  const start = root();
  assert.equal(resolvePath(start, "toA", false).name, "toA");
  const followed = resolvePath(start, "toA", true);
  assert.equal(followed.name, "a");
  assert.equal(followed.trailingSlash, true, "the link's own trailing slash carries over");
  assert.equal(resolvePath(start, "toA/", false).name, "a");
  assert.equal(resolvePath(start, "toA/b/file", false).name, "file");
});

test("loops are LOOP; an empty link target, a missing directory and a file in the middle are errors", () => {
  const start = root();
  assert.equal(errno(() => resolvePath(start, "loop1", true)), E.LOOP);
  assert.equal(errno(() => resolvePath(start, "loop1/x", false)), E.LOOP);
  assert.equal(resolvePath(start, "loop1", false).name, "loop1", "not followed, a loop is just a link");
  assert.equal(errno(() => resolvePath(start, "empty/x", false)), E.NOENT);
  assert.equal(errno(() => resolvePath(start, "nope/x", false)), E.NOENT);
  assert.equal(errno(() => resolvePath(start, "top/x", false)), E.NOTDIR);
  assert.equal(errno(() => resolvePath(start, "", false)), E.NOENT);
  assert.equal(resolvePath(start, "nope", true).name, "nope", "a missing last component is for the caller to create");
});

test("a long path of slashes and dots resolves in linear time", () => {
  const r = resolvePath(root(), "./".repeat(200_000) + "top", false);
  assert.equal(r.name, "top");
});

test("childType is lstatChild's filetype on both backends (file, directory, symlinks not followed) and NOENT when absent", async () => {
  const fs = await import("node:fs");
  const os = await import("node:os");
  const { join } = await import("node:path");
  const { openHostDir } = await import("../../src/wasi/fs/host-fs.js");
  const dir = fs.mkdtempSync(join(os.tmpdir(), "vmio-childtype-"));
  try {
    fs.writeFileSync(join(dir, "top"), "t");
    fs.mkdirSync(join(dir, "a"));
    fs.symlinkSync("a", join(dir, "toA"));
    fs.symlinkSync("nowhere", join(dir, "dangling"));
    const host = openHostDir(dir, "dir");
    for (const name of ["top", "a", "toA", "dangling"]) assert.equal(host.childType(name), host.lstatChild(name).filetype, name);
    assert.deepEqual(["top", "a", "toA"].map((n) => host.childType(n)), [4, 3, 7]);
    assert.equal(errno(() => host.childType("missing")), E.NOENT);
    const mem = root();
    for (const name of ["top", "a", "toA", "loop1", "empty"]) assert.equal(mem.childType(name), mem.lstatChild(name).filetype, name);
    assert.equal(errno(() => mem.childType("missing")), E.NOENT);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
