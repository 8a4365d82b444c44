/**
 * Descriptors: `openat`, `close`, `close_range`, `dup`, `dup3`, `fcntl`,
 * `pipe2`, `ioctl`.
 *
 * Linux counterpart: `fs/open.c`, `fs/file.c`, `fs/fcntl.c`, `fs/pipe.c`,
 * `fs/ioctl.c`.
 *
 * @module
 */

import { i16, i32, struct } from "vmio";
import { Errno } from "../abi/errno.js";
import {
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_GETLK,
  F_GETPIPE_SZ,
  F_SETFD,
  F_SETFL,
  F_SETLK,
  F_SETLKW,
  FD_CLOEXEC,
  O_CLOEXEC,
  O_DIRECT,
  O_LARGEFILE,
  O_NONBLOCK,
  SETFL_MASK,
} from "../abi/fcntl.js";
import { PIPE_CAPACITY, PipeReadEnd, PipeWriteEnd, makePipe } from "../fs/pipe.js";
import { readBytesUser, readUser, writeBytesUser, writeUser } from "../mm/user-access.js";
import { RLIMIT_NOFILE } from "./limits.js";
import type { Call } from "./call.js";
import { fileOf, pathArg, startDir } from "./fd-helpers.js";

/** The descriptor limit of the caller (`RLIMIT_NOFILE`). */
function fdLimit(c: Call): number {
  return c.p.limit(RLIMIT_NOFILE);
}

/** `openat(dirfd, path, flags, mode)`. */
export function sysOpenat(c: Call): number {
  const path = pathArg(c, 1);
  const flags = c.int(2) | O_LARGEFILE;
  const file = c.sys.fs.open(c.p, startDir(c, c.int(0), path), path, flags, c.uint(3), c.p.fsc.umask);
  const fd = c.p.files.install(file, (flags & O_CLOEXEC) !== 0, fdLimit(c));
  return fd < 0 ? -Errno.EMFILE : fd;
}

/** `close(fd)`. */
export function sysClose(c: Call): number {
  return c.p.files.close(c.int(0)) ? 0 : -Errno.EBADF;
}

/** `close_range(first, last, flags)`. */
export function sysCloseRange(c: Call): number {
  const first = c.uint(0);
  const last = c.uint(1);
  const flags = c.uint(2);
  const CLOSE_RANGE_CLOEXEC = 4;
  if ((flags & ~CLOSE_RANGE_CLOEXEC) !== 0 || first > last) return -Errno.EINVAL;
  for (const [fd] of c.p.files.entries()) {
    if (fd < first || fd > last) continue;
    if ((flags & CLOSE_RANGE_CLOEXEC) !== 0) c.p.files.setCloexec(fd, true);
    else c.p.files.close(fd);
  }
  return 0;
}

/** `dup(fd)`. */
export function sysDup(c: Call): number {
  const f = fileOf(c, c.int(0));
  const fd = c.p.files.install(f.ref(), false, fdLimit(c));
  return fd < 0 ? -Errno.EMFILE : fd;
}

/** `dup3(oldfd, newfd, flags)`. */
export function sysDup3(c: Call): number {
  const oldfd = c.int(0);
  const newfd = c.int(1);
  const flags = c.int(2);
  if ((flags & ~O_CLOEXEC) !== 0) return -Errno.EINVAL;
  if (oldfd === newfd) return -Errno.EINVAL;
  const f = fileOf(c, oldfd);
  if (newfd < 0 || newfd >= fdLimit(c)) return -Errno.EBADF;
  c.p.files.installAt(newfd, f.ref(), (flags & O_CLOEXEC) !== 0);
  return newfd;
}

/** `struct flock` (only `l_type` is written back by `F_GETLK`). */
const Flock = struct({ type: i16, whence: i16 });
const F_UNLCK = 2;

/** `fcntl(fd, cmd, arg)`. */
export function sysFcntl(c: Call): number {
  const fd = c.int(0);
  const cmd = c.int(1);
  const f = fileOf(c, fd);
  const files = c.p.files;
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      const min = c.int(2);
      if (min < 0 || min >= fdLimit(c)) return -Errno.EINVAL;
      const n = files.install(f.ref(), cmd === F_DUPFD_CLOEXEC, fdLimit(c), min);
      return n < 0 ? -Errno.EMFILE : n;
    }
    case F_GETFD:
      return files.cloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
      files.setCloexec(fd, (c.int(2) & FD_CLOEXEC) !== 0);
      return 0;
    case F_GETFL:
      return f.flags & ~O_CLOEXEC;
    case F_SETFL:
      f.flags = (f.flags & ~SETFL_MASK) | (c.int(2) & SETFL_MASK & ~O_DIRECT);
      return 0;
    case F_GETLK: {
      const lock = readUser(c.space, c.ptr(2), Flock);
      writeUser(c.space, c.ptr(2), Flock, { ...lock, type: F_UNLCK });
      return 0;
    }
    case F_SETLK:
    case F_SETLKW:
      // One kernel, no other lock holders: every advisory lock is granted.
      readUser(c.space, c.ptr(2), Flock);
      return 0;
    case F_GETPIPE_SZ:
      return f instanceof PipeReadEnd || f instanceof PipeWriteEnd ? PIPE_CAPACITY : -Errno.EBADF;
    default:
      return -Errno.EINVAL;
  }
}

/** `pipe2(fds, flags)`: the descriptors exist only if both numbers reach the caller. */
export function sysPipe2(c: Call): number {
  const flags = c.int(1);
  if ((flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) !== 0) return -Errno.EINVAL;
  const [r, w] = makePipe(c.sys.fs, c.p.uid, c.p.gid, flags);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const files = c.p.files;
  const rfd = files.install(r, cloexec, fdLimit(c));
  if (rfd < 0) {
    w.unref();
    return -Errno.EMFILE;
  }
  const wfd = files.install(w, cloexec, fdLimit(c));
  if (wfd < 0) {
    files.close(rfd);
    return -Errno.EMFILE;
  }
  const out = new Uint8Array(new Int32Array([rfd, wfd]).buffer);
  try {
    writeBytesUser(c.space, c.ptr(0), out);
  } catch (e) {
    files.close(rfd);
    files.close(wfd);
    throw e;
  }
  return 0;
}

const FIONBIO = 0x5421;
const FIONCLEX = 0x5450;
const FIOCLEX = 0x5451;

/** `ioctl(fd, cmd, arg)`: the generic descriptor requests here, the rest by the file. */
export function sysIoctl(c: Call): number {
  const fd = c.int(0);
  const f = fileOf(c, fd);
  const cmd = c.uint(1);
  const arg = c.ptr(2);
  switch (cmd) {
    case FIONBIO: {
      const on = readUser(c.space, arg, i32) !== 0;
      f.flags = on ? f.flags | O_NONBLOCK : f.flags & ~O_NONBLOCK;
      return 0;
    }
    case FIOCLEX:
    case FIONCLEX:
      c.p.files.setCloexec(fd, cmd === FIOCLEX);
      return 0;
  }
  const r = f.ioctl(cmd, arg);
  if (typeof r === "number") return r;
  if ("out" in r) {
    writeBytesUser(c.space, arg, r.out);
    return r.result;
  }
  return r.apply(readBytesUser(c.space, arg, r.in));
}
