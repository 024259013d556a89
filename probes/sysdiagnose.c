/*
 * The sysdiagnose probe: a support agent's most-asked artefact. iOS makes one
 * only when the person presses volume up + volume down + the side button; the
 * archive (.tar.gz, tens to hundreds of MB) then appears after a few minutes
 * under the crash service's DiagnosticLogs/sysdiagnose/. So the probe asks
 * the agent to tell the person (opts->notice "press"), lists that folder,
 * polls until a new archive appears whose size has stopped growing (or the
 * time limit passes: CP_E_TIMEOUT), and streams it from AFC through
 * libarchive member by member into the sink, which in a bundle is the
 * redactor: text members are redacted like everything else. Members that
 * cannot be redacted (SQLite databases, binary plists, images, other binary
 * data) are left out and listed with the reason in the summary:
 *   {archive, members, bytes, left_out: [{name, why}], left_out_count}
 * why: "sqlite_database", "binary_plist", "image", "binary", "unsafe_name",
 *      "bundle_full" (the bundle holds CP_BUNDLE_MAX_MEMBERS already).
 * The summary is also written as the member sysdiagnose/index.json.
 */
#include "afc.h"
#include "device.h"
#include "probe.h"
#include "safepath.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SD_DIR "DiagnosticLogs/sysdiagnose"
#define SD_DEFAULT_SECONDS 600
#define SD_POLL_MS 1000
#define SD_READ (1024u * 1024u)
#define SD_SNIFF (64u * 1024u)
/* A real sysdiagnose holds ~5,000 members and ~1 GB uncompressed. */
#define SD_MAX_MEMBERS 200000
#define SD_MAX_BYTES (8ull << 30)
#define SD_LEFT_OUT_LISTED 500

typedef struct afc_src {
  cp_afc *afc;
  uint64_t handle, left;
  unsigned char *buf;
  cp_error err;
  cp_err rc;
} afc_src;

static void sleep_ms(int ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0)
    ;
}

static int is_archive(const char *n)
{
  size_t l = strlen(n);
  return (l > 7 && !strcmp(n + l - 7, ".tar.gz")) || (l > 4 && !strcmp(n + l - 4, ".tgz"));
}

/* Names in the sysdiagnose folder now (a missing folder is empty). */
static cp_err list_archives(cp_afc *a, char ***names, cp_error *err)
{
  *names = NULL;
  cp_error e;
  cp_error_clear(&e);
  cp_err rc = cp_afc_list(a, SD_DIR, names, &e);
  if (rc == CP_E_NOT_FOUND || rc == CP_E_SERVICE_UNAVAILABLE) {
    *names = calloc(1, sizeof **names);
    return *names ? CP_OK : cp_error_set(err, CP_E_NOMEM, "sysdiagnose listing");
  }
  if (rc != CP_OK)
    *err = e;
  return rc;
}

static int in_list(char **names, const char *n)
{
  for (size_t i = 0; names && names[i]; i++)
    if (!strcmp(names[i], n))
      return 1;
  return 0;
}

/* libarchive pulls the archive through this, 1 MiB at a time. */
static la_ssize_t afc_read(struct archive *ar, void *ctx, const void **out)
{
  (void)ar;
  afc_src *s = ctx;
  if (s->left == 0)
    return 0;
  uint32_t want = s->left < SD_READ ? (uint32_t)s->left : SD_READ, got = 0;
  s->rc = cp_afc_file_read(s->afc, s->handle, s->buf, want, &got, &s->err);
  if (s->rc != CP_OK)
    return -1;
  if (got == 0) {
    s->rc = cp_error_set(&s->err, CP_E_PROTOCOL, "the sysdiagnose archive ended early");
    return -1;
  }
  s->left -= got;
  *out = s->buf;
  return (la_ssize_t)got;
}

/* Why a member cannot go through the redactor, or NULL when it is text. */
static const char *why_not_text(const unsigned char *b, size_t n)
{
  if (n >= 16 && !memcmp(b, "SQLite format 3", 16))
    return "sqlite_database";
  if (n >= 6 && !memcmp(b, "bplist", 6))
    return "binary_plist";
  if ((n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8)) || (n >= 3 && !memcmp(b, "\xff\xd8\xff", 3)) ||
      (n >= 4 && !memcmp(b, "GIF8", 4)) || (n >= 12 && !memcmp(b + 4, "ftyphei", 7)))
    return "image";
  if (memchr(b, '\0', n))
    return "binary";
  size_t ctl = 0;
  for (size_t i = 0; i < n; i++)
    if (b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t' && b[i] != '\f' && b[i] != 0x1b)
      ctl++;
  return ctl * 100 > n ? "binary" : NULL;
}

static cp_err left_out(json_t *list, size_t *count, const char *name, const char *why,
                       cp_error *err)
{
  (*count)++;
  if (json_array_size(list) >= SD_LEFT_OUT_LISTED)
    return CP_OK;
  if (json_array_append_new(list, json_pack("{s:s, s:s}", "name", name, "why", why)))
    return cp_error_set(err, CP_E_NOMEM, "sysdiagnose summary");
  return CP_OK;
}

/* Streams one archive into the sink, member by member. */
static cp_err import(afc_src *src, const char *archive_name, cp_sink *sink,
                     const cp_probe_opts *opts, json_t **summary, cp_error *err)
{
  struct archive *ar = archive_read_new();
  unsigned char *sniff = malloc(SD_SNIFF);
  json_t *lo = json_array();
  cp_err rc = CP_OK;
  size_t members = 0, lo_count = 0;
  uint64_t bytes = 0;
  int open_member = 0;
  if (!ar || !sniff || !lo) {
    rc = cp_error_set(err, CP_E_NOMEM, "sysdiagnose import");
    goto out;
  }
  archive_read_support_filter_gzip(ar);
  archive_read_support_format_tar(ar);
  if (archive_read_open(ar, src, NULL, afc_read, NULL) != ARCHIVE_OK) {
    rc = src->rc != CP_OK ? (*err = src->err, src->rc)
                          : cp_error_set(err, CP_E_PARSE, "%s is not a .tar.gz archive: %s",
                                         archive_name, archive_error_string(ar));
    goto out;
  }
  struct archive_entry *e;
  int r;
  while ((r = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
    if (opts->cancel && *opts->cancel) {
      rc = cp_error_set(err, CP_E_INTERRUPTED, "sysdiagnose import stopped");
      goto out;
    }
    if (archive_entry_filetype(e) != AE_IFREG)
      continue;
    const char *name = archive_entry_pathname(e);
    if (!name)
      continue;
    if (++members > SD_MAX_MEMBERS) {
      rc = cp_error_set(err, CP_E_TOO_LARGE, "%s holds more than %d members", archive_name,
                        SD_MAX_MEMBERS);
      goto out;
    }
    char path[1200];
    int n = snprintf(path, sizeof path, "sysdiagnose/%s", name);
    if (n <= 0 || (size_t)n >= sizeof path || !cp_path_is_safe(path, (size_t)n)) {
      if ((rc = left_out(lo, &lo_count, name, "unsafe_name", err)) != CP_OK)
        goto out;
      continue;
    }
    /* the first block decides: text goes through the redactor, the rest stays out */
    size_t have = 0;
    la_ssize_t got;
    while (have < SD_SNIFF && (got = archive_read_data(ar, sniff + have, SD_SNIFF - have)) > 0)
      have += (size_t)got;
    if (have < SD_SNIFF && got < 0) {
      rc = src->rc != CP_OK ? (*err = src->err, src->rc)
                            : cp_error_set(err, CP_E_PARSE, "%s: member %s is damaged: %s",
                                           archive_name, name, archive_error_string(ar));
      goto out;
    }
    const char *why = why_not_text(sniff, have);
    if (why) {
      if ((rc = left_out(lo, &lo_count, name, why, err)) != CP_OK)
        goto out;
      continue; /* the next header skips the rest */
    }
    rc = cp_sink_begin(sink, path, "sysdiagnose", err);
    if (rc == CP_E_TOO_LARGE) { /* the bundle is full: this file stays out, said so */
      if ((rc = left_out(lo, &lo_count, name, "bundle_full", err)) != CP_OK)
        goto out;
      continue;
    }
    if (rc != CP_OK)
      goto out;
    open_member = 1;
    if ((rc = cp_sink_write(sink, sniff, have, err)) != CP_OK)
      goto out;
    bytes += have;
    while ((got = archive_read_data(ar, sniff, SD_SNIFF)) > 0) {
      bytes += (uint64_t)got;
      if (bytes > SD_MAX_BYTES) {
        rc = cp_error_set(err, CP_E_TOO_LARGE, "%s unpacks to more than %llu bytes", archive_name,
                          (unsigned long long)SD_MAX_BYTES);
        goto out;
      }
      if ((rc = cp_sink_write(sink, sniff, (size_t)got, err)) != CP_OK)
        goto out;
    }
    if (got < 0) {
      rc = src->rc != CP_OK ? (*err = src->err, src->rc)
                            : cp_error_set(err, CP_E_PARSE, "%s: member %s is damaged: %s",
                                           archive_name, name, archive_error_string(ar));
      goto out;
    }
    open_member = 0;
    if ((rc = cp_sink_end(sink, 1, err)) != CP_OK)
      goto out;
  }
  if (r != ARCHIVE_EOF) {
    rc = src->rc != CP_OK ? (*err = src->err, src->rc)
                          : cp_error_set(err, CP_E_PARSE, "%s is damaged: %s", archive_name,
                                         archive_error_string(ar));
    goto out;
  }
  *summary = json_pack("{s:s, s:I, s:I, s:O, s:I}", "archive", archive_name, "members",
                       (json_int_t)(members - lo_count), "bytes", (json_int_t)bytes, "left_out", lo,
                       "left_out_count", (json_int_t)lo_count);
  if (!*summary)
    rc = cp_error_set(err, CP_E_NOMEM, "sysdiagnose summary");
  else /* what came in and what stayed out, in the bundle itself */
    rc = cp_sink_add_json(sink, "sysdiagnose/index.json", "sysdiagnose", *summary, err);
out:
  if (open_member) {
    cp_error ignored;
    (void)cp_sink_end(sink, 0, &ignored);
  }
  if (ar)
    archive_read_free(ar);
  free(sniff);
  json_decref(lo);
  return rc;
}

static cp_err run(cp_device *dev, cp_sink *sink, const cp_probe_opts *opts, json_t **summary,
                  cp_error *err)
{
  *summary = NULL;
  int limit = opts->sysdiagnose_seconds > 0 ? opts->sysdiagnose_seconds : SD_DEFAULT_SECONDS;
  cp_afc *afc = NULL;
  char **before = NULL, **now = NULL;
  char found[512] = "";
  uint64_t last_size = UINT64_MAX, size = 0;
  afc_src src;
  memset(&src, 0, sizeof src);
  cp_err rc = cp_afc_open(dev, "com.apple.crashreportcopymobile", &afc, err);
  if (rc != CP_OK)
    return rc;
  if ((rc = list_archives(afc, &before, err)) != CP_OK)
    goto out;
  if (opts->notice)
    opts->notice(opts->notice_ctx, "sysdiagnose", "press", 0, limit);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int next_note = 10;
  for (;;) {
    if (opts->cancel && *opts->cancel) {
      rc = cp_error_set(err, CP_E_INTERRUPTED, "stopped while waiting for the sysdiagnose");
      goto out;
    }
    cp_afc_names_free(now);
    now = NULL;
    if ((rc = list_archives(afc, &now, err)) != CP_OK)
      goto out;
    const char *cand = NULL;
    for (size_t i = 0; now[i]; i++)
      if (is_archive(now[i]) && !in_list(before, now[i]))
        cand = now[i];
    if (cand) {
      char rel[700];
      (void)snprintf(rel, sizeof rel, "%s/%s", SD_DIR, cand);
      cp_afc_stat st;
      if ((rc = cp_afc_stat_path(afc, rel, &st, err)) != CP_OK)
        goto out;
      /* iOS writes the archive in place: take it once its size holds still */
      if (st.size > 0 && st.size == last_size && !strcmp(found, cand)) {
        size = st.size;
        break;
      }
      last_size = st.size;
      (void)snprintf(found, sizeof found, "%s", cand);
    }
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    int elapsed = (int)(t.tv_sec - t0.tv_sec);
    if (elapsed >= limit) {
      rc = cp_error_set(err, CP_E_TIMEOUT, "no new sysdiagnose archive appeared in %s within %d s",
                        SD_DIR, limit);
      goto out;
    }
    if (elapsed >= next_note && opts->notice) {
      opts->notice(opts->notice_ctx, "sysdiagnose", "waiting", elapsed, limit);
      next_note += 10;
    }
    sleep_ms(SD_POLL_MS);
  }
  if (opts->notice)
    opts->notice(opts->notice_ctx, "sysdiagnose", "found", 0, limit);
  char rel[700];
  (void)snprintf(rel, sizeof rel, "%s/%s", SD_DIR, found);
  src.afc = afc;
  src.left = size;
  src.buf = malloc(SD_READ);
  if (!src.buf) {
    rc = cp_error_set(err, CP_E_NOMEM, "sysdiagnose buffer");
    goto out;
  }
  if ((rc = cp_afc_file_open(afc, rel, &src.handle, err)) != CP_OK)
    goto out;
  rc = import(&src, found, sink, opts, summary, err);
  cp_error cerr;
  cp_err crc = cp_afc_file_close(afc, src.handle, &cerr);
  if (rc == CP_OK && crc != CP_OK) {
    *err = cerr;
    rc = crc;
  }
  if (rc != CP_OK) {
    json_decref(*summary);
    *summary = NULL;
  }
out:
  free(src.buf);
  cp_afc_names_free(before);
  cp_afc_names_free(now);
  cp_afc_close(afc);
  return rc;
}

const cp_probe cp_probe_sysdiagnose = {"sysdiagnose", "sysdiagnose", run};
