/* bench-fork: fork + exit + wait of a process with memory touched.
 *
 *   bench-fork [MIB] [FORKS]   touches MIB MiB (default 1), one byte per page,
 *                              then forks FORKS times (default 1); each child
 *                              exits at once and the parent waits for it
 *
 * With copy-on-write the fork should cost nearly the same for 1 and 64 MiB;
 * FORKS = 0 measures the touching alone. Prints what it did, nothing that
 * varies; exits 1 if a child did not exit 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long mib = argc > 1 ? atol(argv[1]) : 1;
  long forks = argc > 2 ? atol(argv[2]) : 1;
  if (mib < 0 || mib > 1024 || forks < 0) {
    fprintf(stderr, "bench-fork: MIB must be between 0 and 1024, FORKS at least 0\n");
    return 2;
  }
  long size = mib << 20;
  char *memory = size ? mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;
  if (memory == MAP_FAILED) {
    perror("bench-fork: mmap");
    return 1;
  }
  for (long i = 0; i < size; i += 4096) memory[i] = (char)(i >> 12);
  int all_zero = 1;
  for (long i = 0; i < forks; i++) {
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) all_zero = 0;
  }
  printf("touched %ld MiB (%ld pages); forks: %ld; %s\n", mib, size / 4096, forks,
         all_zero ? "every child exited 0" : "a child failed");
  return all_zero ? 0 : 1;
}
