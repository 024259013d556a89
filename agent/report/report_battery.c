/* The report's battery section (report_page.h): the verdict with its
 * reasons and sources, a gauge, the figures the device gave. */
#include "i18n.h"
#include "report_out.h"
#include "report_page.h"
#include "report_words.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double cp_rp_battery_health(const json_t *bat)
{
  static const char *const keys[] = {"health_percent",       "maximum_capacity_percent",
                                     "max_capacity_percent", "settings_max_capacity_percent",
                                     "capacity_percent",     NULL};
  double d = cp_rj_number(cp_rj_pick(bat, keys));
  if (isnan(d) || d < 0)
    return NAN;
  return d > 100 ? 100 : d;
}

/* ---- battery ---- */

static void battery_value(cp_rout *o, const char *key, const json_t *v)
{
  double d = cp_rj_number(v);
  char buf[64];
  if (json_is_number(v) && !isnan(d)) {
    const char *unit = "";
    if (strstr(key, "_percent"))
      unit = " %";
    else if (strstr(key, "_mah"))
      unit = " mAh";
    else if (!strcmp(key, "temperature_c"))
      unit = " \xc2\xb0"
             "C";
    else if (!strcmp(key, "voltage_mv"))
      unit = " mV";
    snprintf(buf, sizeof buf, "%.*f%s", d == floor(d) ? 0 : 1, d, unit);
    cp_rout_esc(o, buf);
  } else {
    cp_rout_value(o, v);
  }
}

static void battery_gauge(cp_rout *o, double pct)
{
  /* Colour is never the only signal: the number and words are beside it. */
  const char *fill = pct >= 80 ? "#1b6e20" : "#a4262c";
  cp_rout_put(o, "<figure class=\"gauge\">\n");
  cp_rout_putf(o, "<svg width=\"300\" height=\"28\" viewBox=\"0 0 300 28\" role=\"img\" "
                  "aria-labelledby=\"gauge-t\"><title id=\"gauge-t\">");
  cp_rout_escf(o, _("Battery health %.0f percent"), pct);
  cp_rout_putf(o,
               "</title><rect x=\"1\" y=\"1\" width=\"298\" height=\"26\" fill=\"#ffffff\" "
               "stroke=\"#1a1a1a\" stroke-width=\"2\"/><rect x=\"3\" y=\"3\" width=\"%.1f\" "
               "height=\"22\" fill=\"%s\"/><line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"28\" "
               "stroke=\"#1a1a1a\" stroke-dasharray=\"3 2\"/></svg>\n",
               294.0 * pct / 100.0, fill, 3 + 294.0 * 0.8, 3 + 294.0 * 0.8);
  cp_rout_put(o, "<figcaption><strong>");
  cp_rout_escf(o, _("Health: %.0f %%"), pct);
  cp_rout_put(o, "</strong> ");
  cp_rout_escf(o, _("(%s; the dashed line marks 80 %%)"),
               pct >= 80 ? /* xgettext:no-c-format */ _("at or above the 80 % service threshold")
                         : /* xgettext:no-c-format */ _("below the 80 % service threshold"));
  cp_rout_put(o, "</figcaption>\n</figure>\n");
}

void cp_rp_section_battery(cp_rout *o, const json_t *bat)
{
  cp_rp_section_open(o, "battery", _("Battery"));
  if (!json_is_object(bat) || json_object_size(bat) == 0) {
    cp_rp_para(o, "none", _("Battery health was not collected."));
    cp_rout_put(o, "</section>\n");
    return;
  }
  double pct = cp_rp_battery_health(bat);
  if (!isnan(pct))
    battery_gauge(o, pct);
  const char *verdict = cp_rj_str(bat, "verdict");
  if (verdict) {
    const char *w = cp_rw_verdict(verdict);
    cp_rout_put(o, "<p><strong>");
    cp_rout_esc(o, _("Verdict:"));
    cp_rout_put(o, "</strong> ");
    cp_rout_esc(o, w ? w : verdict);
    cp_rout_put(o, "</p>\n");
  }
  const json_t *reasons = json_object_get(bat, "reasons");
  if (json_array_size(reasons) > 0) {
    cp_rout_put(o, "<p>");
    cp_rout_esc(o, _("Why:"));
    cp_rout_put(o, "</p>\n<ul>\n");
    size_t i;
    json_t *r;
    json_array_foreach((json_t *)reasons, i, r)
    {
      if (i >= CP_RP_MAX_TOP)
        break;
      char buf[256];
      const char *s =
          cp_rw_battery_reason(cp_rj_str(r, "code"), cp_rj_number(json_object_get(r, "value")),
                               cp_rj_number(json_object_get(r, "limit")), 0, buf, sizeof buf);
      cp_rout_put(o, "<li>");
      if (s)
        cp_rout_esc(o, s);
      else if (cp_rj_str(r, "text_en"))
        cp_rout_esc(o, cp_rj_str(r, "text_en"));
      else
        cp_rout_value(o, json_is_object(r) ? json_object_get(r, "code") : r);
      cp_rout_put(o, "</li>\n");
    }
    cp_rout_put(o, "</ul>\n");
  }
  const json_t *sources = json_object_get(bat, "sources");
  static const char *const order[] = {"health_percent",
                                      "settings_max_capacity_percent",
                                      "capacity_ratio_percent",
                                      "full_charge_capacity_mah",
                                      "design_capacity_mah",
                                      "cycle_count",
                                      "rated_cycles",
                                      "charge_percent",
                                      "temperature_c",
                                      "voltage_mv",
                                      "is_charging",
                                      "external_connected",
                                      NULL};
  const char *cols[] = {_("Figure"), _("Value"), _("Where it came from"), NULL};
  cp_rp_table_open(o, _("Battery figures and their sources"), cols, NULL);
  for (size_t i = 0; order[i]; i++) {
    const json_t *v = json_object_get(bat, order[i]);
    if (!v || json_is_null(v))
      continue;
    cp_rout_put(o, "<tr><th scope=\"row\">");
    cp_rout_esc(o, cp_rw_battery_label(order[i]));
    cp_rout_put(o, "</th><td class=\"v\">");
    battery_value(o, order[i], v);
    cp_rout_put(o, "</td><td>");
    const char *src = cp_rj_str(sources, order[i]);
    if (src) {
      cp_rout_put(o, "<code>");
      cp_rout_esc(o, src);
      cp_rout_put(o, "</code>");
    } else if (!strcmp(order[i], "rated_cycles")) {
      cp_rout_esc(o, _("the rating for this model"));
    } else {
      cp_rout_put(o, "&#8212;");
    }
    cp_rout_put(o, "</td></tr>\n");
  }
  cp_rp_table_close(o);
  cp_rout_put(o, "</section>\n");
}
