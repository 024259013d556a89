/*
 * Battery health from whatever the device offers, pure code (no device I/O)
 * so every rule is unit-tested on real excerpts. Figures come from a layered
 * chain of sources and each one records where it came from:
 *   1. IORegistry AppleSmartBattery (iPhone 8 and later): NominalChargeCapacity
 *      or AppleRawMaxCapacity over DesignCapacity, CycleCount, Temperature
 *      (0.01 C), Voltage; its BatteryData sub-dict as fallback;
 *   2. IORegistry AppleARMPMUCharger (iPhone 7 and older), same keys;
 *   3. diagnostics GasGauge (CycleCount, DesignCapacity, FullChargeCapacity);
 *   4. the lockdown com.apple.mobile.battery domain (charge %, charging);
 *   5. last_value_MaximumCapacityPercent from an Analytics report: the number
 *      Settings > Battery Health shows, preferred for health_percent.
 * Ratios above 100 % are reported as they are and flagged, never clamped.
 * The verdict carries reason codes and figures; the agent words them.
 */
#ifndef CP_BATTERY_HEALTH_H
#define CP_BATTERY_HEALTH_H

#include <jansson.h>
#include <stddef.h>

/* Below this share of design capacity a battery is due for service. */
#define CP_BATTERY_SERVICE_PERCENT 80.0

typedef struct cp_battery_input {
  const char *product_type;       /* "iPhone14,5" for the rated cycle count, or NULL */
  const json_t *smart_battery;    /* AppleSmartBattery entry (bare, or the whole
                                     {Diagnostics:{IORegistry:...}} reply), or NULL */
  const json_t *pmu_charger;      /* AppleARMPMUCharger entry, or NULL */
  const json_t *gas_gauge;        /* diagnostics GasGauge dict, or NULL */
  const json_t *lockdown_battery; /* com.apple.mobile.battery domain, or NULL */
  int analytics_max_capacity;     /* Settings' percentage, or -1 when none was found */
  const char *analytics_file;     /* the report it came from (for the source), or NULL */
} cp_battery_input;

/*
 * Returns a new object (NULL only when out of memory):
 *   health_percent, capacity_ratio_percent, settings_max_capacity_percent,
 *   design_capacity_mah, full_charge_capacity_mah, cycle_count, rated_cycles,
 *   temperature_c, voltage_mv, charge_percent, is_charging, external_connected
 *   (each present only when known), sources {figure: "where it came from"},
 *   flags [..] (health_above_100, design_capacity_zero, gasgauge_capacity_is_percent,
 *   no_capacity_figures), verdict ("ok" | "service" | "unknown") and
 *   reasons [{code, value, limit}] (capacity_below_80, cycles_over_rating).
 */
json_t *cp_battery_health(const cp_battery_input *in);

/* Finds the last "last_value_MaximumCapacityPercent": N in an Analytics
 * report's text. Returns 1 and sets *percent (0..200) when found, else 0. */
int cp_battery_scan_analytics(const char *buf, size_t len, int *percent);

#endif
