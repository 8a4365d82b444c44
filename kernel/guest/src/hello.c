/* hello: process start-up as a static glibc program sees it.
 *
 * argv and envp passing (their layout on the initial stack), the auxiliary
 * vector the kernel builds (AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY,
 * AT_RANDOM, AT_HWCAP, AT_CLKTCK, AT_EXECFN, AT_SECURE, the uid/gid entries),
 * stdout and stderr, and the exit status (return from main, exit(N)).
 *
 *   hello [ARG]...        prints its arguments, sorted environment, auxv facts
 *   hello --exit N        exits with status N, printing nothing
 */
#include "tap.h"

#include <elf.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char **environ;
extern char _start[];

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv, char **envp) {
  if (argc == 3 && strcmp(argv[1], "--exit") == 0) exit(atoi(argv[2]));

  tap_begin("hello");
  printf("hello, world\n");
  fprintf(stderr, "hello: this line goes to stderr\n");

  printf("argc = %d\n", argc);
  printf("argv[0] = \"%s\"\n", argv[0]);
  for (int i = 1; i < argc; i++) printf("argv[%d] = \"%s\"\n", i, argv[i]);
  check(argv[argc] == NULL, "argv[argc] is NULL");
  check(envp == argv + argc + 1, "envp follows argv's NULL on the initial stack");
  check(envp == environ, "environ is main's envp");

  int envc = 0;
  while (envp[envc]) envc++;
  printf("envc = %d\n", envc);
  char **sorted = malloc((envc + 1) * sizeof *sorted);
  memcpy(sorted, envp, (envc + 1) * sizeof *sorted);
  qsort(sorted, envc, sizeof *sorted, compare_strings);
  for (int i = 0; i < envc; i++) printf("env: %s\n", sorted[i]);
  free(sorted);

  check_eq(getauxval(AT_PAGESZ), 4096, "AT_PAGESZ is 4096");
  check_eq(getauxval(AT_PHENT), sizeof(Elf64_Phdr), "AT_PHENT is sizeof(Elf64_Phdr)");
  check_eq(getauxval(AT_ENTRY), (unsigned long)_start, "AT_ENTRY is _start");
  check_eq(getauxval(AT_CLKTCK), 100, "AT_CLKTCK is 100");
  check_eq(getauxval(AT_SECURE), 0, "AT_SECURE is 0");
  check_eq(getauxval(AT_UID), getuid(), "AT_UID is getuid()");
  check_eq(getauxval(AT_EUID), geteuid(), "AT_EUID is geteuid()");
  check_eq(getauxval(AT_GID), getgid(), "AT_GID is getgid()");
  check_eq(getauxval(AT_EGID), getegid(), "AT_EGID is getegid()");
  /* RISC-V: a bit per single-letter extension, IMAFDC at least. (On x86-64,
   * where this is also built to check the expected results against Linux,
   * only that it is there.) */
#ifdef __riscv
  unsigned long base = 0;
  for (const char *c = "IMAFDC"; *c; c++) base |= 1UL << (*c - 'A');
  check((getauxval(AT_HWCAP) & base) == base, "AT_HWCAP describes the base ISA");
#else
  check(getauxval(AT_HWCAP) != 0, "AT_HWCAP describes the base ISA");
#endif

  const unsigned char *random = (const unsigned char *)getauxval(AT_RANDOM);
  int nonzero = 0;
  for (int i = 0; random && i < 16; i++) nonzero |= random[i];
  check(random != NULL && nonzero, "AT_RANDOM points at 16 bytes, not all zero");

  const char *execfn = (const char *)getauxval(AT_EXECFN);
  printf("AT_EXECFN = \"%s\"\n", execfn ? execfn : "(none)");

  /* The program headers, read where AT_PHDR says they are mapped. */
  const Elf64_Phdr *phdr = (const Elf64_Phdr *)getauxval(AT_PHDR);
  unsigned long phnum = getauxval(AT_PHNUM);
  int loads = 0, tls = 0, stack_rw = 0, entry_in_text = 0;
  for (unsigned long i = 0; phdr && i < phnum; i++) {
    if (phdr[i].p_type == PT_LOAD) {
      loads++;
      if ((phdr[i].p_flags & PF_X) && getauxval(AT_ENTRY) - phdr[i].p_vaddr < phdr[i].p_memsz) entry_in_text = 1;
    }
    if (phdr[i].p_type == PT_TLS) tls = 1;
    if (phdr[i].p_type == PT_GNU_STACK) stack_rw = phdr[i].p_flags == (PF_R | PF_W);
  }
  check(loads >= 2, "AT_PHDR/AT_PHNUM: at least two PT_LOAD segments");
  check(entry_in_text, "AT_ENTRY lies in an executable PT_LOAD");
  check(tls, "a PT_TLS header is present");
  check(stack_rw, "PT_GNU_STACK asks for a read-write, non-executable stack");

  return tap_end();
}
