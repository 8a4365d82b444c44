/* wordfreq: the most frequent words of its input, like
 * `tr -cs A-Za-z '\n' | tr A-Z a-z | sort | uniq -c | sort -rn | head`.
 *
 *   wordfreq [-n N] [FILE]...   reads the files (or stdin), prints the N most
 *                               frequent words (default 10), most frequent
 *                               first, ties in alphabetical order, then totals
 *
 * A word is a run of letters, apostrophes inside it included, compared
 * without case. Not used by any test: a realistic program the kernel has not
 * seen (hash table, malloc/realloc, qsort, stdio).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
  char *word;
  long count;
};

static struct entry *table;
static size_t capacity, used;

static unsigned long hash(const char *s) {
  unsigned long h = 5381;
  while (*s) h = h * 33 + (unsigned char)*s++;
  return h;
}

static void grow(void);

static void add(const char *word) {
  if (2 * (used + 1) > capacity) grow();
  size_t i = hash(word) & (capacity - 1);
  while (table[i].word && strcmp(table[i].word, word) != 0) i = (i + 1) & (capacity - 1);
  if (!table[i].word) {
    table[i].word = strdup(word);
    used++;
  }
  table[i].count++;
}

static void grow(void) {
  struct entry *old = table;
  size_t old_capacity = capacity;
  capacity = capacity ? capacity * 2 : 256;
  table = calloc(capacity, sizeof *table);
  if (!table) {
    perror("wordfreq");
    exit(1);
  }
  used = 0;
  for (size_t i = 0; i < old_capacity; i++) {
    if (!old[i].word) continue;
    size_t j = hash(old[i].word) & (capacity - 1);
    while (table[j].word) j = (j + 1) & (capacity - 1);
    table[j] = old[i];
    used++;
  }
  free(old);
}

static long total_words;

static void scan(FILE *in) {
  char word[256];
  size_t len = 0;
  int c;
  do {
    c = getc(in);
    int letter = c != EOF && (isalpha(c) || (c == '\'' && len > 0));
    if (letter && len < sizeof word - 1) {
      word[len++] = (char)tolower(c);
      continue;
    }
    if (letter) continue; /* an absurdly long word: keep its first 255 letters */
    while (len > 0 && word[len - 1] == '\'') len--;
    if (len > 0) {
      word[len] = 0;
      add(word);
      total_words++;
      len = 0;
    }
  } while (c != EOF);
}

static int by_count(const void *a, const void *b) {
  const struct entry *x = a, *y = b;
  if (x->count != y->count) return x->count < y->count ? 1 : -1;
  return strcmp(x->word, y->word);
}

int main(int argc, char **argv) {
  long top = 10;
  int first = 1;
  if (argc > 2 && strcmp(argv[1], "-n") == 0) {
    top = atol(argv[2]);
    first = 3;
  }
  int status = 0;
  if (first == argc) scan(stdin);
  for (int i = first; i < argc; i++) {
    FILE *in = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "r");
    if (!in) {
      fprintf(stderr, "wordfreq: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    scan(in);
    if (in != stdin) fclose(in);
  }
  struct entry *list = malloc((used ? used : 1) * sizeof *list);
  size_t n = 0;
  for (size_t i = 0; i < capacity; i++)
    if (table[i].word) list[n++] = table[i];
  qsort(list, n, sizeof *list, by_count);
  for (size_t i = 0; i < n && (long)i < top; i++) printf("%7ld %s\n", list[i].count, list[i].word);
  printf("%ld words, %zu different\n", total_words, n);
  return status;
}
