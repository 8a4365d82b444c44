/* atomics: the A extension, alone and from several threads.
 *
 * Every AMO (swap, add, xor, and, or, min, max, minu, maxu; .w and .d; with
 * and without aq/rl): the old value, sign-extended for .w, and the new
 * memory; LR/SC (success, failure without a reservation, sign extension);
 * fences (including the pause hint). Then 4 threads racing on shared
 * counters through amoadd, LR/SC loops written by hand, gcc's
 * compare-and-swap loops (__atomic builtins and C11 <stdatomic.h>), an
 * amoswap spin lock, amoor bit sets and amomax/amominu, whose final values
 * do not depend on scheduling. Expected values are computed by hand from the
 * ISA manual and checked here; qemu agrees.
 */
#include "tap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define AMO(insn, addr, value)                                                                   \
  ({                                                                                             \
    long old_;                                                                                   \
    __asm__ volatile(insn " %0, %2, (%1)" : "=r"(old_) : "r"(addr), "r"(value) : "memory");      \
    old_;                                                                                        \
  })

/* One AMO on a word that starts at `initial`: checks the returned old value
 * (as the 64-bit register sees it) and the word left in memory. */
static void amo_w(const char *insn, long old, int32_t initial, int32_t operand, int32_t want) {
  int32_t cell[3] = {0x55555555, initial, 0x55555555};
  long got;
  if (!strcmp(insn, "amoswap.w")) got = AMO("amoswap.w", &cell[1], operand);
  else if (!strcmp(insn, "amoadd.w")) got = AMO("amoadd.w", &cell[1], operand);
  else if (!strcmp(insn, "amoxor.w")) got = AMO("amoxor.w", &cell[1], operand);
  else if (!strcmp(insn, "amoand.w")) got = AMO("amoand.w", &cell[1], operand);
  else if (!strcmp(insn, "amoor.w")) got = AMO("amoor.w", &cell[1], operand);
  else if (!strcmp(insn, "amomin.w")) got = AMO("amomin.w", &cell[1], operand);
  else if (!strcmp(insn, "amomax.w")) got = AMO("amomax.w", &cell[1], operand);
  else if (!strcmp(insn, "amominu.w")) got = AMO("amominu.w", &cell[1], operand);
  else if (!strcmp(insn, "amomaxu.w")) got = AMO("amomaxu.w", &cell[1], operand);
  else if (!strcmp(insn, "amoadd.w.aq")) got = AMO("amoadd.w.aq", &cell[1], operand);
  else if (!strcmp(insn, "amoadd.w.rl")) got = AMO("amoadd.w.rl", &cell[1], operand);
  else got = AMO("amoadd.w.aqrl", &cell[1], operand);
  int pass = got == old && cell[1] == want && cell[0] == 0x55555555 && cell[2] == 0x55555555;
  check(pass, "%s: returns %#lx (sign-extended), leaves %#x", insn, (unsigned long)old, (unsigned)want);
  if (!pass) printf("# got %#lx, memory %#x\n", (unsigned long)got, (unsigned)cell[1]);
}

static void amo_d(const char *insn, uint64_t initial, uint64_t operand, uint64_t want) {
  uint64_t cell = initial;
  long got;
  if (!strcmp(insn, "amoswap.d")) got = AMO("amoswap.d", &cell, operand);
  else if (!strcmp(insn, "amoadd.d")) got = AMO("amoadd.d", &cell, operand);
  else if (!strcmp(insn, "amoxor.d")) got = AMO("amoxor.d", &cell, operand);
  else if (!strcmp(insn, "amoand.d")) got = AMO("amoand.d", &cell, operand);
  else if (!strcmp(insn, "amoor.d")) got = AMO("amoor.d", &cell, operand);
  else if (!strcmp(insn, "amomin.d")) got = AMO("amomin.d", &cell, operand);
  else if (!strcmp(insn, "amomax.d")) got = AMO("amomax.d", &cell, operand);
  else if (!strcmp(insn, "amominu.d")) got = AMO("amominu.d", &cell, operand);
  else got = AMO("amomaxu.d.aqrl", &cell, operand);
  int pass = (uint64_t)got == initial && cell == want;
  check(pass, "%s: returns %#lx, leaves %#lx", insn, (unsigned long)initial, (unsigned long)want);
  if (!pass) printf("# got %#lx, memory %#lx\n", (unsigned long)got, (unsigned long)cell);
}

/* lr.w then sc.w: returns sc's result (0 = stored); *loaded gets lr's value. */
static long lr_sc_w(int32_t *p, int32_t value, long *loaded) {
  long old, fail;
  __asm__ volatile("lr.w %0, (%2)\n\tsc.w %1, %3, (%2)" : "=&r"(old), "=&r"(fail) : "r"(p), "r"(value) : "memory");
  *loaded = old;
  return fail;
}

static long sc_w(int32_t *p, int32_t value) {
  long fail;
  __asm__ volatile("sc.w %0, %2, (%1)" : "=&r"(fail) : "r"(p), "r"(value) : "memory");
  return fail;
}

static long lr_sc_d(int64_t *p, int64_t value, long *loaded) {
  long old, fail;
  __asm__ volatile("lr.d.aq %0, (%2)\n\tsc.d.rl %1, %3, (%2)" : "=&r"(old), "=&r"(fail) : "r"(p), "r"(value) : "memory");
  *loaded = old;
  return fail;
}

#define THREADS 4
#define ROUNDS 4000

static int32_t amoadd_counter;
static int32_t lrsc_counter;
static int64_t cas_counter;
static atomic_long c11_counter;
static atomic_int c11_down = THREADS * ROUNDS;
static int32_t spin;
static long locked_counter;
static int32_t bits;
static int32_t maximum = INT32_MIN;
static uint32_t unsigned_minimum = UINT32_MAX;

static void *race(void *arg) {
  long id = (long)(intptr_t)arg;
  for (int i = 0; i < ROUNDS; i++) {
    AMO("amoadd.w.aqrl", &amoadd_counter, 1);

    long t0, t1;
    __asm__ volatile("1: lr.w.aqrl %0, (%2)\n\t"
                     "addiw %0, %0, 1\n\t"
                     "sc.w.aqrl %1, %0, (%2)\n\t"
                     "bnez %1, 1b"
                     : "=&r"(t0), "=&r"(t1)
                     : "r"(&lrsc_counter)
                     : "memory");

    int64_t seen = __atomic_load_n(&cas_counter, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&cas_counter, &seen, seen + 3, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
    }

    atomic_fetch_add(&c11_counter, 2);
    atomic_fetch_sub_explicit(&c11_down, 1, memory_order_acq_rel);

    while (AMO("amoswap.w.aq", &spin, 1) != 0) {
    }
    locked_counter++;
    AMO("amoswap.w.rl", &spin, 0);

    if (i % 100 == 0) AMO("amoor.w", &bits, 1 << id);
    AMO("amomax.w", &maximum, (int32_t)(id * 1000 + i % 1000) - 2000);
    AMO("amominu.w", &unsigned_minimum, (uint32_t)(id + 1) * 7 + (uint32_t)(i % 13));
  }
  return NULL;
}

int main(void) {
  tap_begin("atomics");

  amo_w("amoswap.w", (long)(int32_t)0x80000001, (int32_t)0x80000001, 0x12345678, 0x12345678);
  amo_w("amoadd.w", 0x7fffffff, 0x7fffffff, 1, (int32_t)0x80000000);
  amo_w("amoxor.w", -1, -1, 0x0f0f0f0f, (int32_t)0xf0f0f0f0);
  amo_w("amoand.w", (long)(int32_t)0xff00ff00, (int32_t)0xff00ff00, 0x0ff00ff0, 0x0f000f00);
  amo_w("amoor.w", 0x00ff00ff, 0x00ff00ff, 0x0ff00ff0, 0x0fff0fff);
  amo_w("amomin.w", -5, -5, 3, -5);
  amo_w("amomax.w", -5, -5, 3, 3);
  amo_w("amominu.w", -5, -5, 3, 3);
  amo_w("amomaxu.w", -5, -5, 3, -5);
  amo_w("amoadd.w.aq", 1, 1, 2, 3);
  amo_w("amoadd.w.rl", 1, 1, -2, -1);
  amo_w("amoadd.w.aqrl", (long)(int32_t)0x80000000, (int32_t)0x80000000, -1, 0x7fffffff);

  amo_d("amoswap.d", 0x8000000000000001, 0x123456789abcdef0, 0x123456789abcdef0);
  amo_d("amoadd.d", 0x7fffffffffffffff, 1, 0x8000000000000000);
  amo_d("amoxor.d", 0xffffffff00000000, 0xffff0000ffff0000, 0x0000ffffffff0000);
  amo_d("amoand.d", 0xffffffff00000000, 0xffff0000ffff0000, 0xffff000000000000);
  amo_d("amoor.d", 0xffffffff00000000, 0x00000000ffff0000, 0xffffffffffff0000);
  amo_d("amomin.d", (uint64_t)-5, 3, (uint64_t)-5);
  amo_d("amomax.d", (uint64_t)-5, 3, 3);
  amo_d("amominu.d", (uint64_t)-5, 3, 3);
  amo_d("amomaxu.d.aqrl", (uint64_t)-5, 3, (uint64_t)-5);

  int32_t w = (int32_t)0x80000000;
  long loaded;
  check_eq(lr_sc_w(&w, 17, &loaded), 0, "lr.w then sc.w: the store succeeds (rd = 0)");
  check_eq(loaded, (long)(int32_t)0x80000000, "lr.w sign-extends the word");
  check_eq(w, 17, "sc.w stored its value");
  check(sc_w(&w, 99) != 0, "a second sc.w, with no reservation, fails (rd != 0)");
  check_eq(w, 17, "and stores nothing");
  int64_t d = -2;
  check_eq(lr_sc_d(&d, 0x100000000, &loaded), 0, "lr.d.aq then sc.d.rl: the store succeeds");
  check(loaded == -2 && d == 0x100000000, "lr.d loaded -2, sc.d stored 2^32");

  __asm__ volatile("fence rw, rw\n\tfence r, r\n\tfence w, w\n\tfence iorw, iorw\n\tfence.i\n\t"
                   ".4byte 0x0100000f" /* pause: fence w, 0 */
                   ::: "memory");
  printf("# fence, fence.i and the pause hint executed\n");

  pthread_t t[THREADS];
  for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, race, (void *)(intptr_t)i);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  check_eq(amoadd_counter, THREADS * ROUNDS, "4 threads x 4000 amoadd.w");
  check_eq(lrsc_counter, THREADS * ROUNDS, "4 threads x 4000 lr.w/sc.w increments");
  check_eq(cas_counter, 3L * THREADS * ROUNDS, "4 threads x 4000 compare-and-swap (+3) on 64 bits");
  check_eq(atomic_load(&c11_counter), 2L * THREADS * ROUNDS, "C11 atomic_fetch_add");
  check_eq(atomic_load(&c11_down), 0, "C11 atomic_fetch_sub back to zero");
  check_eq(locked_counter, THREADS * ROUNDS, "a plain counter under an amoswap spin lock");
  check_eq(bits, 0xf, "amoor.w: each thread set its own bit");
  check_eq(maximum, 3 * 1000 + 999 - 2000, "amomax.w: the largest value any thread offered");
  check_eq(unsigned_minimum, 7, "amominu.w: the smallest value any thread offered");
  return tap_end();
}
