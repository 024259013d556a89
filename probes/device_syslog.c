/* com.apple.syslog_relay (device_syslog.h): reads the device log as it
 * arrives, bounded by the caller's timeout, over a raw service connection
 * (conn.c), so a relay that asks for TLS costs no fixed handshake sleep. */
#include "device_priv.h"

#include <stdlib.h>
#include <time.h>

#define CP_SYSLOG_SERVICE "com.apple.syslog_relay"

struct cp_syslog {
  cp_device *dev;
  cp_conn *conn;
  int closed; /* the device ended the stream while still attached */
};

cp_err cp_syslog_open(cp_device *d, cp_syslog **out, cp_error *err)
{
  *out = NULL;
  cp_syslog *s = calloc(1, sizeof *s);
  if (!s)
    return cp_error_set(err, CP_E_NOMEM, "syslog client");
  s->dev = d;
  cp_err rc = cp_conn_open(d, CP_SYSLOG_SERVICE, &s->conn, err);
  if (rc != CP_OK) {
    free(s);
    return rc;
  }
  *out = s;
  return CP_OK;
}

static void wait_ms(unsigned ms)
{
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0)
    ;
}

cp_err cp_syslog_read(cp_syslog *s, void *buf, uint32_t len, uint32_t *got, unsigned timeout_ms,
                      cp_error *err)
{
  *got = 0;
  if (!s->closed) {
    size_t n = 0;
    cp_conn_rc r = cp_conn_recv(s->conn, buf, len, timeout_ms, &n);
    if (r == CP_CONN_OK) {
      *got = (uint32_t)n;
      return CP_OK;
    }
    if (r == CP_CONN_IDLE)
      return CP_OK;
    if (cp_device_attached_after_failure(s->dev->udid) == 0)
      return cp_error_set(err, CP_E_DETACHED, "%s was unplugged during the log capture",
                          s->dev->udid);
    s->closed = 1;
    return CP_OK;
  }
  /* A relay that hung up reads as a quiet one until the caller's limit (as
   * libimobiledevice 1.3.0 reported it), waiting instead of spinning; a
   * cable pulled meanwhile still ends the capture. */
  if (cp_device_attached(s->dev->udid) == 0)
    return cp_error_set(err, CP_E_DETACHED, "%s was unplugged during the log capture",
                        s->dev->udid);
  wait_ms(timeout_ms);
  return CP_OK;
}

void cp_syslog_close(cp_syslog *s)
{
  if (!s)
    return;
  cp_conn_close(s->conn);
  free(s);
}
