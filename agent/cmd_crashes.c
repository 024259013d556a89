/*
 * caseprobe crashes list|pull: the crash reports on the device.
 *   list [filters]           one row per report (process, type, time, file)
 *   pull DIR [filters] [--delete]
 * Both run crashreportmover first and walk the tree with the crashlogs probe
 * code (probes/crashlogs.h): 1 MiB reads streamed to disk through a dir sink
 * (temp file + rename, syncs shared by batches, unsafe names refused per
 * file). Both draw a progress line on stderr when it is a terminal; --since
 * skips what the listing proves older (st_mtime, or the name's date) before
 * reading a byte. pull skips what an
 * earlier pull into DIR already holds (same size and mtime in DIR's small
 * state file and a local file of that size). Nothing is removed from the
 * device unless --delete is given, and then only files pulled and verified
 * in this run (byte count equal to the device's size, file renamed into place).
 */
#include "cli_common.h"
#include "commands.h"
#include "crash_words.h"
#include "crashlogs.h"
#include "dir_sink.h"
#include "hints.h"
#include "plist_json.h"
#include "progress.h"
#include "table.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CP_PULL_STATE ".caseprobe-pull.json"

enum { OPT_SINCE = CP_OPT_FIRST_FREE, OPT_PROCESS, OPT_TYPE, OPT_DELETE };

static void usage(FILE *out)
{
  fprintf(out,
          "usage: caseprobe crashes list [FILTERS] [-u UDID] [--json]\n"
          "       caseprobe crashes pull DIR [FILTERS] [--delete] [-u UDID] [--json]\n\n"
          "Lists or copies the crash reports of the device (after asking it to move\n"
          "pending ones into place). pull never deletes anything from the device\n"
          "unless --delete is given, and then only the files it pulled and verified.\n\n"
          "Filters:\n"
          "      --since DATE    only reports from DATE on (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS\n"
          "                      UTC, Unix seconds, or an age such as 7d or 12h)\n"
          "      --process NAME  only reports of this process\n"
          "      --type TYPE     only this type: app-crash, kernel-panic, forced-restart,\n"
          "                      jetsam, cpu-resource... or a bug_type number (309)\n"
          "pull:\n"
          "      --delete        remove each report from the device once pulled and verified\n%s",
          cp_cli_common_help);
}

/* DATE forms of --since, as Unix seconds (UTC); -1 when not understood. */
static int64_t parse_since(const char *s)
{
  char *end = NULL;
  long long v = strtoll(s, &end, 10);
  if (end && end != s && (*end == 'd' || *end == 'h') && end[1] == '\0' && v > 0)
    return (int64_t)time(NULL) - v * (*end == 'd' ? 86400 : 3600);
  if (end && end != s && *end == '\0' && v > 0)
    return v;
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  int n = sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                 &tm.tm_min, &tm.tm_sec);
  if (n != 3 && n != 6)
    return -1;
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return (int64_t)timegm(&tm);
}

typedef struct pull_ctx {
  const char *dir;
  const char *udid;
  cp_sink *sink;
  json_t *state;  /* {"devices": {udid: {rel: {size, mtime, sha256}}}} */
  json_t *mine;   /* state.devices[udid], borrowed */
  json_t *pulled; /* rows for the output */
  int can_skip;   /* not with --delete: a skipped file is not verified in this run */
  int json;
  cp_progress bar;
} pull_ctx;

static int want(void *ctx, const char *rel, const cp_afc_stat *st)
{
  pull_ctx *p = ctx;
  if (!p->can_skip)
    return 1;
  json_t *e = json_object_get(p->mine, rel);
  if (!e || json_integer_value(json_object_get(e, "size")) != (json_int_t)st->size ||
      json_integer_value(json_object_get(e, "mtime")) != (json_int_t)st->mtime)
    return 1;
  char path[2048];
  struct stat ls;
  (void)snprintf(path, sizeof path, "%s/%s", p->dir, rel);
  return !(stat(path, &ls) == 0 && S_ISREG(ls.st_mode) && (uint64_t)ls.st_size == st->size);
}

static void done(void *ctx, const char *rel, const cp_afc_stat *st, const json_t *rec)
{
  pull_ctx *p = ctx;
  char sha[65] = "";
  unsigned long long size = 0;
  (void)rec;
  (void)cp_dir_sink_last(p->sink, sha, &size, NULL);
  json_object_set_new(p->mine, rel,
                      json_pack("{s:I, s:I, s:s}", "size", (json_int_t)st->size, "mtime",
                                (json_int_t)st->mtime, "sha256", sha));
  json_array_append_new(p->pulled, json_pack("{s:s, s:I, s:s, s:b}", "path", rel, "size",
                                             (json_int_t)size, "sha256", sha, "removed", 0));
}

static void removed(void *ctx, const char *rel)
{
  pull_ctx *p = ctx;
  size_t i;
  json_t *r;
  json_array_foreach(p->pulled, i, r)
  {
    if (!strcmp(json_string_value(json_object_get(r, "path")), rel))
      json_object_set_new(r, "removed", json_true());
  }
}

static void failed(void *ctx, const char *rel, const cp_error *e)
{
  pull_ctx *p = ctx;
  (void)rel;
  cp_progress_finish(&p->bar);
  if (!p->json)
    (void)cp_fail(e);
}

/* After a failure: the partial file is gone, but say what was kept (the
 * reports at their place: a batch whose sync failed was not placed). */
static void say_kept(const pull_ctx *p)
{
  if (!p->dir || !p->pulled || p->json)
    return;
  size_t n = 0, i;
  json_t *r;
  json_array_foreach(p->pulled, i, r)
  {
    char path[2048];
    struct stat ls;
    (void)snprintf(path, sizeof path, "%s/%s", p->dir,
                   json_string_value(json_object_get(r, "path")));
    n += stat(path, &ls) == 0 && S_ISREG(ls.st_mode);
  }
  fprintf(stderr, "  %zu complete report%s kept in %s.\n", n, n == 1 ? " was" : "s were", p->dir);
}

static void on_progress(void *ctx, uint64_t done_bytes, uint64_t total, const char *rel)
{
  pull_ctx *p = ctx;
  p->bar.total = total;
  cp_progress_update(&p->bar, done_bytes, rel);
}

static json_t *load_state(const char *dir)
{
  char path[2048];
  (void)snprintf(path, sizeof path, "%s/" CP_PULL_STATE, dir);
  json_t *s = json_load_file(path, 0, NULL);
  if (!json_is_object(s) || !json_is_object(json_object_get(s, "devices"))) {
    json_decref(s);
    s = json_pack("{s:i, s:{}}", "version", 1, "devices");
  }
  return s;
}

/* Written whole or not at all, like every other file pull writes. */
static cp_err save_state(const char *dir, const json_t *state, cp_error *err)
{
  cp_sink *s = NULL;
  cp_dir_sink_opts o = {dir, NULL, 0};
  cp_err rc = cp_dir_sink_new(&o, &s, err);
  if (rc == CP_OK)
    rc = cp_sink_add_json(s, CP_PULL_STATE, "crashes", state, err);
  cp_dir_sink_free(s);
  return rc;
}

static const char *str(const json_t *o, const char *k, const char *dflt)
{
  const char *v = json_string_value(json_object_get(o, k));
  return v ? v : dflt;
}

/* A report's time: its own timestamp, else the file's mtime. */
static long long report_time(const json_t *r)
{
  const json_t *t = json_object_get(r, "time");
  return json_is_integer(t) ? (long long)json_integer_value(t)
                            : (long long)json_integer_value(json_object_get(r, "mtime"));
}

static int by_time(const void *a, const void *b)
{
  long long x = report_time(*(json_t *const *)a), y = report_time(*(json_t *const *)b);
  return x < y ? -1 : x > y;
}

/* Sorts index.reports oldest first (the newest ends up next to the prompt). */
static void sort_reports(json_t *index)
{
  json_t *reps = json_object_get(index, "reports");
  size_t n = json_array_size(reps);
  json_t **v = n ? calloc(n, sizeof *v) : NULL;
  if (!v)
    return;
  for (size_t i = 0; i < n; i++)
    v[i] = json_incref(json_array_get(reps, i));
  qsort(v, n, sizeof *v, by_time);
  json_array_clear(reps);
  for (size_t i = 0; i < n; i++)
    json_array_append_new(reps, v[i]);
  free(v);
}

static void print_list(const json_t *index)
{
  size_t i, wp = 7, wt = 4;
  json_t *r;
  const json_t *reps = json_object_get(index, "reports");
  json_array_foreach((json_t *)reps, i, r)
  {
    size_t c = cp_str_cells(str(r, "process", "-"));
    wp = c > wp ? (c > 30 ? 30 : c) : wp;
    c = cp_str_cells(cp_crash_type_words(r));
    wt = c > wt ? c : wt;
  }
  printf("%-20s  ", "TIME (UTC)");
  cp_table_cell(stdout, "PROCESS", wp);
  fputs("  ", stdout);
  cp_table_cell(stdout, "TYPE", wt);
  printf("  FILE\n");
  json_array_foreach((json_t *)reps, i, r)
  {
    char when[32] = "-";
    cp_iso8601_utc(report_time(r), when);
    printf("%-20s  ", when);
    cp_table_cell(stdout, str(r, "process", "-"), wp);
    fputs("  ", stdout);
    cp_table_cell(stdout, cp_crash_type_words(r), wt);
    fputs("  ", stdout);
    char file[1024];
    fputs(cp_cell_fit(str(r, "path", "-"), 200, 0, file, sizeof file), stdout);
    fputc('\n', stdout);
  }
  fprintf(stderr, "%zu reports\n", json_array_size(reps));
}

/* The exit status for per-file failures: their code when all share one. */
static int failures_code(const json_t *failed_rows)
{
  size_t i;
  json_t *f;
  int code = CP_OK;
  json_array_foreach(failed_rows, i, f)
  {
    int c = (int)json_integer_value(json_object_get(f, "code"));
    code = code == CP_OK || code == c ? c : CP_E_PARTIAL;
  }
  return code;
}

int cp_cmd_crashes(int argc, char **argv)
{
  static const struct option longopts[] = {CP_CLI_COMMON_LONGOPTS,
                                           {"since", required_argument, NULL, OPT_SINCE},
                                           {"process", required_argument, NULL, OPT_PROCESS},
                                           {"type", required_argument, NULL, OPT_TYPE},
                                           {"delete", no_argument, NULL, OPT_DELETE},
                                           {NULL, 0, NULL, 0}};
  cp_cli c = {0};
  cp_probe_opts po = {0};
  int del = 0, opt, rc = CP_OK;
  cp_device *dev = NULL;
  cp_sink *sink = NULL;
  json_t *index = NULL, *out = NULL;
  pull_ctx p;
  memset(&p, 0, sizeof p);
  cp_error err;
  cp_error_clear(&err);
  optind = 1;
  while ((opt = getopt_long(argc, argv, CP_CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    switch (opt) {
    case 'h': usage(stdout); return CP_OK;
    case OPT_SINCE:
      po.since = parse_since(optarg);
      if (po.since < 0) {
        fprintf(stderr, "caseprobe: --since '%s' is not a date\n", optarg);
        usage(stderr);
        return CP_E_USAGE;
      }
      break;
    case OPT_PROCESS: po.process = optarg; break;
    case OPT_TYPE:
      po.type = cp_crash_type_filter(optarg);
      if (!po.type) {
        fprintf(stderr, "caseprobe crashes: --type '%s' is not a report type; use %s\n", optarg,
                cp_crash_type_choices());
        usage(stderr);
        return CP_E_USAGE;
      }
      break;
    case OPT_DELETE: del = 1; break;
    default:
      if (cp_cli_common_opt(&c, opt, optarg) != 1) {
        usage(stderr);
        return CP_E_USAGE;
      }
    }
  }
  const char *verb = optind < argc ? argv[optind] : NULL;
  int is_list = verb && !strcmp(verb, "list") && optind + 1 == argc && !del;
  int is_pull = verb && !strcmp(verb, "pull") && optind + 2 == argc;
  if (!is_list && !is_pull) {
    usage(stderr);
    return CP_E_USAGE;
  }
  cp_cli_catch_signals();
  po.cancel = &cp_cli_interrupted;
  cp_crash_hooks hooks = {0};
  hooks.ctx = &p;
  p.json = c.json;
  if (is_list) {
    hooks.list_only = 1;
    hooks.progress = on_progress; /* a line on a terminal while the prefixes are read */
    if (!(sink = cp_null_sink_new())) {
      cp_error_set(&err, CP_E_NOMEM, "sink");
      goto fail;
    }
  } else {
    p.dir = argv[optind + 1];
    if (mkdir(p.dir, 0755) != 0 && errno != EEXIST) {
      cp_error_set(&err, CP_E_IO, "cannot create %s: %s", p.dir, strerror(errno));
      goto fail;
    }
    /* reports share their syncs, 512 at a time (and all before the state
     * file is written or anything deleted: crashlogs.c flushes the sink) */
    cp_dir_sink_opts so = {p.dir, "crashes/", 0};
    if (cp_dir_sink_new(&so, &sink, &err) != CP_OK || cp_dir_sink_batch(sink, 512, &err) != CP_OK)
      goto fail;
    p.sink = sink;
    p.state = load_state(p.dir);
    p.pulled = json_array();
    p.can_skip = !del;
    if (!p.state || !p.pulled) {
      cp_error_set(&err, CP_E_NOMEM, "pull state");
      goto fail;
    }
    hooks.want = want;
    hooks.done = done;
    hooks.removed = removed;
    hooks.failed = failed;
    hooks.progress = on_progress;
    hooks.delete_pulled = del;
  }
  if (cp_cli_open(&c, &dev, &err) != CP_OK)
    goto fail;
  if (is_pull) {
    json_t *devs = json_object_get(p.state, "devices");
    p.mine = json_object_get(devs, cp_device_udid(dev));
    if (!p.mine) {
      p.mine = json_object();
      json_object_set_new(devs, cp_device_udid(dev), p.mine);
    }
  }
  cp_progress_start(&p.bar, is_pull ? "pulling" : "listing", 0, c.json);
  double t0 = cp_now();
  cp_err wrc = cp_crashlogs_collect(dev, sink, &po, &hooks, &index, &err);
  double secs = cp_now() - t0;
  cp_progress_finish(&p.bar);
  if (is_pull) {
    cp_error serr;
    if (save_state(p.dir, p.state, &serr) != CP_OK && wrc == CP_OK) {
      err = serr;
      wrc = serr.code;
    }
  }
  if (wrc != CP_OK)
    goto fail;
  const json_t *failed_rows = json_object_get(index, "failed");
  if (is_list) {
    sort_reports(index); /* a pull's index keeps no rows in memory (crashlogs.h) */
    if (c.json) {
      out = json_pack("{s:O, s:O, s:O, s:O, s:s}", "reports", json_object_get(index, "reports"),
                      "count", json_object_get(index, "count"), "failed", failed_rows, "triage",
                      json_object_get(index, "triage") ? json_object_get(index, "triage")
                                                       : json_null(),
                      "udid", cp_device_udid(dev));
      rc = out ? cp_cli_print_json(out) : CP_E_NOMEM;
    } else
      print_list(index);
  } else {
    uint64_t bytes = (uint64_t)json_integer_value(json_object_get(index, "bytes"));
    double mbps = secs > 0 ? (double)bytes / 1e6 / secs : 0;
    if (c.json) {
      out = json_pack(
          "{s:s, s:s, s:O, s:O, s:O, s:I, s:I, s:f, s:f, s:O, s:b}", "dir", p.dir, "udid",
          cp_device_udid(dev), "pulled", p.pulled, "skipped", json_object_get(index, "skipped"),
          "failed", failed_rows, "count", (json_int_t)json_array_size(p.pulled), "bytes",
          (json_int_t)bytes, "seconds", secs, "mb_per_s", mbps, "triage",
          json_object_get(index, "triage") ? json_object_get(index, "triage") : json_null(),
          "moved", json_is_true(json_object_get(index, "moved")));
      rc = out ? cp_cli_print_json(out) : CP_E_NOMEM;
    } else {
      char amount[32];
      cp_cli_human_bytes(amount, sizeof amount, (double)bytes);
      size_t n_removed = 0, i;
      json_t *r;
      json_array_foreach(p.pulled, i, r) n_removed += json_is_true(json_object_get(r, "removed"));
      printf("Pulled %zu reports (%s, %.1f MB/s) into %s", json_array_size(p.pulled), amount, mbps,
             p.dir);
      if (json_array_size(json_object_get(index, "skipped")))
        printf("; %zu already there", json_array_size(json_object_get(index, "skipped")));
      if (n_removed)
        printf("; %zu removed from the device", n_removed);
      if (json_array_size(failed_rows))
        printf("; %zu failed", json_array_size(failed_rows));
      printf(".\n");
    }
  }
  if (rc == CP_OK)
    rc = failures_code(failed_rows);
  goto out;
fail:
  rc = cp_cli_fail(&c, &err);
  if (is_pull)
    say_kept(&p);
out:
  json_decref(index);
  json_decref(out);
  json_decref(p.state);
  json_decref(p.pulled);
  if (is_pull)
    cp_dir_sink_free(sink);
  else
    cp_simple_sink_free(sink);
  cp_device_close(dev);
  return rc;
}
