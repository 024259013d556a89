/* The upload engine (see upload.h): libcurl for HTTP and SigV4 signing, OpenSSL
 * for the MD5 and SHA-256 every request carries. One easy handle is reused for
 * every request so the connection stays open between parts.
 *
 * libcurl 7.88 (Debian 12) signs the path and query exactly as sent and the
 * host without its port, so we send canonical queries ("uploads=", parameters
 * sorted, values encoded), set Host ourselves, and give x-amz-content-sha256
 * explicitly (it would otherwise sign an empty payload for a PUT). */
#include "upload.h"

#include "upload_s3.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define MIB (1024ull * 1024ull)
#define UP_MAX_RESPONSE (1024u * 1024u)
#define UP_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct up_req {
  const char *what;   /* for messages: "the upload", "part 3", ... */
  const char *method; /* "PUT", "POST", "GET", "DELETE" */
  const char *query;  /* canonical query without '?', or NULL */
  FILE *file;         /* body from a file range ... */
  uint64_t off, len;
  const char *mem; /* ... or from memory (len bytes) */
  const char *md5_b64;
  const char *sha256_hex; /* payload hash for SigV4 */
  const char *content_type;
  const char *meta_sha256;     /* whole file's hash: x-amz-meta-sha256 */
  const char *checksum_sha256; /* base64, x-amz-checksum-sha256 (single PUT) */
  int error_in_200;            /* a 200 with an <Error> body is a failure */
  int counts_progress;
} up_req;

typedef struct up_ctx {
  CURL *curl;
  const cp_upload_opts *o;
  const cp_s3_url *u;
  int sigv4;
  uint64_t size;      /* of the whole file */
  uint64_t base_done; /* bytes of parts already confirmed */
  uint64_t reported;  /* last amount given to the progress callback */
  const up_req *r;    /* the request in flight */
  uint64_t pos;       /* read position inside the body */
  char *resp;
  size_t resp_len;
  char etag[128];
  char errbuf[CURL_ERROR_SIZE];
  long status;
  char code[128]; /* S3 error Code of the last failure */
} up_ctx;

static int cancelled(const up_ctx *c)
{
  return c->o->cancel && *c->o->cancel;
}

/* --- libcurl callbacks ------------------------------------------------- */

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
  up_ctx *c = ud;
  const up_req *r = c->r;
  uint64_t left = r->len - c->pos;
  size_t want = size * nitems;
  if ((uint64_t)want > left)
    want = (size_t)left;
  if (want == 0)
    return 0;
  if (r->mem) {
    memcpy(buf, r->mem + c->pos, want);
  } else if (fread(buf, 1, want, r->file) != want) {
    return CURL_READFUNC_ABORT;
  }
  c->pos += want;
  return want;
}

/* libcurl rewinds the body when it must resend it (a redirect, a 100-continue
 * refusal, a reused connection that had closed). */
static int seek_cb(void *ud, curl_off_t offset, int origin)
{
  up_ctx *c = ud;
  if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > c->r->len)
    return CURL_SEEKFUNC_CANTSEEK;
  c->pos = (uint64_t)offset;
  if (c->r->file && fseeko(c->r->file, (off_t)(c->r->off + c->pos), SEEK_SET) != 0)
    return CURL_SEEKFUNC_FAIL;
  return CURL_SEEKFUNC_OK;
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
  up_ctx *c = ud;
  size_t n = size * nmemb;
  size_t room = UP_MAX_RESPONSE - c->resp_len;
  size_t take = n < room ? n : room; /* a bigger reply is cut, not trusted whole */
  if (take) {
    char *p = realloc(c->resp, c->resp_len + take + 1);
    if (!p)
      return 0;
    c->resp = p;
    memcpy(c->resp + c->resp_len, ptr, take);
    c->resp_len += take;
    c->resp[c->resp_len] = '\0';
  }
  return n;
}

/* Copies an ETag without surrounding quotes or blanks. */
static void set_etag(char *dst, size_t n, const char *v, size_t len)
{
  while (len && (*v == ' ' || *v == '\t' || *v == '"')) {
    v++;
    len--;
  }
  while (len &&
         (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' ' || v[len - 1] == '"'))
    len--;
  if (len >= n)
    len = n - 1;
  size_t o = 0;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)v[i] >= 0x20 && v[i] != 0x7f)
      dst[o++] = v[i];
  dst[o] = '\0';
}

static size_t header_cb(char *buf, size_t size, size_t nitems, void *ud)
{
  up_ctx *c = ud;
  size_t n = size * nitems;
  if (n > 5 && !curl_strnequal(buf, "etag:", 5))
    return n;
  if (n > 5)
    set_etag(c->etag, sizeof c->etag, buf + 5, n - 5);
  return n;
}

static int xferinfo_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  up_ctx *c = ud;
  if (cancelled(c))
    return 1;
  /* libcurl calls this often while it waits for an answer: report changes only. */
  if (c->o->progress && c->r->counts_progress && ulnow >= 0 &&
      c->base_done + (uint64_t)ulnow != c->reported) {
    c->reported = c->base_done + (uint64_t)ulnow;
    c->o->progress(c->o->progress_ud, c->reported, c->size);
  }
  return 0;
}

/* --- one request, with retries ------------------------------------------ */

static int retryable_curl(CURLcode rc)
{
  switch (rc) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_CONNECT:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM: return 1;
  default: return 0;
  }
}

static int retryable_status(long s)
{
  return s >= 500 || s == 429 || s == 408;
}

/* Sleeps in short slices so a cancel is noticed quickly. */
static void backoff_sleep(const up_ctx *c, double secs)
{
  while (secs > 0 && !cancelled(c)) {
    double step = secs < 0.05 ? secs : 0.05;
    struct timespec ts = {0, (long)(step * 1e9)};
    (void)nanosleep(&ts, NULL);
    secs -= step;
  }
}

static CURLcode attempt(up_ctx *c, const up_req *r, struct curl_slist *hdrs, const char *url)
{
  CURL *h = c->curl;
  curl_easy_reset(h); /* keeps the connection cache */
  c->pos = 0;
  c->resp_len = 0;
  if (c->resp)
    c->resp[0] = '\0';
  c->etag[0] = '\0';
  c->errbuf[0] = '\0';
  c->status = 0;
  if (r->file && fseeko(r->file, (off_t)r->off, SEEK_SET) != 0)
    return CURLE_READ_ERROR;
  CURLcode e = CURLE_OK;
#define SET(opt, val)                                                                              \
  do {                                                                                             \
    if (e == CURLE_OK)                                                                             \
      e = curl_easy_setopt(h, opt, val);                                                           \
  } while (0)
  SET(CURLOPT_URL, url);
  SET(CURLOPT_VERBOSE, 0L); /* verbose would print the Authorization header */
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_FOLLOWLOCATION, 0L);
  SET(CURLOPT_PROTOCOLS_STR, "http,https");
  SET(CURLOPT_ERRORBUFFER, c->errbuf);
  SET(CURLOPT_HTTPHEADER, hdrs);
  SET(CURLOPT_CONNECTTIMEOUT, c->o->connect_timeout > 0 ? c->o->connect_timeout : 15L);
  SET(CURLOPT_LOW_SPEED_LIMIT, 1024L);
  SET(CURLOPT_LOW_SPEED_TIME, c->o->low_speed_time > 0 ? c->o->low_speed_time : 60L);
  if (c->o->ca_file)
    SET(CURLOPT_CAINFO, c->o->ca_file);
  if (c->o->limit_rate)
    SET(CURLOPT_MAX_SEND_SPEED_LARGE, (curl_off_t)c->o->limit_rate);
  SET(CURLOPT_WRITEFUNCTION, write_cb);
  SET(CURLOPT_WRITEDATA, c);
  SET(CURLOPT_HEADERFUNCTION, header_cb);
  SET(CURLOPT_HEADERDATA, c);
  SET(CURLOPT_NOPROGRESS, 0L);
  SET(CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
  SET(CURLOPT_XFERINFODATA, c);
  if (c->sigv4) {
    char sig[128];
    (void)snprintf(sig, sizeof sig, "aws:amz:%s:s3", c->o->creds->region);
    SET(CURLOPT_AWS_SIGV4, sig);
    SET(CURLOPT_USERNAME, c->o->creds->access_key);
    SET(CURLOPT_PASSWORD, c->o->creds->secret_key);
  }
  if (!strcmp(r->method, "PUT")) {
    SET(CURLOPT_UPLOAD, 1L);
    SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->len);
    SET(CURLOPT_READFUNCTION, read_cb);
    SET(CURLOPT_READDATA, c);
    SET(CURLOPT_SEEKFUNCTION, seek_cb);
    SET(CURLOPT_SEEKDATA, c);
  } else if (!strcmp(r->method, "POST")) {
    SET(CURLOPT_POST, 1L);
    SET(CURLOPT_POSTFIELDS, r->mem ? r->mem : "");
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
  } else if (!strcmp(r->method, "DELETE")) {
    SET(CURLOPT_CUSTOMREQUEST, "DELETE");
  }
#undef SET
  if (e != CURLE_OK)
    return e;
  e = curl_easy_perform(h);
  if (e == CURLE_OK)
    (void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
  return e;
}

/* Builds the header list of a request; NULL when out of memory. */
static struct curl_slist *build_headers(const up_ctx *c, const up_req *r)
{
  char line[4200];
  struct curl_slist *l = NULL, *t;
#define ADD(...)                                                                                   \
  do {                                                                                             \
    (void)snprintf(line, sizeof line, __VA_ARGS__);                                                \
    if (!(t = curl_slist_append(l, line)))                                                         \
      goto fail;                                                                                   \
    l = t;                                                                                         \
  } while (0)
  /* Our own Host so SigV4 signs host:port as the server sees it. */
  ADD("Host: %s", c->u->hostport);
  if (r->md5_b64)
    ADD("Content-MD5: %s", r->md5_b64);
  if (r->content_type)
    ADD("Content-Type: %s", r->content_type);
  if (c->sigv4) {
    ADD("x-amz-content-sha256: %s", r->sha256_hex ? r->sha256_hex : UP_EMPTY_SHA256);
    if (c->o->creds->session_token[0])
      ADD("x-amz-security-token: %s", c->o->creds->session_token);
    /* A presigned URL signs only what its maker chose: extra x-amz-* headers
     * would be refused there, so metadata goes with SigV4 requests only. */
    if (r->meta_sha256)
      ADD("x-amz-meta-sha256: %s", r->meta_sha256);
    if (r->checksum_sha256)
      ADD("x-amz-checksum-sha256: %s", r->checksum_sha256);
  }
  if (!strcmp(r->method, "POST") && !r->content_type)
    ADD("Content-Type: application/octet-stream");
#undef ADD
  return l;
fail:
  curl_slist_free_all(l);
  return NULL;
}

static int is_auth_code(const char *code)
{
  static const char *const auth[] = {"AccessDenied",
                                     "SignatureDoesNotMatch",
                                     "InvalidAccessKeyId",
                                     "ExpiredToken",
                                     "InvalidToken",
                                     "TokenRefreshRequired",
                                     "AuthorizationHeaderMalformed",
                                     "AuthorizationQueryParametersError",
                                     "RequestTimeTooSkewed",
                                     "InvalidClientTokenId",
                                     "MissingSecurityHeader",
                                     "AllAccessDisabled"};
  for (size_t i = 0; i < sizeof auth / sizeof auth[0]; i++)
    if (!strcmp(code, auth[i]))
      return 1;
  return 0;
}

/* Sends r, retrying network failures and 5xx/429/408 with exponential backoff.
 * CP_OK means a 2xx; otherwise err says why and c->status/c->code keep the
 * server's answer for callers that handle some refusals themselves. */
static cp_err up_request(up_ctx *c, const up_req *r, cp_error *err)
{
  char url[9000];
  const char *target = c->u->request;
  if (r->query) {
    if ((size_t)snprintf(url, sizeof url, "%s?%s", c->u->request, r->query) >= sizeof url)
      return cp_error_set(err, CP_E_INTERNAL, "request URL too long");
    target = url;
  }
  struct curl_slist *hdrs = build_headers(c, r);
  if (!hdrs)
    return cp_error_set(err, CP_E_NOMEM, "request headers");
  int tries = c->o->tries > 0 ? c->o->tries : 4;
  double delay = c->o->retry_delay > 0 ? c->o->retry_delay : 0.5;
  cp_err rc = CP_E_INTERNAL;
  CURLcode e = CURLE_OK;
  c->r = r;
  c->code[0] = '\0';
  for (int i = 1; i <= tries; i++) {
    e = attempt(c, r, hdrs, target);
    c->code[0] = '\0';
    if (e == CURLE_OK && c->status >= 200 && c->status < 300 && r->error_in_200 && c->resp &&
        cp_xml_find(c->resp, c->resp_len, "Error", 0, &(const char *){NULL}, &(size_t){0})) {
      c->status = 500; /* S3 can fail a CompleteMultipartUpload inside a 200 */
    }
    if (e == CURLE_OK && c->status >= 200 && c->status < 300) {
      rc = CP_OK;
      goto out;
    }
    if (e == CURLE_ABORTED_BY_CALLBACK || cancelled(c)) {
      rc = cp_error_set(err, CP_E_INTERRUPTED, "upload stopped; run again to resume");
      goto out;
    }
    if (e == CURLE_READ_ERROR) {
      rc = cp_error_set(err, CP_E_IO, "cannot read the file being uploaded");
      goto out;
    }
    int again = e != CURLE_OK ? retryable_curl(e) : retryable_status(c->status);
    if (!again || i == tries)
      break;
    backoff_sleep(c, delay);
    delay *= 2;
  }
  if (e == CURLE_PEER_FAILED_VERIFICATION || e == CURLE_SSL_CACERT_BADFILE) {
    rc = cp_error_set(err, CP_E_NETWORK,
                      "%s: its TLS certificate is not trusted (%s); for a private CA give "
                      "--cacert FILE",
                      c->u->hostport, c->errbuf[0] ? c->errbuf : curl_easy_strerror(e));
    goto out;
  }
  if (e != CURLE_OK) {
    rc = cp_error_set(err, CP_E_NETWORK, "%s (%s; %d %s)", c->u->hostport,
                      c->errbuf[0] ? c->errbuf : curl_easy_strerror(e), tries,
                      tries == 1 ? "try" : "tries");
    goto out;
  }
  char msg[256] = "";
  if (c->resp) {
    (void)cp_xml_text(c->resp, c->resp_len, "Code", 0, c->code, sizeof c->code);
    (void)cp_xml_text(c->resp, c->resp_len, "Message", 0, msg, sizeof msg);
  }
  const char *code = c->code[0] ? c->code : "no error code";
  cp_err kind =
      (c->status == 401 || c->status == 403 || is_auth_code(c->code)) ? CP_E_AUTH : CP_E_UPLOAD;
  rc = cp_error_set(err, kind, "%s for %s to %s (HTTP %ld%s%.200s)", code, r->what, c->u->redacted,
                    c->status, msg[0] ? ": " : "", msg);
out:
  curl_slist_free_all(hdrs);
  c->r = NULL;
  return rc;
}

/* --- hashing ------------------------------------------------------------ */

typedef struct up_sums {
  char md5_hex[33];
  char md5_b64[32];
  char sha_hex[65];
  char sha_b64[48];
} up_sums;

static void to_hex(const unsigned char *d, size_t n, char *out)
{
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = hex[d[i] >> 4];
    out[2 * i + 1] = hex[d[i] & 15];
  }
  out[2 * n] = '\0';
}

/* MD5 and SHA-256 of f[off, off+len) in one read. */
static cp_err hash_range(FILE *f, uint64_t off, uint64_t len, up_sums *s, cp_error *err)
{
  cp_err rc = CP_E_NOMEM;
  unsigned char *buf = malloc(1 << 20);
  EVP_MD_CTX *md5 = EVP_MD_CTX_new(), *sha = EVP_MD_CTX_new();
  if (!buf || !md5 || !sha || !EVP_DigestInit_ex(md5, EVP_md5(), NULL) ||
      !EVP_DigestInit_ex(sha, EVP_sha256(), NULL)) {
    cp_error_set(err, CP_E_NOMEM, "hashing");
    goto out;
  }
  if (fseeko(f, (off_t)off, SEEK_SET) != 0) {
    rc = cp_error_set(err, CP_E_IO, "cannot read the file being uploaded");
    goto out;
  }
  while (len > 0) {
    size_t want = len < (1u << 20) ? (size_t)len : (1u << 20);
    if (fread(buf, 1, want, f) != want) {
      rc = cp_error_set(err, CP_E_IO, "cannot read the file being uploaded (did it shrink?)");
      goto out;
    }
    if (!EVP_DigestUpdate(md5, buf, want) || !EVP_DigestUpdate(sha, buf, want)) {
      rc = cp_error_set(err, CP_E_INTERNAL, "digest update failed");
      goto out;
    }
    len -= want;
  }
  unsigned char d5[16], d2[32];
  unsigned l5 = 0, l2 = 0;
  if (!EVP_DigestFinal_ex(md5, d5, &l5) || !EVP_DigestFinal_ex(sha, d2, &l2)) {
    rc = cp_error_set(err, CP_E_INTERNAL, "digest failed");
    goto out;
  }
  to_hex(d5, 16, s->md5_hex);
  to_hex(d2, 32, s->sha_hex);
  (void)EVP_EncodeBlock((unsigned char *)s->md5_b64, d5, 16);
  (void)EVP_EncodeBlock((unsigned char *)s->sha_b64, d2, 32);
  rc = CP_OK;
out:
  free(buf);
  EVP_MD_CTX_free(md5);
  EVP_MD_CTX_free(sha);
  return rc;
}

static int is_hex(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
          (s[i] >= 'A' && s[i] <= 'F')))
      return 0;
  return 1;
}

/* The ETag of a PUT is the MD5 of what the server stored (S3 and s3rver):
 * a different one means the bytes changed on the way. */
static cp_err check_etag(const up_ctx *c, const char *what, const char *md5_hex, cp_error *err)
{
  if (!c->etag[0])
    return cp_error_set(err, CP_E_UPLOAD, "the upload server sent no ETag for %s", what);
  if (strlen(c->etag) == 32 && is_hex(c->etag, 32) && strcasecmp(c->etag, md5_hex) != 0)
    return cp_error_set(err, CP_E_UPLOAD,
                        "the upload server stored different bytes for %s (MD5 %s, sent %s)", what,
                        c->etag, md5_hex);
  return CP_OK;
}

/* --- single PUT ----------------------------------------------------------- */

static cp_err put_whole(up_ctx *c, FILE *f, const up_sums *whole, cp_upload_result *out,
                        cp_error *err)
{
  up_req r = {.what = "the upload",
              .method = "PUT",
              .file = f,
              .off = 0,
              .len = c->size,
              .md5_b64 = whole->md5_b64,
              .sha256_hex = whole->sha_hex,
              .content_type = "application/octet-stream",
              .meta_sha256 = whole->sha_hex,
              .checksum_sha256 = whole->sha_b64,
              .counts_progress = 1};
  cp_err rc = up_request(c, &r, err);
  if (rc != CP_OK)
    return rc;
  rc = check_etag(c, "the file", whole->md5_hex, err);
  if (rc != CP_OK)
    return rc;
  (void)snprintf(out->etag, sizeof out->etag, "%s", c->etag);
  out->parts = 0;
  return CP_OK;
}

/* --- multipart ------------------------------------------------------------ */

/* ListParts: keeps in s only the parts the server still has with the same ETag.
 * Returns CP_OK (s updated), CP_E_NOT_FOUND (the upload is gone: start over), or
 * CP_E_PARTIAL when the server does not offer ListParts (trust the state file). */
static cp_err list_parts(up_ctx *c, cp_upload_state *s, cp_error *err)
{
  char id[3100], q[3300];
  if (!cp_s3_uri_encode(s->upload_id, 0, id, sizeof id))
    return cp_error_set(err, CP_E_UPLOAD, "upload id too long");
  char(*seen)[80] = calloc(s->nparts, sizeof *seen);
  if (!seen)
    return cp_error_set(err, CP_E_NOMEM, "part list");
  cp_err rc = CP_OK;
  unsigned marker = 0;
  for (int page = 0; page < 12; page++) {
    if (marker)
      (void)snprintf(q, sizeof q, "part-number-marker=%u&uploadId=%s", marker, id);
    else
      (void)snprintf(q, sizeof q, "uploadId=%s", id);
    up_req r = {.what = "the list of uploaded parts", .method = "GET", .query = q};
    rc = up_request(c, &r, err);
    if (rc != CP_OK) {
      if (!strcmp(c->code, "NoSuchUpload") || c->status == 404)
        rc = CP_E_NOT_FOUND;
      else if (c->status == 405 || c->status == 501 || !strcmp(c->code, "NotImplemented") ||
               !strcmp(c->code, "MethodNotAllowed"))
        rc = CP_E_PARTIAL;
      goto out;
    }
    char num[16], etag[128];
    for (size_t i = 0; i < 1000; i++) {
      const char *blk;
      size_t bl;
      if (!cp_xml_find(c->resp, c->resp_len, "Part", i, &blk, &bl))
        break;
      if (!cp_xml_text(blk, bl, "PartNumber", 0, num, sizeof num) ||
          !cp_xml_text(blk, bl, "ETag", 0, etag, sizeof etag))
        continue;
      unsigned long n = strtoul(num, NULL, 10);
      if (n >= 1 && n <= s->nparts)
        set_etag(seen[n - 1], sizeof seen[0], etag, strlen(etag));
    }
    char trunc[16] = "", next[16] = "";
    (void)cp_xml_text(c->resp, c->resp_len, "IsTruncated", 0, trunc, sizeof trunc);
    (void)cp_xml_text(c->resp, c->resp_len, "NextPartNumberMarker", 0, next, sizeof next);
    unsigned long nm = strtoul(next, NULL, 10);
    if (strcmp(trunc, "true") != 0 || nm <= marker || nm > s->nparts)
      break;
    marker = (unsigned)nm;
  }
  for (unsigned i = 0; i < s->nparts; i++)
    if (s->etags[i][0] && strcmp(s->etags[i], seen[i]) != 0)
      s->etags[i][0] = '\0';
out:
  free(seen);
  return rc;
}

static cp_err create_upload(up_ctx *c, const up_sums *whole, char *id, size_t n, cp_error *err)
{
  up_req r = {.what = "the start of the multipart upload",
              .method = "POST",
              .query = "uploads=",
              .len = 0,
              .content_type = "application/octet-stream",
              .meta_sha256 = whole->sha_hex};
  cp_err rc = up_request(c, &r, err);
  if (rc != CP_OK)
    return rc;
  if (!c->resp || !cp_xml_text(c->resp, c->resp_len, "UploadId", 0, id, n) || !id[0])
    return cp_error_set(err, CP_E_UPLOAD, "the upload server sent no UploadId");
  return CP_OK;
}

static cp_err put_part(up_ctx *c, FILE *f, cp_upload_state *s, unsigned idx, cp_error *err)
{
  uint64_t off = (uint64_t)idx * s->part_size;
  uint64_t len = s->size - off < s->part_size ? s->size - off : s->part_size;
  up_sums ps;
  cp_err rc = hash_range(f, off, len, &ps, err);
  if (rc != CP_OK)
    return rc;
  char id[3100], q[3300], what[32];
  if (!cp_s3_uri_encode(s->upload_id, 0, id, sizeof id))
    return cp_error_set(err, CP_E_UPLOAD, "upload id too long");
  (void)snprintf(q, sizeof q, "partNumber=%u&uploadId=%s", idx + 1, id);
  (void)snprintf(what, sizeof what, "part %u", idx + 1);
  up_req r = {.what = what,
              .method = "PUT",
              .query = q,
              .file = f,
              .off = off,
              .len = len,
              .md5_b64 = ps.md5_b64,
              .sha256_hex = ps.sha_hex,
              .counts_progress = 1};
  rc = up_request(c, &r, err);
  if (rc != CP_OK)
    return rc;
  rc = check_etag(c, what, ps.md5_hex, err);
  if (rc != CP_OK)
    return rc;
  size_t el = strlen(c->etag);
  if (el >= sizeof s->etags[idx])
    return cp_error_set(err, CP_E_UPLOAD, "the upload server's ETag for %s is too long", what);
  memcpy(s->etags[idx], c->etag, el + 1);
  return CP_OK;
}

static cp_err complete_upload(up_ctx *c, const cp_upload_state *s, const up_sums *whole,
                              cp_upload_result *out, cp_error *err)
{
  size_t cap = 128 + (size_t)s->nparts * 160;
  char *xml = malloc(cap);
  if (!xml)
    return cp_error_set(err, CP_E_NOMEM, "completion request");
  size_t o = (size_t)snprintf(xml, cap, "<CompleteMultipartUpload>");
  for (unsigned i = 0; i < s->nparts; i++)
    o += (size_t)snprintf(xml + o, cap - o,
                          "<Part><PartNumber>%u</PartNumber><ETag>&quot;%s&quot;</ETag></Part>",
                          i + 1, s->etags[i]);
  o += (size_t)snprintf(xml + o, cap - o, "</CompleteMultipartUpload>");
  up_sums bs;
  cp_err rc = CP_E_INTERNAL;
  /* Hash the body for x-amz-content-sha256 through a memory stream. */
  EVP_MD_CTX *sha = EVP_MD_CTX_new();
  unsigned char d[32];
  unsigned dl = 0;
  if (!sha || !EVP_DigestInit_ex(sha, EVP_sha256(), NULL) || !EVP_DigestUpdate(sha, xml, o) ||
      !EVP_DigestFinal_ex(sha, d, &dl)) {
    EVP_MD_CTX_free(sha);
    free(xml);
    return cp_error_set(err, CP_E_INTERNAL, "digest failed");
  }
  EVP_MD_CTX_free(sha);
  to_hex(d, 32, bs.sha_hex);
  char id[3100], q[3300];
  if (!cp_s3_uri_encode(s->upload_id, 0, id, sizeof id)) {
    free(xml);
    return cp_error_set(err, CP_E_UPLOAD, "upload id too long");
  }
  (void)snprintf(q, sizeof q, "uploadId=%s", id);
  up_req r = {.what = "the completion of the multipart upload",
              .method = "POST",
              .query = q,
              .mem = xml,
              .len = o,
              .sha256_hex = bs.sha_hex,
              .content_type = "application/xml",
              .error_in_200 = 1};
  rc = up_request(c, &r, err);
  free(xml);
  if (rc != CP_OK)
    return rc;
  char etag[128] = "";
  if (c->resp)
    (void)cp_xml_text(c->resp, c->resp_len, "ETag", 0, etag, sizeof etag);
  set_etag(out->etag, sizeof out->etag, etag, strlen(etag));
  if (!out->etag[0])
    return cp_error_set(err, CP_E_UPLOAD, "the upload server sent no ETag for the whole object");
  /* S3 gives MD5(part MD5s)-N; some servers (s3rver) the whole file's MD5. */
  char expect[48];
  const char *dash = strchr(out->etag, '-');
  if (dash && dash - out->etag == 32 && is_hex(out->etag, 32)) {
    if (cp_upload_multipart_etag((const char(*)[80])s->etags, s->nparts, expect, sizeof expect) &&
        strcasecmp(expect, out->etag) != 0)
      return cp_error_set(err, CP_E_UPLOAD,
                          "the assembled object's checksum %s differs from ours %s", out->etag,
                          expect);
  } else if (strlen(out->etag) == 32 && is_hex(out->etag, 32) &&
             strcasecmp(out->etag, whole->md5_hex) != 0) {
    return cp_error_set(err, CP_E_UPLOAD, "the assembled object's MD5 %s differs from ours %s",
                        out->etag, whole->md5_hex);
  }
  out->parts = s->nparts;
  return CP_OK;
}

/* Best effort: frees the parts of an upload we abandon (its file changed). */
static void abort_upload(up_ctx *c, const char *upload_id)
{
  char id[3100], q[3300];
  cp_error ignored;
  if (!cp_s3_uri_encode(upload_id, 0, id, sizeof id))
    return;
  (void)snprintf(q, sizeof q, "uploadId=%s", id);
  up_req r = {.what = "the abort of an old upload", .method = "DELETE", .query = q};
  (void)up_request(c, &r, &ignored);
}

static cp_err put_multipart(up_ctx *c, FILE *f, const char *path, uint64_t part_size,
                            const up_sums *whole, cp_upload_result *out, cp_error *err)
{
  char state_path[4200];
  if ((size_t)snprintf(state_path, sizeof state_path, "%s.upload-state", path) >= sizeof state_path)
    return cp_error_set(err, CP_E_IO, "path too long: %s", path);
  cp_upload_state s;
  cp_error lerr;
  cp_err rc = cp_upload_state_load(state_path, &s, &lerr);
  int have = rc == CP_OK;
  if (have && (strcmp(s.url, c->u->redacted) != 0 || s.size != c->size ||
               strcmp(s.sha256, whole->sha_hex) != 0 || s.part_size < 5 * MIB)) {
    /* Another file or target: that upload cannot be continued. */
    if (!strcmp(s.url, c->u->redacted))
      abort_upload(c, s.upload_id);
    cp_upload_state_free(&s);
    have = 0;
  }
  if (have) {
    rc = list_parts(c, &s, err);
    if (rc == CP_E_NOT_FOUND) {
      cp_upload_state_free(&s);
      have = 0;
    } else if (rc != CP_OK && rc != CP_E_PARTIAL) {
      cp_upload_state_free(&s);
      return rc;
    }
  }
  if (!have) {
    char id[1024];
    rc = create_upload(c, whole, id, sizeof id, err);
    if (rc != CP_OK)
      return rc;
    rc = cp_upload_state_init(&s, c->u->redacted, id, whole->sha_hex, c->size, part_size, err);
    if (rc != CP_OK)
      return rc;
    rc = cp_upload_state_save(state_path, &s, err);
    if (rc != CP_OK)
      goto out;
  }
  out->parts_resumed = cp_upload_state_done(&s);
  c->base_done = 0;
  for (unsigned i = 0; i < s.nparts; i++)
    if (s.etags[i][0])
      c->base_done +=
          (uint64_t)i + 1 == s.nparts ? s.size - (uint64_t)i * s.part_size : s.part_size;
  for (unsigned i = 0; i < s.nparts; i++) {
    if (s.etags[i][0])
      continue;
    rc = put_part(c, f, &s, i, err);
    if (rc != CP_OK)
      goto gone;
    rc = cp_upload_state_save(state_path, &s, err);
    if (rc != CP_OK)
      goto out;
    c->base_done += (uint64_t)i + 1 == s.nparts ? s.size - (uint64_t)i * s.part_size : s.part_size;
    if (c->o->progress)
      c->o->progress(c->o->progress_ud, c->base_done, c->size);
  }
  rc = complete_upload(c, &s, whole, out, err);
gone:
  if (rc != CP_OK && !strcmp(c->code, "NoSuchUpload")) {
    /* The server dropped the upload (expired or aborted): the state is useless. */
    (void)remove(state_path);
    cp_error_set(err, CP_E_UPLOAD,
                 "the upload server no longer knows this multipart upload (it expired or was "
                 "aborted); run again to start over");
  }
  if (rc == CP_OK)
    (void)remove(state_path);
out:
  cp_upload_state_free(&s);
  return rc;
}

/* --- entry point ---------------------------------------------------------- */

static const char *base_name(const char *path)
{
  const char *b = strrchr(path, '/');
#ifdef _WIN32
  const char *b2 = strrchr(path, '\\');
  if (b2 && (!b || b2 > b))
    b = b2;
#endif
  return b ? b + 1 : path;
}

cp_err cp_upload_file(const char *path, const cp_upload_opts *opts, cp_upload_result *out,
                      cp_error *err)
{
  memset(out, 0, sizeof *out);
  cp_s3_url *u = calloc(1, sizeof *u);
  up_ctx c = {0};
  FILE *f = NULL;
  int curl_inited = 0;
  cp_err rc = CP_E_NOMEM;
  if (!u) {
    cp_error_set(err, CP_E_NOMEM, "upload");
    goto out;
  }
  rc = cp_s3_url_parse(opts->url, base_name(path), u, err);
  if (rc != CP_OK)
    goto out;
  int have_creds = opts->creds && opts->creds->access_key[0];
  if (!u->presigned && !have_creds) {
    rc = cp_error_set(err, CP_E_AUTH,
                      "no credentials for %s: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                      "give --credentials FILE, or use a presigned URL",
                      u->redacted);
    goto out;
  }
  f = fopen(path, "rb");
  struct stat st;
  if (!f) {
    rc = cp_error_set(err, errno == ENOENT ? CP_E_NOT_FOUND : CP_E_IO, "%s", path);
    goto out;
  }
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    rc = cp_error_set(err, CP_E_IO, "%s is not a regular file", path);
    goto out;
  }
  c.size = (uint64_t)st.st_size;
  c.o = opts;
  c.u = u;
  c.sigv4 = !u->presigned;
  uint64_t part_size = opts->part_size ? opts->part_size : 8 * MIB;
  if (part_size < 5 * MIB || part_size > 5120 * MIB) {
    rc = cp_error_set(err, CP_E_USAGE, "the part size must be between 5 MiB and 5 GiB");
    goto out;
  }
  if (cp_upload_nparts(c.size, part_size) > 10000) /* S3's limit: grow the parts */
    part_size = ((c.size + 9999) / 10000 + MIB - 1) / MIB * MIB;
  if (u->presigned && c.size > 5120 * MIB) {
    rc = cp_error_set(err, CP_E_USAGE, "a presigned URL takes one PUT, at most 5 GiB");
    goto out;
  }

  up_sums whole;
  rc = hash_range(f, 0, c.size, &whole, err);
  if (rc != CP_OK)
    goto out;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    rc = cp_error_set(err, CP_E_INTERNAL, "libcurl initialisation failed");
    goto out;
  }
  curl_inited = 1;
  c.curl = curl_easy_init();
  if (!c.curl) {
    rc = cp_error_set(err, CP_E_NOMEM, "libcurl handle");
    goto out;
  }
  if (opts->progress)
    opts->progress(opts->progress_ud, 0, c.size);
  if (u->presigned || c.size <= part_size)
    rc = put_whole(&c, f, &whole, out, err);
  else
    rc = put_multipart(&c, f, path, part_size, &whole, out, err);
  if (rc != CP_OK)
    goto out;
  (void)snprintf(out->url, sizeof out->url, "%s", u->redacted);
  memcpy(out->sha256, whole.sha_hex, sizeof out->sha256);
  out->size = c.size;
  if ((size_t)snprintf(out->receipt, sizeof out->receipt, "%s.receipt.json", path) >=
      sizeof out->receipt) {
    rc = cp_error_set(err, CP_E_IO, "path too long: %s", path);
    goto out;
  }
  rc = cp_upload_receipt_write(out->receipt, out, (long long)time(NULL), err);
out:
  if (c.curl)
    curl_easy_cleanup(c.curl);
  if (curl_inited)
    curl_global_cleanup();
  free(c.resp);
  if (f)
    (void)fclose(f); /* the bundle, read only */
  free(u);
  return rc;
}
