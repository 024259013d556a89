/* The crashlogs probe (scope crashes) and the walk behind `caseprobe
 * crashes`. See crashlogs.h. Memory stays flat: one 1 MiB buffer per walk,
 * whatever the size of the tree. */
#include "crashlogs.h"

#include "crash_report.h"
#include "safepath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CP_CRASH_MAX_DEPTH_DIRS 16
#define CP_CRASH_MAX_FILES 100000

typedef struct entry {
  char *rel;
  cp_afc_stat st;
} entry;

typedef struct walk {
  cp_device *dev;
  cp_afc *afc;
  cp_sink *sink;
  const cp_probe_opts *opts;
  const cp_crash_hooks *hooks;
  entry *files;
  size_t nfiles, cap;
  uint64_t total, done;
  unsigned char *buf;
  json_t *reports, *skipped, *failed;
  uint64_t pulled_bytes;
} walk;

/* Errors after which nothing more can be read or written. */
static int fatal(cp_err rc)
{
  return rc == CP_E_DETACHED || rc == CP_E_TIMEOUT || rc == CP_E_USBMUXD || rc == CP_E_NOMEM ||
         rc == CP_E_DISK_FULL || rc == CP_E_INTERRUPTED || rc == CP_E_LOCKED ||
         rc == CP_E_PROTOCOL || rc == CP_E_IO || rc == CP_E_INTERNAL;
}

static void note_failure(walk *w, const char *rel, const cp_error *e)
{
  json_array_append_new(w->failed,
                        json_pack("{s:s, s:s, s:s, s:i}", "path", rel, "error", e->detail,
                                  "code_name", cp_err_name(e->code), "code", (int)e->code));
  if (w->hooks && w->hooks->failed)
    w->hooks->failed(w->hooks->ctx, rel, e);
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
    char *rel = NULL;
    size_t n = strlen(dir) + strlen(names[i]) + 2;
    if (!(rel = malloc(n))) {
      rc = cp_error_set(err, CP_E_NOMEM, "path");
      break;
    }
    if (!strcmp(dir, "."))
      (void)snprintf(rel, n, "%s", names[i]);
    else
      (void)snprintf(rel, n, "%s/%s", dir, names[i]);
    cp_afc_stat st;
    cp_error fe;
    cp_err frc = cp_afc_stat_path(w->afc, rel, &st, &fe);
    if (frc != CP_OK) {
      if (fatal(frc)) {
        *err = fe;
        rc = frc;
      } else
        note_failure(w, rel, &fe);
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

static void progress(walk *w, const char *rel)
{
  if (w->hooks && w->hooks->progress)
    w->hooks->progress(w->hooks->ctx, w->done, w->total, rel);
}

/* Reads, parses, filters and streams one file. Returns a fatal code or CP_OK. */
static cp_err pull_one(walk *w, const entry *f, cp_error *err)
{
  cp_error fe;
  cp_error_clear(&fe);
  uint64_t h = 0;
  json_t *rec = NULL;
  int member = 0;
  cp_err rc = CP_OK;
  const char *base = strrchr(f->rel, '/') ? strrchr(f->rel, '/') + 1 : f->rel;

  if (!cp_path_is_safe(f->rel, strlen(f->rel))) {
    cp_error_set(&fe, CP_E_UNSAFE_PATH, "'%s'", f->rel);
    note_failure(w, f->rel, &fe);
    return CP_OK;
  }
  if (w->hooks && w->hooks->want && !w->hooks->want(w->hooks->ctx, f->rel, &f->st)) {
    json_array_append_new(w->skipped, json_string(f->rel));
    w->done += f->st.size;
    progress(w, f->rel);
    return CP_OK;
  }
  rc = cp_afc_file_open(w->afc, f->rel, &h, &fe);
  if (rc != CP_OK)
    goto out;
  /* The prefix: read until CP_CRASH_PREFIX_BYTES or the end of the file. */
  size_t have = 0;
  int eof = 0;
  while (have < CP_CRASH_PREFIX_BYTES && !eof) {
    uint32_t got = 0;
    rc =
        cp_afc_file_read(w->afc, h, w->buf + have, CP_CRASH_READ_BYTES - (uint32_t)have, &got, &fe);
    if (rc != CP_OK)
      goto out;
    if (got == 0)
      eof = 1;
    have += got;
    w->done += got;
  }
  rc = cp_crash_parse(w->buf, have < CP_CRASH_PREFIX_BYTES ? have : CP_CRASH_PREFIX_BYTES, base,
                      &rec, &fe);
  if (rc != CP_OK)
    goto out;
  json_object_set_new(rec, "path", json_string(f->rel));
  json_object_set_new(rec, "size", json_integer((json_int_t)f->st.size));
  json_object_set_new(rec, "mtime", json_integer((json_int_t)f->st.mtime));
  if (!keep_record(w, rec, &f->st)) {
    w->done += f->st.size > have ? f->st.size - have : 0;
    progress(w, f->rel);
    goto out;
  }
  if (w->hooks && w->hooks->list_only) {
    w->done += f->st.size > have ? f->st.size - have : 0;
    json_array_append(w->reports, rec);
    progress(w, f->rel);
    goto out;
  }
  char member_path[1100];
  (void)snprintf(member_path, sizeof member_path, "crashes/%s", f->rel);
  rc = cp_sink_begin(w->sink, member_path, "crashes", &fe);
  if (rc != CP_OK)
    goto out;
  member = 1;
  uint64_t total = have;
  rc = cp_sink_write(w->sink, w->buf, have, &fe);
  while (rc == CP_OK && !eof) {
    if (w->opts && w->opts->cancel && *w->opts->cancel) {
      rc = cp_error_set(&fe, CP_E_INTERRUPTED, "stopped while pulling %s", f->rel);
      break;
    }
    uint32_t got = 0;
    rc = cp_afc_file_read(w->afc, h, w->buf, CP_CRASH_READ_BYTES, &got, &fe);
    if (rc != CP_OK)
      break;
    if (got == 0)
      break;
    total += got;
    w->done += got;
    rc = cp_sink_write(w->sink, w->buf, got, &fe);
    progress(w, f->rel);
  }
  /* A short file means the transfer broke (1.3.0 returns partial data as
   * success when the link drops): never keep it, never delete its source. */
  if (rc == CP_OK && total != f->st.size) {
    if (cp_device_attached(cp_device_udid(w->dev)) == 0)
      rc = cp_error_set(&fe, CP_E_DETACHED, "%s was unplugged while pulling %s",
                        cp_device_udid(w->dev), f->rel);
    else
      rc = cp_error_set(&fe, CP_E_PROTOCOL, "%s: read %llu bytes, the device said %llu", f->rel,
                        (unsigned long long)total, (unsigned long long)f->st.size);
  }
  if (rc != CP_OK)
    goto out;
  member = 0;
  rc = cp_sink_end(w->sink, 1, &fe);
  if (rc != CP_OK)
    goto out;
  w->pulled_bytes += total;
  int removed = 0;
  if (w->hooks && w->hooks->delete_pulled) {
    cp_afc_file_close(w->afc, h);
    h = 0;
    cp_error re;
    cp_err rrc = cp_afc_remove(w->afc, f->rel, &re);
    if (rrc == CP_OK)
      removed = 1;
    else if (fatal(rrc)) {
      fe = re;
      rc = rrc;
      goto out;
    } else
      note_failure(w, f->rel, &re);
  }
  if (removed)
    json_object_set_new(rec, "removed", json_true());
  json_array_append(w->reports, rec);
  if (w->hooks && w->hooks->done)
    w->hooks->done(w->hooks->ctx, f->rel, &f->st, rec, removed);
  progress(w, f->rel);
out:
  if (member) {
    cp_error ignored;
    (void)cp_sink_end(w->sink, 0, &ignored);
  }
  if (h)
    cp_afc_file_close(w->afc, h);
  json_decref(rec);
  if (rc != CP_OK) {
    if (rc == CP_E_DETACHED)
      cp_error_set(&fe, CP_E_DETACHED, "%s was unplugged while pulling %s",
                   cp_device_udid(w->dev), f->rel);
    if (fatal(rc)) {
      *err = fe;
      return rc;
    }
    note_failure(w, f->rel, &fe); /* vanished file, unsafe name: go on */
  }
  return CP_OK;
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
  json_t *doc = NULL;
  int moved = 0;
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
  w.reports = json_array();
  w.skipped = json_array();
  w.failed = json_array();
  w.buf = malloc(CP_CRASH_READ_BYTES);
  if (!w.reports || !w.skipped || !w.failed || !w.buf) {
    rc = cp_error_set(err, CP_E_NOMEM, "crash walk");
    goto out;
  }
  rc = cp_afc_open(dev, "com.apple.crashreportcopymobile", &w.afc, err);
  if (rc != CP_OK)
    goto out;
  rc = list_tree(&w, ".", 0, err);
  if (rc != CP_OK)
    goto out;
  progress(&w, "");
  for (size_t i = 0; i < w.nfiles && rc == CP_OK; i++)
    rc = pull_one(&w, &w.files[i], err);
  if (rc != CP_OK)
    goto out;
  json_t *triage = cp_crash_triage(w.reports);
  doc = json_pack("{s:O, s:o?, s:I, s:I, s:O, s:O, s:b}", "reports", w.reports, "triage", triage,
                  "count", (json_int_t)json_array_size(w.reports), "bytes",
                  (json_int_t)w.pulled_bytes, "skipped", w.skipped, "failed", w.failed, "moved",
                  moved);
  if (!doc) {
    rc = cp_error_set(err, CP_E_NOMEM, "crash index");
    goto out;
  }
  if (!hooks || !hooks->list_only)
    rc = cp_sink_add_json(sink, "crashes/index.json", "crashes", doc, err);
  if (rc == CP_OK && index) {
    *index = doc;
    doc = NULL;
  }
out:
  for (size_t i = 0; i < w.nfiles; i++)
    free(w.files[i].rel);
  free(w.files);
  free(w.buf);
  cp_afc_close(w.afc);
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
