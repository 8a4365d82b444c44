/**
 * User memory as the copy engine sees it: a `MemorySpace` whose runs are
 * found by translating virtual addresses page by page.
 *
 * Safety contract:
 * - `run(addr, len, write)` returns only bytes of pages that are mapped and
 *   allow the access, so a copy stops exactly at the first byte that faults;
 * - a translation comes from this thread's TLB when it is in step with the
 *   space's epoch, else from a page-table walk (which sets ACCESSED/DIRTY);
 *   pages after the first are merged into the run only while they hit the
 *   TLB and their frames are physically consecutive, so merging never sets a
 *   bit on a page the copy may not reach;
 * - on a fault the page-fault handler, if any, is called once for that
 *   byte. If it returns `true` the translation is retried once; a handler
 *   that claims success without fixing anything ends the access with a fault
 *   instead of looping. A handler's exception is parked and rethrown by the
 *   reader or writer after its cursor has accounted for the bytes moved.
 *   While the handler runs, faults on the same space are not handled again.
 *
 * @module
 */

import { MemorySpace } from "../io/memory-space.js";
import { PAGE_SIZE } from "../frame/page-size.js";
import type { SpaceState } from "./space-state.js";
import { TLB_ENTRIES, TLB_READ, TLB_WRITE } from "./tlb.js";

const MASK = TLB_ENTRIES - 1;

/**
 * The memory space of a user address space on this thread.
 *
 * @internal
 */
export class UserMemory extends MemorySpace {
  readonly shared: boolean;
  private readonly state: SpaceState;
  private readonly tags: Float64Array;
  private readonly paddrs: Float64Array;
  private readonly perms: Uint8Array;

  constructor(state: SpaceState) {
    super();
    this.state = state;
    this.shared = state.mem._shared;
    this.runBytes = state.mem._ram;
    this.runView = state.mem._view;
    this.tags = state.tlb.tags;
    this.paddrs = state.tlb.paddrs;
    this.perms = state.tlb.perms;
  }

  run(addr: number, len: number, write: boolean): number {
    const state = this.state;
    // A dead space has bumped its epoch and flushed this TLB, so the check
    // for death happens on the miss path (translate), not here.
    state.syncTlb();
    const need = write ? TLB_WRITE : TLB_READ;
    const vpn = Math.floor(addr / PAGE_SIZE);
    const slot = vpn & MASK;
    let paddr: number;
    if (this.tags[slot] === vpn && ((this.perms[slot] as number) & need) !== 0) paddr = this.paddrs[slot] as number;
    else {
      paddr = state.translate(vpn, write);
      if (paddr < 0) {
        paddr = this.fault(addr, vpn, write);
        if (paddr < 0) return 0;
      }
    }
    const offset = addr - vpn * PAGE_SIZE;
    this.runOffset = paddr + offset;
    let n = PAGE_SIZE - offset;
    if (n >= len) return len;
    // Merge the following pages while they are cached and physically next.
    const tags = this.tags;
    const perms = this.perms;
    const paddrs = this.paddrs;
    let expect = paddr + PAGE_SIZE;
    for (let v = vpn + 1; n < len; v++) {
      const s = v & MASK;
      if (tags[s] !== v || ((perms[s] as number) & need) === 0 || paddrs[s] !== expect) break;
      n += PAGE_SIZE;
      expect += PAGE_SIZE;
    }
    return n < len ? n : len;
  }

  /** Resolves a fault through the handler; returns the page's physical address, or -1 for a fault that stands. */
  private fault(addr: number, vpn: number, write: boolean): number {
    const state = this.state;
    const handler = state.handler;
    if (handler !== undefined && !state.inHandler) {
      let resolved: boolean;
      state.inHandler = true;
      try {
        resolved = handler({ address: addr, write }) === true;
      } catch (e) {
        this.pendingError = e;
        this.hasPendingError = true;
        this.faultAddr = addr;
        this.faultWrite = write;
        return -1;
      } finally {
        state.inHandler = false;
      }
      if (resolved) {
        state.live();
        state.syncTlb();
        const paddr = state.translate(vpn, write);
        if (paddr >= 0) return paddr;
      }
    }
    this.faultAddr = addr;
    this.faultWrite = write;
    return -1;
  }
}
