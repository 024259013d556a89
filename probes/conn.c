/* Raw service connections (conn.h): StartService on the session, a new
 * usbmux connection to the port, and TLS when the service asks for it, done
 * by stream.c with the session's pair record: no fixed sleep in the
 * handshake, and every receive (TLS or not) bounded by poll(), so no
 * watchdog thread is needed. The bytes are the caller's (afc.c, diag.c,
 * device_syslog.c, device_mover.c). */
#include "device_priv.h"
#include "sock_os.h"

#include <stdlib.h>
#include <string.h>

/* A send that cannot put one byte out for this long has a stuck device. */
#define CP_CONN_SEND_STALL_MS 30000u

struct cp_conn {
  cp_device *dev;
  idevice_connection_t c;
  cp_stream *s;
};

cp_err cp_conn_open(cp_device *d, const char *service, cp_conn **out, cp_error *err)
{
  uint16_t port = 0;
  int ssl = 0, fd = -1;
  *out = NULL;
  cp_conn *c = calloc(1, sizeof *c);
  if (!c)
    return cp_error_set(err, CP_E_NOMEM, "service connection");
  c->dev = d;
  cp_err rc = cp_dev_start_service(d, service, &port, &ssl, err);
  if (rc != CP_OK)
    goto out;
  if (idevice_connect(d->idev, port, &c->c) != IDEVICE_E_SUCCESS) {
    c->c = NULL;
    rc = cp_dev_lost(d->udid, 0, service, err);
    goto out;
  }
  if (idevice_connection_get_fd(c->c, &fd) != IDEVICE_E_SUCCESS || fd < 0) {
    rc = cp_error_set(err, CP_E_INTERNAL, "no socket for the connection to %s", service);
    goto out;
  }
  c->s = cp_stream_new(fd);
  if (!c->s) {
    rc = cp_error_set(err, CP_E_NOMEM, "service connection");
    goto out;
  }
  if (ssl)
    rc = cp_lockdown_tls(c->s, d->pair, d->max_tls1, CP_SERVICE_TLS_MS, d->udid, service,
                         cp_dev_lost, d->udid, err);
out:
  if (rc != CP_OK) {
    cp_conn_close(c);
    return rc;
  }
  *out = c;
  return CP_OK;
}

cp_err cp_conn_send(cp_conn *c, const void *buf, size_t len, cp_error *err)
{
  const char *udid = cp_device_udid(c->dev);
  cp_stream_rc r = cp_stream_send(c->s, buf, len, CP_CONN_SEND_STALL_MS);
  if (r == CP_STREAM_OK)
    return CP_OK;
  /* Not a local I/O error: the device hung up, went away or stopped reading. */
  if (cp_device_attached_after_failure(udid) == 0)
    return cp_error_set(err, CP_E_DETACHED, "%s was unplugged", udid);
  if (r == CP_STREAM_IDLE)
    return cp_error_set(err, CP_E_TIMEOUT, "%s took no bytes for %u s", udid,
                        CP_CONN_SEND_STALL_MS / 1000);
  return cp_error_set(err, CP_E_PROTOCOL, "%s closed the service connection while we were sending",
                      udid);
}

cp_conn_rc cp_conn_recv(cp_conn *c, void *buf, size_t len, unsigned timeout_ms, size_t *got)
{
  *got = 0;
  if (len == 0)
    return CP_CONN_OK;
  cp_stream_rc r = cp_stream_recv(c->s, buf, len, timeout_ms, got);
  if (r == CP_STREAM_OK)
    return CP_CONN_OK;
  return r == CP_STREAM_IDLE ? CP_CONN_IDLE : CP_CONN_BROKEN;
}

int cp_conn_is_tls(const cp_conn *c)
{
  return c && cp_stream_is_tls(c->s);
}

void cp_conn_close(cp_conn *c)
{
  if (!c)
    return;
  cp_stream_free(c->s);
  if (c->c)
    idevice_disconnect(c->c);
  free(c);
}

cp_device *cp_conn_device(const cp_conn *c)
{
  return c->dev;
}
