/* The report's crash and drain sections (report_page.h), and the crash
 * figures counted once for them and the summary. */
#include "i18n.h"
#include "report_out.h"
#include "report_page.h"
#include "report_words.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- crash figures, counted once for the summary and the section ---- */

/* A forced restart (holding the buttons; bug type 151 "ForceReset") is told
 * apart from a kernel panic: its panic text is "btn_rst". Triage may also give
 * the count itself as "forced_restarts". */
int cp_rp_is_forced_restart(const char *line)
{
  return line && (strstr(line, "btn_rst") || strstr(line, "ForceReset"));
}

void cp_rp_crash_figures(const json_t *cr, cp_rp_crash_fig *f)
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
      if (cp_rp_is_forced_restart(cp_rj_str(l, "line"))) {
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

void cp_rp_crash_counts_sentence(cp_rout *o, const cp_rp_crash_fig *f)
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

void cp_rp_period(cp_rout *o, const cp_rp_crash_fig *f)
{
  char a[32], b[32];
  cp_rj_date(f->first, a);
  cp_rj_date(f->last, b);
  if (a[0] && b[0]) {
    cp_rout_put(o, " ");
    cp_rout_escf(o, _("(reports from %s to %s)"), a, b);
  }
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

/* Indexes of the groups with the highest counts, at most CP_RP_MAX_TOP. */
static size_t top_groups(const json_t *groups, size_t *idx)
{
  size_t n = 0, i;
  json_t *g;
  json_array_foreach((json_t *)groups, i, g)
  {
    long long c = cp_rj_count(json_object_get(g, "count"));
    size_t pos = n < CP_RP_MAX_TOP ? n : CP_RP_MAX_TOP;
    while (pos > 0 &&
           cp_rj_count(json_object_get(json_array_get(groups, idx[pos - 1]), "count")) < c)
      pos--;
    if (pos >= CP_RP_MAX_TOP)
      continue;
    size_t end = n < CP_RP_MAX_TOP ? n : CP_RP_MAX_TOP - 1;
    memmove(idx + pos + 1, idx + pos, (end - pos) * sizeof *idx);
    idx[pos] = i;
    if (n < CP_RP_MAX_TOP)
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
    if (i >= CP_RP_MAX_TOP)
      break;
    const char *name = cp_rj_str(x, name_key);
    if (!name || cp_rp_is_forced_restart(name))
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

void cp_rp_section_crashes(cp_rout *o, const cp_rp_crash_fig *f)
{
  cp_rp_section_open(o, "crashes", _("Crashes"));
  if (!f->present) {
    cp_rp_para(o, "none", _("Crash reports were not collected."));
    cp_rout_put(o, "</section>\n");
    return;
  }
  cp_rout_put(o, "<p>");
  cp_rp_crash_counts_sentence(o, f);
  cp_rp_period(o, f);
  cp_rout_put(o, "</p>\n");
  if (f->forced > 0)
    cp_rp_para(
        o, NULL,
        _("A forced restart is the person holding the buttons to restart the phone; it is not "
          "a kernel panic."));
  size_t idx[CP_RP_MAX_TOP];
  size_t n = top_groups(f->groups, idx);
  if (n > 0) {
    const char *cols[] = {_("App or process"), _("What happened"), _("Reports"), _("Latest"), NULL};
    const int num[] = {0, 0, 1, 0};
    cp_rp_table_open(o, _("Top crash signatures (same process and exception)"), cols, num);
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
    cp_rp_table_close(o);
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

void cp_rp_section_drain(cp_rout *o, const json_t *drain)
{
  const json_t *s = json_object_get(drain, "suspects");
  if (!json_is_array(s))
    return;
  cp_rp_section_open(o, "drain", _("Battery drain suspects"));
  if (json_array_size(s) == 0) {
    cp_rp_para(o, NULL, _("No app stood out as draining the battery."));
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
  cp_rp_table_open(o, _("Apps that may drain the battery"), cols, num);
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
  cp_rp_table_close(o);
  cp_rout_put(o, "</section>\n");
}
