/**
 * `UserMemory`: what the user-memory helpers need from a memory — fallible
 * readers and writers at user addresses. `VmSpace` (virtual addresses,
 * page by page) and `GuestMemory` (wasm32 pointers into linear memory) both
 * are; so is anything else that hands out fallible cursors.
 *
 * @module
 */

import type { Fallible } from "../io/fallibility.js";
import type { VmReader } from "../io/vm-reader.js";
import type { VmWriter } from "../io/vm-writer.js";

/**
 * Memory a system call reaches through user pointers: `VmSpace` and
 * `GuestMemory` alike.
 *
 * OSTD counterpart: the `reader`/`writer` pair of `VmSpace` (Asterinas'
 * `CurrentUserSpace`).
 */
export interface UserMemory {
  /** A fallible reader over `[addr, addr + len)`. */
  reader(addr: number, len: number): VmReader<Fallible>;
  /** A fallible writer over `[addr, addr + len)`. */
  writer(addr: number, len: number): VmWriter<Fallible>;
}
