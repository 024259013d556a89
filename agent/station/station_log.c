/* See station_log.h. syslog(3) is thread-safe; for stderr each message is
 * formatted first and written with one fprintf so lines never interleave. */
#include "station_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static int to_syslog;

void cp_slog_open(int use_syslog)
{
  to_syslog = use_syslog < 0 ? !isatty(STDERR_FILENO) : use_syslog;
  if (to_syslog)
    openlog("caseprobe-station", LOG_PID, LOG_DAEMON);
}

void cp_slog_close(void)
{
  if (to_syslog)
    closelog();
}

int cp_slog_is_syslog(void)
{
  return to_syslog;
}

void cp_slog(int prio, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  (void)vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (to_syslog) {
    syslog(prio, "%s", msg);
    return;
  }
  const char *tag = prio <= LOG_ERR ? "error: " : prio == LOG_WARNING ? "warning: " : "";
  fprintf(stderr, "caseprobe station: %s%s\n", tag, msg);
}
