/* caseprobe battery: "does this battery need service?" in a second: health,
 * cycles, temperature, design and full capacity, the verdict with its
 * reasons, and where every figure came from. Runs the battery probe into a
 * discarding sink; the verdict's reason codes are worded here. */
#include "cli_common.h"
#include "commands.h"
#include "drain_view.h"
#include "product_names.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
  fprintf(out,
          "usage: caseprobe battery [-u UDID] [--json] [--wait[=SECS]]\n\n"
          "Shows battery health (maximum capacity against design), cycle count,\n"
          "temperature and a service verdict, with the source of every figure.\n\n%s",
          cp_cli_common_help);
}

static void line_num(const json_t *h, const char *key, const char *label, const char *fmt_unit)
{
  const json_t *v = json_object_get(h, key);
  const char *src = json_string_value(json_object_get(json_object_get(h, "sources"), key));
  if (!v) {
    printf("  %-22s unknown\n", label);
    return;
  }
  char val[64];
  if (json_is_real(v))
    (void)snprintf(val, sizeof val, "%.1f%s", json_real_value(v), fmt_unit);
  else
    (void)snprintf(val, sizeof val, "%lld%s", (long long)json_integer_value(v), fmt_unit);
  printf("  %-22s %-12s %s%s%s\n", label, val, src ? "[" : "", src ? src : "", src ? "]" : "");
}

/* The sentence for one reason code of the verdict. */
static void print_reason(const json_t *r)
{
  const char *code = json_string_value(json_object_get(r, "code"));
  double v = json_number_value(json_object_get(r, "value"));
  double lim = json_number_value(json_object_get(r, "limit"));
  if (code && !strcmp(code, "capacity_below_80"))
    printf("  - maximum capacity %.1f %% is below %.0f %% of design capacity\n", v, lim);
  else if (code && !strcmp(code, "cycles_over_rating"))
    printf("  - %.0f charge cycles exceed the %.0f this model is rated for\n", v, lim);
  else
    printf("  - %s\n", code ? code : "unknown reason");
}

static void print_human(const json_t *h)
{
  const char *verdict = json_string_value(json_object_get(h, "verdict"));
  const char *pt = json_string_value(json_object_get(h, "product_type"));
  printf("Battery of %s\n", pt ? cp_product_name(pt) : "the device");
  line_num(h, "health_percent", "Health", " %");
  line_num(h, "capacity_ratio_percent", "Full / design", " %");
  line_num(h, "full_charge_capacity_mah", "Full charge capacity", " mAh");
  line_num(h, "design_capacity_mah", "Design capacity", " mAh");
  line_num(h, "cycle_count", "Cycle count", "");
  if (json_object_get(h, "rated_cycles"))
    printf("  %-22s %lld\n", "Rated cycles",
           (long long)json_integer_value(json_object_get(h, "rated_cycles")));
  line_num(h, "temperature_c", "Temperature", " \xC2\xB0" "C");
  line_num(h, "voltage_mv", "Voltage", " mV");
  line_num(h, "charge_percent", "Charge", " %");
  const json_t *flags = json_object_get(h, "flags");
  size_t i;
  json_t *f;
  json_array_foreach(flags, i, f)
  {
    const char *fl = json_string_value(f);
    if (fl && !strcmp(fl, "health_above_100"))
      printf("  note: capacity above 100 %% of design (new or recalibrating gauge), "
             "reported as is\n");
    else if (fl && !strcmp(fl, "design_capacity_zero"))
      printf("  note: the gauge reports a design capacity of 0; no ratio computed\n");
    else if (fl && !strcmp(fl, "gasgauge_capacity_is_percent"))
      printf("  note: GasGauge's full charge capacity is a percentage, not mAh; not used\n");
    else if (fl && !strcmp(fl, "no_capacity_figures"))
      printf("  note: the device gave no capacity figures\n");
  }
  if (verdict && !strcmp(verdict, "service")) {
    printf("Verdict: SERVICE RECOMMENDED\n");
    json_t *r;
    json_array_foreach(json_object_get(h, "reasons"), i, r) print_reason(r);
  } else if (verdict && !strcmp(verdict, "ok"))
    printf("Verdict: OK (no service needed)\n");
  else
    printf("Verdict: UNKNOWN (not enough figures to judge)\n");
}

int cp_cmd_battery(int argc, char **argv)
{
  cp_cli_session s;
  json_t *health = NULL;
  int rc = CP_OK;
  if (!cp_cli_probe_command(argc, argv, usage, "battery", &s, &health, &rc))
    return rc;
  /* what the device itself flagged, next to the health figures */
  cp_error derr = {0};
  json_t *drain = cp_drain_fetch(&s, &derr);
  json_object_set_new(health, "drain", drain ? drain : json_null());
  if (s.cli.json)
    rc = cp_cli_print_json(health);
  else {
    print_human(health);
    if (drain)
      cp_drain_print(stdout, drain);
    else
      printf("Drain suspects: not read (%s)\n", cp_strerror(derr.code));
  }
  json_decref(health);
  cp_cli_session_close(&s);
  return rc;
}
