/* mem: the address space.
 *
 * brk (grow, shrink, regrow as zeros, refusal), anonymous mmap (zero-filled,
 * MAP_FIXED over an existing mapping, errors), munmap (whole, a hole in the
 * middle, errors), mprotect (read-only, PROT_NONE, back to read-write,
 * errors), mremap (grow with MREMAP_MAYMOVE keeping the contents, shrink in
 * place, refusal without MREMAP_MAYMOVE, errors) and demand-zero pages (a
 * 64 MiB mapping and a 32 MiB malloc touched sparsely).
 *
 * Whether an access faults is observed in a child, which must die of SIGSEGV.
 */
#include "tap.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096L
#define MiB (1L << 20)

enum access { READ, WRITE };

/* Reads or writes one byte at addr in a child; returns the child's wait
 * status (0: the access worked). */
static int probe(volatile char *addr, enum access how) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    if (how == WRITE) *addr = 1;
    else (void)*addr;
    _exit(0);
  }
  int status = -1;
  waitpid(pid, &status, 0);
  return status;
}

static int segv(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV; }

static void *map(long len, int prot) {
  return mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(void) {
  tap_begin("mem");

  /* brk: the raw system call returns the new break, or the old one when it
   * refuses. glibc's malloc owns the heap below the first break we read. */
  char *b0 = (char *)syscall(SYS_brk, 0);
  check(b0 != NULL, "brk(0) returns the current break");
  check_eq((long)syscall(SYS_brk, b0 + MiB), (long)(b0 + MiB), "brk grows by 1 MiB");
  check(all_bytes(b0, MiB, 0), "the new heap reads as zeros");
  memset(b0, 'h', MiB);
  check(all_bytes(b0, MiB, 'h'), "and keeps what is written");
  check_eq((long)syscall(SYS_brk, b0 + 100), (long)(b0 + 100), "brk shrinks to an unaligned break");
  check_eq((long)syscall(SYS_brk, 0), (long)(b0 + 100), "brk(0) reports it exactly");
  check_eq((long)syscall(SYS_brk, b0 + MiB), (long)(b0 + MiB), "brk grows again");
  long first = (((uintptr_t)b0 + 100 + PAGE - 1) & ~(PAGE - 1)) - (uintptr_t)b0;
  check(all_bytes(b0 + first, MiB - first, 0), "the pages given back and taken again are zeros");
  check(all_bytes(b0, 100, 'h'), "the bytes below the lowest break kept their contents");
  check_eq((long)syscall(SYS_brk, PAGE), (long)(b0 + MiB), "brk below the heap's start is refused: the break stays");
  check_eq((long)syscall(SYS_brk, b0), (long)b0, "brk back to where it was");
  check(segv(probe(b0 + MiB - 1, READ)), "memory above the break is gone");

  /* Anonymous mmap. */
  char *p = map(MiB, PROT_READ | PROT_WRITE);
  check(p != MAP_FAILED, "mmap 1 MiB anonymous read-write");
  check(((uintptr_t)p & (PAGE - 1)) == 0, "mmap returns a page-aligned address");
  check(all_bytes(p, MiB, 0), "anonymous memory reads as zeros");
  for (long i = 0; i < MiB; i += PAGE) p[i] = (char)(i / PAGE);
  int kept = 1;
  for (long i = 0; i < MiB; i += PAGE) kept &= p[i] == (char)(i / PAGE);
  check(kept, "each page keeps its own byte");
  check_ret(munmap(p, MiB), 0, "munmap 1 MiB");
  check(segv(probe(p, READ)), "reading an unmapped page kills with SIGSEGV");
  check_ret(munmap(p, MiB), 0, "munmap of a range with nothing mapped succeeds");
  check(map(0, PROT_READ) == MAP_FAILED && errno == EINVAL, "mmap of length 0 is EINVAL");
  check(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL,
        "mmap without MAP_PRIVATE or MAP_SHARED is EINVAL");
  check(mmap((void *)(PAGE + 1), PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED &&
            errno == EINVAL,
        "MAP_FIXED at an unaligned address is EINVAL");
  check(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 99, 0) == MAP_FAILED && errno == EBADF,
        "a file mapping of a closed descriptor is EBADF");
  check_err(munmap(p + 1, PAGE), EINVAL, "munmap at an unaligned address is EINVAL");
  check_err(munmap(p, 0), EINVAL, "munmap of length 0 is EINVAL");

  /* MAP_FIXED replaces part of a mapping with fresh zeros. */
  p = map(4 * PAGE, PROT_READ | PROT_WRITE);
  memset(p, 'a', 4 * PAGE);
  char *f = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  check(f == p + PAGE, "MAP_FIXED maps exactly where asked");
  check(all_bytes(p + PAGE, PAGE, 0), "the replaced page is zeros");
  check(all_bytes(p, PAGE, 'a') && all_bytes(p + 2 * PAGE, 2 * PAGE, 'a'), "its neighbours are untouched");

  /* munmap a hole in the middle. */
  check_ret(munmap(p + PAGE, PAGE), 0, "munmap the second of four pages");
  check(segv(probe(p + PAGE, READ)), "the hole faults");
  check(all_bytes(p, PAGE, 'a') && all_bytes(p + 2 * PAGE, 2 * PAGE, 'a'), "the pages around the hole keep their data");
  check_ret(munmap(p, 4 * PAGE), 0, "munmap across the hole");

  /* mprotect. */
  p = map(3 * PAGE, PROT_READ | PROT_WRITE);
  memset(p, 'm', 3 * PAGE);
  check_ret(mprotect(p + PAGE, PAGE, PROT_READ), 0, "mprotect the middle page read-only");
  check(all_bytes(p, 3 * PAGE, 'm'), "all three pages still read");
  check(segv(probe(p + PAGE + 5, WRITE)), "a write to the read-only page kills with SIGSEGV");
  check_eq(probe(p + 5, WRITE), 0, "the page before it is still writable");
  check_eq(probe(p + 2 * PAGE, WRITE), 0, "the page after it is still writable");
  check_ret(mprotect(p + PAGE, PAGE, PROT_NONE), 0, "mprotect PROT_NONE");
  check(segv(probe(p + PAGE, READ)), "a read of a PROT_NONE page kills with SIGSEGV");
  check_ret(mprotect(p, 3 * PAGE, PROT_READ | PROT_WRITE), 0, "mprotect all three pages read-write");
  p[PAGE] = 'w';
  check(p[PAGE] == 'w' && all_bytes(p + PAGE + 1, PAGE - 1, 'm'), "writable again, contents kept");
  check_err(mprotect(p + 1, PAGE, PROT_READ), EINVAL, "mprotect at an unaligned address is EINVAL");
  check_ret(munmap(p + 2 * PAGE, PAGE), 0, "munmap the third page");
  check_err(mprotect(p, 3 * PAGE, PROT_READ), ENOMEM, "mprotect over an unmapped page is ENOMEM");
  check_ret(munmap(p, 2 * PAGE), 0, "munmap the rest");

  /* Code is not writable. */
  check(segv(probe((volatile char *)(uintptr_t)main, WRITE)), "a write to the program's code kills with SIGSEGV");
  check(segv(probe((volatile char *)16, READ)), "a read near address 0 kills with SIGSEGV");

  /* mremap. */
  p = map(PAGE, PROT_READ | PROT_WRITE);
  memset(p, 'r', PAGE);
  char *q = mremap(p, PAGE, 4 * PAGE, MREMAP_MAYMOVE);
  check(q != MAP_FAILED, "mremap grows one page to four (MREMAP_MAYMOVE)");
  check(all_bytes(q, PAGE, 'r'), "the first page kept its contents");
  check(all_bytes(q + PAGE, 3 * PAGE, 0), "the new pages are zeros");
  memset(q + 3 * PAGE, 's', PAGE);
  check(mremap(q, 4 * PAGE, PAGE, 0) == q, "mremap shrinks in place");
  check(segv(probe(q + PAGE, READ)), "the released pages fault");
  check(all_bytes(q, PAGE, 'r'), "the kept page is intact");
  munmap(q, PAGE);
  p = map(2 * PAGE, PROT_READ | PROT_WRITE);
  check(mremap(p, PAGE, 2 * PAGE, 0) == MAP_FAILED && errno == ENOMEM,
        "growing into a mapped page without MREMAP_MAYMOVE is ENOMEM");
  check(mremap(p + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL,
        "mremap at an unaligned address is EINVAL");
  check(mremap(p, PAGE, 0, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL, "mremap to length 0 is EINVAL");
  check(mremap(p, PAGE, 2 * PAGE, 0x100) == MAP_FAILED && errno == EINVAL, "mremap with an unknown flag is EINVAL");
  munmap(p, 2 * PAGE);
  check(mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT,
        "mremap of an unmapped address is EFAULT");

  /* Demand-zero pages: only what is touched needs memory. */
  long big = 64 * MiB;
  volatile char *z = map(big, PROT_READ | PROT_WRITE);
  check(z != MAP_FAILED, "mmap 64 MiB");
  long sum = 0;
  for (long i = 0; i < big; i += 64 * 1024) z[i] = (char)(i >> 16);
  for (long i = 0; i < big; i += 64 * 1024) sum += (unsigned char)z[i];
  /* Page k holds (char)k: 0..255 four times over. */
  check_eq(sum, 4 * (255 * 256 / 2), "1024 pages touched 64 KiB apart keep their bytes");
  int zeros = 1;
  for (long i = 4096; i < big; i += 64 * 1024) zeros &= z[i] == 0;
  check(zeros, "the untouched pages between them read as zeros");
  check_ret(munmap((void *)z, big), 0, "munmap 64 MiB");

  char *m = malloc(32 * MiB);
  check(m != NULL, "malloc 32 MiB");
  for (long i = 0; i < 32 * MiB; i += MiB) m[i + 7] = 'x';
  int seen = 1;
  for (long i = 0; i < 32 * MiB; i += MiB) seen &= m[i + 7] == 'x' && m[i + 8] == 0;
  check(seen, "a sparse touch of a 32 MiB malloc: one page per MiB");
  free(m);
  return tap_end();
}
