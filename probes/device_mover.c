/* com.apple.crashreportmover (device.h): asks the device to move pending
 * crash reports into the crash folder and waits for its "ping". */
#include "device_priv.h"

#include <libimobiledevice/service.h>
#include <string.h>

cp_err cp_device_move_crashes(cp_device *d, cp_error *err)
{
  lockdownd_service_descriptor_t svc = NULL;
  service_client_t sc = NULL;
  cp_err rc = cp_dev_start_service(d, "com.apple.crashreportmover", &svc, err);
  if (rc != CP_OK)
    return rc;
  double t0 = cp_dev_now_s();
  if (service_client_new(d->idev, svc, &sc) != SERVICE_E_SUCCESS) {
    lockdownd_service_descriptor_free(svc);
    return cp_dev_transport_failure(d->udid, t0, err, "connecting to the crash report mover");
  }
  lockdownd_service_descriptor_free(svc);
  /* The device writes "ping" once it has moved everything. */
  char buf[8] = {0};
  uint32_t have = 0;
  rc = cp_error_set(err, CP_E_TIMEOUT, "%s did not finish moving crash reports", d->udid);
  for (int i = 0; i < 10 && have < 4; i++) {
    uint32_t got = 0;
    service_error_t se = service_receive_with_timeout(sc, buf + have, 4 - have, &got, 2000);
    have += got;
    if (se != SERVICE_E_SUCCESS && se != SERVICE_E_TIMEOUT) {
      rc = cp_dev_transport_failure(d->udid, t0, err, "moving crash reports");
      break;
    }
  }
  if (have == 4)
    rc = memcmp(buf, "ping", 4) == 0
             ? CP_OK
             : cp_error_set(err, CP_E_PROTOCOL, "%s's crash report mover said something else",
                            d->udid);
  if (rc == CP_OK)
    cp_error_clear(err);
  service_client_free(sc);
  return rc;
}
