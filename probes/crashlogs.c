/* The crashlogs probe (scope crashes) and the walk behind `caseprobe
 * crashes`. See crashlogs.h, and crash_walk.h for how the walk is split:
 * this file sets the walk up, runs the worker (parses each file's prefix
 * into a record, applies the filters, streams the chunks into the sink and
 * proves each report complete there) and writes the index. */
#include "crash_report.h"
#include "crash_walk.h"
#include "drain.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef cp_crash_walk walk;
typedef cp_crash_chunk chunk;
typedef cp_crash_entry entry;

/* Errors after which nothing more can be read or written. */
int cp_crash_fatal(cp_err rc)
{
  return cp_err_severity(rc) >= CP_SEV_PROBE;
}

/* Callers hold w->lock. */
void cp_crash_note_failure(walk *w, const char *rel, const cp_error *e)
{
  json_array_append_new(w->failed,
                        json_pack("{s:s, s:s, s:s, s:i}", "path", rel, "error", e->detail,
                                  "code_name", cp_err_name(e->code), "code", (int)e->code));
  if (w->hooks && w->hooks->failed)
    w->hooks->failed(w->hooks->ctx, rel, e);
}

void cp_crash_failure(walk *w, const char *rel, const cp_error *e)
{
  pthread_mutex_lock(&w->lock);
  cp_crash_note_failure(w, rel, e);
  pthread_mutex_unlock(&w->lock);
}

/* Adds n bytes to the progress and reports it. */
void cp_crash_advance(walk *w, uint64_t n, const char *rel)
{
  pthread_mutex_lock(&w->lock);
  w->done += n;
  if (w->hooks && w->hooks->progress)
    w->hooks->progress(w->hooks->ctx, w->done, w->total, rel);
  pthread_mutex_unlock(&w->lock);
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
    cp_crash_chunk_free(s->held);
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
    cp_crash_want_skip(w, s->idx);
    return;
  }
  char member_path[1100];
  (void)snprintf(member_path, sizeof member_path, "crashes/%s", f->rel);
  rc = cp_sink_begin(w->sink, member_path, "crashes", &fe);
  if (rc != CP_OK) {
    s->dropping = 1;
    cp_crash_want_skip(w, s->idx);
    if (cp_crash_fatal(rc))
      worker_fail(w, rc, &fe);
    else
      cp_crash_failure(w, f->rel, &fe); /* an unsafe name: the rest goes on */
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
    cp_crash_chunk_free(c);
    return;
  }
  if (s->decided) {
    cp_error fe;
    cp_err rc = cp_sink_write(w->sink, c->data, c->len, &fe);
    s->written += c->len;
    cp_crash_chunk_free(c);
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
    if (!cp_crash_fatal(c->status))
      cp_crash_failure(w, f->rel, &c->err); /* vanished file: go on */
  } else if (s->member && !s->dropping && !w->stop && s->written != f->st.size) {
    /* Completeness at the sink: a report is kept, listed as pulled or
     * deleted only when every byte the device announced reached the sink. */
    (void)cp_sink_end(w->sink, 0, &fe);
    cp_error_set(&fe, CP_E_PROTOCOL, "%s: %llu bytes reached the output, the device said %llu",
                 f->rel, (unsigned long long)s->written, (unsigned long long)f->st.size);
    cp_crash_failure(w, f->rel, &fe);
  } else if (s->member && !s->dropping && !w->stop) {
    cp_err rc = cp_sink_end(w->sink, 1, &fe);
    if (rc != CP_OK) {
      if (cp_crash_fatal(rc))
        worker_fail(w, rc, &fe);
      else
        cp_crash_failure(w, f->rel, &fe);
    } else {
      cp_error se;
      cp_err src = CP_OK;
      pthread_mutex_lock(&w->lock);
      w->pulled_bytes += s->written;
      /* a member was written, so this is no listing: the spool is there */
      src = cp_crash_index_add(w->spool, s->rec, &se);
      if (src == CP_OK && cp_drain_acc_add(w->drain, s->rec) != 0)
        src = cp_error_set(&se, CP_E_NOMEM, "drain ranking");
      if (w->hooks && w->hooks->done)
        w->hooks->done(w->hooks->ctx, f->rel, &f->st, s->rec);
      if (w->hooks && w->hooks->delete_pulled)
        cp_crash_schedule_delete(w, f->rel);
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
  cp_crash_chunk_free(c);
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
    chunk *c = cp_crash_pop(w);
    if (c->kind == CK_FINISH) {
      cp_crash_chunk_free(c);
      break;
    }
    if (!s.prefix) {
      cp_crash_chunk_free(c);
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
      cp_crash_chunk_free(c);
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
  fin = cp_crash_chunk_new(CK_FINISH, 0);
  w.reports = json_array();
  w.skipped = json_array();
  w.failed = json_array();
  w.drain = cp_drain_acc_new(0);
  if (!w.reports || !w.skipped || !w.failed || !w.drain || !fin) {
    rc = cp_error_set(err, CP_E_NOMEM, "crash walk");
    goto out;
  }
  if (!w.list_only && (rc = cp_crash_index_new(&w.spool, err)) != CP_OK)
    goto out;
  rc = cp_afc_open(dev, "com.apple.crashreportcopymobile", &w.afc, err);
  if (rc != CP_OK)
    goto out;
  w.keep_cut = INT64_MIN; /* every report fits */
  rc = cp_crash_list_tree(&w, err);
  if (rc == CP_OK && !hooks && w.nfiles > CP_CRASH_BUNDLE_MAX)
    rc = cp_crash_cap_newest(&w, CP_CRASH_BUNDLE_MAX, err);
  if (rc != CP_OK)
    goto out;
  cp_crash_advance(&w, 0, "");
  if (pthread_create(&th, NULL, worker, &w) != 0) {
    rc = cp_error_set(err, CP_E_INTERNAL, "crash walk thread");
    goto out;
  }
  /* No exit leaves the reader below for `out` today; the flag keeps one safe. */
  started = 1; // NOLINT(clang-analyzer-deadcode.DeadStores)
  rc = cp_crash_read_all(&w, err);
  cp_crash_push(&w, fin);
  fin = NULL;
  pthread_join(th, NULL);
  started = 0;
  if (rc == CP_OK && w.stop) {
    rc = w.worker_rc;
    *err = w.worker_err;
  }
  if (w.left_old) {
    cp_error le;
    cp_error_set(&le, CP_E_TOO_LARGE,
                 "%zu older report(s) were left out: a bundle holds at most %u crash reports, "
                 "the newest were kept ('caseprobe crashes pull DIR' copies every one)",
                 w.left_old, (unsigned)CP_CRASH_BUNDLE_MAX);
    cp_crash_failure(&w, ".", &le);
  }
  /* Reports kept so far are made durable even when the walk failed (they
   * are whole); and before any is deleted from the device. */
  cp_error fe;
  cp_err frc = cp_sink_flush(sink, &fe);
  if (frc != CP_OK && rc == CP_OK) {
    rc = frc;
    *err = fe;
  }
  if (rc == CP_OK)
    rc = cp_crash_run_deletes(&w, err);
  if (rc != CP_OK)
    goto out;
  if (w.spool) { /* the index streams from the spool; *index gets no rows */
    json_t *drain = cp_drain_acc_finish(w.drain);
    w.drain = NULL;
    doc = json_pack("{s:I, s:I, s:O, s:O, s:b, s:o?}", "count",
                    (json_int_t)cp_crash_index_count(w.spool), "bytes", (json_int_t)w.pulled_bytes,
                    "skipped", w.skipped, "failed", w.failed, "moved", moved, "drain", drain);
    json_t *triage = cp_crash_index_triage(w.spool);
    if (!doc || !triage) {
      json_decref(triage);
      rc = cp_error_set(err, CP_E_NOMEM, "crash index");
      goto out;
    }
    rc = cp_crash_index_write(w.spool, sink, "crashes/index.json", "crashes", doc, triage, err);
    if (rc == CP_OK)
      rc = cp_sink_flush(sink, err);
    json_object_set_new(doc, "triage", triage);
    if (rc == CP_OK && index) {
      *index = doc;
      doc = NULL;
    }
    goto out;
  }
  /* a listing (list_only): the rows are kept for the caller, nothing is written */
  json_t *triage = cp_crash_triage(w.reports);
  json_t *drain = cp_drain_rank(w.reports, 0);
  doc = json_pack("{s:O, s:o?, s:o?, s:I, s:I, s:O, s:O, s:b}", "reports", w.reports, "triage",
                  triage, "drain", drain, "count", (json_int_t)json_array_size(w.reports), "bytes",
                  (json_int_t)w.pulled_bytes, "skipped", w.skipped, "failed", w.failed, "moved",
                  moved);
  if (!doc) {
    rc = cp_error_set(err, CP_E_NOMEM, "crash index");
    goto out;
  }
  if (index) {
    *index = doc;
    doc = NULL;
  }
out:
  if (started) {
    cp_crash_push(&w, fin);
    fin = NULL;
    pthread_join(th, NULL);
  }
  cp_crash_chunk_free(fin);
  while (w.head) {
    chunk *n = w.head->next;
    cp_crash_chunk_free(w.head);
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
  json_decref(w.reports);
  cp_drain_acc_free(w.drain);
  cp_crash_index_free(w.spool);
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
      json_pack("{s:O, s:O, s:O, s:I, s:O?}", "count", json_object_get(index, "count"), "bytes",
                json_object_get(index, "bytes"), "triage",
                json_object_get(index, "triage") ? json_object_get(index, "triage") : json_null(),
                "failed", (json_int_t)json_array_size(json_object_get(index, "failed")), "drain",
                json_object_get(index, "drain"));
  json_decref(index);
  return CP_OK;
}

const cp_probe cp_probe_crashlogs = {"crashlogs", "crashes", run};
