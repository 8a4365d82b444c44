/* pipes: pipe2, data between processes, end of file, EPIPE and SIGPIPE,
 * O_NONBLOCK, sendfile, and ioctl(TIOCGWINSZ) on things that are not ttys.
 *
 * Every child reports through its exit status; the parent prints.
 */
#include "tap.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE (256 << 10)

/* Waits for pid and returns its wait status. */
static int reap(pid_t pid) {
  int status = -1;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return status;
}

static int read_all(int fd, char *buf, int size) {
  int total = 0, n;
  while (total < size && (n = read(fd, buf + total, size - total)) > 0) total += n;
  return total;
}

int main(void) {
  tap_begin("pipes");
  char buf[256];
  int p[2];

  check_ret(pipe2(p, 0), 0, "pipe2");
  check(p[0] == 3 && p[1] == 4, "the ends are descriptors 3 and 4");
  check_ret(write(p[1], "hello", 5), 5, "write 5 bytes into the pipe");
  check_ret(read(p[0], buf, sizeof buf), 5, "read returns what is there, 5 bytes");
  check(memcmp(buf, "hello", 5) == 0, "the bytes came through");
  check_ret(fcntl(p[0], F_GETFD), 0, "pipe2 without O_CLOEXEC: FD_CLOEXEC clear");
  check_ret(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY, "the read end is O_RDONLY");
  check_ret(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY, "the write end is O_WRONLY");
  check_err(write(p[0], "x", 1), EBADF, "write on the read end is EBADF");
  check_err(read(p[1], buf, 1), EBADF, "read on the write end is EBADF");
  check_err(lseek(p[0], 0, SEEK_SET), ESPIPE, "lseek on a pipe is ESPIPE");
  check_err(pread(p[0], buf, 1, 0), ESPIPE, "pread on a pipe is ESPIPE");
  struct stat st;
  check_ret(fstat(p[0], &st), 0, "fstat a pipe");
  check(S_ISFIFO(st.st_mode), "a pipe is S_IFIFO");
  struct winsize ws;
  check_err(ioctl(p[0], TIOCGWINSZ, &ws), ENOTTY, "ioctl(TIOCGWINSZ) on a pipe is ENOTTY");
  close(p[0]);
  close(p[1]);

  int q[2];
  check_ret(pipe2(q, O_CLOEXEC | O_NONBLOCK), 0, "pipe2(O_CLOEXEC | O_NONBLOCK)");
  check(fcntl(q[0], F_GETFD) == FD_CLOEXEC && fcntl(q[1], F_GETFD) == FD_CLOEXEC, "both ends have FD_CLOEXEC");
  check((fcntl(q[0], F_GETFL) & O_NONBLOCK) != 0, "the read end is O_NONBLOCK");
  check_err(read(q[0], buf, 1), EAGAIN, "reading an empty non-blocking pipe is EAGAIN");
  long filled = 0, n;
  static char chunk[4096];
  while ((n = write(q[1], chunk, sizeof chunk)) > 0) filled += n;
  check_err(n, EAGAIN, "writing a full non-blocking pipe is EAGAIN");
  check(filled >= 4096, "a pipe holds at least one page");
  close(q[1]);
  long drained = 0;
  while ((n = read(q[0], chunk, sizeof chunk)) > 0) drained += n;
  check_ret(n, 0, "after the writer closes, read drains and then returns 0");
  check_eq(drained, filled, "every byte written is read once");
  close(q[0]);
  check_err(pipe2(p, O_APPEND), EINVAL, "pipe2 with an unknown flag is EINVAL");

  /* A child writes 256 KiB in odd-sized pieces; the parent reads it all back. */
  check_ret(pipe2(p, 0), 0, "pipe2");
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    static unsigned char out[SIZE];
    for (int i = 0; i < SIZE; i++) out[i] = (unsigned char)(i * 7 + i / 4096);
    long done = 0;
    while (done < SIZE) {
      long piece = 1000 + done % 3000;
      if (piece > SIZE - done) piece = SIZE - done;
      if (write(p[1], out + done, piece) != piece) _exit(1);
      done += piece;
    }
    _exit(0);
  }
  close(p[1]);
  static unsigned char in[SIZE];
  long got = read_all(p[0], (char *)in, sizeof in);
  int intact = got == sizeof in;
  for (int i = 0; intact && i < SIZE; i++) intact = in[i] == (unsigned char)(i * 7 + i / 4096);
  check_eq(got, SIZE, "256 KiB written by a child arrives through the pipe");
  check(intact, "in order and intact");
  check_ret(read(p[0], buf, 1), 0, "end of file once the child has exited");
  check_ret(reap(pid), 0, "the writer exited 0");
  close(p[0]);

  /* No reader: EPIPE when SIGPIPE is ignored, death by SIGPIPE by default. */
  check_ret(pipe2(p, 0), 0, "pipe2");
  close(p[0]);
  signal(SIGPIPE, SIG_IGN);
  check_err(write(p[1], "x", 1), EPIPE, "write with no reader and SIGPIPE ignored is EPIPE");
  signal(SIGPIPE, SIG_DFL);
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    write(p[1], "x", 1);
    _exit(0);
  }
  int status = reap(pid);
  check(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE, "by default the writer is killed by SIGPIPE");
  close(p[1]);

  /* sendfile: file to pipe (offset pointer advanced, file offset kept),
   * file to file (file offset advanced). */
  int f = open("/tmp/pipes.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  check_ret(write(f, "0123456789abcdefghij", 20), 20, "write a 20-byte file");
  check_ret(pipe2(p, 0), 0, "pipe2");
  off_t off = 4;
  check_ret(sendfile(p[1], f, &off, 10), 10, "sendfile 10 bytes from offset 4 into a pipe");
  check_eq(off, 14, "sendfile advanced the offset it was given to 14");
  check_eq(lseek(f, 0, SEEK_CUR), 20, "and left the file offset at 20");
  check_ret(read(p[0], buf, sizeof buf), 10, "the pipe holds 10 bytes");
  check(memcmp(buf, "456789abcd", 10) == 0, "the right 10 bytes");
  check_ret(lseek(f, 15, SEEK_SET), 15, "lseek to 15");
  int g = open("/tmp/pipes-copy.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  check_ret(sendfile(g, f, NULL, 100), 5, "sendfile without an offset copies to end of file: 5 bytes");
  check_eq(lseek(f, 0, SEEK_CUR), 20, "it advanced the input's file offset");
  check_ret(pread(g, buf, sizeof buf, 0), 5, "the copy holds 5 bytes");
  check(memcmp(buf, "fghij", 5) == 0, "the last 5");
  check_ret(sendfile(g, f, NULL, 100), 0, "sendfile at end of file returns 0");
  check_err(sendfile(g, p[1], NULL, 1), EBADF, "sendfile from a write-only descriptor is EBADF");
  check_err(ioctl(f, TIOCGWINSZ, &ws), ENOTTY, "ioctl(TIOCGWINSZ) on a regular file is ENOTTY");
  close(g);
  close(f);
  close(p[0]);
  close(p[1]);
  unlink("/tmp/pipes.txt");
  unlink("/tmp/pipes-copy.txt");

  /* Two children connected by a pipe, as a shell runs "a | b". */
  check_ret(pipe2(p, 0), 0, "pipe2");
  fflush(stdout);
  pid_t writer = fork();
  if (writer == 0) {
    dup3(p[1], 1, 0);
    close(p[0]);
    close(p[1]);
    for (int i = 1; i <= 100; i++) printf("line %d\n", i);
    exit(0);
  }
  pid_t reader = fork();
  if (reader == 0) {
    dup3(p[0], 0, 0);
    close(p[0]);
    close(p[1]);
    int lines = 0, c;
    while ((c = getchar()) != EOF) lines += c == '\n';
    _exit(lines == 100 ? 0 : 1);
  }
  close(p[0]);
  close(p[1]);
  check_ret(reap(writer), 0, "writer | reader: the writer exited 0");
  check_ret(reap(reader), 0, "writer | reader: the reader counted 100 lines");
  return tap_end();
}
