/*
 * The station's human log: syslog(3) when it runs as a service (no terminal
 * on stderr, or --syslog), so journald or the macOS log picks it up with a
 * priority; otherwise "caseprobe station: ..." lines on stderr. Events for
 * machines go to events.h instead; this is for the person reading the log.
 */
#ifndef CP_STATION_LOG_H
#define CP_STATION_LOG_H

#include <syslog.h>

/* use_syslog: 1 forces syslog, 0 stderr, -1 decides by isatty(stderr). */
void cp_slog_open(int use_syslog);
void cp_slog_close(void);

/* 1 when messages go to syslog. */
int cp_slog_is_syslog(void);

/* prio is LOG_ERR, LOG_WARNING, LOG_NOTICE or LOG_INFO. Thread-safe. */
void cp_slog(int prio, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
