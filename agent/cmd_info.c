/* caseprobe info: what the device is (model, iOS, serial, activation), with
 * storage and charge level. Runs the sysinfo and storage probes into a
 * discarding sink, so it shows exactly what a bundle's device/info.json holds. */
#include "cli_common.h"
#include "commands.h"
#include "registry.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
  fprintf(out,
          "usage: caseprobe info [-u UDID] [--json] [--wait[=SECS]]\n\n"
          "Shows what the attached device is: model, iOS version and build, serial\n"
          "number, activation state, storage, charge level and the battery summary\n"
          "(health, cycles, service verdict; 'caseprobe battery' has the details).\n\n%s",
          cp_cli_common_help);
}

static const char *s(const json_t *o, const char *k)
{
  const char *v = json_string_value(json_object_get(o, k));
  return v ? v : "-";
}

static void print_human(const json_t *info)
{
  printf("Device:      %s\n", s(info, "name"));
  printf("Model:       %s (%s, %s)\n", s(info, "marketing_name"), s(info, "product_type"),
         s(info, "hardware_model"));
  printf("iOS:         %s (%s)\n", s(info, "ios_version"), s(info, "build_version"));
  printf("Serial:      %s\n", s(info, "serial_number"));
  printf("UDID:        %s\n", s(info, "udid"));
  printf("Activation:  %s\n", s(info, "activation_state"));
  printf("Trust:       %s\n", s(info, "trust"));
  const json_t *st = json_object_get(info, "storage");
  if (json_is_object(st)) {
    char total[32], avail[32];
    cp_cli_human_bytes(total, sizeof total,
                       (double)json_integer_value(json_object_get(st, "total_disk_bytes")));
    cp_cli_human_bytes(avail, sizeof avail,
                       (double)json_integer_value(json_object_get(st, "data_available_bytes")));
    printf("Storage:     %s total, %s free\n", total, avail);
  }
  json_t *lvl = json_object_get(info, "battery_charge_percent");
  if (json_is_integer(lvl))
    printf("Charge:      %lld %%%s\n", (long long)json_integer_value(lvl),
           json_is_true(json_object_get(info, "battery_charging")) ? " (charging)" : "");
  else
    printf("Charge:      not reported by %s\n", s(info, "name"));
  const json_t *bat = json_object_get(info, "battery");
  if (json_is_object(bat)) {
    char line[160];
    cp_cli_battery_line(bat, line, sizeof line);
    printf("Battery:     %s\n", line);
  } else {
    printf("Battery:     not reported by %s\n", s(info, "name"));
  }
}

int cp_cmd_info(int argc, char **argv)
{
  cp_cli_session s;
  json_t *info = NULL, *storage = NULL, *batt = NULL;
  int rc = CP_OK;
  if (!cp_cli_probe_command(argc, argv, usage, "sysinfo", &s, &info, &rc))
    return rc;
  /* Storage and charge are extras: a device that refuses them still has an identity. */
  const cp_probe *st = cp_probe_find("storage");
  cp_error soft;
  cp_error_clear(&soft);
  if (st && st->run(s.dev, s.sink, &s.po, &storage, &soft) == CP_OK && storage) {
    json_object_del(storage, "disk_usage");
    json_object_set(info, "storage", storage);
  } else if (soft.code == CP_E_DETACHED) {
    rc = cp_cli_fail(&s.cli, &soft);
    goto out;
  }
  if (cp_device_get_value(s.dev, "com.apple.mobile.battery", NULL, &batt, &soft) == CP_OK) {
    json_t *v = json_object_get(batt, "BatteryCurrentCapacity");
    if (json_is_integer(v))
      json_object_set(info, "battery_charge_percent", v);
    v = json_object_get(batt, "BatteryIsCharging");
    if (json_is_boolean(v))
      json_object_set(info, "battery_charging", v);
  }
  /* The battery summary the README promises: health, cycles, verdict. */
  const cp_probe *bp = cp_probe_find("battery");
  json_t *health = NULL;
  cp_error_clear(&soft);
  if (bp && bp->run(s.dev, s.sink, &s.po, &health, &soft) == CP_OK && health) {
    json_object_set_new(info, "battery", health);
  } else {
    json_decref(health);
    if (soft.code == CP_E_DETACHED || soft.code == CP_E_INTERRUPTED) {
      rc = cp_cli_fail(&s.cli, &soft);
      goto out;
    }
  }
  json_object_set_new(info, "trust", json_string("trusted"));
  if (s.cli.json)
    rc = cp_cli_print_json(info);
  else
    print_human(info);
out:
  json_decref(info);
  json_decref(storage);
  json_decref(batt);
  cp_cli_session_close(&s);
  return rc;
}
