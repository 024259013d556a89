/* See plist_json.h. Recursive with an explicit depth bound; every node and
 * byte is counted against the limits before it is copied. */
#include "plist_json.h"

#include <plist/plist.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds between the Unix epoch and Apple's 2001-01-01 epoch of plist dates. */
#define CP_MAC_EPOCH 978307200LL

const cp_plist_limits cp_plist_default_limits = {64, 2000000, 64u * 1024u * 1024u};

typedef struct conv {
  const cp_plist_limits *lim;
  size_t nodes;
  size_t bytes;
  cp_error *err;
} conv;

char *cp_base64_encode(const unsigned char *buf, size_t len)
{
  static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
    return NULL;
  size_t outlen = (len + 2) / 3 * 4;
  char *out = malloc(outlen + 1);
  if (!out)
    return NULL;
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)buf[i] << 16;
    if (i + 1 < len)
      v |= (uint32_t)buf[i + 1] << 8;
    if (i + 2 < len)
      v |= buf[i + 2];
    out[o++] = tab[(v >> 18) & 63];
    out[o++] = tab[(v >> 12) & 63];
    out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < len ? tab[v & 63] : '=';
  }
  out[o] = '\0';
  return out;
}

void cp_iso8601_utc(long long unix_seconds, char out[32])
{
  time_t t = (time_t)unix_seconds;
  struct tm tm;
  if (!gmtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    (void)snprintf(out, 32, "%lld", unix_seconds);
}

static int count(conv *c, size_t bytes)
{
  c->nodes++;
  c->bytes += bytes;
  if (c->nodes > c->lim->max_nodes || c->bytes > c->lim->max_bytes) {
    cp_error_set(c->err, CP_E_PARSE, "plist larger than the limit (%zu nodes, %zu bytes)",
                 c->lim->max_nodes, c->lim->max_bytes);
    return -1;
  }
  return 0;
}

static json_t *nomem(conv *c)
{
  cp_error_set(c->err, CP_E_NOMEM, "converting a plist");
  return NULL;
}

static json_t *convert(conv *c, plist_t node, int depth);

static json_t *convert_dict(conv *c, plist_t node, int depth)
{
  json_t *obj = json_object();
  plist_dict_iter it = NULL;
  if (!obj)
    return nomem(c);
  plist_dict_new_iter(node, &it);
  if (!it) {
    json_decref(obj);
    return nomem(c);
  }
  for (;;) {
    char *key = NULL;
    plist_t val = NULL;
    plist_dict_next_item(node, it, &key, &val);
    if (!val) {
      free(key);
      break;
    }
    json_t *j = key ? convert(c, val, depth + 1) : nomem(c);
    /* json_object_set_new takes j even when it fails (a key that is not UTF-8). */
    if (!j || json_object_set_new(obj, key, j) != 0) {
      if (j)
        cp_error_set(c->err, CP_E_PARSE, "plist key is not valid UTF-8");
      free(key);
      free(it);
      json_decref(obj);
      return NULL;
    }
    free(key);
  }
  free(it);
  return obj;
}

static json_t *convert_array(conv *c, plist_t node, int depth)
{
  json_t *arr = json_array();
  if (!arr)
    return nomem(c);
  uint32_t n = plist_array_get_size(node);
  for (uint32_t i = 0; i < n; i++) {
    json_t *j = convert(c, plist_array_get_item(node, i), depth + 1);
    if (!j || json_array_append_new(arr, j) != 0) {
      json_decref(arr);
      return j ? nomem(c) : NULL;
    }
  }
  return arr;
}

static json_t *convert(conv *c, plist_t node, int depth)
{
  if (!node) {
    cp_error_set(c->err, CP_E_PARSE, "empty plist node");
    return NULL;
  }
  if (depth > c->lim->max_depth) {
    cp_error_set(c->err, CP_E_PARSE, "plist nested deeper than %d", c->lim->max_depth);
    return NULL;
  }
  uint64_t len = 0;
  switch (plist_get_node_type(node)) {
  case PLIST_DICT:
    if (count(c, 0))
      return NULL;
    return convert_dict(c, node, depth);
  case PLIST_ARRAY:
    if (count(c, 0))
      return NULL;
    return convert_array(c, node, depth);
  case PLIST_BOOLEAN: {
    uint8_t b = 0;
    plist_get_bool_val(node, &b);
    return count(c, 0) ? NULL : json_boolean(b);
  }
  case PLIST_UINT: {
    uint64_t v = 0;
    plist_get_uint_val(node, &v);
    /* libplist 2.2 keeps negatives as two's complement in a uint64. */
    return count(c, 0) ? NULL : json_integer((json_int_t)(int64_t)v);
  }
  case PLIST_UID: {
    uint64_t v = 0;
    plist_get_uid_val(node, &v);
    return count(c, 0) ? NULL : json_integer((json_int_t)(int64_t)v);
  }
  case PLIST_REAL: {
    double d = 0;
    plist_get_real_val(node, &d);
    if (count(c, 0))
      return NULL;
    json_t *r = json_real(d);
    return r ? r : json_null(); /* NaN/inf have no JSON form */
  }
  case PLIST_STRING:
  case PLIST_KEY: {
    char *s = NULL;
    if (plist_get_node_type(node) == PLIST_STRING)
      plist_get_string_val(node, &s);
    else
      plist_get_key_val(node, &s);
    if (!s)
      return nomem(c);
    len = strlen(s);
    if (count(c, (size_t)len)) {
      free(s);
      return NULL;
    }
    json_t *j = json_stringn(s, (size_t)len);
    if (!j) { /* not UTF-8: keep the bytes visible (base64) rather than fail the reply */
      char *b = cp_base64_encode((const unsigned char *)s, (size_t)len);
      j = b ? json_string(b) : NULL;
      free(b);
    }
    free(s);
    return j ? j : nomem(c);
  }
  case PLIST_DATA: {
    const char *p = plist_get_data_ptr(node, &len);
    if (count(c, (size_t)len * 4 / 3 + 4))
      return NULL;
    char *b = cp_base64_encode((const unsigned char *)(p ? p : ""), p ? (size_t)len : 0);
    if (!b)
      return nomem(c);
    json_t *j = json_string(b);
    free(b);
    return j ? j : nomem(c);
  }
  case PLIST_DATE: {
    int32_t sec = 0, usec = 0;
    plist_get_date_val(node, &sec, &usec);
    char iso[32];
    cp_iso8601_utc((long long)sec + CP_MAC_EPOCH, iso);
    return count(c, 0) ? NULL : json_string(iso);
  }
  default:
    cp_error_set(c->err, CP_E_PARSE, "unknown plist node type %d", (int)plist_get_node_type(node));
    return NULL;
  }
}

json_t *cp_plist_to_json(const void *node, const cp_plist_limits *limits, cp_error *err)
{
  conv c = {limits ? limits : &cp_plist_default_limits, 0, 0, err};
  if (err)
    cp_error_clear(err);
  return convert(&c, (plist_t)node, 0);
}

cp_err cp_plist_json_from_memory(const char *buf, size_t len, const cp_plist_limits *limits,
                                 json_t **out, cp_error *err)
{
  *out = NULL;
  if (!buf || len == 0 || len > UINT32_MAX)
    return cp_error_set(err, CP_E_PARSE, "empty or oversized plist");
  /* libplist 2.2 sniffs only "bplist00" and "<?xml"; anything else is not a plist. */
  if (!(len >= 8 && !memcmp(buf, "bplist00", 8)) && !memchr(buf, '<', len < 64 ? len : 64))
    return cp_error_set(err, CP_E_PARSE, "not a plist");
  plist_t p = NULL;
  plist_from_memory(buf, (uint32_t)len, &p);
  if (!p)
    return cp_error_set(err, CP_E_PARSE, "malformed plist");
  *out = cp_plist_to_json(p, limits, err);
  plist_free(p);
  if (!*out)
    return err && err->code != CP_OK ? err->code : CP_E_PARSE;
  return CP_OK;
}
