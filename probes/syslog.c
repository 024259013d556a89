/* The syslog probe (scope syslog): syslog/syslog.txt, a capture bounded by
 * the limits the consent or station policy sets (seconds, and bytes when
 * given; no fixed cap of our own), streamed into the sink as it arrives, so
 * memory stays flat whatever the log's size. The relay sends each line as
 * "line\n\0"; the NULs are dropped so the member is plain text. Only whole
 * lines are written: a capture cut by a limit never ends in half a line,
 * and the summary says whether and why it was cut: "why" is seconds_limit
 * (the window asked for, not a cut), bytes_limit or cancelled (a cut:
 * "truncated" true). */
#include "device.h"
#include "probe.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CP_SYSLOG_DEFAULT_SECONDS 5
#define CP_SYSLOG_CHUNK 65536u
/* A line longer than this (none is, on a device) is written in pieces. */
#define CP_SYSLOG_MAX_LINE 65536u

static double mono(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct capture {
  cp_sink *sink;
  uint64_t cap; /* 0: none */
  uint64_t bytes, lines;
  char *carry; /* the line in progress (no '\n' yet) */
  size_t carry_len;
  int full; /* the byte limit was reached */
} capture;

static cp_err put(capture *c, const char *p, size_t n, cp_error *err)
{
  if (!n)
    return CP_OK;
  for (size_t i = 0; i < n; i++)
    c->lines += p[i] == '\n';
  c->bytes += n;
  return cp_sink_write(c->sink, p, n, err);
}

/* Writes whole lines of p[0..n) (every byte of it ends a line) within the
 * byte limit; sets c->full when a line did not fit. */
static cp_err put_lines(capture *c, const char *p, size_t n, cp_error *err)
{
  if (c->cap && c->bytes + n > c->cap) {
    size_t room = (size_t)(c->cap - c->bytes), k = room;
    while (k > 0 && p[k - 1] != '\n')
      k--;
    c->full = 1;
    n = k;
  }
  return put(c, p, n, err);
}

/* Feeds k bytes (NULs already dropped): complete lines go out, the rest
 * waits in carry for its '\n'. */
static cp_err feed(capture *c, const char *b, size_t k, cp_error *err)
{
  const char *nl = k ? memchr(b, '\n', k) : NULL;
  if (!nl) {
    if (c->carry_len + k > CP_SYSLOG_MAX_LINE) { /* a monster line: out in pieces */
      if (c->cap && c->bytes + c->carry_len + k > c->cap) {
        c->full = 1; /* the limit falls inside it: none of it */
        return CP_OK;
      }
      cp_err rc = put(c, c->carry, c->carry_len, err);
      c->carry_len = 0;
      return rc == CP_OK ? put(c, b, k, err) : rc;
    }
    memcpy(c->carry + c->carry_len, b, k);
    c->carry_len += k;
    return CP_OK;
  }
  /* the first line completes the carried one: both or neither */
  size_t first = (size_t)(nl - b) + 1;
  if (c->cap && c->bytes + c->carry_len + first > c->cap) {
    c->full = 1;
    return CP_OK;
  }
  cp_err rc = put(c, c->carry, c->carry_len, err);
  c->carry_len = 0;
  if (rc == CP_OK)
    rc = put(c, b, first, err);
  b += first;
  k -= first;
  size_t last = k;
  while (last > 0 && b[last - 1] != '\n')
    last--;
  if (rc == CP_OK)
    rc = put_lines(c, b, last, err);
  if (rc == CP_OK && !c->full) {
    memcpy(c->carry, b + last, k - last);
    c->carry_len = k - last;
  }
  return rc;
}

static cp_err run(cp_device *dev, cp_sink *sink, const cp_probe_opts *opts, json_t **summary,
                  cp_error *err)
{
  cp_syslog *s = NULL;
  char *buf = NULL;
  int open_member = 0;
  capture c;
  memset(&c, 0, sizeof c);
  c.sink = sink;
  int seconds = opts && opts->syslog_seconds > 0 ? opts->syslog_seconds : CP_SYSLOG_DEFAULT_SECONDS;
  c.cap = opts ? opts->syslog_max_bytes : 0;
  const char *why = "seconds_limit";
  *summary = NULL;
  cp_err rc = cp_syslog_open(dev, &s, err);
  if (rc != CP_OK)
    goto out;
  buf = malloc(CP_SYSLOG_CHUNK);
  c.carry = malloc(CP_SYSLOG_MAX_LINE);
  if (!buf || !c.carry) {
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
      why = "cancelled";
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
      if (buf[i] != '\0')
        buf[k++] = buf[i];
    }
    rc = feed(&c, buf, k, err);
    if (c.full) {
      why = "bytes_limit";
      break;
    }
  }
  /* a line still in carry was cut by the limit: it stays out */
  if (rc == CP_OK) {
    open_member = 0;
    rc = cp_sink_end(sink, 1, err);
  }
  if (rc == CP_OK)
    *summary = json_pack("{s:I, s:I, s:i, s:I, s:b, s:s}", "bytes", (json_int_t)c.bytes, "lines",
                         (json_int_t)c.lines, "seconds", seconds, "max_bytes", (json_int_t)c.cap,
                         "truncated", strcmp(why, "seconds_limit") != 0, "why", why);
out:
  if (open_member) {
    cp_error ignored;
    (void)cp_sink_end(sink, 0, &ignored);
  }
  free(buf);
  free(c.carry);
  cp_syslog_close(s);
  return rc;
}

const cp_probe cp_probe_syslog = {"syslog", "syslog", run};
