/*
 * A case request: what a support organisation asks a customer to collect,
 * signed with the organisation's Ed25519 key so a stranger cannot pose as
 * "support" and have a person's diagnostics uploaded to their own bucket.
 * Pure data code: the caller lists the trusted key files and gives the time.
 *
 * The file is a JSON envelope around the exact signed text:
 *
 *   {"format": "caseprobe-case-request", "version": 1,
 *    "payload": "<the request document, as one JSON string>",
 *    "key_sha256": "<fingerprint of the signing public key>",
 *    "signature": "<base64 Ed25519 signature over the payload's UTF-8 bytes>"}
 *
 * and the payload document is
 *
 *   {"case_id": "12345", "org": "Example Support",
 *    "scopes": [{"scope": "battery", "reason": "..."}, ...],
 *    "upload": {"url": "https://.../bucket/key?X-Amz-..."},    (optional)
 *    "created": "2026-12-07T00:00:00Z", "expires": "2026-12-14T00:00:00Z"}
 *
 * The signature covers the payload bytes as written, so nothing needs
 * canonical JSON. A request without "signature" and "key_sha256" is
 * *unsigned*: it may prefill a collection saved to a file, never an upload.
 * The format is documented for people in agent/assist/README.md.
 */
#ifndef CP_CASE_REQUEST_H
#define CP_CASE_REQUEST_H

#include "cp_err.h"

#include <stddef.h>
#include <time.h>

#define CP_REQUEST_MAX_BYTES (64u * 1024u) /* a request is a few hundred bytes */
#define CP_REQUEST_MAX_SCOPES 16

typedef struct cp_request_scope {
  char *scope;  /* scope name as the agent knows it ("battery"); not checked here */
  char *reason; /* the organisation's words, shown to the person */
} cp_request_scope;

typedef struct cp_case_request {
  char *case_id;
  char *org;
  char *upload_url; /* NULL when the request names no upload target */
  time_t created;   /* 0 when absent */
  time_t expires;
  size_t nscopes;
  cp_request_scope scopes[CP_REQUEST_MAX_SCOPES];
  int is_signed;       /* 1: signature present and verified against a trusted key */
  char key_sha256[65]; /* the verifying key's fingerprint ("" when unsigned) */
  char *payload;       /* the signed text */
} cp_case_request;

/*
 * Parses and checks a request file's bytes:
 *  - malformed JSON, missing or wrong fields, control characters in a text,
 *    more than CP_REQUEST_MAX_SCOPES scopes -> CP_E_REQUEST;
 *  - signed, but the signature does not verify (tampered), or no key among
 *    key_paths has the fingerprint named (unknown key) -> CP_E_REQUEST;
 *  - past `expires` at time `now` -> CP_E_REQUEST_EXPIRED (checked after the
 *    signature, so an expired forgery is reported as the forgery).
 * key_paths: NULL-terminated list of PEM public (or private) key files; a
 * file that is not a usable key is skipped. On success *out is filled
 * (free with cp_case_request_free); on failure it is left empty.
 */
cp_err cp_case_request_load(const char *buf, size_t len, const char *const *key_paths, time_t now,
                            cp_case_request *out, cp_error *err);

void cp_case_request_free(cp_case_request *r);

/*
 * Makes a signed request file's text from a payload document: serialises
 * the payload (compact, keys in insertion order), signs its bytes with the
 * Ed25519 private key in key_path and wraps both. *text_out is malloc'd.
 */
cp_err cp_case_request_sign(const char *payload_text, const char *key_path, char **text_out,
                            cp_error *err);

/* Makes a new Ed25519 key pair for an organisation: the private key (PKCS#8
 * PEM) at priv_path, created mode 0600 and never overwritten (CP_E_EXISTS),
 * and the public key (PEM) at pub_path, the file customers install in their
 * keys folder. key_sha256 (may be NULL) gets the key's fingerprint. */
cp_err cp_request_keygen(const char *priv_path, const char *pub_path, char key_sha256[65],
                         cp_error *err);

/* Parses "2026-12-07T00:00:00Z" (UTC, seconds, literal Z). -1 when not that. */
time_t cp_request_parse_time(const char *s);

#endif
