/**
 * The guest's standard streams: character devices over the host's stdin,
 * stdout and stderr. A stream the host says is a terminal answers the
 * terminal `ioctl`s (`TCGETS`, `TIOCGWINSZ`, …); any other answers `ENOTTY`,
 * exactly as a pipe or a file would on Linux — which is how C libraries
 * decide between line and full buffering.
 *
 * Input arrives asynchronously from the host into an {@link InputQueue}; a
 * reader that finds it empty asks the host for more (`onDemand`) and sleeps.
 *
 * Linux counterpart: a tty's `n_tty_read`/`tty_write` as far as a program
 * without job control sees them.
 *
 * @module
 */

import { Errno } from "../abi/errno.js";
import { WaitQueue } from "../sync/wait-queue.js";
import { BLOCKED, partial, type ByteSink, type ByteSource, type IoContext } from "./io.js";
import { DeviceInode, makeDev, type InodeHost } from "./inode.js";
import { OpenFile, type IoctlResult } from "./open-file.js";

const TCGETS = 0x5401;
const TCSETS = 0x5402;
const TCSETSW = 0x5403;
const TCSETSF = 0x5404;
const TIOCGPGRP = 0x540f;
const TIOCSPGRP = 0x5410;
const TIOCGWINSZ = 0x5413;
const TIOCSWINSZ = 0x5414;
const FIONREAD = 0x541b;

/** Size of `struct termios` on RISC-V Linux (`asm-generic/termbits.h`). */
const TERMIOS_SIZE = 60;

/**
 * Bytes arriving from the host for the guest to read.
 *
 * Linux counterpart: a tty's input buffer.
 */
export class InputQueue {
  readonly #chunks: Uint8Array[] = [];
  #eof = false;
  #asked = false;
  /** Readers wait here. */
  readonly readable = new WaitQueue();
  /** Called when a reader found nothing: the host should deliver more (push) or end the stream. */
  onDemand: (() => void) | undefined;

  /** Delivers host bytes and wakes readers. */
  push(bytes: Uint8Array): void {
    this.#asked = false;
    if (bytes.length > 0) this.#chunks.push(bytes.slice());
    this.readable.wakeAll();
  }

  /** Marks the end of input (readers then see end of file). */
  end(): void {
    this.#asked = false;
    this.#eof = true;
    this.readable.wakeAll();
  }

  /** Bytes buffered now. */
  get buffered(): number {
    let n = 0;
    for (const c of this.#chunks) n += c.length;
    return n;
  }

  /** Whether the guest is waiting for the host to deliver input. */
  get waiting(): boolean {
    return this.#asked;
  }

  /** Reads what is buffered into `sink`: bytes, 0 at end of input, or `BLOCKED`. */
  read(sink: ByteSink, ctx: IoContext, nonblock: boolean): number {
    const want = sink.avail;
    if (want === 0) return 0;
    if (this.#chunks.length === 0) {
      if (this.#eof) return 0;
      if (nonblock) return -Errno.EAGAIN;
      ctx.wait(this.readable);
      if (!this.#asked) {
        this.#asked = true;
        this.onDemand?.();
      }
      return BLOCKED;
    }
    let moved = 0;
    while (moved < want && this.#chunks.length > 0) {
      const chunk = this.#chunks[0] as Uint8Array;
      const take = Math.min(chunk.length, want - moved);
      const got = sink.put(chunk.subarray(0, take));
      moved += got;
      if (got === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(got);
      if (got < take) return partial(moved, want);
    }
    return moved;
  }
}

/** How the host presents one standard stream. */
export interface HostStream {
  /** Input of the stream (stdin). */
  readonly input?: InputQueue;
  /** Output of the stream (stdout, stderr): called with a copy of each write. */
  readonly output?: (bytes: Uint8Array) => void;
  /** Whether the host stream is a terminal. */
  readonly tty: boolean;
  /** Terminal size (a terminal's default: 24 × 80). */
  readonly rows?: number;
  readonly cols?: number;
}

/**
 * Makes the device inode of a host stream (`/dev/stdin`, …); `minor`
 * tells them apart.
 */
export function hostStreamDevice(host: InodeHost, stream: HostStream, minor: number): DeviceInode {
  // Terminals are pseudo-terminals (major 136); redirected streams are shown as /dev/null-like character devices.
  const rdev = stream.tty ? makeDev(136, minor) : makeDev(1, 128 + minor);
  return new DeviceInode(host, 0o620, rdev, (inode, flags) => new TerminalFile(inode, flags, stream));
}

/**
 * An open host stream.
 *
 * Linux counterpart: an open tty (`tty_fops`), or a redirected stream.
 */
export class TerminalFile extends OpenFile {
  readonly stream: HostStream;
  /** The terminal settings a program set (kept and returned, not acted on). */
  #termios: Uint8Array | undefined;

  constructor(inode: DeviceInode, flags: number, stream: HostStream) {
    super(inode, flags);
    this.stream = stream;
  }

  override read(sink: ByteSink, ctx: IoContext): number {
    const input = this.stream.input;
    return input === undefined ? 0 : input.read(sink, ctx, this.nonblock);
  }

  override write(source: ByteSource, _ctx: IoContext): number {
    const want = source.remain;
    const bytes = source.take(want);
    if (bytes.length > 0) this.stream.output?.(bytes);
    return bytes.length < want ? partial(bytes.length, want) : bytes.length;
  }

  override ioctl(cmd: number, _arg: number): IoctlResult {
    const s = this.stream;
    if (cmd === FIONREAD && s.input !== undefined) return { out: new Uint8Array(new Int32Array([s.input.buffered]).buffer), result: 0 };
    if (!s.tty) return -Errno.ENOTTY;
    switch (cmd) {
      case TCGETS:
        return { out: (this.#termios ??= defaultTermios()).slice(), result: 0 };
      case TCSETS:
      case TCSETSW:
      case TCSETSF:
        return {
          in: TERMIOS_SIZE,
          apply: (bytes) => {
            this.#termios = bytes.slice();
            return 0;
          },
        };
      case TIOCGWINSZ: {
        const ws = new Uint16Array([s.rows ?? 24, s.cols ?? 80, 0, 0]);
        return { out: new Uint8Array(ws.buffer), result: 0 };
      }
      case TIOCSWINSZ:
        return 0;
      case TIOCGPGRP:
        return { out: new Uint8Array(new Int32Array([1]).buffer), result: 0 };
      case TIOCSPGRP:
        return 0;
      default:
        return -Errno.ENOTTY;
    }
  }

  override pollIn(): boolean {
    const input = this.stream.input;
    return input === undefined || input.buffered > 0;
  }
}

/** A cooked terminal's settings: `ICRNL`, `OPOST|ONLCR`, `B38400|CS8|CREAD`, `ISIG|ICANON|ECHO…`, the usual control characters. */
function defaultTermios(): Uint8Array {
  const t = new Uint8Array(TERMIOS_SIZE);
  const v = new DataView(t.buffer);
  v.setUint32(0, 0o2400, true); // c_iflag: ICRNL | IXON
  v.setUint32(4, 0o5, true); // c_oflag: OPOST | ONLCR
  v.setUint32(8, 0o277, true); // c_cflag: B38400 | CS8 | CREAD
  v.setUint32(12, 0o105073, true); // c_lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
  t[16] = 0; // c_line
  const cc = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22];
  t.set(cc, 17);
  return t;
}
