/*
 * Freestanding start-up for the CPU's test and benchmark programs: no libc,
 * no kernel. The runner sets sp and the arguments (a0, a1, ...), starts at
 * _start, and reads the result from a0 when the program stops at its ecall
 * (a7 = 93, exit).
 */
#include <stddef.h>
#include <stdint.h>

long run(long a0, long a1);

__attribute__((naked, section(".text.start"))) void _start(void) {
  __asm__ volatile("call run\n\tli a7, 93\n\tecall\n\tj _start");
}

/* gcc may call these even in freestanding code. */
void *memset(void *d, int c, size_t n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}
void *memcpy(void *d, const void *s, size_t n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n--) *p++ = *q++;
  return d;
}
