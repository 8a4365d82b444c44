/**
 * Reading and writing: `read`, `write`, `readv`, `writev`, `pread64`,
 * `pwrite64`, `preadv`, `pwritev`, `lseek`, `sendfile`. Every user buffer is
 * a vmio fallible reader or writer (`UserSink`/`UserSource`), so a transfer
 * moves exactly the bytes before the first bad one and answers with that
 * count, or `EFAULT` when there were none.
 *
 * Linux counterpart: `fs/read_write.c`.
 *
 * @module
 */

import { Errno, fail } from "../abi/errno.js";
import { BLOCKED, ArraySink, ArraySource, type IoContext } from "../fs/io.js";
import { MAX_RW_COUNT } from "../fs/regular-open-file.js";
import { UserSink, UserSource, accessOk, readUser, writeUser } from "../mm/user-access.js";
import type { WaitQueue } from "../sync/wait-queue.js";
import { i64 } from "vmio";
import type { Call } from "./call.js";
import { fileOf } from "./fd-helpers.js";

function readable(c: Call, fd: number) {
  const f = fileOf(c, fd);
  if (!f.readable) fail(Errno.EBADF, "not open for reading");
  return f;
}

function writable(c: Call, fd: number) {
  const f = fileOf(c, fd);
  if (!f.writable) fail(Errno.EBADF, "not open for writing");
  return f;
}

/** `read(fd, buf, count)`. */
export function sysRead(c: Call): number {
  const f = readable(c, c.int(0));
  const buf = c.ptr(1);
  const count = c.size(2);
  if (!accessOk(buf, count)) return -Errno.EFAULT;
  return f.read(UserSink.buffer(c.space, buf, Math.min(count, MAX_RW_COUNT)), c);
}

/** `write(fd, buf, count)`. */
export function sysWrite(c: Call): number {
  const f = writable(c, c.int(0));
  const buf = c.ptr(1);
  const count = c.size(2);
  if (!accessOk(buf, count)) return -Errno.EFAULT;
  return f.write(UserSource.buffer(c.space, buf, Math.min(count, MAX_RW_COUNT)), c);
}

/** `readv(fd, iov, iovcnt)`. */
export function sysReadv(c: Call): number {
  const f = readable(c, c.int(0));
  return f.read(UserSink.iovecs(c.space, c.ptr(1), c.int(2)), c);
}

/** `writev(fd, iov, iovcnt)`. */
export function sysWritev(c: Call): number {
  const f = writable(c, c.int(0));
  return f.write(UserSource.iovecs(c.space, c.ptr(1), c.int(2)), c);
}

/** `pread64(fd, buf, count, offset)`. */
export function sysPread(c: Call): number {
  const f = readable(c, c.int(0));
  const buf = c.ptr(1);
  const count = c.size(2);
  const pos = c.long(3);
  if (pos < 0) return -Errno.EINVAL;
  if (!accessOk(buf, count)) return -Errno.EFAULT;
  return f.readAt(UserSink.buffer(c.space, buf, Math.min(count, MAX_RW_COUNT)), pos);
}

/** `pwrite64(fd, buf, count, offset)`. */
export function sysPwrite(c: Call): number {
  const f = writable(c, c.int(0));
  const buf = c.ptr(1);
  const count = c.size(2);
  const pos = c.long(3);
  if (pos < 0) return -Errno.EINVAL;
  if (!accessOk(buf, count)) return -Errno.EFAULT;
  return f.writeAt(UserSource.buffer(c.space, buf, Math.min(count, MAX_RW_COUNT)), pos);
}

/** `preadv(fd, iov, iovcnt, offset)`. */
export function sysPreadv(c: Call): number {
  const f = readable(c, c.int(0));
  const pos = c.long(3);
  if (pos < 0) return -Errno.EINVAL;
  return f.readAt(UserSink.iovecs(c.space, c.ptr(1), c.int(2)), pos);
}

/** `pwritev(fd, iov, iovcnt, offset)`. */
export function sysPwritev(c: Call): number {
  const f = writable(c, c.int(0));
  const pos = c.long(3);
  if (pos < 0) return -Errno.EINVAL;
  return f.writeAt(UserSource.iovecs(c.space, c.ptr(1), c.int(2)), pos);
}

/** `lseek(fd, offset, whence)`. */
export function sysLseek(c: Call): number {
  return fileOf(c, c.int(0)).seek(c.long(1), c.int(2));
}

/** Bytes `sendfile` moves per step. */
const SENDFILE_CHUNK = 65536;

/**
 * `sendfile(out_fd, in_fd, offset, count)`: from a regular file (at
 * `*offset`, or its file offset) to any file, through a kernel buffer.
 */
export function sysSendfile(c: Call): number {
  const out = writable(c, c.int(0));
  const input = readable(c, c.int(1));
  const offPtr = c.ptr(2);
  const count = Math.min(c.size(3), MAX_RW_COUNT);
  let pos = offPtr !== 0 ? readUser(c.space, offPtr, i64) : BigInt(input.pos);
  if (pos < 0n) return -Errno.EINVAL;
  let moved = 0;
  let blockedOn: WaitQueue | undefined;
  const ctx: IoContext = {
    wait: (q) => (blockedOn = q),
    done: 0,
    sigpipe: () => c.sigpipe(),
  };
  while (moved < count) {
    const chunk = new Uint8Array(Math.min(SENDFILE_CHUNK, count - moved));
    const sink = new ArraySink(chunk);
    const got = input.readAt(sink, Number(pos));
    if (got < 0) return moved > 0 ? moved : got;
    if (got === 0) break;
    const wrote = out.write(new ArraySource(chunk.subarray(0, got)), ctx);
    if (wrote === BLOCKED) {
      if (moved > 0) break;
      c.wait(blockedOn as WaitQueue);
      return BLOCKED;
    }
    if (wrote < 0) return moved > 0 ? moved : wrote;
    moved += wrote;
    pos += BigInt(wrote);
    if (wrote < got) break;
  }
  if (offPtr !== 0) writeUser(c.space, offPtr, i64, pos);
  else input.pos = Number(pos);
  return moved;
}
