/* A terminal progress bar on stderr: drawn only when stderr is a terminal,
 * at most 10 times a second, fitted to 80 columns; silent otherwise so logs
 * and CI output stay clean. Shared by crashes pull, collect and upload. */
#ifndef CP_PROGRESS_H
#define CP_PROGRESS_H

#include <stdint.h>

typedef struct cp_progress {
  const char *label;  /* "pulling", "collecting", "uploading" */
  uint64_t total;     /* 0 when unknown: shows bytes and rate only */
  uint64_t done;
  double started;     /* seconds, monotonic */
  double last_draw;
  int enabled;        /* stderr is a terminal and not disabled */
  int drawn;          /* something is on the line and needs clearing */
} cp_progress;

/* Starts a bar; `force_off` disables it (e.g. --json or --quiet). */
void cp_progress_start(cp_progress *p, const char *label, uint64_t total, int force_off);

/* Sets the amount done (absolute) and redraws at most every 100 ms. */
void cp_progress_update(cp_progress *p, uint64_t done, const char *item);

/* Clears the bar line so the next message starts clean. */
void cp_progress_finish(cp_progress *p);

/* Monotonic seconds, for rates and timeouts. */
double cp_now(void);

#endif
