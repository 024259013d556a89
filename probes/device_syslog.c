/* com.apple.syslog_relay (device_syslog.h): reads the device log as it
 * arrives, bounded by the caller's timeout. */
#include "device_priv.h"

#include <libimobiledevice/syslog_relay.h>
#include <stdlib.h>

struct cp_syslog {
  cp_device *dev;
  syslog_relay_client_t client;
};

cp_err cp_syslog_open(cp_device *d, cp_syslog **out, cp_error *err)
{
  lockdownd_service_descriptor_t svc = NULL;
  *out = NULL;
  cp_syslog *s = calloc(1, sizeof *s);
  if (!s)
    return cp_error_set(err, CP_E_NOMEM, "syslog client");
  s->dev = d;
  cp_err rc = cp_dev_start_service(d, SYSLOG_RELAY_SERVICE_NAME, &svc, err);
  if (rc != CP_OK) {
    free(s);
    return rc;
  }
  double t0 = cp_dev_now_s();
  syslog_relay_error_t se = syslog_relay_client_new(d->idev, svc, &s->client);
  lockdownd_service_descriptor_free(svc);
  if (se != SYSLOG_RELAY_E_SUCCESS) {
    free(s);
    return cp_dev_transport_failure(d->udid, t0, err, "connecting to syslog_relay");
  }
  *out = s;
  return CP_OK;
}

cp_err cp_syslog_read(cp_syslog *s, void *buf, uint32_t len, uint32_t *got, unsigned timeout_ms,
                      cp_error *err)
{
  *got = 0;
  syslog_relay_error_t se = syslog_relay_receive_with_timeout(s->client, buf, len, got, timeout_ms);
  if (se == SYSLOG_RELAY_E_SUCCESS || (se == SYSLOG_RELAY_E_TIMEOUT))
    return CP_OK;
  if (*got > 0)
    return CP_OK;
  if (cp_device_attached_after_failure(s->dev->udid) == 0)
    return cp_error_set(err, CP_E_DETACHED, "%s was unplugged during the log capture",
                        s->dev->udid);
  /* 1.3.0 reports a quiet stream as a mux error too: treat it as no data. */
  return CP_OK;
}

void cp_syslog_close(cp_syslog *s)
{
  if (!s)
    return;
  if (s->client)
    syslog_relay_client_free(s->client);
  free(s);
}
