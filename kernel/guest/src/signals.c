/* signals: handlers, masks, kill, and the default actions.
 *
 * rt_sigaction (handlers, SA_SIGINFO, sa_mask, SA_NODEFER, SA_RESETHAND,
 * SA_RESTART, SIG_IGN, errors), rt_sigprocmask (blocking, pending signals
 * delivered once on unblock, SIGKILL not blockable), kill (self, child,
 * signal 0, errors), handlers that run and return (rt_sigreturn, with the
 * floating-point environment restored), SIGCHLD (siginfo, SIG_IGN reaping),
 * what fork inherits (handlers, mask; not pending signals), and default
 * actions seen through wait4 (SIGUSR1 and SIGTERM terminate, SIGCHLD and
 * SIGURG are ignored, SIGKILL cannot be caught).
 *
 * Signals sent to oneself are delivered before kill returns; a child's
 * SIGCHLD before the wait4 that reaps it returns. That is what makes the
 * order of events here fixed.
 */
#include "tap.h"

#include <fenv.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int count;
static volatile siginfo_t last_info;
static char events[64];
static volatile int events_len;
static volatile int blocked_inside;
static volatile int round_inside;

static void note(char c) {
  if (events_len < (int)sizeof events - 1) events[events_len++] = c;
  events[events_len] = 0;
}

static void counter(int sig) {
  (void)sig;
  count++;
}

static void with_info(int sig, siginfo_t *info, void *context) {
  (void)sig, (void)context;
  last_info = *info;
  count++;
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  blocked_inside = sigismember(&now, SIGUSR1);
}

static void usr1_sends_usr2(int sig) {
  (void)sig;
  note('A');
  kill(getpid(), SIGUSR2);
  note('a');
}

static void usr2_notes(int sig) {
  (void)sig;
  note('B');
}

static void usr1_again(int sig) {
  (void)sig;
  note('A');
  if (events_len < 2) kill(getpid(), SIGUSR1);
  note('a');
}

static void changes_rounding(int sig) {
  (void)sig;
  fesetround(FE_DOWNWARD);
  round_inside = fegetround();
  count++;
}

static void handle(int sig, void (*fn)(int), int flags, int masked) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  if (masked) sigaddset(&sa.sa_mask, masked);
  sigaction(sig, &sa, NULL);
}

/* Sends SIGUSR1, handled by fn, to ourselves; returns the events noted. */
static const char *events_of(void (*fn)(int), int flags, int masked) {
  handle(SIGUSR1, fn, flags, masked);
  events_len = 0;
  events[0] = 0;
  kill(getpid(), SIGUSR1);
  return events;
}

static pid_t spawn(void) {
  fflush(stdout);
  return fork();
}

static int wait_status(pid_t pid) {
  int status = -1;
  waitpid(pid, &status, 0);
  return status;
}

static int killed_by(int status, int sig) { return WIFSIGNALED(status) && WTERMSIG(status) == sig; }

int main(void) {
  tap_begin("signals");
  pid_t me = getpid();
  struct sigaction sa, old;
  sigset_t set, now;

  /* A handler runs before kill returns, and returns. */
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = counter;
  check_ret(sigaction(SIGUSR1, &sa, &old), 0, "sigaction(SIGUSR1, handler)");
  check(old.sa_handler == SIG_DFL, "the old disposition was SIG_DFL");
  check_ret(kill(me, SIGUSR1), 0, "kill(getpid(), SIGUSR1)");
  check_eq(count, 1, "the handler ran once, before kill returned");
  check_ret(sigaction(SIGUSR1, NULL, &old), 0, "sigaction query");
  check(old.sa_handler == counter, "the query returns the handler");

  /* SA_SIGINFO, and the signal is blocked while its handler runs. */
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = with_info;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  count = 0;
  kill(me, SIGUSR1);
  check_eq(count, 1, "an SA_SIGINFO handler ran");
  check(last_info.si_signo == SIGUSR1 && last_info.si_code == SI_USER, "si_signo SIGUSR1, si_code SI_USER");
  check(last_info.si_pid == me && last_info.si_uid == getuid(), "si_pid and si_uid are the sender's");
  check(blocked_inside, "SIGUSR1 is blocked while its handler runs");
  sigprocmask(SIG_BLOCK, NULL, &now);
  check(!sigismember(&now, SIGUSR1), "and unblocked again after it returns");

  /* The floating-point environment is saved and restored around a handler. */
  handle(SIGUSR1, changes_rounding, 0, 0);
  fesetround(FE_UPWARD);
  kill(me, SIGUSR1);
  int after = fegetround();
  fesetround(FE_TONEAREST);
  check(round_inside == FE_DOWNWARD && after == FE_UPWARD, "a handler's rounding mode does not leak out of it");

  /* sa_mask defers a signal raised inside the handler; without it, nesting. */
  handle(SIGUSR2, usr2_notes, 0, 0);
  check(strcmp(events_of(usr1_sends_usr2, 0, SIGUSR2), "AaB") == 0,
        "with SIGUSR2 in sa_mask, its handler runs after SIGUSR1's returns (AaB)");
  check(strcmp(events_of(usr1_sends_usr2, 0, 0), "ABa") == 0, "without it, SIGUSR2's handler nests inside (ABa)");
  check(strcmp(events_of(usr1_again, SA_NODEFER, 0), "AAaa") == 0, "SA_NODEFER lets a handler be entered again (AAaa)");
  check(strcmp(events_of(usr1_again, 0, 0), "AaAa") == 0,
        "without SA_NODEFER the second delivery waits for the first (AaAa)");

  /* SA_RESETHAND: one delivery, then SIG_DFL. */
  handle(SIGUSR2, counter, SA_RESETHAND, 0);
  count = 0;
  kill(me, SIGUSR2);
  sigaction(SIGUSR2, NULL, &old);
  check(count == 1 && old.sa_handler == SIG_DFL, "SA_RESETHAND: the handler ran and the disposition is SIG_DFL again");

  /* Blocked signals wait; a standard signal sent twice is delivered once. */
  handle(SIGUSR1, counter, 0, 0);
  count = 0;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  check_ret(sigprocmask(SIG_BLOCK, &set, NULL), 0, "block SIGUSR1");
  kill(me, SIGUSR1);
  kill(me, SIGUSR1);
  check_eq(count, 0, "a blocked signal is not delivered");
  check_ret(sigprocmask(SIG_UNBLOCK, &set, NULL), 0, "unblock SIGUSR1");
  check_eq(count, 1, "on unblocking it is delivered, once for two kills");
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_SETMASK, &set, NULL);
  kill(me, SIGUSR1);
  sigemptyset(&set);
  sigprocmask(SIG_SETMASK, &set, &now);
  check(count == 2 && sigismember(&now, SIGUSR1), "SIG_SETMASK returns the old mask and delivers on unblock");

  sigemptyset(&set);
  sigaddset(&set, SIGKILL);
  sigaddset(&set, SIGSTOP);
  check_ret(sigprocmask(SIG_BLOCK, &set, NULL), 0, "blocking SIGKILL and SIGSTOP is accepted");
  sigprocmask(SIG_BLOCK, NULL, &now);
  check(!sigismember(&now, SIGKILL) && !sigismember(&now, SIGSTOP), "but they are not blocked");

  /* SIG_IGN: the signal is dropped. */
  signal(SIGUSR1, SIG_IGN);
  check_ret(kill(me, SIGUSR1), 0, "kill with SIGUSR1 ignored");
  check_eq(count, 2, "nothing ran, and the process lives on");

  /* Errors. */
  check_err(sigaction(SIGKILL, &sa, NULL), EINVAL, "sigaction(SIGKILL) is EINVAL");
  check_err(sigaction(SIGSTOP, &sa, NULL), EINVAL, "sigaction(SIGSTOP) is EINVAL");
  check_err(syscall(SYS_rt_sigaction, 65, NULL, &old, 8), EINVAL, "sigaction of signal 65 is EINVAL");
  check_err(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4), EINVAL, "rt_sigaction with a sigset size of 4 is EINVAL");
  check_err(sigprocmask(42, &set, NULL), EINVAL, "sigprocmask with an unknown how is EINVAL");
  check_err(kill(me, 99), EINVAL, "kill with signal 99 is EINVAL");
  check_ret(kill(me, 0), 0, "kill(getpid(), 0) checks that we exist");

  /* SIGCHLD with siginfo, delivered before the wait4 that reaps returns. */
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = with_info;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGCHLD, &sa, NULL);
  count = 0;
  pid_t pid = spawn();
  if (pid == 0) _exit(3);
  int status = wait_status(pid);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 3, "the child exited 3");
  check_eq(count, 1, "SIGCHLD was delivered to its handler");
  check(last_info.si_signo == SIGCHLD && last_info.si_code == CLD_EXITED, "si_code CLD_EXITED");
  check(last_info.si_pid == pid && last_info.si_status == 3, "si_pid is the child, si_status its exit code");
  check_err(kill(pid, 0), ESRCH, "kill of a reaped child is ESRCH");
  int hold[2];
  pipe2(hold, 0);
  count = 0;
  pid = spawn();
  if (pid == 0) {
    char c;
    read(hold[0], &c, 1);
    _exit(0);
  }
  kill(pid, SIGKILL);
  status = wait_status(pid);
  check(killed_by(status, SIGKILL), "SIGKILL ends a child blocked in read");
  check(count == 1 && last_info.si_code == CLD_KILLED && last_info.si_status == SIGKILL,
        "its SIGCHLD says CLD_KILLED, si_status SIGKILL");
  close(hold[0]);
  close(hold[1]);

  /* SIGCHLD ignored: children are reaped by the kernel; wait4 finds none. */
  signal(SIGCHLD, SIG_IGN);
  pid = spawn();
  if (pid == 0) _exit(0);
  check_err(wait4(-1, &status, 0, NULL), ECHILD, "with SIGCHLD ignored, wait4 returns ECHILD once the child exits");
  signal(SIGCHLD, SIG_DFL);

  /* What fork inherits: handlers and the mask, not pending signals. */
  handle(SIGUSR1, counter, 0, 0);
  count = 0;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  kill(me, SIGUSR1); /* pending in the parent */
  pid = spawn();
  if (pid == 0) {
    sigset_t mine;
    sigprocmask(SIG_BLOCK, NULL, &mine);
    int mask_inherited = sigismember(&mine, SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    int pending_not_inherited = count == 0;
    kill(getpid(), SIGUSR1);
    int handler_inherited = count == 1;
    _exit(mask_inherited | pending_not_inherited << 1 | handler_inherited << 2);
  }
  status = wait_status(pid);
  check(WIFEXITED(status) && (WEXITSTATUS(status) & 1), "a child inherits the signal mask");
  check(WIFEXITED(status) && (WEXITSTATUS(status) & 2), "but not the parent's pending signal");
  check(WIFEXITED(status) && (WEXITSTATUS(status) & 4), "and inherits the handler");
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  check_eq(count, 1, "the parent's pending SIGUSR1 is delivered when it unblocks");

  /* A handler in a child, which then goes on with its read (SA_RESTART). */
  int ready[2], data[2];
  pipe2(ready, 0);
  pipe2(data, 0);
  pid = spawn();
  if (pid == 0) {
    handle(SIGUSR1, counter, SA_RESTART, 0);
    count = 0;
    write(ready[1], "r", 1);
    char buf[8] = {0};
    ssize_t n = read(data[0], buf, sizeof buf);
    _exit(count == 1 && n == 4 && memcmp(buf, "data", 4) == 0 ? 0 : 1);
  }
  char c;
  read(ready[0], &c, 1);
  kill(pid, SIGUSR1);
  /* The child's handler does not report back, so give it the data after the
   * signal: whether the read had begun or not, it must return "data". */
  write(data[1], "data", 4);
  status = wait_status(pid);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a child's handler runs and its read returns the data after");

  /* Default actions, seen in children. */
  const struct {
    int sig;
    int dies;
    const char *name;
  } defaults[] = {{SIGUSR1, 1, "SIGUSR1"}, {SIGTERM, 1, "SIGTERM"}, {SIGSEGV, 1, "SIGSEGV"},
                  {SIGCHLD, 0, "SIGCHLD"}, {SIGURG, 0, "SIGURG"},   {SIGWINCH, 0, "SIGWINCH"}};
  for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
    pid = spawn();
    if (pid == 0) {
      signal(defaults[i].sig, SIG_DFL);
      kill(getpid(), defaults[i].sig);
      _exit(0);
    }
    status = wait_status(pid);
    if (defaults[i].dies) check(killed_by(status, defaults[i].sig), "%s's default action terminates", defaults[i].name);
    else check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s's default action is to ignore it", defaults[i].name);
  }
  pid = spawn();
  if (pid == 0) {
    signal(SIGKILL, counter); /* fails: EINVAL */
    sigemptyset(&set);
    sigaddset(&set, SIGKILL);
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGKILL);
    _exit(0);
  }
  check(killed_by(wait_status(pid), SIGKILL), "SIGKILL can be neither caught nor blocked");
  return tap_end();
}
