/* demo-cat: copies its files (or stdin, or "-") to stdout, like cat. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int copy(int fd) {
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(1, buf + done, n - done);
      if (w < 0) return -1;
      done += w;
    }
  return n < 0 ? -1 : 0;
}

int main(int argc, char **argv) {
  int status = 0;
  if (argc == 1) return copy(0) ? 1 : 0;
  for (int i = 1; i < argc; i++) {
    int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
    if (fd < 0 || copy(fd) < 0) {
      fprintf(stderr, "demo-cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
    if (fd > 0) close(fd);
  }
  return status;
}
