/* demo-paging: memory on demand, for `npm start`.
 *
 * Reserves 256 MiB and touches one byte per MiB: only the 256 pages touched
 * are ever given memory. The pages in between read as zeros.
 */
#include <stdio.h>
#include <sys/mman.h>

#define MiB (1L << 20)

int main(void) {
  long size = 256 * MiB;
  printf("demo-paging: memory on demand\n");
  volatile char *region = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  printf("mmap:  reserved 256 MiB (65536 pages) - nothing is backed yet\n");
  for (long i = 0; i < size; i += MiB) region[i] = (char)(i / MiB + 1);
  printf("write: one byte at the start of every MiB - 256 page faults, 256 pages (1 MiB) backed\n");
  long sum = 0;
  for (long i = 0; i < size; i += MiB) sum += (unsigned char)region[i];
  printf("read:  the 256 bytes sum to %ld (1 + 2 + ... + 256, each wrapped to a byte)\n", sum);
  int zeros = 1;
  for (long i = MiB / 2; i < size; i += MiB) zeros &= region[i] == 0;
  printf("read:  a byte in the middle of every MiB, never written: %s\n", zeros ? "all zero" : "NOT ZERO");
  munmap((void *)region, size);
  printf("munmap: all 256 MiB released\n");
  return zeros ? 0 : 1;
}
