/**
 * preview1's `fd_*` functions: status, preopens, data and directories.
 *
 * Data moves between the guest and a backend through the user-memory
 * helpers: `VmReaderArray.fromIovecs` / `VmWriterArray.fromIovecs` import
 * the iovecs and check every buffer against memory before anything moves
 * (Linux's `import_iovec`), so one bad iovec is `FAULT` with nothing
 * written. What a write sends out is a copy: the guest may change its
 * memory the moment the call returns.
 *
 * @module
 */

import type { GuestMemory } from "../../guest/guest-memory.js";
import { VmWriter } from "../../io/vm-writer.js";
import { u32, u64 } from "../../pod/scalars.js";
import { Iovec32, MAX_RW_COUNT, iovecRanges } from "../../user/iovec.js";
import { VmReaderArray } from "../../user/vm-reader-array.js";
import { VmWriterArray } from "../../user/vm-writer-array.js";
import {
  ALL_FDFLAGS, DirentRecord, Errno, FdstatRecord, Fdflags, Filetype, PREOPENTYPE_DIR, PrestatRecord, Rights, Whence,
  rightsFrom, type ErrnoValue,
} from "../abi.js";
import { attempt, checkPtr, checkRange, errnoOf, type WasiContext } from "../context.js";
import type { Descriptor, FileDescriptor } from "../fd-table.js";
import { closeDescriptor, putFilestat, statOf, timeSpecs } from "./fs-support.js";

const MAX_OFFSET = BigInt(Number.MAX_SAFE_INTEGER);

/** `fd_close(fd)`: preopens too (wasmtime allows it). */
export function fd_close(cx: WasiContext, fd: number): ErrnoValue {
  const d = cx.fds.remove(fd >>> 0);
  return d === undefined ? Errno.BADF : closeDescriptor(d);
}

/** `fd_renumber(from, to)`: both must be open; what `to` held is closed. */
export function fd_renumber(cx: WasiContext, from: number, to: number): ErrnoValue {
  try {
    const old = cx.fds.renumber(from >>> 0, to >>> 0);
    return old === undefined ? Errno.SUCCESS : closeDescriptor(old);
  } catch (e) {
    return errnoOf(e);
  }
}

function filetypeOf(d: Descriptor): number {
  switch (d.kind) {
    case "dir": return Filetype.DIRECTORY;
    case "file": return Filetype.REGULAR_FILE;
    default: return Filetype.CHARACTER_DEVICE;
  }
}

/** `fd_fdstat_get(fd, buf)`: needs no right. */
export function fd_fdstat_get(cx: WasiContext, fd: number, buf: number): ErrnoValue {
  const mem = cx.memory();
  const d = cx.fds.get(fd >>> 0);
  if (d === undefined) return Errno.BADF;
  const e = checkPtr(mem, buf, FdstatRecord.size, 8);
  if (e !== Errno.SUCCESS) return e;
  mem.writeVal(buf, FdstatRecord, { filetype: filetypeOf(d), flags: d.fdflags, rightsBase: BigInt(d.base), rightsInheriting: BigInt(d.inheriting) });
  return Errno.SUCCESS;
}

/** `fd_fdstat_set_flags(fd, flags)`: append and nonblock change; the sync flags are fixed at open (as in wasmtime). */
export function fd_fdstat_set_flags(cx: WasiContext, fd: number, flags: number): ErrnoValue {
  const d = cx.anyFd(fd, Rights.FD_FDSTAT_SET_FLAGS);
  if (typeof d === "number") return d;
  const f = flags & 0xffff;
  const sync = Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC;
  if ((f & ~ALL_FDFLAGS) !== 0 || (f & sync) !== (d.fdflags & sync)) return Errno.INVAL;
  d.fdflags = f;
  return Errno.SUCCESS;
}

/** `fd_fdstat_set_rights(fd, base, inheriting)`: rights can only be dropped (`NOTCAPABLE` otherwise). */
export function fd_fdstat_set_rights(cx: WasiContext, fd: number, base: bigint, inheriting: bigint): ErrnoValue {
  const d = cx.fds.get(fd >>> 0);
  if (d === undefined) return Errno.BADF;
  const b = rightsFrom(base);
  const i = rightsFrom(inheriting);
  if (b < 0 || i < 0) return Errno.INVAL;
  if ((b & ~d.base) !== 0 || (i & ~d.inheriting) !== 0) return Errno.NOTCAPABLE;
  d.base = b;
  d.inheriting = i;
  return Errno.SUCCESS;
}

/** `fd_filestat_get(fd, buf)`. */
export function fd_filestat_get(cx: WasiContext, fd: number, buf: number): ErrnoValue {
  const mem = cx.memory();
  const d = cx.anyFd(fd, Rights.FD_FILESTAT_GET);
  if (typeof d === "number") return d;
  const e = checkPtr(mem, buf, 64, 8);
  if (e !== Errno.SUCCESS) return e;
  let st;
  try {
    st = statOf(d);
  } catch (err) {
    return errnoOf(err);
  }
  putFilestat(mem, buf, st);
  return Errno.SUCCESS;
}

/** `fd_filestat_set_size(fd, size)`: a regular file only. */
export function fd_filestat_set_size(cx: WasiContext, fd: number, size: bigint): ErrnoValue {
  const d = cx.ioFd(fd, Rights.FD_FILESTAT_SET_SIZE);
  if (typeof d === "number") return d;
  if (d.kind !== "file") return Errno.INVAL;
  const n = BigInt.asUintN(64, size);
  if (n > MAX_OFFSET) return Errno.FBIG;
  return attempt(() => d.file.truncate(Number(n)));
}

/** `fd_filestat_set_times(fd, atim, mtim, fstflags)`. */
export function fd_filestat_set_times(cx: WasiContext, fd: number, atim: bigint, mtim: bigint, flags: number): ErrnoValue {
  const d = cx.anyFd(fd, Rights.FD_FILESTAT_SET_TIMES);
  if (typeof d === "number") return d;
  const times = timeSpecs(atim, mtim, flags);
  if (times === undefined) return Errno.INVAL;
  if (d.kind === "stdio") return Errno.SUCCESS;
  const target = d.kind === "file" ? d.file : d.dir;
  return attempt(() => target.setTimes(times[0], times[1]));
}

/** `fd_advise(fd, offset, len, advice)`: checked, then ignored (advice is a hint). */
export function fd_advise(cx: WasiContext, fd: number, _offset: bigint, _len: bigint, advice: number): ErrnoValue {
  const d = cx.ioFd(fd, Rights.FD_ADVISE);
  if (typeof d === "number") return d;
  if (advice >>> 0 > 5) return Errno.INVAL;
  return d.kind === "stdio" ? Errno.SPIPE : Errno.SUCCESS;
}

/** `fd_allocate(fd, offset, len)`: grows the file to `offset + len` if it is shorter. */
export function fd_allocate(cx: WasiContext, fd: number, offset: bigint, len: bigint): ErrnoValue {
  const d = cx.ioFd(fd, Rights.FD_ALLOCATE);
  if (typeof d === "number") return d;
  if (d.kind !== "file") return Errno.BADF;
  const end = BigInt.asUintN(64, offset) + BigInt.asUintN(64, len);
  if (end > MAX_OFFSET) return Errno.FBIG;
  return attempt(() => {
    if (Number(end) > d.file.size()) d.file.truncate(Number(end));
  });
}

/** `fd_datasync(fd)`. */
export function fd_datasync(cx: WasiContext, fd: number): ErrnoValue {
  return sync(cx, fd, Rights.FD_DATASYNC);
}
/** `fd_sync(fd)`. */
export function fd_sync(cx: WasiContext, fd: number): ErrnoValue {
  return sync(cx, fd, Rights.FD_SYNC);
}
function sync(cx: WasiContext, fd: number, right: number): ErrnoValue {
  const d = cx.anyFd(fd, right);
  if (typeof d === "number") return d;
  if (d.kind === "file") return attempt(() => d.file.sync());
  return d.kind === "stdio" ? Errno.INVAL : Errno.SUCCESS;
}

/** `fd_prestat_get(fd, buf)`: `BADF` for anything but a preopened directory. */
export function fd_prestat_get(cx: WasiContext, fd: number, buf: number): ErrnoValue {
  const mem = cx.memory();
  const d = cx.fds.get(fd >>> 0);
  if (d === undefined || d.kind !== "dir" || d.preopen === undefined) return Errno.BADF;
  const e = checkPtr(mem, buf, PrestatRecord.size, 4);
  if (e !== Errno.SUCCESS) return e;
  mem.writeVal(buf, PrestatRecord, { tag: PREOPENTYPE_DIR, nameLen: d.preopen.length });
  return Errno.SUCCESS;
}

/**
 * `fd_prestat_dir_name(fd, path, len)`: the preopen's name, without a NUL.
 * A buffer shorter than the name is `NAMETOOLONG`, as in wasmtime: the
 * suite's `dir_fd_op_failures` requires an error here, not the truncation
 * `path_readlink` does.
 */
export function fd_prestat_dir_name(cx: WasiContext, fd: number, path: number, len: number): ErrnoValue {
  const mem = cx.memory();
  const d = cx.fds.get(fd >>> 0);
  if (d === undefined || d.kind !== "dir" || d.preopen === undefined) return Errno.BADF;
  if (len >>> 0 < d.preopen.length) return Errno.NAMETOOLONG;
  const e = checkRange(mem, path, d.preopen.length);
  if (e !== Errno.SUCCESS) return e;
  mem.writeBytes(path, d.preopen);
  return Errno.SUCCESS;
}

/**
 * The checks `fd_read`/`fd_write` and their positioned forms start with: the
 * fd with `right` (and `fd_seek` for an offset), an offset only on a file
 * (`SPIPE`) and within range, an aligned iovec array.
 */
function dataFd(cx: WasiContext, fd: number, right: number, offset: bigint | undefined, iovs: number): Exclude<Descriptor, { kind: "dir" }> | ErrnoValue {
  const d = cx.ioFd(fd, offset === undefined ? right : right | Rights.FD_SEEK);
  if (typeof d === "number") return d;
  if (offset !== undefined && d.kind !== "file") return Errno.SPIPE;
  if (offset !== undefined && offset > MAX_OFFSET) return Errno.INVAL;
  if (((iovs >>> 0) & 3) !== 0) return Errno.INVAL;
  return d;
}

/** `fd_read(fd, iovs, iovs_len, nread)`. */
export function fd_read(cx: WasiContext, fd: number, iovs: number, count: number, nread: number): ErrnoValue {
  return read(cx, fd, iovs, count, undefined, nread);
}
/** `fd_pread(fd, iovs, iovs_len, offset, nread)`: the fd's offset does not move. */
export function fd_pread(cx: WasiContext, fd: number, iovs: number, count: number, offset: bigint, nread: number): ErrnoValue {
  return read(cx, fd, iovs, count, BigInt.asUintN(64, offset), nread);
}

function read(cx: WasiContext, fd: number, iovs: number, count: number, offset: bigint | undefined, resultPtr: number): ErrnoValue {
  const mem = cx.memory();
  const d = dataFd(cx, fd, Rights.FD_READ, offset, iovs);
  if (typeof d === "number") return d;
  if (d.kind === "file") {
    if (count === 1) return readFileInPlace(mem, d, iovs, offset, resultPtr);
    if (count >>> 0 >= 2) {
      const e = readvFileInPlace(mem, d, iovs, count >>> 0, offset, resultPtr);
      if (e !== undefined) return e;
    }
  }
  let bufs: VmWriterArray;
  try {
    bufs = VmWriterArray.fromIovecs(mem, iovs, count >>> 0, Iovec32);
  } catch (e) {
    return errnoOf(e);
  }
  const e = checkPtr(mem, resultPtr, 4, 4);
  if (e !== Errno.SUCCESS) return e;
  // The backend reads into host memory; the bytes then go to the guest's buffers in one checked copy.
  const data = cx.scratch.take(bufs.sumLens());
  let n: number;
  try {
    if (d.kind === "file") {
      n = d.file.read(data, offset === undefined ? d.position : Number(offset));
      if (offset === undefined) d.position += n;
    } else {
      n = d.stream.read(data);
    }
  } catch (err) {
    return errnoOf(err);
  }
  // Every buffer was checked against memory and no user code has run since: the copy does not fault.
  bufs._writeFrom(data, n);
  mem.writeVal(resultPtr, u32, n);
  return Errno.SUCCESS;
}

/**
 * {@link read} of one buffer from a file: the backend fills the guest's
 * buffer in place, through a view of exactly its bytes, where the general
 * path reads into a host buffer and scatters it (with the I/O vector's
 * ranges array and writer array). The checks are those of
 * `VmWriterArray.fromIovecs` for one record, in its order — the record
 * inside memory, then the buffer (its length then cut to `MAX_RW_COUNT`) —
 * then the result pointer. The view is made after every check, and a
 * file's backend runs no user code, so nothing can grow memory (detaching
 * the view's buffer) before the backend is done with it.
 */
function readFileInPlace(mem: GuestMemory, d: FileDescriptor, iovs: number, offset: bigint | undefined, resultPtr: number): ErrnoValue {
  const p = iovs >>> 0;
  let e = checkRange(mem, p, Iovec32.size);
  if (e !== Errno.SUCCESS) return e;
  const base = mem.readVal(p, u32);
  const len = mem.readVal(p + 4, u32);
  e = checkRange(mem, base, len) || checkPtr(mem, resultPtr, 4, 4);
  if (e !== Errno.SUCCESS) return e;
  const view = mem._space.viewRange(base, base + Math.min(len, MAX_RW_COUNT));
  if (view === null) return Errno.FAULT; // not reached: the range was just checked against the current buffer
  let n: number;
  try {
    n = d.file.read(view, offset === undefined ? d.position : Number(offset));
  } catch (err) {
    return errnoOf(err);
  }
  if (offset === undefined) d.position += n;
  mem.writeVal(resultPtr, u32, n);
  return Errno.SUCCESS;
}

/**
 * {@link read} of two or more buffers from a file (musl's stdio reads with
 * two: the caller's buffer, then its own): the backend fills the guest's
 * buffers in place (`preadv` for a host file), through a view of exactly
 * each one's bytes, where the general path reads into a host buffer and
 * scatters it. The checks are the general path's, in its order — the I/O
 * vector imported as `VmWriterArray.fromIovecs` imports it
 * (`iovecRanges`: the count, the records, every buffer, lengths cut at
 * `MAX_RW_COUNT`, empty buffers left out), then the result pointer — so
 * the errnos are the same. Buffers are filled in order, as the general
 * path scatters, so where two overlap the later one's bytes stay; `preadv`
 * copies into its buffers in order too (Linux, macOS; libuv's Windows
 * emulation reads them one by one), property-tested against the general
 * path's rules over both backends. With no non-empty buffer the call goes
 * down the general path (undefined, nothing done).
 *
 * The views are made after every check, and a file's backend runs no user
 * code, so nothing can grow memory (detaching them) before the backend is
 * done; on shared memory another thread may grow it, which detaches
 * nothing. The result is written last, as on the general path, so a result
 * pointer inside a buffer ends up holding the count.
 */
function readvFileInPlace(mem: GuestMemory, d: FileDescriptor, iovs: number, count: number, offset: bigint | undefined, resultPtr: number): ErrnoValue | undefined {
  let ranges: number[];
  try {
    ranges = iovecRanges(mem, iovs, count, Iovec32);
  } catch (err) {
    return errnoOf(err);
  }
  const e = checkPtr(mem, resultPtr, 4, 4);
  if (e !== Errno.SUCCESS) return e;
  const k = ranges.length;
  if (k === 0) return undefined;
  const views = new Array<Uint8Array>(k >> 1);
  for (let i = 0; i < k; i += 2) {
    const view = mem._space.viewRange(ranges[i]!, ranges[i + 1]!);
    if (view === null) return undefined; // not reached: every range was just checked against the current buffer
    views[i >> 1] = view;
  }
  let n: number;
  try {
    n = d.file.readv(views, offset === undefined ? d.position : Number(offset));
  } catch (err) {
    return errnoOf(err);
  }
  if (offset === undefined) d.position += n;
  mem.writeVal(resultPtr, u32, n);
  return Errno.SUCCESS;
}

/** `fd_write(fd, iovs, iovs_len, nwritten)`. */
export function fd_write(cx: WasiContext, fd: number, iovs: number, count: number, nwritten: number): ErrnoValue {
  return write(cx, fd, iovs, count, undefined, nwritten);
}
/** `fd_pwrite(fd, iovs, iovs_len, offset, nwritten)`: writes at `offset` (even with append, as POSIX says); the offset does not move. */
export function fd_pwrite(cx: WasiContext, fd: number, iovs: number, count: number, offset: bigint, nwritten: number): ErrnoValue {
  return write(cx, fd, iovs, count, BigInt.asUintN(64, offset), nwritten);
}

function write(cx: WasiContext, fd: number, iovs: number, count: number, offset: bigint | undefined, resultPtr: number): ErrnoValue {
  const mem = cx.memory();
  const d = dataFd(cx, fd, Rights.FD_WRITE, offset, iovs);
  if (typeof d === "number") return d;
  let bufs: VmReaderArray;
  try {
    bufs = VmReaderArray.fromIovecs(mem, iovs, count >>> 0, Iovec32);
  } catch (e) {
    return errnoOf(e);
  }
  const e = checkPtr(mem, resultPtr, 4, 4);
  if (e !== Errno.SUCCESS) return e;
  let n: number;
  try {
    // Every buffer was checked against memory and no user code has run since: the copy does not fault.
    const total = bufs.sumLens();
    const data = d.kind === "file" ? cx.scratch.gather(bufs, total) : d.stream.gather(bufs, total);
    if (d.kind !== "file") {
      n = d.stream.write(data);
    } else if (offset !== undefined) {
      n = d.file.write(data, Number(offset));
    } else if ((d.fdflags & Fdflags.APPEND) !== 0) {
      n = d.file.write(data, "end");
      d.position = d.file.size();
    } else {
      n = d.file.write(data, d.position);
      d.position += n;
    }
  } catch (err) {
    return errnoOf(err);
  }
  mem.writeVal(resultPtr, u32, n);
  return Errno.SUCCESS;
}

/** `fd_seek(fd, offset, whence, newoffset)`: a seek by 0 from the current offset needs only `fd_tell` (wasi-common). */
export function fd_seek(cx: WasiContext, fd: number, offset: bigint, whence: number, newOffset: number): ErrnoValue {
  const mem = cx.memory();
  const off = BigInt.asIntN(64, offset);
  const d = cx.ioFd(fd, whence === Whence.CUR && off === 0n ? Rights.FD_TELL : Rights.FD_SEEK);
  if (typeof d === "number") return d;
  if (d.kind !== "file") return Errno.SPIPE;
  const e = checkPtr(mem, newOffset, 8, 8);
  if (e !== Errno.SUCCESS) return e;
  let base: number;
  switch (whence) {
    case Whence.SET: base = 0; break;
    case Whence.CUR: base = d.position; break;
    case Whence.END:
      try {
        base = d.file.size();
      } catch (err) {
        return errnoOf(err);
      }
      break;
    default: return Errno.INVAL;
  }
  const to = BigInt(base) + off;
  if (to < 0n) return Errno.INVAL;
  if (to > MAX_OFFSET) return Errno.OVERFLOW;
  d.position = Number(to);
  mem.writeVal(newOffset, u64, to);
  return Errno.SUCCESS;
}

/** `fd_tell(fd, offset)`. */
export function fd_tell(cx: WasiContext, fd: number, offset: number): ErrnoValue {
  const mem = cx.memory();
  const d = cx.ioFd(fd, Rights.FD_TELL);
  if (typeof d === "number") return d;
  if (d.kind !== "file") return Errno.SPIPE;
  const e = checkPtr(mem, offset, 8, 8);
  if (e !== Errno.SUCCESS) return e;
  mem.writeVal(offset, u64, BigInt(d.position));
  return Errno.SUCCESS;
}

/**
 * `fd_readdir(fd, buf, buf_len, cookie, bufused)`. Cookie n resumes at the
 * n-th entry; `.` and `..` come first (both with the directory's inode, as
 * in wasmtime). The buffer is filled to its last byte — the last entry cut
 * where it ends — so a full buffer tells the guest to ask again.
 */
export function fd_readdir(cx: WasiContext, fd: number, buf: number, bufLen: number, cookie: bigint, bufused: number): ErrnoValue {
  const mem = cx.memory();
  const d = cx.dirFd(fd, Rights.FD_READDIR);
  if (typeof d === "number") return d;
  const len = bufLen >>> 0;
  const e = checkRange(mem, buf, len) || checkPtr(mem, bufused, 4, 4);
  if (e !== Errno.SUCCESS) return e;
  let entries;
  let self: bigint;
  try {
    self = d.dir.stat().ino;
    entries = d.dir.entries();
  } catch (err) {
    return errnoOf(err);
  }
  const all = [{ name: ".", ino: self, filetype: Filetype.DIRECTORY }, { name: "..", ino: self, filetype: Filetype.DIRECTORY }, ...entries];
  const start = BigInt.asUintN(64, cookie);
  const first = start < BigInt(all.length) ? Number(start) : all.length;
  // The entries that fit, encoded; the host buffer is no larger than they are, whatever buf_len says.
  const encoder = new TextEncoder();
  const names: Uint8Array[] = [];
  let need = 0;
  for (let i = first; i < all.length && need < len; i++) {
    const name = encoder.encode(all[i]!.name);
    names.push(name);
    need += DirentRecord.size + name.length;
  }
  const out = new Uint8Array(Math.min(len, need));
  const head = new Uint8Array(DirentRecord.size);
  let used = 0;
  for (let k = 0; k < names.length; k++) {
    const i = first + k;
    const entry = all[i]!;
    const name = names[k]!;
    VmWriter.from(head).writeVal(DirentRecord, { next: BigInt(i + 1), ino: entry.ino, namlen: name.length, type: entry.filetype });
    const h = Math.min(head.length, len - used);
    out.set(head.subarray(0, h), used);
    used += h;
    const t = Math.min(name.length, len - used);
    out.set(name.subarray(0, t), used);
    used += t;
  }
  mem.writeBytes(buf, out.subarray(0, used));
  mem.writeVal(bufused, u32, used);
  return Errno.SUCCESS;
}
