/* sigfault: synchronous signals from the CPU, and the signal frame.
 *
 * SIGSEGV for a read of an unmapped page (SEGV_MAPERR), a write to a
 * read-only page (SEGV_ACCERR), a jump to a non-executable page and to an
 * unmapped one, and an address above the user half (2^47); SIGILL for an
 * illegal instruction (ILL_ILLOPC); SIGTRAP for ebreak (TRAP_BRKPT); SIGBUS
 * for a misaligned atomic (BUS_ADRALN). Each with si_addr exact (the
 * faulting address for SIGSEGV, the pc for the others), recovered
 * with siglongjmp. Then the frame itself: a handler that moves pc past the
 * faulting instruction and changes a0, and every integer and FP register
 * (and fcsr) intact after a handler ran. Finally the default actions in
 * children, and a second fault while SIGSEGV is still blocked (after a
 * longjmp that did not restore the mask), which kills.
 *
 *   sigfault                  the checks above
 *   sigfault --die segv|ill|term
 *                             prints one line and dies of SIGSEGV, SIGILL or
 *                             SIGTERM itself (exit status 139, 132 or 143 as
 *                             vmio-kernel reports it)
 */
#include "tap.h"

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

static sigjmp_buf recover;
static volatile int got_signo, got_code;
static volatile uintptr_t got_addr;

static void on_fault(int sig, siginfo_t *info, void *context) {
  (void)context;
  got_signo = sig;
  got_code = info->si_code;
  got_addr = (uintptr_t)info->si_addr;
  siglongjmp(recover, 1);
}

static void catch_all(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGILL, &sa, NULL);
  sigaction(SIGTRAP, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
}

typedef void (*action)(uintptr_t);

/* Runs act(arg), which must fault; checks the signal, code and address. */
static void expect_fault(const char *what, action act, uintptr_t arg, int signo, int code, uintptr_t addr) {
  got_signo = got_code = 0;
  got_addr = 0;
  if (sigsetjmp(recover, 1) == 0) {
    act(arg);
    check(0, "%s: no signal", what);
    return;
  }
  int pass = got_signo == signo && got_code == code && got_addr == addr;
  check(pass, "%s: signal %d, si_code %d, si_addr exact", what, signo, code);
  if (!pass) printf("# got signal %d, si_code %d, si_addr %s\n", got_signo, got_code, got_addr == addr ? "exact" : "wrong");
}

static __attribute__((noipa)) void read_at(uintptr_t a) { (void)*(volatile char *)a; }
static __attribute__((noipa)) void write_at(uintptr_t a) { *(volatile char *)a = 1; }
static __attribute__((noipa)) void jump_to(uintptr_t a) { ((void (*)(void))a)(); }
/* Instructions at known addresses: Linux reports the pc as si_addr for
 * illegal instructions, breakpoints and misaligned accesses. */
extern char illegal_at[], ebreak_at[], amo_insn_at[];
static __attribute__((noipa)) void amo_at(uintptr_t a) {
  long old;
  __asm__ volatile(".globl amo_insn_at\namo_insn_at: amoadd.w %0, %1, (%2)" : "=r"(old) : "r"(1L), "r"(a) : "memory");
}
static __attribute__((noipa)) void run_illegal(uintptr_t a) {
  (void)a;
  __asm__ volatile(".globl illegal_at\nillegal_at: .4byte 0xc0001073"); /* unimp: csrrw x0, cycle, x0 */
}
static __attribute__((noipa)) void run_ebreak(uintptr_t a) {
  (void)a;
  __asm__ volatile(".option push\n.option norvc\n.globl ebreak_at\nebreak_at: ebreak\n.option pop");
}

/* A handler that skips the faulting 4-byte instruction and sets a0 = 42. */
static void skip_and_set(int sig, siginfo_t *info, void *context) {
  (void)sig, (void)info;
  ucontext_t *uc = context;
  uc->uc_mcontext.__gregs[REG_PC] += 4;
  uc->uc_mcontext.__gregs[REG_A0] = 42;
}

static volatile int usr1_ran;
/* Clobbers as many registers as C lets it. */
static void clobber(int sig) {
  (void)sig;
  volatile double d = 1.5;
  for (int i = 0; i < 10; i++) d = d * 3.25 + i;
  __asm__ volatile("fsrmi zero, 2\n\tfsflagsi 0x1f" ::: "memory");
  __asm__ volatile("li t0, -1\n\tli t1, -1\n\tli t2, -1\n\tli t3, -1\n\tli t4, -1\n\tli t5, -1\n\tli t6, -1\n\t"
                   "li a1, -1\n\tli a2, -1\n\tli a3, -1\n\tli a4, -1\n\tli a5, -1\n\tli a6, -1\n\t"
                   "fmv.d.x ft0, t0\n\tfmv.d.x ft11, t0\n\tfmv.d.x fa0, t0\n\tfmv.d.x fa7, t0\n\tfmv.d.x fs0, t0\n\t"
                   "fmv.d.x fs11, t0" ::: "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a1", "a2", "a3", "a4", "a5", "a6",
                   "ft0", "ft11", "fa0", "fa7", "fs0", "fs11");
  usr1_ran = (int)d;
}

static int die(const char *how) {
  printf("sigfault: about to die of %s\n", how);
  fflush(stdout);
  if (strcmp(how, "segv") == 0) read_at(16);
  else if (strcmp(how, "ill") == 0) run_illegal(0);
  else if (strcmp(how, "term") == 0) kill(getpid(), SIGTERM);
  printf("sigfault: still alive\n");
  return 1;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--die") == 0) return die(argv[2]);
  tap_begin("sigfault");
  catch_all();

  char *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *rw = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *gone = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(gone, PAGE);
  memcpy(rw, "\x13\x00\x00\x00\x67\x80\x00\x00", 8); /* nop; ret: valid code, but not executable */

  expect_fault("read of address 16", read_at, 16, SIGSEGV, SEGV_MAPERR, 16);
  expect_fault("read of an unmapped page", read_at, (uintptr_t)gone + 100, SIGSEGV, SEGV_MAPERR, (uintptr_t)gone + 100);
  expect_fault("write to a read-only page", write_at, (uintptr_t)ro + 123, SIGSEGV, SEGV_ACCERR, (uintptr_t)ro + 123);
  expect_fault("write to the program's code", write_at, (uintptr_t)main, SIGSEGV, SEGV_ACCERR, (uintptr_t)main);
  expect_fault("jump to a non-executable page", jump_to, (uintptr_t)rw, SIGSEGV, SEGV_ACCERR, (uintptr_t)rw);
  expect_fault("jump to an unmapped page", jump_to, (uintptr_t)gone, SIGSEGV, SEGV_MAPERR, (uintptr_t)gone);
  expect_fault("read at 2^47, above user space", read_at, 1UL << 47, SIGSEGV, SEGV_MAPERR, 1UL << 47);
  expect_fault("an illegal instruction", run_illegal, 0, SIGILL, ILL_ILLOPC, (uintptr_t)illegal_at);
  expect_fault("ebreak", run_ebreak, 0, SIGTRAP, TRAP_BRKPT, (uintptr_t)ebreak_at);
  expect_fault("a misaligned amoadd.w (si_addr is its pc)", amo_at, (uintptr_t)rw + 2, SIGBUS, BUS_ADRALN,
               (uintptr_t)amo_insn_at);

  /* The handler edits the frame: rt_sigreturn resumes where it says. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = skip_and_set;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGILL, &sa, NULL);
  long a0;
  __asm__ volatile("li a0, 7\n\t.4byte 0xc0001073\n\tmv %0, a0" : "=r"(a0) : : "a0");
  check_eq(a0, 42, "a handler that moves pc past the instruction and sets a0 = 42: resumed with a0 = 42");

  /* Every register survives a handler that clobbers them. */
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = clobber;
  sigaction(SIGUSR1, &sa, NULL);
  long pid = getpid(), fails;
  __asm__ volatile("fsrmi zero, 1\n\tfsflagsi 0\n\t"
                   "li t0, 0x1001\n\tli t1, 0x1002\n\tli t2, 0x1003\n\tli t3, 0x1004\n\tli t4, 0x1005\n\t"
                   "li t5, 0x1006\n\tli t6, 0x1007\n\tli a3, 0x1008\n\tli a4, 0x1009\n\tli a5, 0x100a\n\t"
                   "li a6, 0x100b\n\t"
                   "fmv.d.x ft0, t0\n\tfmv.d.x ft11, t1\n\tfmv.d.x fa0, t2\n\tfmv.d.x fa7, t3\n\t"
                   "fmv.d.x fs0, t4\n\tfmv.d.x fs11, t5\n\t"
                   "mv a0, %1\n\tli a1, %2\n\tli a7, %3\n\tecall\n\t" /* kill(getpid(), SIGUSR1) */
                   "li %0, 0\n\t"
                   "li a0, 0x1001\n\tbeq t0, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "li a0, 0x1002\n\tbeq t1, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "li a0, 0x1003\n\tbeq t2, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "li a0, 0x1004\n\tbeq t3, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "li a0, 0x1005\n\tbeq t4, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "li a0, 0x1006\n\tbeq t5, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "li a0, 0x1007\n\tbeq t6, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "li a0, 0x1008\n\tbeq a3, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "li a0, 0x1009\n\tbeq a4, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "li a0, 0x100a\n\tbeq a5, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "li a0, 0x100b\n\tbeq a6, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "fmv.x.d a0, ft0\n\tbeq t0, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "fmv.x.d a0, ft11\n\tbeq t1, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "fmv.x.d a0, fa0\n\tbeq t2, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "fmv.x.d a0, fa7\n\tbeq t3, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "fmv.x.d a0, fs0\n\tbeq t4, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "fmv.x.d a0, fs11\n\tbeq t5, a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "frrm a0\n\tli a1, 1\n\tbeq a0, a1, 1f\n\taddi %0, %0, 1\n1:\t"
                   "frflags a0\n\tbeqz a0, 1f\n\taddi %0, %0, 1\n1:\t"
                   "fsrmi zero, 0"
                   : "=&r"(fails)
                   : "r"(pid), "i"(SIGUSR1), "i"(SYS_kill)
                   : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a0", "a1", "a3", "a4", "a5", "a6", "a7", "ft0",
                     "ft11", "fa0", "fa7", "fs0", "fs11", "memory");
  check(usr1_ran != 0, "the clobbering handler ran inside the ecall");
  check_eq(fails, 0, "after it, t0-t6, a3-a6, ft0, ft11, fa0, fa7, fs0, fs11, frm and fflags are as they were");

  /* Default actions. */
  const struct {
    action act;
    uintptr_t arg;
    int sig;
    const char *what;
  } deaths[] = {{read_at, 16, SIGSEGV, "a read of address 16"},
                {run_illegal, 0, SIGILL, "an illegal instruction"},
                {run_ebreak, 0, SIGTRAP, "ebreak"},
                {amo_at, (uintptr_t)rw + 1, SIGBUS, "a misaligned amoadd.w"}};
  for (size_t i = 0; i < sizeof deaths / sizeof deaths[0]; i++) {
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
      signal(deaths[i].sig, SIG_DFL);
      deaths[i].act(deaths[i].arg);
      _exit(0);
    }
    int status = -1;
    waitpid(child, &status, 0);
    check(WIFSIGNALED(status) && WTERMSIG(status) == deaths[i].sig, "by default %s kills with signal %d", deaths[i].what,
          deaths[i].sig);
  }

  /* A fault while SIGSEGV is blocked kills, handler or not. */
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    catch_all();
    int faults = 0;
    if (sigsetjmp(recover, 0) == 0) read_at(16); /* 0: the mask is not restored */
    faults++;
    if (sigsetjmp(recover, 0) == 0) read_at(16); /* SIGSEGV is still blocked */
    faults++;
    _exit(faults);
  }
  int status = -1;
  waitpid(child, &status, 0);
  check(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
        "a second fault with SIGSEGV still blocked (longjmp without the mask) kills with SIGSEGV");
  return tap_end();
}
