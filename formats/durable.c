/* See durable.h. The only file that calls open/mkstemp/fsync/rename/link for
 * durable writes; the calls that can fail late (write, fsync, close, rename,
 * link, syncfs) go through an ops table so tests can inject errors. */
#ifdef __linux__
#define _GNU_SOURCE /* syncfs, sync_file_range */
#endif
#include "durable.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __linux__
static int real_syncfs(int fd)
{
  return syncfs(fd);
}
#define CP_REAL_SYNCFS real_syncfs
#else
#define CP_REAL_SYNCFS NULL /* elsewhere a batch fsyncs each of its files */
#endif

static const cp_durable_ops real_ops = {write, fsync, close, rename, link, CP_REAL_SYNCFS};
static const cp_durable_ops *ops = &real_ops;

void cp_durable_set_ops(const cp_durable_ops *o)
{
  ops = o ? o : &real_ops;
}

cp_err cp_durable_errno_code(int e)
{
#ifdef EDQUOT
  if (e == EDQUOT)
    return CP_E_DISK_FULL;
#endif
  return e == ENOSPC ? CP_E_DISK_FULL : CP_E_IO;
}

static cp_err fail(cp_durable *d, cp_error *err, int e, const char *what, const char *path)
{
  if (d)
    d->last_errno = e;
  return cp_error_set(err, cp_durable_errno_code(e), "%s %s: %s", what, path, strerror(e));
}

cp_err cp_durable_begin(cp_durable *d, const char *target, const char *tmp_prefix, int flags,
                        cp_error *err)
{
  memset(d, 0, sizeof *d);
  d->fd = -1;
  d->flags = flags;
  const char *slash = strrchr(target, '/');
  const char *base = slash ? slash + 1 : target;
  size_t dlen = slash ? (size_t)(slash - target) : 0;
  size_t plen = tmp_prefix ? strlen(tmp_prefix) : strlen(base) + 6;
  d->target = strdup(target);
  d->dir = malloc(dlen + 2);
  d->tmp_path = malloc(dlen + plen + 10);
  if (!d->target || !d->dir || !d->tmp_path) {
    cp_durable_abort(d);
    return cp_error_set(err, CP_E_NOMEM, "file name");
  }
  if (slash)
    snprintf(d->dir, dlen + 2, "%.*s", (int)(dlen ? dlen : 1), dlen ? target : "/");
  else
    snprintf(d->dir, dlen + 2, ".");
  if (tmp_prefix)
    snprintf(d->tmp_path, dlen + plen + 10, "%.*s%s%sXXXXXX", (int)dlen, target, slash ? "/" : "",
             tmp_prefix);
  else
    snprintf(d->tmp_path, dlen + plen + 10, "%.*s%s.%s.tmp-XXXXXX", (int)dlen, target,
             slash ? "/" : "", base);
  d->fd = mkstemp(d->tmp_path);
  if (d->fd < 0) {
    int e = errno;
    cp_err rc = e == ENOENT ? cp_error_set(err, CP_E_NOT_FOUND, "folder of %s", target)
                            : fail(d, err, e, "cannot create a file beside", target);
    free(d->tmp_path);
    d->tmp_path = NULL;
    cp_durable_abort(d);
    return rc;
  }
  return CP_OK;
}

cp_err cp_durable_write(cp_durable *d, const void *buf, size_t len, cp_error *err)
{
  const unsigned char *b = buf;
  if (d->fd < 0)
    return cp_error_set(err, CP_E_INTERNAL, "durable write without a file");
  while (len > 0) {
    ssize_t w = ops->write(d->fd, b, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return fail(d, err, w < 0 ? errno : ENOSPC, "cannot write", d->target);
    b += w;
    len -= (size_t)w;
  }
  return CP_OK;
}

cp_err cp_durable_sync_dir(const char *dir, cp_error *err)
{
  int fd = open(dir, O_RDONLY);
  if (fd < 0)
    return cp_error_set(err, CP_E_IO, "cannot open folder %s: %s", dir, strerror(errno));
  cp_err rc = CP_OK;
  /* Some file systems refuse fsync on a folder: the rename is then as
   * durable as they can make it. */
  if (ops->fsync(fd) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP)
    rc = fail(NULL, err, errno, "cannot sync folder", dir);
  (void)close(fd);
  return rc;
}

/* Moves the temp file to the target without replacing: link() fails with
 * EEXIST atomically; file systems without hard links (EPERM, ENOTSUP) fall
 * back to a check then rename(). */
static cp_err place_noreplace(cp_durable *d, cp_error *err)
{
  if (ops->link(d->tmp_path, d->target) == 0) {
    (void)unlink(d->tmp_path);
    return CP_OK;
  }
  int e = errno;
  if (e == EEXIST)
    return cp_error_set(err, CP_E_EXISTS, "%s", d->target);
  /* only "this file system has no hard links" falls back; EIO and ENOSPC
   * are failures like any other */
  if (e != EPERM && e != ENOTSUP && e != EOPNOTSUPP && e != ENOSYS && e != EMLINK)
    return fail(d, err, e, "cannot rename into", d->target);
  struct stat st;
  if (stat(d->target, &st) == 0)
    return cp_error_set(err, CP_E_EXISTS, "%s", d->target);
  if (ops->rename(d->tmp_path, d->target) != 0)
    return fail(d, err, errno, "cannot rename into", d->target);
  return CP_OK;
}

cp_err cp_durable_commit(cp_durable *d, cp_error *err)
{
  cp_err rc = CP_OK;
  if (d->fd < 0) {
    cp_durable_abort(d);
    return cp_error_set(err, CP_E_INTERNAL, "durable commit without a file");
  }
  if (ops->fsync(d->fd) != 0) {
    rc = fail(d, err, errno, "cannot sync", d->target);
    goto out;
  }
  int fd = d->fd;
  d->fd = -1;
  if (ops->close(fd) != 0 && errno != EINTR) { /* NFS, quotas: late errors */
    rc = fail(d, err, errno, "cannot close", d->target);
    goto out;
  }
  if (d->flags & CP_DURABLE_NOREPLACE)
    rc = place_noreplace(d, err);
  else if (ops->rename(d->tmp_path, d->target) != 0)
    rc = fail(d, err, errno, "cannot rename into", d->target);
  if (rc != CP_OK)
    goto out;
  free(d->tmp_path); /* renamed: nothing to remove any more */
  d->tmp_path = NULL;
  rc = cp_durable_sync_dir(d->dir, err);
  if (rc != CP_OK && (d->flags & CP_DURABLE_NOREPLACE))
    (void)unlink(d->target); /* not durable: do not leave it looking whole */
out:
  cp_durable_abort(d);
  return rc;
}

void cp_durable_abort(cp_durable *d)
{
  if (!d)
    return;
  if (d->fd >= 0)
    (void)close(d->fd);
  d->fd = -1;
  if (d->tmp_path)
    (void)unlink(d->tmp_path);
  free(d->tmp_path);
  free(d->target);
  free(d->dir);
  d->tmp_path = d->target = d->dir = NULL;
}

cp_err cp_durable_write_file(const char *target, const void *data, size_t len, int flags,
                             cp_error *err)
{
  cp_durable d;
  cp_err rc = cp_durable_begin(&d, target, NULL, flags, err);
  if (rc != CP_OK)
    return rc;
  rc = cp_durable_write(&d, data, len, err);
  if (rc != CP_OK) {
    cp_durable_abort(&d);
    return rc;
  }
  return cp_durable_commit(&d, err);
}

/* The folder part of a path ("." when none), malloc'd. */
static char *folder_of(const char *path)
{
  const char *slash = strrchr(path, '/');
  if (!slash)
    return strdup(".");
  if (slash == path)
    return strdup("/");
  return strndup(path, (size_t)(slash - path));
}

cp_err cp_durable_move(const char *from, const char *to, cp_error *err)
{
  if (ops->rename(from, to) != 0)
    return cp_error_set(err, cp_durable_errno_code(errno), "cannot move %s to %s: %s", from, to,
                        strerror(errno));
  char *a = folder_of(to), *b = folder_of(from);
  cp_err rc = a && b ? CP_OK : cp_error_set(err, CP_E_NOMEM, "file name");
  if (rc == CP_OK)
    rc = cp_durable_sync_dir(a, err);
  if (rc == CP_OK && strcmp(a, b) != 0)
    rc = cp_durable_sync_dir(b, err);
  free(a);
  free(b);
  return rc;
}

/* ------------------------------------------------------------ batches */

typedef struct batch_file {
  char *tmp, *target, *dir;
  int flags;
} batch_file;

struct cp_durable_batch {
  batch_file *v;
  size_t n, cap;
  unsigned long long bytes;
};

cp_err cp_durable_batch_new(cp_durable_batch **out, cp_error *err)
{
  *out = calloc(1, sizeof **out);
  return *out ? CP_OK : cp_error_set(err, CP_E_NOMEM, "durable batch");
}

size_t cp_durable_batch_pending(const cp_durable_batch *b, unsigned long long *bytes)
{
  if (bytes)
    *bytes = b ? b->bytes : 0;
  return b ? b->n : 0;
}

cp_err cp_durable_commit_batched(cp_durable *d, cp_durable_batch *b, cp_error *err)
{
  cp_err rc = CP_OK;
  if (d->fd < 0 || !b) {
    cp_durable_abort(d);
    return cp_error_set(err, CP_E_INTERNAL, "durable batch commit without a file");
  }
  if (b->n == b->cap) {
    size_t nc = b->cap ? b->cap * 2 : 64;
    batch_file *nv = realloc(b->v, nc * sizeof *nv);
    if (!nv) {
      cp_durable_abort(d);
      return cp_error_set(err, CP_E_NOMEM, "durable batch");
    }
    b->v = nv;
    b->cap = nc;
  }
  struct stat st;
  unsigned long long size = fstat(d->fd, &st) == 0 ? (unsigned long long)st.st_size : 0;
#ifdef __linux__
  /* start the write-back now, so the flush waits only for the tail */
  (void)sync_file_range(d->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
  int fd = d->fd;
  d->fd = -1;
  if (ops->close(fd) != 0 && errno != EINTR) {
    rc = fail(d, err, errno, "cannot close", d->target);
    cp_durable_abort(d);
    return rc;
  }
  batch_file *f = &b->v[b->n++];
  f->tmp = d->tmp_path;
  f->target = d->target;
  f->dir = d->dir;
  f->flags = d->flags;
  d->tmp_path = d->target = d->dir = NULL;
  b->bytes += size;
  return CP_OK;
}

/* Drops the waiting files from index i on (their temps removed) and
 * frees every entry; the batch is empty after. */
static void batch_clear(cp_durable_batch *b, size_t from)
{
  for (size_t i = 0; i < b->n; i++) {
    if (i >= from && b->v[i].tmp)
      (void)unlink(b->v[i].tmp);
    free(b->v[i].tmp);
    free(b->v[i].target);
    free(b->v[i].dir);
  }
  b->n = 0;
  b->bytes = 0;
}

/* The distinct folders of the first n files (borrowed strings), or NULL. */
static const char **batch_dirs(const cp_durable_batch *b, size_t n, size_t *ndirs)
{
  const char **dirs = calloc(n ? n : 1, sizeof *dirs);
  *ndirs = 0;
  if (!dirs)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    size_t j = *ndirs;
    if (j && !strcmp(dirs[j - 1], b->v[i].dir))
      continue; /* files of one folder usually come together */
    for (j = 0; j < *ndirs && strcmp(dirs[j], b->v[i].dir); j++)
      ;
    if (j == *ndirs)
      dirs[(*ndirs)++] = b->v[i].dir;
  }
  return dirs;
}

/* The data of every waiting file on stable storage: one syncfs per file
 * system, or (no syncfs) an fsync of each file. */
static cp_err batch_sync_data(cp_durable_batch *b, const char **dirs, size_t ndirs, cp_error *err)
{
  if (!ops->syncfs) {
    for (size_t i = 0; i < b->n; i++) {
      int fd = open(b->v[i].tmp, O_RDONLY);
      if (fd < 0)
        return fail(NULL, err, errno, "cannot reopen to sync", b->v[i].target);
      int bad = ops->fsync(fd) != 0;
      int e = errno;
      (void)close(fd);
      if (bad)
        return fail(NULL, err, e, "cannot sync", b->v[i].target);
    }
    return CP_OK;
  }
  dev_t *seen = calloc(ndirs ? ndirs : 1, sizeof *seen);
  size_t nseen = 0;
  cp_err rc = seen ? CP_OK : cp_error_set(err, CP_E_NOMEM, "durable batch");
  for (size_t i = 0; i < ndirs && rc == CP_OK; i++) {
    int fd = open(dirs[i], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
      rc = fail(NULL, err, errno, "cannot open folder", dirs[i]);
      if (fd >= 0)
        (void)close(fd);
      break;
    }
    size_t j = 0;
    while (j < nseen && seen[j] != st.st_dev)
      j++;
    if (j == nseen) {
      seen[nseen++] = st.st_dev;
      if (ops->syncfs(fd) != 0)
        rc = fail(NULL, err, errno, "cannot sync the files in", dirs[i]);
    }
    (void)close(fd);
  }
  free(seen);
  return rc;
}

cp_err cp_durable_batch_flush(cp_durable_batch *b, cp_error *err)
{
  if (!b || !b->n)
    return CP_OK;
  size_t ndirs = 0, placed = 0;
  const char **dirs = batch_dirs(b, b->n, &ndirs);
  cp_err rc =
      dirs ? batch_sync_data(b, dirs, ndirs, err) : cp_error_set(err, CP_E_NOMEM, "durable batch");
  for (; rc == CP_OK && placed < b->n; placed++) {
    batch_file *f = &b->v[placed];
    cp_durable one = {-1, f->tmp, f->target, f->dir, f->flags, 0};
    if (f->flags & CP_DURABLE_NOREPLACE)
      rc = place_noreplace(&one, err);
    else if (ops->rename(f->tmp, f->target) != 0)
      rc = fail(NULL, err, errno, "cannot rename into", f->target);
    if (rc != CP_OK)
      break;
    free(f->tmp); /* renamed: nothing to remove any more */
    f->tmp = NULL;
  }
  /* the folders of what was placed, once each, even after a failure */
  free(dirs);
  dirs = batch_dirs(b, placed, &ndirs);
  for (size_t i = 0; dirs && i < ndirs; i++) {
    cp_error de;
    cp_err drc = cp_durable_sync_dir(dirs[i], &de);
    if (drc == CP_OK)
      continue;
    if (rc == CP_OK) {
      rc = drc;
      *err = de;
    }
    for (size_t j = 0; j < placed; j++) /* not durable: must not look whole */
      if ((b->v[j].flags & CP_DURABLE_NOREPLACE) && !strcmp(b->v[j].dir, dirs[i]))
        (void)unlink(b->v[j].target);
  }
  free(dirs);
  batch_clear(b, placed);
  return rc;
}

void cp_durable_batch_free(cp_durable_batch *b)
{
  if (!b)
    return;
  batch_clear(b, 0);
  free(b->v);
  free(b);
}
