/**
 * `clone` flags (`include/uapi/linux/sched.h`).
 *
 * @module
 */

export const CSIGNAL = 0xff;
export const CLONE_VM = 0x100;
export const CLONE_FS = 0x200;
export const CLONE_FILES = 0x400;
export const CLONE_SIGHAND = 0x800;
export const CLONE_PIDFD = 0x1000;
export const CLONE_PTRACE = 0x2000;
export const CLONE_VFORK = 0x4000;
export const CLONE_PARENT = 0x8000;
export const CLONE_THREAD = 0x1_0000;
export const CLONE_NEWNS = 0x2_0000;
export const CLONE_SYSVSEM = 0x4_0000;
export const CLONE_SETTLS = 0x8_0000;
export const CLONE_PARENT_SETTID = 0x10_0000;
export const CLONE_CHILD_CLEARTID = 0x20_0000;
export const CLONE_DETACHED = 0x40_0000;
export const CLONE_UNTRACED = 0x80_0000;
export const CLONE_CHILD_SETTID = 0x100_0000;
/** Namespace and other flags this kernel does not support (`EINVAL`). */
export const CLONE_UNSUPPORTED = 0xfe00_0000 | CLONE_NEWNS | CLONE_PIDFD;
