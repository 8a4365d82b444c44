/**
 * What a file operation moves bytes through, and how it blocks.
 *
 * File operations never see guest addresses: a read fills a {@link ByteSink}
 * and a write drains a {@link ByteSource}. For system calls both are user
 * memory (one buffer, or an iovec array) reached through vmio's fallible
 * readers and writers, so a copy stops exactly at the first bad byte and the
 * operation learns how far it got; tests and the kernel's own I/O use plain
 * byte arrays. An operation that moved some bytes before a fault reports
 * those bytes (Linux: `write(fd, buf, 20)` with 10 valid bytes returns 10);
 * one that moved none reports `EFAULT`.
 *
 * Linux counterpart: `struct iov_iter` and the `-EAGAIN`/`-ERESTARTSYS`
 * conventions of `read_iter`/`write_iter`.
 *
 * @module
 */

import { Errno } from "../abi/errno.js";
import type { WaitQueue } from "../sync/wait-queue.js";

/** Where a read puts its bytes. */
export interface ByteSink {
  /** Bytes it can still take. */
  readonly avail: number;
  /**
   * Copies up to `avail` bytes of `bytes` and returns how many it took; fewer
   * than asked (and than `avail`) means the destination faulted there.
   */
  put(bytes: Uint8Array): number;
}

/** Where a write takes its bytes from. */
export interface ByteSource {
  /** Bytes still to take. */
  readonly remain: number;
  /**
   * Copies up to `max` bytes (at most `remain`) into a new array and returns
   * it; a shorter array than asked means the source faulted there.
   */
  take(max: number): Uint8Array;
  /** Skips `n` bytes (already written by an earlier attempt of the same call). */
  skip(n: number): void;
}

/** Returned by a file operation that must wait: see {@link IoContext.wait}. */
export const BLOCKED = -512; // Linux's ERESTARTSYS, which never reaches user space either

/** The caller's side of a file operation. */
export interface IoContext {
  /**
   * Registers the caller on `queue`; the operation then returns
   * {@link BLOCKED}, the caller sleeps, and retries the whole call when woken.
   */
  wait(queue: WaitQueue): void;
  /**
   * Bytes an earlier, blocked attempt of this same call already moved (a
   * large pipe write that filled the pipe). The operation skips them and
   * counts them in its result; it stores its progress back before blocking.
   */
  done: number;
  /** Raises `SIGPIPE` on the caller (a write to a pipe with no reader). */
  sigpipe(): void;
}

/** A context for operations that can never block (tests, the kernel's own reads). */
export function nonBlockingContext(): IoContext {
  return {
    wait() {
      throw new Error("this operation was not expected to block");
    },
    done: 0,
    sigpipe() {},
  };
}

/** A sink over a byte array (kernel-internal reads, tests). */
export class ArraySink implements ByteSink {
  readonly #bytes: Uint8Array;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get avail(): number {
    return this.#bytes.length - this.#pos;
  }

  /** The bytes written so far. */
  get written(): Uint8Array {
    return this.#bytes.subarray(0, this.#pos);
  }

  put(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.avail);
    this.#bytes.set(bytes.subarray(0, n), this.#pos);
    this.#pos += n;
    return n;
  }
}

/** A source over a byte array. */
export class ArraySource implements ByteSource {
  readonly #bytes: Uint8Array;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get remain(): number {
    return this.#bytes.length - this.#pos;
  }

  take(max: number): Uint8Array {
    const n = Math.min(max, this.remain);
    const out = this.#bytes.slice(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  skip(n: number): void {
    this.#pos += Math.min(n, this.remain);
  }
}

/**
 * The result of a transfer that moved `moved` bytes out of `wanted`, given
 * whether the user buffer faulted: bytes moved count, else `-EFAULT`.
 */
export function partial(moved: number, wanted: number): number {
  return moved > 0 || wanted === 0 ? moved : -Errno.EFAULT;
}
