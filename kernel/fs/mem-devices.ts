/**
 * The memory character devices: `/dev/null`, `/dev/zero`, `/dev/full`,
 * `/dev/random` and `/dev/urandom`.
 *
 * Linux counterpart: `drivers/char/mem.c` and `drivers/char/random.c`.
 *
 * @module
 */

import { Errno } from "../abi/errno.js";
import { DeviceInode, makeDev, type InodeHost } from "./inode.js";
import { partial, type ByteSink, type ByteSource, type IoContext } from "./io.js";
import { OpenFile } from "./open-file.js";

/** Fills a byte array with random bytes (the kernel's entropy source). */
export type RandomSource = (bytes: Uint8Array) => void;

/** Which memory device. */
type MemKind = "null" | "zero" | "full" | "random";

/** Bytes handed out per step by the infinite devices. */
const CHUNK = 65536;

/**
 * An open memory device.
 *
 * Linux counterpart: `null_fops`, `zero_fops`, `full_fops`, `urandom_fops`.
 */
class MemDeviceFile extends OpenFile {
  readonly #kind: MemKind;
  readonly #random: RandomSource;

  constructor(inode: DeviceInode, flags: number, kind: MemKind, random: RandomSource) {
    super(inode, flags);
    this.#kind = kind;
    this.#random = random;
  }

  override read(sink: ByteSink, _ctx: IoContext): number {
    return this.readAt(sink, 0);
  }

  override readAt(sink: ByteSink, _pos: number): number {
    if (this.#kind === "null") return 0;
    const want = Math.min(sink.avail, 2 ** 31 - 4096);
    let moved = 0;
    while (moved < want) {
      const chunk = new Uint8Array(Math.min(CHUNK, want - moved));
      if (this.#kind === "random") this.#random(chunk);
      const got = sink.put(chunk);
      moved += got;
      if (got < chunk.length) return partial(moved, want);
    }
    return moved;
  }

  override write(source: ByteSource, _ctx: IoContext): number {
    return this.writeAt(source, 0);
  }

  override writeAt(source: ByteSource, _pos: number): number {
    // Writes to the memory devices succeed without reading the buffer (Linux's write_null), except /dev/full.
    if (this.#kind === "full") return -Errno.ENOSPC;
    return source.remain;
  }

  override seek(_offset: number, _whence: number): number {
    this.pos = 0;
    return 0;
  }
}

/** Makes the inodes of the memory devices, by name. */
export function memDevices(host: InodeHost, random: RandomSource): Array<[string, DeviceInode]> {
  const make = (minor: number, kind: MemKind): DeviceInode =>
    new DeviceInode(host, 0o666, makeDev(1, minor), (inode, flags) => new MemDeviceFile(inode, flags, kind, random));
  return [
    ["null", make(3, "null")],
    ["zero", make(5, "zero")],
    ["full", make(7, "full")],
    ["random", make(8, "random")],
    ["urandom", make(9, "random")],
  ];
}
