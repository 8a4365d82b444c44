/* fileio: regular files and file descriptors.
 *
 * openat (O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_CLOEXEC), read,
 * write, readv, writev, pread64, pwrite64, lseek (SEEK_SET/CUR/END, holes),
 * close, fstat (the syscall) and newfstatat, dup3, fcntl (F_GETFD, F_SETFD,
 * F_GETFL, F_SETFL, F_DUPFD, F_DUPFD_CLOEXEC), /dev/null, and the errno
 * paths EBADF, ENOENT, EEXIST, ENOTDIR, EISDIR, EINVAL.
 */
#include "tap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define PATH "/tmp/fileio.txt"

static off_t position(int fd) { return lseek(fd, 0, SEEK_CUR); }

int main(void) {
  tap_begin("fileio");
  char buf[128];
  struct stat st, st2;

  int fd = open(PATH, O_CREAT | O_EXCL | O_RDWR, 0644);
  check_eq(fd, 3, "open(O_CREAT|O_EXCL) returns the lowest free descriptor, 3");
  check_ret(write(fd, "hello world", 11), 11, "write 11 bytes");
  check_eq(position(fd), 11, "the offset is 11 after the write");
  check_ret(lseek(fd, 0, SEEK_SET), 0, "lseek(0, SEEK_SET)");
  memset(buf, 0, sizeof buf);
  check_ret(read(fd, buf, sizeof buf), 11, "read returns the 11 bytes written");
  check(memcmp(buf, "hello world", 11) == 0, "read returns the bytes written");
  check_ret(read(fd, buf, sizeof buf), 0, "read at end of file returns 0");

  memset(buf, 0, sizeof buf);
  check_ret(pread(fd, buf, 5, 6), 5, "pread(5 bytes at 6)");
  check(memcmp(buf, "world", 5) == 0, "pread reads at its own offset");
  check_ret(pwrite(fd, "HELLO", 5, 0), 5, "pwrite(5 bytes at 0)");
  check_eq(position(fd), 11, "pread and pwrite leave the file offset alone");
  check_ret(pread(fd, buf, 11, 0), 11, "pread the whole file");
  check(memcmp(buf, "HELLO world", 11) == 0, "pwrite replaced the first 5 bytes");
  check_err(pread(fd, buf, 1, -1), EINVAL, "pread at a negative offset is EINVAL");

  check_ret(lseek(fd, 20, SEEK_SET), 20, "lseek past the end");
  check_ret(write(fd, "!", 1), 1, "write after a hole");
  check_ret(fstat(fd, &st), 0, "fstat");
  check_eq(st.st_size, 21, "the file is 21 bytes");
  check_ret(pread(fd, buf, 16, 8), 13, "pread across the hole stops at end of file");
  check(memcmp(buf, "rld\0\0\0\0\0\0\0\0\0!", 13) == 0, "the hole reads as zeros");
  check_ret(lseek(fd, -1, SEEK_END), 20, "lseek(-1, SEEK_END)");
  check_ret(lseek(fd, 2, SEEK_CUR), 22, "lseek(2, SEEK_CUR) may go past the end");
  check_err(lseek(fd, -100, SEEK_CUR), EINVAL, "lseek to a negative offset is EINVAL");
  check_err(lseek(fd, 0, 42), EINVAL, "lseek with an unknown whence is EINVAL");
  check_eq(position(fd), 22, "a failed lseek leaves the offset alone");

  /* fstat the syscall (glibc's fstat uses newfstatat) against newfstatat. */
  check_ret(syscall(SYS_fstat, fd, &st), 0, "the fstat syscall");
  check(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644, "fstat: a regular file, mode 0644");
  check_eq(st.st_nlink, 1, "fstat: one link");
  check_ret(fstatat(AT_FDCWD, PATH, &st2, 0), 0, "newfstatat by path");
  check(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev, "both name the same inode");
  check_eq(st2.st_size, 21, "newfstatat: size 21");
  check_ret(fstatat(fd, "", &st2, AT_EMPTY_PATH), 0, "newfstatat(fd, \"\", AT_EMPTY_PATH)");
  check(st.st_ino == st2.st_ino, "AT_EMPTY_PATH names the descriptor's file");
  check_err(fstatat(AT_FDCWD, "", &st2, 0), ENOENT, "newfstatat of \"\" without AT_EMPTY_PATH is ENOENT");

  /* readv / writev: one call, several buffers, in order. */
  struct iovec wv[3] = {{"abc", 3}, {"", 0}, {"defgh", 5}};
  check_ret(lseek(fd, 0, SEEK_SET), 0, "rewind");
  check_ret(writev(fd, wv, 3), 8, "writev of 3 + 0 + 5 bytes");
  char a[2], b[4], c[32];
  struct iovec rv[3] = {{a, 2}, {b, 4}, {c, sizeof c}};
  check_ret(lseek(fd, 0, SEEK_SET), 0, "rewind");
  check_ret(readv(fd, rv, 3), 21, "readv of the whole file");
  check(memcmp(a, "ab", 2) == 0 && memcmp(b, "cdef", 4) == 0 && memcmp(c, "gh", 2) == 0,
        "readv fills the buffers in order");
  check_err(syscall(SYS_writev, fd, wv, -1), EINVAL, "writev with a negative count is EINVAL");

  /* O_APPEND writes at the end whatever the offset; O_TRUNC empties. */
  int ap = open(PATH, O_WRONLY | O_APPEND);
  check_eq(ap, 4, "a second open gets descriptor 4");
  check_ret(lseek(ap, 0, SEEK_SET), 0, "lseek on an O_APPEND descriptor");
  check_ret(write(ap, "END", 3), 3, "write with O_APPEND");
  check_eq(position(ap), 24, "O_APPEND wrote at the end");
  check_ret(pread(fd, buf, 3, 21), 3, "pread the appended bytes");
  check(memcmp(buf, "END", 3) == 0, "the appended bytes are at the end");
  check_err(read(ap, buf, 1), EBADF, "read on an O_WRONLY descriptor is EBADF");
  check_ret(close(ap), 0, "close");
  int rd = open(PATH, O_RDONLY);
  check_err(write(rd, "x", 1), EBADF, "write on an O_RDONLY descriptor is EBADF");
  check_ret(close(rd), 0, "close");

  check_err(open(PATH, O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST, "O_CREAT|O_EXCL on an existing file is EEXIST");
  check_err(open("/tmp/no-such-file", O_RDONLY), ENOENT, "open of a missing file is ENOENT");
  check_err(open("/tmp/no-such-dir/f", O_CREAT | O_WRONLY, 0644), ENOENT, "O_CREAT in a missing directory is ENOENT");
  check_err(open(PATH "/x", O_RDONLY), ENOTDIR, "a regular file used as a directory is ENOTDIR");
  check_err(open(PATH, O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on a regular file is ENOTDIR");
  check_err(open("/tmp", O_WRONLY), EISDIR, "opening a directory for writing is EISDIR");
  int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
  check(dir >= 0, "opening a directory read-only works");
  check_err(read(dir, buf, 1), EISDIR, "read on a directory is EISDIR");
  check_err(write(dir, buf, 1), EBADF, "write on a directory descriptor is EBADF");
  close(dir);

  /* dup3 and fcntl: descriptors are numbers pointing at one open file. */
  check_ret(dup3(fd, 10, 0), 10, "dup3(fd, 10)");
  check_ret(lseek(10, 5, SEEK_SET), 5, "lseek on the duplicate");
  check_eq(position(fd), 5, "a duplicate shares the file offset");
  check_ret(fcntl(10, F_GETFD), 0, "dup3 without O_CLOEXEC: FD_CLOEXEC clear");
  check_ret(dup3(fd, 11, O_CLOEXEC), 11, "dup3(fd, 11, O_CLOEXEC)");
  check_ret(fcntl(11, F_GETFD), FD_CLOEXEC, "dup3 with O_CLOEXEC sets FD_CLOEXEC");
  check_ret(dup3(fd, 11, 0), 11, "dup3 onto an open descriptor replaces it");
  check_ret(fcntl(11, F_GETFD), 0, "the replacing descriptor has FD_CLOEXEC clear");
  check_err(dup3(fd, fd, 0), EINVAL, "dup3 onto itself is EINVAL");
  check_err(dup3(fd, 12, O_APPEND), EINVAL, "dup3 with a flag other than O_CLOEXEC is EINVAL");
  check_err(dup3(99, 12, 0), EBADF, "dup3 of a closed descriptor is EBADF");
  check_err(fcntl(12, F_GETFD), EBADF, "a failed dup3 creates nothing");
  check_ret(fcntl(fd, F_SETFD, FD_CLOEXEC), 0, "F_SETFD FD_CLOEXEC");
  check_ret(fcntl(fd, F_GETFD), FD_CLOEXEC, "F_GETFD reads it back");
  check_ret(fcntl(10, F_GETFD), 0, "FD_CLOEXEC belongs to the descriptor, not the file");
  check_ret(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND), O_RDWR, "F_GETFL: O_RDWR");
  check_ret(fcntl(fd, F_SETFL, O_APPEND), 0, "F_SETFL O_APPEND");
  check_ret(fcntl(10, F_GETFL) & (O_ACCMODE | O_APPEND), O_RDWR | O_APPEND, "status flags belong to the open file");
  check_ret(fcntl(fd, F_SETFL, 0), 0, "F_SETFL 0");
  check_ret(fcntl(fd, F_DUPFD, 20), 20, "F_DUPFD(20) returns the lowest free descriptor >= 20");
  check_ret(fcntl(fd, F_DUPFD, 20), 21, "F_DUPFD(20) again returns 21");
  check_ret(fcntl(fd, F_DUPFD_CLOEXEC, 0), 4, "F_DUPFD_CLOEXEC(0) returns the lowest free descriptor, 4");
  check_ret(fcntl(4, F_GETFD), FD_CLOEXEC, "F_DUPFD_CLOEXEC sets FD_CLOEXEC");
  check_err(fcntl(fd, F_DUPFD, -1), EINVAL, "F_DUPFD with a negative minimum is EINVAL");
  check_err(fcntl(99, F_GETFL), EBADF, "fcntl on a closed descriptor is EBADF");
  for (int d = 4; d <= 21; d++) close(d);
  check_err(close(10), EBADF, "close of a closed descriptor is EBADF");
  check_err(read(10, buf, 1), EBADF, "read on a closed descriptor is EBADF");
  check_err(write(-1, buf, 1), EBADF, "write on descriptor -1 is EBADF");

  check_ret(open(PATH, O_RDWR | O_TRUNC), 4, "O_TRUNC");
  check_ret(fstat(4, &st), 0, "fstat");
  check_eq(st.st_size, 0, "O_TRUNC emptied the file");
  check_ret(lseek(fd, 0, SEEK_END), 0, "the other descriptor sees the new size");
  close(4);

  int null = open("/dev/null", O_RDWR);
  check(null >= 0, "open /dev/null");
  check_ret(write(null, "discarded", 9), 9, "write to /dev/null returns the count");
  check_ret(read(null, buf, sizeof buf), 0, "read from /dev/null returns 0");
  check_ret(fstat(null, &st), 0, "fstat /dev/null");
  check(S_ISCHR(st.st_mode), "/dev/null is a character device");
  close(null);

  check_ret(close(fd), 0, "close");
  check_ret(unlink(PATH), 0, "unlink");
  check_err(open(PATH, O_RDONLY), ENOENT, "the unlinked file is gone");
  return tap_end();
}
