/*
 * The collect pipeline: one device -> consented probes -> redact sink ->
 * bundle sink -> a finished, verified bundle at its final path (or nothing).
 * Used by `caseprobe collect`, `caseprobe demo` and station mode (one call per
 * device, in its own thread: nothing here is global).
 *
 * Consent is decided by the caller (prompt, flags or station policy) and
 * passed in: a probe whose scope is not in `scopes_granted` is never run, so
 * its service is never opened.
 */
#ifndef CP_COLLECT_H
#define CP_COLLECT_H

#include <jansson.h>
#include <stdint.h>

#include "cp_err.h"

/* Events for station mode and progress: type is "attached", "trust_pending",
 * "locked", "collecting", "bundle_ready", "failed", ...; `fields` is borrowed
 * (the callback must json_incref what it keeps). */
typedef void (*cp_collect_event_fn)(void *ctx, const char *type, json_t *fields);

typedef struct cp_collect_opts {
  const char *udid;                   /* NULL: the only attached device */
  const char *case_id;                /* required, sanitized for the file name */
  const char *out_dir;                /* folder for the bundle ("." if NULL) */
  const char *const *scopes_granted;  /* NULL-terminated scope names */
  const char *const *scopes_refused;  /* NULL-terminated, recorded in consent.json */
  const char *consent_how;            /* "prompt" | "flag" | "policy" | "page" */
  const char *consent_text;           /* the exact text shown or signed (hashed) */
  const char *consent_lang;           /* language of consent_text ("en"|"zh-Hans"), NULL = unknown */
  const json_t *redact_policy;        /* NULL: default classes */
  const char *sign_key;               /* PEM Ed25519 private key, or NULL */
  int syslog_seconds;                 /* 0: default (5 s) */
  int sysdiagnose_seconds;            /* 0: default (600 s) wait for the archive */
  uint64_t syslog_max_bytes;          /* 0: no byte cap (the seconds bound the capture) */
  int report_copy;                    /* 1: also <bundle stem>.report.html beside it */
  int wait_trust_seconds;             /* 0: fail at once when trust is pending */
  int timeout_ms;                     /* per-request device timeout, 0: default */
  volatile int *cancel;               /* set non-zero to stop (signal) */
  int progress_bar;                   /* draw a bar on stderr when a terminal */
  cp_collect_event_fn event;          /* optional */
  void *event_ctx;
} cp_collect_opts;

typedef struct cp_collect_result {
  char *bundle_path;    /* final path, set only on success or CP_E_PARTIAL */
  uint64_t size;
  char sha256[65];      /* of the whole bundle file */
  json_t *probes;       /* {"battery": {"status": "ok"}, "syslog": {"status": "failed", ...}} */
  char udid[128];       /* the device collected */
  json_t *findings;     /* the report's findings (redacted): battery, crashes, ... */
} cp_collect_result;

/* Runs the whole pipeline. Returns CP_OK, CP_E_PARTIAL (bundle written, some
 * probes failed: see result->probes), or an error with no bundle left behind. */
cp_err cp_collect_run(const cp_collect_opts *o, cp_collect_result *r, cp_error *err);

void cp_collect_result_free(cp_collect_result *r);

#endif
