/* See manifest.h: building the manifest on write and checking it on read. A
 * manifest comes from a file someone may have edited, so parsing trusts
 * nothing: types, paths, sizes and hashes are all checked. */
#include "manifest.h"

#include "bundle_os.h"
#include "cp_version.h"
#include "safepath.h"

#include <openssl/evp.h>
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

/* Checks one member row; on success adds it to by_path. */
static cp_err check_member(json_t *row, size_t i, json_t *by_path, cp_error *err)
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
  if (json_object_get(by_path, path))
    return cp_error_set(err, CP_E_PARSE, "manifest lists '%s' twice", path);
  if (json_object_set(by_path, path, row) != 0)
    return cp_error_set(err, CP_E_NOMEM, "manifest index");
  return CP_OK;
}

cp_err cp_manifest_parse(const void *buf, size_t len, json_t **out, json_t **by_path, cp_error *err)
{
  cp_err rc = CP_OK;
  json_error_t jerr;
  json_t *idx = NULL;
  json_t *m = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!m) {
    rc = cp_error_set(err, CP_E_PARSE, "manifest.json is not JSON (line %d: %s)", jerr.line,
                      jerr.text);
    goto out;
  }
  const char *fmt = json_string_value(json_object_get(m, "format"));
  json_t *ver = json_object_get(m, "format_version");
  json_t *members = json_object_get(m, "members");
  if (!json_is_object(m) || !fmt || strcmp(fmt, CP_MANIFEST_FORMAT) != 0) {
    rc = cp_error_set(err, CP_E_PARSE, "manifest.json is not a caseprobe manifest");
    goto out;
  }
  if (!json_is_integer(ver) || json_integer_value(ver) < 1) {
    rc = cp_error_set(err, CP_E_PARSE, "manifest.json has no valid format_version");
    goto out;
  }
  if (json_integer_value(ver) > CP_BUNDLE_FORMAT_VERSION) {
    rc = cp_error_set(err, CP_E_PARSE, "bundle format %lld is newer than this caseprobe reads (%d)",
                      (long long)json_integer_value(ver), CP_BUNDLE_FORMAT_VERSION);
    goto out;
  }
  if (!json_is_array(members) || json_array_size(members) > CP_MANIFEST_MAX_MEMBERS) {
    rc = cp_error_set(err, CP_E_PARSE, "manifest.json has no valid member list");
    goto out;
  }
  if (!json_is_string(json_object_get(m, "case_id")) ||
      !json_is_string(json_object_get(m, "created"))) {
    rc = cp_error_set(err, CP_E_PARSE, "manifest.json lacks case_id or created");
    goto out;
  }
  idx = json_object();
  if (!idx) {
    rc = cp_error_set(err, CP_E_NOMEM, "manifest index");
    goto out;
  }
  size_t i;
  json_t *row;
  json_array_foreach(members, i, row)
  {
    rc = check_member(row, i, idx, err);
    if (rc != CP_OK)
      goto out;
  }
  *out = m;
  *by_path = idx;
  m = NULL;
  idx = NULL;
out:
  json_decref(m);
  json_decref(idx);
  return rc;
}
