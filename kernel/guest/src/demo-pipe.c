/* demo-pipe: two processes connected by a pipe, for `npm start`.
 *
 * Runs `demo-cat /tmp/poem.txt | demo-wc` the way a shell does: pipe2, then
 * fork twice; each child moves its end of the pipe onto stdin or stdout with
 * dup3 and execve's its program; the parent closes both ends and waits.
 */
#define _GNU_SOURCE /* pipe2, dup3 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char poem[] =
    "Pages are shared until written,\n"
    "then copied, one by one;\n"
    "a pipe between two processes\n"
    "carries the words along.\n";

static pid_t run(const char *path, char *const argv[], int fd, int onto, int other) {
  pid_t pid = fork();
  if (pid == 0) {
    dup3(fd, onto, 0);
    close(fd);
    close(other);
    char *const envp[] = {NULL};
    execve(path, argv, envp);
    perror(path);
    _exit(127);
  }
  return pid;
}

int main(void) {
  printf("demo-pipe: demo-cat /tmp/poem.txt | demo-wc\n");
  int fd = open("/tmp/poem.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  write(fd, poem, strlen(poem));
  close(fd);
  printf("wrote /tmp/poem.txt (%zu bytes)\n", strlen(poem));

  int p[2];
  pipe2(p, O_CLOEXEC);
  fflush(stdout);
  char *cat_argv[] = {"demo-cat", "/tmp/poem.txt", NULL};
  char *wc_argv[] = {"demo-wc", NULL};
  pid_t cat = run("/bin/demo-cat", cat_argv, p[1], 1, p[0]);
  pid_t wc = run("/bin/demo-wc", wc_argv, p[0], 0, p[1]);
  close(p[0]);
  close(p[1]);
  int cat_status, wc_status;
  waitpid(cat, &cat_status, 0);
  waitpid(wc, &wc_status, 0);
  printf("demo-cat exited %d, demo-wc exited %d\n", WEXITSTATUS(cat_status), WEXITSTATUS(wc_status));
  unlink("/tmp/poem.txt");
  return WEXITSTATUS(cat_status) || WEXITSTATUS(wc_status);
}
