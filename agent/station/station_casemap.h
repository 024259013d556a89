/*
 * The station's case map file, re-read when it changes: the counter or
 * ticket system rewrites it while the station runs, and the station checks
 * it (one stat) before each new device. No inotify: portable and cheap.
 */
#ifndef CP_STATION_CASEMAP_H
#define CP_STATION_CASEMAP_H

#include "casemap.h"

#include <stdint.h>
#include <sys/types.h>

typedef struct cp_casefile {
  char *path;      /* NULL: no map, the template names every case */
  cp_casemap *map; /* NULL until loaded, or while the file is missing */
  int stamped;     /* the fields below describe the loaded (or failed) file */
  int64_t mtime_ns;
  int64_t size;
  uint64_t ino;
  int missing;
} cp_casefile;

/* Remembers the path (copied; NULL allowed); loads nothing yet. */
cp_err cp_casefile_init(cp_casefile *f, const char *path, cp_error *err);

/* Re-reads the file when its mtime, size or inode changed since the last
 * look. *changed (may be NULL) is set when the map was replaced or dropped.
 * A file that fails to parse keeps the previous map and returns the error
 * once (not again until the file changes); a file that disappears drops the
 * map and returns CP_E_NOT_FOUND once. */
cp_err cp_casefile_refresh(cp_casefile *f, int *changed, cp_error *err);

void cp_casefile_free(cp_casefile *f);

#endif
