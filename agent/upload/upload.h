/*
 * upload: sends one file (a bundle) to S3-compatible object storage, the way
 * support systems receive case attachments. Used by `caseprobe upload` and by
 * station mode for its spool, so everything a caller needs is here.
 *
 * Two ways in:
 *  - a presigned URL (its query carries X-Amz-Signature): one PUT of the whole
 *    file, no credentials;
 *  - SigV4 credentials and a path-style URL http(s)://host[:port]/bucket/key
 *    (key = the file's name when the URL ends in '/'): one PUT up to the part
 *    size, else a multipart upload that survives interruptions. Its progress is
 *    kept in PATH.upload-state (written atomically after every part), so running
 *    again resends only the parts that did not finish.
 *
 * Integrity: Content-MD5 on every PUT, x-amz-content-sha256 (the payload hash
 * SigV4 servers verify) per request, the whole file's SHA-256 as x-amz-meta-sha256,
 * and the ETags returned are compared with our own MD5s. On success a receipt
 * PATH.receipt.json is written atomically.
 *
 * Secrets (the secret key, the session token, a presigned query) never appear in
 * a message, the receipt, the state file or out->url: URLs are printed redacted.
 *
 * Limits: path-style URLs only (S3 still serves them; MinIO, Ceph and s3rver
 * prefer them). A presigned PUT gets Content-Type application/octet-stream and
 * Content-MD5 but no x-amz-* header (the URL's maker chose what is signed).
 * ETags are compared with MD5s, which holds for S3 without SSE-KMS/SSE-C and
 * for the S3-compatible servers we know; a KMS-encrypted bucket would fail
 * the check. When the server offers no ListParts, resuming trusts the state.
 */
#ifndef CP_UPLOAD_H
#define CP_UPLOAD_H

#include "cp_err.h"

#include <signal.h>
#include <stdint.h>

/* SigV4 credentials; empty strings when absent. */
typedef struct cp_upload_creds {
  char access_key[256];
  char secret_key[256];
  char session_token[4096];
  char region[64];
} cp_upload_creds;

/* Called with bytes confirmed plus bytes in flight, and the file's size. */
typedef void (*cp_upload_progress_fn)(void *ud, uint64_t done, uint64_t total);

typedef struct cp_upload_opts {
  const char *url;              /* presigned URL or path-style bucket URL */
  const cp_upload_creds *creds; /* NULL or empty access key: presigned only */
  uint64_t part_size;           /* 0: 8 MiB; at least 5 MiB */
  int tries;                    /* attempts per request; 0: 4 */
  double retry_delay;           /* first backoff in seconds, doubled; 0: 0.5 */
  long connect_timeout;         /* seconds; 0: 15 */
  long low_speed_time;          /* seconds under 1 KB/s before giving up; 0: 60 */
  uint64_t limit_rate;          /* bytes per second, 0: unlimited */
  const char *ca_file;          /* PEM CA bundle for a private CA; NULL: the system's */
  cp_upload_progress_fn progress;
  void *progress_ud;
  const volatile sig_atomic_t *cancel; /* nonzero stops at once (state kept) */
} cp_upload_opts;

typedef struct cp_upload_result {
  char url[3800];  /* the object's URL without any query string */
  char etag[128];  /* as the server returned it, without quotes */
  char sha256[65]; /* hex SHA-256 of the whole file */
  uint64_t size;
  unsigned parts;         /* 0 for a single PUT */
  unsigned parts_resumed; /* parts a previous run had sent and were not resent */
  char receipt[4096];     /* path of the receipt written */
} cp_upload_result;

/* Uploads `path`. Calls curl_global_init/cleanup around the work: with the
 * libcurl of Debian 12 that is thread-safe (CURL_VERSION_THREADSAFE); a program
 * running uploads in several threads should still call curl_global_init once
 * at start so the reference count never drops to zero mid-way. Returns CP_OK, or CP_E_NETWORK
 * (server unreachable after retries), CP_E_AUTH (credentials or presigned URL refused), CP_E_UPLOAD
 * (other refusals; the S3 error Code is in err), CP_E_INTERRUPTED (cancel), CP_E_NOT_FOUND,
 * CP_E_IO, CP_E_USAGE (bad URL). The file is never modified or removed. */
cp_err cp_upload_file(const char *path, const cp_upload_opts *opts, cp_upload_result *out,
                      cp_error *err);

/* Fills `c` from a credentials file (when `file` is not NULL) or else from the
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
 * AWS_REGION or AWS_DEFAULT_REGION). The file holds key=value lines, '#'
 * comments: access_key_id, secret_access_key, session_token, region (the
 * aws_-prefixed names are accepted too). A file readable by other users is
 * refused (CP_E_AUTH); *group_readable is set when its group can read it.
 * Region defaults to us-east-1. No access key found is not an error. */
cp_err cp_upload_load_creds(const char *file, cp_upload_creds *c, int *group_readable,
                            cp_error *err);

/* Copies `url` without its query, fragment and any user:password@ into out. */
void cp_upload_redact_url(const char *url, char *out, size_t n);

#endif
