/* The station spool (see station_spool.h). Every file we write and every
 * move goes through durable.h (hidden temp name, fsync, rename, fsync of the
 * folder), so after any crash a visible name is either absent or whole. */
#include "station_spool.h"

#include "durable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUNDLE_SUFFIX ".caseprobe.tar.gz"

static char *join(const char *a, const char *b)
{
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", a, b);
  return p;
}

static cp_err mkdir_one(const char *path, cp_error *err)
{
  if (mkdir(path, 0750) == 0 || errno == EEXIST) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
      return CP_OK;
    return cp_error_set(err, CP_E_IO, "%s exists and is not a folder", path);
  }
  return cp_error_set(err, CP_E_IO, "cannot create %s: %s", path, strerror(errno));
}

/* Writes dir/name durably (durable.h): `.<name>.tmp-XXXXXX`, fsync, rename,
 * fsync of the folder. */
static cp_err write_atomic(const char *dir, const char *name, const char *data, size_t len,
                           cp_error *err)
{
  char fin[4096];
  if ((size_t)snprintf(fin, sizeof fin, "%s/%s", dir, name) >= sizeof fin)
    return cp_error_set(err, CP_E_IO, "path too long in %s", dir);
  return cp_durable_write_file(fin, data, len, CP_DURABLE_REPLACE, err);
}

cp_err cp_spool_open(cp_spool *s, const char *root, cp_error *err)
{
  cp_err rc = CP_OK;
  memset(s, 0, sizeof *s);
  s->lock_fd = -1;
  if (pthread_mutex_init(&s->mu, NULL) != 0)
    return cp_error_set(err, CP_E_INTERNAL, "spool lock");
  if (!(s->root = strdup(root)) || !(s->ready = join(root, "ready")) ||
      !(s->sent = join(root, "sent")) || !(s->state = join(root, "state"))) {
    rc = cp_error_set(err, CP_E_NOMEM, "spool");
    goto out;
  }
  if ((rc = mkdir_one(s->root, err)) || (rc = mkdir_one(s->ready, err)) ||
      (rc = mkdir_one(s->sent, err)) || (rc = mkdir_one(s->state, err)))
    goto out;
  char *lock = join(s->state, "station.lock");
  if (!lock) {
    rc = cp_error_set(err, CP_E_NOMEM, "spool");
    goto out;
  }
  s->lock_fd = open(lock, O_RDWR | O_CREAT, 0640);
  if (s->lock_fd < 0) {
    rc = cp_error_set(err, CP_E_IO, "cannot open %s: %s", lock, strerror(errno));
    free(lock);
    goto out;
  }
  /* A POSIX record lock: released by the kernel when the process dies, even
   * by kill -9, so a stale lock never blocks a restart. */
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (fcntl(s->lock_fd, F_SETLK, &fl) != 0) {
    struct flock who = fl;
    long pid = fcntl(s->lock_fd, F_GETLK, &who) == 0 ? (long)who.l_pid : 0;
    rc = cp_error_set(err, CP_E_IO, "spool %s is already used by another station (process %ld)",
                      root, pid);
    free(lock);
    goto out;
  }
  free(lock);
  char pid[32];
  int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
  if (ftruncate(s->lock_fd, 0) != 0 || write(s->lock_fd, pid, (size_t)n) != n) {
    /* Only informative; the lock itself is what matters. */
  }
out:
  if (rc)
    cp_spool_close(s);
  return rc;
}

static int ends_with(const char *s, const char *suffix)
{
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

/* Partial files: `.NAME.partial-XXXXXX` (bundle writer), `.NAME.tmp-XXXXXX`
 * (write_atomic), `FILE.tmp` (the upload engine's atomic writes), and an
 * upload's resume state whose bundle is no longer in the folder. */
static int is_leftover(const char *dir, const char *name)
{
  if (name[0] == '.' && (strstr(name, ".partial-") || strstr(name, ".tmp-")))
    return 1;
  if (ends_with(name, ".tmp"))
    return 1;
  if (ends_with(name, ".upload-state")) {
    /* The bundle's path: NAME without the suffix (ends_with vouches it is there). */
    char b[4200];
    int keep = (int)(strlen(name) - strlen(".upload-state"));
    int n = snprintf(b, sizeof b, "%s/%.*s", dir, keep, name);
    if (n < 0 || (size_t)n >= sizeof b)
      return 0;
    struct stat st;
    return stat(b, &st) != 0 && errno == ENOENT;
  }
  return 0;
}

static cp_err clean_dir(const char *dir, cp_spool_clean_fn fn, void *ctx, int *removed,
                        cp_error *err)
{
  DIR *d = opendir(dir);
  if (!d)
    return cp_error_set(err, CP_E_IO, "cannot list %s: %s", dir, strerror(errno));
  struct dirent *de;
  cp_err rc = CP_OK;
  while ((de = readdir(d))) {
    if (!is_leftover(dir, de->d_name))
      continue;
    char *p = join(dir, de->d_name);
    if (!p) {
      rc = cp_error_set(err, CP_E_NOMEM, "spool");
      break;
    }
    if (unlink(p) == 0) {
      (*removed)++;
      if (fn)
        fn(ctx, p);
    } else if (errno != ENOENT) {
      rc = cp_error_set(err, CP_E_IO, "cannot remove %s: %s", p, strerror(errno));
    }
    free(p);
  }
  closedir(d);
  return rc;
}

cp_err cp_spool_clean(cp_spool *s, cp_spool_clean_fn fn, void *ctx, int *removed, cp_error *err)
{
  cp_err rc = CP_OK;
  const char *dirs[] = {s->root, s->ready, s->sent, s->state};
  *removed = 0;
  for (size_t i = 0; i < 4 && rc == CP_OK; i++)
    rc = clean_dir(dirs[i], fn, ctx, removed, err);
  return rc;
}

cp_err cp_spool_next_number(cp_spool *s, const struct tm *utc, unsigned long *n, cp_error *err)
{
  cp_err rc = CP_OK;
  char day[16], line[64] = "";
  unsigned long last = 0;
  snprintf(day, sizeof day, "%04d%02d%02d", (utc->tm_year + 1900) % 10000, (utc->tm_mon + 1) % 100,
           utc->tm_mday % 100);
  pthread_mutex_lock(&s->mu);
  char *path = join(s->state, "case-counter");
  if (!path) {
    rc = cp_error_set(err, CP_E_NOMEM, "spool");
    goto out;
  }
  FILE *f = fopen(path, "r");
  if (f) {
    char d[16];
    if (fgets(line, sizeof line, f) && sscanf(line, "%15s %lu", d, &last) == 2 &&
        strcmp(d, day) != 0)
      last = 0; /* a new day starts at 1 */
    (void)fclose(f);
  }
  if (last >= 4000000000UL)
    last = 0;
  int len = snprintf(line, sizeof line, "%s %lu\n", day, last + 1);
  if ((rc = write_atomic(s->state, "case-counter", line, (size_t)len, err)))
    goto out;
  *n = last + 1;
out:
  free(path);
  pthread_mutex_unlock(&s->mu);
  return rc;
}

static int cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

cp_err cp_spool_list_ready(cp_spool *s, char ***names, size_t *n, cp_error *err)
{
  cp_err rc = CP_OK;
  char **v = NULL;
  size_t cnt = 0, cap = 0;
  *names = NULL;
  *n = 0;
  DIR *d = opendir(s->ready);
  if (!d)
    return cp_error_set(err, CP_E_IO, "cannot list %s: %s", s->ready, strerror(errno));
  struct dirent *de;
  size_t sl = strlen(BUNDLE_SUFFIX);
  while ((de = readdir(d))) {
    size_t l = strlen(de->d_name);
    if (de->d_name[0] == '.' || l <= sl || strcmp(de->d_name + l - sl, BUNDLE_SUFFIX))
      continue;
    if (cnt == cap) {
      size_t nc = cap ? cap * 2 : 16;
      char **nv = realloc(v, nc * sizeof *nv);
      if (!nv) {
        rc = cp_error_set(err, CP_E_NOMEM, "spool");
        goto out;
      }
      v = nv;
      cap = nc;
    }
    if (!(v[cnt] = strdup(de->d_name))) {
      rc = cp_error_set(err, CP_E_NOMEM, "spool");
      goto out;
    }
    cnt++;
  }
  if (cnt)
    qsort(v, cnt, sizeof *v, cmp_names);
  *names = v;
  *n = cnt;
  v = NULL;
out:
  closedir(d);
  if (v)
    cp_spool_names_free(v, cnt);
  return rc;
}

void cp_spool_names_free(char **names, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
}

cp_err cp_spool_mark_sent(cp_spool *s, const char *name, cp_error *err)
{
  cp_err rc = CP_OK;
  char from[4200], to[4200];
  if (strchr(name, '/') || name[0] == '.')
    return cp_error_set(err, CP_E_UNSAFE_PATH, "bundle name %s", name);
  /* The receipt first: a bundle in sent/ always has its receipt beside it. */
  if ((size_t)snprintf(from, sizeof from, "%s/%s.receipt.json", s->ready, name) >= sizeof from ||
      (size_t)snprintf(to, sizeof to, "%s/%s.receipt.json", s->sent, name) >= sizeof to)
    return cp_error_set(err, CP_E_IO, "path too long: %s", name);
  struct stat st; /* no receipt is fine; we hold the spool lock, so no race */
  if (lstat(from, &st) == 0 && (rc = cp_durable_move(from, to, err)))
    return rc;
  snprintf(from, sizeof from, "%s/%s", s->ready, name);
  snprintf(to, sizeof to, "%s/%s", s->sent, name);
  if ((rc = cp_durable_move(from, to, err)))
    return rc;
  snprintf(from, sizeof from, "%s/%s.upload-state", s->ready, name);
  (void)unlink(from);
  return cp_durable_sync_dir(s->ready, err);
}

void cp_spool_close(cp_spool *s)
{
  if (!s)
    return;
  if (s->lock_fd >= 0)
    close(s->lock_fd); /* releases the lock */
  s->lock_fd = -1;
  free(s->root);
  free(s->ready);
  free(s->sent);
  free(s->state);
  s->root = s->ready = s->sent = s->state = NULL;
  pthread_mutex_destroy(&s->mu);
}
