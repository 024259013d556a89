/* Unit tests of formats/battery_health.c on the real excerpts in
 * tests/corpus/battery (read via CP_CORPUS_DIR) and on the edge cases:
 * missing keys, capacity above 100 %, zero design capacity, cycle ratings. */
/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "battery_health.h"
#include "plist_json.h"

static char *slurp(const char *rel, size_t *len)
{
  char path[1024];
  (void)snprintf(path, sizeof path, "%s/battery/%s", CP_CORPUS_DIR, rel);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *buf = malloc(1 << 20);
  assert_non_null(buf);
  *len = fread(buf, 1, (1 << 20) - 1, f);
  buf[*len] = '\0';
  fclose(f);
  return buf;
}

static json_t *health(const char *pt, const json_t *sb, const json_t *pm, const json_t *gg,
                      const json_t *ld, int analytics)
{
  cp_battery_input in = {pt, sb, pm, gg, ld, analytics, analytics >= 0 ? "Analytics/A.ips" : NULL};
  json_t *h = cp_battery_health(&in);
  assert_non_null(h);
  return h;
}

static const char *src(const json_t *h, const char *k)
{
  return json_string_value(json_object_get(json_object_get(h, "sources"), k));
}

static int has_flag(const json_t *h, const char *f)
{
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(h, "flags"), i,
                     v) if (!strcmp(json_string_value(v), f)) return 1;
  return 0;
}

static const char *verdict(const json_t *h)
{
  return json_string_value(json_object_get(h, "verdict"));
}

static double num(const json_t *h, const char *k)
{
  json_t *v = json_object_get(h, k);
  assert_non_null(v);
  return json_number_value(v);
}

/* The lockdown battery domain as ideviceinfo -x prints it (libimobiledevice-node fixture). */
static void test_domain_xml_fixture(void **state)
{
  (void)state;
  size_t len;
  char *buf = slurp("libimobiledevice-node_fixture_mobile_battery_xml.plist", &len);
  json_t *dom = NULL;
  assert_int_equal(cp_plist_json_from_memory(buf, len, NULL, &dom, NULL), CP_OK);
  json_t *h = health(NULL, NULL, NULL, NULL, dom, -1);
  assert_int_equal((int)num(h, "charge_percent"), 55);
  assert_true(json_is_false(json_object_get(h, "is_charging")));
  assert_true(json_is_false(json_object_get(h, "external_connected")));
  assert_string_equal(src(h, "charge_percent"),
                      "lockdown:com.apple.mobile.battery:BatteryCurrentCapacity");
  /* The domain has no capacities: no health and no invented verdict. */
  assert_null(json_object_get(h, "health_percent"));
  assert_true(has_flag(h, "no_capacity_figures"));
  assert_string_equal(verdict(h), "unknown");
  json_decref(h);
  json_decref(dom);
  free(buf);
}

/* tidevice's JSON rendering of the same domain. */
static void test_domain_json_fixture(void **state)
{
  (void)state;
  size_t len;
  char *buf = slurp("tidevice_readme_mobile_battery_domain.json", &len);
  json_t *dom = json_loadb(buf, len, 0, NULL);
  assert_non_null(dom);
  json_t *h = health("iPhone11,8", NULL, NULL, NULL, dom, -1);
  assert_int_equal((int)num(h, "charge_percent"), 53);
  assert_true(json_is_true(json_object_get(h, "is_charging")));
  assert_int_equal((int)num(h, "rated_cycles"), 500);
  assert_string_equal(verdict(h), "unknown");
  json_decref(h);
  json_decref(dom);
  free(buf);
}

/* The "Key: value" text form (hive-ci fixture), turned into JSON here. */
static void test_domain_text_fixture(void **state)
{
  (void)state;
  size_t len;
  char *buf = slurp("hiveci_device_api_fixture_mobile_battery.txt", &len);
  json_t *dom = json_object();
  for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
    char *colon = strstr(line, ": ");
    assert_non_null(colon);
    *colon = '\0';
    const char *v = colon + 2;
    if (!strcmp(v, "true") || !strcmp(v, "false"))
      json_object_set_new(dom, line, json_boolean(!strcmp(v, "true")));
    else
      json_object_set_new(dom, line, json_integer(atoi(v)));
  }
  assert_int_equal(json_object_size(dom), 7);
  json_t *h = health(NULL, NULL, NULL, NULL, dom, -1);
  assert_int_equal((int)num(h, "charge_percent"), 70);
  assert_true(json_is_true(json_object_get(h, "is_charging")));
  json_decref(h);
  json_decref(dom);
  free(buf);
}

/* idevicediagnostics GasGauge (issue 1068): FullChargeCapacity is 100, a
 * percentage, beside a 1751 mAh design: it must not become a 5.7 % health. */
static void test_gasgauge_excerpt(void **state)
{
  (void)state;
  size_t len;
  char *frag = slurp(
      "issue_excerpts_truncated/libimobiledevice_issue1068_diagnostics_GasGauge_TRUNCATED.txt",
      &len);
  char *doc = malloc(len + 200);
  assert_non_null(doc);
  (void)snprintf(doc, len + 200, "<?xml version=\"1.0\"?><plist version=\"1.0\">%s</plist>", frag);
  json_t *gg = NULL;
  assert_int_equal(cp_plist_json_from_memory(doc, strlen(doc), NULL, &gg, NULL), CP_OK);
  json_t *h = health("iPhone9,1", NULL, NULL, gg, NULL, -1);
  assert_int_equal((int)num(h, "cycle_count"), 425);
  assert_int_equal((int)num(h, "design_capacity_mah"), 1751);
  assert_string_equal(src(h, "cycle_count"), "diagnostics:GasGauge:CycleCount");
  assert_null(json_object_get(h, "full_charge_capacity_mah"));
  assert_null(json_object_get(h, "health_percent"));
  assert_true(has_flag(h, "gasgauge_capacity_is_percent"));
  assert_string_equal(verdict(h), "unknown"); /* 425 < 500 and no capacity */
  json_decref(h);
  /* The same gauge past its rating is a service case even without a ratio. */
  json_object_set_new(gg, "CycleCount", json_integer(612));
  h = health("iPhone9,1", NULL, NULL, gg, NULL, -1);
  assert_string_equal(verdict(h), "service");
  json_t *r = json_array_get(json_object_get(h, "reasons"), 0);
  assert_string_equal(json_string_value(json_object_get(r, "code")), "cycles_over_rating");
  assert_int_equal((int)json_number_value(json_object_get(r, "limit")), 500);
  json_decref(h);
  json_decref(gg);
  free(doc);
  free(frag);
}

/* tidevice issue 35: a Python dict dump of AppleSmartBattery, cut off; the
 * top-level integer keys are read here (three-space indent). */
static void test_smartbattery_pydict_excerpt(void **state)
{
  (void)state;
  size_t len;
  char *buf =
      slurp("issue_excerpts_truncated/tidevice_issue35_get_io_power_pydict_TRUNCATED.txt", &len);
  json_t *sb = json_object();
  for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
    char key[128];
    long long v;
    if (sscanf(line, "   '%127[A-Za-z]': %lld", key, &v) == 2 && strncmp(line, "    ", 4) != 0)
      json_object_set_new(sb, key, json_integer(v));
  }
  assert_int_equal(json_integer_value(json_object_get(sb, "AppleRawMaxCapacity")), 2900);
  json_t *h = health("iPhone12,1", sb, NULL, NULL, NULL, -1);
  assert_int_equal((int)num(h, "full_charge_capacity_mah"), 2900);
  assert_string_equal(src(h, "full_charge_capacity_mah"),
                      "ioreg:AppleSmartBattery:AppleRawMaxCapacity");
  assert_int_equal((int)num(h, "voltage_mv"), 3876);
  assert_null(json_object_get(h, "health_percent")); /* no DesignCapacity in the excerpt */
  assert_string_equal(verdict(h), "unknown");
  json_decref(h);
  /* With the design capacity of an iPhone 11 (3110 mAh) the ratio follows. */
  json_object_set_new(sb, "DesignCapacity", json_integer(3110));
  h = health("iPhone12,1", sb, NULL, NULL, NULL, -1);
  assert_float_equal(num(h, "health_percent"), 93.2, 0.001);
  assert_string_equal(src(h, "health_percent"), "ioreg:AppleSmartBattery:AppleRawMaxCapacity / "
                                                "ioreg:AppleSmartBattery:DesignCapacity");
  assert_string_equal(verdict(h), "ok");
  json_decref(h);
  json_decref(sb);
  free(buf);
}

/* whatbattery issue 1: the XML reply is cut off mid-plist: refused, not half-read. */
static void test_truncated_xml_excerpt(void **state)
{
  (void)state;
  size_t len;
  char *buf = slurp(
      "issue_excerpts_truncated/whatbattery_issue1_ioregentry_AppleSmartBattery_TRUNCATED.txt",
      &len);
  char *xml = strstr(buf, "<?xml");
  assert_non_null(xml);
  json_t *v = NULL;
  cp_error e;
  assert_int_equal(cp_plist_json_from_memory(xml, strlen(xml), NULL, &v, &e), CP_E_PARSE);
  assert_null(v);
  free(buf);
}

static json_t *smart(int design, int nominal, int cycles)
{
  return json_pack("{s:i, s:i, s:i, s:i, s:i, s:b}", "DesignCapacity", design,
                   "NominalChargeCapacity", nominal, "CycleCount", cycles, "Temperature", 3051,
                   "Voltage", 4123, "IsCharging", 1);
}

static void test_modern_ok_and_sources(void **state)
{
  (void)state;
  json_t *sb = smart(3240, 2916, 312);
  json_t *h = health("iPhone14,5", sb, NULL, NULL, NULL, -1);
  assert_float_equal(num(h, "health_percent"), 90.0, 0.001);
  assert_float_equal(num(h, "capacity_ratio_percent"), 90.0, 0.001);
  assert_float_equal(num(h, "temperature_c"), 30.5, 0.001);
  assert_int_equal((int)num(h, "voltage_mv"), 4123);
  assert_int_equal((int)num(h, "cycle_count"), 312);
  assert_string_equal(src(h, "cycle_count"), "ioreg:AppleSmartBattery:CycleCount");
  assert_string_equal(src(h, "temperature_c"), "ioreg:AppleSmartBattery:Temperature");
  assert_true(json_is_true(json_object_get(h, "is_charging")));
  assert_string_equal(verdict(h), "ok");
  assert_int_equal(json_array_size(json_object_get(h, "reasons")), 0);
  json_decref(h);
  json_decref(sb);
}

static void test_below_80_is_service(void **state)
{
  (void)state;
  json_t *sb = smart(3000, 2280, 410); /* 76.0 % */
  json_t *h = health("iPhone13,2", sb, NULL, NULL, NULL, -1);
  assert_float_equal(num(h, "health_percent"), 76.0, 0.001);
  assert_string_equal(verdict(h), "service");
  json_t *r = json_array_get(json_object_get(h, "reasons"), 0);
  assert_string_equal(json_string_value(json_object_get(r, "code")), "capacity_below_80");
  assert_float_equal(json_number_value(json_object_get(r, "value")), 76.0, 0.001);
  json_decref(h);
  json_decref(sb);
}

static void test_above_100_is_reported_and_flagged(void **state)
{
  (void)state;
  json_t *sb = smart(3000, 3300, 5);
  json_t *h = health("iPhone16,1", sb, NULL, NULL, NULL, -1);
  assert_float_equal(num(h, "health_percent"), 110.0, 0.001); /* not clamped */
  assert_true(has_flag(h, "health_above_100"));
  assert_string_equal(verdict(h), "ok");
  json_decref(h);
  json_decref(sb);
}

static void test_zero_design_capacity(void **state)
{
  (void)state;
  json_t *sb = smart(0, 2900, 100);
  json_t *h = health("iPhone14,5", sb, NULL, NULL, NULL, -1);
  assert_null(json_object_get(h, "health_percent"));
  assert_true(has_flag(h, "design_capacity_zero"));
  assert_string_equal(verdict(h), "unknown");
  json_decref(h);
  json_decref(sb);
}

static void test_missing_everything(void **state)
{
  (void)state;
  json_t *empty = json_object();
  json_t *h = health(NULL, empty, NULL, NULL, NULL, -1);
  assert_string_equal(verdict(h), "unknown");
  assert_true(has_flag(h, "no_capacity_figures"));
  assert_null(json_object_get(h, "cycle_count"));
  assert_null(json_object_get(h, "rated_cycles"));
  json_decref(h);
  json_decref(empty);
}

static void test_cycle_ratings_by_model(void **state)
{
  (void)state;
  json_t *sb = smart(3000, 2700, 501);
  json_t *h = health("iPhone15,2", sb, NULL, NULL, NULL, -1); /* iPhone 14 Pro: 500 */
  assert_string_equal(verdict(h), "service");
  json_decref(h);
  h = health("iPhone15,4", sb, NULL, NULL, NULL, -1); /* iPhone 15: 1000 */
  assert_string_equal(verdict(h), "ok");
  assert_int_equal((int)num(h, "rated_cycles"), 1000);
  json_decref(h);
  json_object_set_new(sb, "CycleCount", json_integer(1001));
  h = health("iPhone17,3", sb, NULL, NULL, NULL, -1);
  assert_string_equal(verdict(h), "service");
  json_decref(h);
  json_decref(sb);
}

/* The service rule at its edges, expected values written from the documented
 * rule (Apple's published battery service guidance, the rule caseprobe's
 * "battery" verdict implements), not copied from formats/: a battery is due for service when its
 * health is BELOW 80 % of design capacity (80.0 % itself is still fine), or when its cycle count is
 * ABOVE the model's rated count: 500 for iPhone 14 models and older, 1000 for iPhone 15 models and
 * later and for iPads (the rated count itself is still fine). */
static const char *verdict_at(const char *pt, int design, int full, int cycles)
{
  static char out[16];
  json_t *sb = smart(design, full, cycles);
  json_t *h = health(pt, sb, NULL, NULL, NULL, -1);
  (void)snprintf(out, sizeof out, "%s", verdict(h));
  json_decref(h);
  json_decref(sb);
  return out;
}

static void test_threshold_capacity_boundary(void **state)
{
  (void)state;
  /* 799/1000 = 79.9 %, 800/1000 = 80.0 %, 801/1000 = 80.1 %; 100 cycles. */
  const struct {
    int full;
    double pct;
    const char *want;
  } rows[] = {{799, 79.9, "service"}, {800, 80.0, "ok"}, {801, 80.1, "ok"}};
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    json_t *sb = smart(1000, rows[i].full, 100);
    json_t *h = health("iPhone14,5", sb, NULL, NULL, NULL, -1);
    assert_float_equal(num(h, "health_percent"), rows[i].pct, 0.001);
    assert_string_equal(verdict(h), rows[i].want);
    json_t *reasons = json_object_get(h, "reasons");
    if (!strcmp(rows[i].want, "service")) {
      assert_int_equal(json_array_size(reasons), 1);
      json_t *r = json_array_get(reasons, 0);
      assert_string_equal(json_string_value(json_object_get(r, "code")), "capacity_below_80");
      assert_float_equal(json_number_value(json_object_get(r, "value")), 79.9, 0.001);
      assert_float_equal(json_number_value(json_object_get(r, "limit")), 80.0, 0.001);
    } else {
      assert_int_equal(json_array_size(reasons), 0);
    }
    json_decref(h);
    json_decref(sb);
  }
  /* The same edge through Settings' own figure (whole percent from Analytics). */
  json_t *sb = smart(1000, 950, 100);
  json_t *h = health("iPhone14,5", sb, NULL, NULL, NULL, 79);
  assert_string_equal(verdict(h), "service");
  json_decref(h);
  h = health("iPhone14,5", sb, NULL, NULL, NULL, 80);
  assert_string_equal(verdict(h), "ok");
  json_decref(h);
  h = health("iPhone14,5", sb, NULL, NULL, NULL, 81);
  assert_string_equal(verdict(h), "ok");
  json_decref(h);
  json_decref(sb);
}

static void test_threshold_cycle_boundary(void **state)
{
  (void)state;
  /* Health 90 % throughout, so only the cycle rule can decide. */
  const struct {
    const char *pt, *what;
    int rated;
  } models[] = {
      {"iPhone10,4", "iPhone 8", 500},   {"iPhone12,1", "iPhone 11", 500},
      {"iPhone14,5", "iPhone 13", 500},  {"iPhone14,6", "iPhone SE (3rd gen)", 500},
      {"iPhone14,7", "iPhone 14", 500},  {"iPhone15,3", "iPhone 14 Pro Max", 500},
      {"iPhone15,4", "iPhone 15", 1000}, {"iPhone16,1", "iPhone 15 Pro", 1000},
      {"iPhone17,3", "iPhone 16", 1000}, {"iPad13,16", "iPad Air (5th gen)", 1000},
  };
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
    int n = models[i].rated;
    json_t *sb = smart(1000, 900, n);
    json_t *h = health(models[i].pt, sb, NULL, NULL, NULL, -1);
    if ((int)num(h, "rated_cycles") != n)
      fail_msg("%s (%s): rated_cycles %d, documented %d", models[i].pt, models[i].what,
               (int)num(h, "rated_cycles"), n);
    json_decref(h);
    json_decref(sb);
    if (strcmp(verdict_at(models[i].pt, 1000, 900, n - 1), "ok") ||
        strcmp(verdict_at(models[i].pt, 1000, 900, n), "ok") ||
        strcmp(verdict_at(models[i].pt, 1000, 900, n + 1), "service"))
      fail_msg("%s (%s): verdicts at %d/%d/%d cycles are %s", models[i].pt, models[i].what, n - 1,
               n, n + 1, "not ok/ok/service");
  }
  /* The reason names the figure and the rating. */
  json_t *sb = smart(1000, 900, 1001);
  json_t *h = health("iPhone15,4", sb, NULL, NULL, NULL, -1);
  json_t *r = json_array_get(json_object_get(h, "reasons"), 0);
  assert_non_null(r);
  assert_string_equal(json_string_value(json_object_get(r, "code")), "cycles_over_rating");
  assert_int_equal((int)json_number_value(json_object_get(r, "value")), 1001);
  assert_int_equal((int)json_number_value(json_object_get(r, "limit")), 1000);
  json_decref(h);
  json_decref(sb);
  /* Both rules at once: two reasons. */
  assert_string_equal(verdict_at("iPhone14,7", 1000, 799, 501), "service");
  sb = smart(1000, 799, 501);
  h = health("iPhone14,7", sb, NULL, NULL, NULL, -1);
  assert_int_equal(json_array_size(json_object_get(h, "reasons")), 2);
  json_decref(h);
  json_decref(sb);
}

/* Settings' figure from an Analytics report wins over the gauge ratio. */
static void test_analytics_preferred(void **state)
{
  (void)state;
  json_t *sb = smart(3000, 2730, 200); /* 91 % by the gauge */
  json_t *h = health("iPhone14,5", sb, NULL, NULL, NULL, 87);
  assert_float_equal(num(h, "health_percent"), 87.0, 0.001);
  assert_float_equal(num(h, "capacity_ratio_percent"), 91.0, 0.001);
  assert_string_equal(src(h, "health_percent"),
                      "analytics:Analytics/A.ips:last_value_MaximumCapacityPercent");
  json_decref(h);
  h = health("iPhone14,5", sb, NULL, NULL, NULL, 79);
  assert_string_equal(verdict(h), "service");
  json_decref(h);
  json_decref(sb);
}

/* iPhone 7 and older: AppleARMPMUCharger, MaxCapacity in mAh; the
 * whole {Diagnostics:{IORegistry:..}} reply is accepted as well. */
static void test_legacy_charger_wrapped(void **state)
{
  (void)state;
  json_t *pm = json_pack("{s:{s:{s:i, s:i, s:i, s:i, s:i}}}", "Diagnostics", "IORegistry",
                         "DesignCapacity", 1960, "MaxCapacity", 1548, "CycleCount", 733,
                         "Temperature", 2800, "CurrentCapacity", 1200);
  json_t *h = health("iPhone9,3", NULL, pm, NULL, NULL, -1);
  assert_float_equal(num(h, "health_percent"), 79.0, 0.001);
  assert_string_equal(src(h, "full_charge_capacity_mah"), "ioreg:AppleARMPMUCharger:MaxCapacity");
  assert_null(json_object_get(h, "charge_percent")); /* 1200 is mAh, not % */
  assert_string_equal(verdict(h), "service");
  assert_int_equal(json_array_size(json_object_get(h, "reasons")), 2);
  json_decref(h);
  json_decref(pm);
}

static void test_batterydata_fallback(void **state)
{
  (void)state;
  json_t *sb = json_pack("{s:i, s:{s:i, s:i}}", "AppleRawMaxCapacity", 2500, "BatteryData",
                         "DesignCapacity", 2815, "CycleCount", 640);
  json_t *h = health("iPhone13,2", sb, NULL, NULL, NULL, -1);
  assert_string_equal(src(h, "design_capacity_mah"),
                      "ioreg:AppleSmartBattery:BatteryData:DesignCapacity");
  assert_string_equal(src(h, "cycle_count"), "ioreg:AppleSmartBattery:BatteryData:CycleCount");
  assert_float_equal(num(h, "health_percent"), 88.8, 0.001);
  assert_string_equal(verdict(h), "service"); /* 640 > 500 */
  json_decref(h);
  json_decref(sb);
}

static void test_scan_analytics(void **state)
{
  (void)state;
  int p = -1;
  const char *a = "{\"x\":1}\n{\"message\":{\"last_value_MaximumCapacityPercent\":91}}\n"
                  "{\"message\":{\"last_value_MaximumCapacityPercent\" : 88,\"y\":2}}\n";
  assert_int_equal(cp_battery_scan_analytics(a, strlen(a), &p), 1);
  assert_int_equal(p, 88); /* the last one */
  p = -1;
  const char *b = "\"last_value_MaximumCapacityPercent\":\"n/a\" last_value_MaximumCapacityPercent";
  assert_int_equal(cp_battery_scan_analytics(b, strlen(b), &p), 0);
  assert_int_equal(p, -1);
  const char *c = "\"last_value_MaximumCapacityPercent\":9999";
  assert_int_equal(cp_battery_scan_analytics(c, strlen(c), &p), 0);
  /* A cut in the middle of the number: only what is inside len counts. */
  const char *d = "\"last_value_MaximumCapacityPercent\":87";
  assert_int_equal(cp_battery_scan_analytics(d, strlen(d) - 1, &p), 1);
  assert_int_equal(p, 8);
  assert_int_equal(cp_battery_scan_analytics(NULL, 0, &p), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_domain_xml_fixture),
      cmocka_unit_test(test_domain_json_fixture),
      cmocka_unit_test(test_domain_text_fixture),
      cmocka_unit_test(test_gasgauge_excerpt),
      cmocka_unit_test(test_smartbattery_pydict_excerpt),
      cmocka_unit_test(test_truncated_xml_excerpt),
      cmocka_unit_test(test_modern_ok_and_sources),
      cmocka_unit_test(test_below_80_is_service),
      cmocka_unit_test(test_above_100_is_reported_and_flagged),
      cmocka_unit_test(test_zero_design_capacity),
      cmocka_unit_test(test_missing_everything),
      cmocka_unit_test(test_cycle_ratings_by_model),
      cmocka_unit_test(test_threshold_capacity_boundary),
      cmocka_unit_test(test_threshold_cycle_boundary),
      cmocka_unit_test(test_analytics_preferred),
      cmocka_unit_test(test_legacy_charger_wrapped),
      cmocka_unit_test(test_batterydata_fallback),
      cmocka_unit_test(test_scan_analytics),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
