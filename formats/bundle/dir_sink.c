/* See dir_sink.h. Each member is one durable write (durable.h: temp file,
 * fsync, rename, fsync of its folder), or joins a durable batch whose syncs
 * it shares; mkdir/stat for the sub-folders. */
#include "dir_sink.h"

#include "durable.h"
#include "safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A batch is flushed at this many bytes at the latest, so the last flush
 * (the one the pull waits for) has little left to write back. */
#define DS_BATCH_BYTES (64ull * 1024 * 1024)

typedef struct dir_sink {
  cp_sink sink;
  char *root;
  char *strip;
  int flat;
  cp_durable out;          /* the open member's temp file; out.fd -1 between members */
  cp_durable_batch *batch; /* NULL: each member synced on its own */
  unsigned batch_files;
  char *final_path;
  EVP_MD_CTX *md;
  int have_last;
  char last_sha[65];
  unsigned long long last_size;
  char *last_path;
} dir_sink;

static cp_err io_error(cp_error *err, int e, const char *what, const char *path)
{
  return cp_error_set(err, e == ENOSPC ? CP_E_DISK_FULL : CP_E_IO, "%s %s: %s", what, path,
                      strerror(e));
}

/* mkdir -p of every folder between root and the member's file name. */
static cp_err make_parents(const char *full, size_t root_len, cp_error *err)
{
  char *p = strdup(full);
  if (!p)
    return cp_error_set(err, CP_E_NOMEM, "path");
  cp_err rc = CP_OK;
  for (char *s = p + root_len + 1; (s = strchr(s, '/')) != NULL; s++) {
    *s = '\0';
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
      rc = io_error(err, errno, "cannot create folder", p);
      break;
    }
    struct stat st;
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
      rc = cp_error_set(err, CP_E_IO, "%s exists and is not a folder", p);
      break;
    }
    *s = '/';
  }
  free(p);
  return rc;
}

static void discard(dir_sink *d)
{
  cp_durable_abort(&d->out);
  free(d->final_path);
  d->final_path = NULL;
}

static cp_err ds_begin(cp_sink *s, const char *path, const char *scope, cp_error *err)
{
  dir_sink *d = s->impl;
  (void)scope;
  cp_err rc = CP_OK;
  const char *rel = path;
  if (d->strip && !strncmp(rel, d->strip, strlen(d->strip)))
    rel += strlen(d->strip);
  if (!d->flat && !cp_path_is_safe(rel, strlen(rel)))
    return cp_error_set(err, CP_E_UNSAFE_PATH, "'%s'", path);
  size_t n = strlen(d->root) + strlen(rel) + 2;
  d->final_path = malloc(n);
  if (!d->final_path) {
    rc = cp_error_set(err, CP_E_NOMEM, "path");
    goto out;
  }
  if (d->flat)
    (void)snprintf(d->final_path, n, "%s", d->root);
  else {
    (void)snprintf(d->final_path, n, "%s/%s", d->root, rel);
    rc = make_parents(d->final_path, strlen(d->root), err);
    if (rc != CP_OK)
      goto out;
  }
  /* Temp file in the same folder so rename() is atomic. */
  rc = cp_durable_begin(&d->out, d->final_path, ".cp-part.", CP_DURABLE_REPLACE, err);
  if (rc != CP_OK)
    goto out;
  if (!d->md && !(d->md = EVP_MD_CTX_new())) {
    rc = cp_error_set(err, CP_E_NOMEM, "hash");
    goto out;
  }
  if (EVP_DigestInit_ex(d->md, EVP_sha256(), NULL) != 1)
    rc = cp_error_set(err, CP_E_INTERNAL, "sha256 init");
out:
  if (rc != CP_OK)
    discard(d);
  return rc;
}

static cp_err ds_write(cp_sink *s, const void *buf, size_t len, cp_error *err)
{
  dir_sink *d = s->impl;
  if (d->out.fd < 0)
    return cp_error_set(err, CP_E_INTERNAL, "dir sink write without a member");
  (void)EVP_DigestUpdate(d->md, buf, len);
  return cp_durable_write(&d->out, buf, len, err);
}

static cp_err ds_end(cp_sink *s, int keep, cp_error *err)
{
  dir_sink *d = s->impl;
  cp_err rc = CP_OK;
  if (d->out.fd < 0)
    return cp_error_set(err, CP_E_INTERNAL, "dir sink end without a member");
  if (!keep) {
    discard(d);
    return CP_OK;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (EVP_DigestFinal_ex(d->md, md, &mdlen) != 1 || mdlen != 32) {
    rc = cp_error_set(err, CP_E_INTERNAL, "sha256 final");
    goto out;
  }
  if (d->batch) {
    unsigned long long pending_bytes = 0;
    rc = cp_durable_commit_batched(&d->out, d->batch, err);
    if (rc == CP_OK && (cp_durable_batch_pending(d->batch, &pending_bytes) >= d->batch_files ||
                        pending_bytes >= DS_BATCH_BYTES))
      rc = cp_durable_batch_flush(d->batch, err);
  } else
    rc = cp_durable_commit(&d->out, err);
  if (rc != CP_OK)
    goto out;
  for (unsigned i = 0; i < 32; i++)
    (void)snprintf(d->last_sha + 2 * i, 3, "%02x", md[i]);
  d->last_size = s->member_bytes;
  free(d->last_path);
  d->last_path = d->final_path;
  d->final_path = NULL;
  d->have_last = 1;
  return CP_OK;
out:
  discard(d);
  return rc;
}

static cp_err ds_flush(cp_sink *s, cp_error *err)
{
  dir_sink *d = s->impl;
  return cp_durable_batch_flush(d->batch, err);
}

static const cp_sink_ops dir_ops = {ds_begin, ds_write, ds_end};

cp_err cp_dir_sink_new(const cp_dir_sink_opts *o, cp_sink **out, cp_error *err)
{
  *out = NULL;
  if (!o || !o->root || !o->root[0])
    return cp_error_set(err, CP_E_INTERNAL, "dir sink without a folder");
  if (!o->flat_file) {
    struct stat st;
    if (stat(o->root, &st) != 0 || !S_ISDIR(st.st_mode))
      return cp_error_set(err, CP_E_NOT_FOUND, "folder %s does not exist", o->root);
  }
  dir_sink *d = calloc(1, sizeof *d);
  if (!d)
    return cp_error_set(err, CP_E_NOMEM, "dir sink");
  d->out.fd = -1;
  d->flat = o->flat_file;
  d->root = strdup(o->root);
  d->strip = o->strip_prefix ? strdup(o->strip_prefix) : NULL;
  if (!d->root || (o->strip_prefix && !d->strip)) {
    free(d->root);
    free(d->strip);
    free(d);
    return cp_error_set(err, CP_E_NOMEM, "dir sink");
  }
  size_t rl = strlen(d->root);
  while (rl > 1 && d->root[rl - 1] == '/')
    d->root[--rl] = '\0';
  d->sink.ops = &dir_ops;
  d->sink.impl = d;
  *out = &d->sink;
  return CP_OK;
}

cp_err cp_dir_sink_batch(cp_sink *s, unsigned files, cp_error *err)
{
  dir_sink *d = s->impl;
  if (d->out.fd >= 0 || d->batch)
    return cp_error_set(err, CP_E_INTERNAL, "dir sink batched too late or twice");
  if (!files)
    return CP_OK;
  cp_err rc = cp_durable_batch_new(&d->batch, err);
  if (rc != CP_OK)
    return rc;
  d->batch_files = files;
  s->flush = ds_flush;
  return CP_OK;
}

int cp_dir_sink_last(const cp_sink *s, char sha256_hex[65], unsigned long long *size,
                     const char **local_path)
{
  const dir_sink *d = s ? s->impl : NULL;
  if (!d || !d->have_last)
    return 0;
  if (sha256_hex)
    memcpy(sha256_hex, d->last_sha, 65);
  if (size)
    *size = d->last_size;
  if (local_path)
    *local_path = d->last_path;
  return 1;
}

void cp_dir_sink_free(cp_sink *s)
{
  if (!s)
    return;
  dir_sink *d = s->impl;
  discard(d);
  cp_durable_batch_free(d->batch); /* members never flushed are removed */
  free(s->current);
  s->current = NULL;
  EVP_MD_CTX_free(d->md);
  free(d->root);
  free(d->strip);
  free(d->last_path);
  free(d);
}
