// read/write family at unit level: exact partial copies through vmio's
// fallible readers and writers, EFAULT only when nothing moved, EBADF for
// the wrong access mode, ESPIPE, iovec validation, sendfile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AT_FDCWD, HOLE, NR, SCRATCH, harness } from "../support/syscall-harness.js";

const O_RDWR = 2;
const O_CREAT = 0o100;
const O_WRONLY = 1;

function openTmp(h: ReturnType<typeof harness>, name: string, flags = O_RDWR | O_CREAT): number {
  return h.call(NR.openat, AT_FDCWD, h.str(SCRATCH + 0x800, name), flags, 0o644);
}

test("write of 20 bytes with 10 mapped before a hole writes those 10 and returns 10; none mapped is EFAULT and writes nothing", () => {
  const h = harness();
  const fd = openTmp(h, "/tmp/w");
  h.poke(HOLE - 10, new TextEncoder().encode("0123456789"));
  assert.equal(h.call(NR.write, fd, HOLE - 10, 20), 10);
  assert.equal(h.call(NR.write, fd, HOLE, 20), -14);
  assert.equal(h.call(NR.lseek, fd, 0, 1), 10);
  assert.equal(h.call(NR.write, fd, HOLE, 0), 0, "a zero-length write never touches the buffer");
  assert.equal(h.call(NR.pread64, fd, SCRATCH, 100, 0), 10);
  assert.equal(new TextDecoder().decode(h.peek(SCRATCH, 10)), "0123456789");
});

test("read into 10 mapped bytes of 20 returns 10 and moves the offset by 10; into nothing mapped is EFAULT and moves nothing", () => {
  const h = harness();
  const fd = openTmp(h, "/tmp/r");
  h.poke(SCRATCH, new TextEncoder().encode("abcdefghijklmnopqrstuvwxyz"));
  assert.equal(h.call(NR.write, fd, SCRATCH, 26), 26);
  assert.equal(h.call(NR.lseek, fd, 0, 0), 0);
  assert.equal(h.call(NR.read, fd, HOLE - 10, 20), 10);
  assert.equal(new TextDecoder().decode(h.peek(HOLE - 10, 10)), "abcdefghij");
  assert.equal(h.call(NR.read, fd, HOLE, 5), -14);
  assert.equal(h.call(NR.lseek, fd, 0, 1), 10);
  assert.equal(h.call(NR.read, fd, 0x1_0000_0000_0000, 5), -14, "a buffer past user space is EFAULT");
});

test("access modes, bad descriptors, pipes and directories answer Linux's errno", () => {
  const h = harness();
  const fd = openTmp(h, "/tmp/m", O_WRONLY | O_CREAT);
  assert.equal(h.call(NR.read, fd, SCRATCH, 1), -9, "read on O_WRONLY is EBADF");
  assert.equal(h.call(NR.write, 99, SCRATCH, 1), -9);
  assert.equal(h.call(NR.write, -1, SCRATCH, 1), -9);
  assert.equal(h.call(NR.pipe2, SCRATCH + 0x100, 0), 0);
  const [r, w] = new Int32Array(h.peek(SCRATCH + 0x100, 8).buffer);
  assert.equal(h.call(NR.lseek, r as number, 0, 0), -29, "lseek on a pipe is ESPIPE");
  assert.equal(h.call(NR.pread64, r as number, SCRATCH, 1, 0), -29);
  assert.equal(h.call(NR.pwrite64, w as number, SCRATCH, 1, -1), -22, "a negative offset is EINVAL");
  const dir = h.call(NR.openat, AT_FDCWD, h.str(SCRATCH + 0x800, "/tmp"), 0, 0);
  assert.equal(h.call(NR.read, dir, SCRATCH, 1), -21, "read on a directory is EISDIR");
  assert.equal(h.call(NR.lseek, fd, 0, 7), -22, "unknown whence is EINVAL");
  assert.equal(h.call(NR.lseek, fd, -1, 0), -22, "a negative offset is EINVAL");
});

test("readv/writev: an unmapped array is EFAULT, a bad middle buffer stops a file write after the good ones, counts above 1024 or negative are EINVAL", () => {
  const h = harness();
  const fd = openTmp(h, "/tmp/v");
  h.poke(SCRATCH, new TextEncoder().encode("abc"));
  const iov = new BigUint64Array([BigInt(SCRATCH), 3n, BigInt(HOLE), 5n, BigInt(SCRATCH), 3n]);
  h.poke(SCRATCH + 0x200, new Uint8Array(iov.buffer));
  assert.equal(h.call(NR.writev, fd, SCRATCH + 0x200, 3), 3);
  assert.equal(h.call(NR.writev, fd, HOLE, 1), -14);
  assert.equal(h.call(NR.writev, fd, SCRATCH + 0x200, 1025), -22);
  assert.equal(h.call(NR.writev, fd, SCRATCH + 0x200, -1), -22);
  h.poke(SCRATCH + 0x300, new Uint8Array(new BigUint64Array([BigInt(SCRATCH), 2n ** 63n]).buffer));
  assert.equal(h.call(NR.writev, fd, SCRATCH + 0x300, 1), -22, "a negative length is EINVAL");
  assert.equal(h.call(NR.writev, fd, SCRATCH + 0x200, 0), 0);
});

test("sendfile copies from a file to a pipe at an offset it updates, and an unmapped offset pointer is EFAULT", () => {
  const h = harness();
  const fd = openTmp(h, "/tmp/s");
  h.poke(SCRATCH, new TextEncoder().encode("hello sendfile"));
  h.call(NR.write, fd, SCRATCH, 14);
  h.call(NR.pipe2, SCRATCH + 0x100, 0);
  const [r, w] = new Int32Array(h.peek(SCRATCH + 0x100, 8).buffer) as unknown as [number, number];
  h.poke(SCRATCH + 0x180, new Uint8Array(new BigInt64Array([6n]).buffer));
  assert.equal(h.call(NR.sendfile, w, fd, SCRATCH + 0x180, 100), 8);
  assert.equal(new BigInt64Array(h.peek(SCRATCH + 0x180, 8).buffer)[0], 14n);
  assert.equal(h.call(NR.read, r, SCRATCH + 0x400, 100), 8);
  assert.equal(new TextDecoder().decode(h.peek(SCRATCH + 0x400, 8)), "sendfile");
  assert.equal(h.call(NR.sendfile, w, fd, HOLE, 100), -14);
});
