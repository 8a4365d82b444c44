// wc for WASI: counts the lines, words and bytes of each file named on the
// command line, as `wc` does, and, when WC_TOTALS names a file, writes the
// totals there. Built for wasm32-wasi by build.sh; run by
// examples/wasi-wc.ts through vmio/wasi.
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

struct counts {
  long lines, words, bytes;
};

static int count(const char *path, struct counts *c) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return 1;
  }
  int ch, in_word = 0;
  while ((ch = getc(f)) != EOF) {
    c->bytes++;
    if (ch == '\n') c->lines++;
    if (isspace(ch)) {
      in_word = 0;
    } else if (!in_word) {
      in_word = 1;
      c->words++;
    }
  }
  fclose(f);
  return 0;
}

int main(int argc, char **argv) {
  struct counts total = {0, 0, 0};
  int status = 0;
  for (int i = 1; i < argc; i++) {
    struct counts c = {0, 0, 0};
    if (count(argv[i], &c) != 0) {
      status = 1;
      continue;
    }
    printf("%7ld %7ld %7ld %s\n", c.lines, c.words, c.bytes, argv[i]);
    total.lines += c.lines;
    total.words += c.words;
    total.bytes += c.bytes;
  }
  if (argc > 2) printf("%7ld %7ld %7ld total\n", total.lines, total.words, total.bytes);
  const char *out = getenv("WC_TOTALS");
  if (out != NULL) {
    FILE *f = fopen(out, "w");
    if (f == NULL) {
      perror(out);
      return 1;
    }
    fprintf(f, "%ld %ld %ld\n", total.lines, total.words, total.bytes);
    fclose(f);
  }
  return status;
}
