/**
 * Pipes: a 64 KiB ring buffer between a read end and a write end, with
 * Linux's blocking, end-of-file, `EPIPE`/`SIGPIPE` and `PIPE_BUF`
 * atomicity rules.
 *
 * Linux counterpart: `fs/pipe.c` (`pipe_read`, `pipe_write`).
 *
 * @module
 */

import { Errno } from "../abi/errno.js";
import { O_NONBLOCK, O_RDONLY, O_WRONLY } from "../abi/fcntl.js";
import { WaitQueue } from "../sync/wait-queue.js";
import { PipeInode, type InodeHost } from "./inode.js";
import { BLOCKED, partial, type ByteSink, type ByteSource, type IoContext } from "./io.js";
import { OpenFile, type IoctlResult } from "./open-file.js";

/** Capacity of a pipe (Linux: 16 pages). */
export const PIPE_CAPACITY = 65536;
/** Writes up to this size are atomic. Linux counterpart: `PIPE_BUF`. */
export const PIPE_BUF = 4096;
/** `ioctl` asking how many bytes can be read. */
const FIONREAD = 0x541b;

/**
 * The shared buffer and the counts of open ends.
 *
 * Linux counterpart: `struct pipe_inode_info`.
 */
export class Pipe {
  readonly inode: PipeInode;
  readonly #buf = new Uint8Array(PIPE_CAPACITY);
  #head = 0;
  #len = 0;
  readers = 0;
  writers = 0;
  /** Readers wait here for data or for the last writer to close. */
  readonly readable = new WaitQueue();
  /** Writers wait here for room or for the last reader to close. */
  readonly writable = new WaitQueue();

  constructor(host: InodeHost, uid: number, gid: number) {
    this.inode = new PipeInode(host, uid, gid);
  }

  /** Bytes in the pipe. */
  get length(): number {
    return this.#len;
  }

  /**
   * Copies up to `max` buffered bytes into `sink`, in steps of at most a
   * page. A step the sink takes only in part (a fault) consumes nothing,
   * as Linux's `pipe_read` leaves a buffer it could not copy whole.
   */
  drain(sink: ByteSink, max: number): number {
    let moved = 0;
    while (moved < max && this.#len > 0) {
      const run = Math.min(max - moved, this.#len, PIPE_CAPACITY - this.#head, PIPE_BUF);
      const got = sink.put(this.#buf.subarray(this.#head, this.#head + run));
      if (got < run) return partial(moved, max);
      this.#head = (this.#head + got) % PIPE_CAPACITY;
      this.#len -= got;
      moved += got;
    }
    return moved;
  }

  /** Appends `bytes` (which must fit). */
  fill(bytes: Uint8Array): void {
    let tail = (this.#head + this.#len) % PIPE_CAPACITY;
    let i = 0;
    while (i < bytes.length) {
      const run = Math.min(bytes.length - i, PIPE_CAPACITY - tail);
      this.#buf.set(bytes.subarray(i, i + run), tail);
      tail = (tail + run) % PIPE_CAPACITY;
      i += run;
    }
    this.#len += bytes.length;
  }

  /** Room left. */
  get room(): number {
    return PIPE_CAPACITY - this.#len;
  }
}

/** Makes a pipe and its two ends (`pipe2`). `flags` may hold `O_NONBLOCK` (and `O_CLOEXEC`, ignored here). */
export function makePipe(host: InodeHost, uid: number, gid: number, flags: number): [PipeReadEnd, PipeWriteEnd] {
  const pipe = new Pipe(host, uid, gid);
  return [new PipeReadEnd(pipe, O_RDONLY | (flags & O_NONBLOCK)), new PipeWriteEnd(pipe, O_WRONLY | (flags & O_NONBLOCK))];
}

/**
 * The read end of a pipe.
 *
 * Linux counterpart: `pipe_read` and the read side of `pipefifo_fops`.
 */
export class PipeReadEnd extends OpenFile {
  readonly pipe: Pipe;

  constructor(pipe: Pipe, flags: number) {
    super(pipe.inode, flags);
    this.pipe = pipe;
    pipe.readers++;
  }

  override read(sink: ByteSink, ctx: IoContext): number {
    const pipe = this.pipe;
    const want = sink.avail;
    if (want === 0) return 0;
    if (pipe.length === 0) {
      if (pipe.writers === 0) return 0;
      if (this.nonblock) return -Errno.EAGAIN;
      ctx.wait(pipe.readable);
      return BLOCKED;
    }
    const n = pipe.drain(sink, want);
    if (n !== 0) pipe.writable.wakeAll();
    return n;
  }

  override ioctl(cmd: number, _arg: number): IoctlResult {
    if (cmd === FIONREAD) return { out: new Uint8Array(new Int32Array([this.pipe.length]).buffer), result: 0 };
    return -Errno.ENOTTY;
  }

  override pollIn(): boolean {
    return this.pipe.length > 0 || this.pipe.writers === 0;
  }

  protected override release(): void {
    this.pipe.readers--;
    if (this.pipe.readers === 0) this.pipe.writable.wakeAll();
  }
}

/**
 * The write end of a pipe.
 *
 * Linux counterpart: `pipe_write`.
 */
export class PipeWriteEnd extends OpenFile {
  readonly pipe: Pipe;

  constructor(pipe: Pipe, flags: number) {
    super(pipe.inode, flags);
    this.pipe = pipe;
    pipe.writers++;
  }

  override write(source: ByteSource, ctx: IoContext): number {
    const pipe = this.pipe;
    let done = ctx.done;
    if (done > 0) source.skip(done);
    const total = done + source.remain;
    if (source.remain === 0) return done;
    while (source.remain > 0) {
      if (pipe.readers === 0) {
        ctx.sigpipe();
        return done > 0 ? done : -Errno.EPIPE;
      }
      const remain = source.remain;
      // Writes of at most PIPE_BUF bytes go in whole or wait: they are atomic.
      const fits = remain <= PIPE_BUF ? (pipe.room >= remain ? remain : 0) : pipe.room;
      if (fits === 0) {
        if (this.nonblock) return done > 0 ? done : -Errno.EAGAIN;
        ctx.done = done;
        ctx.wait(pipe.writable);
        return BLOCKED;
      }
      // A page at a time; a page copied only in part (a fault) is dropped, as Linux's pipe_write does.
      const step = Math.min(fits, PIPE_BUF);
      const bytes = source.take(step);
      if (bytes.length < step) return partial(done, total);
      pipe.fill(bytes);
      done += bytes.length;
      pipe.readable.wakeAll();
    }
    return done;
  }

  override pollOut(): boolean {
    return this.pipe.room >= PIPE_BUF || this.pipe.readers === 0;
  }

  protected override release(): void {
    this.pipe.writers--;
    if (this.pipe.writers === 0) this.pipe.readable.wakeAll();
  }
}
