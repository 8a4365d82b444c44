/* exec: execve.
 *
 * Running another program (/bin/hello) with chosen argv and envp, its exit
 * status, execve of /proc/self/exe, and what survives an execve: the pid,
 * descriptors without FD_CLOEXEC (those with it are closed), ignored signals
 * and the signal mask; what does not: handlers (reset to SIG_DFL) and the
 * old memory. Then the failures, which return to the caller: ENOENT,
 * EACCES (directory, no x bit), ENOEXEC (not an executable), ENOTDIR,
 * EFAULT (bad path, bad argv).
 *
 *   exec                      the checks above
 *   exec --after-exec KEEP CLOSED PID ADDR
 *                             run by the first through execve: checks what
 *                             survived and exits 0 when all did
 */
#include "tap.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr1(int sig) { (void)sig; }

static int after_exec(int argc, char **argv, char **envp) {
  tap_begin("exec --after-exec");
  check_eq(argc, 6, "argc is 6");
  check(strcmp(argv[0], "renamed") == 0, "argv[0] is the one execve passed, \"renamed\"");
  const char *want_env[] = {"K=V", "EMPTY=", "LAST=z with spaces", NULL};
  int same = 1;
  for (int i = 0; want_env[i] || envp[i]; i++) same &= want_env[i] && envp[i] && strcmp(want_env[i], envp[i]) == 0;
  check(same, "envp is exactly the three strings execve passed, in order");
  char exe[64] = {0};
  readlink("/proc/self/exe", exe, sizeof exe - 1);
  check(strcmp(exe, "/bin/exec") == 0, "/proc/self/exe is /bin/exec, not /proc/self/exe");
  const char *execfn = (const char *)getauxval(AT_EXECFN);
  printf("AT_EXECFN = \"%s\"\n", execfn ? execfn : "(none)");

  int keep = atoi(argv[2]), closed = atoi(argv[3]);
  check_eq(getpid(), atol(argv[4]), "the pid is the one before execve");
  check_ret(fcntl(keep, F_GETFD), 0, "a descriptor without FD_CLOEXEC survives");
  char buf[16] = {0};
  check_ret(pread(keep, buf, sizeof buf, 0), 5, "and still reads its file");
  check(strcmp(buf, "kept\n") == 0, "with its contents");
  check_err(fcntl(closed, F_GETFD), EBADF, "a descriptor with FD_CLOEXEC was closed");

  struct sigaction sa;
  sigaction(SIGUSR1, NULL, &sa);
  check(sa.sa_handler == SIG_DFL, "a handled signal is reset to SIG_DFL");
  sigaction(SIGUSR2, NULL, &sa);
  check(sa.sa_handler == SIG_IGN, "an ignored signal stays ignored");
  sigset_t mask;
  sigprocmask(SIG_BLOCK, NULL, &mask);
  check(sigismember(&mask, SIGTERM) && !sigismember(&mask, SIGUSR1), "the signal mask survives");

  /* The old program's mapping is gone: a write from it faults in the kernel. */
  void *old = (void *)(uintptr_t)strtoull(argv[5], NULL, 16);
  check_err(write(keep, old, 1), EFAULT, "the old program's memory is gone (write from it is EFAULT)");
  return tap_end();
}

static int run(char *const argv[], char *const envp[]) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    execve(argv[0], argv, envp);
    _exit(127);
  }
  int status = -1;
  waitpid(pid, &status, 0);
  return status;
}

static void make_file(const char *path, const char *content, mode_t mode) {
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
  write(fd, content, strlen(content));
  close(fd);
}

int main(int argc, char **argv, char **envp) {
  if (argc == 6 && strcmp(argv[1], "--after-exec") == 0) return after_exec(argc, argv, envp);
  tap_begin("exec");

  printf("# /bin/hello, run by execve with its own argv and envp:\n");
  char *hello_argv[] = {"/bin/hello", "from", "exec", NULL};
  char *hello_env[] = {"ONE=1", "TWO=2", NULL};
  int status = run(hello_argv, hello_env);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "/bin/hello ran and exited 0");
  char *exit_argv[] = {"/bin/hello", "--exit", "42", NULL};
  status = run(exit_argv, hello_env);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 42, "/bin/hello --exit 42: status 42 through execve");

  /* execve of /proc/self/exe, with state that must (not) survive. */
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    make_file("/tmp/exec-kept", "kept\n", 0644);
    int keep = open("/tmp/exec-kept", O_RDWR);
    dup3(keep, 7, 0);
    dup3(keep, 8, O_CLOEXEC);
    close(keep);
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, SIG_IGN);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, NULL);
    char *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mem[0] = 'x';
    char pid_text[24], addr_text[24];
    snprintf(pid_text, sizeof pid_text, "%d", getpid());
    snprintf(addr_text, sizeof addr_text, "%lx", (unsigned long)(uintptr_t)mem);
    char *args[] = {"renamed", "--after-exec", "7", "8", pid_text, addr_text, NULL};
    char *env[] = {"K=V", "EMPTY=", "LAST=z with spaces", NULL};
    execve("/proc/self/exe", args, env);
    _exit(127);
  }
  waitpid(pid, &status, 0);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "execve(/proc/self/exe): every check after it passed");
  unlink("/tmp/exec-kept");

  /* Failures return -1 to the caller, which goes on running. */
  char *none[] = {"x", NULL};
  make_file("/tmp/exec-text", "#not an executable\n", 0755);
  make_file("/tmp/exec-empty", "", 0755);
  make_file("/tmp/exec-noexec", "#anything\n", 0644);
  check_err(execve("/tmp/no-such-program", none, none), ENOENT, "execve of a missing file is ENOENT");
  check_err(execve("/tmp", none, none), EACCES, "execve of a directory is EACCES");
  check_err(execve("/tmp/exec-noexec", none, none), EACCES, "execve of a file without x bits is EACCES");
  check_err(execve("/tmp/exec-text", none, none), ENOEXEC, "execve of a text file is ENOEXEC");
  check_err(execve("/tmp/exec-empty", none, none), ENOEXEC, "execve of an empty file is ENOEXEC");
  check_err(execve("/tmp/exec-text/x", none, none), ENOTDIR, "execve through a regular file is ENOTDIR");
  check_err(syscall(SYS_execve, (char *)16, none, none), EFAULT, "execve of a bad path pointer is EFAULT");
  check_err(syscall(SYS_execve, "/bin/hello", (char **)16, none), EFAULT, "execve with a bad argv pointer is EFAULT");
  char *bad_argv[] = {"hello", (char *)16, NULL};
  check_err(syscall(SYS_execve, "/bin/hello", bad_argv, none), EFAULT, "execve with a bad argv[1] is EFAULT");
  unlink("/tmp/exec-text");
  unlink("/tmp/exec-empty");
  unlink("/tmp/exec-noexec");
  return tap_end();
}
