/* See battery_health.h. Each figure walks its own ordered list of (source,
 * key) pairs and keeps the first one present and plausible. */
#include "battery_health.h"

#include "product_names.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The IORegistry dict itself, whether given bare or as the whole reply. */
static const json_t *unwrap_ioreg(const json_t *v)
{
  if (!json_is_object(v))
    return NULL;
  const json_t *d = json_object_get(v, "Diagnostics");
  if (json_is_object(d))
    v = d;
  const json_t *io = json_object_get(v, "IORegistry");
  if (json_is_object(io))
    v = io;
  const json_t *gg = json_object_get(v, "GasGauge");
  if (json_is_object(gg))
    v = gg;
  return v;
}

/* A number at key (integer, real or numeric bool); 1 when found. */
static int num(const json_t *obj, const char *key, double *out)
{
  const json_t *v = obj ? json_object_get(obj, key) : NULL;
  if (json_is_integer(v))
    *out = (double)json_integer_value(v);
  else if (json_is_real(v))
    *out = json_real_value(v);
  else
    return 0;
  return 1;
}

static int flag(const json_t *obj, const char *key, int *out)
{
  const json_t *v = obj ? json_object_get(obj, key) : NULL;
  if (json_is_boolean(v))
    *out = json_is_true(v);
  else if (json_is_integer(v))
    *out = json_integer_value(v) != 0;
  else
    return 0;
  return 1;
}

typedef struct src {
  const json_t *obj;
  const char *key;
  const char *where; /* "ioreg:AppleSmartBattery" */
  double min;        /* plausibility: values below are not this figure */
} src;

/* First plausible value among srcs; records "where:key" under sources[name]. */
static int pick(json_t *sources, const char *name, const src *s, size_t n, double *out)
{
  for (size_t i = 0; i < n; i++) {
    double v;
    if (!s[i].obj || !num(s[i].obj, s[i].key, &v) || v < s[i].min)
      continue;
    char where[160];
    (void)snprintf(where, sizeof where, "%s:%s", s[i].where, s[i].key);
    json_object_set_new(sources, name, json_string(where));
    *out = v;
    return 1;
  }
  return 0;
}

static double round1(double v)
{
  return round(v * 10.0) / 10.0;
}

static void add_reason(json_t *reasons, const char *code, double value, double limit)
{
  json_array_append_new(reasons,
                        json_pack("{s:s, s:f, s:f}", "code", code, "value", value, "limit", limit));
}

json_t *cp_battery_health(const cp_battery_input *in)
{
  json_t *out = json_object();
  json_t *sources = json_object();
  json_t *flags = json_array();
  json_t *reasons = json_array();
  if (!out || !sources || !flags || !reasons) {
    json_decref(out);
    json_decref(sources);
    json_decref(flags);
    json_decref(reasons);
    return NULL;
  }
  const json_t *sb = unwrap_ioreg(in->smart_battery);
  const json_t *pm = unwrap_ioreg(in->pmu_charger);
  const json_t *gg = unwrap_ioreg(in->gas_gauge);
  const json_t *ld = json_is_object(in->lockdown_battery) ? in->lockdown_battery : NULL;
  const json_t *sbd = sb ? json_object_get(sb, "BatteryData") : NULL;
  if (!json_is_object(sbd))
    sbd = NULL;
  const char *SB = "ioreg:AppleSmartBattery", *SBD = "ioreg:AppleSmartBattery:BatteryData",
             *PM = "ioreg:AppleARMPMUCharger", *GG = "diagnostics:GasGauge",
             *LD = "lockdown:com.apple.mobile.battery";

  double design = 0, full = 0, cycles = 0, temp = 0, volt = 0, charge = 0;
  const src design_src[] = {{sb, "DesignCapacity", SB, 0},
                            {sbd, "DesignCapacity", SBD, 0},
                            {pm, "DesignCapacity", PM, 0},
                            {gg, "DesignCapacity", GG, 0}};
  int have_design = pick(sources, "design_capacity_mah", design_src, 4, &design);
  /* MaxCapacity is a percentage (100) on modern gauges and mAh on old ones:
   * only values above 100 can be a capacity. */
  const src full_src[] = {{sb, "NominalChargeCapacity", SB, 1},
                          {sb, "AppleRawMaxCapacity", SB, 1},
                          {pm, "NominalChargeCapacity", PM, 1},
                          {pm, "AppleRawMaxCapacity", PM, 1},
                          {pm, "MaxCapacity", PM, 101},
                          {gg, "FullChargeCapacity", GG, 101}};
  int have_full = pick(sources, "full_charge_capacity_mah", full_src, 6, &full);
  const src cyc_src[] = {{sb, "CycleCount", SB, 0},
                         {sbd, "CycleCount", SBD, 0},
                         {pm, "CycleCount", PM, 0},
                         {gg, "CycleCount", GG, 0}};
  int have_cycles = pick(sources, "cycle_count", cyc_src, 4, &cycles);
  const src temp_src[] = {{sb, "Temperature", SB, -10000}, {pm, "Temperature", PM, -10000}};
  int have_temp = pick(sources, "temperature_c", temp_src, 2, &temp);
  const src volt_src[] = {{sb, "Voltage", SB, 1},
                          {sb, "AppleRawBatteryVoltage", SB, 1},
                          {sbd, "Voltage", SBD, 1},
                          {pm, "Voltage", PM, 1}};
  int have_volt = pick(sources, "voltage_mv", volt_src, 4, &volt);
  const src charge_src[] = {{ld, "BatteryCurrentCapacity", LD, 0},
                            {sb, "CurrentCapacity", SB, 0},
                            {pm, "CurrentCapacity", PM, 0}};
  int have_charge = pick(sources, "charge_percent", charge_src, 3, &charge);
  if (have_charge && charge > 100) { /* an mAh figure, not a percentage */
    have_charge = 0;
    json_object_del(sources, "charge_percent");
  }

  double gg_full;
  if (gg && num(gg, "FullChargeCapacity", &gg_full) && gg_full <= 100 && have_design &&
      design > 100)
    json_array_append_new(flags, json_string("gasgauge_capacity_is_percent"));

  if (have_design)
    json_object_set_new(out, "design_capacity_mah", json_integer((json_int_t)design));
  if (have_full)
    json_object_set_new(out, "full_charge_capacity_mah", json_integer((json_int_t)full));
  if (have_cycles)
    json_object_set_new(out, "cycle_count", json_integer((json_int_t)cycles));
  if (have_temp)
    json_object_set_new(out, "temperature_c", json_real(round1(temp / 100.0)));
  if (have_volt)
    json_object_set_new(out, "voltage_mv", json_integer((json_int_t)volt));
  if (have_charge)
    json_object_set_new(out, "charge_percent", json_integer((json_int_t)charge));

  int b;
  if (flag(ld, "BatteryIsCharging", &b) || flag(sb, "IsCharging", &b) || flag(pm, "IsCharging", &b))
    json_object_set_new(out, "is_charging", json_boolean(b));
  if (flag(ld, "ExternalConnected", &b) || flag(sb, "ExternalConnected", &b) ||
      flag(pm, "ExternalConnected", &b))
    json_object_set_new(out, "external_connected", json_boolean(b));

  /* Capacity ratio from the gauge's own figures. */
  int have_ratio = 0;
  double ratio = 0;
  if (have_design && design <= 0)
    json_array_append_new(flags, json_string("design_capacity_zero"));
  else if (have_design && have_full) {
    ratio = round1(100.0 * full / design);
    have_ratio = 1;
    json_object_set_new(out, "capacity_ratio_percent", json_real(ratio));
    char where[200];
    (void)snprintf(where, sizeof where, "%s / %s",
                   json_string_value(json_object_get(sources, "full_charge_capacity_mah")),
                   json_string_value(json_object_get(sources, "design_capacity_mah")));
    json_object_set_new(sources, "capacity_ratio_percent", json_string(where));
  }

  /* What Settings shows: the Analytics figure, else the gauge's own percentage. */
  int have_settings = 0;
  double settings = 0;
  if (in->analytics_max_capacity >= 0) {
    settings = in->analytics_max_capacity;
    have_settings = 1;
    char where[300];
    (void)snprintf(where, sizeof where, "analytics:%s:last_value_MaximumCapacityPercent",
                   in->analytics_file ? in->analytics_file : "report");
    json_object_set_new(sources, "settings_max_capacity_percent", json_string(where));
  } else {
    const src mcp_src[] = {{sb, "MaximumCapacityPercent", SB, 1},
                           {sbd, "MaximumCapacityPercent", SBD, 1}};
    have_settings = pick(sources, "settings_max_capacity_percent", mcp_src, 2, &settings);
  }
  if (have_settings)
    json_object_set_new(out, "settings_max_capacity_percent", json_real(round1(settings)));

  int have_health = have_settings || have_ratio;
  double health = have_settings ? round1(settings) : ratio;
  if (have_health) {
    json_object_set_new(out, "health_percent", json_real(health));
    json_object_set_new(
        sources, "health_percent",
        json_deep_copy(json_object_get(sources, have_settings ? "settings_max_capacity_percent"
                                                              : "capacity_ratio_percent")));
    if (health > 100.0 || (have_ratio && ratio > 100.0))
      json_array_append_new(flags, json_string("health_above_100"));
  } else {
    json_array_append_new(flags, json_string("no_capacity_figures"));
  }

  int rated = cp_product_rated_cycles(in->product_type);
  if (rated > 0)
    json_object_set_new(out, "rated_cycles", json_integer(rated));

  if (have_health && health < CP_BATTERY_SERVICE_PERCENT)
    add_reason(reasons, "capacity_below_80", health, CP_BATTERY_SERVICE_PERCENT);
  if (have_cycles && rated > 0 && cycles > rated)
    add_reason(reasons, "cycles_over_rating", cycles, rated);
  const char *verdict = json_array_size(reasons) ? "service" : have_health ? "ok" : "unknown";
  json_object_set_new(out, "verdict", json_string(verdict));
  json_object_set_new(out, "reasons", reasons);
  json_object_set_new(out, "flags", flags);
  json_object_set_new(out, "sources", sources);
  return out;
}

int cp_battery_scan_analytics(const char *buf, size_t len, int *percent)
{
  static const char key[] = "\"last_value_MaximumCapacityPercent\"";
  const size_t klen = sizeof key - 1;
  int found = 0;
  for (size_t i = 0; buf && i + klen < len; i++) {
    if (buf[i] != '"' || memcmp(buf + i, key, klen) != 0)
      continue;
    size_t j = i + klen;
    while (j < len && (buf[j] == ' ' || buf[j] == '\t'))
      j++;
    if (j >= len || buf[j] != ':')
      continue;
    j++;
    while (j < len && (buf[j] == ' ' || buf[j] == '\t'))
      j++;
    int v = 0, digits = 0;
    while (j < len && buf[j] >= '0' && buf[j] <= '9' && digits < 4) {
      v = v * 10 + (buf[j] - '0');
      j++;
      digits++;
    }
    if (digits > 0 && v <= 200) {
      *percent = v;
      found = 1;
    }
  }
  return found;
}
