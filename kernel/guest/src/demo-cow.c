/* demo-cow: fork and copy-on-write, for `npm start`.
 *
 * The parent fills 1 MiB, forks, and the child writes two of its 256 pages.
 * Each side then reads the same addresses and sees its own data: the child's
 * two writes each copied one page; the other 254 pages stayed shared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define PAGES 256

int main(void) {
  char *pages = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pages == MAP_FAILED) return 1;
  printf("demo-cow: fork and copy-on-write\n");
  memset(pages, 'A', PAGES * PAGE);
  printf("parent: filled %d pages (1 MiB) with 'A'\n", PAGES);
  printf("parent: fork() - the child starts with the same pages, shared, read-only\n");
  fflush(stdout);

  pid_t child = fork();
  if (child == 0) {
    pages[0 * PAGE] = 'B';
    pages[100 * PAGE] = 'B';
    printf("child:  wrote 'B' into pages 0 and 100 - each first write copies one page\n");
    printf("child:  page 0 = '%c', page 1 = '%c', page 100 = '%c', page 255 = '%c'\n", pages[0], pages[PAGE],
           pages[100 * PAGE], pages[255 * PAGE]);
    return 0;
  }
  int status;
  waitpid(child, &status, 0);
  printf("parent: the child exited with status %d\n", WEXITSTATUS(status));
  printf("parent: page 0 = '%c', page 100 = '%c' - the child's writes went to its own copies\n", pages[0],
         pages[100 * PAGE]);
  int intact = 1;
  for (int i = 0; i < PAGES * PAGE; i += PAGE) intact &= pages[i] == 'A';
  printf("parent: all %d pages still hold 'A': %s\n", PAGES, intact ? "yes" : "NO");
  return intact ? 0 : 1;
}
