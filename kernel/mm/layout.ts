/**
 * Where things go in a user address space: RISC-V Linux's default layout
 * with address-space randomization off (as under `setarch -R`), so runs are
 * reproducible.
 *
 * Linux counterpart: `arch/riscv/include/asm/processor.h` (`STACK_TOP`,
 * `DEFAULT_MAP_WINDOW`), `mm/util.c` (`mmap_base`), `fs/exec.c`.
 *
 * @module
 */

/**
 * The end of the default user window: 2^38 (Sv39's half), where RISC-V Linux
 * puts the stack and below which `mmap` answers unless given a higher hint.
 */
export const STACK_TOP = 0x40_0000_0000;
/** The end of user addresses the kernel accepts at all (Sv48). */
export const TASK_SIZE = 0x8000_0000_0000 - 4096;
/** The stack's size limit (`RLIMIT_STACK`'s default, 8 MiB). */
export const STACK_LIMIT = 8 * 2 ** 20;
/** The initial stack area below the arguments (Linux's `stack_expand`, 128 KiB). */
export const STACK_INITIAL = 128 * 1024;
/** Free space that must stay between a growing stack and the area below it (Linux's `stack_guard_gap`, 256 pages). */
export const STACK_GUARD_GAP = 256 * 4096;
/** Top of the `mmap` area (Linux: the stack limit plus a gap, at least 128 MiB below the stack). */
export const MMAP_BASE = STACK_TOP - 128 * 2 ** 20;
/** Lowest address `mmap` hands out (Linux's `mmap_min_addr`). */
export const MMAP_MIN_ADDR = 0x1_0000;
