/* Raw service connections (conn.h): StartService on the session, a new
 * usbmux connection to the port, TLS when the service asks for it, and a
 * watchdog that bounds TLS receives (libimobiledevice 1.3.0 ignores receive
 * timeouts under TLS). The bytes are the caller's (afc.c, diag.c). */
#include "device_priv.h"

#include <libimobiledevice/service.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* libimobiledevice 1.3.0 ignores receive timeouts under TLS (handshake and
 * reads block until the bytes come), so a TLS connection gets a watchdog
 * thread that shuts the socket down when one receive outlasts its limit. */
#define CP_CONN_TLS_STALL_S 10.0
#define CP_CONN_TLS_PART 16384u

struct cp_conn {
  cp_device *dev;
  idevice_connection_t c;
  int ssl;
  int fd;
  int wd_started, wd_quit, wd_fired;
  double wd_deadline; /* wall clock; 0 = disarmed */
  pthread_t wd;
  pthread_mutex_t wl;
  pthread_cond_t wc;
};

static double wall_s(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
    return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wakes every 200 ms; past an armed deadline it shuts the socket down, so
 * the blocked TLS call in the other thread fails instead of hanging. */
static void *conn_watchdog(void *arg)
{
  cp_conn *c = arg;
  pthread_mutex_lock(&c->wl);
  while (!c->wd_quit) {
    if (c->wd_deadline > 0 && wall_s() >= c->wd_deadline) {
      (void)shutdown(c->fd, SHUT_RDWR);
      c->wd_fired = 1;
      c->wd_deadline = 0;
    }
    double t = wall_s() + 0.2;
    struct timespec ts = {(time_t)t, (long)((t - (double)(time_t)t) * 1e9)};
    (void)pthread_cond_timedwait(&c->wc, &c->wl, &ts);
  }
  pthread_mutex_unlock(&c->wl);
  return NULL;
}

/* Arms (seconds > 0) or disarms the watchdog; returns whether it fired. */
static int conn_arm(cp_conn *c, double seconds)
{
  if (!c->wd_started)
    return 0;
  pthread_mutex_lock(&c->wl);
  c->wd_deadline = seconds > 0 ? wall_s() + seconds : 0;
  int fired = c->wd_fired;
  pthread_cond_signal(&c->wc);
  pthread_mutex_unlock(&c->wl);
  return fired;
}

static int conn_start_watchdog(cp_conn *c)
{
  if (idevice_connection_get_fd(c->c, &c->fd) != IDEVICE_E_SUCCESS || c->fd < 0)
    return 0;
  if (pthread_mutex_init(&c->wl, NULL) != 0)
    return 0;
  if (pthread_cond_init(&c->wc, NULL) != 0) {
    pthread_mutex_destroy(&c->wl);
    return 0;
  }
  if (pthread_create(&c->wd, NULL, conn_watchdog, c) != 0) {
    pthread_cond_destroy(&c->wc);
    pthread_mutex_destroy(&c->wl);
    return 0;
  }
  c->wd_started = 1;
  return 1;
}

cp_err cp_conn_open(cp_device *d, const char *service, cp_conn **out, cp_error *err)
{
  lockdownd_service_descriptor_t svc = NULL;
  *out = NULL;
  cp_conn *c = calloc(1, sizeof *c);
  if (!c)
    return cp_error_set(err, CP_E_NOMEM, "service connection");
  c->dev = d;
  c->fd = -1;
  cp_err rc = cp_dev_start_service(d, service, &svc, err);
  if (rc == CP_OK && !svc)
    rc = CP_E_PROTOCOL; /* start_service pairs CP_OK with a descriptor; said for the analyzer */
  if (rc != CP_OK)
    goto out;
  double t0 = cp_dev_now_s();
  if (idevice_connect(d->idev, svc->port, &c->c) != IDEVICE_E_SUCCESS) {
    c->c = NULL;
    rc = cp_dev_transport_failure(d->udid, t0, err, service);
    goto out;
  }
  if (svc->ssl_enabled) {
    if (!conn_start_watchdog(c)) {
      rc = cp_error_set(err, CP_E_INTERNAL, "no watchdog for the TLS connection to %s", service);
      goto out;
    }
    conn_arm(c, CP_CONN_TLS_STALL_S);
    idevice_error_t e = idevice_connection_enable_ssl(c->c);
    if (conn_arm(c, 0))
      rc = cp_error_set(err, CP_E_TIMEOUT, "%s did not answer the TLS handshake of %s for %.0f s",
                        d->udid, service, CP_CONN_TLS_STALL_S);
    else if (e != IDEVICE_E_SUCCESS)
      rc = cp_dev_transport_failure(d->udid, t0, err, service);
    if (rc != CP_OK)
      goto out;
    c->ssl = 1;
  }
out:
  if (svc)
    lockdownd_service_descriptor_free(svc);
  if (rc != CP_OK) {
    cp_conn_close(c);
    return rc;
  }
  *out = c;
  return CP_OK;
}

cp_err cp_conn_send(cp_conn *c, const void *buf, size_t len, cp_error *err)
{
  const char *p = buf;
  while (len > 0) {
    uint32_t part = len > (1u << 30) ? (1u << 30) : (uint32_t)len, sent = 0;
    if (idevice_connection_send(c->c, p, part, &sent) != IDEVICE_E_SUCCESS || sent == 0 ||
        sent > part)
      /* Not a local I/O error: the device hung up, or went away. */
      return cp_device_attached_after_failure(cp_device_udid(c->dev)) == 0
                 ? cp_error_set(err, CP_E_DETACHED, "%s was unplugged", cp_device_udid(c->dev))
                 : cp_error_set(err, CP_E_PROTOCOL,
                                "%s closed the service connection while we were sending",
                                cp_device_udid(c->dev));
    p += sent;
    len -= sent;
  }
  return CP_OK;
}

cp_conn_rc cp_conn_recv(cp_conn *c, void *buf, size_t len, unsigned timeout_ms, size_t *got)
{
  uint32_t n = 0;
  *got = 0;
  if (len == 0)
    return CP_CONN_OK;
  uint32_t part = len > (1u << 30) ? (1u << 30) : (uint32_t)len;
  if (c->ssl && part > CP_CONN_TLS_PART)
    part = CP_CONN_TLS_PART; /* one TLS record or so per call: the watchdog limit is per call */
  if (c->ssl)
    conn_arm(c, CP_CONN_TLS_STALL_S);
  idevice_error_t e = idevice_connection_receive_timeout(c->c, buf, part, &n, timeout_ms);
  if (c->ssl && conn_arm(c, 0))
    return CP_CONN_STALLED;
  if (e == IDEVICE_E_SUCCESS && n > 0 && n <= part) {
    *got = n;
    return CP_CONN_OK;
  }
  /* 1.3.0 reports a quiet socket as success with 0 bytes or as TIMEOUT. */
  if (e == IDEVICE_E_SUCCESS || e == IDEVICE_E_TIMEOUT)
    return CP_CONN_IDLE;
  return CP_CONN_BROKEN;
}

int cp_conn_is_tls(const cp_conn *c)
{
  return c && c->ssl;
}

void cp_conn_close(cp_conn *c)
{
  if (!c)
    return;
  if (c->wd_started) {
    pthread_mutex_lock(&c->wl);
    c->wd_quit = 1;
    pthread_cond_signal(&c->wc);
    pthread_mutex_unlock(&c->wl);
    pthread_join(c->wd, NULL);
    pthread_cond_destroy(&c->wc);
    pthread_mutex_destroy(&c->wl);
  }
  if (c->c)
    idevice_disconnect(c->c);
  free(c);
}

cp_device *cp_conn_device(const cp_conn *c)
{
  return c->dev;
}
