/* See progress.h. isatty() and clock_gettime() are POSIX; on Windows the
 * MinGW runtime provides both. */
#include "progress.h"

#include "cli_common.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double cp_now(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return 0.0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cp_progress_start(cp_progress *p, const char *label, uint64_t total, int force_off)
{
  memset(p, 0, sizeof *p);
  p->label = label;
  p->total = total;
  p->started = cp_now();
  p->enabled = !force_off && isatty(STDERR_FILENO);
}

void cp_progress_update(cp_progress *p, uint64_t done, const char *item)
{
  p->done = done;
  if (!p->enabled)
    return;
  double now = cp_now();
  if (p->drawn && now - p->last_draw < 0.1 && (p->total == 0 || done < p->total))
    return;
  p->last_draw = now;
  char amount[32], rate[32];
  cp_cli_human_bytes(amount, sizeof amount, (double)done);
  double secs = now - p->started;
  cp_cli_human_bytes(rate, sizeof rate, secs > 0.05 ? (double)done / secs : 0.0);
  char bar[26] = "";
  if (p->total > 0) {
    int filled = (int)(24.0 * (double)(done > p->total ? p->total : done) / (double)p->total);
    for (int i = 0; i < 24; i++)
      bar[i] = i < filled ? '#' : '.';
    bar[24] = '\0';
    fprintf(stderr, "\r%-10s [%s] %3d%% %9s %9s/s %-20.20s", p->label, bar,
            (int)(100.0 * (double)done / (double)p->total), amount, rate, item ? item : "");
  } else {
    fprintf(stderr, "\r%-10s %9s %9s/s %-40.40s", p->label, amount, rate, item ? item : "");
  }
  (void)fflush(stderr);
  p->drawn = 1;
}

void cp_progress_finish(cp_progress *p)
{
  if (p->enabled && p->drawn) {
    fprintf(stderr, "\r%-79s\r", "");
    (void)fflush(stderr);
  }
  p->drawn = 0;
}
