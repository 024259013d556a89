/* See report_words.h. Tables of msgids, translated at use (N_ marks them for
 * extraction; _() looks them up in the language in use). */
#include "report_words.h"

#include "consent.h"
#include "i18n.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct word {
  const char *code;
  const char *text;
} word;

static const char *lookup(const word *t, const char *code)
{
  for (size_t i = 0; code && t[i].code; i++)
    if (!strcmp(t[i].code, code))
      return _(t[i].text);
  return NULL;
}

const char *cp_rw_scope(const char *scope)
{
  /* scopes of members that the consent table may not list */
  static const word extra[] = {
      {"bundle", N_("Records of this bundle")},
      {"sysdiagnose", N_("Sysdiagnose logs")},
      {NULL, NULL},
  };
  const cp_scope_info *s = cp_scope_table();
  for (size_t i = 0; scope && s[i].name; i++)
    if (!strcmp(s[i].name, scope))
      return _(s[i].title);
  return lookup(extra, scope);
}

const char *cp_rw_class(const char *c)
{
  static const word t[] = {
      {"serial", N_("Serial numbers")},
      {"udid", N_("Device ID (UDID)")},
      {"ecid", N_("Chip ID (ECID)")},
      {"imei", N_("IMEI")},
      {"meid", N_("MEID")},
      {"iccid", N_("SIM card number (ICCID)")},
      {"imsi", N_("Subscriber ID (IMSI)")},
      {"phone", N_("Phone numbers")},
      {"wifi_mac", N_("Wi-Fi address")},
      {"bt_mac", N_("Bluetooth address")},
      {"ethernet_mac", N_("Ethernet address")},
      {"device_name", N_("Device name")},
      {"person_name", N_("Personal names")},
      {"email", N_("E-mail addresses")},
      {"ipv4", N_("IPv4 addresses")},
      {"ipv6", N_("IPv6 addresses")},
      {"mac", N_("Other network hardware addresses")},
      {"container_uuid", N_("App storage folder IDs")},
      {"user_path", N_("User folder names")},
      {"ssid", N_("Wi-Fi network names")},
      {NULL, NULL},
  };
  return lookup(t, c);
}

const char *cp_rw_drain_kind(const char *k)
{
  static const word t[] = {
      {"cpu", N_("heavy processor use")},
      {"wakeups", N_("frequent wake-ups")},
      {"disk_writes", N_("heavy storage writes")},
      {"jetsam", N_("closed for using too much memory")},
      {"crash_loop", N_("crashing over and over")},
      {NULL, NULL},
  };
  return lookup(t, k);
}

const char *cp_rw_syslog_why(const char *w)
{
  static const word t[] = {
      {"seconds_limit", N_("the time limit for the log was reached")},
      {"bytes_limit", N_("the size limit for the log was reached")},
      {"device_closed", N_("the phone ended the log stream")},
      {"cancelled", N_("the collection was cancelled")},
      {NULL, NULL},
  };
  return lookup(t, w);
}

const char *cp_rw_sysdiag_why(const char *w)
{
  static const word t[] = {
      {"unsafe_name", N_("its name is not a safe file name")},
      {"sqlite_database", N_("a database file, which cannot be redacted")},
      {"binary_plist", N_("a binary property list, which cannot be redacted")},
      {"image", N_("an image, which cannot be redacted")},
      {"binary", N_("binary data, which cannot be redacted")},
      {"too_large", N_("over the size limit")},
      {"bundle_full", N_("the bundle already held as many files as one may")},
      {NULL, NULL},
  };
  return lookup(t, w);
}

const char *cp_rw_battery_label(const char *k)
{
  static const word t[] = {
      {"health_percent", N_("Battery health (maximum capacity)")},
      {"settings_max_capacity_percent", N_("Maximum capacity shown in Settings")},
      {"capacity_ratio_percent", N_("Full charge compared with design capacity")},
      {"design_capacity_mah", N_("Design capacity")},
      {"full_charge_capacity_mah", N_("Full charge capacity")},
      {"cycle_count", N_("Charge cycles")},
      {"rated_cycles", N_("Cycles the battery is rated for")},
      {"temperature_c", N_("Temperature")},
      {"voltage_mv", N_("Voltage")},
      {"charge_percent", N_("Current charge")},
      {"is_charging", N_("Charging now")},
      {"external_connected", N_("Power connected")},
      {NULL, NULL},
  };
  return lookup(t, k);
}

const char *cp_rw_verdict(const char *v)
{
  static const word t[] = {
      {"ok", N_("Good: no service needed")},
      {"service", N_("Service recommended")},
      {"unknown", N_("Not enough information for a verdict")},
      {NULL, NULL},
  };
  return lookup(t, v);
}

const char *cp_rw_battery_reason(const char *code, double value, double limit, int en, char *out,
                                 size_t size)
{
  const char *fmt = NULL;
  if (!code)
    return NULL;
  if (!strcmp(code, "below_80") || !strcmp(code, "capacity_below_80"))
    fmt = N_("Maximum capacity is %.0f %%, below the %.0f %% at which a battery should be "
             "serviced.");
  else if (!strcmp(code, "cycles_over_rated") || !strcmp(code, "cycles_over_rating"))
    fmt = N_("The battery has been through %.0f charge cycles, more than the %.0f it is rated "
             "for.");
  if (!fmt)
    return NULL;
  if (!isfinite(value) || !isfinite(limit)) {
    /* the sentence needs both figures; say it without them */
    const char *plain = !strcmp(code, "below_80") || !strcmp(code, "capacity_below_80")
                            ? N_("Maximum capacity is below 80 %.")
                            : N_("More charge cycles than the battery is rated for.");
    snprintf(out, size, "%s", en ? plain : _(plain));
    return out;
  }
  /* fmt is one of the two literals above (or its translation, which msgfmt
   * --check verified has the same conversions) */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
  snprintf(out, size, en ? fmt : _(fmt), value, limit);
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
  return out;
}
