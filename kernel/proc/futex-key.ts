/**
 * Futex keys: which word two futex calls mean. Private memory is keyed by
 * its address space and virtual address; a page of a shared mapping by the
 * shared object and the page's offset in it, so processes sharing the page
 * share its futexes.
 *
 * Linux counterpart: `get_futex_key`.
 *
 * @module
 */

import { PAGE_SIZE } from "vmio";
import type { SharedMemory } from "../mm/shared-memory.js";
import type { ProcessMemory } from "./process-memory.js";

const sharedIds = new WeakMap<SharedMemory, number>();
let nextShared = 0;

/** The key of the futex word at `addr` in `pm`. */
export function futexKey(pm: ProcessMemory, addr: number): string {
  const vma = pm.as.find(addr);
  if (vma !== undefined && vma.backing.kind === "shared") {
    const obj = vma.backing.object;
    let id = sharedIds.get(obj);
    if (id === undefined) sharedIds.set(obj, (id = ++nextShared));
    return `s${id}:${vma.backing.pgoff * PAGE_SIZE + (addr - vma.start)}`;
  }
  return `m${pm.id}:${addr}`;
}
