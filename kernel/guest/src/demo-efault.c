/* demo-efault: a bad pointer is an error code, not a crash, for `npm start`.
 *
 * The kernel copies from user memory one page at a time and stops at the
 * first byte it cannot read: a write whose buffer runs into an unmapped page
 * writes what it could and returns the count; a buffer with no valid byte is
 * EFAULT. The program touching the same address itself gets SIGSEGV.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

int main(void) {
  printf("demo-efault: a bad pointer is an error, not a crash\n");
  char *two = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(two + PAGE, PAGE);
  char *edge = two + PAGE; /* the first unmapped byte */
  memcpy(edge - 10, "0123456789", 10);
  int fd = open("/tmp/demo-efault.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);

  long r = write(fd, edge, 20);
  printf("write(fd, unmapped page, 20)              -> %ld %s\n", r, r < 0 && errno == EFAULT ? "EFAULT" : "");
  r = write(fd, edge - 10, 20);
  printf("write(fd, 10 mapped bytes + unmapped, 20) -> %ld: the copy stopped at the first bad byte\n", r);
  char back[32] = {0};
  pread(fd, back, sizeof back - 1, 0);
  printf("the file holds exactly those bytes: \"%s\"\n", back);
  r = syscall(SYS_openat, AT_FDCWD, edge, O_RDONLY);
  printf("open(a path in an unmapped page)          -> %ld %s\n", r, r < 0 && errno == EFAULT ? "EFAULT" : "");
  close(fd);
  unlink("/tmp/demo-efault.txt");

  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    volatile char c = *edge; /* the program's own access: a page fault nobody can resolve */
    (void)c;
    _exit(0);
  }
  int status;
  waitpid(child, &status, 0);
  if (WIFSIGNALED(status))
    printf("a child reading that address itself       -> killed by signal %d, %s\n", WTERMSIG(status),
           WTERMSIG(status) == SIGSEGV ? "SIGSEGV" : "?");
  else
    printf("a child reading that address itself       -> exited %d\n", WEXITSTATUS(status));
  return 0;
}
