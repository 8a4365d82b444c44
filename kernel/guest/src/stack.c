/* stack: the main thread's stack grows on demand.
 *
 * Deep recursion (about 4 MiB of frames), a 1 MiB alloca touched from its far
 * end first (the stack grows to any address within its limit, not only next
 * to the stack pointer), and unbounded recursion, which must end in SIGSEGV
 * (in a child).
 */
#include "tap.h"

#include <alloca.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Each level keeps 128 bytes live across the call, so no tail call. */
static long recurse(long depth) {
  volatile char frame[128];
  frame[0] = (char)depth;
  frame[127] = (char)(depth >> 8);
  if (depth == 0) return 0;
  long below = recurse(depth - 1);
  return below + frame[0] + frame[127] - (char)depth - (char)(depth >> 8) + 1;
}

/* Recurses until `limit`, which the caller makes unreachable. */
static long forever(long depth, long limit) {
  volatile char frame[256];
  frame[0] = (char)depth;
  if (depth == limit) return 0;
  return forever(depth + 1, limit) + frame[0];
}

static long far_end_first(long size) {
  volatile char *block = alloca(size);
  block[0] = 1; /* the lowest address: farthest from the current stack */
  for (long i = size - 4096; i > 0; i -= 4096) block[i] = 2;
  long sum = 0;
  for (long i = 0; i < size; i += 4096) sum += block[i];
  return sum;
}

int main(void) {
  tap_begin("stack");
  struct rlimit lim;
  check_ret(getrlimit(RLIMIT_STACK, &lim), 0, "getrlimit(RLIMIT_STACK)");
  check(lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= (8 << 20), "the stack may grow to at least 8 MiB");
  check_eq(recurse(25000), 25000, "recursion 25000 deep (more than 4 MiB of stack)");
  check_eq(recurse(25000), 25000, "and again, on the pages it grew");
  check_eq(far_end_first(1 << 20), 1 + 2 * 255, "a 1 MiB alloca touched at its far end first");

  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    volatile long never = -1;
    _exit((int)forever(0, never));
  }
  int status = -1;
  waitpid(pid, &status, 0);
  check(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "unbounded recursion ends in SIGSEGV");
  return tap_end();
}
