// Descriptors at unit level: lowest free descriptor, dup3's rules, fcntl's
// flags and duplication, pipe2 leaving nothing behind on EFAULT, ioctl
// answering ENOTTY for what is not a terminal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AT_FDCWD, HOLE, NR, SCRATCH, harness } from "../support/syscall-harness.js";

const O_CLOEXEC = 0o2000000;
const O_NONBLOCK = 0o4000;

test("openat returns the lowest free descriptor; close frees it; closing twice is EBADF", () => {
  const h = harness();
  const path = h.str(SCRATCH, "/dev/null");
  assert.equal(h.call(NR.openat, AT_FDCWD, path, 2, 0), 3);
  assert.equal(h.call(NR.openat, AT_FDCWD, path, 2, 0), 4);
  assert.equal(h.call(NR.close, 3), 0);
  assert.equal(h.call(NR.close, 3), -9);
  assert.equal(h.call(NR.openat, AT_FDCWD, path, 2, 0), 3);
  assert.equal(h.call(NR.openat, AT_FDCWD, HOLE, 0, 0), -14, "an unmapped path is EFAULT");
  assert.equal(h.call(NR.openat, AT_FDCWD, h.str(SCRATCH, "/no/such"), 0, 0), -2);
  assert.equal(h.call(NR.openat, 42, h.str(SCRATCH, "rel"), 0, 0), -9, "a relative path from a closed dirfd is EBADF");
});

test("dup3: same descriptor or unknown flags are EINVAL, a closed source EBADF, the target replaced with its own close-on-exec", () => {
  const h = harness();
  assert.equal(h.call(NR.dup3, 1, 1, 0), -22);
  assert.equal(h.call(NR.dup3, 1, 5, 1), -22);
  assert.equal(h.call(NR.dup3, 9, 5, 0), -9);
  assert.equal(h.call(NR.dup3, 1, 5, O_CLOEXEC), 5);
  assert.equal(h.call(NR.fcntl, 5, 1, 0), 1, "F_GETFD: FD_CLOEXEC");
  assert.equal(h.call(NR.dup3, 2, 5, 0), 5);
  assert.equal(h.call(NR.fcntl, 5, 1, 0), 0);
  assert.equal(h.call(NR.dup, 1), 3);
});

test("fcntl: F_DUPFD from a minimum, F_SETFL changes only the status flags, unknown commands are EINVAL", () => {
  const h = harness();
  assert.equal(h.call(NR.fcntl, 1, 0, 10), 10);
  assert.equal(h.call(NR.fcntl, 1, 1030, 10), 11);
  assert.equal(h.call(NR.fcntl, 11, 1, 0), 1);
  assert.equal(h.call(NR.fcntl, 1, 0, -1), -22);
  const fd = h.call(NR.openat, AT_FDCWD, h.str(SCRATCH, "/dev/null"), 2, 0);
  const before = h.call(NR.fcntl, fd, 3, 0);
  assert.equal(before & 3, 2);
  assert.equal(h.call(NR.fcntl, fd, 4, O_NONBLOCK | 1), 0, "the access mode in F_SETFL is ignored");
  assert.equal(h.call(NR.fcntl, fd, 3, 0), before | O_NONBLOCK);
  assert.equal(h.call(NR.fcntl, fd, 999, 0), -22);
  assert.equal(h.call(NR.fcntl, 77, 1, 0), -9);
});

test("pipe2 writes both descriptors or none: into unmapped or half-mapped memory it is EFAULT and leaves no descriptor", () => {
  const h = harness();
  assert.equal(h.call(NR.pipe2, HOLE, 0), -14);
  assert.equal(h.call(NR.pipe2, HOLE - 4, 0), -14);
  assert.equal(h.call(NR.pipe2, SCRATCH, 1), -22, "unknown flags are EINVAL");
  assert.equal(h.call(NR.dup, 0), 3, "descriptor 3 is still free");
  assert.equal(h.call(NR.pipe2, SCRATCH, O_CLOEXEC), 0);
  assert.deepEqual([...new Int32Array(h.peek(SCRATCH, 8).buffer)], [4, 5]);
  assert.equal(h.call(NR.fcntl, 5, 1, 0), 1);
});

test("ioctl: TIOCGWINSZ on a non-terminal is ENOTTY, FIONREAD on a pipe counts its bytes, a closed descriptor is EBADF", () => {
  const h = harness();
  assert.equal(h.call(NR.ioctl, 1, 0x5413, SCRATCH), -25);
  h.call(NR.pipe2, SCRATCH, 0);
  h.poke(SCRATCH + 0x100, new Uint8Array(7));
  h.call(NR.write, 4, SCRATCH + 0x100, 7);
  assert.equal(h.call(NR.ioctl, 3, 0x541b, SCRATCH + 0x200), 0);
  assert.equal(new Int32Array(h.peek(SCRATCH + 0x200, 4).buffer)[0], 7);
  assert.equal(h.call(NR.ioctl, 3, 0x541b, HOLE), -14);
  assert.equal(h.call(NR.ioctl, 40, 0x5413, SCRATCH), -9);
});
