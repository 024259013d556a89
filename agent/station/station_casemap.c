/* Reloading case map (see station_casemap.h). The stamp is taken before the
 * read, so a write that lands during the read is seen again next time. */
#include "station_casemap.h"

#include "platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_MAP (16 * 1024 * 1024)

cp_err cp_casefile_init(cp_casefile *f, const char *path, cp_error *err)
{
  memset(f, 0, sizeof *f);
  if (path && *path && !(f->path = strdup(path)))
    return cp_error_set(err, CP_E_NOMEM, "case map path");
  return CP_OK;
}

static cp_err read_all(const char *path, char **buf, size_t *len, cp_error *err)
{
  cp_err rc = CP_OK;
  char *b = NULL;
  size_t n = 0, cap = 0;
  FILE *fp = fopen(path, "rb");
  *buf = NULL;
  *len = 0;
  if (!fp)
    return cp_error_set(err, errno == ENOENT ? CP_E_NOT_FOUND : CP_E_IO,
                        "cannot read case map %s: %s", path, strerror(errno));
  for (;;) {
    if (n == cap) {
      if (cap >= MAX_MAP) {
        rc = cp_error_set(err, CP_E_POLICY, "case map %s is larger than %d bytes", path, MAX_MAP);
        goto out;
      }
      size_t nc = cap ? cap * 2 : 4096;
      char *nb = realloc(b, nc + 1);
      if (!nb) {
        rc = cp_error_set(err, CP_E_NOMEM, "case map");
        goto out;
      }
      b = nb;
      cap = nc;
    }
    size_t got = fread(b + n, 1, cap - n, fp);
    n += got;
    if (got == 0) {
      if (ferror(fp))
        rc = cp_error_set(err, CP_E_IO, "cannot read case map %s", path);
      break;
    }
  }
out:
  fclose(fp);
  if (rc) {
    free(b);
    return rc;
  }
  *buf = b;
  *len = n;
  return CP_OK;
}

cp_err cp_casefile_refresh(cp_casefile *f, int *changed, cp_error *err)
{
  cp_err rc = CP_OK;
  char *buf = NULL;
  size_t len = 0;
  struct stat st;
  if (changed)
    *changed = 0;
  if (!f->path)
    return CP_OK;
  if (stat(f->path, &st) != 0) {
    if (f->stamped && f->missing)
      return CP_OK; /* already reported */
    f->stamped = 1;
    f->missing = 1;
    if (f->map && changed)
      *changed = 1;
    cp_casemap_free(f->map);
    f->map = NULL;
    return cp_error_set(err, CP_E_NOT_FOUND, "case map %s: %s", f->path, strerror(errno));
  }
  int64_t mt = cp_stat_mtime_ns(&st);
  if (f->stamped && !f->missing && f->mtime_ns == mt && f->size == (int64_t)st.st_size &&
      f->ino == (uint64_t)st.st_ino)
    return CP_OK;
  f->stamped = 1;
  f->missing = 0;
  f->mtime_ns = mt;
  f->size = (int64_t)st.st_size;
  f->ino = (uint64_t)st.st_ino;
  if ((rc = read_all(f->path, &buf, &len, err)))
    goto out;
  cp_casemap *m = NULL;
  if ((rc = cp_casemap_parse(buf, len, f->path, &m, err)))
    goto out; /* keep the previous map: a half-edited file must not lose cases */
  cp_casemap_free(f->map);
  f->map = m;
  if (changed)
    *changed = 1;
out:
  free(buf);
  return rc;
}

void cp_casefile_free(cp_casefile *f)
{
  if (!f)
    return;
  cp_casemap_free(f->map);
  free(f->path);
  memset(f, 0, sizeof *f);
}
