/**
 * What a shell prints when a job dies of a signal (glibc's `strsignal`
 * texts, as bash reports them).
 *
 * @module
 */

const NAMES: Record<number, string> = {
  1: "Hangup",
  2: "Interrupt",
  3: "Quit",
  4: "Illegal instruction",
  5: "Trace/breakpoint trap",
  6: "Aborted",
  7: "Bus error",
  8: "Floating point exception",
  9: "Killed",
  10: "User defined signal 1",
  11: "Segmentation fault",
  12: "User defined signal 2",
  13: "Broken pipe",
  14: "Alarm clock",
  15: "Terminated",
  16: "Stack fault",
  17: "Child exited",
  24: "CPU time limit exceeded",
  25: "File size limit exceeded",
  26: "Virtual timer expired",
  27: "Profiling timer expired",
  29: "I/O possible",
  30: "Power failure",
  31: "Bad system call",
};

/** The description of signal `sig` ("Segmentation fault"), with "(core dumped)" for a core-dumping death. */
export function describeSignal(sig: number, core = false): string {
  const name = NAMES[sig] ?? (sig >= 32 ? `Real-time signal ${sig - 32}` : `Signal ${sig}`);
  return core ? `${name} (core dumped)` : name;
}
