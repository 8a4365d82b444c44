/**
 * An open regular file: reads and writes at the offset or at a position,
 * `O_APPEND`, seeking (holes read as zeros).
 *
 * Linux counterpart: `generic_file_read_iter`, `generic_perform_write`,
 * `generic_file_llseek` on a ramfs file.
 *
 * @module
 */

import { Errno, SysError } from "../abi/errno.js";
import { SEEK_CUR, SEEK_END, SEEK_SET } from "../abi/fcntl.js";
import { MAX_FILE_SIZE, type RegularFile } from "./inode.js";
import { partial, type ByteSink, type ByteSource, type IoContext } from "./io.js";
import { OpenFile } from "./open-file.js";

/** Linux's cap on one transfer: `MAX_RW_COUNT`. */
export const MAX_RW_COUNT = 2 ** 31 - 4096;

/** Bytes moved from a source in one step of a write: a page, as Linux's `generic_perform_write`. */
const WRITE_CHUNK = 65536;

/**
 * An open regular file.
 *
 * Linux counterpart: `struct file` of a regular file.
 */
export class RegularOpenFile extends OpenFile {
  declare readonly inode: RegularFile;

  constructor(inode: RegularFile, flags: number) {
    super(inode, flags);
  }

  override read(sink: ByteSink, _ctx: IoContext): number {
    const n = this.readAt(sink, this.pos);
    if (n > 0) this.pos += n;
    return n;
  }

  override readAt(sink: ByteSink, pos: number): number {
    const data = this.inode.bytes();
    if (pos >= data.length) return 0;
    const want = Math.min(sink.avail, data.length - pos, MAX_RW_COUNT);
    const got = sink.put(data.subarray(pos, pos + want));
    this.inode.atimeMs = this.inode.host.now();
    return got < want ? partial(got, want) : got;
  }

  override write(source: ByteSource, _ctx: IoContext): number {
    if (this.append) this.pos = this.inode.size();
    const n = this.writeAt(source, this.pos);
    if (n > 0) this.pos += n;
    return n;
  }

  override writeAt(source: ByteSource, pos: number): number {
    const want = Math.min(source.remain, MAX_RW_COUNT);
    if (want === 0) return 0;
    if (pos >= MAX_FILE_SIZE) return -Errno.EFBIG;
    let moved = 0;
    while (moved < want) {
      const step = Math.min(WRITE_CHUNK, want - moved, MAX_FILE_SIZE - (pos + moved));
      if (step === 0) break;
      const bytes = source.take(step);
      if (bytes.length > 0) {
        try {
          this.inode.writeAt(pos + moved, bytes);
        } catch (e) {
          if (e instanceof SysError) return moved > 0 ? moved : -e.errno;
          throw e;
        }
        moved += bytes.length;
      }
      if (bytes.length < step) return partial(moved, want);
    }
    return moved;
  }

  override seek(offset: number, whence: number): number {
    let base: number;
    if (whence === SEEK_SET) base = 0;
    else if (whence === SEEK_CUR) base = this.pos;
    else if (whence === SEEK_END) base = this.inode.size();
    else return -Errno.EINVAL;
    const next = base + offset;
    if (next < 0) return -Errno.EINVAL;
    if (next > Number.MAX_SAFE_INTEGER) return -Errno.EOVERFLOW;
    this.pos = next;
    return next;
  }
}
