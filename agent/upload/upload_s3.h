/*
 * upload_s3: the pure parts of the upload engine (no network), kept apart so
 * unit tests can reach them: S3 URL parsing and encoding, a bounded XML field
 * extractor for S3 replies, the resume state file and the receipt.
 */
#ifndef CP_UPLOAD_S3_H
#define CP_UPLOAD_S3_H

#include "cp_err.h"
#include "upload.h"

#include <stddef.h>
#include <stdint.h>

/* An S3 object URL taken apart. Path-style only: /bucket/key. */
typedef struct cp_s3_url {
  int https;
  int presigned;      /* the query carries X-Amz-Signature or Signature */
  char hostport[300]; /* for the Host header: host or host:port as written */
  char bucket[64];
  char key[1024];      /* decoded */
  char path[3400];     /* canonical (RFC 3986 encoded) "/bucket/key" */
  char request[8192];  /* what is requested: scheme://hostport + path (+ presigned query) */
  char redacted[3800]; /* scheme://hostport + path, safe to print */
} cp_s3_url;

/* Parses `url`; when it ends in '/', `default_key` (the file's name) is appended.
 * Refuses user:password@, other schemes, missing bucket or key (CP_E_USAGE). A
 * presigned URL's path and query are kept byte for byte: they are signed. */
cp_err cp_s3_url_parse(const char *url, const char *default_key, cp_s3_url *u, cp_error *err);

/* RFC 3986 encoding as SigV4 wants it (unreserved kept, %XX upper case);
 * '/' kept when keep_slash. Returns 0 when out is too small. */
int cp_s3_uri_encode(const char *in, int keep_slash, char *out, size_t n);

/* Finds the nth (0-based) <tag>...</tag> in xml[0..len) and returns its inner
 * text range; nesting is not followed, which is enough for S3 replies. */
int cp_xml_find(const char *xml, size_t len, const char *tag, size_t nth, const char **start,
                size_t *inner_len);

/* Copies the nth <tag> text into out, entity-decoded (&amp; &lt; &gt; &quot;
 * &apos; and &#34;-style numbers below 128), control characters dropped.
 * Returns 1 when found and it fitted, else 0 (out is then ""). */
int cp_xml_text(const char *xml, size_t len, const char *tag, size_t nth, char *out, size_t n);

/* The resume state of a multipart upload, kept in BUNDLE.upload-state. */
typedef struct cp_upload_state {
  char url[3800]; /* the redacted URL: a state for another target is ignored */
  char upload_id[1024];
  char sha256[65]; /* of the whole file: a changed file starts over */
  uint64_t size;
  uint64_t part_size;
  unsigned nparts;   /* number of parts of the whole file */
  char (*etags)[80]; /* nparts entries; "" = not sent yet */
} cp_upload_state;

/* Parts of `size` bytes in `part_size` pieces (the last may be shorter; 0 bytes
 * is one empty part). */
unsigned cp_upload_nparts(uint64_t size, uint64_t part_size);

/* Sets up an empty state (allocates etags); cp_upload_state_free releases it. */
cp_err cp_upload_state_init(cp_upload_state *s, const char *url, const char *upload_id,
                            const char *sha256, uint64_t size, uint64_t part_size, cp_error *err);
void cp_upload_state_free(cp_upload_state *s);
unsigned cp_upload_state_done(const cp_upload_state *s);

/* Loads a state file: CP_E_NOT_FOUND when absent, CP_E_PARSE when malformed or
 * inconsistent (part count, sizes, part numbers out of range). */
cp_err cp_upload_state_load(const char *file, cp_upload_state *s, cp_error *err);

/* Writes the state atomically (temporary file, fsync, rename). */
cp_err cp_upload_state_save(const char *file, const cp_upload_state *s, cp_error *err);

/* Writes `text` to `file` atomically (same folder temporary, fsync, rename). */
cp_err cp_upload_write_atomic(const char *file, const char *text, size_t len, cp_error *err);

/* Writes the receipt JSON (url, etag, sha256, size, time, parts) atomically. */
cp_err cp_upload_receipt_write(const char *file, const cp_upload_result *r, long long unix_time,
                               cp_error *err);

/* The final ETag S3 gives a multipart object: hex MD5 of the parts' binary MD5s,
 * "-N". etags are the parts' hex MD5s. Returns 0 when one is not 32 hex digits. */
int cp_upload_multipart_etag(const char (*etags)[80], unsigned nparts, char *out, size_t n);

/* Parses a size: "8388608", "5MiB", "5M" (MiB), "512k"/"512KiB", "1G"/"1GiB".
 * Returns 0 on a malformed or overflowing value. */
int cp_upload_parse_size(const char *s, uint64_t *out);

#endif
