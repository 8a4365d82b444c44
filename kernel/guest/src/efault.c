/* efault: bad user pointers, and exact partial copies.
 *
 * A bad pointer given to a system call is an error (EFAULT), never a signal
 * and never a crash of the kernel; a copy that runs into a bad page stops at
 * the first bad byte. What Linux then returns depends on the file:
 *
 * - a regular file (and /dev/zero, getrandom) keeps the bytes copied before
 *   the fault and returns their count: write(fd, buf, 20) with 10 mapped
 *   bytes before an unmapped page writes 10 and returns 10; with none, EFAULT;
 * - a pipe copies whole pieces: the same write or read is EFAULT and moves
 *   nothing;
 * - /dev/null never reads the buffer: the write returns 20.
 *
 * Also: readv/writev with a bad iovec array or a bad buffer in the middle, a
 * path that is a bad pointer or runs into an unmapped page (and one whose NUL
 * is the last mapped byte), results written to bad memory (stat, getcwd,
 * readlink, pipe2 without leaking descriptors, uname, clock_gettime,
 * sigaction, sigprocmask, prlimit64, wait4 after reaping), and a read-only
 * destination.
 *
 * The unmapped page is the second of a two-page mapping; the program maps
 * nothing after making it, so nothing can land there.
 */
#include "tap.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define FILE_PATH "/tmp/efault.txt"

static off_t size_of(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? st.st_size : -1;
}

/* The lowest free descriptor, to show that a failed call leaked none. */
static int lowest_free_fd(void) {
  int fd = open("/dev/null", O_RDONLY);
  close(fd);
  return fd;
}

int main(void) {
  tap_begin("efault");
  static char buf[256];

  char *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *two = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check_ret(munmap(two + PAGE, PAGE), 0, "set-up: unmap the second page of two");
  char *edge = two + PAGE; /* the first unmapped byte */
  char *ten = edge - 10;   /* 10 mapped bytes, then the unmapped page */
  memcpy(ten, "0123456789", 10);

  /* Regular file: partial copies keep what was copied. */
  int fd = open(FILE_PATH, O_CREAT | O_RDWR | O_TRUNC, 0644);
  check_ret(write(fd, ten, 20), 10, "write of 20 bytes with 10 mapped returns 10");
  check_eq(size_of(fd), 10, "the file holds 10 bytes");
  check_ret(pread(fd, buf, sizeof buf, 0), 10, "read them back");
  check(memcmp(buf, "0123456789", 10) == 0, "they are the 10 mapped bytes");
  check_err(write(fd, edge, 20), EFAULT, "write with no mapped byte is EFAULT");
  check_eq(size_of(fd), 10, "and writes nothing");
  check_eq(lseek(fd, 0, SEEK_CUR), 10, "the offset moved by the 10 bytes written, no more");
  check_ret(write(fd, edge, 0), 0, "write of 0 bytes from an unmapped address returns 0");

  memset(buf, 'R', 100);
  check_ret(pwrite(fd, buf, 100, 0), 100, "set-up: 100 bytes of R");
  check_ret(lseek(fd, 0, SEEK_SET), 0, "rewind");
  check_ret(read(fd, ten, 20), 10, "read of 20 bytes into 10 mapped returns 10");
  check(memcmp(ten, "RRRRRRRRRR", 10) == 0, "the 10 bytes landed");
  check_eq(lseek(fd, 0, SEEK_CUR), 10, "the offset moved by 10");
  check_err(read(fd, edge, 5), EFAULT, "read into an unmapped page is EFAULT");
  check_eq(lseek(fd, 0, SEEK_CUR), 10, "and does not move the offset");
  memcpy(ten, "abcdefghij", 10);
  check_ret(pwrite(fd, ten, 20, 50), 10, "pwrite of 20 bytes with 10 mapped returns 10");
  check_ret(pread(fd, buf, 12, 49), 12, "read around it");
  check(memcmp(buf, "RabcdefghijR", 12) == 0, "exactly 10 bytes changed");
  check_ret(pread(fd, ten, 20, 0), 10, "pread into 10 mapped bytes returns 10");

  /* A read-only destination is as bad as an unmapped one. */
  check_ret(lseek(fd, 0, SEEK_SET), 0, "rewind");
  check_err(read(fd, ro, 5), EFAULT, "read into a read-only page is EFAULT");
  check(ro[0] == 0, "the read-only page is unchanged");
  check_ret(write(fd, ro, 5), 5, "a read-only page can be written from");

  /* readv / writev: the iovec array is copied in whole first. */
  int was = (int)size_of(fd);
  check_err(writev(fd, (struct iovec *)edge, 1), EFAULT, "writev with an unmapped iovec array is EFAULT");
  struct iovec *half = (struct iovec *)(edge - sizeof(struct iovec));
  half[0] = (struct iovec){"never", 5};
  check_err(writev(fd, half, 2), EFAULT, "writev whose iovec array runs into the unmapped page is EFAULT");
  check_eq(size_of(fd), was, "and writes nothing, not even the first buffer");
  close(fd);
  fd = open(FILE_PATH, O_RDWR | O_TRUNC);
  check_eq(size_of(fd), 0, "set-up: empty the file");
  struct iovec bad_middle[3] = {{"abc", 3}, {edge, 5}, {"xyz", 3}};
  check_ret(writev(fd, bad_middle, 3), 3, "writev with a bad buffer in the middle writes the first: 3");
  memcpy(ten, "0123456789", 10);
  struct iovec partial_middle[3] = {{"abc", 3}, {ten, 20}, {"xyz", 3}};
  check_ret(writev(fd, partial_middle, 3), 13, "writev with a partly mapped middle buffer: 3 + 10");
  struct iovec empty_bad[2] = {{edge, 0}, {"ok", 2}};
  check_ret(writev(fd, empty_bad, 2), 2, "a zero-length iovec is not touched, whatever its base");
  check_ret(pread(fd, buf, sizeof buf, 0), 18, "the file holds 3 + 3 + 10 + 2 bytes");
  check(memcmp(buf, "abcabc0123456789ok", 18) == 0, "in order");
  char head[3];
  struct iovec read_into[2] = {{head, 3}, {ten, 20}};
  check_ret(lseek(fd, 0, SEEK_SET), 0, "rewind");
  check_ret(readv(fd, read_into, 2), 13, "readv into 3 bytes and a partly mapped buffer: 3 + 10");
  check(memcmp(head, "abc", 3) == 0 && memcmp(ten, "abc0123456", 10) == 0, "the bytes landed in order");
  check_err(syscall(SYS_writev, fd, bad_middle, 1025), EINVAL, "writev of more than 1024 iovecs is EINVAL");
  struct iovec huge[2] = {{"a", 1}, {"b", SIZE_MAX}};
  check_err(writev(fd, huge, 2), EINVAL, "writev with a negative iov_len is EINVAL");

  /* Pipes move whole pieces: a bad byte in the piece moves nothing. */
  int p[2];
  check_ret(pipe2(p, O_NONBLOCK), 0, "pipe2");
  memcpy(ten, "0123456789", 10);
  check_err(write(p[1], ten, 20), EFAULT, "a pipe write with 10 of 20 bytes mapped is EFAULT");
  check_err(read(p[0], buf, sizeof buf), EAGAIN, "and the pipe is still empty");
  check_ret(write(p[1], "abcdefghijklmnopqrstuvwxyz", 26), 26, "write 26 bytes into the pipe");
  check_err(read(p[0], ten, 20), EFAULT, "a pipe read into 10 mapped of 20 is EFAULT");
  check_ret(read(p[0], buf, sizeof buf), 26, "and the 26 bytes are all still there");
  check_err(writev(p[1], bad_middle, 3), EFAULT, "a pipe writev with a bad middle buffer is EFAULT");
  check_err(read(p[0], buf, sizeof buf), EAGAIN, "and wrote nothing");
  close(p[0]);
  close(p[1]);

  /* Devices. */
  int null = open("/dev/null", O_WRONLY);
  check_ret(write(null, edge, 20), 20, "/dev/null never reads the buffer: a write from unmapped memory returns 20");
  close(null);

  /* Paths. */
  check_err(syscall(SYS_openat, AT_FDCWD, edge, O_RDONLY), EFAULT, "open of an unmapped path is EFAULT");
  memcpy(edge - 8, "/tmp/abc", 8);
  check_err(syscall(SYS_openat, AT_FDCWD, edge - 8, O_RDONLY), EFAULT, "a path running into an unmapped page is EFAULT");
  memcpy(edge - 8, "/tmp/ab", 8);
  int last = (int)syscall(SYS_openat, AT_FDCWD, edge - 8, O_CREAT | O_WRONLY, 0644);
  check(last >= 0, "a path whose NUL is the last mapped byte works");
  close(last);
  check_ret(syscall(SYS_unlinkat, AT_FDCWD, edge - 8, 0), 0, "unlink it by the same pointer");
  check_err(syscall(SYS_openat, AT_FDCWD, (char *)8, O_RDONLY), EFAULT, "open of a path near address 0 is EFAULT");
  check_err(syscall(SYS_mkdirat, AT_FDCWD, edge, 0755), EFAULT, "mkdir of an unmapped path is EFAULT");
  check_err(syscall(SYS_unlinkat, AT_FDCWD, edge, 0), EFAULT, "unlink of an unmapped path is EFAULT");
  check_err(syscall(SYS_chdir, edge), EFAULT, "chdir to an unmapped path is EFAULT");
  check_err(syscall(SYS_faccessat, AT_FDCWD, edge, F_OK), EFAULT, "access of an unmapped path is EFAULT");
  check_err(syscall(SYS_readlinkat, AT_FDCWD, edge, buf, 10), EFAULT, "readlink of an unmapped path is EFAULT");
  check_err(syscall(SYS_newfstatat, AT_FDCWD, edge, buf, 0), EFAULT, "stat of an unmapped path is EFAULT");

  /* Results written to bad memory. */
  check_err(syscall(SYS_newfstatat, AT_FDCWD, "/tmp", edge, 0), EFAULT, "stat into an unmapped buffer is EFAULT");
  check_err(syscall(SYS_newfstatat, AT_FDCWD, "/tmp", edge - 16, 0), EFAULT, "stat into a partly mapped buffer is EFAULT");
  check_err(syscall(SYS_fstat, fd, edge), EFAULT, "fstat into an unmapped buffer is EFAULT");
  check_err(syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", edge, 10), EFAULT, "readlink into an unmapped buffer is EFAULT");
  check_err(syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", edge - 4, 64), EFAULT,
            "readlink of an 11-byte link into 4 mapped bytes is EFAULT");
  check_ret(chdir("/"), 0, "chdir /");
  check_err(syscall(SYS_getcwd, edge, 100), EFAULT, "getcwd into an unmapped buffer is EFAULT");
  check_ret(syscall(SYS_getcwd, edge - 3, 100), 2, "getcwd of \"/\" needs only 2 of the 3 mapped bytes");
  check_ret(chdir("/tmp"), 0, "chdir /tmp");
  check_err(syscall(SYS_getcwd, edge - 3, 100), EFAULT, "getcwd of \"/tmp\" into 3 mapped bytes is EFAULT");
  check_err(syscall(SYS_getcwd, buf, 4), ERANGE, "getcwd of \"/tmp\" into a 4-byte buffer is ERANGE");

  int free_fd = lowest_free_fd();
  check_err(syscall(SYS_pipe2, edge, 0), EFAULT, "pipe2 into an unmapped array is EFAULT");
  check_err(syscall(SYS_pipe2, edge - 4, 0), EFAULT, "pipe2 into a half-mapped array is EFAULT");
  check_eq(lowest_free_fd(), free_fd, "the failed pipe2 calls left no descriptor behind");
  check_err(syscall(SYS_uname, edge), EFAULT, "uname into an unmapped buffer is EFAULT");
  check_err(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, edge), EFAULT, "clock_gettime into an unmapped buffer is EFAULT");
  check_err(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, edge - 8), EFAULT,
            "clock_gettime into a half-mapped timespec is EFAULT");
  check_err(syscall(SYS_getrandom, edge, 16, 0), EFAULT, "getrandom into an unmapped buffer is EFAULT");
  check_ret(syscall(SYS_getrandom, ten, 20, 0), 10, "getrandom of 20 bytes into 10 mapped returns 10");
  check_err(syscall(SYS_rt_sigaction, SIGUSR1, edge, NULL, 8), EFAULT, "sigaction from an unmapped struct is EFAULT");
  check_err(syscall(SYS_rt_sigaction, SIGUSR1, NULL, edge, 8), EFAULT, "sigaction into an unmapped struct is EFAULT");
  check_err(syscall(SYS_rt_sigprocmask, SIG_BLOCK, edge, NULL, 8), EFAULT, "sigprocmask from an unmapped set is EFAULT");
  check_err(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, edge), EFAULT, "prlimit64 into an unmapped struct is EFAULT");
  check_err(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, edge, NULL), EFAULT, "prlimit64 from an unmapped struct is EFAULT");
  off_t *bad_offset = (off_t *)edge;
  check_err(syscall(SYS_sendfile, fd, fd, bad_offset, 1), EFAULT, "sendfile with an unmapped offset is EFAULT");

  /* wait4 reaps the child before it fails to store the status. */
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  check_err(syscall(SYS_wait4, pid, edge, 0, NULL), EFAULT, "wait4 with an unmapped status pointer is EFAULT");
  check_err(syscall(SYS_wait4, pid, NULL, 0, NULL), ECHILD, "but it reaped the child: wait4 again is ECHILD");

  close(fd);
  unlink(FILE_PATH);
  return tap_end();
}
