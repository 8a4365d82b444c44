/* tap.h: the output conventions (and one helper) every test program shares.
 *
 * Each check prints one line, "ok N - what was checked" or "not ok N - ...",
 * followed on failure by a "# got ..." line, and the program ends with one
 * summary line and exit status 0 (all passed) or 1. Output is line buffered
 * so that a program killed half-way still shows every check it finished, and
 * so that a fork never duplicates unflushed output.
 *
 * Nothing printed may depend on addresses, pids, times or random values:
 * print facts about them instead ("pid > 0").
 */
#ifndef TAP_H
#define TAP_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TAP_FN static __attribute__((unused))

static int tap_count, tap_failed;
static const char *tap_program;

/* The symbolic name of an errno value: stable across C libraries, unlike
 * strerror's text. */
TAP_FN const char *errname(int e) {
  switch (e) {
  case 0: return "0";
  case EPERM: return "EPERM";
  case ENOENT: return "ENOENT";
  case ESRCH: return "ESRCH";
  case EINTR: return "EINTR";
  case EIO: return "EIO";
  case E2BIG: return "E2BIG";
  case ENOEXEC: return "ENOEXEC";
  case EBADF: return "EBADF";
  case ECHILD: return "ECHILD";
  case EAGAIN: return "EAGAIN";
  case ENOMEM: return "ENOMEM";
  case EACCES: return "EACCES";
  case EFAULT: return "EFAULT";
  case EBUSY: return "EBUSY";
  case EEXIST: return "EEXIST";
  case EXDEV: return "EXDEV";
  case ENOTDIR: return "ENOTDIR";
  case EISDIR: return "EISDIR";
  case EINVAL: return "EINVAL";
  case EMFILE: return "EMFILE";
  case ENOTTY: return "ENOTTY";
  case EFBIG: return "EFBIG";
  case ENOSPC: return "ENOSPC";
  case ESPIPE: return "ESPIPE";
  case EROFS: return "EROFS";
  case EPIPE: return "EPIPE";
  case ERANGE: return "ERANGE";
  case ENAMETOOLONG: return "ENAMETOOLONG";
  case ENOSYS: return "ENOSYS";
  case ENOTEMPTY: return "ENOTEMPTY";
  case ELOOP: return "ELOOP";
  case ETIMEDOUT: return "ETIMEDOUT";
  case EOVERFLOW: return "EOVERFLOW";
  default: {
    static char buf[24];
    snprintf(buf, sizeof buf, "errno %d", e);
    return buf;
  }
  }
}

TAP_FN void tap_begin(const char *program) {
  tap_program = program;
  setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Prints "ok N - <desc>" or "not ok N - <desc>"; returns pass. */
TAP_FN int tap_vcheck(int pass, const char *fmt, va_list ap) {
  tap_count++;
  if (!pass) tap_failed++;
  printf("%sok %d - ", pass ? "" : "not ", tap_count);
  vprintf(fmt, ap);
  putchar('\n');
  return pass;
}

__attribute__((format(printf, 2, 3)))
TAP_FN int check(int pass, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  tap_vcheck(pass, fmt, ap);
  va_end(ap);
  return pass;
}

/* A check on a number: on failure, says what it was and what it should be. */
__attribute__((format(printf, 3, 4)))
TAP_FN int check_eq(long long got, long long want, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int pass = tap_vcheck(got == want, fmt, ap);
  va_end(ap);
  if (!pass) printf("# got %lld, want %lld\n", got, want);
  return pass;
}

/* A check on a system call that must fail: ret == -1 and errno == want. */
__attribute__((format(printf, 3, 4)))
TAP_FN int check_err(long long ret, int want, const char *fmt, ...) {
  int e = errno;
  va_list ap;
  va_start(ap, fmt);
  int pass = tap_vcheck(ret == -1 && e == want, fmt, ap);
  va_end(ap);
  if (!pass) printf("# got %lld (errno %s), want -1 (errno %s)\n", ret, errname(e), errname(want));
  return pass;
}

/* A check on a system call that must succeed with a given result. */
__attribute__((format(printf, 3, 4)))
TAP_FN int check_ret(long long ret, long long want, const char *fmt, ...) {
  int e = errno;
  va_list ap;
  va_start(ap, fmt);
  int pass = tap_vcheck(ret == want, fmt, ap);
  va_end(ap);
  if (!pass) {
    if (ret == -1) printf("# got -1 (errno %s), want %lld\n", errname(e), want);
    else printf("# got %lld, want %lld\n", ret, want);
  }
  return pass;
}

/* 1 if the len bytes at p all equal value. Compared a word at a time: these
 * programs run on an interpreter and some check megabytes. */
TAP_FN int all_bytes(const volatile void *p, long len, int value) {
  const volatile unsigned char *b = p;
  const unsigned char v = (unsigned char)value;
  const uint64_t word = 0x0101010101010101ULL * v;
  long i = 0;
  for (; i < len && ((uintptr_t)(b + i) & 7); i++)
    if (b[i] != v) return 0;
  for (; i + 8 <= len; i += 8)
    if (*(const volatile uint64_t *)(b + i) != word) return 0;
  for (; i < len; i++)
    if (b[i] != v) return 0;
  return 1;
}

/* The last line of every test program; its value is the exit status. */
TAP_FN int tap_end(void) {
  printf("# %s: %d passed, %d failed\n", tap_program, tap_count - tap_failed, tap_failed);
  fflush(stdout);
  return tap_failed ? 1 : 0;
}

#endif
