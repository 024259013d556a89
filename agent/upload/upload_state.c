/* The files the upload engine leaves next to a bundle: the resume state of a
 * multipart upload (BUNDLE.upload-state) and the receipt (BUNDLE.receipt.json).
 * Both are written atomically so a kill -9 at any moment leaves either the old
 * or the new file, never half of one: resuming trusts what the state says. */
#include "durable.h"
#include "upload_s3.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CP_UPLOAD_MAX_PARTS 10000u

unsigned cp_upload_nparts(uint64_t size, uint64_t part_size)
{
  if (part_size == 0)
    return 0;
  if (size == 0)
    return 1;
  uint64_t n = size / part_size + (size % part_size ? 1 : 0);
  return n > 0xffffffffu ? 0xffffffffu : (unsigned)n;
}

cp_err cp_upload_state_init(cp_upload_state *s, const char *url, const char *upload_id,
                            const char *sha256, uint64_t size, uint64_t part_size, cp_error *err)
{
  memset(s, 0, sizeof *s);
  unsigned n = cp_upload_nparts(size, part_size);
  if (n == 0 || n > CP_UPLOAD_MAX_PARTS)
    return cp_error_set(err, CP_E_INTERNAL, "bad part count %u", n);
  if (strlen(url) >= sizeof s->url || strlen(upload_id) >= sizeof s->upload_id ||
      strlen(sha256) >= sizeof s->sha256)
    return cp_error_set(err, CP_E_UPLOAD, "upload id or URL too long");
  s->etags = calloc(n, sizeof *s->etags);
  if (!s->etags)
    return cp_error_set(err, CP_E_NOMEM, "upload state");
  strcpy(s->url, url);
  strcpy(s->upload_id, upload_id);
  strcpy(s->sha256, sha256);
  s->size = size;
  s->part_size = part_size;
  s->nparts = n;
  return CP_OK;
}

void cp_upload_state_free(cp_upload_state *s)
{
  free(s->etags);
  s->etags = NULL;
  s->nparts = 0;
}

unsigned cp_upload_state_done(const cp_upload_state *s)
{
  unsigned d = 0;
  for (unsigned i = 0; i < s->nparts; i++)
    d += s->etags[i][0] != '\0';
  return d;
}

static int printable(const char *s)
{
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return 0;
  return 1;
}

cp_err cp_upload_state_load(const char *file, cp_upload_state *s, cp_error *err)
{
  memset(s, 0, sizeof *s);
  FILE *f = fopen(file, "rb");
  if (!f) {
    if (errno == ENOENT)
      return cp_error_set(err, CP_E_NOT_FOUND, "%s", file);
    return cp_error_set(err, CP_E_IO, "cannot read %s", file);
  }
  json_error_t je;
  json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
  (void)fclose(f); /* read only */
  cp_err rc = CP_E_PARSE;
  if (!root) {
    cp_error_set(err, CP_E_PARSE, "%s: %s", file, je.text);
    goto out;
  }
  json_t *url = json_object_get(root, "url"), *id = json_object_get(root, "upload_id"),
         *sha = json_object_get(root, "sha256"), *size = json_object_get(root, "size"),
         *psize = json_object_get(root, "part_size"), *parts = json_object_get(root, "parts");
  if (json_integer_value(json_object_get(root, "format")) != 1 || !json_is_string(url) ||
      !json_is_string(id) || !json_is_string(sha) || !json_is_integer(size) ||
      !json_is_integer(psize) || !json_is_array(parts) || json_integer_value(size) < 0 ||
      json_integer_value(psize) <= 0 || json_string_length(sha) != 64 ||
      json_string_length(id) == 0 || !printable(json_string_value(id))) {
    cp_error_set(err, CP_E_PARSE, "%s: not an upload state", file);
    goto out;
  }
  if (cp_upload_state_init(s, json_string_value(url), json_string_value(id), json_string_value(sha),
                           (uint64_t)json_integer_value(size), (uint64_t)json_integer_value(psize),
                           err) != CP_OK ||
      !s->etags) {
    cp_error_set(err, CP_E_PARSE, "%s: inconsistent upload state", file);
    goto out;
  }
  size_t i;
  json_t *p;
  json_array_foreach(parts, i, p)
  {
    json_int_t n = json_integer_value(json_object_get(p, "part"));
    const char *etag = json_string_value(json_object_get(p, "etag"));
    if (n < 1 || (uint64_t)n > s->nparts || !etag || !*etag || strlen(etag) >= 80 ||
        !printable(etag)) {
      cp_error_set(err, CP_E_PARSE, "%s: bad part entry %zu", file, i);
      cp_upload_state_free(s);
      goto out;
    }
    strcpy(s->etags[n - 1], etag);
  }
  rc = CP_OK;
out:
  json_decref(root);
  return rc;
}

/* durable.h: `.<name>.tmp-XXXXXX` beside it, fsync, rename, fsync folder. */
cp_err cp_upload_write_atomic(const char *file, const char *text, size_t len, cp_error *err)
{
  return cp_durable_write_file(file, text, len, CP_DURABLE_REPLACE, err);
}

/* Serialises j and writes it atomically; steals the reference. */
static cp_err write_json(const char *file, json_t *j, cp_error *err)
{
  if (!j)
    return cp_error_set(err, CP_E_NOMEM, "%s", file);
  char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (!text)
    return cp_error_set(err, CP_E_NOMEM, "%s", file);
  size_t len = strlen(text);
  char *nl = realloc(text, len + 2);
  if (!nl) {
    free(text);
    return cp_error_set(err, CP_E_NOMEM, "%s", file);
  }
  nl[len] = '\n';
  nl[len + 1] = '\0';
  cp_err rc = cp_upload_write_atomic(file, nl, len + 1, err);
  free(nl);
  return rc;
}

cp_err cp_upload_state_save(const char *file, const cp_upload_state *s, cp_error *err)
{
  json_t *parts = json_array();
  for (unsigned i = 0; parts && i < s->nparts; i++) {
    if (!s->etags[i][0])
      continue;
    if (json_array_append_new(
            parts, json_pack("{s:I,s:s}", "part", (json_int_t)i + 1, "etag", s->etags[i])) != 0) {
      json_decref(parts);
      parts = NULL;
    }
  }
  if (!parts)
    return cp_error_set(err, CP_E_NOMEM, "upload state");
  json_t *j = json_pack("{s:i,s:s,s:s,s:s,s:I,s:I,s:o}", "format", 1, "url", s->url, "upload_id",
                        s->upload_id, "sha256", s->sha256, "size", (json_int_t)s->size, "part_size",
                        (json_int_t)s->part_size, "parts", parts);
  return write_json(file, j, err);
}

cp_err cp_upload_receipt_write(const char *file, const cp_upload_result *r, long long unix_time,
                               cp_error *err)
{
  char when[32] = "";
  time_t t = (time_t)unix_time;
  struct tm tm;
  if (gmtime_r(&t, &tm))
    (void)strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_t *j = json_pack("{s:i,s:s,s:s,s:s,s:I,s:s,s:i,s:i}", "format", 1, "url", r->url, "etag",
                        r->etag, "sha256", r->sha256, "size", (json_int_t)r->size, "time", when,
                        "parts", (int)r->parts, "resumed_parts", (int)r->parts_resumed);
  return write_json(file, j, err);
}

int cp_upload_multipart_etag(const char (*etags)[80], unsigned nparts, char *out, size_t n)
{
  int ok = 0;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  if (!md || !EVP_DigestInit_ex(md, EVP_md5(), NULL))
    goto out;
  for (unsigned i = 0; i < nparts; i++) {
    unsigned char bin[16];
    if (strlen(etags[i]) != 32)
      goto out;
    for (int b = 0; b < 16; b++) {
      unsigned v;
      if (sscanf(etags[i] + 2 * b, "%2x", &v) != 1)
        goto out;
      bin[b] = (unsigned char)v;
    }
    if (!EVP_DigestUpdate(md, bin, sizeof bin))
      goto out;
  }
  unsigned char d[16];
  unsigned dl = 0;
  if (!EVP_DigestFinal_ex(md, d, &dl) || dl != 16)
    goto out;
  char hex[33];
  for (int b = 0; b < 16; b++)
    (void)snprintf(hex + 2 * b, 3, "%02x", d[b]);
  ok = (size_t)snprintf(out, n, "%s-%u", hex, nparts) < n;
out:
  EVP_MD_CTX_free(md);
  return ok;
}

int cp_upload_parse_size(const char *s, uint64_t *out)
{
  if (!s || *s < '0' || *s > '9')
    return 0;
  uint64_t v = 0;
  const char *p = s;
  while (*p >= '0' && *p <= '9') {
    if (v > (UINT64_MAX - 9) / 10)
      return 0;
    v = v * 10 + (uint64_t)(*p++ - '0');
  }
  static const struct {
    const char *suffix;
    uint64_t mult;
  } units[] = {{"", 1},          {"B", 1},           {"k", 1024},          {"K", 1024},
               {"KiB", 1024},    {"M", 1024 * 1024}, {"MiB", 1024 * 1024}, {"G", 1u << 30},
               {"GiB", 1u << 30}};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    if (!strcmp(p, units[i].suffix)) {
      if (v > UINT64_MAX / units[i].mult)
        return 0;
      *out = v * units[i].mult;
      return 1;
    }
  }
  return 0;
}
