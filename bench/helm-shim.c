// The helm the bench puts first on PATH for the action (bench/helm-shim.mjs builds
// it with the real helm's path compiled in). It runs the real helm as its child and,
// when BENCH_HELM_TRACE names a file, appends one line per helm process:
//   <start ns> <end ns> <exit status> <parent pid>\t<arg 1>\t<arg 2>…
// with CLOCK_MONOTONIC times, the clock of node's process.hrtime(), so the bench can
// place every helm process (the action's own and those of the chart test scripts)
// on the action's timeline without changing src/. stdin/stdout/stderr are inherited.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef REAL_HELM
#error "compile with -DREAL_HELM='\"/path/to/helm\"'"
#endif

static long long monotonic_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
  (void)argc;
  const char *trace = getenv("BENCH_HELM_TRACE");
  argv[0] = REAL_HELM;
  if (!trace || !*trace) {
    execv(REAL_HELM, argv);
    perror(REAL_HELM);
    return 127;
  }
  long long start = monotonic_ns();
  pid_t pid = fork();
  if (pid < 0) {
    perror("helm shim: fork");
    return 127;
  }
  if (pid == 0) {
    execv(REAL_HELM, argv);
    perror(REAL_HELM);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) break;
  }
  long long end = monotonic_ns();
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);

  char line[2048];
  int n = snprintf(line, sizeof line, "%lld %lld %d %d", start, end, code, (int)getppid());
  // The subcommand and its first arguments are enough to name the process (no values past 12).
  for (int i = 1; argv[i] && i <= 12 && n < (int)sizeof line - 2; i++) {
    line[n++] = '\t';
    for (const char *c = argv[i]; *c && n < (int)sizeof line - 2; c++) line[n++] = (*c == '\n' || *c == '\t') ? ' ' : *c;
  }
  line[n++] = '\n';
  int fd = open(trace, O_WRONLY | O_APPEND | O_CREAT, 0600);
  if (fd >= 0) {
    // One write() per line with O_APPEND: concurrent helm processes never interleave.
    if (write(fd, line, (size_t)n) < 0) perror("helm shim: trace");
    close(fd);
  }
  if (WIFSIGNALED(status)) {
    signal(WTERMSIG(status), SIG_DFL);
    kill(getpid(), WTERMSIG(status));
  }
  return code;
}
