/* installation_proxy Browse (device.h): the installed apps with the
 * attributes caseprobe shows. The client is libimobiledevice's; the port
 * comes from our session (device_session.c). */
#include "device_priv.h"
#include "plist_json.h"

#include <libimobiledevice/installation_proxy.h>
#include <plist/plist.h>

cp_err cp_device_browse_apps(cp_device *d, const char *app_type, json_t **out, cp_error *err)
{
  uint16_t port = 0;
  int ssl = 0;
  instproxy_client_t ip = NULL;
  plist_t opts = NULL, res = NULL;
  *out = NULL;
  cp_err rc = cp_dev_start_service(d, INSTPROXY_SERVICE_NAME, &port, &ssl, err);
  if (rc != CP_OK)
    return rc;
  /* The descriptor libimobiledevice wants, filled from our StartService. */
  struct lockdownd_service_descriptor svc = {port, (uint8_t)(ssl != 0), NULL};
  double t0 = cp_dev_now_s();
  instproxy_error_t ie = instproxy_client_new(d->idev, &svc, &ip);
  if (ie != INSTPROXY_E_SUCCESS)
    return cp_dev_transport_failure(d->udid, t0, err, "connecting to installation_proxy");
  opts = instproxy_client_options_new();
  instproxy_client_options_add(opts, "ApplicationType", app_type ? app_type : "User", NULL);
  instproxy_client_options_set_return_attributes(opts, "CFBundleIdentifier", "CFBundleDisplayName",
                                                 "CFBundleName", "CFBundleShortVersionString",
                                                 "CFBundleVersion", "ApplicationType", NULL);
  t0 = cp_dev_now_s();
  ie = instproxy_browse(ip, opts, &res);
  if (ie == INSTPROXY_E_SUCCESS && res && plist_get_node_type(res) == PLIST_ARRAY) {
    if (!(*out = cp_plist_to_json(res, NULL, err)))
      rc = cp_error_set(err, CP_E_PROTOCOL, "%s sent an unreadable app list", d->udid);
  } else if (ie == INSTPROXY_E_SUCCESS || ie == INSTPROXY_E_PLIST_ERROR ||
             ie == INSTPROXY_E_CONN_FAILED || ie == INSTPROXY_E_RECEIVE_TIMEOUT) {
    rc = ie == INSTPROXY_E_RECEIVE_TIMEOUT
             ? cp_error_set(err, CP_E_TIMEOUT, "%s did not answer the app list", d->udid)
             : cp_dev_transport_failure(d->udid, t0, err, "the app list");
  } else {
    rc = cp_error_set(err, CP_E_PROTOCOL, "%s refused the app list (error %d)", d->udid, (int)ie);
  }
  plist_free(res);
  instproxy_client_options_free(opts);
  instproxy_client_free(ip);
  return rc;
}
