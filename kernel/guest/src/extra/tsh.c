/* tsh: a tiny shell. Pipelines, redirections, a few builtins.
 *
 *   tsh -c 'COMMANDS'    runs COMMANDS
 *   tsh [SCRIPT]         runs the lines of SCRIPT (or stdin)
 *
 * A line holds commands separated by ';'. A command is a pipeline of
 * programs, `a | b | c`, each with words (quoted with '...' or "...") and
 * redirections `< file`, `> file`, `>> file`, `2> file`. `$?` is the last
 * status. Builtins: cd [DIR], pwd, echo [WORD]..., exit [N]. Programs are
 * looked up in $PATH (default /bin:/bin/extra) unless the name has a '/'.
 * A pipeline's status is its last command's; a command killed by a signal
 * has status 128 + the signal, as in sh.
 *
 * Not used by any test: a realistic program the kernel has not seen (fork,
 * execve, pipe2, dup3, wait4, chdir, getcwd, open with O_APPEND).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORDS 64
#define MAX_STAGES 16

extern char **environ;

struct stage {
  char *argv[MAX_WORDS + 1];
  int argc;
  char *in, *out, *err;
  int append;
};

static int last_status;

/* Splits one command (no ';') into pipeline stages. Returns the number of
 * stages, 0 for an empty command, -1 on a syntax error. Words point into
 * `line`, which is modified in place. */
static int parse(char *line, struct stage *stages) {
  int n = 0;
  struct stage *s = &stages[0];
  memset(s, 0, sizeof *s);
  char **target = NULL;
  char *p = line;
  static char status_text[16];
  for (;;) {
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) break;
    if (*p == '|') {
      if (s->argc == 0 || n + 1 >= MAX_STAGES) return -1;
      *p++ = 0;
      s = &stages[++n];
      memset(s, 0, sizeof *s);
      continue;
    }
    if (*p == '<' || *p == '>' || (p[0] == '2' && p[1] == '>')) {
      if (*p == '2') target = &s->err, p += 2;
      else if (*p == '<') target = &s->in, p++;
      else {
        target = &s->out;
        p++;
        s->append = *p == '>';
        if (s->append) p++;
      }
      continue;
    }
    /* A word: copy it onto itself without its quotes. */
    char *word = p, *out = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '|' && *p != '<' && *p != '>') {
      if (*p == '\'' || *p == '"') {
        char quote = *p++;
        while (*p && *p != quote) *out++ = *p++;
        if (*p != quote) return -1;
        p++;
      } else {
        *out++ = *p++;
      }
    }
    char end = *p;
    *out = 0;
    if (end) p++;
    if (strcmp(word, "$?") == 0) {
      snprintf(status_text, sizeof status_text, "%d", last_status);
      word = status_text;
    }
    if (target) {
      *target = word;
      target = NULL;
    } else if (s->argc < MAX_WORDS) {
      s->argv[s->argc++] = word;
    }
    if (end == '|' || end == '<' || end == '>') *--p = end; /* let the loop see it */
  }
  if (target) return -1;
  if (s->argc == 0) return n == 0 ? 0 : -1;
  return n + 1;
}

static int redirect(const char *path, int fd, int flags) {
  int f = open(path, flags, 0644);
  if (f < 0) {
    fprintf(stderr, "tsh: %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (f != fd) {
    dup3(f, fd, 0);
    close(f);
  }
  return 0;
}

static void exec_program(char **argv) {
  if (strchr(argv[0], '/')) {
    execve(argv[0], argv, environ);
  } else {
    const char *path = getenv("PATH");
    char *dirs = strdup(path && *path ? path : "/bin:/bin/extra");
    for (char *dir = strtok(dirs, ":"); dir; dir = strtok(NULL, ":")) {
      char full[512];
      snprintf(full, sizeof full, "%s/%s", dir, argv[0]);
      execve(full, argv, environ);
      if (errno != ENOENT) break;
    }
  }
  int e = errno;
  fprintf(stderr, "tsh: %s: %s\n", argv[0], e == ENOENT ? "not found" : strerror(e));
  _exit(e == ENOENT ? 127 : 126);
}

/* Builtins that change the shell itself run in it; returns -1 if not one. */
static int builtin(struct stage *s) {
  if (strcmp(s->argv[0], "cd") == 0) {
    const char *dir = s->argc > 1 ? s->argv[1] : "/";
    if (chdir(dir) == 0) return 0;
    fprintf(stderr, "tsh: cd: %s: %s\n", dir, strerror(errno));
    return 1;
  }
  if (strcmp(s->argv[0], "exit") == 0) {
    fflush(stdout);
    exit(s->argc > 1 ? atoi(s->argv[1]) : last_status);
  }
  return -1;
}

/* Builtins that only print run in the child, so they work in pipelines. */
static void child_builtin(struct stage *s) {
  if (strcmp(s->argv[0], "echo") == 0) {
    for (int i = 1; i < s->argc; i++) printf("%s%s", s->argv[i], i + 1 < s->argc ? " " : "");
    printf("\n");
    fflush(stdout);
    _exit(0);
  }
  if (strcmp(s->argv[0], "pwd") == 0) {
    char buf[4096];
    if (!getcwd(buf, sizeof buf)) _exit(1);
    printf("%s\n", buf);
    fflush(stdout);
    _exit(0);
  }
}

static int run_pipeline(struct stage *stages, int n) {
  if (n == 1) {
    int status = builtin(&stages[0]);
    if (status >= 0) return status;
  }
  pid_t pids[MAX_STAGES];
  int in = -1;
  fflush(stdout);
  for (int i = 0; i < n; i++) {
    int p[2] = {-1, -1};
    if (i + 1 < n && pipe2(p, O_CLOEXEC) < 0) {
      perror("tsh: pipe2");
      return 1;
    }
    pids[i] = fork();
    if (pids[i] == 0) {
      if (in >= 0) dup3(in, 0, 0);
      if (p[1] >= 0) dup3(p[1], 1, 0);
      struct stage *s = &stages[i];
      if (s->in && redirect(s->in, 0, O_RDONLY) < 0) _exit(1);
      if (s->out && redirect(s->out, 1, O_WRONLY | O_CREAT | (s->append ? O_APPEND : O_TRUNC)) < 0) _exit(1);
      if (s->err && redirect(s->err, 2, O_WRONLY | O_CREAT | O_TRUNC) < 0) _exit(1);
      child_builtin(s);
      exec_program(s->argv);
    }
    if (in >= 0) close(in);
    if (p[1] >= 0) close(p[1]);
    in = p[0];
  }
  int status = 0;
  for (int i = 0; i < n; i++) {
    int s = 0;
    waitpid(pids[i], &s, 0);
    if (i == n - 1) status = WIFSIGNALED(s) ? 128 + WTERMSIG(s) : WEXITSTATUS(s);
  }
  return status;
}

static void run_line(char *line) {
  char *rest = line;
  for (char *command; (command = strsep(&rest, ";"));) {
    char *hash = strchr(command, '#');
    if (hash && (hash == command || hash[-1] == ' ')) *hash = 0;
    struct stage stages[MAX_STAGES];
    int n = parse(command, stages);
    if (n < 0) {
      fprintf(stderr, "tsh: syntax error\n");
      last_status = 2;
    } else if (n > 0) {
      last_status = run_pipeline(stages, n);
    }
  }
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "-c") == 0) {
    run_line(argv[2]);
    return last_status;
  }
  FILE *in = stdin;
  if (argc > 1 && !(in = fopen(argv[1], "r"))) {
    fprintf(stderr, "tsh: %s: %s\n", argv[1], strerror(errno));
    return 127;
  }
  char *line = NULL;
  size_t size = 0;
  ssize_t len;
  while ((len = getline(&line, &size, in)) > 0) {
    if (line[len - 1] == '\n') line[len - 1] = 0;
    run_line(line);
  }
  free(line);
  return last_status;
}
