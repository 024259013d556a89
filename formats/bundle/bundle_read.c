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
  cp_rows *seen; /* names already returned (compact: a jansson object was ~150 bytes a name) */
  char *path;    /* current member */
  uint64_t size;
  uint64_t got;   /* bytes of the current member read so far */
  uint64_t total; /* declared bytes of every member so far */
  int in_member;
  size_t count;
  cp_err failed; /* sticky: libarchive cannot continue after a fatal error */
  int fd;        /* the bundle file, or -1 (memory) */
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
  r->fd = -1;
  r->a = archive_read_new();
  r->seen = cp_rows_new();
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
  if (!path)
    return cp_error_set(err, CP_E_NOT_FOUND, "(no bundle)");
  int fd = cp_os_open_input(path, 0, err);
  if (fd < 0)
    return err ? err->code : CP_E_IO;
  cp_bundle_reader *r = NULL;
  cp_err rc = reader_new(&r, err);
  if (!r) {
    cp_error ignored;
    (void)cp_os_close(fd, path, &ignored);
    return rc;
  }
  r->fd = fd;
  if (archive_read_open_fd(r->a, fd, 64 * 1024) != ARCHIVE_OK) {
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

/* Refuses a decompression bomb: bytes out of the gzip filter against bytes
 * read from the file (a plain tar has no filter: ratio 1). */
static cp_err check_ratio(cp_bundle_reader *r, cp_error *err)
{
  if (archive_filter_count(r->a) < 2)
    return CP_OK;
  la_int64_t out = archive_filter_bytes(r->a, 0), in = archive_filter_bytes(r->a, -1);
  if (out < 0 || in < 0 || (uint64_t)out <= CP_BUNDLE_RATIO_FLOOR ||
      (uint64_t)out <= (uint64_t)in * CP_BUNDLE_MAX_RATIO)
    return CP_OK;
  r->failed = CP_E_TOO_LARGE;
  return cp_error_set(err, CP_E_TOO_LARGE,
                      "the bundle inflates more than %d times (%lld bytes from %lld): a "
                      "decompression bomb, not a bundle caseprobe made",
                      CP_BUNDLE_MAX_RATIO, (long long)out, (long long)in);
}

cp_err cp_bundle_next(cp_bundle_reader *r, const char **path, uint64_t *size, cp_error *err)
{
  *path = NULL;
  *size = 0;
  if (r->failed)
    return cp_error_set(err, r->failed, "bundle reader already failed");
  struct archive_entry *e = NULL;
  /* skipping an unread member inflates it too: skip in small reads so a
   * bomb is refused before it is inflated whole */
  if (r->in_member) {
    char skip[16 * 1024];
    la_ssize_t n;
    while ((n = archive_read_data(r->a, skip, sizeof skip)) > 0) {
      r->got += (uint64_t)n;
      cp_err rc = check_ratio(r, err);
      if (rc != CP_OK)
        return rc;
    }
    if (n < 0)
      return fail(r, CP_E_PARSE, err, "archive truncated or damaged in member");
    if (r->got != r->size) {
      r->failed = CP_E_PARSE;
      return cp_error_set(err, CP_E_PARSE, "member '%s' holds %llu bytes, its header says %llu",
                          r->path, (unsigned long long)r->got, (unsigned long long)r->size);
    }
  }
  int ar = archive_read_next_header(r->a, &e);
  if (ar == ARCHIVE_OK || ar == ARCHIVE_WARN) {
    cp_err rc = check_ratio(r, err);
    if (rc != CP_OK)
      return rc;
  }
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
      archive_entry_symlink(e) || archive_entry_sparse_count(e) > 0) {
    r->failed = CP_E_PARSE;
    return cp_error_set(err, CP_E_PARSE, "member '%s' is not a regular file%s", name,
                        archive_entry_sparse_count(e) > 0 ? " (a sparse member)" : "");
  }
  if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0 ||
      (uint64_t)archive_entry_size(e) > CP_BUNDLE_MAX_MEMBER_BYTES) {
    r->failed = CP_E_PARSE;
    return cp_error_set(err, CP_E_PARSE, "member '%s' has an impossible size", name);
  }
  if (cp_rows_find(r->seen, name) != CP_ROWS_NONE) {
    r->failed = CP_E_PARSE;
    return cp_error_set(err, CP_E_PARSE, "member '%s' appears twice", name);
  }
  if (r->count >= CP_BUNDLE_MAX_MEMBERS) {
    r->failed = CP_E_TOO_LARGE;
    return cp_error_set(err, CP_E_TOO_LARGE, "more than %d members: not a bundle caseprobe made",
                        CP_BUNDLE_MAX_MEMBERS);
  }
  r->total += (uint64_t)archive_entry_size(e);
  if (r->total > CP_BUNDLE_MAX_TOTAL_BYTES) {
    r->failed = CP_E_TOO_LARGE;
    return cp_error_set(err, CP_E_TOO_LARGE, "the members add up to more than %llu GiB",
                        (unsigned long long)(CP_BUNDLE_MAX_TOTAL_BYTES >> 30));
  }
  cp_err added = cp_rows_add(r->seen, name, (uint64_t)archive_entry_size(e), NULL, NULL, NULL, err);
  if (added != CP_OK)
    return added;
  r->count++;
  r->size = (uint64_t)archive_entry_size(e);
  r->got = 0;
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
  if (cap > 256 * 1024) /* small steps, so a bomb is caught early */
    cap = 256 * 1024;
  la_ssize_t n = archive_read_data(r->a, buf, cap);
  if (n < 0)
    return fail(r, CP_E_PARSE, err, "archive truncated or damaged in member");
  r->got += (uint64_t)n;
  if (n == 0 && r->got != r->size) {
    r->failed = CP_E_PARSE;
    return cp_error_set(err, CP_E_PARSE, "member '%s' holds %llu bytes, its header says %llu",
                        r->path, (unsigned long long)r->got, (unsigned long long)r->size);
  }
  cp_err rc = check_ratio(r, err);
  if (rc != CP_OK)
    return rc;
  *got = (size_t)n;
  return CP_OK;
}

cp_rows *cp_bundle_members(cp_bundle_reader *r)
{
  return r ? r->seen : NULL;
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
  if (r->fd >= 0) {
    cp_error ignored;
    (void)cp_os_close(r->fd, "bundle", &ignored); /* read only */
  }
  cp_rows_free(r->seen);
  free(r->path);
  free(r);
}
