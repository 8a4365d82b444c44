/* bench-primes: a compute-bound loop for the interpreter's benchmark.
 *
 *   bench-primes [LIMIT]     counts the primes below LIMIT (default 10^6)
 *
 * Trial division of every number by the primes up to its square root: integer
 * division, compares and branches, with a 1 KiB table of small primes as the
 * only memory traffic. Prints one line, the count (78498 below 10^6). About
 * 101 million RV64 instructions for the default limit (qemu's count).
 */
#include <stdio.h>
#include <stdlib.h>

static unsigned small_primes[256]; /* the primes below 1619: enough up to 2.6 * 10^6 */

int main(int argc, char **argv) {
  long limit = argc > 1 ? atol(argv[1]) : 1000000;
  if (limit > 2600000) {
    fprintf(stderr, "bench-primes: LIMIT must be at most 2600000\n");
    return 2;
  }
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
  printf("primes below %ld: %ld\n", limit, count);
  return 0;
}
