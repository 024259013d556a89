/* The syslog probe (scope syslog): syslog/syslog.txt, a capture bounded by
 * time and bytes (a device's log never ends by itself). The relay sends each
 * line as "line\n\0"; the NULs are dropped so the member is plain text. */
#include "device.h"
#include "probe.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CP_SYSLOG_DEFAULT_SECONDS 5
#define CP_SYSLOG_DEFAULT_MAX_BYTES (64ull * 1024 * 1024)
#define CP_SYSLOG_CHUNK 65536u

static double mono(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static cp_err run(cp_device *dev, cp_sink *sink, const cp_probe_opts *opts, json_t **summary,
                  cp_error *err)
{
  cp_syslog *s = NULL;
  char *buf = NULL;
  int open_member = 0;
  uint64_t bytes = 0, lines = 0;
  int seconds = opts && opts->syslog_seconds > 0 ? opts->syslog_seconds : CP_SYSLOG_DEFAULT_SECONDS;
  uint64_t cap =
      opts && opts->syslog_max_bytes ? opts->syslog_max_bytes : CP_SYSLOG_DEFAULT_MAX_BYTES;
  int stopped_by = 0; /* 0 time, 1 bytes, 2 cancel */
  *summary = NULL;
  cp_err rc = cp_syslog_open(dev, &s, err);
  if (rc != CP_OK)
    goto out;
  buf = malloc(CP_SYSLOG_CHUNK);
  if (!buf) {
    rc = cp_error_set(err, CP_E_NOMEM, "syslog buffer");
    goto out;
  }
  rc = cp_sink_begin(sink, "syslog/syslog.txt", "syslog", err);
  if (rc != CP_OK)
    goto out;
  open_member = 1;
  double end = mono() + seconds;
  while (rc == CP_OK) {
    double left = end - mono();
    if (left <= 0)
      break;
    if (opts && opts->cancel && *opts->cancel) {
      stopped_by = 2;
      break;
    }
    uint32_t got = 0;
    unsigned wait = left > 0.2 ? 200u : (unsigned)(left * 1000) + 1;
    rc = cp_syslog_read(s, buf, CP_SYSLOG_CHUNK, &got, wait, err);
    if (rc != CP_OK)
      break;
    /* Drop the NUL separators in place. */
    size_t k = 0;
    for (uint32_t i = 0; i < got; i++) {
      if (buf[i] == '\0')
        continue;
      if (buf[i] == '\n')
        lines++;
      buf[k++] = buf[i];
    }
    if (bytes + k > cap) {
      k = (size_t)(cap - bytes);
      stopped_by = 1;
    }
    rc = cp_sink_write(sink, buf, k, err);
    bytes += k;
    if (stopped_by == 1)
      break;
  }
  if (rc == CP_OK) {
    open_member = 0;
    rc = cp_sink_end(sink, 1, err);
  }
  if (rc == CP_OK) {
    static const char *const why[] = {"time", "bytes", "cancelled"};
    *summary = json_pack("{s:I, s:I, s:i, s:s}", "bytes", (json_int_t)bytes, "lines",
                         (json_int_t)lines, "seconds", seconds, "stopped_by", why[stopped_by]);
  }
out:
  if (open_member) {
    cp_error ignored;
    (void)cp_sink_end(sink, 0, &ignored);
  }
  free(buf);
  cp_syslog_close(s);
  return rc;
}

const cp_probe cp_probe_syslog = {"syslog", "syslog", run};
