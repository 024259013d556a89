/* The sysinfo probe (scope system): device/info.json, the normalized global
 * lockdown domain plus the marketing name. The summary is the same object so
 * `caseprobe info` shows exactly what a bundle holds. */
#include "device.h"
#include "probe.h"
#include "product_names.h"

#include <string.h>

/* global-domain key -> normalized name, in the order a person reads them. */
static const struct {
  const char *key, *name;
} fields[] = {
    {"DeviceName", "name"},
    {"DeviceClass", "device_class"},
    {"ProductType", "product_type"},
    {"HardwareModel", "hardware_model"},
    {"ProductVersion", "ios_version"},
    {"BuildVersion", "build_version"},
    {"ProductName", "os_name"},
    {"SerialNumber", "serial_number"},
    {"UniqueDeviceID", "udid"},
    {"UniqueChipID", "ecid"},
    {"ActivationState", "activation_state"},
    {"CPUArchitecture", "cpu_architecture"},
    {"TimeZone", "time_zone"},
    {"WiFiAddress", "wifi_address"},
    {"BluetoothAddress", "bluetooth_address"},
    {"InternationalMobileEquipmentIdentity", "imei"},
    {"MobileEquipmentIdentifier", "meid"},
    {"IntegratedCircuitCardIdentity", "iccid"},
    {"PhoneNumber", "phone_number"},
    {"PasswordProtected", "passcode_set"},
};

static cp_err run(cp_device *dev, cp_sink *sink, const cp_probe_opts *opts, json_t **summary,
                  cp_error *err)
{
  json_t *global = NULL, *info = NULL;
  (void)opts;
  *summary = NULL;
  cp_err rc = cp_device_get_value(dev, NULL, NULL, &global, err);
  if (rc != CP_OK)
    goto out;
  if (!json_is_object(global)) {
    rc = cp_error_set(err, CP_E_PROTOCOL, "the global lockdown domain is not a dictionary");
    goto out;
  }
  /* The device key pair is not information about the device's state. */
  json_object_del(global, "DevicePublicKey");
  info = json_object();
  if (!info) {
    rc = cp_error_set(err, CP_E_NOMEM, "device info");
    goto out;
  }
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    json_t *v = json_object_get(global, fields[i].key);
    if (v)
      json_object_set(info, fields[i].name, v);
  }
  if (!json_object_get(info, "udid"))
    json_object_set_new(info, "udid", json_string(cp_device_udid(dev)));
  const char *pt = json_string_value(json_object_get(info, "product_type"));
  if (pt)
    json_object_set_new(info, "marketing_name", json_string(cp_product_name(pt)));
  json_object_set_new(info, "lockdown", global);
  global = NULL;
  rc = cp_sink_add_json(sink, "device/info.json", "system", info, err);
  if (rc == CP_OK) {
    *summary = info;
    info = NULL;
  }
out:
  json_decref(global);
  json_decref(info);
  return rc;
}

const cp_probe cp_probe_sysinfo = {"sysinfo", "system", run};
