// The in-memory VFS: path resolution (., .., symlinks, ELOOP, trailing
// slashes, ENOTDIR, ENAMETOOLONG), open's flags, the name-space operations
// with their errors (and nothing changed on failure), permissions for a
// non-root caller, /proc/self, storage given back, and a model-based test
// against a tiny reference model.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Errno } from "../../../kernel/abi/errno.js";
import { FileSystem, kernelContext } from "../../../kernel/fs/file-system.js";
import { Directory, RegularFile, Symlink, type Inode } from "../../../kernel/fs/inode.js";
import { ArraySink, ArraySource, nonBlockingContext } from "../../../kernel/fs/io.js";
import type { LookupContext } from "../../../kernel/fs/path-walk.js";
import type { ProcView } from "../../../kernel/fs/procfs.js";
import { errnoOf } from "../support/errno.js";

const O_RDONLY = 0;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_TRUNC = 0o1000;
const O_DIRECTORY = 0o200000;
const O_NOFOLLOW = 0o400000;


function write(fs: FileSystem, ctx: LookupContext, path: string, text: string): void {
  const f = fs.open(ctx, fs.root, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644, 0o022);
  f.write(new ArraySource(new TextEncoder().encode(text)), nonBlockingContext());
  f.unref();
}

function read(fs: FileSystem, ctx: LookupContext, path: string): string {
  const f = fs.open(ctx, fs.root, path, O_RDONLY, 0, 0);
  const sink = new ArraySink(new Uint8Array(4096));
  f.read(sink, nonBlockingContext());
  f.unref();
  return new TextDecoder().decode(sink.written);
}

test("paths: absolute and relative, . and .., .. at the root, symlinks relative and absolute, dangling ones", () => {
  const fs = new FileSystem();
  const ctx = kernelContext(fs);
  fs.addDirectory("/a/b/c");
  write(fs, ctx, "/a/b/c/f", "F");
  fs.addSymlink("/a/rel", "b/c");
  fs.addSymlink("/a/abs", "/a/b");
  fs.addSymlink("/a/dangling", "/nowhere");
  assert.equal(read(fs, ctx, "/a/b/c/f"), "F");
  assert.equal(read(fs, ctx, "/a/./b/../b/c//f"), "F");
  assert.equal(read(fs, ctx, "/../../a/b/c/f"), "F");
  assert.equal(read(fs, ctx, "/a/rel/f"), "F");
  assert.equal(read(fs, ctx, "/a/abs/c/f"), "F");
  const b = fs.lookup(ctx, fs.root, "/a/b", true) as Directory;
  assert.equal(read(fs, { ...ctx }, "c/../c/f".replace(/^/, "/a/b/")), "F");
  assert.equal(fs.lookup(ctx, b, "c/f", true), fs.lookup(ctx, fs.root, "/a/b/c/f", true));
  assert.equal(errnoOf(() => fs.lookup(ctx, fs.root, "/a/dangling", true)), Errno.ENOENT);
  assert.ok(fs.lookup(ctx, fs.root, "/a/dangling", false) instanceof Symlink);
  assert.equal(errnoOf(() => fs.lookup(ctx, fs.root, "/a/b/c/f/x", true)), Errno.ENOTDIR);
  assert.equal(errnoOf(() => fs.lookup(ctx, fs.root, "/a/b/c/f/", true)), Errno.ENOTDIR);
  assert.equal(errnoOf(() => fs.lookup(ctx, fs.root, "", true)), Errno.ENOENT);
  assert.equal(errnoOf(() => fs.lookup(ctx, fs.root, "/" + "x".repeat(256), true)), Errno.ENAMETOOLONG);
  assert.equal(errnoOf(() => fs.lookup(ctx, fs.root, "/" + "a/".repeat(2048), true)), Errno.ENAMETOOLONG);
});

test("symlink loops are ELOOP after 40 links; a chain of 40 resolves", () => {
  const fs = new FileSystem();
  const ctx = kernelContext(fs);
  fs.addSymlink("/loop1", "/loop2");
  fs.addSymlink("/loop2", "/loop1");
  assert.equal(errnoOf(() => fs.lookup(ctx, fs.root, "/loop1", true)), Errno.ELOOP);
  write(fs, ctx, "/end", "E");
  for (let i = 0; i < 40; i++) fs.addSymlink(`/l${i}`, i === 39 ? "/end" : `/l${i + 1}`);
  assert.equal(read(fs, ctx, "/l0"), "E");
  fs.addSymlink("/l40", "/l0");
  assert.equal(errnoOf(() => read(fs, ctx, "/l40")), Errno.ELOOP);
});

test("open: O_CREAT|O_EXCL, O_TRUNC, O_DIRECTORY, O_NOFOLLOW, directories for writing, the umask", () => {
  const fs = new FileSystem();
  const ctx = kernelContext(fs);
  write(fs, ctx, "/tmp/x", "hello");
  assert.equal(errnoOf(() => fs.open(ctx, fs.root, "/tmp/x", O_CREAT | O_EXCL | O_WRONLY, 0o600, 0)), Errno.EEXIST);
  assert.equal(errnoOf(() => fs.open(ctx, fs.root, "/tmp/x", O_DIRECTORY, 0, 0)), Errno.ENOTDIR);
  assert.equal(errnoOf(() => fs.open(ctx, fs.root, "/tmp", O_WRONLY, 0, 0)), Errno.EISDIR);
  assert.equal(errnoOf(() => fs.open(ctx, fs.root, "/tmp/new/", O_CREAT | O_WRONLY, 0o600, 0)), Errno.EISDIR);
  fs.addSymlink("/tmp/link", "/tmp/x");
  assert.equal(errnoOf(() => fs.open(ctx, fs.root, "/tmp/link", O_NOFOLLOW, 0, 0)), Errno.ELOOP);
  assert.equal(errnoOf(() => fs.open(ctx, fs.root, "/tmp/link", O_CREAT | O_EXCL | O_WRONLY, 0o600, 0)), Errno.EEXIST);
  fs.open(ctx, fs.root, "/tmp/x", O_WRONLY | O_TRUNC, 0, 0).unref();
  assert.equal(read(fs, ctx, "/tmp/x"), "");
  const f = fs.open(ctx, fs.root, "/tmp/m", O_CREAT | O_RDWR, 0o666, 0o027);
  assert.equal(f.inode.mode & 0o777, 0o640);
  f.unref();
  assert.equal(errnoOf(() => fs.open(ctx, fs.root, "/tmp/x", 3, 0, 0)), Errno.EINVAL, "access mode 3");
});

test("remove and rename: errors leave the tree as it was; exchange swaps; a directory cannot move below itself", () => {
  const fs = new FileSystem();
  const ctx = kernelContext(fs);
  fs.addDirectory("/d/e");
  write(fs, ctx, "/d/f", "f");
  write(fs, ctx, "/g", "g");
  assert.equal(errnoOf(() => fs.remove(ctx, fs.root, "/d", true)), Errno.ENOTEMPTY);
  assert.equal(errnoOf(() => fs.remove(ctx, fs.root, "/d", false)), Errno.EISDIR);
  assert.equal(errnoOf(() => fs.remove(ctx, fs.root, "/g", true)), Errno.ENOTDIR);
  assert.equal(errnoOf(() => fs.remove(ctx, fs.root, "/", true)), Errno.EBUSY);
  assert.equal(errnoOf(() => fs.rename(ctx, fs.root, "/d", fs.root, "/d/e/x", 0)), Errno.EINVAL);
  assert.equal(errnoOf(() => fs.rename(ctx, fs.root, "/g", fs.root, "/d", 0)), Errno.EISDIR);
  assert.equal(errnoOf(() => fs.rename(ctx, fs.root, "/d", fs.root, "/g", 0)), Errno.ENOTDIR);
  assert.equal(errnoOf(() => fs.rename(ctx, fs.root, "/g", fs.root, "/d/f", 1)), Errno.EEXIST);
  assert.equal(read(fs, ctx, "/g"), "g");
  fs.rename(ctx, fs.root, "/g", fs.root, "/d/f", 2);
  assert.equal(read(fs, ctx, "/g"), "f");
  assert.equal(read(fs, ctx, "/d/f"), "g");
  const d = fs.lookup(ctx, fs.root, "/d", true) as Directory;
  const links = d.nlink;
  fs.rename(ctx, fs.root, "/d/e", fs.root, "/e2", 0);
  assert.equal(d.nlink, links - 1, "moving a directory takes its .. link along");
  assert.equal((fs.lookup(ctx, fs.root, "/e2", true) as Directory).parent, fs.root);
  fs.rename(ctx, fs.root, "/g", fs.root, "/d/f", 0);
  assert.equal(read(fs, ctx, "/d/f"), "f");
  assert.equal(errnoOf(() => fs.lookup(ctx, fs.root, "/g", true)), Errno.ENOENT);
});

test("a non-root caller is held to the mode bits and to the sticky bit of /tmp", () => {
  const fs = new FileSystem();
  const root = kernelContext(fs);
  const user: LookupContext = { root: fs.root, uid: 1000, gid: 1000, proc: undefined };
  write(fs, root, "/tmp/roots", "r");
  (fs.lookup(root, fs.root, "/tmp/roots", true) as Inode).mode = 0o100644;
  assert.equal(errnoOf(() => fs.open(user, fs.root, "/tmp/roots", O_WRONLY, 0, 0)), Errno.EACCES);
  assert.equal(read(fs, user, "/tmp/roots"), "r");
  assert.equal(errnoOf(() => fs.remove(user, fs.root, "/tmp/roots", false)), Errno.EACCES, "sticky /tmp");
  fs.addDirectory("/private", 0o700);
  assert.equal(errnoOf(() => fs.lookup(user, fs.root, "/private/x", true)), Errno.EACCES);
  const mine = fs.open(user, fs.root, "/tmp/mine", O_CREAT | O_WRONLY, 0o600, 0);
  assert.equal(mine.inode.uid, 1000);
  mine.unref();
  fs.remove(user, fs.root, "/tmp/mine", false);
});

test("/proc/self shows the looking process: exe (a magic link), cwd, fd", () => {
  const fs = new FileSystem();
  fs.addFile("/bin/prog", new TextEncoder().encode("\x7fELF"));
  const exe = fs.lookup(kernelContext(fs), fs.root, "/bin/prog", true);
  const view: ProcView = { pid: 7, exe: { inode: exe, path: "/bin/prog" }, cwd: fs.root, cwdPath: () => "/", fds: () => [[3, exe]] };
  const ctx: LookupContext = { root: fs.root, uid: 0, gid: 0, proc: view };
  assert.equal(fs.readlink(ctx, fs.root, "/proc/self/exe"), "/bin/prog");
  assert.equal(fs.lookup(ctx, fs.root, "/proc/self/exe", true), exe);
  assert.equal(fs.readlink(ctx, fs.root, "/proc/self/cwd"), "/");
  assert.equal(fs.lookup(ctx, fs.root, "/proc/self/fd/3", true), exe);
  assert.equal(errnoOf(() => fs.lookup(ctx, fs.root, "/proc/self/fd/4", true)), Errno.ENOENT);
  assert.equal(errnoOf(() => fs.lookup(kernelContext(fs), fs.root, "/proc/self", true)), Errno.ENOENT, "the kernel has no self");
});

test("storage: a file's bytes count against the capacity until its last link and last open file are gone; a full file system is ENOSPC", () => {
  const fs = new FileSystem({ capacity: 64 * 1024 });
  const ctx = kernelContext(fs);
  const f = fs.open(ctx, fs.root, "/tmp/big", O_CREAT | O_RDWR, 0o644, 0);
  assert.equal(f.write(new ArraySource(new Uint8Array(40 * 1024)), nonBlockingContext()), 40 * 1024);
  const used = fs.used;
  assert.ok(used >= 40 * 1024);
  assert.equal(f.write(new ArraySource(new Uint8Array(40 * 1024)), nonBlockingContext()), -Errno.ENOSPC);
  fs.remove(ctx, fs.root, "/tmp/big", false);
  assert.equal(fs.used, used, "still open: still held");
  f.unref();
  assert.equal(fs.used, 0);
});

test("property: random mkdir/create/unlink/rmdir/rename sequences agree with a map-of-paths model", () => {
  const names = ["a", "b", "c"];
  const op = fc.oneof(
    fc.record({ k: fc.constant("mkdir"), p: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }) }),
    fc.record({ k: fc.constant("create"), p: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }) }),
    fc.record({ k: fc.constant("unlink"), p: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }) }),
    fc.record({ k: fc.constant("rmdir"), p: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }) }),
    fc.record({ k: fc.constant("rename"), p: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }), q: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const fs = new FileSystem();
      const ctx = kernelContext(fs);
      const top = fs.addDirectory("/t");
      // The model: path → "d" | "f".
      const model = new Map<string, "d" | "f">([["", "d"]]);
      const parent = (p: string): string => p.split("/").slice(0, -1).join("/");
      // The error of walking to the parent of `p`: a missing component is ENOENT, a file ENOTDIR.
      const walkError = (p: string): number => {
        const parts = p.split("/");
        for (let i = 1; i < parts.length; i++) {
          const k = model.get(parts.slice(0, i).join("/"));
          if (k === undefined) return Errno.ENOENT;
          if (k === "f") return Errno.ENOTDIR;
        }
        return 0;
      };
      const children = (p: string): string[] => [...model.keys()].filter((k) => k !== p && k.startsWith(p === "" ? "" : p + "/") && parent(k) === p);
      for (const o of ops) {
        const path = o.p.join("/");
        const got = errnoOf(() => {
          if (o.k === "mkdir") fs.mkdir(ctx, top, path, 0o755, 0);
          else if (o.k === "create") fs.open(ctx, top, path, O_CREAT | O_EXCL | O_WRONLY, 0o644, 0).unref();
          else if (o.k === "unlink") fs.remove(ctx, top, path, false);
          else if (o.k === "rmdir") fs.remove(ctx, top, path, true);
          else fs.rename(ctx, top, path, top, (o as { q: string[] }).q.join("/"), 0);
        });
        const walked = walkError(path);
        const kind = model.get(path);
        let want: number;
        if (o.k === "mkdir" || o.k === "create") {
          want = walked !== 0 ? walked : kind !== undefined ? Errno.EEXIST : 0;
          if (want === 0) model.set(path, o.k === "mkdir" ? "d" : "f");
        } else if (o.k === "unlink" || o.k === "rmdir") {
          want = walked !== 0 ? walked : kind === undefined ? Errno.ENOENT : o.k === "unlink" ? (kind === "d" ? Errno.EISDIR : 0) : kind === "f" ? Errno.ENOTDIR : children(path).length > 0 ? Errno.ENOTEMPTY : 0;
          if (want === 0) model.delete(path);
        } else {
          // Rename: only check that success keeps the model's invariants; compute the model change on success.
          if (got === 0 && kind !== undefined) {
            const to = (o as { q: string[] }).q.join("/");
            if (to !== path) {
              const moved = [...model.entries()].filter(([k]) => k === path || k.startsWith(path + "/"));
              for (const [k] of [...model.entries()].filter(([k]) => k === to || k.startsWith(to + "/"))) model.delete(k);
              for (const [k] of moved) model.delete(k);
              for (const [k, v] of moved) model.set(to + k.slice(path.length), v);
            }
          }
          want = got;
        }
        assert.equal(got, want, `${o.k} ${path}`);
      }
      // The tree equals the model.
      const walk = (d: Directory, prefix: string, out: Map<string, "d" | "f">): void => {
        for (const [n, i] of d.list(undefined)) {
          const k = prefix === "" ? n : `${prefix}/${n}`;
          out.set(k, i instanceof Directory ? "d" : "f");
          if (i instanceof Directory) walk(i, k, out);
        }
      };
      const tree = new Map<string, "d" | "f">([["", "d"]]);
      walk(top, "", tree);
      assert.deepEqual([...tree].sort(), [...model].sort());
      for (const [, i] of top.list(undefined)) if (i instanceof RegularFile) assert.equal(i.nlink, 1);
    }),
    { seed: 42, numRuns: 300 },
  );
});
