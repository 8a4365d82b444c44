/*
 * primes: a compute-bound loop (integer division, compares, branches; a 1 KiB
 * table is the only memory traffic). run(limit) returns the number of primes
 * below limit: 78498 below 10^6. The same algorithm as the kernel's
 * bench-primes, without libc.
 */
#include "start.h"

static unsigned small_primes[256];

long run(long limit, long unused) {
  (void)unused;
  long count = 0;
  int known = 0;
  for (long n = 2; n < limit; n++) {
    int prime = 1;
    for (int i = 0; i < known; i++) {
      long p = small_primes[i];
      if (p * p > n) break;
      if (n % p == 0) {
        prime = 0;
        break;
      }
    }
    if (!prime) continue;
    count++;
    if (known < 256) small_primes[known++] = (unsigned)n;
  }
  return count;
}
