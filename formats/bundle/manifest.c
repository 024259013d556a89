/* See manifest.h: building the manifest on write and checking it on read. A
 * manifest comes from a file someone may have edited, so parsing trusts
 * nothing: types, paths, sizes and hashes are all checked. */
#include "manifest.h"

#include "bundle_os.h"
#include "cp_version.h"
#include "safepath.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More rows than this is not a manifest we wrote (bounds memory on read). */
#define CP_MANIFEST_MAX_MEMBERS 200000

void cp_hex(const unsigned char *bytes, size_t len, char *out)
{
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  out[2 * len] = '\0';
}

int cp_is_sha256_hex(const char *s)
{
  if (!s || strlen(s) != 64)
    return 0;
  for (size_t i = 0; i < 64; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return 1;
}

cp_err cp_sha256_hex(const void *buf, size_t len, char out[65], cp_error *err)
{
  unsigned char md[32];
  unsigned int mdlen = 0;
  if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
    return cp_error_set(err, CP_E_INTERNAL, "SHA-256 failed");
  cp_hex(md, 32, out);
  return CP_OK;
}

int cp_utf8_valid(const char *str, size_t len)
{
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < len) {
    unsigned char c = s[i];
    size_t n;
    unsigned cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return 0;
    }
    if (len - i <= n)
      return 0;
    for (size_t k = 1; k <= n; k++) {
      if ((s[i + k] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return 0;
    i += n + 1;
  }
  return 1;
}

json_t *cp_manifest_member(const char *path, uint64_t size, const char *sha256_hex,
                           const char *scope)
{
  return json_pack("{s:s, s:I, s:s, s:s}", "path", path, "size", (json_int_t)size, "sha256",
                   sha256_hex, "scope", scope);
}

json_t *cp_manifest_new(const char *case_id, time_t created, const json_t *device,
                        const json_t *members, const char *key_sha256)
{
  char when[32];
  cp_os_utc(created, 1, when);
  json_t *dev = device ? json_deep_copy(device) : json_object();
  json_t *mem = members ? json_deep_copy(members) : json_array();
  json_t *m = NULL;
  if (!dev || !mem)
    goto out;
  m = json_pack("{s:s, s:i, s:s, s:s, s:s, s:O, s:O}", "format", CP_MANIFEST_FORMAT,
                "format_version", CP_BUNDLE_FORMAT_VERSION, "agent_version", CP_VERSION, "case_id",
                case_id, "created", when, "device", dev, "members", mem);
  if (m && key_sha256) {
    json_t *sig = json_pack("{s:s, s:s, s:s}", "algorithm", "ed25519", "member", "manifest.sig",
                            "key_sha256", key_sha256);
    if (!sig || json_object_set_new(m, "signature", sig) != 0) {
      json_decref(m);
      m = NULL;
    }
  }
out:
  json_decref(dev);
  json_decref(mem);
  return m;
}

char *cp_manifest_dump(const json_t *manifest, size_t *len)
{
  char *text = json_dumps(manifest, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
  if (!text)
    return NULL;
  size_t n = strlen(text);
  char *t = realloc(text, n + 2);
  if (!t) {
    free(text);
    return NULL;
  }
  t[n] = '\n';
  t[n + 1] = '\0';
  *len = n + 1;
  return t;
}

/* A growing text buffer for cp_manifest_dump_rows; `failed` once out of memory. */
typedef struct tbuf {
  char *p;
  size_t len, cap;
  int failed;
} tbuf;

static void put(tbuf *b, const char *s, size_t n)
{
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t c = b->cap ? b->cap : 4096;
    while (c < b->len + n + 1)
      c *= 2;
    char *q = realloc(b->p, c);
    if (!q) {
      b->failed = 1;
      return;
    }
    b->p = q;
    b->cap = c;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void puts_(tbuf *b, const char *s)
{
  put(b, s, strlen(s));
}

/* A string as jansson writes it in the manifest (quoted, \u-escaped). */
static void put_json_string(tbuf *b, const char *s)
{
  json_t *v = json_string(s);
  char *t = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
  json_decref(v);
  if (!t) {
    b->failed = 1;
    return;
  }
  puts_(b, t);
  free(t);
}

/* The "members" line of a dump with no rows: top-level keys are indented by
 * exactly two spaces after a newline and every string's newlines are
 * escaped, so this text occurs once, and only for the top-level key. */
#define MEMBERS_EMPTY "\n  \"members\": []"

char *cp_manifest_row_text(const char *path, uint64_t size, const unsigned char sha256[32],
                           const char *scope, int first, size_t *len)
{
  char hex[65], num[32];
  tbuf b = {NULL, 0, 0, 0};
  cp_hex(sha256, 32, hex);
  snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, (json_int_t)size);
  puts_(&b, first ? "\n    {\n      \"path\": " : ",\n    {\n      \"path\": ");
  put_json_string(&b, path);
  puts_(&b, ",\n      \"scope\": ");
  put_json_string(&b, scope);
  puts_(&b, ",\n      \"sha256\": \"");
  puts_(&b, hex);
  puts_(&b, "\",\n      \"size\": ");
  puts_(&b, num);
  puts_(&b, "\n    }");
  if (b.failed) {
    free(b.p);
    return NULL;
  }
  *len = b.len;
  return b.p;
}

/* The dump of `manifest` with an empty member list (*head, malloc'd, *hlen
 * bytes) and where its ']' sits (*cut): the rows' text goes there. */
static cp_err splice_head(const json_t *manifest, char **head, size_t *hlen, size_t *cut,
                          cp_error *err)
{
  json_t *m = json_copy((json_t *)manifest); /* shallow: only "members" differs */
  json_t *none = json_array();
  cp_err rc = CP_OK;
  *head = NULL;
  if (!m || !none || json_object_set(m, "members", none) != 0 ||
      !(*head = cp_manifest_dump(m, hlen))) {
    rc = cp_error_set(err, CP_E_NOMEM, "manifest");
  } else {
    const char *at = strstr(*head, MEMBERS_EMPTY);
    if (!at) {
      free(*head);
      *head = NULL;
      rc = cp_error_set(err, CP_E_INTERNAL, "manifest without a member list");
    } else
      *cut = (size_t)(at - *head) + strlen(MEMBERS_EMPTY) - 1; /* at the ']' */
  }
  json_decref(none);
  json_decref(m);
  return rc;
}

cp_err cp_manifest_write_splice(const json_t *manifest, size_t rows_len, cp_manifest_put_fn emit,
                                cp_manifest_put_rows_fn put_rows, void *ctx, cp_error *err)
{
  size_t hlen = 0, cut = 0;
  char *head = NULL;
  cp_err rc = splice_head(manifest, &head, &hlen, &cut, err);
  if (rc == CP_OK)
    rc = emit(ctx, head, cut, err);
  if (rc == CP_OK && rows_len) {
    rc = put_rows(ctx, rows_len, err);
    if (rc == CP_OK)
      rc = emit(ctx, "\n  ", 3, err);
  }
  if (rc == CP_OK)
    rc = emit(ctx, head + cut, hlen - cut, err);
  free(head);
  return rc;
}

/* cp_manifest_dump_splice's emitter: one buffer, grown to just what the
 * pieces need (room for the rows is taken at the start); the rows are put
 * in place by the caller's fill. */
typedef struct mem_out {
  char *p;
  size_t len, cap;
  cp_manifest_fill_fn fill;
  void *ctx;
} mem_out;

static cp_err mem_room(mem_out *m, size_t n, cp_error *err)
{
  if (m->len + n + 1 <= m->cap)
    return CP_OK;
  char *q = realloc(m->p, m->len + n + 1);
  if (!q)
    return cp_error_set(err, CP_E_NOMEM, "manifest");
  m->p = q;
  m->cap = m->len + n + 1;
  return CP_OK;
}

static cp_err mem_emit(void *ctx, const void *buf, size_t n, cp_error *err)
{
  mem_out *m = ctx;
  cp_err rc = mem_room(m, n, err);
  if (rc == CP_OK) {
    memcpy(m->p + m->len, buf, n);
    m->len += n;
  }
  return rc;
}

static cp_err mem_rows(void *ctx, size_t n, cp_error *err)
{
  mem_out *m = ctx;
  cp_err rc = mem_room(m, n, err);
  if (rc == CP_OK && (rc = m->fill(m->ctx, m->p + m->len, n, err)) == CP_OK)
    m->len += n;
  return rc;
}

cp_err cp_manifest_dump_splice(const json_t *manifest, size_t rows_len, cp_manifest_fill_fn fill,
                               void *ctx, char **text, size_t *len, cp_error *err)
{
  mem_out m = {NULL, 0, 0, fill, ctx};
  *text = NULL;
  cp_err rc = mem_room(&m, rows_len + 4096, err);
  if (rc == CP_OK)
    rc = cp_manifest_write_splice(manifest, rows_len, mem_emit, mem_rows, &m, err);
  if (rc != CP_OK) {
    free(m.p);
    return rc;
  }
  m.p[m.len] = '\0';
  *text = m.p;
  *len = m.len;
  return CP_OK;
}

static cp_err fill_from_memory(void *ctx, char *dst, size_t len, cp_error *err)
{
  (void)err;
  memcpy(dst, ctx, len);
  return CP_OK;
}

char *cp_manifest_dump_rows(const json_t *manifest, const cp_rows *rows, size_t *len)
{
  tbuf b = {NULL, 0, 0, 0};
  char *text = NULL;
  size_t n = cp_rows_count(rows);
  for (size_t i = 0; i < n && !b.failed; i++) {
    cp_row r;
    size_t rl = 0;
    cp_rows_get(rows, i, &r);
    char *t = cp_manifest_row_text(r.path, r.size, r.sha256, r.scope, i == 0, &rl);
    if (t)
      put(&b, t, rl);
    else
      b.failed = 1;
    free(t);
  }
  if (!b.failed &&
      cp_manifest_dump_splice(manifest, b.len, fill_from_memory, b.p, &text, len, NULL) != CP_OK)
    text = NULL;
  free(b.p);
  return text;
}

/* Checks one member row (all but uniqueness: the row callback's job). */
static cp_err check_member(json_t *row, size_t i, cp_error *err)
{
  const char *path = json_string_value(json_object_get(row, "path"));
  json_t *size = json_object_get(row, "size");
  const char *sha = json_string_value(json_object_get(row, "sha256"));
  const char *scope = json_string_value(json_object_get(row, "scope"));
  if (!json_is_object(row) || !path || !scope || !json_is_integer(size))
    return cp_error_set(err, CP_E_PARSE, "manifest member %zu lacks path, size or scope", i);
  if (!cp_path_is_safe(path, strlen(path)))
    return cp_error_set(err, CP_E_PARSE, "manifest member %zu has an unsafe path", i);
  if (json_integer_value(size) < 0)
    return cp_error_set(err, CP_E_PARSE, "manifest member '%s' has a negative size", path);
  if (!cp_is_sha256_hex(sha))
    return cp_error_set(err, CP_E_PARSE, "manifest member '%s' has no valid sha256", path);
  if (!strcmp(path, "manifest.json") || !strcmp(path, "manifest.sig"))
    return cp_error_set(err, CP_E_PARSE, "manifest lists '%s', which it cannot cover", path);
  return CP_OK;
}

/* The streaming parser's position in the text. */
typedef struct scan {
  const char *b;
  size_t len, pos;
} scan;

static void skip_ws(scan *s)
{
  while (s->pos < s->len && (s->b[s->pos] == ' ' || s->b[s->pos] == '\t' || s->b[s->pos] == '\n' ||
                             s->b[s->pos] == '\r'))
    s->pos++;
}

/* 1 when the next byte after white space is c (then consumed). */
static int eat(scan *s, char c)
{
  skip_ws(s);
  if (s->pos < s->len && s->b[s->pos] == c) {
    s->pos++;
    return 1;
  }
  return 0;
}

static cp_err not_json(const scan *s, const char *why, cp_error *err)
{
  int line = 1;
  for (size_t i = 0; i < s->pos && i < s->len; i++)
    line += s->b[i] == '\n';
  return cp_error_set(err, CP_E_PARSE, "manifest.json is not JSON (line %d: %s)", line, why);
}

/* The next JSON value, parsed by jansson (which stops right after it). */
static cp_err value(scan *s, json_t **out, cp_error *err)
{
  json_error_t je;
  skip_ws(s);
  *out = json_loadb(s->b + s->pos, s->len - s->pos,
                    JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &je);
  if (!*out) {
    s->pos += je.position > 0 ? (size_t)je.position : 0;
    return not_json(s, je.text, err);
  }
  s->pos += (size_t)je.position;
  return CP_OK;
}

cp_err cp_manifest_twice(const char *path, cp_error *err)
{
  return cp_error_set(err, CP_E_PARSE, "manifest lists '%s' twice", path);
}

/* The "members" array, row by row. */
static cp_err stream_rows(scan *s, cp_manifest_row_fn fn, void *ctx, cp_error *err)
{
  cp_err rc = CP_OK;
  if (!eat(s, '[')) {
    rc = cp_error_set(err, CP_E_PARSE, "manifest.json has no valid member list");
    goto out;
  }
  if (eat(s, ']'))
    goto out;
  for (size_t i = 0;; i++) {
    json_t *row = NULL;
    if (i >= CP_MANIFEST_MAX_MEMBERS) {
      rc = cp_error_set(err, CP_E_PARSE, "manifest.json has no valid member list");
      goto out;
    }
    rc = value(s, &row, err);
    if (rc == CP_OK)
      rc = check_member(row, i, err);
    if (rc == CP_OK && fn)
      rc = fn(ctx, i, row, err);
    json_decref(row);
    if (rc != CP_OK)
      goto out;
    if (eat(s, ']'))
      break;
    if (!eat(s, ',')) {
      rc = not_json(s, "',' or ']' expected", err);
      goto out;
    }
  }
out:
  return rc;
}

/* The checks of the top level, once every key but the rows is in head. */
static cp_err check_head(json_t *m, int had_members, cp_error *err)
{
  const char *fmt = json_string_value(json_object_get(m, "format"));
  json_t *ver = json_object_get(m, "format_version");
  if (!fmt || strcmp(fmt, CP_MANIFEST_FORMAT) != 0)
    return cp_error_set(err, CP_E_PARSE, "manifest.json is not a caseprobe manifest");
  if (!json_is_integer(ver) || json_integer_value(ver) < 1)
    return cp_error_set(err, CP_E_PARSE, "manifest.json has no valid format_version");
  if (json_integer_value(ver) > CP_BUNDLE_FORMAT_VERSION)
    return cp_error_set(err, CP_E_PARSE,
                        "bundle format %lld is newer than this caseprobe reads (%d)",
                        (long long)json_integer_value(ver), CP_BUNDLE_FORMAT_VERSION);
  if (!had_members)
    return cp_error_set(err, CP_E_PARSE, "manifest.json has no valid member list");
  if (!json_is_string(json_object_get(m, "case_id")) ||
      !json_is_string(json_object_get(m, "created")))
    return cp_error_set(err, CP_E_PARSE, "manifest.json lacks case_id or created");
  return CP_OK;
}

cp_err cp_manifest_stream(const void *buf, size_t len, cp_manifest_row_fn fn, void *ctx,
                          json_t **head, cp_error *err)
{
  scan s = {buf, len, 0};
  cp_err rc = CP_OK;
  int had_members = 0;
  json_t *m = json_object();
  *head = NULL;
  if (!m)
    return cp_error_set(err, CP_E_NOMEM, "manifest");
  if (!eat(&s, '{')) {
    json_t *v = NULL;
    s.pos = 0;
    rc = value(&s, &v, err); /* not JSON at all, or JSON but not an object */
    if (rc == CP_OK)
      rc = cp_error_set(err, CP_E_PARSE, "manifest.json is not a caseprobe manifest");
    json_decref(v);
    goto out;
  }
  if (!eat(&s, '}'))
    for (;;) {
      json_t *k = NULL, *v = NULL;
      skip_ws(&s);
      if (s.pos >= s.len || s.b[s.pos] != '"') {
        rc = not_json(&s, "a key expected", err);
        goto out;
      }
      if ((rc = value(&s, &k, err)) != CP_OK)
        goto out;
      const char *key = json_string_value(k);
      if (!eat(&s, ':')) {
        json_decref(k);
        rc = not_json(&s, "':' expected", err);
        goto out;
      }
      if (!strcmp(key, "members") ? had_members : json_object_get(m, key) != NULL) {
        rc = not_json(&s, "duplicate object key", err);
        json_decref(k);
        goto out;
      }
      if (!strcmp(key, "members")) {
        had_members = 1;
        rc = stream_rows(&s, fn, ctx, err);
      } else if ((rc = value(&s, &v, err)) == CP_OK && json_object_set_new(m, key, v) != 0) {
        rc = cp_error_set(err, CP_E_NOMEM, "manifest");
      }
      json_decref(k);
      if (rc != CP_OK)
        goto out;
      if (eat(&s, '}'))
        break;
      if (!eat(&s, ',')) {
        rc = not_json(&s, "',' or '}' expected", err);
        goto out;
      }
    }
  skip_ws(&s);
  if (s.pos != s.len) {
    rc = not_json(&s, "end of file expected", err);
    goto out;
  }
  rc = check_head(m, had_members, err);
  if (rc == CP_OK) {
    *head = m;
    m = NULL;
  }
out:
  json_decref(m);
  return rc;
}

/* cp_manifest_parse's row callback: keeps every row and indexes it. */
typedef struct keep_rows {
  json_t *rows, *by_path;
} keep_rows;

static cp_err keep_row(void *ctx, size_t i, json_t *row, cp_error *err)
{
  keep_rows *k = ctx;
  const char *path = json_string_value(json_object_get(row, "path"));
  (void)i;
  if (json_object_get(k->by_path, path))
    return cp_manifest_twice(path, err);
  if (json_array_append(k->rows, row) != 0 || json_object_set(k->by_path, path, row) != 0)
    return cp_error_set(err, CP_E_NOMEM, "manifest index");
  return CP_OK;
}

cp_err cp_manifest_parse(const void *buf, size_t len, json_t **out, json_t **by_path, cp_error *err)
{
  keep_rows k = {json_array(), json_object()};
  json_t *m = NULL;
  cp_err rc = CP_OK;
  if (!k.rows || !k.by_path)
    rc = cp_error_set(err, CP_E_NOMEM, "manifest index");
  if (rc == CP_OK)
    rc = cp_manifest_stream(buf, len, keep_row, &k, &m, err);
  if (rc == CP_OK && json_object_set(m, "members", k.rows) != 0)
    rc = cp_error_set(err, CP_E_NOMEM, "manifest");
  if (rc == CP_OK) {
    *out = m;
    *by_path = k.by_path;
    m = NULL;
    k.by_path = NULL;
  }
  json_decref(m);
  json_decref(k.rows);
  json_decref(k.by_path);
  return rc;
}
