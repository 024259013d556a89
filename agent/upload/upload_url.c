/* S3 URLs for the upload engine: parse a path-style or presigned URL, encode
 * keys the way SigV4 canonicalises them (libcurl 7.88 signs the path and query
 * exactly as sent, so what we send must already be canonical), and redact URLs
 * before anything prints them. */
#include "upload_s3.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int is_unreserved(unsigned char c)
{
  return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

int cp_s3_uri_encode(const char *in, int keep_slash, char *out, size_t n)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
    if (is_unreserved(*p) || (keep_slash && *p == '/')) {
      if (o + 1 >= n)
        return 0;
      out[o++] = (char)*p;
    } else {
      if (o + 3 >= n)
        return 0;
      out[o++] = '%';
      out[o++] = hex[*p >> 4];
      out[o++] = hex[*p & 15];
    }
  }
  if (o >= n)
    return 0;
  out[o] = '\0';
  return 1;
}

static int hexval(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Percent-decodes in[0..len) into out; refuses %00, bad escapes and control
 * characters (a key with those is almost surely a mistake). */
static int uri_decode(const char *in, size_t len, char *out, size_t n)
{
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    int c = (unsigned char)in[i];
    if (c == '%') {
      if (i + 2 >= len)
        return 0;
      int h = hexval(in[i + 1]), l = hexval(in[i + 2]);
      if (h < 0 || l < 0)
        return 0;
      c = h * 16 + l;
      i += 2;
    }
    if (c < 0x20 || c == 0x7f)
      return 0;
    if (o + 1 >= n)
      return 0;
    out[o++] = (char)c;
  }
  out[o] = '\0';
  return 1;
}

void cp_upload_redact_url(const char *url, char *out, size_t n)
{
  if (!n)
    return;
  out[0] = '\0';
  if (!url)
    return;
  size_t end = strcspn(url, "?#");
  const char *auth = strstr(url, "://");
  size_t skip_from = 0, skip_to = 0;
  if (auth && (size_t)(auth - url) < end) {
    size_t a = (size_t)(auth - url) + 3;
    size_t aend = a + strcspn(url + a, "/?#");
    for (size_t i = a; i < aend; i++)
      if (url[i] == '@') {
        skip_from = a;
        skip_to = i + 1;
      }
  }
  size_t o = 0;
  for (size_t i = 0; i < end && o + 1 < n; i++) {
    if (i >= skip_from && i < skip_to)
      continue;
    unsigned char c = (unsigned char)url[i];
    out[o++] = (c < 0x20 || c == 0x7f) ? '_' : (char)c;
  }
  out[o] = '\0';
}

/* Does the query carry a signature parameter (SigV4 or the old V2 form)? */
static int query_is_signed(const char *q)
{
  const char *p = q;
  while (*p) {
    if (!strncmp(p, "X-Amz-Signature=", 16) || !strncmp(p, "Signature=", 10))
      return 1;
    p += strcspn(p, "&");
    if (*p == '&')
      p++;
  }
  return 0;
}

cp_err cp_s3_url_parse(const char *url, const char *default_key, cp_s3_url *u, cp_error *err)
{
  memset(u, 0, sizeof *u);
  if (!url || !*url)
    return cp_error_set(err, CP_E_USAGE, "no upload URL given (--to)");
  const char *rest;
  if (!strncmp(url, "https://", 8) || !strncmp(url, "HTTPS://", 8)) {
    u->https = 1;
    rest = url + 8;
  } else if (!strncmp(url, "http://", 7) || !strncmp(url, "HTTP://", 7)) {
    rest = url + 7;
  } else {
    return cp_error_set(err, CP_E_USAGE, "the upload URL must start with https:// or http://");
  }
  size_t alen = strcspn(rest, "/?#");
  if (alen == 0 || alen >= sizeof u->hostport)
    return cp_error_set(err, CP_E_USAGE, "the upload URL has no host name");
  for (size_t i = 0; i < alen; i++) {
    unsigned char c = (unsigned char)rest[i];
    if (c == '@')
      return cp_error_set(err, CP_E_USAGE,
                          "the upload URL must not carry a user name or password; "
                          "give credentials in the environment or with --credentials");
    if (!isalnum(c) && c != '.' && c != '-' && c != ':' && c != '[' && c != ']' && c != '_')
      return cp_error_set(err, CP_E_USAGE, "the upload URL's host name has a bad character");
  }
  memcpy(u->hostport, rest, alen);
  const char *path = rest + alen;
  size_t plen = strcspn(path, "?#");
  const char *query = NULL;
  size_t qlen = 0;
  if (path[plen] == '?') {
    query = path + plen + 1;
    qlen = strcspn(query, "#");
  }
  char qbuf[4096] = "";
  if (query) {
    if (qlen >= sizeof qbuf)
      return cp_error_set(err, CP_E_USAGE, "the upload URL's query string is too long");
    memcpy(qbuf, query, qlen);
    qbuf[qlen] = '\0';
    u->presigned = query_is_signed(qbuf);
    if (!u->presigned && qlen > 0)
      return cp_error_set(err, CP_E_USAGE,
                          "the upload URL has a query string but no signature; give a "
                          "presigned URL or a plain http(s)://host/bucket/key");
  }

  /* Decode the path into bucket and key. */
  char decoded[3400];
  if (plen == 0 || path[0] != '/' || !uri_decode(path + 1, plen - 1, decoded, sizeof decoded))
    return cp_error_set(err, CP_E_USAGE,
                        "the upload URL needs a path /bucket/key (or /bucket/ to use the "
                        "file's name)");
  char *slash = strchr(decoded, '/');
  size_t blen = slash ? (size_t)(slash - decoded) : strlen(decoded);
  if (blen == 0 || blen >= sizeof u->bucket)
    return cp_error_set(err, CP_E_USAGE, "the upload URL has no bucket name (or it is too long)");
  memcpy(u->bucket, decoded, blen);
  const char *key = slash ? slash + 1 : "";
  size_t klen = strlen(key);
  if (klen == 0 || key[klen - 1] == '/') {
    if (u->presigned)
      return cp_error_set(err, CP_E_USAGE, "a presigned upload URL must name the object");
    if (!default_key || !*default_key)
      return cp_error_set(err, CP_E_USAGE, "the upload URL names no object key");
    if ((size_t)snprintf(u->key, sizeof u->key, "%s%s", key, default_key) >= sizeof u->key)
      return cp_error_set(err, CP_E_USAGE, "the object key is too long");
  } else {
    if (klen >= sizeof u->key)
      return cp_error_set(err, CP_E_USAGE, "the object key is too long");
    memcpy(u->key, key, klen + 1);
  }

  const char *scheme = u->https ? "https://" : "http://";
  if (u->presigned) {
    /* Signed bytes: keep the path and query exactly as given. */
    if (plen >= sizeof u->path)
      return cp_error_set(err, CP_E_USAGE, "the upload URL is too long");
    memcpy(u->path, path, plen);
    u->path[plen] = '\0';
  } else {
    char eb[200], ek[3200];
    if (!cp_s3_uri_encode(u->bucket, 0, eb, sizeof eb) ||
        !cp_s3_uri_encode(u->key, 1, ek, sizeof ek) ||
        (size_t)snprintf(u->path, sizeof u->path, "/%s/%s", eb, ek) >= sizeof u->path)
      return cp_error_set(err, CP_E_USAGE, "the object key is too long");
  }
  if ((size_t)snprintf(u->redacted, sizeof u->redacted, "%s%s%s", scheme, u->hostport, u->path) >=
      sizeof u->redacted)
    return cp_error_set(err, CP_E_USAGE, "the upload URL is too long");
  int w =
      u->presigned
          ? snprintf(u->request, sizeof u->request, "%s%s%s?%s", scheme, u->hostport, u->path, qbuf)
          : snprintf(u->request, sizeof u->request, "%s%s%s", scheme, u->hostport, u->path);
  if (w < 0 || (size_t)w >= sizeof u->request)
    return cp_error_set(err, CP_E_USAGE, "the upload URL is too long");
  return CP_OK;
}
