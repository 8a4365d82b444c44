/* sysinfo: the small system calls every program makes.
 *
 * uname, getpid, getppid, getuid/geteuid/getgid/getegid, clock_gettime
 * (CLOCK_REALTIME, CLOCK_MONOTONIC), getrandom, prlimit64 (get and set),
 * set_tid_address, ioctl(TIOCGWINSZ) on a non-tty, and an unknown system
 * call number (ENOSYS). Values that change from run to run are reduced to
 * facts about them.
 */
#include "tap.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifdef __riscv
#define MACHINE "riscv64"
#else
#define MACHINE "x86_64"
#endif

static long long ns(const struct timespec *t) { return t->tv_sec * 1000000000LL + t->tv_nsec; }

int main(void) {
  tap_begin("sysinfo");

  struct utsname u;
  check_ret(uname(&u), 0, "uname");
  check(strcmp(u.sysname, "Linux") == 0, "sysname is Linux");
  check(strcmp(u.machine, MACHINE) == 0, "machine is the architecture the program was built for (riscv64 here)");
  check(u.release[0] >= '1' && u.release[0] <= '9', "release starts with a digit");

  pid_t pid = getpid(), ppid = getppid();
  check(pid > 0, "getpid() > 0");
  check(ppid >= 0, "getppid() >= 0");
  check(pid != ppid, "getpid() != getppid()");
  check_eq(syscall(SYS_getpid), pid, "getpid is stable");
  check_eq(getuid(), geteuid(), "getuid() == geteuid()");
  check_eq(getgid(), getegid(), "getgid() == getegid()");
  check_eq(syscall(SYS_set_tid_address, NULL), pid, "set_tid_address returns the caller's tid, the pid");

  struct timespec r1, m1, m2;
  check_ret(clock_gettime(CLOCK_REALTIME, &r1), 0, "clock_gettime(CLOCK_REALTIME)");
  check(r1.tv_sec > 1577836800, "the real time is after 2020-01-01");
  check(r1.tv_nsec >= 0 && r1.tv_nsec < 1000000000, "tv_nsec is in [0, 1e9)");
  check_ret(clock_gettime(CLOCK_MONOTONIC, &m1), 0, "clock_gettime(CLOCK_MONOTONIC)");
  volatile unsigned spin = 0;
  for (int i = 0; i < 100000; i++) spin += i;
  check_ret(clock_gettime(CLOCK_MONOTONIC, &m2), 0, "clock_gettime(CLOCK_MONOTONIC) again");
  check(ns(&m2) >= ns(&m1), "the monotonic clock does not go back");
  check(m1.tv_nsec >= 0 && m1.tv_nsec < 1000000000, "tv_nsec is in [0, 1e9)");
  check_err(syscall(SYS_clock_gettime, 12345, &r1), EINVAL, "clock_gettime of an unknown clock is EINVAL");
  time_t t = time(NULL);
  check(t >= r1.tv_sec, "time() agrees with CLOCK_REALTIME");

  unsigned char a[32], b[32];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  check_ret(getrandom(a, sizeof a, 0), 32, "getrandom 32 bytes");
  check_ret(getrandom(b, sizeof b, GRND_NONBLOCK), 32, "getrandom 32 bytes, GRND_NONBLOCK");
  check(memcmp(a, b, sizeof a) != 0, "two draws differ");
  check_ret(getrandom(a, 0, 0), 0, "getrandom of 0 bytes returns 0");
  check_err(getrandom(a, sizeof a, 0x100), EINVAL, "getrandom with an unknown flag is EINVAL");

  struct rlimit lim, old;
  check_ret(getrlimit(RLIMIT_STACK, &lim), 0, "getrlimit(RLIMIT_STACK) (prlimit64)");
  check(lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= (1 << 20), "the stack limit is at least 1 MiB");
  check(lim.rlim_max == RLIM_INFINITY || lim.rlim_max >= lim.rlim_cur, "rlim_max >= rlim_cur");
  check_ret(getrlimit(RLIMIT_NOFILE, &lim), 0, "getrlimit(RLIMIT_NOFILE)");
  check(lim.rlim_cur >= 64 && lim.rlim_max >= lim.rlim_cur, "at least 64 descriptors");
  struct rlimit want = {32, lim.rlim_max};
  check_ret(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &want, &old), 0, "prlimit64 sets RLIMIT_NOFILE to 32");
  check(old.rlim_cur == lim.rlim_cur && old.rlim_max == lim.rlim_max, "and returns the old limit");
  check_ret(getrlimit(RLIMIT_NOFILE, &lim), 0, "getrlimit(RLIMIT_NOFILE)");
  check_eq(lim.rlim_cur, 32, "the new soft limit is 32");
  struct rlimit inverted = {lim.rlim_max, 1};
  check_err(setrlimit(RLIMIT_NOFILE, &inverted), EINVAL, "a soft limit above the hard limit is EINVAL");
  check_err(syscall(SYS_prlimit64, 0, 1000, NULL, &lim), EINVAL, "prlimit64 of an unknown resource is EINVAL");

  struct winsize ws;
  int null = open("/dev/null", O_RDWR);
  check_err(ioctl(null, TIOCGWINSZ, &ws), ENOTTY, "ioctl(TIOCGWINSZ) on /dev/null is ENOTTY");
  check_err(ioctl(99, TIOCGWINSZ, &ws), EBADF, "ioctl on a closed descriptor is EBADF");
  close(null);

  check_err(syscall(4000), ENOSYS, "an unknown system call number is ENOSYS");
  return tap_end();
}
