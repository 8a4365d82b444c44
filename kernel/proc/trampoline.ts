/**
 * The signal trampoline: a read-only, executable page in every address
 * space holding `li a7, 139; ecall` (`rt_sigreturn`). A signal handler
 * returns to it (its `ra`), which brings the thread back into the kernel to
 * restore the interrupted context.
 *
 * Linux counterpart: the vDSO's `__vdso_rt_sigreturn` on RISC-V
 * (`arch/riscv/kernel/vdso/rt_sigreturn.S`).
 *
 * @module
 */

import { PAGE_SIZE } from "vmio";
import { PROT_EXEC, PROT_READ } from "../abi/mman.js";
import type { AddressSpace } from "../mm/address-space.js";

/** `addi a7, zero, 139` then `ecall`, little-endian. */
const CODE = new Uint8Array(new Uint32Array([0x08b0_0893, 0x0000_0073]).buffer);

/** Maps the trampoline page in `as` (where `mmap` would put a page) and returns its address. */
export function mapTrampoline(as: AddressSpace): number {
  const at = as.findFree(PAGE_SIZE);
  as.map(at, PAGE_SIZE, PROT_READ | PROT_EXEC, { kind: "file", data: CODE, offset: 0, limit: CODE.length }, { name: "[vdso]" });
  return at;
}
