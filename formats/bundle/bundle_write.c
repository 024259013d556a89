/* See bundle.h: the bundle writer. Each member is spooled to one scratch file
 * (reused, emptied between members) while its SHA-256 is computed, then
 * copied into the tar.gz in fixed-size chunks, so memory use does not depend
 * on member sizes. The archive goes to a hidden partial file (durable.h) that
 * only cp_bundle_finish() renames into place; its SHA-256 is computed as it
 * is written, so nobody reads the finished file again just to hash it. */
#include "bundle.h"
#include "bundle_os.h"
#include "bundle_read.h"
#include "durable.h"
#include "manifest.h"
#include "report_html.h"
#include "safepath.h"
#include "sign.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CP_BUNDLE_CHUNK (64u * 1024u)

struct cp_bundle_writer {
  cp_sink sink; /* first, so a cp_sink* from cp_bundle_sink() leads back here */
  char *dir;
  char *case_id;
  char *final_path;
  cp_durable out;        /* the partial archive file */
  int report_copy;       /* opts->report_copy */
  cp_durable report_out; /* the copy of report.html beside the bundle */
  int spool;             /* anonymous scratch file for the open member */
  struct archive *a;
  time_t created;
  uint64_t max_bytes;         /* 0: no limit on the archive file */
  cp_report_render_fn report; /* NULL: the wordless fallback page */
  uint64_t out_bytes;         /* archive bytes written so far */
  int out_errno;              /* errno of the failed archive write, 0 if none */
  EVP_MD_CTX *out_md;         /* SHA-256 of the archive bytes written so far */
  char *sha256_out;           /* opts->out_sha256 */
  uint64_t *size_out;         /* opts->out_size */
  /* The manifest's rows wait on disk, not in memory: each kept member's
   * row text (cp_manifest_row_text) goes to the scratch file rows_fd
   * through rowbuf; `names` refuses a name twice (16 bytes a name); `shown`
   * keeps the first CP_REPORT_MAX_ROWS rows for report.html. */
  int rows_fd;
  char *rowbuf;
  size_t rowbuf_len;
  uint64_t rows_len; /* bytes of row text so far (file + rowbuf) */
  size_t nrows;
  cp_names *names;
  cp_rows *shown;
  json_t *made_by; /* manifest "made_by" (cp_bundle_opts), or NULL */
  json_t *notes;   /* extra top-level manifest keys (cp_bundle_note) */
  EVP_MD_CTX *md;
  unsigned char *chunk;
  char *cur_scope;
  int cur_failed; /* a write to the open member failed: it cannot be kept */
  int internal;   /* the writer itself adds members: reserved names allowed */
  int unlisted;   /* the member being added is not listed in the manifest */
  cp_err broken;  /* the archive is unusable after this error */
  char broken_detail[512];
};

static const char *const reserved[] = {CP_BUNDLE_MANIFEST,  CP_BUNDLE_SIGNATURE, CP_BUNDLE_CONSENT,
                                       CP_BUNDLE_REDACTION, CP_BUNDLE_REPORT,    NULL};

int cp_bundle_name_reserved(const char *path)
{
  for (size_t i = 0; reserved[i]; i++)
    if (path && !strcmp(path, reserved[i]))
      return 1;
  return 0;
}

void cp_bundle_file_name(const char *case_id, time_t t, char *out, size_t size)
{
  char id[65];
  size_t n = 0;
  for (const char *p = case_id ? case_id : ""; *p && n < 64; p++) {
    char c = *p;
    int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-';
    id[n++] = ok ? c : '_';
  }
  id[n] = '\0';
  if (n == 0)
    snprintf(id, sizeof id, "case");
  if (id[0] == '.')
    id[0] = '_';
  char when[32];
  cp_os_utc(t, 0, when);
  snprintf(out, size, "%s-%s%s", id, when, CP_BUNDLE_SUFFIX);
}

/* Remembers the first fatal archive error; every later call returns it. */
static cp_err set_broken(cp_bundle_writer *w, cp_err code, const char *detail, cp_error *err)
{
  if (w->broken == CP_OK) {
    w->broken = code;
    snprintf(w->broken_detail, sizeof w->broken_detail, "%s", detail);
  }
  return cp_error_set(err, w->broken, "%s", w->broken_detail);
}

/* A libarchive failure: disk full when our write callback saw ENOSPC. */
static cp_err archive_failed(cp_bundle_writer *w, const char *what, cp_error *err)
{
  char detail[512];
  cp_err code = w->out_errno ? cp_os_errno_code(w->out_errno) : CP_E_IO;
  const char *why = archive_error_string(w->a);
  snprintf(detail, sizeof detail, "%s: %s", what, why ? why : "archive error");
  return set_broken(w, code, detail, err);
}

/* libarchive's output callback: our own write so ENOSPC is seen as such. */
static la_ssize_t out_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
  cp_bundle_writer *w = ctx;
  cp_error e;
  int en = 0;
  if (w->max_bytes && w->out_bytes + len > w->max_bytes) {
    w->out_errno = ENOSPC;
    archive_set_error(a, ENOSPC, "bundle would exceed %llu bytes",
                      (unsigned long long)w->max_bytes);
    return -1;
  }
  if (cp_durable_write(&w->out, buf, len, &e) != CP_OK) {
    en = w->out.last_errno;
    w->out_errno = en ? en : EIO;
    archive_set_error(a, w->out_errno, "%s", e.detail);
    return -1;
  }
  (void)EVP_DigestUpdate(w->out_md, buf, len);
  w->out_bytes += len;
  return (la_ssize_t)len;
}

static cp_bundle_writer *impl(cp_sink *s)
{
  return (cp_bundle_writer *)s->impl;
}

static cp_err sink_begin(cp_sink *s, const char *path, const char *scope, cp_error *err)
{
  cp_bundle_writer *w = impl(s);
  if (w->broken)
    return cp_error_set(err, w->broken, "%s", w->broken_detail);
  if (!cp_path_is_safe(path, strlen(path)) || !cp_utf8_valid(path, strlen(path)))
    return cp_error_set(err, CP_E_UNSAFE_PATH, "member name '%.200s'", path);
  if (!scope[0])
    return cp_error_set(err, CP_E_INTERNAL, "member '%s' has no scope", path);
  if (!w->internal && cp_bundle_name_reserved(path))
    return cp_error_set(err, CP_E_INTERNAL, "member name '%s' is reserved for the bundle", path);
  if (cp_names_has(w->names, path))
    return cp_error_set(err, CP_E_INTERNAL, "member '%s' added twice", path);
  /* Never more members than `caseprobe verify` reads (the writer's own,
   * consent to signature, come on top): a probe told so leaves that member
   * out and says why, and the bundle stays one that verifies. */
  if (!w->internal && w->nrows + CP_BUNDLE_OWN_MEMBERS >= CP_BUNDLE_MAX_MEMBERS)
    return cp_error_set(err, CP_E_TOO_LARGE,
                        "the bundle is full (%zu members, the most one may hold); '%.200s' was "
                        "left out",
                        w->nrows, path);
  free(w->cur_scope);
  w->cur_scope = strdup(scope);
  if (!w->cur_scope)
    return cp_error_set(err, CP_E_NOMEM, "member scope");
  w->cur_failed = 0;
  if (EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) != 1)
    return cp_error_set(err, CP_E_INTERNAL, "SHA-256 init");
  return cp_os_rewind(w->spool, 1, "the spool file", err);
}

static cp_err sink_write(cp_sink *s, const void *buf, size_t len, cp_error *err)
{
  cp_bundle_writer *w = impl(s);
  cp_err rc = CP_OK;
  if (w->broken)
    rc = cp_error_set(err, w->broken, "%s", w->broken_detail);
  else if (EVP_DigestUpdate(w->md, buf, len) != 1)
    rc = cp_error_set(err, CP_E_INTERNAL, "SHA-256 update");
  else
    rc = cp_os_write_all(w->spool, buf, len, "the spool file", NULL, err);
  if (rc != CP_OK)
    w->cur_failed = 1;
  return rc;
}

/* Copies the spooled member into the archive under its final name. */
static cp_err append_spooled(cp_bundle_writer *w, const char *path, uint64_t size, cp_error *err)
{
  cp_err rc = cp_os_rewind(w->spool, 0, "the spool file", err);
  if (rc != CP_OK)
    return rc;
  struct archive_entry *e = archive_entry_new();
  if (!e)
    return cp_error_set(err, CP_E_NOMEM, "archive entry");
  archive_entry_set_pathname(e, path); /* raw bytes, already checked to be UTF-8 */
  archive_entry_set_size(e, (la_int64_t)size);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_mtime(e, w->created, 0);
  void *utf8 = cp_os_utf8_enter();
  int ar = archive_write_header(w->a, e);
  cp_os_utf8_leave(utf8);
  archive_entry_free(e);
  /* WARN: the name (valid UTF-8, checked in begin) could not be converted
   * through a non-UTF-8 locale (LANG=C), so libarchive stored its bytes
   * as they are with hdrcharset=BINARY: the same bytes, a complete entry. */
  if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN)
    return archive_failed(w, path, err);
  uint64_t left = size;
  while (left > 0) {
    size_t want = left < CP_BUNDLE_CHUNK ? (size_t)left : CP_BUNDLE_CHUNK;
    long got = cp_os_read(w->spool, w->chunk, want);
    if (got <= 0)
      return set_broken(w, CP_E_IO, "reading the spool file back", err);
    la_ssize_t put = archive_write_data(w->a, w->chunk, (size_t)got);
    if (put != (la_ssize_t)got)
      return archive_failed(w, path, err);
    left -= (uint64_t)got;
  }
  return CP_OK;
}

/* Writes out what rowbuf holds. */
static cp_err flush_rows(cp_bundle_writer *w, cp_error *err)
{
  cp_err rc = CP_OK;
  if (w->rowbuf_len)
    rc = cp_os_write_all(w->rows_fd, w->rowbuf, w->rowbuf_len, "the manifest rows' scratch file",
                         NULL, err);
  w->rowbuf_len = 0;
  return rc;
}

/* One kept member's manifest row: its text to the scratch file, its name
 * to the set, the first ones to `shown`. Any failure breaks the writer: a
 * member in the archive without its row would make a bundle that fails. */
static cp_err add_row(cp_bundle_writer *w, const char *path, uint64_t size,
                      const unsigned char sha[32], cp_error *err)
{
  cp_error e;
  size_t len = 0;
  char *t = cp_manifest_row_text(path, size, sha, w->cur_scope, w->nrows == 0, &len);
  cp_err rc = t ? CP_OK : cp_error_set(&e, CP_E_NOMEM, "manifest row");
  if (rc == CP_OK && w->rowbuf_len + len > CP_BUNDLE_CHUNK)
    rc = flush_rows(w, &e);
  if (rc == CP_OK && len > CP_BUNDLE_CHUNK)
    rc = cp_os_write_all(w->rows_fd, t, len, "the manifest rows' scratch file", NULL, &e);
  else if (rc == CP_OK) {
    memcpy(w->rowbuf + w->rowbuf_len, t, len);
    w->rowbuf_len += len;
  }
  free(t);
  if (rc == CP_OK)
    rc = cp_names_add(w->names, path, &e);
  if (rc == CP_OK && w->nrows < CP_REPORT_MAX_ROWS)
    rc = cp_rows_add(w->shown, path, size, sha, w->cur_scope, NULL, &e);
  if (rc != CP_OK)
    return set_broken(w, e.code, e.detail, err);
  w->rows_len += len;
  w->nrows++;
  return CP_OK;
}

static cp_err sink_end(cp_sink *s, int keep, cp_error *err)
{
  cp_bundle_writer *w = impl(s);
  const char *path = s->current;
  uint64_t size = s->member_bytes;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (!keep) /* give the space back at once: a dropped member may be large */
    return cp_os_rewind(w->spool, 1, "the spool file", err);
  if (w->broken)
    return cp_error_set(err, w->broken, "%s", w->broken_detail);
  if (w->cur_failed)
    return cp_error_set(err, CP_E_IO, "member '%s' had a failed write and was dropped", path);
  if (EVP_DigestFinal_ex(w->md, md, &mdlen) != 1 || mdlen != 32)
    return cp_error_set(err, CP_E_INTERNAL, "SHA-256 final");
  cp_err rc = append_spooled(w, path, size, err);
  if (rc == CP_OK)
    rc = cp_os_rewind(w->spool, 1, "the spool file", err);
  if (rc != CP_OK)
    return rc;
  /* manifest.json and manifest.sig, the unlisted ones, are reserved names
   * added once by the writer itself: no row needed to refuse them twice */
  if (!w->unlisted)
    return add_row(w, path, size, md, err);
  return CP_OK;
}

static const cp_sink_ops bundle_sink_ops = {sink_begin, sink_write, sink_end};

/* Frees everything; removes the partial file unless it was renamed. */
static void writer_free(cp_bundle_writer *w)
{
  if (!w)
    return;
  if (w->a)
    archive_write_free(w->a); /* may try a last flush; the file is removed anyway */
  cp_durable_abort(&w->out);
  cp_durable_abort(&w->report_out);
  if (w->spool >= 0)
    (void)cp_os_close(w->spool, "spool", NULL);
  free(w->sink.current);
  free(w->dir);
  free(w->case_id);
  free(w->final_path);
  free(w->cur_scope);
  free(w->chunk);
  if (w->rows_fd >= 0)
    (void)cp_os_close(w->rows_fd, "rows", NULL);
  free(w->rowbuf);
  cp_names_free(w->names);
  cp_rows_free(w->shown);
  json_decref(w->made_by);
  json_decref(w->notes);
  EVP_MD_CTX_free(w->md);
  EVP_MD_CTX_free(w->out_md);
  free(w);
}

cp_err cp_bundle_writer_new(const char *out_dir, const char *case_id, const cp_bundle_opts *opts,
                            cp_bundle_writer **out, cp_error *err)
{
  cp_err rc = CP_OK;
  char name[160];
  *out = NULL;
  if (!out_dir || !out_dir[0])
    out_dir = ".";
  if (!case_id || !case_id[0])
    return cp_error_set(err, CP_E_USAGE, "a bundle needs a case id");
  if (!cp_os_is_dir(out_dir))
    return cp_error_set(err, CP_E_NOT_FOUND, "output folder %s", out_dir);
  cp_bundle_writer *w = calloc(1, sizeof *w);
  if (!w)
    return cp_error_set(err, CP_E_NOMEM, "bundle writer");
  w->out.fd = -1;
  w->report_out.fd = -1;
  w->report_copy = opts ? opts->report_copy : 0;
  w->spool = -1;
  w->created = opts && opts->created ? opts->created : time(NULL);
  w->max_bytes = opts ? opts->max_bundle_bytes : 0;
  w->made_by = opts && opts->made_by ? json_deep_copy(opts->made_by) : NULL;
  w->report = opts ? opts->report : NULL;
  w->sha256_out = opts ? opts->out_sha256 : NULL;
  w->size_out = opts ? opts->out_size : NULL;
  w->sink.ops = &bundle_sink_ops;
  w->sink.impl = w;
  cp_bundle_file_name(case_id, w->created, name, sizeof name);
  size_t plen = strlen(out_dir) + strlen(name) + 2;
  w->dir = strdup(out_dir);
  w->case_id = strdup(case_id);
  w->final_path = malloc(plen);
  w->rows_fd = -1;
  w->rowbuf = malloc(CP_BUNDLE_CHUNK);
  w->names = cp_names_new();
  w->shown = cp_rows_new();
  w->md = EVP_MD_CTX_new();
  w->out_md = EVP_MD_CTX_new();
  w->chunk = malloc(CP_BUNDLE_CHUNK);
  if (!w->dir || !w->case_id || !w->final_path || !w->rowbuf || !w->names || !w->shown || !w->md ||
      !w->out_md || !w->chunk) {
    rc = cp_error_set(err, CP_E_NOMEM, "bundle writer");
    goto out;
  }
  snprintf(w->final_path, plen, "%s/%s", out_dir, name);
  /* Fail before any collecting when the name is taken (finish re-checks). */
  if (cp_os_exists(w->final_path)) {
    rc = cp_error_set(err, CP_E_EXISTS, "%s", w->final_path);
    goto out;
  }
  if (EVP_DigestInit_ex(w->out_md, EVP_sha256(), NULL) != 1) {
    rc = cp_error_set(err, CP_E_INTERNAL, "SHA-256 init");
    goto out;
  }
  char prefix[200];
  snprintf(prefix, sizeof prefix, ".%s.partial-", name);
  rc = cp_durable_begin(&w->out, w->final_path, prefix, CP_DURABLE_NOREPLACE, err);
  if (rc != CP_OK)
    goto out;
  w->spool = cp_os_scratch_open(out_dir, err);
  if (w->spool >= 0)
    w->rows_fd = cp_os_scratch_open(out_dir, err);
  if (w->spool < 0 || w->rows_fd < 0) {
    rc = err ? err->code : CP_E_IO;
    goto out;
  }
  w->a = archive_write_new();
  if (!w->a) {
    rc = cp_error_set(err, CP_E_NOMEM, "archive");
    goto out;
  }
  /* libarchive picks its name charset from the locale when the format is
   * set up: make that UTF-8 for this thread only (see cp_os_utf8_enter). */
  void *utf8 = cp_os_utf8_enter();
  char level[4];
  int lv = opts && opts->gzip_level >= 1 && opts->gzip_level <= 9 ? opts->gzip_level
                                                                  : CP_BUNDLE_GZIP_DEFAULT;
  snprintf(level, sizeof level, "%d", lv);
  if (archive_write_add_filter_gzip(w->a) != ARCHIVE_OK ||
      archive_write_set_filter_option(w->a, "gzip", "compression-level", level) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK ||
      archive_write_open(w->a, w, NULL, out_write, NULL) != ARCHIVE_OK) {
    cp_os_utf8_leave(utf8);
    rc = archive_failed(w, "starting the archive", err);
    goto out;
  }
  cp_os_utf8_leave(utf8);
  *out = w;
  w = NULL;
out:
  writer_free(w);
  return rc;
}

cp_err cp_bundle_note(cp_bundle_writer *w, const char *key, const json_t *value, cp_error *err)
{
  static const char *const own[] = {"format",         "case_id",       "created",
                                    "format_version", "agent_version", "device",
                                    "members",        "signature",     NULL};
  for (size_t i = 0; own[i]; i++)
    if (!strcmp(key, own[i]))
      return cp_error_set(err, CP_E_INTERNAL, "manifest key '%s' belongs to the writer", key);
  if (!w->notes && !(w->notes = json_object()))
    return cp_error_set(err, CP_E_NOMEM, "manifest note");
  if (json_object_set_new(w->notes, key, json_deep_copy(value)) != 0)
    return cp_error_set(err, CP_E_NOMEM, "manifest note");
  return CP_OK;
}

cp_sink *cp_bundle_sink(cp_bundle_writer *w)
{
  return w ? &w->sink : NULL;
}

void cp_bundle_abort(cp_bundle_writer *w)
{
  writer_free(w);
}

static cp_err report_to_sink(void *ctx, const void *buf, size_t len, cp_error *err)
{
  cp_bundle_writer *w = ctx;
  cp_err rc = cp_sink_write(&w->sink, buf, len, err);
  if (rc == CP_OK && w->report_out.fd >= 0)
    rc = cp_durable_write(&w->report_out, buf, len, err);
  return rc;
}

/* `<bundle path without .caseprobe.tar.gz>.report.html`, opened durably. */
static cp_err report_copy_begin(cp_bundle_writer *w, cp_error *err)
{
  size_t n = strlen(w->final_path), suffix = strlen(CP_BUNDLE_SUFFIX);
  size_t stem = n > suffix ? n - suffix : n;
  char *path = malloc(stem + sizeof ".report.html");
  if (!path)
    return cp_error_set(err, CP_E_NOMEM, "report copy");
  snprintf(path, stem + sizeof ".report.html", "%.*s.report.html", (int)stem, w->final_path);
  cp_err rc = cp_durable_begin(&w->report_out, path, NULL, CP_DURABLE_REPLACE, err);
  free(path);
  return rc;
}

/* The member list a report renderer reads (report_html.h): one entry per
 * member, the first CP_REPORT_MAX_ROWS as manifest rows, the rest null
 * (counted, never shown), so the page costs 8 bytes a member, not a jansson
 * object. NULL on out of memory. */
static json_t *report_rows(cp_bundle_writer *w)
{
  size_t n = w->nrows, shown = cp_rows_count(w->shown);
  json_t *a = json_array();
  for (size_t i = 0; a && i < n; i++) {
    json_t *v = json_null();
    if (i < shown) {
      cp_row r;
      char hex[65];
      cp_rows_get(w->shown, i, &r);
      cp_hex(r.sha256, 32, hex);
      v = cp_manifest_member(r.path, r.size, hex, r.scope);
    }
    if (!v || json_array_append_new(a, v) != 0) {
      json_decref(a);
      a = NULL;
    }
  }
  return a;
}

/* report.html, streamed into its member; findings get the case id and the
 * creation time when the caller did not put them in. */
static cp_err add_report(cp_bundle_writer *w, const json_t *findings, cp_error *err)
{
  char when[32];
  cp_os_utc(w->created, 1, when);
  json_t *f = json_is_object(findings) ? json_copy((json_t *)findings) : json_object();
  if (!f)
    return cp_error_set(err, CP_E_NOMEM, "report findings");
  if (!json_object_get(f, "case_id"))
    json_object_set_new(f, "case_id", json_string(w->case_id));
  if (!json_object_get(f, "created"))
    json_object_set_new(f, "created", json_string(when));
  json_t *rows = report_rows(w);
  cp_err rc = rows ? CP_OK : cp_error_set(err, CP_E_NOMEM, "report rows");
  if (rc == CP_OK && w->report_copy)
    rc = report_copy_begin(w, err);
  if (rc == CP_OK)
    rc = cp_sink_begin(&w->sink, CP_BUNDLE_REPORT, CP_BUNDLE_SCOPE_BUNDLE, err);
  if (rc == CP_OK) {
    rc = (w->report ? w->report : cp_report_html_fallback)(f, rows, report_to_sink, w, err);
    cp_error ignored;
    cp_err end = cp_sink_end(&w->sink, rc == CP_OK, rc == CP_OK ? err : &ignored);
    if (rc == CP_OK)
      rc = end;
  }
  json_decref(f);
  json_decref(rows);
  return rc;
}

/* cp_manifest_fill_fn: the rows' text back from their scratch file. */
static cp_err fill_rows(void *ctx, char *dst, size_t len, cp_error *err)
{
  cp_bundle_writer *w = ctx;
  while (len > 0) {
    long got = cp_os_read(w->rows_fd, dst, len);
    if (got <= 0)
      return cp_error_set(err, CP_E_IO, "reading the manifest rows' scratch file back");
    dst += got;
    len -= (size_t)got;
  }
  return CP_OK;
}

static cp_err put_manifest(void *ctx, const void *buf, size_t len, cp_error *err)
{
  cp_bundle_writer *w = ctx;
  return cp_sink_write(&w->sink, buf, len, err);
}

/* The rows' text from the scratch file into the manifest member, a piece at a time. */
static cp_err put_manifest_rows(void *ctx, size_t len, cp_error *err)
{
  cp_bundle_writer *w = ctx;
  char buf[64 * 1024];
  while (len > 0) {
    long got = cp_os_read(w->rows_fd, buf, len < sizeof buf ? len : sizeof buf);
    if (got <= 0)
      return cp_error_set(err, CP_E_IO, "reading the manifest rows' scratch file back");
    cp_err rc = cp_sink_write(&w->sink, buf, (size_t)got, err);
    if (rc != CP_OK)
      return rc;
    len -= (size_t)got;
  }
  return CP_OK;
}

/* manifest.json, then manifest.sig when a key is given; neither is listed.
 * Unsigned, the manifest streams from the rows' scratch file into its
 * member; signed, it is built whole in memory (Ed25519 signs the message
 * in one piece). */
static cp_err add_manifest(cp_bundle_writer *w, const json_t *device, const char *key,
                           cp_error *err)
{
  char fp[65];
  char *text = NULL;
  char *sig = NULL;
  size_t len = 0;
  json_t *m = NULL;
  cp_err rc = CP_OK;
  if (key) {
    rc = cp_sign_key_fingerprint(key, 1, fp, err);
    if (rc != CP_OK)
      goto out;
  }
  /* the member rows are spliced in as text, read back from their scratch
   * file: as jansson objects 10,000 members were ~8 MB */
  m = cp_manifest_new(w->case_id, w->created, device, NULL, key ? fp : NULL);
  if (m && w->made_by && json_object_set(m, "made_by", w->made_by) != 0) {
    json_decref(m);
    m = NULL;
  }
  if (m && w->notes)
    (void)json_object_update_missing(m, w->notes); /* never over the writer's own keys */
  if (!m) {
    rc = cp_error_set(err, CP_E_NOMEM, "manifest");
    goto out;
  }
  rc = flush_rows(w, err);
  if (rc == CP_OK)
    rc = cp_os_rewind(w->rows_fd, 0, "the manifest rows' scratch file", err);
  if (rc == CP_OK && !key) {
    w->unlisted = 1;
    rc = cp_sink_begin(&w->sink, CP_BUNDLE_MANIFEST, CP_BUNDLE_SCOPE_BUNDLE, err);
    if (rc != CP_OK)
      goto out;
    rc = cp_manifest_write_splice(m, (size_t)w->rows_len, put_manifest, put_manifest_rows, w, err);
    if (rc != CP_OK) {
      cp_error ignored;
      (void)cp_sink_end(&w->sink, 0, &ignored);
      goto out;
    }
    rc = cp_sink_end(&w->sink, 1, err);
    goto out;
  }
  if (rc == CP_OK)
    rc = cp_manifest_dump_splice(m, (size_t)w->rows_len, fill_rows, w, &text, &len, err);
  if (rc != CP_OK)
    goto out;
  if (key) { /* sign before writing, so a bad key leaves no half-signed bundle */
    rc = cp_sign_ed25519(key, text, len, &sig, fp, err);
    if (rc != CP_OK)
      goto out;
  }
  w->unlisted = 1;
  rc = cp_sink_add_file(&w->sink, CP_BUNDLE_MANIFEST, CP_BUNDLE_SCOPE_BUNDLE, text, len, err);
  if (rc == CP_OK && sig)
    rc = cp_sink_add_file(&w->sink, CP_BUNDLE_SIGNATURE, CP_BUNDLE_SCOPE_BUNDLE, sig, strlen(sig),
                          err);
out:
  free(text);
  free(sig);
  json_decref(m);
  return rc;
}

cp_err cp_bundle_finish(cp_bundle_writer *w, const json_t *consent_json,
                        const json_t *redaction_json, const json_t *device_summary_json,
                        const json_t *findings_json, const char *sign_key_path, char **final_path,
                        cp_error *err)
{
  cp_err rc = CP_OK;
  json_t *empty = json_object();
  if (final_path)
    *final_path = NULL;
  if (!w) {
    rc = cp_error_set(err, CP_E_INTERNAL, "finish without a writer");
    goto out;
  }
  if (!empty) {
    rc = cp_error_set(err, CP_E_NOMEM, "bundle");
    goto out;
  }
  if (w->broken) {
    rc = cp_error_set(err, w->broken, "%s", w->broken_detail);
    goto out;
  }
  if (w->sink.current) {
    rc = cp_error_set(err, CP_E_INTERNAL, "member '%s' still open at finish", w->sink.current);
    goto out;
  }
  w->internal = 1;
  rc = cp_sink_add_json(&w->sink, CP_BUNDLE_CONSENT, CP_BUNDLE_SCOPE_BUNDLE,
                        consent_json ? consent_json : empty, err);
  if (rc == CP_OK)
    rc = cp_sink_add_json(&w->sink, CP_BUNDLE_REDACTION, CP_BUNDLE_SCOPE_BUNDLE,
                          redaction_json ? redaction_json : empty, err);
  if (rc == CP_OK)
    rc = add_report(w, findings_json, err);
  if (rc == CP_OK)
    rc = add_manifest(w, device_summary_json, sign_key_path, err);
  if (rc != CP_OK)
    goto out;
  if (archive_write_close(w->a) != ARCHIVE_OK) {
    rc = archive_failed(w, "closing the archive", err);
    goto out;
  }
  archive_write_free(w->a);
  w->a = NULL;
  unsigned char dig[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  if (EVP_DigestFinal_ex(w->out_md, dig, &dlen) != 1 || dlen != 32) {
    rc = cp_error_set(err, CP_E_INTERNAL, "SHA-256 final");
    goto out;
  }
  /* fsync, close, rename without replacing, fsync of the folder */
  rc = cp_durable_commit(&w->out, err);
  if (rc == CP_OK && w->report_out.fd >= 0) {
    rc = cp_durable_commit(&w->report_out, err);
    if (rc != CP_OK)
      cp_os_unlink(w->final_path); /* all or nothing */
  }
  if (rc != CP_OK)
    goto out;
  if (w->sha256_out)
    cp_hex(dig, 32, w->sha256_out);
  if (w->size_out)
    *w->size_out = w->out_bytes;
  if (final_path) {
    *final_path = w->final_path;
    w->final_path = NULL;
  }
out:
  json_decref(empty);
  writer_free(w);
  cp_os_release_free_memory(); /* the member rows, before the caller re-reads the bundle */
  return rc;
}
