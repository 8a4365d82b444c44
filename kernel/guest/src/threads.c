/* threads: POSIX threads (clone with CLONE_VM | CLONE_THREAD | ..., futex,
 * set_robust_list, CLONE_CHILD_CLEARTID for join).
 *
 * A mutex-protected counter, a bounded producer/consumer queue on condition
 * variables, a barrier, join with return values, pthread_exit, thread-local
 * storage (initialised .tdata, zeroed .tbss, errno per thread), trylock
 * EBUSY, a thread with a large stack of its own, a thread that forks, and
 * exit_group from a second thread ending the process. The output does not
 * depend on scheduling or on the number of CPUs: only results are printed,
 * from the main thread, after the joins.
 */
#include "tap.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 4
#define INCREMENTS 5000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static __thread long tls_data = 7;       /* .tdata */
static __thread char tls_bss[256];      /* .tbss */
static __thread char tls_name[32] = "initial";

static void *count(void *arg) {
  long id = (long)(intptr_t)arg;
  for (int i = 0; i < INCREMENTS; i++) {
    pthread_mutex_lock(&lock);
    counter++;
    pthread_mutex_unlock(&lock);
  }
  /* Thread-local storage starts from the image, then is this thread's own. */
  int fresh = tls_data == 7 && strcmp(tls_name, "initial") == 0;
  for (int i = 0; i < 256; i++) fresh &= tls_bss[i] == 0;
  tls_data = 1000 + id;
  snprintf(tls_name, sizeof tls_name, "thread %ld", id);
  memset(tls_bss, (int)id, sizeof tls_bss);
  errno = 100 + (int)id;
  for (int i = 0; i < 1000; i++) { /* let the others run and write theirs */
    pthread_mutex_lock(&lock);
    pthread_mutex_unlock(&lock);
  }
  int mine = tls_data == 1000 + id && errno == 100 + id && tls_bss[255] == id;
  char expect[32];
  snprintf(expect, sizeof expect, "thread %ld", id);
  mine &= strcmp(tls_name, expect) == 0;
  return (void *)(intptr_t)(id * 10 + (fresh ? 1 : 0) * 100 + (mine ? 1 : 0) * 1000);
}

/* A bounded queue: 4 slots, one producer, one consumer, 200 items. */
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;
static int queue[4], head, tail, used;

static void *produce(void *arg) {
  (void)arg;
  for (int i = 1; i <= 200; i++) {
    pthread_mutex_lock(&qlock);
    while (used == 4) pthread_cond_wait(&not_full, &qlock);
    queue[tail] = i;
    tail = (tail + 1) % 4;
    used++;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&qlock);
  }
  return NULL;
}

static void *consume(void *arg) {
  (void)arg;
  long sum = 0, in_order = 1, last = 0;
  for (int i = 0; i < 200; i++) {
    pthread_mutex_lock(&qlock);
    while (used == 0) pthread_cond_wait(&not_empty, &qlock);
    int v = queue[head];
    head = (head + 1) % 4;
    used--;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&qlock);
    in_order &= v == last + 1;
    last = v;
    sum += v;
  }
  return (void *)(intptr_t)(in_order ? sum : -sum);
}

static pthread_barrier_t barrier;
static int arrived[THREADS];
static int saw_all[THREADS];

static void *meet(void *arg) {
  long id = (long)(intptr_t)arg;
  __atomic_store_n(&arrived[id], 1, __ATOMIC_SEQ_CST);
  pthread_barrier_wait(&barrier);
  int all = 1;
  for (int i = 0; i < THREADS; i++) all &= __atomic_load_n(&arrived[i], __ATOMIC_SEQ_CST);
  saw_all[id] = all;
  return NULL;
}

static void *hold_lock(void *arg) {
  (void)arg;
  return (void *)(intptr_t)pthread_mutex_trylock(&lock);
}

static void *exits_early(void *arg) {
  (void)arg;
  pthread_exit((void *)42);
  return NULL;
}

static void *big_stack(void *arg) {
  (void)arg;
  volatile char local[512 * 1024];
  for (size_t i = 0; i < sizeof local; i += 4096) local[i] = (char)i;
  long sum = 0;
  for (size_t i = 0; i < sizeof local; i += 4096) sum += local[i] == (char)i;
  return (void *)sum;
}

static void *forks(void *arg) {
  (void)arg;
  pid_t pid = fork();
  if (pid == 0) _exit(33);
  int status = -1;
  waitpid(pid, &status, 0);
  return (void *)(intptr_t)(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void *tid_of(void *arg) {
  (void)arg;
  return (void *)(intptr_t)syscall(SYS_gettid);
}

static void *ends_process(void *arg) {
  (void)arg;
  exit(5);
}

int main(void) {
  tap_begin("threads");
  pthread_t t[THREADS];
  void *ret;

  for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, count, (void *)(intptr_t)i);
  int joined = 1, fresh = 1, own = 1;
  for (long i = 0; i < THREADS; i++) {
    joined &= pthread_join(t[i], &ret) == 0;
    long r = (long)(intptr_t)ret;
    joined &= r % 100 == i * 10;
    fresh &= r / 100 % 10 == 1;
    own &= r / 1000 == 1;
  }
  check(joined, "4 threads created and joined, each returning its own value");
  check_eq(counter, THREADS * INCREMENTS, "a mutex-protected counter: 4 x 5000 increments");
  check(fresh, "each thread's TLS starts from the image (.tdata 7, \"initial\"; .tbss zeros)");
  check(own, "each thread's TLS and errno are its own");
  check(tls_data == 7 && strcmp(tls_name, "initial") == 0 && tls_bss[0] == 0,
        "the main thread's TLS is untouched");

  pthread_t producer, consumer;
  pthread_create(&consumer, NULL, consume, NULL);
  pthread_create(&producer, NULL, produce, NULL);
  pthread_join(producer, NULL);
  pthread_join(consumer, &ret);
  check_eq((long)(intptr_t)ret, 200 * 201 / 2, "a 4-slot queue on condition variables: 200 items, in order");

  pthread_barrier_init(&barrier, NULL, THREADS);
  for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, meet, (void *)(intptr_t)i);
  int met = 1;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(t[i], NULL);
    met &= saw_all[i];
  }
  check(met, "past a barrier, every thread sees that all have arrived");

  pthread_mutex_lock(&lock);
  pthread_t other;
  pthread_create(&other, NULL, hold_lock, NULL);
  pthread_join(other, &ret);
  pthread_mutex_unlock(&lock);
  check_eq((long)(intptr_t)ret, EBUSY, "trylock of a mutex held by another thread is EBUSY");

  pthread_create(&other, NULL, exits_early, NULL);
  pthread_join(other, &ret);
  check_eq((long)(intptr_t)ret, 42, "pthread_exit(42) is what join returns");

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 1 << 20);
  pthread_create(&other, &attr, big_stack, NULL);
  pthread_join(other, &ret);
  check_eq((long)(intptr_t)ret, 128, "a thread with a 1 MiB stack uses 512 KiB of it");

  int sequential = 1;
  for (int i = 0; i < 20; i++) {
    sequential &= pthread_create(&other, NULL, exits_early, NULL) == 0;
    sequential &= pthread_join(other, &ret) == 0 && (intptr_t)ret == 42;
  }
  check(sequential, "20 threads created and joined one after another");

  pthread_create(&other, NULL, tid_of, NULL);
  pthread_join(other, &ret);
  long tid = (long)(intptr_t)ret;
  check(tid > 0 && tid != getpid(), "a thread's tid is its own, not the pid");

  fflush(stdout);
  pthread_create(&other, NULL, forks, NULL);
  pthread_join(other, &ret);
  check_eq((long)(intptr_t)ret, 33, "a thread forks and waits for its child (status 33)");

  /* A thread calling exit() ends the whole process with its status. */
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    pthread_create(&other, NULL, ends_process, NULL);
    pthread_join(other, NULL); /* never returns: exit() ends this thread too */
    _exit(1);
  }
  int status = -1;
  waitpid(pid, &status, 0);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 5, "exit(5) in a second thread ends the process: status 5");
  return tap_end();
}
