/* The crashlogs probe (scope crashes) and the walk behind `caseprobe
 * crashes`. See crashlogs.h. The reader (caller's thread) lists the tree,
 * reads each file in 1 MiB requests and queues the chunks; the worker thread
 * parses each file's prefix into a record, applies the filters and streams
 * the chunks into the sink. Deletions go back to the reader, the only thread
 * that talks to the device. */
#include "crashlogs.h"

#include "crash_index.h"
#include "crash_report.h"
#include "safepath.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CP_CRASH_MAX_DEPTH_DIRS 16
#define CP_CRASH_MAX_FILES 100000
/* No crash report comes near this (the largest, full panics and aggregated
 * logs, are a few MB); a device claiming more is broken or hostile and would
 * otherwise be read for as long as it keeps sending. */
#define CP_CRASH_MAX_FILE_BYTES (256ull * 1024 * 1024)
/* 2 MiB: the worker (parse, redact, gzip) outruns a USB-2 link, so a
 * deeper queue only holds memory (8 MiB of it filled on a fast link) */
#define CP_CRASH_QUEUE_BYTES (2u * 1024u * 1024u)

typedef struct entry {
  char *rel;
  cp_afc_stat st;
} entry;

enum { CK_BEGIN, CK_DATA, CK_END, CK_FINISH };

typedef struct chunk {
  struct chunk *next;
  int kind;
  size_t idx;          /* file index (BEGIN, DATA, END) */
  unsigned char *data; /* DATA */
  size_t len;
  cp_err status; /* END: how the transfer went */
  cp_error err;
} chunk;

typedef struct walk {
  cp_device *dev;
  cp_afc *afc;
  cp_sink *sink;
  const cp_probe_opts *opts;
  const cp_crash_hooks *hooks;
  int list_only;
  entry *files;
  size_t nfiles, cap;
  uint64_t total, done, pulled_bytes;
  json_t *reports, *skipped, *failed;
  /* collect (no hooks): rows go to a spool and a fixed-size triage instead
   * of `reports`, so memory does not grow with the report count */
  cp_crash_index *spool;

  /* reader -> worker queue */
  pthread_mutex_t qlock;
  pthread_cond_t qcond;
  chunk *head, *tail;
  size_t queued;
  int skip_set; /* the worker no longer wants file skip_idx */
  size_t skip_idx;
  int stop; /* the worker hit a fatal error */
  cp_err worker_rc;
  cp_error worker_err;

  /* hooks, the json arrays, `done` and the delete list */
  pthread_mutex_t lock;
  char **deletes;
  size_t ndel, capdel;
} walk;

/* Errors after which nothing more can be read or written. */
static int fatal(cp_err rc)
{
  return rc == CP_E_DETACHED || rc == CP_E_TIMEOUT || rc == CP_E_USBMUXD || rc == CP_E_NOMEM ||
         rc == CP_E_DISK_FULL || rc == CP_E_INTERRUPTED || rc == CP_E_LOCKED ||
         rc == CP_E_PROTOCOL || rc == CP_E_IO || rc == CP_E_INTERNAL;
}

/* Callers hold w->lock. */
static void note_failure(walk *w, const char *rel, const cp_error *e)
{
  json_array_append_new(w->failed,
                        json_pack("{s:s, s:s, s:s, s:i}", "path", rel, "error", e->detail,
                                  "code_name", cp_err_name(e->code), "code", (int)e->code));
  if (w->hooks && w->hooks->failed)
    w->hooks->failed(w->hooks->ctx, rel, e);
}

static void locked_failure(walk *w, const char *rel, const cp_error *e)
{
  pthread_mutex_lock(&w->lock);
  note_failure(w, rel, e);
  pthread_mutex_unlock(&w->lock);
}

/* Adds n bytes to the progress and reports it. */
static void advance(walk *w, uint64_t n, const char *rel)
{
  pthread_mutex_lock(&w->lock);
  w->done += n;
  if (w->hooks && w->hooks->progress)
    w->hooks->progress(w->hooks->ctx, w->done, w->total, rel);
  pthread_mutex_unlock(&w->lock);
}

/* Collects every regular file below `dir` with its size, depth-first. */
static cp_err list_tree(walk *w, const char *dir, int depth, cp_error *err)
{
  char **names = NULL;
  if (depth > CP_CRASH_MAX_DEPTH_DIRS)
    return CP_OK;
  cp_err rc = cp_afc_list(w->afc, dir, &names, err);
  if (rc != CP_OK)
    return rc;
  for (size_t i = 0; names[i] && rc == CP_OK; i++) {
    size_t n = strlen(dir) + strlen(names[i]) + 2;
    char *rel = malloc(n);
    if (!rel) {
      rc = cp_error_set(err, CP_E_NOMEM, "path");
      break;
    }
    (void)snprintf(rel, n, !strcmp(dir, ".") ? "%.0s%s" : "%s/%s", dir, names[i]);
    cp_afc_stat st;
    cp_error fe;
    cp_err frc = cp_afc_stat_path(w->afc, rel, &st, &fe);
    if (frc != CP_OK) {
      if (fatal(frc)) {
        *err = fe;
        rc = frc;
      } else
        locked_failure(w, rel, &fe);
      free(rel);
      continue;
    }
    if (st.type == CP_AFC_DIR) {
      rc = list_tree(w, rel, depth + 1, err);
      free(rel);
      continue;
    }
    if (st.type != CP_AFC_FILE || w->nfiles >= CP_CRASH_MAX_FILES) {
      free(rel); /* links (LatestCrash.ips) point at files we pull anyway */
      continue;
    }
    if (st.size > CP_CRASH_MAX_FILE_BYTES) {
      cp_error_set(&fe, CP_E_PROTOCOL, "'%s' claims %llu bytes, more than any crash report", rel,
                   (unsigned long long)st.size);
      locked_failure(w, rel, &fe);
      free(rel);
      continue;
    }
    if (w->nfiles == w->cap) {
      size_t nc = w->cap ? w->cap * 2 : 64;
      entry *ne = realloc(w->files, nc * sizeof *ne);
      if (!ne) {
        free(rel);
        rc = cp_error_set(err, CP_E_NOMEM, "file list");
        break;
      }
      w->files = ne;
      w->cap = nc;
    }
    w->files[w->nfiles].rel = rel;
    w->files[w->nfiles].st = st;
    w->nfiles++;
    w->total += st.size;
  }
  cp_afc_names_free(names);
  return rc;
}

/* ------------------------------------------------------------ the queue */

/* Queues c (blocking while the queue holds CP_CRASH_QUEUE_BYTES). */
static void push(walk *w, chunk *c)
{
  pthread_mutex_lock(&w->qlock);
  while (c->kind == CK_DATA && w->queued >= CP_CRASH_QUEUE_BYTES && !w->stop)
    pthread_cond_wait(&w->qcond, &w->qlock);
  c->next = NULL;
  if (w->tail)
    w->tail->next = c;
  else
    w->head = c;
  w->tail = c;
  w->queued += c->len;
  pthread_cond_broadcast(&w->qcond);
  pthread_mutex_unlock(&w->qlock);
}

static chunk *pop(walk *w)
{
  pthread_mutex_lock(&w->qlock);
  while (!w->head)
    pthread_cond_wait(&w->qcond, &w->qlock);
  chunk *c = w->head;
  w->head = c->next;
  if (!w->head)
    w->tail = NULL;
  w->queued -= c->len;
  pthread_cond_broadcast(&w->qcond);
  pthread_mutex_unlock(&w->qlock);
  return c;
}

static chunk *new_chunk(int kind, size_t idx)
{
  chunk *c = calloc(1, sizeof *c);
  if (c) {
    c->kind = kind;
    c->idx = idx;
  }
  return c;
}

static void free_chunk(chunk *c)
{
  if (c) {
    free(c->data);
    free(c);
  }
}

static void want_skip(walk *w, size_t idx)
{
  pthread_mutex_lock(&w->qlock);
  w->skip_set = 1;
  w->skip_idx = idx;
  pthread_mutex_unlock(&w->qlock);
}

static int skipping(walk *w, size_t idx)
{
  pthread_mutex_lock(&w->qlock);
  int s = (w->skip_set && w->skip_idx == idx) || w->stop;
  pthread_mutex_unlock(&w->qlock);
  return s;
}

/* ------------------------------------------------------------ the worker */

static int eq_nocase(const char *a, const char *b)
{
  return a && b && !strcasecmp(a, b);
}

/* 1 when the record passes --since/--process/--type. */
static int keep_record(const walk *w, const json_t *rec, const cp_afc_stat *st)
{
  const cp_probe_opts *o = w->opts;
  if (!o)
    return 1;
  if (o->since > 0) {
    json_t *t = json_object_get(rec, "time");
    int64_t when = json_is_integer(t) ? (int64_t)json_integer_value(t) : st->mtime;
    if (when < o->since)
      return 0;
  }
  if (o->process && !eq_nocase(json_string_value(json_object_get(rec, "process")), o->process))
    return 0;
  if (o->type) {
    json_t *bt = json_object_get(rec, "bug_type");
    char num[32] = "";
    if (json_is_integer(bt))
      (void)snprintf(num, sizeof num, "%lld", (long long)json_integer_value(bt));
    if (strcmp(num, o->type) != 0 &&
        !eq_nocase(json_string_value(json_object_get(rec, "bug_type_name")), o->type) &&
        !eq_nocase(json_string_value(json_object_get(rec, "kind")), o->type))
      return 0;
  }
  return 1;
}

typedef struct wstate {
  size_t idx;
  unsigned char *prefix; /* first CP_CRASH_PREFIX_BYTES of the file */
  size_t have;
  chunk *held, *held_tail; /* chunks kept until the filter decided */
  int decided, dropping, member;
  uint64_t written;
  json_t *rec;
} wstate;

static void worker_fail(walk *w, cp_err rc, const cp_error *e)
{
  pthread_mutex_lock(&w->qlock);
  if (!w->stop) {
    w->stop = 1;
    w->worker_rc = rc;
    w->worker_err = *e;
  }
  pthread_cond_broadcast(&w->qcond);
  pthread_mutex_unlock(&w->qlock);
}

static void drop_held(wstate *s)
{
  while (s->held) {
    chunk *n = s->held->next;
    free_chunk(s->held);
    s->held = n;
  }
  s->held_tail = NULL;
}

/* The index keeps one row per report for the whole pull, so its memory grows
 * with the report count: keep the columns the index and triage use (the
 * signature is already computed) and the top frames, not every frame. The
 * full reports are in the bundle or the pull folder. */
static void trim_record(json_t *rec)
{
  (void)json_object_del(rec, "exception_frames");
  (void)json_object_del(rec, "signature_basis");
  json_t *frames = json_object_get(rec, "frames");
  while (json_is_array(frames) && json_array_size(frames) > 3)
    (void)json_array_remove(frames, json_array_size(frames) - 1);
}

/* Parses the prefix, applies the filters, and opens the member (or not). */
static void decide(walk *w, wstate *s)
{
  const entry *f = &w->files[s->idx];
  const char *base = strrchr(f->rel, '/') ? strrchr(f->rel, '/') + 1 : f->rel;
  cp_error fe;
  cp_error_clear(&fe);
  s->decided = 1;
  /* The analyzer loses s->prefix (freed at the end of worker()) at this call. */
  // NOLINTNEXTLINE(clang-analyzer-unix.Malloc)
  cp_err rc = cp_crash_parse(s->prefix, s->have, base, &s->rec, &fe);
  if (rc != CP_OK) {
    worker_fail(w, rc, &fe);
    s->dropping = 1;
    return;
  }
  trim_record(s->rec);
  json_object_set_new(s->rec, "path", json_string(f->rel));
  json_object_set_new(s->rec, "size", json_integer((json_int_t)f->st.size));
  json_object_set_new(s->rec, "mtime", json_integer((json_int_t)f->st.mtime));
  if (!keep_record(w, s->rec, &f->st) || w->list_only) {
    if (w->list_only && keep_record(w, s->rec, &f->st)) {
      pthread_mutex_lock(&w->lock);
      json_array_append(w->reports, s->rec);
      pthread_mutex_unlock(&w->lock);
    }
    s->dropping = 1;
    want_skip(w, s->idx);
    return;
  }
  char member_path[1100];
  (void)snprintf(member_path, sizeof member_path, "crashes/%s", f->rel);
  rc = cp_sink_begin(w->sink, member_path, "crashes", &fe);
  if (rc != CP_OK) {
    s->dropping = 1;
    want_skip(w, s->idx);
    if (fatal(rc))
      worker_fail(w, rc, &fe);
    else
      locked_failure(w, f->rel, &fe); /* an unsafe name: the rest goes on */
    return;
  }
  s->member = 1;
  for (chunk *c = s->held; c && rc == CP_OK; c = c->next) {
    rc = cp_sink_write(w->sink, c->data, c->len, &fe);
    s->written += c->len;
  }
  drop_held(s);
  if (rc != CP_OK) {
    s->dropping = 1;
    worker_fail(w, rc, &fe);
  }
}

static void on_data(walk *w, wstate *s, chunk *c)
{
  if (s->dropping || w->stop) {
    free_chunk(c);
    return;
  }
  if (s->decided) {
    cp_error fe;
    cp_err rc = cp_sink_write(w->sink, c->data, c->len, &fe);
    s->written += c->len;
    free_chunk(c);
    if (rc != CP_OK) {
      s->dropping = 1;
      worker_fail(w, rc, &fe);
    }
    return;
  }
  size_t take = c->len < CP_CRASH_PREFIX_BYTES - s->have ? c->len : CP_CRASH_PREFIX_BYTES - s->have;
  memcpy(s->prefix + s->have, c->data, take);
  s->have += take;
  c->next = NULL;
  if (s->held_tail)
    s->held_tail->next = c;
  else
    s->held = c;
  s->held_tail = c;
  if (s->have >= CP_CRASH_PREFIX_BYTES)
    decide(w, s);
}

static void on_end(walk *w, wstate *s, chunk *c)
{
  const entry *f = &w->files[s->idx];
  cp_error fe;
  if (c->status == CP_OK && !s->decided && !w->stop)
    decide(w, s);
  if (c->status != CP_OK) {
    if (s->member)
      (void)cp_sink_end(w->sink, 0, &fe);
    if (!fatal(c->status))
      locked_failure(w, f->rel, &c->err); /* vanished file: go on */
  } else if (s->member && !s->dropping && !w->stop) {
    cp_err rc = cp_sink_end(w->sink, 1, &fe);
    if (rc != CP_OK) {
      if (fatal(rc))
        worker_fail(w, rc, &fe);
      else
        locked_failure(w, f->rel, &fe);
    } else {
      cp_error se;
      cp_err src = CP_OK;
      pthread_mutex_lock(&w->lock);
      w->pulled_bytes += s->written;
      if (w->spool)
        src = cp_crash_index_add(w->spool, s->rec, &se);
      else
        json_array_append(w->reports, s->rec);
      if (w->hooks && w->hooks->done)
        w->hooks->done(w->hooks->ctx, f->rel, &f->st, s->rec);
      if (w->hooks && w->hooks->delete_pulled) {
        if (w->ndel == w->capdel) {
          size_t nc = w->capdel ? w->capdel * 2 : 64;
          char **nd = realloc(w->deletes, nc * sizeof *nd);
          if (nd) {
            w->deletes = nd;
            w->capdel = nc;
          }
        }
        if (w->ndel < w->capdel)
          w->deletes[w->ndel++] = f->rel; /* owned by files[], outlives the walk's use */
      }
      pthread_mutex_unlock(&w->lock);
      if (src != CP_OK)
        worker_fail(w, src, &se);
    }
  } else if (s->member) {
    (void)cp_sink_end(w->sink, 0, &fe);
  }
  drop_held(s);
  json_decref(s->rec);
  s->rec = NULL;
  free_chunk(c);
}

static void *worker(void *arg)
{
  walk *w = arg;
  wstate s;
  memset(&s, 0, sizeof s);
  s.prefix = malloc(CP_CRASH_PREFIX_BYTES);
  if (!s.prefix) {
    cp_error e;
    cp_error_set(&e, CP_E_NOMEM, "crash prefix");
    worker_fail(w, CP_E_NOMEM, &e);
  }
  for (;;) {
    chunk *c = pop(w);
    if (c->kind == CK_FINISH) {
      free_chunk(c);
      break;
    }
    if (!s.prefix) {
      free_chunk(c);
      continue;
    }
    if (c->kind == CK_BEGIN) {
      drop_held(&s);
      json_decref(s.rec);
      s.rec = NULL;
      s.idx = c->idx;
      s.have = 0;
      s.decided = s.dropping = s.member = 0;
      s.written = 0;
      free_chunk(c);
    } else if (c->kind == CK_DATA)
      on_data(w, &s, c);
    else
      on_end(w, &s, c);
  }
  drop_held(&s);
  json_decref(s.rec);
  free(s.prefix);
  return NULL;
}

/* ------------------------------------------------------------ the reader */

/* Reads file idx and queues its chunks; returns a fatal code or CP_OK. */
static cp_err read_one(walk *w, size_t idx, cp_error *err)
{
  const entry *f = &w->files[idx];
  cp_error fe;
  cp_error_clear(&fe);
  uint64_t h = 0;
  if (!cp_path_is_safe(f->rel, strlen(f->rel))) {
    cp_error_set(&fe, CP_E_UNSAFE_PATH, "'%s'", f->rel);
    locked_failure(w, f->rel, &fe);
    return CP_OK;
  }
  pthread_mutex_lock(&w->lock);
  int wanted = !(w->hooks && w->hooks->want) || w->hooks->want(w->hooks->ctx, f->rel, &f->st);
  if (!wanted)
    json_array_append_new(w->skipped, json_string(f->rel));
  pthread_mutex_unlock(&w->lock);
  if (!wanted) {
    advance(w, f->st.size, f->rel);
    return CP_OK;
  }
  cp_err rc = cp_afc_file_open(w->afc, f->rel, &h, &fe);
  if (rc != CP_OK) {
    if (fatal(rc)) {
      *err = fe;
      return rc;
    }
    locked_failure(w, f->rel, &fe);
    return CP_OK;
  }
  chunk *b = new_chunk(CK_BEGIN, idx);
  if (!b) {
    cp_error ignored;
    (void)cp_afc_file_close(w->afc, h, &ignored);
    return cp_error_set(err, CP_E_NOMEM, "queue");
  }
  push(w, b);
  uint64_t total = 0, limit = w->list_only && f->st.size > CP_CRASH_PREFIX_BYTES
                                  ? CP_CRASH_PREFIX_BYTES
                                  : f->st.size;
  while (rc == CP_OK && total < limit && !skipping(w, idx)) {
    if (w->opts && w->opts->cancel && *w->opts->cancel) {
      rc = cp_error_set(&fe, CP_E_INTERRUPTED, "stopped while pulling %s", f->rel);
      break;
    }
    /* Exactly what is left, never more (see cp_afc_file_read). */
    uint32_t want =
        limit - total < CP_CRASH_READ_BYTES ? (uint32_t)(limit - total) : CP_CRASH_READ_BYTES;
    unsigned char *buf = malloc(want);
    uint32_t got = 0;
    if (!buf) {
      rc = cp_error_set(&fe, CP_E_NOMEM, "read buffer");
      break;
    }
    rc = cp_afc_file_read(w->afc, h, buf, want, &got, &fe);
    if (rc != CP_OK || got == 0) {
      free(buf);
      break;
    }
    total += got;
    chunk *c = new_chunk(CK_DATA, idx);
    if (!c) {
      free(buf);
      rc = cp_error_set(&fe, CP_E_NOMEM, "queue");
      break;
    }
    c->data = buf;
    c->len = got;
    push(w, c);
    advance(w, got, f->rel);
  }
  /* The close's answer proves every reply before it arrived whole: 1.3.0
   * reports a reply cut by a pulled cable as a complete read. */
  cp_error ce;
  cp_err crc = cp_afc_file_close(w->afc, h, &ce);
  if (rc == CP_OK && crc != CP_OK && !skipping(w, idx)) {
    rc = crc;
    fe = ce;
  }
  if (total < f->st.size)
    advance(w, f->st.size - total, f->rel); /* filtered out or prefix only: count it as done */
  /* A short file means the transfer broke: never keep it, never delete it. */
  if (rc == CP_OK && !w->list_only && !skipping(w, idx) && total != f->st.size) {
    if (cp_device_attached_after_failure(cp_device_udid(w->dev)) == 0)
      rc = cp_error_set(&fe, CP_E_DETACHED, "%s was unplugged while pulling %s",
                        cp_device_udid(w->dev), f->rel);
    else
      rc = cp_error_set(&fe, CP_E_PROTOCOL, "%s: read %llu bytes, the device said %llu", f->rel,
                        (unsigned long long)total, (unsigned long long)f->st.size);
  } else if (rc == CP_E_DETACHED)
    cp_error_set(&fe, CP_E_DETACHED, "%s was unplugged while pulling %s", cp_device_udid(w->dev),
                 f->rel);
  chunk *e = new_chunk(CK_END, idx);
  if (!e)
    return cp_error_set(err, CP_E_NOMEM, "queue");
  e->status = rc;
  e->err = fe;
  push(w, e);
  if (rc != CP_OK && fatal(rc)) {
    *err = fe;
    return rc;
  }
  return CP_OK;
}

/* Removes the files the worker verified; only this thread talks to the device. */
static cp_err run_deletes(walk *w, cp_error *err)
{
  for (;;) {
    pthread_mutex_lock(&w->lock);
    const char *rel = w->ndel ? w->deletes[--w->ndel] : NULL;
    pthread_mutex_unlock(&w->lock);
    if (!rel)
      return CP_OK;
    cp_error re;
    cp_err rc = cp_afc_remove(w->afc, rel, &re);
    pthread_mutex_lock(&w->lock);
    if (rc == CP_OK) {
      size_t i;
      json_t *r;
      json_array_foreach(w->reports, i,
                         r) if (!strcmp(json_string_value(json_object_get(r, "path")), rel))
          json_object_set_new(r, "removed", json_true());
      if (w->hooks && w->hooks->removed)
        w->hooks->removed(w->hooks->ctx, rel);
    } else if (!fatal(rc))
      note_failure(w, rel, &re);
    pthread_mutex_unlock(&w->lock);
    if (rc != CP_OK && fatal(rc)) {
      *err = re;
      return rc;
    }
  }
}

cp_err cp_crashlogs_collect(cp_device *dev, cp_sink *sink, const cp_probe_opts *opts,
                            const cp_crash_hooks *hooks, json_t **index, cp_error *err)
{
  walk w;
  memset(&w, 0, sizeof w);
  w.dev = dev;
  w.sink = sink;
  w.opts = opts;
  w.hooks = hooks;
  w.list_only = hooks && hooks->list_only;
  json_t *doc = NULL;
  int moved = 0, started = 0, locks = 0;
  pthread_t th;
  chunk *fin = NULL; /* allocated up front: telling the worker to stop must not fail */
  if (index)
    *index = NULL;
  cp_error me;
  cp_err rc = cp_device_move_crashes(dev, &me);
  if (rc == CP_OK)
    moved = 1;
  else if (rc == CP_E_DETACHED || rc == CP_E_LOCKED || rc == CP_E_USBMUXD) {
    *err = me;
    return rc;
  }
  if (pthread_mutex_init(&w.qlock, NULL) || pthread_mutex_init(&w.lock, NULL) ||
      pthread_cond_init(&w.qcond, NULL)) {
    rc = cp_error_set(err, CP_E_INTERNAL, "crash walk locks");
    goto out;
  }
  locks = 1;
  fin = new_chunk(CK_FINISH, 0);
  w.reports = json_array();
  w.skipped = json_array();
  w.failed = json_array();
  if (!w.reports || !w.skipped || !w.failed || !fin) {
    rc = cp_error_set(err, CP_E_NOMEM, "crash walk");
    goto out;
  }
  if (!hooks && (rc = cp_crash_index_new(&w.spool, err)) != CP_OK)
    goto out;
  rc = cp_afc_open(dev, "com.apple.crashreportcopymobile", &w.afc, err);
  if (rc != CP_OK)
    goto out;
  rc = list_tree(&w, ".", 0, err);
  if (rc != CP_OK)
    goto out;
  advance(&w, 0, "");
  if (pthread_create(&th, NULL, worker, &w) != 0) {
    rc = cp_error_set(err, CP_E_INTERNAL, "crash walk thread");
    goto out;
  }
  /* No exit leaves the loop below for `out` today; the flag keeps one safe. */
  started = 1; // NOLINT(clang-analyzer-deadcode.DeadStores)
  for (size_t i = 0; i < w.nfiles && rc == CP_OK; i++) {
    pthread_mutex_lock(&w.qlock);
    int stop = w.stop;
    pthread_mutex_unlock(&w.qlock);
    if (stop)
      break;
    rc = run_deletes(&w, err);
    if (rc == CP_OK)
      rc = read_one(&w, i, err);
  }
  push(&w, fin);
  fin = NULL;
  pthread_join(th, NULL);
  started = 0;
  if (rc == CP_OK && w.stop) {
    rc = w.worker_rc;
    *err = w.worker_err;
  }
  if (rc == CP_OK)
    rc = run_deletes(&w, err);
  if (rc != CP_OK)
    goto out;
  if (w.spool) { /* the index streams from the spool; *index gets no rows */
    doc = json_pack("{s:I, s:I, s:O, s:O, s:b}", "count",
                    (json_int_t)cp_crash_index_count(w.spool), "bytes", (json_int_t)w.pulled_bytes,
                    "skipped", w.skipped, "failed", w.failed, "moved", moved);
    json_t *triage = cp_crash_index_triage(w.spool);
    if (!doc || !triage) {
      json_decref(triage);
      rc = cp_error_set(err, CP_E_NOMEM, "crash index");
      goto out;
    }
    rc = cp_crash_index_write(w.spool, sink, "crashes/index.json", "crashes", doc, triage, err);
    json_object_set_new(doc, "triage", triage);
    if (rc == CP_OK && index) {
      *index = doc;
      doc = NULL;
    }
    goto out;
  }
  json_t *triage = cp_crash_triage(w.reports);
  doc = json_pack("{s:O, s:o?, s:I, s:I, s:O, s:O, s:b}", "reports", w.reports, "triage", triage,
                  "count", (json_int_t)json_array_size(w.reports), "bytes",
                  (json_int_t)w.pulled_bytes, "skipped", w.skipped, "failed", w.failed, "moved",
                  moved);
  if (!doc) {
    rc = cp_error_set(err, CP_E_NOMEM, "crash index");
    goto out;
  }
  if (!w.list_only)
    rc = cp_sink_add_json(sink, "crashes/index.json", "crashes", doc, err);
  if (rc == CP_OK && index) {
    *index = doc;
    doc = NULL;
  }
out:
  if (started) {
    push(&w, fin);
    fin = NULL;
    pthread_join(th, NULL);
  }
  free_chunk(fin);
  while (w.head) {
    chunk *n = w.head->next;
    free_chunk(w.head);
    w.head = n;
  }
  if (locks) {
    pthread_mutex_destroy(&w.qlock);
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.qcond);
  }
  for (size_t i = 0; i < w.nfiles; i++)
    free(w.files[i].rel);
  free(w.files);
  free(w.deletes);
  cp_afc_close(w.afc);
  cp_crash_index_free(w.spool);
  json_decref(w.reports);
  json_decref(w.skipped);
  json_decref(w.failed);
  json_decref(doc);
  return rc;
}

static cp_err run(cp_device *dev, cp_sink *sink, const cp_probe_opts *opts, json_t **summary,
                  cp_error *err)
{
  json_t *index = NULL;
  *summary = NULL;
  cp_err rc = cp_crashlogs_collect(dev, sink, opts, NULL, &index, err);
  if (rc != CP_OK)
    return rc;
  *summary =
      json_pack("{s:O, s:O, s:O, s:I}", "count", json_object_get(index, "count"), "bytes",
                json_object_get(index, "bytes"), "triage",
                json_object_get(index, "triage") ? json_object_get(index, "triage") : json_null(),
                "failed", (json_int_t)json_array_size(json_object_get(index, "failed")));
  json_decref(index);
  return CP_OK;
}

const cp_probe cp_probe_crashlogs = {"crashlogs", "crashes", run};
