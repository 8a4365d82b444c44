/**
 * The system-call table of RISC-V Linux (`include/uapi/asm-generic/unistd.h`
 * numbers): what this kernel implements. A number not listed answers
 * `ENOSYS`, as Linux does for calls it does not have — which is what glibc
 * expects of `riscv_hwprobe`, `rseq` and `clone3` (it then falls back).
 *
 * @module
 */

import type { Handler } from "./call.js";
import {
  sysFchmod,
  sysFchmodat,
  sysFchown,
  sysFchownat,
  sysFaccessat,
  sysFaccessat2,
  sysFstat,
  sysFsync,
  sysFtruncate,
  sysGetdents64,
  sysNewfstatat,
  sysReadlinkat,
  sysTruncate,
  sysUtimensat,
} from "./fs-meta.js";
import { sysChdir, sysFchdir, sysGetcwd, sysLinkat, sysMkdirat, sysRenameat2, sysSymlinkat, sysUnlinkat } from "./fs-dir.js";
import { sysLseek, sysPread, sysPreadv, sysPwrite, sysPwritev, sysRead, sysReadv, sysSendfile, sysWrite, sysWritev } from "./fs-io.js";
import { sysClose, sysCloseRange, sysDup, sysDup3, sysFcntl, sysIoctl, sysOpenat, sysPipe2 } from "./fs-open.js";
import { sysFutex, sysGetRobustList, sysSetRobustList } from "./futex.js";
import { sysGetrlimit, sysPrlimit64, sysSetrlimit } from "./limits.js";
import { sysBrk, sysMadvise, sysMmap, sysMprotect, sysMremap, sysMsync, sysMunmap } from "./mm.js";
import {
  sysClone,
  sysExecve,
  sysExit,
  sysExitGroup,
  sysGetgid,
  sysGetpgid,
  sysGetpid,
  sysGetppid,
  sysGetrusage,
  sysGetsid,
  sysGettid,
  sysGetuid,
  sysPrctl,
  sysSchedGetaffinity,
  sysSchedSetaffinity,
  sysSchedYield,
  sysSetTidAddress,
  sysSetpgid,
  sysSetsid,
  sysTimes,
  sysUmask,
  sysWait4,
} from "./process.js";
import {
  sysKill,
  sysRtSigaction,
  sysRtSigpending,
  sysRtSigprocmask,
  sysRtSigreturn,
  sysRtSigsuspend,
  sysSigaltstack,
  sysTgkill,
  sysTkill,
} from "./signal.js";
import { sysMembarrier, sysRiscvFlushIcache, sysGetrandom, sysSysinfo, sysUname } from "./system-info.js";
import { sysClockGetres, sysClockGettime, sysClockNanosleep, sysGettimeofday, sysNanosleep } from "./time.js";

/** Handlers by system-call number. */
const entries: Array<[number, Handler]> = [
  [17, sysGetcwd],
  [23, sysDup],
  [24, sysDup3],
  [25, sysFcntl],
  [29, sysIoctl],
  [34, sysMkdirat],
  [35, sysUnlinkat],
  [36, sysSymlinkat],
  [37, sysLinkat],
  [45, sysTruncate],
  [46, sysFtruncate],
  [48, sysFaccessat],
  [49, sysChdir],
  [50, sysFchdir],
  [52, sysFchmod],
  [53, sysFchmodat],
  [54, sysFchownat],
  [55, sysFchown],
  [56, sysOpenat],
  [57, sysClose],
  [59, sysPipe2],
  [61, sysGetdents64],
  [62, sysLseek],
  [63, sysRead],
  [64, sysWrite],
  [65, sysReadv],
  [66, sysWritev],
  [67, sysPread],
  [68, sysPwrite],
  [69, sysPreadv],
  [70, sysPwritev],
  [71, sysSendfile],
  [78, sysReadlinkat],
  [79, sysNewfstatat],
  [80, sysFstat],
  [82, sysFsync],
  [83, sysFsync],
  [88, sysUtimensat],
  [93, sysExit],
  [94, sysExitGroup],
  [96, sysSetTidAddress],
  [98, sysFutex],
  [99, sysSetRobustList],
  [100, sysGetRobustList],
  [101, sysNanosleep],
  [113, sysClockGettime],
  [114, sysClockGetres],
  [115, sysClockNanosleep],
  [122, sysSchedSetaffinity],
  [123, sysSchedGetaffinity],
  [124, sysSchedYield],
  [129, sysKill],
  [130, sysTkill],
  [131, sysTgkill],
  [132, sysSigaltstack],
  [133, sysRtSigsuspend],
  [134, sysRtSigaction],
  [135, sysRtSigprocmask],
  [136, sysRtSigpending],
  [139, sysRtSigreturn],
  [153, sysTimes],
  [154, sysSetpgid],
  [155, sysGetpgid],
  [156, sysGetsid],
  [157, sysSetsid],
  [160, sysUname],
  [163, sysGetrlimit],
  [164, sysSetrlimit],
  [165, sysGetrusage],
  [166, sysUmask],
  [167, sysPrctl],
  [169, sysGettimeofday],
  [172, sysGetpid],
  [173, sysGetppid],
  [174, sysGetuid],
  [175, sysGetuid],
  [176, sysGetgid],
  [177, sysGetgid],
  [178, sysGettid],
  [179, sysSysinfo],
  [214, sysBrk],
  [215, sysMunmap],
  [216, sysMremap],
  [220, sysClone],
  [221, sysExecve],
  [222, sysMmap],
  [226, sysMprotect],
  [227, sysMsync],
  [228, sysMsync],
  [229, sysMsync],
  [233, sysMadvise],
  [259, sysRiscvFlushIcache],
  [260, sysWait4],
  [261, sysPrlimit64],
  [276, sysRenameat2],
  [278, sysGetrandom],
  [283, sysMembarrier],
  [436, sysCloseRange],
  [439, sysFaccessat2],
];

/** The system-call table. */
export const SYSCALLS: ReadonlyArray<Handler | undefined> = (() => {
  const t: Array<Handler | undefined> = [];
  for (const [nr, h] of entries) t[nr] = h;
  return t;
})();
