/* fork: processes (clone with SIGCHLD), copy-on-write and wait4.
 *
 * fork's two returns, getppid in the child, exit statuses through wait4,
 * copy-on-write (parent and child write the same pages and each sees its own
 * data; 1024 pages; the stack, the heap and the data segment), the shared
 * file offset of an inherited descriptor, fork in a loop, a grandchild,
 * wait4 on any child, WNOHANG, ECHILD, the exit system call, and a child
 * killed by a signal.
 */
#include "tap.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define PAGES 1024

static char data_segment[PAGE] = "initialised data";

/* Writes c at both ends of each page: enough to make every page a private
 * copy, at a fraction of the instructions of filling them. */
static void stamp(char *p, int pages, char c) {
  for (int i = 0; i < pages; i++) p[i * PAGE] = p[i * PAGE + PAGE - 1] = c;
}

static int stamped(const char *p, int pages, char c) {
  for (int i = 0; i < pages; i++)
    if (p[i * PAGE] != c || p[i * PAGE + PAGE - 1] != c) return 0;
  return 1;
}

static pid_t spawn(void) {
  fflush(stdout);
  return fork();
}

static int wait_for(pid_t pid) {
  int status = -1;
  pid_t got = wait4(pid, &status, 0, NULL);
  return got == pid ? status : -1;
}

static int exited_with(int status, int code) { return WIFEXITED(status) && WEXITSTATUS(status) == code; }

int main(void) {
  tap_begin("fork");
  pid_t me = getpid();

  pid_t pid = spawn();
  if (pid == 0) _exit(getppid() == me ? 7 : 1);
  check(pid > 0 && pid != me, "fork returns the child's pid (> 0, not ours) in the parent");
  int status = -1;
  check_eq(wait4(pid, &status, 0, NULL), pid, "wait4 returns the child's pid");
  check(exited_with(status, 7), "the child saw getppid() == our pid and exited 7");

  /* Copy-on-write: both sides write the same pages after the fork. */
  char *heap = malloc(PAGES * PAGE);
  char *anon = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  stamp(heap, PAGES, 'P');
  stamp(anon, PAGES, 'P');
  volatile char stack_page[PAGE];
  memset((char *)stack_page, 'P', PAGE);
  int pipe_fds[2];
  pipe2(pipe_fds, 0);
  pid = spawn();
  if (pid == 0) {
    close(pipe_fds[1]);
    stamp(heap, PAGES, 'C');
    stamp(anon, PAGES, 'C');
    memset((char *)stack_page, 'C', PAGE);
    strcpy(data_segment, "child");
    char go;
    read(pipe_fds[0], &go, 1); /* the parent has written its pages too */
    int ok = stamped(heap, PAGES, 'C') && stamped(anon, PAGES, 'C') &&
             all_bytes((char *)stack_page, PAGE, 'C') && strcmp(data_segment, "child") == 0;
    _exit(ok ? 0 : 1);
  }
  close(pipe_fds[0]);
  check(stamped(heap, PAGES, 'P') && stamped(anon, PAGES, 'P'),
        "the parent's 2 x 1024 pages still hold its data while the child writes its copy");
  stamp(heap, PAGES, 'Q');
  stamp(anon, PAGES, 'Q');
  memset((char *)stack_page, 'Q', PAGE);
  strcpy(data_segment, "parent");
  write(pipe_fds[1], "g", 1);
  close(pipe_fds[1]);
  check(exited_with(wait_for(pid), 0), "the child saw only its own writes (heap, mmap, stack, data)");
  check(stamped(heap, PAGES, 'Q') && stamped(anon, PAGES, 'Q') &&
            all_bytes((char *)stack_page, PAGE, 'Q') && strcmp(data_segment, "parent") == 0,
        "the parent saw only its own writes");

  /* The child writes, the parent only reads: nothing leaks back. */
  pid = spawn();
  if (pid == 0) {
    stamp(heap + 100 * PAGE, 10, 'X');
    _exit(0);
  }
  wait_for(pid);
  check(stamped(heap, PAGES, 'Q'), "a child's writes never reach the parent");
  free(heap);
  munmap(anon, PAGES * PAGE);

  /* Memory the child maps or frees is its own. */
  pid = spawn();
  if (pid == 0) {
    char *mine = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mine[0] = 1;
    _exit(0);
  }
  check(exited_with(wait_for(pid), 0), "a child maps memory of its own");

  /* An inherited descriptor shares its open file, offset included. */
  int fd = open("/tmp/fork.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  pid = spawn();
  if (pid == 0) {
    write(fd, "child ", 6);
    _exit(0);
  }
  wait_for(pid);
  check_ret(write(fd, "parent", 6), 6, "the parent writes after the child");
  char buf[32] = {0};
  check_ret(pread(fd, buf, sizeof buf, 0), 12, "the file holds both writes");
  check(strcmp(buf, "child parent") == 0, "the child's write moved the shared offset");
  close(fd);
  unlink("/tmp/fork.txt");

  /* fork in a loop; wait for each by pid, in reverse order. */
  pid_t kids[16];
  for (int i = 0; i < 16; i++) {
    kids[i] = spawn();
    if (kids[i] == 0) _exit(100 + i);
  }
  int in_order = 1;
  for (int i = 15; i >= 0; i--) in_order &= exited_with(wait_for(kids[i]), 100 + i);
  check(in_order, "16 children, each reaped by pid with its own status");

  /* wait4(-1): any child; the statuses, whatever their order. */
  int seen = 0;
  for (int i = 0; i < 3; i++)
    if (spawn() == 0) _exit(1 << i);
  for (int i = 0; i < 3; i++) {
    pid_t got = wait4(-1, &status, 0, NULL);
    if (got > 0 && WIFEXITED(status)) seen |= WEXITSTATUS(status);
  }
  check_eq(seen, 7, "wait4(-1) reaps three children with statuses 1, 2, 4");
  check_err(wait4(-1, &status, 0, NULL), ECHILD, "wait4 with no children left is ECHILD");
  check_err(wait4(me, &status, 0, NULL), ECHILD, "wait4 for a pid that is not our child is ECHILD");

  /* WNOHANG while the child is blocked, then for real. */
  int hold[2];
  pipe2(hold, 0);
  pid = spawn();
  if (pid == 0) {
    char c;
    close(hold[1]);
    _exit(read(hold[0], &c, 1) == 0 ? 9 : 1);
  }
  close(hold[0]);
  check_ret(wait4(pid, &status, WNOHANG, NULL), 0, "wait4(WNOHANG) on a running child returns 0");
  close(hold[1]);
  check(exited_with(wait_for(pid), 9), "the child ran on after WNOHANG and exited 9");
  check_err(wait4(-1, &status, 0x100, NULL), EINVAL, "wait4 with an unknown option is EINVAL");

  /* A grandchild: the child waits for it and passes its status on. */
  pid = spawn();
  if (pid == 0) {
    pid_t grandchild = fork();
    if (grandchild == 0) _exit(20);
    int s = -1;
    waitpid(grandchild, &s, 0);
    _exit(WIFEXITED(s) ? WEXITSTATUS(s) + 1 : 1);
  }
  check(exited_with(wait_for(pid), 21), "a child reaps its own child (status 20, passed on as 21)");

  /* The exit system call (not exit_group) in a one-thread process. */
  pid = spawn();
  if (pid == 0) syscall(SYS_exit, 3);
  check(exited_with(wait_for(pid), 3), "the exit system call ends a one-thread process, status 3");
  pid = spawn();
  if (pid == 0) syscall(SYS_exit_group, 256 + 4);
  check(exited_with(wait_for(pid), 4), "exit_group keeps the low 8 bits of its status");

  /* Killed by a signal; a second wait4 finds nothing. */
  pipe2(hold, 0);
  pid = spawn();
  if (pid == 0) {
    char c;
    close(hold[1]);
    read(hold[0], &c, 1);
    _exit(0);
  }
  close(hold[0]);
  check_ret(kill(pid, SIGKILL), 0, "kill(child, SIGKILL)");
  status = wait_for(pid);
  check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the child's status says SIGKILL");
  check_err(wait4(pid, &status, 0, NULL), ECHILD, "a reaped child cannot be waited for again");
  close(hold[1]);
  return tap_end();
}
