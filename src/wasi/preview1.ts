/**
 * The 46 functions of `wasi_snapshot_preview1`, over guest memory.
 *
 * Each function follows one shape: decode its arguments (wasm hands i32s as
 * signed numbers, i64s as bigints), look up its fds and check their kind
 * and rights, check *every* guest pointer it will touch (bounds → `FAULT`,
 * alignment → `INVAL`), and only then act and write its results. So a call
 * that fails on guest input returns an errno and has changed nothing — no
 * byte written, no file touched. Backend failures arrive as `FsError` and
 * become the return value; anything else thrown is a host bug and
 * propagates.
 *
 * Semantics are the witx definitions'; where they are silent, wasmtime's
 * (with wasi-common's rights model, see `fd-table.ts`).
 *
 * @module
 */

import {
  ALL_FDFLAGS, ALL_FSTFLAGS, ALL_OFLAGS, Clockid, DIR_RIGHTS, EVENT_FD_READWRITE_HANGUP, Errno, Eventtype,
  Fdflags, FILE_RIGHTS, Filetype, Fstflags, LOOKUP_SYMLINK_FOLLOW, Oflags, PREOPENTYPE_DIR, Rights, SDFLAGS_ALL,
  SUBCLOCK_ABSTIME, Whence, rightsFrom, type ErrnoValue,
} from "./abi.js";
import { CLOCK_RESOLUTION_NS, monotonicNs, realtimeNs } from "./clock.js";
import { FdTable, type Descriptor, type DirDescriptor } from "./fd-table.js";
import { FsError, type Filestat, type TimeSpec } from "./fs/file-system.js";
import { GuestAccess, aligned } from "./guest-access.js";
import { resolvePath, type ResolvedPath } from "./path.js";
import { sleepNs } from "./sleep.js";

/** Thrown by `proc_exit` through the guest's frames to `WASI.start`. */
export class ProcExit {
  readonly code: number;
  constructor(code: number) {
    this.code = code;
  }
}

/** Most iovecs in one call (POSIX `IOV_MAX`, Linux's 1024). */
const IOV_MAX = 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** A decoded guest path, or an errno. */
type PathArg = string | ErrnoValue;

/** The state one guest's preview1 functions share. */
export class Preview1 {
  readonly fds = new FdTable();
  readonly #args: Uint8Array[];
  readonly #env: Uint8Array[];
  #mem: GuestAccess | undefined;

  constructor(args: Uint8Array[], env: Uint8Array[]) {
    this.#args = args;
    this.#env = env;
  }

  /** Binds the guest's memory (at `start`/`initialize`). */
  bind(mem: GuestAccess): void {
    this.#mem = mem;
  }

  #memory(): GuestAccess {
    const m = this.#mem;
    if (m === undefined) return notStarted();
    m.refresh();
    return m;
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Reads and decodes the path `[ptr, ptr + len)`: `FAULT` outside memory, `ILSEQ` not UTF-8, `INVAL` with a NUL. */
  #path(m: GuestAccess, ptr: number, len: number): PathArg {
    if (!m.inBounds(ptr, len)) return Errno.FAULT;
    let s: string;
    try {
      s = utf8.decode(m.u8.subarray(ptr, ptr + len));
    } catch {
      return Errno.ILSEQ;
    }
    return s.includes("\0") ? Errno.INVAL : s;
  }

  /** A directory fd with `rights`: `BADF` closed, `NOTDIR` not a directory, `NOTCAPABLE` lacking a right. */
  #dirFd(fd: number, rights: number): DirDescriptor | ErrnoValue {
    const d = this.fds.get(fd);
    if (d === undefined) return Errno.BADF;
    if (d.kind !== "dir") return Errno.NOTDIR;
    if ((d.base & rights) !== rights) return Errno.NOTCAPABLE;
    return d;
  }

  /** A file or stdio fd with `rights`: `BADF` closed or a directory, `NOTCAPABLE` lacking a right. */
  #ioFd(fd: number, rights: number): Exclude<Descriptor, DirDescriptor> | ErrnoValue {
    const d = this.fds.get(fd);
    if (d === undefined || d.kind === "dir") return Errno.BADF;
    if ((d.base & rights) !== rights) return Errno.NOTCAPABLE;
    return d;
  }

  /** Any fd with `rights`. */
  #anyFd(fd: number, rights: number): Descriptor | ErrnoValue {
    const d = this.fds.get(fd);
    if (d === undefined) return Errno.BADF;
    if ((d.base & rights) !== rights) return Errno.NOTCAPABLE;
    return d;
  }

  /**
   * Checks an iovec array and every buffer it names; returns the buffers as
   * `[ptr, len, ptr, len, …]`, or an errno. Nothing is moved yet.
   */
  #iovecs(m: GuestAccess, iovs: number, count: number): number[] | ErrnoValue {
    if (count > IOV_MAX) return Errno.INVAL;
    if (!aligned(iovs, 4)) return Errno.INVAL;
    if (!m.inBounds(iovs, count * 8)) return Errno.FAULT;
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const base = m.u32(iovs + i * 8);
      const len = m.u32(iovs + i * 8 + 4);
      if (!m.inBounds(base, len)) return Errno.FAULT;
      if (len > 0) out.push(base, len);
    }
    return out;
  }

  /** Runs a backend operation: an `FsError` becomes its errno, success 0. */
  static #run(op: () => void): ErrnoValue {
    try {
      op();
      return Errno.SUCCESS;
    } catch (e) {
      return errnoOf(e);
    }
  }

  /** Resolves `path` in a directory fd's directory. */
  static #resolve(d: DirDescriptor, path: string, follow: boolean): ResolvedPath {
    return resolvePath(d.dir, path, follow);
  }

  // ---- args, environ ------------------------------------------------------------------------------

  args_get(argv: number, argvBuf: number): ErrnoValue {
    return this.#strings(this.#args, argv >>> 0, argvBuf >>> 0);
  }
  args_sizes_get(argc: number, bufSize: number): ErrnoValue {
    return this.#sizes(this.#args, argc >>> 0, bufSize >>> 0);
  }
  environ_get(environ: number, environBuf: number): ErrnoValue {
    return this.#strings(this.#env, environ >>> 0, environBuf >>> 0);
  }
  environ_sizes_get(count: number, bufSize: number): ErrnoValue {
    return this.#sizes(this.#env, count >>> 0, bufSize >>> 0);
  }

  #strings(list: Uint8Array[], ptrs: number, buf: number): ErrnoValue {
    const m = this.#memory();
    let total = 0;
    for (const s of list) total += s.length + 1;
    if (!aligned(ptrs, 4)) return Errno.INVAL;
    if (!m.inBounds(ptrs, list.length * 4) || !m.inBounds(buf, total)) return Errno.FAULT;
    let at = buf;
    list.forEach((s, i) => {
      m.setU32(ptrs + i * 4, at);
      m.u8.set(s, at);
      m.u8[at + s.length] = 0;
      at += s.length + 1;
    });
    return Errno.SUCCESS;
  }

  #sizes(list: Uint8Array[], countPtr: number, sizePtr: number): ErrnoValue {
    const m = this.#memory();
    if (!aligned(countPtr, 4) || !aligned(sizePtr, 4)) return Errno.INVAL;
    if (!m.inBounds(countPtr, 4) || !m.inBounds(sizePtr, 4)) return Errno.FAULT;
    let total = 0;
    for (const s of list) total += s.length + 1;
    m.setU32(countPtr, list.length);
    m.setU32(sizePtr, total);
    return Errno.SUCCESS;
  }

  // ---- clocks, random, process ---------------------------------------------------------------------

  clock_res_get(id: number, resolution: number): ErrnoValue {
    const m = this.#memory();
    const ptr = resolution >>> 0;
    if (id >>> 0 > Clockid.THREAD_CPUTIME_ID) return Errno.INVAL;
    if (!aligned(ptr, 8)) return Errno.INVAL;
    if (!m.inBounds(ptr, 8)) return Errno.FAULT;
    m.setU64(ptr, CLOCK_RESOLUTION_NS);
    return Errno.SUCCESS;
  }

  clock_time_get(id: number, _precision: bigint, time: number): ErrnoValue {
    const m = this.#memory();
    const ptr = time >>> 0;
    const now = clockNow(id >>> 0);
    if (now === undefined) return Errno.INVAL;
    if (!aligned(ptr, 8)) return Errno.INVAL;
    if (!m.inBounds(ptr, 8)) return Errno.FAULT;
    m.setU64(ptr, now);
    return Errno.SUCCESS;
  }

  random_get(buf: number, len: number): ErrnoValue {
    const m = this.#memory();
    const ptr = buf >>> 0;
    const n = len >>> 0;
    if (!m.inBounds(ptr, n)) return Errno.FAULT;
    // getRandomValues fills at most 64 KiB a call, and refuses views of a SharedArrayBuffer.
    const chunk = new Uint8Array(Math.min(n, 65536));
    for (let done = 0; done < n; done += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, n - done));
      crypto.getRandomValues(part);
      m.u8.set(part, ptr + done);
    }
    return Errno.SUCCESS;
  }

  proc_exit(code: number): never {
    throw new ProcExit(code >>> 0);
  }

  proc_raise(_sig: number): ErrnoValue {
    return Errno.NOSYS;
  }

  sched_yield(): ErrnoValue {
    return Errno.SUCCESS;
  }

  // ---- fds: status ---------------------------------------------------------------------------------

  fd_close(fd: number): ErrnoValue {
    const d = this.fds.remove(fd >>> 0);
    if (d === undefined) return Errno.BADF;
    return closeDescriptor(d);
  }

  fd_renumber(from: number, to: number): ErrnoValue {
    try {
      const old = this.fds.renumber(from >>> 0, to >>> 0);
      return old === undefined ? Errno.SUCCESS : closeDescriptor(old);
    } catch (e) {
      return errnoOf(e);
    }
  }

  fd_fdstat_get(fd: number, buf: number): ErrnoValue {
    const m = this.#memory();
    const ptr = buf >>> 0;
    const d = this.fds.get(fd >>> 0);
    if (d === undefined) return Errno.BADF;
    if (!aligned(ptr, 8)) return Errno.INVAL;
    if (!m.inBounds(ptr, 24)) return Errno.FAULT;
    m.u8.fill(0, ptr, ptr + 24);
    m.setU8(ptr, filetypeOf(d));
    m.setU16(ptr + 2, d.fdflags);
    m.setU64n(ptr + 8, d.base);
    m.setU64n(ptr + 16, d.inheriting);
    return Errno.SUCCESS;
  }

  fd_fdstat_set_flags(fd: number, flags: number): ErrnoValue {
    const d = this.#anyFd(fd >>> 0, Rights.FD_FDSTAT_SET_FLAGS);
    if (typeof d === "number") return d;
    const f = flags & 0xffff;
    if ((f & ~ALL_FDFLAGS) !== 0) return Errno.INVAL;
    // The sync flags are fixed at open (wasmtime refuses to change them too).
    if ((f & (Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC)) !== (d.fdflags & (Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC))) {
      return Errno.INVAL;
    }
    d.fdflags = f;
    return Errno.SUCCESS;
  }

  fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint): ErrnoValue {
    const d = this.fds.get(fd >>> 0);
    if (d === undefined) return Errno.BADF;
    const b = rightsFrom(base);
    const i = rightsFrom(inheriting);
    if (b < 0 || i < 0) return Errno.INVAL;
    if ((b & ~d.base) !== 0 || (i & ~d.inheriting) !== 0) return Errno.NOTCAPABLE;
    d.base = b;
    d.inheriting = i;
    return Errno.SUCCESS;
  }

  fd_filestat_get(fd: number, buf: number): ErrnoValue {
    const m = this.#memory();
    const ptr = buf >>> 0;
    const d = this.#anyFd(fd >>> 0, Rights.FD_FILESTAT_GET);
    if (typeof d === "number") return d;
    if (!aligned(ptr, 8)) return Errno.INVAL;
    if (!m.inBounds(ptr, 64)) return Errno.FAULT;
    try {
      writeFilestat(m, ptr, statOf(d));
      return Errno.SUCCESS;
    } catch (e) {
      return errnoOf(e);
    }
  }

  fd_filestat_set_size(fd: number, size: bigint): ErrnoValue {
    const d = this.#ioFd(fd >>> 0, Rights.FD_FILESTAT_SET_SIZE);
    if (typeof d === "number") return d;
    if (d.kind !== "file") return Errno.INVAL;
    const n = BigInt.asUintN(64, size);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) return Errno.FBIG;
    return Preview1.#run(() => d.file.truncate(Number(n)));
  }

  fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, flags: number): ErrnoValue {
    const d = this.#anyFd(fd >>> 0, Rights.FD_FILESTAT_SET_TIMES);
    if (typeof d === "number") return d;
    const times = timeSpecs(atim, mtim, flags);
    if (times === undefined) return Errno.INVAL;
    if (d.kind === "stdio") return Errno.SUCCESS;
    const target = d.kind === "file" ? d.file : d.dir;
    return Preview1.#run(() => target.setTimes(times[0], times[1]));
  }

  fd_advise(fd: number, _offset: bigint, _len: bigint, advice: number): ErrnoValue {
    const d = this.#ioFd(fd >>> 0, Rights.FD_ADVISE);
    if (typeof d === "number") return d;
    if (advice >>> 0 > 5) return Errno.INVAL;
    return d.kind === "stdio" ? Errno.SPIPE : Errno.SUCCESS;
  }

  fd_allocate(fd: number, offset: bigint, len: bigint): ErrnoValue {
    const d = this.#ioFd(fd >>> 0, Rights.FD_ALLOCATE);
    if (typeof d === "number") return d;
    if (d.kind !== "file") return Errno.BADF;
    const end = BigInt.asUintN(64, offset) + BigInt.asUintN(64, len);
    if (end > BigInt(Number.MAX_SAFE_INTEGER)) return Errno.FBIG;
    return Preview1.#run(() => {
      if (Number(end) > d.file.size()) d.file.truncate(Number(end));
    });
  }

  fd_datasync(fd: number): ErrnoValue {
    return this.#sync(fd >>> 0, Rights.FD_DATASYNC);
  }
  fd_sync(fd: number): ErrnoValue {
    return this.#sync(fd >>> 0, Rights.FD_SYNC);
  }
  #sync(fd: number, right: number): ErrnoValue {
    const d = this.#anyFd(fd, right);
    if (typeof d === "number") return d;
    if (d.kind === "file") return Preview1.#run(() => d.file.sync());
    return d.kind === "stdio" ? Errno.INVAL : Errno.SUCCESS;
  }

  // ---- fds: preopens --------------------------------------------------------------------------------

  fd_prestat_get(fd: number, buf: number): ErrnoValue {
    const m = this.#memory();
    const ptr = buf >>> 0;
    const d = this.fds.get(fd >>> 0);
    if (d === undefined || d.kind !== "dir" || d.preopen === undefined) return Errno.BADF;
    if (!aligned(ptr, 4)) return Errno.INVAL;
    if (!m.inBounds(ptr, 8)) return Errno.FAULT;
    m.setU32(ptr, PREOPENTYPE_DIR);
    m.setU32(ptr + 4, d.preopen.length);
    return Errno.SUCCESS;
  }

  /**
   * Writes the preopen's name (no NUL). A buffer shorter than the name is
   * `NAMETOOLONG`, as in wasmtime: the suite's `dir_fd_op_failures` requires
   * an error here, not the truncation `path_readlink` does.
   */
  fd_prestat_dir_name(fd: number, path: number, len: number): ErrnoValue {
    const m = this.#memory();
    const ptr = path >>> 0;
    const d = this.fds.get(fd >>> 0);
    if (d === undefined || d.kind !== "dir" || d.preopen === undefined) return Errno.BADF;
    const n = d.preopen.length;
    if (len >>> 0 < n) return Errno.NAMETOOLONG;
    if (!m.inBounds(ptr, n)) return Errno.FAULT;
    m.u8.set(d.preopen, ptr);
    return Errno.SUCCESS;
  }

  // ---- fds: data -------------------------------------------------------------------------------------

  fd_read(fd: number, iovs: number, count: number, nread: number): ErrnoValue {
    return this.#read(fd >>> 0, iovs >>> 0, count >>> 0, undefined, nread >>> 0);
  }
  fd_pread(fd: number, iovs: number, count: number, offset: bigint, nread: number): ErrnoValue {
    return this.#read(fd >>> 0, iovs >>> 0, count >>> 0, BigInt.asUintN(64, offset), nread >>> 0);
  }

  #read(fd: number, iovs: number, count: number, offset: bigint | undefined, resultPtr: number): ErrnoValue {
    const m = this.#memory();
    const d = this.#ioFd(fd, offset === undefined ? Rights.FD_READ : Rights.FD_READ | Rights.FD_SEEK);
    if (typeof d === "number") return d;
    if (offset !== undefined && d.kind !== "file") return Errno.SPIPE;
    if (offset !== undefined && offset > BigInt(Number.MAX_SAFE_INTEGER)) return Errno.INVAL;
    const bufs = this.#iovecs(m, iovs, count);
    if (typeof bufs === "number") return bufs;
    if (!aligned(resultPtr, 4)) return Errno.INVAL;
    if (!m.inBounds(resultPtr, 4)) return Errno.FAULT;
    let total = 0;
    try {
      if (d.kind === "file") {
        let pos = offset === undefined ? d.position : Number(offset);
        for (let i = 0; i < bufs.length; i += 2) {
          const want = bufs[i + 1]!;
          const n = d.file.read(m.u8.subarray(bufs[i]!, bufs[i]! + want), pos);
          pos += n;
          total += n;
          if (n < want) break;
        }
        if (offset === undefined) d.position = pos;
      } else {
        for (let i = 0; i < bufs.length; i += 2) {
          const want = bufs[i + 1]!;
          const n = d.stream.read(m.u8.subarray(bufs[i]!, bufs[i]! + want));
          total += n;
          if (n < want) break;
        }
      }
    } catch (e) {
      if (total === 0) return errnoOf(e);
      errnoOf(e); // a host bug still throws; a failure after some bytes reports the bytes, as POSIX read does
    }
    m.refresh();
    m.setU32(resultPtr, total);
    return Errno.SUCCESS;
  }

  fd_write(fd: number, iovs: number, count: number, nwritten: number): ErrnoValue {
    return this.#write(fd >>> 0, iovs >>> 0, count >>> 0, undefined, nwritten >>> 0);
  }
  fd_pwrite(fd: number, iovs: number, count: number, offset: bigint, nwritten: number): ErrnoValue {
    return this.#write(fd >>> 0, iovs >>> 0, count >>> 0, BigInt.asUintN(64, offset), nwritten >>> 0);
  }

  #write(fd: number, iovs: number, count: number, offset: bigint | undefined, resultPtr: number): ErrnoValue {
    const m = this.#memory();
    const d = this.#ioFd(fd, offset === undefined ? Rights.FD_WRITE : Rights.FD_WRITE | Rights.FD_SEEK);
    if (typeof d === "number") return d;
    if (offset !== undefined && d.kind !== "file") return Errno.SPIPE;
    if (offset !== undefined && offset > BigInt(Number.MAX_SAFE_INTEGER)) return Errno.INVAL;
    const bufs = this.#iovecs(m, iovs, count);
    if (typeof bufs === "number") return bufs;
    if (!aligned(resultPtr, 4)) return Errno.INVAL;
    if (!m.inBounds(resultPtr, 4)) return Errno.FAULT;
    const data = gather(m.u8, bufs);
    let total: number;
    try {
      if (d.kind === "file") {
        if (offset !== undefined) {
          total = d.file.write(data, Number(offset));
        } else if ((d.fdflags & Fdflags.APPEND) !== 0) {
          total = d.file.write(data, "end");
          d.position = d.file.size();
        } else {
          total = d.file.write(data, d.position);
          d.position += total;
        }
      } else {
        total = d.stream.write(data);
      }
    } catch (e) {
      return errnoOf(e);
    }
    m.refresh();
    m.setU32(resultPtr, total);
    return Errno.SUCCESS;
  }

  fd_seek(fd: number, offset: bigint, whence: number, newOffset: number): ErrnoValue {
    const m = this.#memory();
    const ptr = newOffset >>> 0;
    const off = BigInt.asIntN(64, offset);
    // A seek that cannot move (0 from the current position) is a tell, and needs only that right (wasi-common).
    const right = whence === Whence.CUR && off === 0n ? Rights.FD_TELL : Rights.FD_SEEK;
    const d = this.#ioFd(fd >>> 0, right);
    if (typeof d === "number") return d;
    if (d.kind !== "file") return Errno.SPIPE;
    if (!aligned(ptr, 8)) return Errno.INVAL;
    if (!m.inBounds(ptr, 8)) return Errno.FAULT;
    let base: number;
    switch (whence) {
      case Whence.SET: base = 0; break;
      case Whence.CUR: base = d.position; break;
      case Whence.END:
        try {
          base = d.file.size();
        } catch (e) {
          return errnoOf(e);
        }
        break;
      default: return Errno.INVAL;
    }
    const to = BigInt(base) + off;
    if (to < 0n) return Errno.INVAL;
    if (to > BigInt(Number.MAX_SAFE_INTEGER)) return Errno.OVERFLOW;
    d.position = Number(to);
    m.setU64(ptr, to);
    return Errno.SUCCESS;
  }

  fd_tell(fd: number, offset: number): ErrnoValue {
    const m = this.#memory();
    const ptr = offset >>> 0;
    const d = this.#ioFd(fd >>> 0, Rights.FD_TELL);
    if (typeof d === "number") return d;
    if (d.kind !== "file") return Errno.SPIPE;
    if (!aligned(ptr, 8)) return Errno.INVAL;
    if (!m.inBounds(ptr, 8)) return Errno.FAULT;
    m.setU64n(ptr, d.position);
    return Errno.SUCCESS;
  }

  fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, bufused: number): ErrnoValue {
    const m = this.#memory();
    const ptr = buf >>> 0;
    const len = bufLen >>> 0;
    const usedPtr = bufused >>> 0;
    const d = this.fds.get(fd >>> 0);
    if (d === undefined) return Errno.BADF;
    if (d.kind !== "dir") return Errno.NOTDIR;
    if ((d.base & Rights.FD_READDIR) !== Rights.FD_READDIR) return Errno.NOTCAPABLE;
    if (!m.inBounds(ptr, len)) return Errno.FAULT;
    if (!aligned(usedPtr, 4)) return Errno.INVAL;
    if (!m.inBounds(usedPtr, 4)) return Errno.FAULT;
    let entries;
    let self: bigint;
    try {
      self = d.dir.stat().ino;
      entries = d.dir.entries();
    } catch (e) {
      return errnoOf(e);
    }
    // Cookie n means "from the n-th entry": "." and ".." first (wasmtime gives both the directory's inode).
    const all = [{ name: ".", ino: self, filetype: Filetype.DIRECTORY }, { name: "..", ino: self, filetype: Filetype.DIRECTORY }, ...entries];
    const start = BigInt.asUintN(64, cookie);
    const record = new Uint8Array(24);
    const view = new DataView(record.buffer);
    let used = 0;
    for (let i = start < BigInt(all.length) ? Number(start) : all.length; i < all.length && used < len; i++) {
      const e = all[i]!;
      const name = encoder.encode(e.name);
      view.setBigUint64(0, BigInt(i + 1), true);
      view.setBigUint64(8, e.ino, true);
      view.setUint32(16, name.length, true);
      view.setUint32(20, e.filetype, true);
      // The last entry is cut where the buffer ends: the caller sees a full buffer and asks again with a bigger one.
      const head = Math.min(24, len - used);
      m.u8.set(record.subarray(0, head), ptr + used);
      used += head;
      const tail = Math.min(name.length, len - used);
      m.u8.set(name.subarray(0, tail), ptr + used);
      used += tail;
    }
    m.setU32(usedPtr, used);
    return Errno.SUCCESS;
  }

  // ---- paths ---------------------------------------------------------------------------------------

  path_create_directory(fd: number, path: number, pathLen: number): ErrnoValue {
    const m = this.#memory();
    const d = this.#dirFd(fd >>> 0, Rights.PATH_CREATE_DIRECTORY);
    if (typeof d === "number") return d;
    const p = this.#path(m, path >>> 0, pathLen >>> 0);
    if (typeof p === "number") return p;
    return Preview1.#run(() => {
      const r = Preview1.#resolve(d, p, false);
      if (r.name === undefined) throw new FsError(Errno.EXIST);
      r.dir.mkdir(r.name);
    });
  }

  path_remove_directory(fd: number, path: number, pathLen: number): ErrnoValue {
    const m = this.#memory();
    const d = this.#dirFd(fd >>> 0, Rights.PATH_REMOVE_DIRECTORY);
    if (typeof d === "number") return d;
    const p = this.#path(m, path >>> 0, pathLen >>> 0);
    if (typeof p === "number") return p;
    return Preview1.#run(() => {
      const r = Preview1.#resolve(d, p, false);
      if (r.name === undefined) throw new FsError(Errno.INVAL);
      r.dir.rmdir(r.name);
    });
  }

  path_unlink_file(fd: number, path: number, pathLen: number): ErrnoValue {
    const m = this.#memory();
    const d = this.#dirFd(fd >>> 0, Rights.PATH_UNLINK_FILE);
    if (typeof d === "number") return d;
    const p = this.#path(m, path >>> 0, pathLen >>> 0);
    if (typeof p === "number") return p;
    return Preview1.#run(() => {
      const r = Preview1.#resolve(d, p, false);
      if (r.name === undefined) throw new FsError(Errno.ISDIR);
      const st = r.dir.lstatChild(r.name);
      if (st.filetype === Filetype.DIRECTORY) throw new FsError(Errno.ISDIR);
      if (r.trailingSlash) throw new FsError(Errno.NOTDIR);
      r.dir.unlink(r.name);
    });
  }

  path_filestat_get(fd: number, flags: number, path: number, pathLen: number, buf: number): ErrnoValue {
    const m = this.#memory();
    const ptr = buf >>> 0;
    const d = this.#dirFd(fd >>> 0, Rights.PATH_FILESTAT_GET);
    if (typeof d === "number") return d;
    const p = this.#path(m, path >>> 0, pathLen >>> 0);
    if (typeof p === "number") return p;
    if (!aligned(ptr, 8)) return Errno.INVAL;
    if (!m.inBounds(ptr, 64)) return Errno.FAULT;
    try {
      const st = statAt(Preview1.#resolve(d, p, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0));
      writeFilestat(m, ptr, st);
      return Errno.SUCCESS;
    } catch (e) {
      return errnoOf(e);
    }
  }

  path_filestat_set_times(fd: number, flags: number, path: number, pathLen: number, atim: bigint, mtim: bigint, fstflags: number): ErrnoValue {
    const m = this.#memory();
    const d = this.#dirFd(fd >>> 0, Rights.PATH_FILESTAT_SET_TIMES);
    if (typeof d === "number") return d;
    const p = this.#path(m, path >>> 0, pathLen >>> 0);
    if (typeof p === "number") return p;
    const times = timeSpecs(atim, mtim, fstflags);
    if (times === undefined) return Errno.INVAL;
    return Preview1.#run(() => {
      const r = Preview1.#resolve(d, p, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      const st = statAt(r);
      if (r.trailingSlash && st.filetype !== Filetype.DIRECTORY) throw new FsError(Errno.NOTDIR);
      if (r.name === undefined) r.dir.setTimes(times[0], times[1]);
      else r.dir.setChildTimes(r.name, times[0], times[1]);
    });
  }

  path_link(oldFd: number, oldFlags: number, oldPath: number, oldLen: number, newFd: number, newPath: number, newLen: number): ErrnoValue {
    const m = this.#memory();
    const src = this.#dirFd(oldFd >>> 0, Rights.PATH_LINK_SOURCE);
    if (typeof src === "number") return src;
    const dst = this.#dirFd(newFd >>> 0, Rights.PATH_LINK_TARGET);
    if (typeof dst === "number") return dst;
    const op = this.#path(m, oldPath >>> 0, oldLen >>> 0);
    if (typeof op === "number") return op;
    const np = this.#path(m, newPath >>> 0, newLen >>> 0);
    if (typeof np === "number") return np;
    return Preview1.#run(() => {
      const from = Preview1.#resolve(src, op, (oldFlags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      const to = Preview1.#resolve(dst, np, false);
      const st = statAt(from);
      if (st.filetype === Filetype.DIRECTORY) throw new FsError(Errno.PERM);
      if (from.trailingSlash) throw new FsError(Errno.NOTDIR);
      if (to.name === undefined) throw new FsError(Errno.EXIST);
      if (to.trailingSlash) throw new FsError(existsAt(to) ? Errno.EXIST : Errno.NOENT);
      from.dir.link(from.name!, to.dir, to.name);
    });
  }

  path_symlink(oldPath: number, oldLen: number, fd: number, newPath: number, newLen: number): ErrnoValue {
    const m = this.#memory();
    const d = this.#dirFd(fd >>> 0, Rights.PATH_SYMLINK);
    if (typeof d === "number") return d;
    const target = this.#path(m, oldPath >>> 0, oldLen >>> 0);
    if (typeof target === "number") return target;
    const p = this.#path(m, newPath >>> 0, newLen >>> 0);
    if (typeof p === "number") return p;
    // A link that could only be followed out of the sandbox is refused up front (wasmtime does too).
    if (target.startsWith("/")) return Errno.NOTCAPABLE;
    return Preview1.#run(() => {
      const r = Preview1.#resolve(d, p, false);
      if (r.name === undefined) throw new FsError(Errno.EXIST);
      if (r.trailingSlash) throw new FsError(existsAt(r) ? Errno.EXIST : Errno.NOENT);
      r.dir.symlink(target, r.name);
    });
  }

  path_readlink(fd: number, path: number, pathLen: number, buf: number, bufLen: number, bufused: number): ErrnoValue {
    const m = this.#memory();
    const ptr = buf >>> 0;
    const len = bufLen >>> 0;
    const usedPtr = bufused >>> 0;
    const d = this.#dirFd(fd >>> 0, Rights.PATH_READLINK);
    if (typeof d === "number") return d;
    const p = this.#path(m, path >>> 0, pathLen >>> 0);
    if (typeof p === "number") return p;
    if (!m.inBounds(ptr, len)) return Errno.FAULT;
    if (!aligned(usedPtr, 4)) return Errno.INVAL;
    if (!m.inBounds(usedPtr, 4)) return Errno.FAULT;
    let target: Uint8Array;
    try {
      const r = Preview1.#resolve(d, p, false);
      if (r.name === undefined) throw new FsError(Errno.INVAL);
      if (r.trailingSlash) throw new FsError(Errno.NOTDIR);
      target = encoder.encode(r.dir.readlinkChild(r.name));
    } catch (e) {
      return errnoOf(e);
    }
    // Like readlink(2): as much as fits, no NUL, and the count.
    const n = Math.min(target.length, len);
    m.u8.set(target.subarray(0, n), ptr);
    m.setU32(usedPtr, n);
    return Errno.SUCCESS;
  }

  path_rename(oldFd: number, oldPath: number, oldLen: number, newFd: number, newPath: number, newLen: number): ErrnoValue {
    const m = this.#memory();
    const src = this.#dirFd(oldFd >>> 0, Rights.PATH_RENAME_SOURCE);
    if (typeof src === "number") return src;
    const dst = this.#dirFd(newFd >>> 0, Rights.PATH_RENAME_TARGET);
    if (typeof dst === "number") return dst;
    const op = this.#path(m, oldPath >>> 0, oldLen >>> 0);
    if (typeof op === "number") return op;
    const np = this.#path(m, newPath >>> 0, newLen >>> 0);
    if (typeof np === "number") return np;
    return Preview1.#run(() => {
      const from = Preview1.#resolve(src, op, false);
      const to = Preview1.#resolve(dst, np, false);
      if (from.name === undefined || to.name === undefined) throw new FsError(Errno.BUSY);
      const st = from.dir.lstatChild(from.name);
      if (st.filetype !== Filetype.DIRECTORY) {
        if (from.trailingSlash) throw new FsError(Errno.NOTDIR);
        if (to.trailingSlash) throw new FsError(existsAt(to) && statAt(to).filetype === Filetype.DIRECTORY ? Errno.ISDIR : Errno.NOTDIR);
      }
      from.dir.rename(from.name, to.dir, to.name);
    });
  }

  path_open(
    fd: number, dirflags: number, path: number, pathLen: number, oflags: number,
    rightsBase: bigint, rightsInheriting: bigint, fdflags: number, opened: number,
  ): ErrnoValue {
    const m = this.#memory();
    const resultPtr = opened >>> 0;
    const o = oflags & 0xffff;
    const flags = fdflags & 0xffff;
    let needed = Rights.PATH_OPEN;
    if ((o & Oflags.CREAT) !== 0) needed |= Rights.PATH_CREATE_FILE;
    if ((o & Oflags.TRUNC) !== 0) needed |= Rights.PATH_FILESTAT_SET_SIZE;
    const d = this.#dirFd(fd >>> 0, needed);
    if (typeof d === "number") return d;
    const p = this.#path(m, path >>> 0, pathLen >>> 0);
    if (typeof p === "number") return p;
    const base = rightsFrom(rightsBase);
    const inheriting = rightsFrom(rightsInheriting);
    if (base < 0 || inheriting < 0 || (o & ~ALL_OFLAGS) !== 0 || (flags & ~ALL_FDFLAGS) !== 0) return Errno.INVAL;
    if ((o & Oflags.DIRECTORY) !== 0 && (o & (Oflags.CREAT | Oflags.EXCL | Oflags.TRUNC)) !== 0) return Errno.INVAL;
    if (!aligned(resultPtr, 4)) return Errno.INVAL;
    if (!m.inBounds(resultPtr, 4)) return Errno.FAULT;
    // Rights only shrink: what the directory lets its children have, cut to what this kind of fd can hold.
    const allowed = base & d.inheriting;
    const write = (allowed & (Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE | Rights.FD_DATASYNC)) !== 0;
    let desc: Descriptor;
    try {
      const r = Preview1.#resolve(d, p, (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      const existing = existsAt(r) ? statAt(r) : undefined;
      if (existing?.filetype === Filetype.DIRECTORY) {
        if ((o & Oflags.CREAT) !== 0 && (o & Oflags.EXCL) !== 0) throw new FsError(Errno.EXIST);
        if ((base & Rights.FD_WRITE) !== 0 || (o & (Oflags.CREAT | Oflags.TRUNC)) !== 0) throw new FsError(Errno.ISDIR);
        const dir = r.name === undefined ? r.dir : r.dir.openChildDir(r.name);
        desc = { kind: "dir", dir, preopen: undefined, base: allowed & DIR_RIGHTS, inheriting: inheriting & d.inheriting, fdflags: flags };
      } else {
        if ((o & Oflags.DIRECTORY) !== 0) throw new FsError(existing === undefined ? Errno.NOENT : Errno.NOTDIR);
        if (existing?.filetype === Filetype.SYMBOLIC_LINK) throw new FsError(Errno.LOOP); // O_NOFOLLOW on a symlink
        if (r.trailingSlash) throw new FsError(existing === undefined && (o & Oflags.CREAT) !== 0 ? Errno.ISDIR : existing === undefined ? Errno.NOENT : Errno.NOTDIR);
        const file = r.dir.openChildFile(r.name!, {
          create: (o & Oflags.CREAT) !== 0,
          exclusive: (o & Oflags.EXCL) !== 0,
          truncate: (o & Oflags.TRUNC) !== 0,
          read: (allowed & (Rights.FD_READ | Rights.FD_READDIR)) !== 0 || !write,
          write,
        });
        desc = { kind: "file", file, position: 0, base: allowed & FILE_RIGHTS, inheriting: inheriting & d.inheriting, fdflags: flags };
      }
      const newFd = this.fds.add(desc);
      m.refresh();
      m.setU32(resultPtr, newFd);
      return Errno.SUCCESS;
    } catch (e) {
      return errnoOf(e);
    }
  }

  // ---- poll ----------------------------------------------------------------------------------------

  poll_oneoff(inPtr: number, outPtr: number, nsubscriptions: number, neventsPtr: number): ErrnoValue {
    const m = this.#memory();
    const subs = inPtr >>> 0;
    const events = outPtr >>> 0;
    const n = nsubscriptions >>> 0;
    const nevents = neventsPtr >>> 0;
    if (n === 0) return Errno.INVAL;
    if (!aligned(subs, 8) || !aligned(events, 8) || !aligned(nevents, 4)) return Errno.INVAL;
    if (!m.inBounds(subs, n * 48) || !m.inBounds(events, n * 32) || !m.inBounds(nevents, 4)) return Errno.FAULT;
    const ready: { userdata: bigint; error: number; type: number; nbytes: bigint; flags: number }[] = [];
    let deadline: bigint | undefined;
    let timerUserdata = 0n;
    const now = monotonicNs();
    for (let i = 0; i < n; i++) {
      const at = subs + i * 48;
      const userdata = m.u64(at);
      const tag = m.u8[at + 8]!;
      if (tag === Eventtype.CLOCK) {
        const id = m.u32(at + 16);
        const timeout = m.u64(at + 24);
        const clockFlags = m.dv.getUint16(at + 40, true);
        const current = clockNow(id);
        if (current === undefined) {
          ready.push({ userdata, error: Errno.INVAL, type: tag, nbytes: 0n, flags: 0 });
          continue;
        }
        // Every clock is turned into a wait on the monotonic clock.
        const wait = (clockFlags & SUBCLOCK_ABSTIME) !== 0 ? timeout - current : timeout;
        const due = now + (wait > 0n ? wait : 0n);
        if (deadline === undefined || due < deadline) {
          deadline = due;
          timerUserdata = userdata;
        }
      } else if (tag === Eventtype.FD_READ || tag === Eventtype.FD_WRITE) {
        const fd = m.u32(at + 16);
        ready.push({ userdata, type: tag, ...this.#fdReadiness(fd, tag) });
      } else {
        return Errno.INVAL;
      }
    }
    if (ready.length === 0 && deadline !== undefined) {
      const wait = deadline - monotonicNs();
      if (wait > 0n) sleepNs(wait);
      ready.push({ userdata: timerUserdata, error: Errno.SUCCESS, type: Eventtype.CLOCK, nbytes: 0n, flags: 0 });
    }
    m.refresh();
    ready.forEach((e, i) => {
      const at = events + i * 32;
      m.u8.fill(0, at, at + 32);
      m.setU64(at, e.userdata);
      m.setU16(at + 8, e.error);
      m.setU8(at + 10, e.type);
      m.setU64(at + 16, e.nbytes);
      m.setU16(at + 24, e.flags);
    });
    m.setU32(nevents, ready.length);
    return Errno.SUCCESS;
  }

  /** Whether `fd` can be read or written without waiting; this host never blocks on an fd, so each is ready or an error. */
  #fdReadiness(fd: number, type: number): { error: number; nbytes: bigint; flags: number } {
    const right = type === Eventtype.FD_READ ? Rights.FD_READ : Rights.FD_WRITE;
    const d = this.fds.get(fd);
    if (d === undefined) return { error: Errno.BADF, nbytes: 0n, flags: 0 };
    if (d.kind === "dir") return { error: Errno.BADF, nbytes: 0n, flags: 0 };
    if ((d.base & (right | Rights.POLL_FD_READWRITE)) === 0) return { error: Errno.NOTCAPABLE, nbytes: 0n, flags: 0 };
    try {
      if (type === Eventtype.FD_WRITE) return { error: Errno.SUCCESS, nbytes: 0n, flags: 0 };
      if (d.kind === "file") return { error: Errno.SUCCESS, nbytes: BigInt(Math.max(0, d.file.size() - d.position)), flags: 0 };
      const n = d.stream.readable();
      return { error: Errno.SUCCESS, nbytes: BigInt(n), flags: n === 0 ? EVENT_FD_READWRITE_HANGUP : 0 };
    } catch (e) {
      return { error: errnoOf(e), nbytes: 0n, flags: 0 };
    }
  }

  // ---- sockets: this host opens none, so an fd is never a socket -------------------------------------

  sock_accept(fd: number, _flags: number, _result: number): ErrnoValue {
    return this.#notSocket(fd >>> 0);
  }
  sock_recv(fd: number, _riData: number, _riCount: number, _riFlags: number, _roDatalen: number, _roFlags: number): ErrnoValue {
    return this.#notSocket(fd >>> 0);
  }
  sock_send(fd: number, _siData: number, _siCount: number, _siFlags: number, _soDatalen: number): ErrnoValue {
    return this.#notSocket(fd >>> 0);
  }
  sock_shutdown(fd: number, how: number): ErrnoValue {
    const e = this.#notSocket(fd >>> 0);
    if (e === Errno.NOTSOCK && ((how >>> 0) & ~SDFLAGS_ALL) !== 0) return Errno.INVAL;
    return e;
  }
  #notSocket(fd: number): ErrnoValue {
    return this.fds.get(fd) === undefined ? Errno.BADF : Errno.NOTSOCK;
  }

  /** Closes every fd (at exit): files release what their backend holds. */
  closeAll(): void {
    for (const d of this.fds.all()) closeDescriptor(d);
  }
}

/** The errno of a backend failure; anything else is a host bug and is rethrown. */
function errnoOf(e: unknown): ErrnoValue {
  if (e instanceof FsError) return e.errno;
  throw e;
}

function notStarted(): never {
  throw new TypeError("vmio/wasi: a host function was called before start() or initialize() bound the guest's memory");
}

function closeDescriptor(d: Descriptor): ErrnoValue {
  if (d.kind !== "file") return Errno.SUCCESS;
  try {
    d.file.close();
    return Errno.SUCCESS;
  } catch (e) {
    return errnoOf(e);
  }
}

function clockNow(id: number): bigint | undefined {
  switch (id) {
    case Clockid.REALTIME: return realtimeNs();
    // No portable CPU clock: the process's and thread's CPU time are measured as elapsed time, an upper bound.
    case Clockid.MONOTONIC: case Clockid.PROCESS_CPUTIME_ID: case Clockid.THREAD_CPUTIME_ID: return monotonicNs();
    default: return undefined;
  }
}

function filetypeOf(d: Descriptor): number {
  switch (d.kind) {
    case "dir": return Filetype.DIRECTORY;
    case "file": return Filetype.REGULAR_FILE;
    default: return Filetype.CHARACTER_DEVICE;
  }
}

const STDIO_STAT: Filestat = { dev: 0n, ino: 0n, filetype: Filetype.CHARACTER_DEVICE, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };

function statOf(d: Descriptor): Filestat {
  switch (d.kind) {
    case "dir": return d.dir.stat();
    case "file": return d.file.stat();
    default: return STDIO_STAT;
  }
}

/** The attributes of what a resolved path names; `NOENT` when absent, `NOTDIR` for a non-directory with a trailing slash. */
function statAt(r: ResolvedPath): Filestat {
  const st = r.name === undefined ? r.dir.stat() : r.dir.lstatChild(r.name);
  if (r.trailingSlash && st.filetype !== Filetype.DIRECTORY) throw new FsError(Errno.NOTDIR);
  return st;
}

function existsAt(r: ResolvedPath): boolean {
  if (r.name === undefined) return true;
  try {
    r.dir.lstatChild(r.name);
    return true;
  } catch (e) {
    if (errnoOf(e) === Errno.NOENT) return false;
    throw e;
  }
}

function writeFilestat(m: GuestAccess, ptr: number, st: Filestat): void {
  m.u8.fill(0, ptr, ptr + 64);
  m.setU64(ptr, st.dev);
  m.setU64(ptr + 8, st.ino);
  m.setU8(ptr + 16, st.filetype);
  m.setU64(ptr + 24, st.nlink);
  m.setU64(ptr + 32, st.size);
  m.setU64(ptr + 40, st.atim);
  m.setU64(ptr + 48, st.mtim);
  m.setU64(ptr + 56, st.ctim);
}

/** Decodes `fstflags` and its two times; undefined for a contradictory or unknown flag (`INVAL`). */
function timeSpecs(atim: bigint, mtim: bigint, flags: number): [TimeSpec, TimeSpec] | undefined {
  const f = flags & 0xffff;
  if ((f & ~ALL_FSTFLAGS) !== 0) return undefined;
  if ((f & Fstflags.ATIM) !== 0 && (f & Fstflags.ATIM_NOW) !== 0) return undefined;
  if ((f & Fstflags.MTIM) !== 0 && (f & Fstflags.MTIM_NOW) !== 0) return undefined;
  const a: TimeSpec = (f & Fstflags.ATIM_NOW) !== 0 ? "now" : (f & Fstflags.ATIM) !== 0 ? BigInt.asUintN(64, atim) : undefined;
  const m: TimeSpec = (f & Fstflags.MTIM_NOW) !== 0 ? "now" : (f & Fstflags.MTIM) !== 0 ? BigInt.asUintN(64, mtim) : undefined;
  return [a, m];
}

/** The bytes of checked buffers `[ptr, len, …]`, copied into one array (the guest may change its memory afterwards). */
function gather(u8: Uint8Array, bufs: number[]): Uint8Array {
  if (bufs.length === 2) return u8.slice(bufs[0]!, bufs[0]! + bufs[1]!);
  let total = 0;
  for (let i = 1; i < bufs.length; i += 2) total += bufs[i]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < bufs.length; i += 2) {
    out.set(u8.subarray(bufs[i]!, bufs[i]! + bufs[i + 1]!), at);
    at += bufs[i + 1]!;
  }
  return out;
}

/** The import names, in witx order; each is a method of {@link Preview1}. */
export const PREVIEW1_FUNCTIONS = [
  "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get", "clock_time_get",
  "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get", "fd_fdstat_set_flags",
  "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
  "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite", "fd_read", "fd_readdir", "fd_renumber", "fd_seek",
  "fd_sync", "fd_tell", "fd_write", "path_create_directory", "path_filestat_get", "path_filestat_set_times",
  "path_link", "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
  "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "sched_yield", "random_get", "sock_accept",
  "sock_recv", "sock_send", "sock_shutdown",
] as const;
