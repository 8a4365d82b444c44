/* futex: the futex system call directly, and the thread calls glibc makes.
 *
 * FUTEX_WAIT (value mismatch, relative timeout, bad arguments), FUTEX_WAKE
 * (no waiter, one at a time, all), the private variants, FUTEX_WAIT_BITSET /
 * FUTEX_WAKE_BITSET (bit masks, absolute timeouts on both clocks), a raw
 * clone of a thread with CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
 * CLONE_CHILD_CLEARTID (the kernel stores the tid, then clears it and wakes
 * the futex at exit), set_tid_address and set_robust_list.
 *
 * Waking is made deterministic by counting: each waiter waits exactly once on
 * a word that never changes, so each is woken exactly once, and the main
 * thread wakes until it has woken them all.
 */
#include "tap.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long futex(int *uaddr, int op, int val, const struct timespec *timeout, int *uaddr2, int val3) {
  return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

/* Sleeps about a millisecond: a futex wait that times out. */
static void nap(void) {
  static int never;
  struct timespec ms = {0, 1000000};
  futex(&never, FUTEX_WAIT_PRIVATE, 0, &ms, NULL, 0);
}

static int word;            /* stays 0: waiters block until woken */
static int results[3];      /* what each waiter's FUTEX_WAIT returned */

static void *waiter(void *arg) {
  long i = (long)(intptr_t)arg;
  results[i] = (int)futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
  return NULL;
}

static int bits_word;
static void *bits_waiter(void *arg) {
  (void)arg;
  return (void *)futex(&bits_word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0x1);
}

/* The raw clone's thread: plain memory only (it shares the parent's TLS). */
static volatile int shared_result;
static int thread_body(void *arg) {
  shared_result = (int)(intptr_t)arg;
  return 0;
}

int main(void) {
  tap_begin("futex");
  int value = 5;
  struct timespec t20 = {0, 20000000};

  check_err(futex(&value, FUTEX_WAIT, 4, NULL, NULL, 0), EAGAIN, "FUTEX_WAIT when the value differs is EAGAIN");
  check_ret(futex(&value, FUTEX_WAKE, 1, NULL, NULL, 0), 0, "FUTEX_WAKE with no waiter wakes 0");
  check_err(futex(&value, FUTEX_WAIT, 5, &t20, NULL, 0), ETIMEDOUT, "FUTEX_WAIT with a 20 ms timeout is ETIMEDOUT");
  check_err(futex(&value, FUTEX_WAIT_PRIVATE, 5, &t20, NULL, 0), ETIMEDOUT, "FUTEX_WAIT_PRIVATE times out too");
  struct timespec bad_ns = {0, 1000000000};
  check_err(futex(&value, FUTEX_WAIT, 5, &bad_ns, NULL, 0), EINVAL, "a timeout with tv_nsec = 1e9 is EINVAL");
  check_err(futex((int *)((char *)&value + 1), FUTEX_WAIT, 5, &t20, NULL, 0), EINVAL, "an unaligned futex is EINVAL");
  check_err(futex((int *)16, FUTEX_WAIT, 5, &t20, NULL, 0), EFAULT, "FUTEX_WAIT on an unmapped address is EFAULT");
  check_err(futex(&value, FUTEX_WAIT, 5, (struct timespec *)16, NULL, 0), EFAULT, "an unmapped timeout is EFAULT");
  check_err(futex(&value, 99, 0, NULL, NULL, 0), ENOSYS, "an unknown futex operation is ENOSYS");
  check_err(futex(&value, FUTEX_WAIT_BITSET, 5, NULL, NULL, 0), EINVAL, "FUTEX_WAIT_BITSET with an empty mask is EINVAL");

  struct timespec now, soon;
  clock_gettime(CLOCK_MONOTONIC, &now);
  soon = now;
  soon.tv_nsec += 20000000;
  if (soon.tv_nsec >= 1000000000) soon.tv_sec++, soon.tv_nsec -= 1000000000;
  check_err(futex(&value, FUTEX_WAIT_BITSET_PRIVATE, 5, &soon, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT,
            "FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC deadline times out");
  struct timespec after;
  clock_gettime(CLOCK_MONOTONIC, &after);
  check(after.tv_sec > soon.tv_sec || (after.tv_sec == soon.tv_sec && after.tv_nsec >= soon.tv_nsec),
        "and not before the deadline");
  clock_gettime(CLOCK_REALTIME, &now);
  soon = now;
  soon.tv_nsec += 20000000;
  if (soon.tv_nsec >= 1000000000) soon.tv_sec++, soon.tv_nsec -= 1000000000;
  check_err(futex(&value, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &soon, NULL, FUTEX_BITSET_MATCH_ANY),
            ETIMEDOUT, "FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME with an absolute deadline times out");

  /* Three waiters, woken one FUTEX_WAKE(1) at a time. */
  pthread_t t[3];
  for (long i = 0; i < 3; i++) {
    results[i] = -2;
    pthread_create(&t[i], NULL, waiter, (void *)(intptr_t)i);
  }
  int woken = 0, at_most_one = 1, rounds = 0;
  while (woken < 3 && rounds++ < 100000) {
    long n = futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    at_most_one &= n == 0 || n == 1;
    woken += (int)n;
    if (woken < 3) nap();
  }
  for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
  check_eq(woken, 3, "FUTEX_WAKE woke each of 3 waiters once");
  check(at_most_one, "FUTEX_WAKE(1) never woke more than one");
  check(results[0] == 0 && results[1] == 0 && results[2] == 0, "each woken FUTEX_WAIT returned 0");

  /* The same, all at once. */
  for (long i = 0; i < 3; i++) pthread_create(&t[i], NULL, waiter, (void *)(intptr_t)i);
  woken = 0;
  rounds = 0;
  while (woken < 3 && rounds++ < 100000) {
    woken += (int)futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    if (woken < 3) nap();
  }
  for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
  check_eq(woken, 3, "FUTEX_WAKE(INT_MAX) woke all 3 waiters, once each");

  /* Bitsets: a wake for other bits passes the waiter by. */
  pthread_t bt;
  void *ret;
  pthread_create(&bt, NULL, bits_waiter, NULL);
  long other_bits = 0;
  for (int i = 0; i < 5; i++) {
    other_bits += futex(&bits_word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x2);
    nap();
  }
  check_eq(other_bits, 0, "FUTEX_WAKE_BITSET for bit 1 does not wake a waiter on bit 0");
  woken = 0;
  rounds = 0;
  while (woken < 1 && rounds++ < 100000) {
    woken += (int)futex(&bits_word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x1);
    if (!woken) nap();
  }
  pthread_join(bt, &ret);
  check(woken == 1 && ret == 0, "FUTEX_WAKE_BITSET for bit 0 wakes it");

  /* A thread by raw clone: the kernel writes and clears its tid. */
  static char stack[64 * 1024] __attribute__((aligned(16)));
  static int ptid = -1, ctid = -1;
  int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
              CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
  int tid = clone(thread_body, stack + sizeof stack, flags, (void *)(intptr_t)77, &ptid, NULL, &ctid);
  check(tid > 0 && tid != getpid(), "clone(CLONE_VM | CLONE_THREAD | ...) returns a new tid");
  check_eq(ptid, tid, "CLONE_PARENT_SETTID stored the tid before clone returned");
  int seen;
  rounds = 0;
  while ((seen = __atomic_load_n(&ctid, __ATOMIC_ACQUIRE)) != 0 && rounds++ < 100000)
    futex(&ctid, FUTEX_WAIT, seen, NULL, NULL, 0);
  check_eq(ctid, 0, "CLONE_CHILD_CLEARTID: the tid is cleared and the futex woken at thread exit");
  check_eq(shared_result, 77, "the thread ran in our address space");
  check(getpid() > 0, "the process lives on after its thread's exit");

  check_eq(syscall(SYS_set_tid_address, &value), getpid(), "set_tid_address returns the caller's tid");
  struct robust_list_head head = {{&head.list}, 0, NULL};
  check_ret(syscall(SYS_set_robust_list, &head, sizeof head), 0, "set_robust_list with the right size returns 0");
  check_err(syscall(SYS_set_robust_list, &head, sizeof head + 8), EINVAL, "set_robust_list with a wrong size is EINVAL");
  return tap_end();
}
