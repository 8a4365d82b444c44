/* dirs: directories and path names.
 *
 * mkdirat, getdents64 (through readdir and directly), unlinkat (files and
 * AT_REMOVEDIR), faccessat, readlinkat (including /proc/self/exe), getcwd,
 * chdir, relative paths, "." and "..", an unlinked file that stays open, and
 * the errno paths EEXIST, ENOENT, ENOTDIR, EISDIR, ENOTEMPTY, EACCES, EINVAL,
 * ERANGE, ENAMETOOLONG.
 *
 * Directory order is up to the file system, so names are sorted before they
 * are printed.
 */
#include "tap.h"

#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void touch(const char *path, mode_t mode) {
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
  if (fd >= 0) close(fd);
}

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists a directory through readdir (getdents64), sorted, with entry types. */
static void list(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    printf("# opendir %s: %s\n", path, errname(errno));
    return;
  }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 64) {
    char type = e->d_type == DT_DIR ? '/' : e->d_type == DT_REG ? ' ' : '?';
    if (asprintf(&names[n], "%s%c", e->d_name, type) > 0) n++;
  }
  closedir(d);
  qsort(names, n, sizeof *names, compare_strings);
  printf("%s:", path);
  for (int i = 0; i < n; i++) {
    printf(" %s", names[i]);
    free(names[i]);
  }
  printf("\n");
}

int main(void) {
  tap_begin("dirs");
  char buf[256];
  struct stat st;

  check_ret(mkdir("/tmp/d", 0755), 0, "mkdir /tmp/d");
  check_err(mkdir("/tmp/d", 0755), EEXIST, "mkdir of an existing directory is EEXIST");
  check_err(mkdir("/tmp/none/sub", 0755), ENOENT, "mkdir in a missing directory is ENOENT");
  check_ret(stat("/tmp/d", &st), 0, "stat /tmp/d");
  check(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755, "a directory, mode 0755");
  touch("/tmp/d/a", 0644);
  touch("/tmp/d/b", 0755);
  check_ret(mkdirat(AT_FDCWD, "/tmp/d/sub", 0700), 0, "mkdirat /tmp/d/sub");
  check_err(mkdir("/tmp/d/a/x", 0755), ENOTDIR, "mkdir under a regular file is ENOTDIR");
  list("/tmp/d");

  /* getdents64 directly: records are 8-byte aligned, d_reclen covers one. */
  int dfd = open("/tmp/d", O_RDONLY | O_DIRECTORY);
  check(dfd >= 0, "open /tmp/d O_DIRECTORY");
  char small[16];
  check_err(syscall(SYS_getdents64, dfd, small, sizeof small), EINVAL,
            "getdents64 into a buffer too small for one entry is EINVAL");
  long total = 0, n, entries = 0, aligned = 1;
  while ((n = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0) {
    for (long off = 0; off < n;) {
      unsigned short reclen;
      memcpy(&reclen, buf + off + offsetof(struct dirent64, d_reclen), sizeof reclen);
      entries++;
      aligned &= reclen % 8 == 0;
      off += reclen;
    }
    total += n;
  }
  check_ret(n, 0, "getdents64 returns 0 at the end of the directory");
  check_eq(entries, 5, "getdents64 returns 5 entries: . .. a b sub");
  check(aligned, "every d_reclen is a multiple of 8");
  check_ret(syscall(SYS_getdents64, dfd, buf, sizeof buf), 0, "getdents64 again at the end returns 0");
  check_ret(lseek(dfd, 0, SEEK_SET), 0, "lseek(0) rewinds a directory");
  check(syscall(SYS_getdents64, dfd, buf, sizeof buf) > 0, "getdents64 after the rewind returns entries");
  close(dfd);
  int ffd = open("/tmp/d/a", O_RDONLY);
  check_err(syscall(SYS_getdents64, ffd, buf, sizeof buf), ENOTDIR, "getdents64 on a regular file is ENOTDIR");
  close(ffd);
  check_err(syscall(SYS_getdents64, 99, buf, sizeof buf), EBADF, "getdents64 on a closed descriptor is EBADF");

  /* getcwd and chdir; the raw getcwd returns the length including the NUL. */
  check_ret(chdir("/tmp/d"), 0, "chdir /tmp/d");
  check(getcwd(buf, sizeof buf) && strcmp(buf, "/tmp/d") == 0, "getcwd is /tmp/d");
  check_ret(syscall(SYS_getcwd, buf, sizeof buf), 7, "the getcwd syscall returns strlen + 1");
  check_ret(syscall(SYS_getcwd, buf, 7), 7, "getcwd into exactly 7 bytes works");
  check_err(syscall(SYS_getcwd, buf, 6), ERANGE, "getcwd into 6 bytes is ERANGE");
  check_err(getcwd(buf, 3) ? 0 : -1, ERANGE, "getcwd(buf, 3) is ERANGE");
  check_ret(access("a", F_OK), 0, "a relative path resolves from the working directory");
  check_ret(chdir("sub"), 0, "chdir sub (relative)");
  check(getcwd(buf, sizeof buf) && strcmp(buf, "/tmp/d/sub") == 0, "getcwd is /tmp/d/sub");
  check_ret(chdir("../.././d/./sub/.."), 0, "chdir through . and ..");
  check(getcwd(buf, sizeof buf) && strcmp(buf, "/tmp/d") == 0, "getcwd is /tmp/d again");
  check_ret(chdir("/.."), 0, "chdir /.. stays at the root");
  check(getcwd(buf, sizeof buf) && strcmp(buf, "/") == 0, "getcwd is /");
  check_ret(chdir("/tmp/d"), 0, "chdir /tmp/d");
  check_err(chdir("a"), ENOTDIR, "chdir to a regular file is ENOTDIR");
  check_err(chdir("missing"), ENOENT, "chdir to a missing directory is ENOENT");
  check(getcwd(buf, sizeof buf) && strcmp(buf, "/tmp/d") == 0, "a failed chdir leaves the directory alone");
  check_err(chdir(""), ENOENT, "chdir(\"\") is ENOENT");

  /* faccessat: existence and the x bits (which bind even root). */
  check_ret(access("a", F_OK), 0, "access(F_OK) on an existing file");
  check_ret(access("a", R_OK), 0, "access(R_OK) on a 0644 file");
  check_err(access("a", X_OK), EACCES, "access(X_OK) on a 0644 file is EACCES");
  check_ret(access("b", X_OK), 0, "access(X_OK) on a 0755 file");
  check_ret(access("sub", X_OK), 0, "access(X_OK) on a directory");
  check_err(access("nope", F_OK), ENOENT, "access on a missing file is ENOENT");
  check_err(access("a/x", F_OK), ENOTDIR, "access through a regular file is ENOTDIR");
  check_err(syscall(SYS_faccessat, AT_FDCWD, "a", 8), EINVAL, "faccessat with an unknown mode bit is EINVAL");
  dfd = open("/tmp/d", O_RDONLY | O_DIRECTORY);
  check_ret(faccessat(dfd, "b", X_OK, 0), 0, "faccessat relative to a directory descriptor");
  check_ret(openat(dfd, "a", O_RDONLY), 4, "openat relative to a directory descriptor");
  close(4);
  check_ret(fstatat(dfd, "sub", &st, 0), 0, "newfstatat relative to a directory descriptor");
  check(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700, "sub is a directory, mode 0700");
  ffd = open("/tmp/d/a", O_RDONLY);
  check_err(openat(ffd, "x", O_RDONLY), ENOTDIR, "openat relative to a regular file is ENOTDIR");
  check_ret(openat(ffd, "/tmp/d/a", O_RDONLY), 5, "openat ignores dirfd for an absolute path");
  close(5);
  close(ffd);

  /* readlinkat: the running program's path; no NUL is added. */
  memset(buf, 'x', sizeof buf);
  check_ret(readlink("/proc/self/exe", buf, sizeof buf), 9, "readlink /proc/self/exe returns 9 bytes");
  check(memcmp(buf, "/bin/dirs", 9) == 0 && buf[9] == 'x', "it is /bin/dirs, not NUL-terminated");
  memset(buf, 'x', sizeof buf);
  check_ret(readlink("/proc/self/exe", buf, 4), 4, "readlink into 4 bytes truncates to 4");
  check(memcmp(buf, "/binx", 5) == 0, "the truncated link is /bin");
  check_err(readlink("a", buf, sizeof buf), EINVAL, "readlink of a regular file is EINVAL");
  check_err(readlink("nope", buf, sizeof buf), ENOENT, "readlink of a missing file is ENOENT");
  check_err(syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", buf, 0), EINVAL, "readlink with size 0 is EINVAL");

  char longname[300];
  memset(longname, 'n', sizeof longname - 1);
  longname[sizeof longname - 1] = 0;
  check_err(open(longname, O_RDONLY), ENAMETOOLONG, "a 299-byte name is ENAMETOOLONG");

  /* An unlinked file lives on while a descriptor holds it. */
  int keep = open("a", O_RDWR);
  check_ret(write(keep, "still here", 10), 10, "write to a");
  check_ret(unlink("a"), 0, "unlink a while it is open");
  check_err(stat("a", &st), ENOENT, "its name is gone");
  check_ret(pread(keep, buf, 10, 0), 10, "the open descriptor still reads it");
  check(memcmp(buf, "still here", 10) == 0, "with its contents");
  check_ret(fstat(keep, &st), 0, "fstat the unlinked file");
  check_eq(st.st_nlink, 0, "it has no links left");
  close(keep);

  check_err(unlink("a"), ENOENT, "unlink of a missing file is ENOENT");
  check_err(unlink("sub"), EISDIR, "unlink of a directory is EISDIR");
  check_err(unlinkat(AT_FDCWD, "b", AT_REMOVEDIR), ENOTDIR, "rmdir of a regular file is ENOTDIR");
  check_err(rmdir("/tmp/d"), ENOTEMPTY, "rmdir of a non-empty directory is ENOTEMPTY");
  check_err(unlinkat(AT_FDCWD, "b", 0x1), EINVAL, "unlinkat with an unknown flag is EINVAL");
  check_ret(unlinkat(dfd, "b", 0), 0, "unlinkat(dirfd, b)");
  check_ret(unlinkat(dfd, "sub", AT_REMOVEDIR), 0, "unlinkat(dirfd, sub, AT_REMOVEDIR)");
  list("/tmp/d");
  close(dfd);
  check_ret(chdir("/"), 0, "chdir /");
  check_ret(rmdir("/tmp/d"), 0, "rmdir the now empty /tmp/d");
  check_err(stat("/tmp/d", &st), ENOENT, "/tmp/d is gone");
  return tap_end();
}
