/*
 * The station's spool folder, which must never lose a bundle:
 *
 *   SPOOL/ready/   finished bundles (the bundle writer renames them in only
 *                  when complete) waiting for upload, or kept when upload is off
 *   SPOOL/sent/    uploaded bundles, each with NAME.receipt.json beside it
 *   SPOOL/state/   station.lock (one station per spool) and the case counter
 *
 * Partial files (the writer's `.<name>.partial-XXXXXX`, our own
 * `.<name>.tmp-XXXXXX`, the upload engine's `<file>.tmp`) are removed when a
 * station starts, since no other process may be writing there (the lock);
 * so is an upload's resume state (`NAME.upload-state`) whose bundle is gone.
 * The state of a bundle still in ready/ is kept: its upload resumes.
 */
#ifndef CP_STATION_SPOOL_H
#define CP_STATION_SPOOL_H

#include "cp_err.h"

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <time.h>

typedef struct cp_spool {
  char *root, *ready, *sent, *state;
  int lock_fd;
  pthread_mutex_t mu; /* the case counter */
} cp_spool;

/* Creates the folders as needed and takes the spool's lock: a second station
 * on the same spool gets CP_E_IO ("already used by process N"). */
cp_err cp_spool_open(cp_spool *s, const char *root, cp_error *err);

/* Called once per file removed by cp_spool_clean, with its path. */
typedef void (*cp_spool_clean_fn)(void *ctx, const char *path);

/* Removes every partial and temporary file left by an earlier run (kill -9,
 * power loss) from ready/, sent/, state/ and the root; *removed counts them. */
cp_err cp_spool_clean(cp_spool *s, cp_spool_clean_fn fn, void *ctx, int *removed, cp_error *err);

/* The next value of the template's {n} for the UTC day of `utc`: 1, 2, ...
 * restarting each day, kept in state/case-counter (written atomically) so a
 * restart never reuses a case id. Thread-safe. */
cp_err cp_spool_next_number(cp_spool *s, const struct tm *utc, unsigned long *n, cp_error *err);

/* Names (no folder) of finished bundles in ready/, sorted; free with
 * cp_spool_names_free. */
cp_err cp_spool_list_ready(cp_spool *s, char ***names, size_t *n, cp_error *err);
void cp_spool_names_free(char **names, size_t n);

/* After an upload (which wrote ready/NAME.receipt.json): moves the receipt,
 * then the bundle, from ready/ to sent/ and drops ready/NAME.upload-state.
 * If the station dies in between, the bundle is still in ready/ and is
 * uploaded again on the next start (a new receipt replaces the old). */
cp_err cp_spool_mark_sent(cp_spool *s, const char *name, cp_error *err);

/* Releases the lock and frees the paths. */
void cp_spool_close(cp_spool *s);

#endif
