/* See bundle_read.h. Only the gzip filter and the tar formats are enabled, so
 * a hostile file reaches as little parsing code as possible. */
#include "bundle_read.h"

#include "bundle_os.h"
#include "cp_path.h"
#include "manifest.h"
#include "safepath.h"

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct cp_bundle_reader {
  struct archive *a;
  json_t *seen; /* names already returned */
  char *path;   /* current member */
  uint64_t size;
  int in_member;
  size_t count;
  cp_err failed; /* sticky: libarchive cannot continue after a fatal error */
};

/* Records a fatal libarchive error: `what` ends where the member name (if
 * any) and libarchive's reason are appended. */
static cp_err fail(cp_bundle_reader *r, cp_err code, cp_error *err, const char *what)
{
  const char *why = archive_error_string(r->a);
  r->failed = code;
  if (r->path)
    return cp_error_set(err, code, "%s '%s'%s%s", what, r->path, why ? ": " : "", why ? why : "");
  return cp_error_set(err, code, "%s%s%s", what, why ? ": " : "", why ? why : "");
}

/* Sets *out to a new reader, or to NULL with err set. */
static cp_err reader_new(cp_bundle_reader **out, cp_error *err)
{
  *out = NULL;
  cp_bundle_reader *r = calloc(1, sizeof *r);
  if (!r)
    return cp_error_set(err, CP_E_NOMEM, "bundle reader");
  r->a = archive_read_new();
  r->seen = json_object();
  if (!r->a || !r->seen) {
    cp_bundle_close(r);
    return cp_error_set(err, CP_E_NOMEM, "bundle reader");
  }
  if (archive_read_support_filter_gzip(r->a) != ARCHIVE_OK ||
      archive_read_support_format_tar(r->a) != ARCHIVE_OK) {
    cp_bundle_close(r);
    return cp_error_set(err, CP_E_INTERNAL, "libarchive lacks gzip or tar support");
  }
  *out = r;
  return CP_OK;
}

cp_err cp_bundle_open(const char *path, cp_bundle_reader **out, cp_error *err)
{
  *out = NULL;
  if (!path || !cp_os_exists(path))
    return cp_error_set(err, CP_E_NOT_FOUND, "%s", path ? path : "(no bundle)");
  if (cp_os_is_dir(path))
    return cp_error_set(err, CP_E_PARSE, "%s is a folder, not a bundle", path);
  cp_bundle_reader *r = NULL;
  cp_err rc = reader_new(&r, err);
  if (!r)
    return rc;
#if defined(_WIN32)
  /* The narrow call takes the ANSI code page: open by the UTF-16 name. */
  wchar_t *wpath = cp_path_wide(path);
  int opened = wpath ? archive_read_open_filename_w(r->a, wpath, 64 * 1024) : ARCHIVE_FATAL;
  free(wpath);
#else
  int opened = archive_read_open_filename(r->a, path, 64 * 1024);
#endif
  if (opened != ARCHIVE_OK) {
    rc = fail(r, CP_E_PARSE, err, "not a readable bundle (tar.gz)");
    cp_bundle_close(r);
    return rc;
  }
  *out = r;
  return CP_OK;
}

cp_err cp_bundle_open_memory(const void *buf, size_t len, cp_bundle_reader **out, cp_error *err)
{
  *out = NULL;
  cp_bundle_reader *r = NULL;
  cp_err rc = reader_new(&r, err);
  if (!r)
    return rc;
  if (archive_read_open_memory(r->a, buf, len) != ARCHIVE_OK) {
    rc = fail(r, CP_E_PARSE, err, "not a readable bundle (tar.gz)");
    cp_bundle_close(r);
    return rc;
  }
  *out = r;
  return CP_OK;
}

cp_err cp_bundle_next(cp_bundle_reader *r, const char **path, uint64_t *size, cp_error *err)
{
  *path = NULL;
  *size = 0;
  if (r->failed)
    return cp_error_set(err, r->failed, "bundle reader already failed");
  struct archive_entry *e = NULL;
  int ar = archive_read_next_header(r->a, &e);
  if (ar == ARCHIVE_EOF) {
    free(r->path);
    r->path = NULL;
    r->in_member = 0;
    return CP_OK;
  }
  /* WARN is libarchive failing to convert a name to the locale (a UTF-8
   * name under LANG=C): harmless, as names are taken as UTF-8 below. */
  if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN)
    return fail(r, CP_E_PARSE, err,
                r->path ? "archive truncated or damaged after member" : "not a caseprobe bundle");
  free(r->path);
  r->path = NULL;
  r->in_member = 0;
  const char *name = archive_entry_pathname_utf8(e);
  if (!name)
    name = archive_entry_pathname(e);
  if (!name)
    return fail(r, CP_E_PARSE, err, "a member without a name");
  size_t n = strlen(name);
  if (!cp_path_is_safe(name, n) || !cp_utf8_valid(name, n)) {
    r->failed = CP_E_UNSAFE_PATH;
    return cp_error_set(err, CP_E_UNSAFE_PATH, "member name '%.200s' is not a safe path", name);
  }
  r->path = strdup(name);
  if (!r->path)
    return cp_error_set(err, CP_E_NOMEM, "member name");
  if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) ||
      archive_entry_symlink(e)) {
    r->failed = CP_E_PARSE;
    return cp_error_set(err, CP_E_PARSE, "member '%s' is not a regular file", name);
  }
  if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0 ||
      (uint64_t)archive_entry_size(e) > CP_BUNDLE_MAX_MEMBER_BYTES) {
    r->failed = CP_E_PARSE;
    return cp_error_set(err, CP_E_PARSE, "member '%s' has an impossible size", name);
  }
  if (json_object_get(r->seen, name)) {
    r->failed = CP_E_PARSE;
    return cp_error_set(err, CP_E_PARSE, "member '%s' appears twice", name);
  }
  if (r->count >= CP_BUNDLE_MAX_MEMBERS) {
    r->failed = CP_E_PARSE;
    return cp_error_set(err, CP_E_PARSE, "more than %d members", CP_BUNDLE_MAX_MEMBERS);
  }
  if (json_object_set_new(r->seen, name, json_true()) != 0)
    return cp_error_set(err, CP_E_NOMEM, "member index");
  r->count++;
  r->size = (uint64_t)archive_entry_size(e);
  r->in_member = 1;
  *path = r->path;
  *size = r->size;
  return CP_OK;
}

cp_err cp_bundle_read(cp_bundle_reader *r, void *buf, size_t cap, size_t *got, cp_error *err)
{
  *got = 0;
  if (r->failed)
    return cp_error_set(err, r->failed, "bundle reader already failed");
  if (!r->in_member)
    return CP_OK;
  la_ssize_t n = archive_read_data(r->a, buf, cap);
  if (n < 0)
    return fail(r, CP_E_PARSE, err, "archive truncated or damaged in member");
  *got = (size_t)n;
  return CP_OK;
}

size_t cp_bundle_count(const cp_bundle_reader *r)
{
  return r ? r->count : 0;
}

void cp_bundle_close(cp_bundle_reader *r)
{
  if (!r)
    return;
  if (r->a)
    archive_read_free(r->a);
  json_decref(r->seen);
  free(r->path);
  free(r);
}
