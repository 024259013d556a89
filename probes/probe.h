/*
 * cp_probe: one kind of thing read from a device. A probe reads through the
 * device session (device.h) and hands members to a sink (formats/sink.h); it
 * never touches the archive, the terminal or the consent prompt.
 *
 * Consent is enforced by the caller before run() is called: a probe whose
 * scope was not granted is never run, so it never opens its service.
 */
#ifndef CP_PROBE_H
#define CP_PROBE_H

#include "cp_err.h"
#include "sink.h"

#include <jansson.h>
#include <stdint.h>

typedef struct cp_device cp_device; /* probes/device.h */

/* Options a caller may pass to every probe; each probe reads what it needs. */
typedef struct cp_probe_opts {
  int64_t since;             /* crashlogs: only reports at or after this Unix time (0 = all) */
  const char *process;       /* crashlogs: only this process name (NULL = all) */
  const char *type;          /* crashlogs: only this bug type name or number (NULL = all) */
  int syslog_seconds;        /* syslog: capture length (0 = probe default) */
  uint64_t syslog_max_bytes; /* syslog: stop after this many bytes (0 = no cap) */
  int timeout_ms;            /* per-request device timeout (0 = default) */
  volatile int *cancel;      /* set non-zero to stop early (signal, station shutdown) */
  int sysdiagnose_seconds;   /* sysdiagnose: wait this long for the archive (0 = 600) */
  /* sysdiagnose: the person must act ("press", elapsed 0), is being waited
   * for ("waiting", every 10 s), or the archive was found ("found"); the
   * agent words it. May be NULL. */
  void (*notice)(void *ctx, const char *probe, const char *what, int elapsed_s, int limit_s);
  void *notice_ctx;
} cp_probe_opts;

typedef struct cp_probe {
  const char *name;  /* "battery": unique, used on the command line */
  const char *scope; /* consent scope: system, battery, crashes, syslog, apps, storage,
                        sysdiagnose */
  /* Reads from dev, writes members under the probe's own folder of the sink,
   * and sets *summary (a new JSON object, or NULL) with the figures the
   * manifest and report.html show. Returns CP_OK or a cp_err with err set. */
  cp_err (*run)(cp_device *dev, cp_sink *sink, const cp_probe_opts *opts, json_t **summary,
                cp_error *err);
} cp_probe;

#endif
