/* demo-wc: counts the lines, words and bytes of stdin, like wc. */
#include <ctype.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  long lines = 0, words = 0, bytes = 0;
  int in_word = 0;
  char buf[4096];
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; i++) {
      unsigned char c = (unsigned char)buf[i];
      lines += c == '\n';
      if (isspace(c)) in_word = 0;
      else if (!in_word) in_word = 1, words++;
    }
    bytes += n;
  }
  printf("%ld lines, %ld words, %ld bytes\n", lines, words, bytes);
  return n < 0 ? 1 : 0;
}
