/* See report.h. The page: a summary that answers the questions support and
 * the customer ask, then one section per subject, then the identifier rows
 * and file list folded into <details>. Every count and name comes from the
 * findings and is escaped; every sentence comes from the catalog. */
#include "report.h"

#include "i18n.h"
#include "report_out.h"
#include "report_words.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOP 10 /* rows in the "top" tables; the rest is in crashes/index.json */

/* ---- crash figures, counted once for the summary and the section ---- */

typedef struct crash_fig {
  int present;
  long long total, app, panics, forced, jetsam, resource, other;
  long long first, last; /* Unix times of the period covered, 0 = unknown */
  const json_t *groups, *panic_lines, *jetsam_procs;
} crash_fig;

/* A forced restart (holding the buttons; bug type 151 "ForceReset") is told
 * apart from a kernel panic: its panic text is "btn_rst". Triage may also give
 * the count itself as "forced_restarts". */
static int is_forced_restart_line(const char *line)
{
  return line && (strstr(line, "btn_rst") || strstr(line, "ForceReset"));
}

static void crash_figures(const json_t *cr, crash_fig *f)
{
  memset(f, 0, sizeof *f);
  f->total = f->app = f->panics = f->jetsam = f->resource = -1;
  if (!json_is_object(cr))
    return;
  f->present = 1;
  const json_t *triage = json_object_get(cr, "triage");
  if (!json_object_get(cr, "groups") && json_is_object(triage))
    cr = triage;
  f->total = cp_rj_count(json_object_get(cr, "total"));
  const json_t *panics = json_object_get(cr, "panics");
  f->panics = cp_rj_count(panics);
  f->panic_lines = json_object_get(panics, "first_lines");
  const json_t *jet = json_object_get(cr, "jetsam");
  f->jetsam = cp_rj_count(jet);
  f->jetsam_procs = json_object_get(jet, "largest_processes");
  long long forced = cp_rj_count(json_object_get(cr, "forced_restarts"));
  if (forced < 0) {
    forced = 0;
    size_t i;
    json_t *l;
    json_array_foreach((json_t *)f->panic_lines, i, l)
    {
      if (is_forced_restart_line(cp_rj_str(l, "line"))) {
        long long c = cp_rj_count(l);
        forced += c > 0 ? c : 1;
      }
    }
  }
  f->forced = forced;
  if (f->panics >= 0)
    f->panics = f->panics > forced ? f->panics - forced : 0;
  f->groups = json_object_get(cr, "groups");
  long long app = 0, res = 0, other = 0;
  size_t i;
  json_t *g;
  json_array_foreach((json_t *)f->groups, i, g)
  {
    long long c = cp_rj_count(json_object_get(g, "count"));
    if (c < 0)
      c = 1;
    const char *kind = cp_rj_str(g, "kind");
    if (!kind || !strcmp(kind, "crash"))
      app += c;
    else if (!strcmp(kind, "resource"))
      res += c;
    else if (strcmp(kind, "panic") && strcmp(kind, "jetsam") && strcmp(kind, "analytics"))
      other += c;
    json_t *ft = json_object_get(g, "first_time"), *lt = json_object_get(g, "last_time");
    if (json_is_integer(ft) && json_integer_value(ft) > 0 &&
        (!f->first || json_integer_value(ft) < f->first))
      f->first = json_integer_value(ft);
    if (json_is_integer(lt) && json_integer_value(lt) > f->last)
      f->last = json_integer_value(lt);
  }
  f->app = app;
  f->resource = res;
  f->other = other;
  if (f->jetsam < 0)
    f->jetsam = 0;
  if (f->panics < 0)
    f->panics = 0;
}

/* ---- small pieces ---- */

static void section_open(cp_rout *o, const char *id, const char *heading)
{
  cp_rout_putf(o, "<section aria-labelledby=\"h-%s\">\n<h2 id=\"h-%s\">", id, id);
  cp_rout_esc(o, heading);
  cp_rout_put(o, "</h2>\n");
}

static void para(cp_rout *o, const char *cls, const char *text)
{
  cp_rout_put(o, cls && !strcmp(cls, "none") ? "<p class=\"none\">" : "<p>");
  cp_rout_esc(o, text);
  cp_rout_put(o, "</p>\n");
}

static void table_open(cp_rout *o, const char *caption, const char *const *cols, const int *num)
{
  cp_rout_put(o, "<table>\n<caption>");
  cp_rout_esc(o, caption);
  cp_rout_put(o, "</caption>\n<thead><tr>");
  for (size_t i = 0; cols[i]; i++) {
    cp_rout_put(o, num && num[i] ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">");
    cp_rout_esc(o, cols[i]);
    cp_rout_put(o, "</th>");
  }
  cp_rout_put(o, "</tr></thead>\n<tbody>\n");
}

static void table_close(cp_rout *o)
{
  cp_rout_put(o, "</tbody>\n</table>\n");
}

/* A scope's plain name, or the internal one when it is unknown. */
static void scope_name(cp_rout *o, const json_t *v)
{
  const char *s = json_is_string(v) ? json_string_value(v) : NULL;
  const char *t = cp_rw_scope(s);
  if (t)
    cp_rout_esc(o, t);
  else
    cp_rout_value(o, v);
}

static void scope_list(cp_rout *o, const json_t *a)
{
  size_t i;
  json_t *v;
  json_array_foreach((json_t *)a, i, v)
  {
    if (i >= CP_REPORT_MAX_ROWS)
      break;
    if (i)
      cp_rout_esc(o, _(", "));
    scope_name(o, v);
  }
}

/* "<udid-1>": a value the redactor replaced, which says nothing to a reader. */
static int is_placeholder(const json_t *v)
{
  const char *s = json_is_string(v) ? json_string_value(v) : NULL;
  size_t n = s ? strlen(s) : 0;
  if (n < 4 || s[0] != '<' || s[n - 1] != '>')
    return 0;
  for (size_t i = 1; i + 1 < n; i++)
    if (s[i] == '<' || s[i] == '>' || s[i] == ' ')
      return 0;
  return 1;
}

/* ---- summary ---- */

static double battery_health(const json_t *bat)
{
  static const char *const keys[] = {"health_percent",       "maximum_capacity_percent",
                                     "max_capacity_percent", "settings_max_capacity_percent",
                                     "capacity_percent",     NULL};
  double d = cp_rj_number(cp_rj_pick(bat, keys));
  if (isnan(d) || d < 0)
    return NAN;
  return d > 100 ? 100 : d;
}

static void device_line(cp_rout *o, const json_t *dev)
{
  static const char *const model_keys[] = {"marketing_name", "product_type", "model", NULL};
  static const char *const ios_keys[] = {"ios_version", "product_version", "ProductVersion", NULL};
  const json_t *model = cp_rj_pick(dev, model_keys);
  const json_t *ios = cp_rj_pick(dev, ios_keys);
  const char *pt = cp_rj_str(dev, "product_type");
  const char *build = cp_rj_str(dev, "build_version");
  if (!model && !ios) {
    cp_rout_esc(o, _("Not collected."));
    return;
  }
  cp_rout_put(o, "<strong>");
  if (model)
    cp_rout_value(o, model);
  else
    cp_rout_esc(o, _("Unknown model"));
  cp_rout_put(o, "</strong>");
  if (pt && model && json_is_string(model) && strcmp(pt, json_string_value(model))) {
    cp_rout_put(o, " (");
    cp_rout_esc(o, pt);
    cp_rout_put(o, ")");
  }
  if (ios) {
    cp_rout_put(o, ", ");
    cp_rout_esc(o, _("iOS"));
    cp_rout_put(o, " <strong>");
    cp_rout_value(o, ios);
    cp_rout_put(o, "</strong>");
    if (build) {
      cp_rout_put(o, " (");
      cp_rout_escf(o, _("build %s"), build);
      cp_rout_put(o, ")");
    }
  }
}

/* One part of the crashes sentence; a switch so each plural pair is a
 * literal that xgettext extracts. */
static const char *crash_part(size_t i, long long n)
{
  unsigned long k = (unsigned long)n;
  switch (i) {
  case 0: return ngettext("%lld app crash", "%lld app crashes", k);
  case 1: return ngettext("%lld kernel panic", "%lld kernel panics", k);
  case 2: return ngettext("%lld forced restart", "%lld forced restarts", k);
  case 3:
    return ngettext("%lld app closed for low memory (jetsam)",
                    "%lld apps closed for low memory (jetsam)", k);
  case 4: return ngettext("%lld resource report", "%lld resource reports", k);
  default: return ngettext("%lld other report", "%lld other reports", k);
  }
}

static void crash_counts_sentence(cp_rout *o, const crash_fig *f)
{
  const long long n[] = {f->app, f->panics, f->forced, f->jetsam, f->resource, f->other};
  int any = 0;
  for (size_t i = 0; i < sizeof n / sizeof n[0]; i++) {
    if (n[i] <= 0)
      continue;
    if (any)
      cp_rout_esc(o, _(", "));
    any = 1;
    /* each format is a literal above (or its translation, checked by msgfmt --check) */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    cp_rout_escf(o, crash_part(i, n[i]), n[i]);
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
  }
  if (!any)
    cp_rout_esc(o, _("No crashes, panics or low-memory events."));
}

static void period(cp_rout *o, const crash_fig *f)
{
  char a[32], b[32];
  cp_rj_date(f->first, a);
  cp_rj_date(f->last, b);
  if (a[0] && b[0]) {
    cp_rout_put(o, " ");
    cp_rout_escf(o, _("(reports from %s to %s)"), a, b);
  }
}

/* "Most often: Maps (5), Safari (2)": the apps with the most app-crash
 * reports, summed over their signatures, at most three. */
static void top_apps(cp_rout *o, const crash_fig *f)
{
  json_t *per = json_object();
  size_t i;
  json_t *g;
  json_array_foreach((json_t *)f->groups, i, g)
  {
    const char *kind = cp_rj_str(g, "kind"), *proc = cp_rj_str(g, "process");
    if (!per || !proc || (kind && strcmp(kind, "crash")))
      continue;
    long long c = cp_rj_count(json_object_get(g, "count"));
    json_t *cur = json_object_get(per, proc);
    json_object_set_new(per, proc,
                        json_integer((cur ? json_integer_value(cur) : 0) + (c > 0 ? c : 1)));
  }
  for (int shown = 0; shown < 3 && json_object_size(per) > 0; shown++) {
    const char *best = NULL, *k;
    long long bn = -1;
    json_t *v;
    json_object_foreach(per, k, v)
    {
      if (json_integer_value(v) > bn) {
        bn = json_integer_value(v);
        best = k;
      }
    }
    if (!best)
      break;
    if (shown == 0) {
      cp_rout_put(o, " ");
      cp_rout_esc(o, _("Most often:"));
      cp_rout_put(o, " ");
    } else {
      cp_rout_esc(o, _(", "));
    }
    cp_rout_esc(o, best);
    cp_rout_putf(o, " (%lld)", bn);
    json_object_del(per, best);
  }
  json_decref(per);
}

static void summary(cp_rout *o, const json_t *f, const crash_fig *cf)
{
  const json_t *dev = json_object_get(f, "device");
  const json_t *bat = json_object_get(f, "battery");
  section_open(o, "summary", _("Summary"));
  cp_rout_put(o, "<dl class=\"answers\">\n<dt>");
  cp_rout_esc(o, _("Phone"));
  cp_rout_put(o, "</dt><dd>");
  device_line(o, dev);
  cp_rout_put(o, "</dd>\n<dt>");
  cp_rout_esc(o, _("Battery"));
  cp_rout_put(o, "</dt><dd>");
  double h = battery_health(bat);
  const char *verdict = cp_rj_str(bat, "verdict");
  if (!json_is_object(bat)) {
    cp_rout_esc(o, _("Not collected."));
  } else {
    if (!isnan(h)) {
      cp_rout_put(o, "<strong>");
      cp_rout_escf(o, _("%.0f %% health"), h);
      cp_rout_put(o, "</strong>");
    }
    if (verdict) {
      const char *w = cp_rw_verdict(verdict);
      cp_rout_put(o, isnan(h) ? "" : " &#8212; ");
      cp_rout_put(o, !strcmp(verdict, "service") ? "<strong class=\"warn\">" : "<strong>");
      if (w)
        cp_rout_esc(o, w);
      else
        cp_rout_esc(o, verdict);
      cp_rout_put(o, "</strong>");
    }
    const json_t *reasons = json_object_get(bat, "reasons");
    if (json_array_size(reasons) > 0)
      cp_rout_put(o, " <a href=\"#h-battery\">");
    if (json_array_size(reasons) > 0) {
      cp_rout_escf(
          o, ngettext("(%zu reason, below)", "(%zu reasons, below)", json_array_size(reasons)),
          json_array_size(reasons));
      cp_rout_put(o, "</a>");
    }
  }
  cp_rout_put(o, "</dd>\n<dt>");
  cp_rout_esc(o, _("Crashes"));
  cp_rout_put(o, "</dt><dd>");
  if (!cf->present)
    cp_rout_esc(o, _("Not collected."));
  else {
    crash_counts_sentence(o, cf);
    period(o, cf);
    top_apps(o, cf);
  }
  cp_rout_put(o, "</dd>\n<dt>");
  cp_rout_esc(o, _("Not collected"));
  cp_rout_put(o, "</dt><dd>");
  const json_t *refused = json_object_get(json_object_get(f, "scopes"), "refused");
  if (json_array_size(refused) > 0) {
    scope_list(o, refused);
    cp_rout_put(o, " ");
    cp_rout_esc(o, _("(you said no: never read from the phone)"));
  } else {
    cp_rout_esc(o, _("Nothing: every part you were asked about was agreed to."));
  }
  cp_rout_put(o, "</dd>\n<dt>");
  cp_rout_esc(o, _("Privacy"));
  cp_rout_put(o, "</dt><dd>");
  const json_t *red = json_object_get(f, "redaction");
  const json_t *classes = json_object_get(red, "classes");
  long long total = 0;
  size_t nclasses = 0;
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)classes, k, v)
  {
    long long n = cp_rj_count(v);
    if (n > 0) {
      total += n;
      nclasses++;
    }
  }
  if (!json_is_object(red))
    cp_rout_esc(o, _("No redaction report."));
  else {
    cp_rout_escf(o,
                 ngettext("%lld personal value replaced by a placeholder",
                          "%lld personal values replaced by placeholders", (unsigned long)total),
                 total);
    cp_rout_put(o, " ");
    cp_rout_escf(
        o, ngettext("(%zu kind, see Privacy below).", "(%zu kinds, see Privacy below).", nclasses),
        nclasses);
  }
  cp_rout_put(o, "</dd>\n</dl>\n</section>\n");
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

static void section_battery(cp_rout *o, const json_t *bat)
{
  section_open(o, "battery", _("Battery"));
  if (!json_is_object(bat) || json_object_size(bat) == 0) {
    para(o, "none", _("Battery health was not collected."));
    cp_rout_put(o, "</section>\n");
    return;
  }
  double pct = battery_health(bat);
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
      if (i >= MAX_TOP)
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
  table_open(o, _("Battery figures and their sources"), cols, NULL);
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
  table_close(o);
  cp_rout_put(o, "</section>\n");
}

/* ---- crashes ---- */

static const char *kind_word(const char *kind)
{
  if (!kind || !strcmp(kind, "crash"))
    return _("App crash");
  if (!strcmp(kind, "resource"))
    return _("Resource report");
  if (!strcmp(kind, "panic"))
    return _("Kernel panic");
  if (!strcmp(kind, "jetsam"))
    return _("Low memory");
  return _("Other");
}

/* Indexes of the groups with the highest counts, at most MAX_TOP. */
static size_t top_groups(const json_t *groups, size_t *idx)
{
  size_t n = 0, i;
  json_t *g;
  json_array_foreach((json_t *)groups, i, g)
  {
    long long c = cp_rj_count(json_object_get(g, "count"));
    size_t pos = n < MAX_TOP ? n : MAX_TOP;
    while (pos > 0 &&
           cp_rj_count(json_object_get(json_array_get(groups, idx[pos - 1]), "count")) < c)
      pos--;
    if (pos >= MAX_TOP)
      continue;
    size_t end = n < MAX_TOP ? n : MAX_TOP - 1;
    memmove(idx + pos + 1, idx + pos, (end - pos) * sizeof *idx);
    idx[pos] = i;
    if (n < MAX_TOP)
      n++;
  }
  return n;
}

static void name_count_list(cp_rout *o, const json_t *a, const char *name_key, const char *label)
{
  if (json_array_size(a) == 0)
    return;
  cp_rout_put(o, "<h3>");
  cp_rout_esc(o, label);
  cp_rout_put(o, "</h3>\n<ul>\n");
  size_t i;
  json_t *x;
  json_array_foreach((json_t *)a, i, x)
  {
    if (i >= MAX_TOP)
      break;
    const char *name = cp_rj_str(x, name_key);
    if (!name || is_forced_restart_line(name))
      continue;
    cp_rout_put(o, "<li>");
    cp_rout_esc(o, name);
    long long c = cp_rj_count(x);
    if (c > 0) {
      cp_rout_put(o, " &#8212; ");
      cp_rout_escf(o, ngettext("%lld time", "%lld times", (unsigned long)c), c);
    }
    cp_rout_put(o, "</li>\n");
  }
  cp_rout_put(o, "</ul>\n");
}

static void section_crashes(cp_rout *o, const crash_fig *f)
{
  section_open(o, "crashes", _("Crashes"));
  if (!f->present) {
    para(o, "none", _("Crash reports were not collected."));
    cp_rout_put(o, "</section>\n");
    return;
  }
  cp_rout_put(o, "<p>");
  crash_counts_sentence(o, f);
  period(o, f);
  cp_rout_put(o, "</p>\n");
  if (f->forced > 0)
    para(o, NULL,
         _("A forced restart is the person holding the buttons to restart the phone; it is not "
           "a kernel panic."));
  size_t idx[MAX_TOP];
  size_t n = top_groups(f->groups, idx);
  if (n > 0) {
    const char *cols[] = {_("App or process"), _("What happened"), _("Reports"), _("Latest"), NULL};
    const int num[] = {0, 0, 1, 0};
    table_open(o, _("Top crash signatures (same process and exception)"), cols, num);
    for (size_t r = 0; r < n; r++) {
      const json_t *g = json_array_get(f->groups, idx[r]);
      cp_rout_put(o, "<tr><th scope=\"row\">");
      const char *proc = cp_rj_str(g, "process");
      cp_rout_esc(o, proc ? proc : "?");
      cp_rout_put(o, "</th><td>");
      cp_rout_esc(o, kind_word(cp_rj_str(g, "kind")));
      static const char *const exc_keys[] = {"exception_type", "exception", "signal",
                                             "bug_type_name", NULL};
      const json_t *exc = cp_rj_pick(g, exc_keys);
      if (exc) {
        cp_rout_esc(o, _(": "));
        cp_rout_value(o, exc);
      }
      const char *sig = cp_rj_str(g, "signature");
      if (sig) {
        cp_rout_put(o, " <code>");
        cp_rout_esc(o, sig);
        cp_rout_put(o, "</code>");
      }
      cp_rout_put(o, "</td><td class=\"num\">");
      long long c = cp_rj_count(json_object_get(g, "count"));
      cp_rout_putf(o, "%lld", c < 0 ? 0 : c);
      cp_rout_put(o, "</td><td>");
      char d[32];
      json_t *lt = json_object_get(g, "last_time");
      cp_rj_date(json_is_integer(lt) ? json_integer_value(lt) : 0, d);
      if (d[0])
        cp_rout_esc(o, d);
      else if (cp_rj_str(g, "last_seen"))
        cp_rout_esc(o, cp_rj_str(g, "last_seen"));
      else
        cp_rout_put(o, "&#8212;");
      cp_rout_put(o, "</td></tr>\n");
    }
    table_close(o);
    if (json_array_size(f->groups) > n) {
      cp_rout_put(o, "<p>");
      cp_rout_escf(o, _("%zu more signatures are listed in crashes/index.json."),
                   json_array_size(f->groups) - n);
      cp_rout_put(o, "</p>\n");
    }
  }
  name_count_list(o, f->panic_lines, "line", _("Kernel panics: what the phone said"));
  name_count_list(o, f->jetsam_procs, "process", _("Largest apps when memory ran out"));
  cp_rout_put(o, "</section>\n");
}

/* ---- battery drain suspects ---- */

static void section_drain(cp_rout *o, const json_t *drain)
{
  const json_t *s = json_object_get(drain, "suspects");
  if (!json_is_array(s))
    return;
  section_open(o, "drain", _("Battery drain suspects"));
  if (json_array_size(s) == 0) {
    para(o, NULL, _("No app stood out as draining the battery."));
    cp_rout_put(o, "</section>\n");
    return;
  }
  const char *since = cp_rj_str(drain, "since");
  if (since) {
    cp_rout_put(o, "<p>");
    cp_rout_escf(o, _("Since %s."), since);
    cp_rout_put(o, "</p>\n");
  }
  const char *cols[] = {_("App or process"), _("What it did"), _("Times"),
                        _("Worst"),          _("Last"),        NULL};
  const int num[] = {0, 0, 1, 1, 0};
  table_open(o, _("Apps that may drain the battery"), cols, num);
  size_t i;
  json_t *x;
  json_array_foreach((json_t *)s, i, x)
  {
    if (i >= CP_REPORT_MAX_ROWS)
      break;
    cp_rout_put(o, "<tr><th scope=\"row\">");
    const char *p = cp_rj_str(x, "process");
    cp_rout_esc(o, p ? p : "?");
    cp_rout_put(o, "</th><td>");
    const char *k = cp_rj_str(x, "kind");
    const char *kw = cp_rw_drain_kind(k);
    cp_rout_esc(o, kw ? kw : k ? k : "");
    cp_rout_put(o, "</td><td class=\"num\">");
    long long c = cp_rj_count(json_object_get(x, "count"));
    if (c >= 0)
      cp_rout_putf(o, "%lld", c);
    cp_rout_put(o, "</td><td class=\"num\">");
    const json_t *w = json_object_get(x, "worst");
    double wv = cp_rj_number(json_object_get(w, "value"));
    const char *unit = cp_rj_str(w, "unit");
    if (!isnan(wv)) {
      const char *u = !unit                    ? ""
                      : !strcmp(unit, "s")     ? _("s of CPU")
                      : !strcmp(unit, "per_s") ? _("per second")
                      : !strcmp(unit, "MB")    ? "MB"
                      : !strcmp(unit, "count") ? ""
                                               : unit;
      char buf[96];
      snprintf(buf, sizeof buf, "%.*f %s", wv == floor(wv) ? 0 : 1, wv, u);
      cp_rout_esc(o, buf);
    }
    cp_rout_put(o, "</td><td>");
    const char *last = cp_rj_str(x, "last");
    cp_rout_esc(o, last ? last : "");
    cp_rout_put(o, "</td></tr>\n");
  }
  table_close(o);
  cp_rout_put(o, "</section>\n");
}

/* ---- what was collected ---- */

static void section_collection(cp_rout *o, const json_t *f)
{
  section_open(o, "collection", _("What was collected"));
  const json_t *scopes = json_object_get(f, "scopes");
  const json_t *granted = json_object_get(scopes, "granted");
  const json_t *refused = json_object_get(scopes, "refused");
  cp_rout_put(o, "<p><strong>");
  cp_rout_esc(o, _("Agreed to:"));
  cp_rout_put(o, "</strong> ");
  if (json_array_size(granted))
    scope_list(o, granted);
  else
    cp_rout_esc(o, _("nothing"));
  cp_rout_put(o, "</p>\n<p><strong>");
  cp_rout_esc(o, _("Refused, never read:"));
  cp_rout_put(o, "</strong> ");
  if (json_array_size(refused))
    scope_list(o, refused);
  else
    cp_rout_esc(o, _("nothing"));
  cp_rout_put(o, "</p>\n");

  /* probes that did not succeed: a missing section is explained */
  const json_t *probes = json_object_get(f, "probes");
  const char *k;
  json_t *v;
  int failed = 0;
  json_object_foreach((json_t *)probes, k, v)
  {
    const char *st = cp_rj_str(v, "status");
    if (st && !strcmp(st, "ok"))
      continue;
    if (!failed++) {
      const char *cols[] = {_("Part"), _("Result"), _("Detail"), NULL};
      table_open(o, _("Parts that could not be collected"), cols, NULL);
    }
    cp_rout_put(o, "<tr><th scope=\"row\">");
    const json_t *scope = json_object_get(v, "scope");
    if (scope)
      scope_name(o, scope);
    cp_rout_put(o, " (");
    cp_rout_esc(o, k);
    cp_rout_put(o, ")</th><td>");
    if (st && !strcmp(st, "failed"))
      cp_rout_esc(o, _("failed"));
    else if (st)
      cp_rout_esc(o, st);
    cp_rout_put(o, "</td><td>");
    const char *code = cp_rj_str(v, "code"), *detail = cp_rj_str(v, "detail");
    if (code)
      cp_rout_esc(o, code);
    if (code && detail && detail[0])
      cp_rout_put(o, ": ");
    if (detail)
      cp_rout_esc(o, detail);
    cp_rout_put(o, "</td></tr>\n");
  }
  if (failed)
    table_close(o);

  const json_t *sl = json_object_get(f, "syslog");
  if (json_is_object(sl)) {
    long long bytes = cp_rj_count(json_object_get(sl, "bytes"));
    cp_rout_put(o, "<p>");
    if (bytes >= 0)
      cp_rout_escf(o, _("Device log: %lld bytes."), bytes);
    if (json_is_true(json_object_get(sl, "truncated"))) {
      const char *why = cp_rj_str(sl, "why");
      const char *w = cp_rw_syslog_why(why);
      cp_rout_put(o, " ");
      cp_rout_escf(o, _("The log was cut short: %s."), w ? w : why ? why : _("reason unknown"));
    }
    cp_rout_put(o, "</p>\n");
  }
  const json_t *sd = json_object_get(f, "sysdiagnose");
  if (json_is_object(sd)) {
    long long n = cp_rj_count(json_object_get(sd, "members"));
    const json_t *lo = json_object_get(sd, "left_out");
    cp_rout_put(o, "<p>");
    if (n >= 0)
      cp_rout_escf(o,
                   ngettext("Sysdiagnose: %lld file kept.", "Sysdiagnose: %lld files kept.",
                            (unsigned long)n),
                   n);
    cp_rout_put(o, "</p>\n");
    if (json_array_size(lo) > 0) {
      const char *cols[] = {_("File"), _("Why it was left out"), NULL};
      table_open(o, _("Sysdiagnose files left out"), cols, NULL);
      size_t i;
      json_t *x;
      json_array_foreach((json_t *)lo, i, x)
      {
        if (i >= CP_REPORT_MAX_ROWS)
          break;
        cp_rout_put(o, "<tr><th scope=\"row\">");
        cp_rout_esc(o, cp_rj_str(x, "name") ? cp_rj_str(x, "name") : "?");
        cp_rout_put(o, "</th><td>");
        const char *why = cp_rj_str(x, "why");
        const char *ww = cp_rw_sysdiag_why(why);
        cp_rout_esc(o, ww ? ww : why ? why : "");
        cp_rout_put(o, "</td></tr>\n");
      }
      table_close(o);
    }
  }
  cp_rout_put(o, "</section>\n");
}

/* ---- privacy ---- */

static void section_privacy(cp_rout *o, const json_t *f)
{
  section_open(o, "privacy", _("Privacy: what was replaced"));
  const json_t *red = json_object_get(f, "redaction");
  if (!json_is_object(red)) {
    para(o, "none", _("No redaction report."));
    cp_rout_put(o, "</section>\n");
    return;
  }
  para(o, NULL,
       _("Before anything was saved, personal values were replaced by placeholders such as "
         "<serial-1>. The same value always gets the same placeholder."));
  const json_t *classes = json_object_get(red, "classes");
  if (!json_is_object(classes))
    classes = red; /* a flat {"email": 3} report */
  const char *cols[] = {_("Kind of value"), _("Replaced"), NULL};
  const int num[] = {0, 1};
  table_open(o, _("Values replaced, per kind"), cols, num);
  size_t rows = 0;
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)classes, k, v)
  {
    long long n = cp_rj_count(v);
    if (n < 0)
      continue;
    if (rows++ >= CP_REPORT_MAX_ROWS)
      break;
    const char *w = cp_rw_class(k);
    cp_rout_put(o, "<tr><th scope=\"row\">");
    cp_rout_esc(o, w ? w : k);
    cp_rout_putf(o, "</th><td class=\"num\">%lld</td></tr>\n", n);
  }
  if (rows == 0) {
    cp_rout_put(o, "<tr><th scope=\"row\">");
    cp_rout_esc(o, _("(none found)"));
    cp_rout_put(o, "</th><td class=\"num\">0</td></tr>\n");
  }
  table_close(o);
  const json_t *off = json_object_get(red, "classes_off");
  if (json_array_size(off) > 0) {
    cp_rout_put(o, "<p><strong>");
    cp_rout_esc(o, _("Not replaced in this bundle (turned off):"));
    cp_rout_put(o, "</strong> ");
    size_t i;
    json_t *x;
    json_array_foreach((json_t *)off, i, x)
    {
      if (i >= CP_REPORT_MAX_ROWS)
        break;
      if (i)
        cp_rout_esc(o, _(", "));
      const char *w = cp_rw_class(json_string_value(x));
      if (w)
        cp_rout_esc(o, w);
      else
        cp_rout_value(o, x);
    }
    cp_rout_put(o, "</p>\n");
  }
  cp_rout_put(o, "</section>\n");
}

/* ---- details, folded ---- */

static void kv_rows(cp_rout *o, const json_t *obj, int placeholders)
{
  const char *k;
  json_t *v;
  size_t rows = 0;
  json_object_foreach((json_t *)obj, k, v)
  {
    if (json_is_object(v) || is_placeholder(v) != placeholders)
      continue;
    if (rows++ >= CP_REPORT_MAX_ROWS)
      break;
    cp_rout_put(o, "<tr><th scope=\"row\">");
    cp_rout_esc(o, k);
    cp_rout_put(o, "</th><td>");
    cp_rout_value(o, v);
    cp_rout_put(o, "</td></tr>\n");
  }
  if (rows == 0) {
    cp_rout_put(o, "<tr><th scope=\"row\">&#8212;</th><td>&#8212;</td></tr>\n");
  }
}

static void details_device(cp_rout *o, const json_t *dev)
{
  if (!json_is_object(dev) || json_object_size(dev) == 0)
    return;
  const char *cols[] = {_("Field"), _("Value"), NULL};
  cp_rout_put(o, "<details>\n<summary>");
  cp_rout_esc(o, _("Device details"));
  cp_rout_put(o, "</summary>\n");
  table_open(o, _("Device details"), cols, NULL);
  kv_rows(o, dev, 0);
  table_close(o);
  cp_rout_put(o, "</details>\n<details>\n<summary>");
  cp_rout_esc(o, _("Identifiers (replaced by placeholders)"));
  cp_rout_put(o, "</summary>\n");
  table_open(o, _("Identifiers (replaced by placeholders)"), cols, NULL);
  kv_rows(o, dev, 1);
  table_close(o);
  cp_rout_put(o, "</details>\n");
}

static void details_files(cp_rout *o, const json_t *members)
{
  if (!json_is_array(members))
    return;
  cp_rout_put(o, "<details>\n<summary>");
  cp_rout_escf(o,
               ngettext("Files in this bundle (%zu)", "Files in this bundle (%zu)",
                        json_array_size(members)),
               json_array_size(members));
  cp_rout_put(o, "</summary>\n");
  const char *cols[] = {_("File"), _("Part"), _("Bytes"), NULL};
  const int num[] = {0, 0, 1};
  table_open(o, _("Files in this bundle"), cols, num);
  size_t i;
  json_t *m;
  json_array_foreach((json_t *)members, i, m)
  {
    if (i >= CP_REPORT_MAX_ROWS)
      break;
    cp_rout_put(o, "<tr><th scope=\"row\">");
    cp_rout_value(o, json_is_object(m) ? json_object_get(m, "path") : m);
    cp_rout_put(o, "</th><td>");
    json_t *scope = json_is_object(m) ? json_object_get(m, "scope") : NULL;
    if (scope)
      scope_name(o, scope);
    else
      cp_rout_put(o, "&#8212;");
    cp_rout_put(o, "</td><td class=\"num\">");
    json_t *size = json_is_object(m) ? json_object_get(m, "size") : NULL;
    if (size)
      cp_rout_value(o, size);
    else
      cp_rout_put(o, "&#8212;");
    cp_rout_put(o, "</td></tr>\n");
  }
  table_close(o);
  if (json_array_size(members) > CP_REPORT_MAX_ROWS) {
    cp_rout_put(o, "<p>");
    cp_rout_escf(o, _("%zu more files are listed in manifest.json."),
                 json_array_size(members) - CP_REPORT_MAX_ROWS);
    cp_rout_put(o, "</p>\n");
  }
  cp_rout_put(o, "</details>\n");
}

/* ---- the page ---- */

/* Contrast: text #1a1a1a on #fff (17:1), links #0b4ea2 (7.9:1), the warning
 * #a4262c (7:1); sizes in rem so 200 % zoom reflows; tables wrap long words
 * instead of scrolling at 360 px. */
static const char css[] =
    "*{box-sizing:border-box}"
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",\"Noto Sans CJK SC\",\"PingFang SC\","
    "\"Microsoft YaHei\",sans-serif;color:#1a1a1a;background:#fff;max-width:50rem;margin:0 auto;"
    "padding:0.75rem 1rem;line-height:1.5;font-size:1rem;overflow-wrap:break-word}"
    "h1{font-size:1.5rem;margin:0.25rem 0}h2{font-size:1.25rem;border-bottom:2px solid #1a1a1a;"
    "margin-top:1.75rem}h3{font-size:1.05rem}"
    ".answers{display:grid;grid-template-columns:max-content 1fr;gap:0.4rem 1rem;margin:0}"
    ".answers dt{font-weight:bold}.answers dd{margin:0}"
    "@media (max-width:30rem){.answers{display:block}.answers dd{margin:0 0 0.6rem}"
    "body{padding:0.5rem}th,td{padding:0.2rem 0.25rem}table{font-size:0.9rem}}"
    "table{border-collapse:collapse;margin:0.5rem 0 1rem;width:100%;font-size:0.95rem}"
    "caption{text-align:left;font-weight:bold;padding:0.25rem 0}"
    "th,td{border:1px solid #595959;padding:0.3rem 0.45rem;text-align:left;vertical-align:top;"
    "overflow-wrap:anywhere}thead th{background:#e8e8e8;overflow-wrap:normal}"
    "td code{overflow-wrap:anywhere;word-break:break-all;font-size:0.85em}"
    "li,p,dd,summary{overflow-wrap:anywhere}td.v,td.num{overflow-wrap:normal}"
    "@media (min-width:30rem){td.v{white-space:nowrap}}"
    ".num{text-align:right}.none{font-style:italic}.warn{color:#a4262c}"
    "figure{margin:0.5rem 0}svg{max-width:100%;height:auto}code{font-size:0.9em}"
    "details{margin:0.75rem 0;border:1px solid #595959;padding:0.25rem 0.5rem}"
    "summary{cursor:pointer;font-weight:bold;padding:0.25rem 0}"
    "a{color:#0b4ea2}:focus-visible{outline:3px solid #0b4ea2;outline-offset:2px}"
    "@media print{body{max-width:none;font-size:10pt;padding:0}a{color:#1a1a1a}"
    "h2{break-after:avoid}tr,figure,dl{break-inside:avoid}details{border:0;padding:0}"
    "summary{list-style:none}details::details-content{content-visibility:visible;display:block}}";

static cp_err render(const json_t *f, const json_t *members, cp_rout *o)
{
  const json_t *case_id = json_object_get(f, "case_id");
  const json_t *created = json_object_get(f, "created");
  crash_fig cf;
  crash_figures(json_object_get(f, "crashes"), &cf);
  cp_rout_putf(o,
               "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
               cp_i18n_lang());
  if (json_is_string(case_id))
    cp_rout_escf(o, _("Diagnostic report for case %s"), json_string_value(case_id));
  else
    cp_rout_esc(o, _("Diagnostic report"));
  cp_rout_put(o, "</title>\n<style>");
  cp_rout_put(o, css);
  cp_rout_put(o, "</style>\n</head>\n<body>\n<header>\n<h1>");
  if (json_is_string(case_id))
    cp_rout_escf(o, _("Diagnostic report: case %s"), json_string_value(case_id));
  else
    cp_rout_esc(o, _("Diagnostic report"));
  cp_rout_put(o, "</h1>\n");
  if (json_is_string(created)) {
    cp_rout_put(o, "<p>");
    cp_rout_escf(o, _("Made %s (UTC) by caseprobe. Personal values are replaced by placeholders."),
                 json_string_value(created));
    cp_rout_put(o, "</p>\n");
  }
  cp_rout_put(o, "</header>\n<main>\n");
  summary(o, f, &cf);
  section_battery(o, json_object_get(f, "battery"));
  section_crashes(o, &cf);
  section_drain(o, json_object_get(f, "drain"));
  section_collection(o, f);
  section_privacy(o, f);
  section_open(o, "details", _("Details"));
  details_device(o, json_object_get(f, "device"));
  const json_t *fm = json_object_get(f, "members");
  details_files(o, json_is_array(fm) ? fm : members);
  cp_rout_put(o, "</section>\n</main>\n<footer><p>");
  cp_rout_esc(o, _("Anyone can check that this bundle is complete and unchanged with"));
  cp_rout_put(o, " <code>caseprobe verify</code>.</p></footer>\n</body>\n</html>\n");
  return o->rc;
}

cp_err cp_report_render(const json_t *findings, const json_t *members, cp_report_write_fn fn,
                        void *ctx, cp_error *err)
{
  cp_rout o = {fn, ctx, err, CP_OK};
  json_t *empty = json_object();
  if (!empty)
    return cp_error_set(err, CP_E_NOMEM, "report");
  const json_t *f = json_is_object(findings) ? findings : empty;
  /* The findings may name the language (a bundle re-rendered, the assist
   * page); render in it and put the process's language back after. Held
   * under the i18n lock: station jobs render in parallel threads. */
  cp_i18n_lock();
  const char *was = cp_i18n_lang();
  const char *want = cp_i18n_canon(cp_rj_str(f, "language"));
  if (want)
    (void)cp_i18n_set_lang(want);
  cp_err rc = render(f, members, &o);
  if (want)
    (void)cp_i18n_set_lang(was);
  cp_i18n_unlock();
  json_decref(empty);
  return rc;
}

const char *cp_report_battery_reason_en(const char *code, double value, double limit, char *out,
                                        size_t size)
{
  return cp_rw_battery_reason(code, value, limit, 1, out, size);
}
