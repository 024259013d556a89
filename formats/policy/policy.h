/*
 * The station policy: what an unattended bench station may collect and how.
 * A human-edited INI-like file (see packaging/station-policy.example for every
 * key): `[section]` headers, `key = value` lines, full-line `#` or `;`
 * comments, indented lines continuing the previous value (joined with a
 * newline), and "double-quoted" values with \n \t \" \\ escapes.
 *
 * Pure code: the parser takes a buffer, never a path, so it can be fuzzed in
 * memory; relative paths in the policy (case map, signing key) are resolved
 * by the caller against the policy file's folder. Any error is CP_E_POLICY
 * with the line number in the detail.
 */
#ifndef CP_POLICY_H
#define CP_POLICY_H

#include "cp_err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cp_policy {
  /* [consent] */
  char **scopes;      /* NULL-terminated, each a lower-case scope name */
  char *consent_text; /* the text the customer signed at the counter */
  /* [redaction] class = on|off and [patterns] name = regex, as the redactor's
   * JSON policy {"classes": {...}, "patterns": [{"name":..., "regex":...}]};
   * NULL when neither section sets anything (the redactor's defaults). */
  json_t *redact;
  /* [case] */
  char *case_map;      /* serial/UDID -> case id file, or NULL */
  char *case_template; /* fallback, default "BENCH-{date}-{n}" */
  /* [collect] */
  int syslog_seconds;         /* 0: collect's default */
  uint64_t syslog_max_bytes;  /* 0: collect's default cap */
  int timeout_ms;             /* per device request, 0: default */
  int wait_trust_seconds;     /* how long one attempt waits for Trust */
  int device_timeout_seconds; /* whole collection of one device, then cancelled */
  int retries;                /* extra attempts after locked/trust/timeout */
  int retry_delay_seconds;
  /* [station] */
  int max_parallel;
  int shutdown_grace_seconds;
  /* [upload] */
  int upload;       /* 1: upload every bundle after it is made */
  char *upload_url; /* required when upload = yes; no credentials here */
  int upload_retries;
  /* [signing] */
  char *sign_key; /* PEM Ed25519 private key path, or NULL */
} cp_policy;

/* Parses `len` bytes. `name` (the file name, may be NULL) prefixes messages:
 * "station.conf line 12: max_parallel must be ...". On success *out is a new
 * policy for cp_policy_free; on error *out is NULL and err says why. */
cp_err cp_policy_parse(const char *buf, size_t len, const char *name, cp_policy **out,
                       cp_error *err);

void cp_policy_free(cp_policy *p);

#endif
