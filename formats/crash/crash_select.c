/* See crash_select.h. */
#include "crash_select.h"

#include <stdlib.h>
#include <string.h>

static int newest_first(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x > y ? -1 : x < y;
}

int64_t cp_crash_newest_cutoff(const int64_t *mtimes, size_t n, size_t cap, size_t *room)
{
  if (n <= cap) {
    *room = n;
    return INT64_MIN;
  }
  *room = 0;
  if (cap == 0)
    return INT64_MAX;
  int64_t *v = malloc(n * sizeof *v);
  if (!v)
    return INT64_MAX;
  memcpy(v, mtimes, n * sizeof *v);
  qsort(v, n, sizeof *v, newest_first);
  int64_t cut = v[cap - 1];
  size_t newer = 0;
  while (newer < cap && v[newer] > cut)
    newer++;
  *room = cap - newer;
  free(v);
  return cut;
}
