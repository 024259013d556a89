/*
 * Station mode: an unattended bench that collects every device plugged in,
 * in parallel, under a station policy (formats/policy/policy.h), into a spool that
 * never loses a bundle (station_spool.h), with JSON-lines events (events.h).
 * `caseprobe station` (cmd_station.c) is this plus option parsing.
 */
#ifndef CP_STATION_H
#define CP_STATION_H

#include "cp_err.h"

typedef struct cp_station_opts {
  const char *policy_path;
  const char *spool_dir;
  const char *events_path; /* NULL or "-": standard output */
  int once;                /* > 0: exit after this many devices were handled */
  int use_syslog;          /* 1 syslog, 0 stderr, -1 syslog when stderr is no terminal */
} cp_station_opts;

/* Runs until SIGTERM/SIGINT (or --once). Returns CP_OK when every device
 * handled gave a complete bundle (and its upload, when on), CP_E_PARTIAL when
 * some did not, CP_E_INTERRUPTED when a shutdown had to cancel a collection,
 * or the error that kept the station from starting. */
cp_err cp_station_run(const cp_station_opts *o);

#endif
