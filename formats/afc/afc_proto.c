/* AFC encoding and reply validation; see afc_proto.h. Every length read from
 * a reply is checked here before the client acts on it, so a hostile or
 * truncated reply is a CP_E_PROTOCOL with a detail, never a wild read. */
#include "afc_proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_u64(unsigned char *p, uint64_t v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

cp_err cp_afc_encode(uint64_t op, uint64_t packet_num, const uint64_t *nums, size_t nnums,
                     const char *path, unsigned char **out, size_t *outlen, cp_error *err)
{
  *out = NULL;
  *outlen = 0;
  size_t plen = 0;
  if (path) {
    plen = strnlen(path, CP_AFC_MAX_PATH + 1);
    if (plen > CP_AFC_MAX_PATH)
      return cp_error_set(err, CP_E_USAGE, "AFC path longer than %u bytes", CP_AFC_MAX_PATH);
    plen++; /* the NUL */
  }
  if (nnums > 8)
    return cp_error_set(err, CP_E_INTERNAL, "AFC request with %zu numbers", nnums);
  size_t len = CP_AFC_HEADER_LEN + 8 * nnums + plen;
  unsigned char *b = malloc(len);
  if (!b)
    return cp_error_set(err, CP_E_NOMEM, "AFC request");
  memcpy(b, CP_AFC_MAGIC, 8);
  put_u64(b + 8, len);
  put_u64(b + 16, len);
  put_u64(b + 24, packet_num);
  put_u64(b + 32, op);
  for (size_t i = 0; i < nnums; i++)
    put_u64(b + CP_AFC_HEADER_LEN + 8 * i, nums[i]);
  if (path)
    memcpy(b + CP_AFC_HEADER_LEN + 8 * nnums, path, plen);
  *out = b;
  *outlen = len;
  return CP_OK;
}

cp_err cp_afc_decode_header(const unsigned char *h, uint64_t expect_pn, uint64_t max_body,
                            cp_afc_hdr *out, cp_error *err)
{
  memset(out, 0, sizeof *out);
  if (memcmp(h, CP_AFC_MAGIC, 8) != 0)
    return cp_error_set(err, CP_E_PROTOCOL, "AFC reply without the CFA6LPAA magic");
  cp_afc_hdr r = {get_u64(h + 8), get_u64(h + 16), get_u64(h + 24), get_u64(h + 32)};
  if (r.this_len < CP_AFC_HEADER_LEN)
    return cp_error_set(err, CP_E_PROTOCOL, "AFC reply header length %llu is below 40",
                        (unsigned long long)r.this_len);
  if (r.entire_len < r.this_len)
    return cp_error_set(err, CP_E_PROTOCOL, "AFC reply length %llu is below its header length %llu",
                        (unsigned long long)r.entire_len, (unsigned long long)r.this_len);
  if (r.entire_len - CP_AFC_HEADER_LEN > max_body)
    return cp_error_set(err, CP_E_PROTOCOL, "AFC reply of %llu bytes, at most %llu expected",
                        (unsigned long long)(r.entire_len - CP_AFC_HEADER_LEN),
                        (unsigned long long)max_body);
  if (r.packet_num != expect_pn)
    return cp_error_set(err, CP_E_PROTOCOL, "AFC reply numbered %llu answers request %llu",
                        (unsigned long long)r.packet_num, (unsigned long long)expect_pn);
  if (r.op != CP_AFC_OP_STATUS && r.op != CP_AFC_OP_DATA && r.op != CP_AFC_OP_FILE_OPEN_RES &&
      r.op != CP_AFC_OP_FILE_TELL_RES)
    return cp_error_set(err, CP_E_PROTOCOL, "AFC reply with operation %llu",
                        (unsigned long long)r.op);
  *out = r;
  return CP_OK;
}

cp_err cp_afc_body_u64(const unsigned char *body, size_t len, uint64_t *v, cp_error *err)
{
  *v = 0;
  if (len < 8)
    return cp_error_set(err, CP_E_PROTOCOL, "AFC reply of %zu bytes where a number was due", len);
  *v = get_u64(body);
  return CP_OK;
}

const char *cp_afc_status_name(uint64_t code)
{
  static const char *const names[] = {
      "SUCCESS",          "UNKNOWN_ERROR",  "OP_HEADER_INVALID",   "NO_RESOURCES",
      "READ_ERROR",       "WRITE_ERROR",    "UNKNOWN_PACKET_TYPE", "INVALID_ARG",
      "OBJECT_NOT_FOUND", "OBJECT_IS_DIR",  "PERM_DENIED",         "SERVICE_NOT_CONNECTED",
      "OP_TIMEOUT",       "TOO_MUCH_DATA",  "END_OF_DATA",         "OP_NOT_SUPPORTED",
      "OBJECT_EXISTS",    "OBJECT_BUSY",    "NO_SPACE_LEFT",       "OP_WOULD_BLOCK",
      "IO_ERROR",         "OP_INTERRUPTED", "OP_IN_PROGRESS",      "INTERNAL_ERROR"};
  return code < sizeof names / sizeof names[0] ? names[code] : "UNKNOWN_STATUS";
}

cp_err cp_afc_status_err(uint64_t code, const char *what, cp_error *err)
{
  const char *n = cp_afc_status_name(code);
  unsigned long long c = (unsigned long long)code;
  switch (code) {
  case CP_AFC_ST_SUCCESS: return CP_OK;
  case CP_AFC_ST_OBJECT_NOT_FOUND:
    return cp_error_set(err, CP_E_NOT_FOUND, "%s: no such file on the device", what);
  case CP_AFC_ST_OP_TIMEOUT:
    return cp_error_set(err, CP_E_TIMEOUT, "%s timed out on the device", what);
  case CP_AFC_ST_OP_HEADER_INVALID:
  case 6: /* UNKNOWN_PACKET_TYPE */
  case CP_AFC_ST_OP_NOT_SUPPORTED:
    return cp_error_set(err, CP_E_PROTOCOL, "%s refused as malformed (AFC %s, %llu)", what, n, c);
  /* Anything else is the device declining this one object (PERM_DENIED,
   * NO_RESOURCES, OBJECT_BUSY, IS_DIR...): the connection is still in
   * step, so it costs that file, not the walk, and it is not a local
   * input/output error (whose hint is about the output folder). */
  default:
    return cp_error_set(err, CP_E_DEVICE_REFUSED, "%s refused by the device (AFC %s, %llu)", what,
                        n, c);
  }
}

void cp_afc_names_free(char **names)
{
  for (size_t i = 0; names && names[i]; i++)
    free(names[i]);
  free(names);
}

/* 1 when s[0..n) has no byte below 0x20 and no DEL. */
static int printable(const unsigned char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] < 0x20 || s[i] == 0x7f)
      return 0;
  return 1;
}

/* Calls fn(ctx, s, n) for each NUL-separated string of body, the last one
 * possibly without its NUL. Stops at the first non-OK. */
typedef cp_err (*str_fn)(void *ctx, const unsigned char *s, size_t n, cp_error *err);

static cp_err each_string(const unsigned char *body, size_t len, str_fn fn, void *ctx,
                          cp_error *err)
{
  size_t i = 0;
  while (i < len) {
    const unsigned char *nul = memchr(body + i, 0, len - i);
    size_t n = nul ? (size_t)(nul - (body + i)) : len - i;
    cp_err rc = fn(ctx, body + i, n, err);
    if (rc != CP_OK)
      return rc;
    i += n + 1;
  }
  return CP_OK;
}

typedef struct names_ctx {
  char **v;
  size_t n, cap;
  size_t *refused; /* lenient: count impossible names here instead of failing */
} names_ctx;

static cp_err add_name(void *vctx, const unsigned char *s, size_t n, cp_error *err)
{
  names_ctx *c = vctx;
  if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
    return CP_OK;
  if (n == 0)
    return CP_OK; /* padding NULs: nothing to name */
  if (c->refused && (n > CP_AFC_MAX_NAME || memchr(s, '/', n) || !printable(s, n))) {
    (*c->refused)++; /* that entry alone is lost */
    return CP_OK;
  }
  if (n > CP_AFC_MAX_NAME)
    return cp_error_set(err, CP_E_PROTOCOL, "AFC folder listing with a %zu-byte name", n);
  if (memchr(s, '/', n) || !printable(s, n))
    return cp_error_set(err, CP_E_PROTOCOL,
                        "AFC folder listing with a name holding '/' or a control byte");
  if (c->n >= CP_AFC_MAX_NAMES)
    return cp_error_set(err, CP_E_PROTOCOL, "AFC folder listing with over %u names",
                        CP_AFC_MAX_NAMES);
  if (c->n + 1 >= c->cap) {
    size_t nc = c->cap ? c->cap * 2 : 16;
    char **nv = realloc(c->v, nc * sizeof *nv);
    if (!nv)
      return cp_error_set(err, CP_E_NOMEM, "folder listing");
    c->v = nv;
    c->cap = nc;
  }
  char *d = malloc(n + 1);
  if (!d)
    return cp_error_set(err, CP_E_NOMEM, "folder listing");
  memcpy(d, s, n);
  d[n] = 0;
  c->v[c->n++] = d;
  c->v[c->n] = NULL;
  return CP_OK;
}

cp_err cp_afc_parse_names(const unsigned char *body, size_t len, char ***names, cp_error *err)
{
  return cp_afc_parse_names_lenient(body, len, names, NULL, err);
}

cp_err cp_afc_parse_names_lenient(const unsigned char *body, size_t len, char ***names,
                                  size_t *refused, cp_error *err)
{
  names_ctx c = {NULL, 0, 0, refused};
  if (refused)
    *refused = 0;
  *names = NULL;
  cp_err rc = len > CP_AFC_MAX_META
                  ? cp_error_set(err, CP_E_PROTOCOL, "AFC folder listing of %zu bytes", len)
                  : each_string(body, len, add_name, &c, err);
  if (rc == CP_OK && !c.v) {
    c.v = calloc(1, sizeof *c.v);
    if (!c.v)
      rc = cp_error_set(err, CP_E_NOMEM, "folder listing");
  }
  if (rc != CP_OK) {
    cp_afc_names_free(c.v);
    return rc;
  }
  *names = c.v;
  return CP_OK;
}

/* Plain decimal, 1 to 20 digits, no sign or space, no 64-bit overflow. */
static int parse_u64(const unsigned char *s, size_t n, uint64_t *v)
{
  uint64_t x = 0;
  if (n == 0 || n > 20)
    return 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    uint64_t d = (uint64_t)(s[i] - '0');
    if (x > (UINT64_MAX - d) / 10)
      return 0;
    x = x * 10 + d;
  }
  *v = x;
  return 1;
}

typedef struct info_ctx {
  cp_afc_info *info;
  const unsigned char *key;
  size_t keylen;
  int have_key;
} info_ctx;

static int is_key(const info_ctx *c, const char *k)
{
  return c->keylen == strlen(k) && !memcmp(c->key, k, c->keylen);
}

static int value_is(const unsigned char *s, size_t n, const char *v)
{
  return n == strlen(v) && !memcmp(s, v, n);
}

static cp_err add_pair_part(void *vctx, const unsigned char *s, size_t n, cp_error *err)
{
  info_ctx *c = vctx;
  if (!c->have_key) {
    if (n == 0 || !printable(s, n))
      return cp_error_set(err, CP_E_PROTOCOL, "AFC file information with a bad key");
    c->key = s;
    c->keylen = n;
    c->have_key = 1;
    return CP_OK;
  }
  c->have_key = 0;
  cp_afc_info *in = c->info;
  if (is_key(c, "LinkTarget")) {
    in->has_link_target = 1; /* any bytes: the target is never followed by caseprobe */
    return CP_OK;
  }
  if (!printable(s, n))
    return cp_error_set(err, CP_E_PROTOCOL, "AFC file information with a control byte");
  if (is_key(c, "st_size")) {
    if (!parse_u64(s, n, &in->size))
      return cp_error_set(err, CP_E_PROTOCOL, "AFC file size '%.*s' is not a number",
                          (int)(n > 40 ? 40 : n), (const char *)s);
    in->has_size = 1;
  } else if (is_key(c, "st_mtime")) {
    if (!parse_u64(s, n, &in->mtime_ns))
      return cp_error_set(err, CP_E_PROTOCOL, "AFC file time '%.*s' is not a number",
                          (int)(n > 40 ? 40 : n), (const char *)s);
  } else if (is_key(c, "st_ifmt")) {
    in->ifmt = value_is(s, n, "S_IFREG")   ? CP_AFC_IFMT_REG
               : value_is(s, n, "S_IFDIR") ? CP_AFC_IFMT_DIR
               : value_is(s, n, "S_IFLNK") ? CP_AFC_IFMT_LNK
                                           : CP_AFC_IFMT_OTHER;
  }
  return CP_OK;
}

cp_err cp_afc_parse_info(const unsigned char *body, size_t len, cp_afc_info *info, cp_error *err)
{
  memset(info, 0, sizeof *info);
  if (len > CP_AFC_MAX_META)
    return cp_error_set(err, CP_E_PROTOCOL, "AFC file information of %zu bytes", len);
  info_ctx c = {info, NULL, 0, 0};
  cp_err rc = each_string(body, len, add_pair_part, &c, err);
  if (rc == CP_OK && c.have_key)
    rc = cp_error_set(err, CP_E_PROTOCOL, "AFC file information ends with a key and no value");
  if (rc != CP_OK)
    memset(info, 0, sizeof *info);
  return rc;
}
