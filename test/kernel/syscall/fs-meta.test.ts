// Metadata and names at unit level: newfstatat/fstat fields, AT_EMPTY_PATH,
// faccessat, readlinkat of /proc/self/exe, getdents64 positions and a
// too-small buffer, mkdir/unlink/rename, getcwd's ERANGE and exact length.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AT_FDCWD, HOLE, NR, SCRATCH, harness } from "../support/syscall-harness.js";

function stat(h: ReturnType<typeof harness>, at: number): { mode: number; nlink: number; size: number; ino: bigint } {
  const b = h.peek(at, 128);
  const v = new DataView(b.buffer);
  return { ino: v.getBigUint64(8, true), mode: v.getUint32(16, true), nlink: v.getUint32(20, true), size: Number(v.getBigInt64(48, true)) };
}

test("newfstatat and fstat agree; AT_EMPTY_PATH names the descriptor; an empty path without it is ENOENT; a bad buffer is EFAULT", () => {
  const h = harness();
  const fd = h.call(NR.openat, AT_FDCWD, h.str(SCRATCH, "/tmp/f"), 0o102, 0o640);
  h.call(NR.write, fd, SCRATCH, 5);
  assert.equal(h.call(NR.newfstatat, AT_FDCWD, h.str(SCRATCH, "/tmp/f"), SCRATCH + 0x100, 0), 0);
  const a = stat(h, SCRATCH + 0x100);
  assert.equal(a.mode, 0o100640 & ~0o022);
  assert.equal(a.size, 5);
  assert.equal(a.nlink, 1);
  assert.equal(h.call(NR.fstat, fd, SCRATCH + 0x200), 0);
  assert.equal(stat(h, SCRATCH + 0x200).ino, a.ino);
  assert.equal(h.call(NR.newfstatat, fd, h.str(SCRATCH, ""), SCRATCH + 0x300, 0x1000), 0);
  assert.equal(stat(h, SCRATCH + 0x300).ino, a.ino);
  assert.equal(h.call(NR.newfstatat, fd, h.str(SCRATCH, ""), SCRATCH + 0x300, 0), -2);
  assert.equal(h.call(NR.newfstatat, AT_FDCWD, h.str(SCRATCH, "/tmp/f"), HOLE - 64, 0), -14);
  assert.equal(h.call(NR.newfstatat, AT_FDCWD, h.str(SCRATCH, "/tmp/f"), SCRATCH, 0x8000), -22, "unknown flags");
  assert.equal(h.call(NR.newfstatat, AT_FDCWD, h.str(SCRATCH, "/dev/null"), SCRATCH + 0x100, 0), 0);
  assert.equal(stat(h, SCRATCH + 0x100).mode & 0o170000, 0o020000, "a character device");
});

test("readlinkat of /proc/self/exe is the program's path, truncated to the buffer; of a file EINVAL; bufsiz 0 EINVAL", () => {
  const h = harness();
  assert.equal(h.call(NR.readlinkat, AT_FDCWD, h.str(SCRATCH, "/proc/self/exe"), SCRATCH + 0x100, 64), 10);
  assert.equal(new TextDecoder().decode(h.peek(SCRATCH + 0x100, 10)), "/bin/hello");
  assert.equal(h.call(NR.readlinkat, AT_FDCWD, h.str(SCRATCH, "/proc/self/exe"), SCRATCH + 0x100, 4), 4);
  assert.equal(h.call(NR.readlinkat, AT_FDCWD, h.str(SCRATCH, "/bin/hello"), SCRATCH + 0x100, 64), -22);
  assert.equal(h.call(NR.readlinkat, AT_FDCWD, h.str(SCRATCH, "/proc/self/exe"), SCRATCH + 0x100, 0), -22);
  assert.equal(h.call(NR.readlinkat, AT_FDCWD, h.str(SCRATCH, "/proc/self/exe"), HOLE - 4, 64), -14);
});

test("getdents64 lists ., .. and the entries in order, resumes at its position, and is EINVAL when one record does not fit", () => {
  const h = harness();
  h.call(NR.mkdirat, AT_FDCWD, h.str(SCRATCH, "/tmp/d"), 0o755);
  for (const n of ["a", "bb", "ccc"]) h.call(NR.mkdirat, AT_FDCWD, h.str(SCRATCH, `/tmp/d/${n}`), 0o755);
  const fd = h.call(NR.openat, AT_FDCWD, h.str(SCRATCH, "/tmp/d"), 0o200000, 0);
  const names = (len: number): string[] => {
    const b = h.peek(SCRATCH + 0x1000, len);
    const v = new DataView(b.buffer);
    const out: string[] = [];
    for (let at = 0; at < len; ) {
      const reclen = v.getUint16(at + 16, true);
      out.push(new TextDecoder().decode(b.subarray(at + 19, b.indexOf(0, at + 19))));
      at += reclen;
    }
    return out;
  };
  assert.equal(h.call(NR.getdents64, fd, SCRATCH + 0x1000, 10), -22);
  const n1 = h.call(NR.getdents64, fd, SCRATCH + 0x1000, 48);
  assert.deepEqual(names(n1), [".", ".."]);
  const n2 = h.call(NR.getdents64, fd, SCRATCH + 0x1000, 4096);
  assert.deepEqual(names(n2), ["a", "bb", "ccc"]);
  assert.equal(h.call(NR.getdents64, fd, SCRATCH + 0x1000, 4096), 0);
  assert.equal(h.call(NR.lseek, fd, 0, 0), 0);
  assert.equal(names(h.call(NR.getdents64, fd, SCRATCH + 0x1000, 4096)).length, 5);
  assert.equal(h.call(NR.getdents64, 1, SCRATCH + 0x1000, 4096), -20, "not a directory");
});

test("mkdir, rename, unlink, rmdir: errors in Linux's order, and the tree changes only on success", () => {
  const h = harness();
  const p = (s: string): number => h.str(SCRATCH + 0x2000, s);
  const q = (s: string): number => h.str(SCRATCH + 0x3000, s);
  assert.equal(h.call(NR.mkdirat, AT_FDCWD, p("/tmp/x"), 0o755), 0);
  assert.equal(h.call(NR.mkdirat, AT_FDCWD, p("/tmp/x"), 0o755), -17);
  assert.equal(h.call(NR.mkdirat, AT_FDCWD, p("/tmp/nope/y"), 0o755), -2);
  h.call(NR.close, h.call(NR.openat, AT_FDCWD, p("/tmp/x/f"), 0o101, 0o644));
  assert.equal(h.call(NR.unlinkat, AT_FDCWD, p("/tmp/x"), 0x200), -39, "rmdir of a non-empty directory");
  assert.equal(h.call(NR.unlinkat, AT_FDCWD, p("/tmp/x"), 0), -21, "unlink of a directory");
  assert.equal(h.call(NR.renameat2, AT_FDCWD, p("/tmp/x"), AT_FDCWD, q("/tmp/x/sub"), 0), -22, "a directory into itself");
  assert.equal(h.call(NR.renameat2, AT_FDCWD, p("/tmp/x/f"), AT_FDCWD, q("/tmp/g"), 0), 0);
  assert.equal(h.call(NR.faccessat, AT_FDCWD, p("/tmp/x/f"), 0), -2);
  assert.equal(h.call(NR.faccessat, AT_FDCWD, p("/tmp/g"), 0), 0);
  assert.equal(h.call(NR.faccessat, AT_FDCWD, p("/tmp/g"), 1), -13, "X_OK on a 0644 file, even for root");
  assert.equal(h.call(NR.faccessat, AT_FDCWD, p("/tmp/g"), 8), -22);
  assert.equal(h.call(NR.unlinkat, AT_FDCWD, p("/tmp/x"), 0x200), 0);
  assert.equal(h.call(NR.unlinkat, AT_FDCWD, p("/tmp/g"), 0x200), -20, "rmdir of a file");
  assert.equal(h.call(NR.unlinkat, AT_FDCWD, p("/tmp/g"), 1), -22, "unknown flags");
});

test("getcwd returns the length with its NUL, ERANGE when the size is too small, and needs only that many valid bytes", () => {
  const h = harness();
  assert.equal(h.call(NR.chdir, h.str(SCRATCH, "/tmp")), 0);
  assert.equal(h.call(NR.getcwd, SCRATCH + 0x100, 64), 5);
  assert.equal(new TextDecoder().decode(h.peek(SCRATCH + 0x100, 5)), "/tmp\0");
  assert.equal(h.call(NR.getcwd, SCRATCH + 0x100, 4), -34);
  assert.equal(h.call(NR.getcwd, HOLE - 5, 64), 5, "exactly 5 valid bytes suffice");
  assert.equal(h.call(NR.getcwd, HOLE - 4, 64), -14);
  assert.equal(h.call(NR.chdir, h.str(SCRATCH, "/bin/hello")), -20);
  assert.equal(h.call(NR.chdir, HOLE), -14);
});
