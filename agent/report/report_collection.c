/* The report's sections on what was collected (agreed and refused scopes,
 * parts that failed, device log, sysdiagnose) and on what was redacted. */
#include "i18n.h"
#include "report_out.h"
#include "report_page.h"
#include "report_words.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what was collected ---- */

void cp_rp_section_collection(cp_rout *o, const json_t *f)
{
  cp_rp_section_open(o, "collection", _("What was collected"));
  const json_t *scopes = json_object_get(f, "scopes");
  const json_t *granted = json_object_get(scopes, "granted");
  const json_t *refused = json_object_get(scopes, "refused");
  cp_rout_put(o, "<p><strong>");
  cp_rout_esc(o, _("Agreed to:"));
  cp_rout_put(o, "</strong> ");
  if (json_array_size(granted))
    cp_rp_scope_list(o, granted);
  else
    cp_rout_esc(o, _("nothing"));
  cp_rout_put(o, "</p>\n<p><strong>");
  cp_rout_esc(o, _("Refused, never read:"));
  cp_rout_put(o, "</strong> ");
  if (json_array_size(refused))
    cp_rp_scope_list(o, refused);
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
      cp_rp_table_open(o, _("Parts that could not be collected"), cols, NULL);
    }
    cp_rout_put(o, "<tr><th scope=\"row\">");
    const json_t *scope = json_object_get(v, "scope");
    if (scope)
      cp_rp_scope_name(o, scope);
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
    cp_rp_table_close(o);

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
      cp_rp_table_open(o, _("Sysdiagnose files left out"), cols, NULL);
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
      cp_rp_table_close(o);
    }
  }
  cp_rout_put(o, "</section>\n");
}

/* ---- privacy ---- */

void cp_rp_section_privacy(cp_rout *o, const json_t *f)
{
  cp_rp_section_open(o, "privacy", _("Privacy: what was replaced"));
  const json_t *red = json_object_get(f, "redaction");
  if (!json_is_object(red)) {
    cp_rp_para(o, "none", _("No redaction report."));
    cp_rout_put(o, "</section>\n");
    return;
  }
  cp_rp_para(o, NULL,
             _("Before anything was saved, personal values were replaced by placeholders such as "
               "<serial-1>. The same value always gets the same placeholder."));
  const json_t *classes = json_object_get(red, "classes");
  if (!json_is_object(classes))
    classes = red; /* a flat {"email": 3} report */
  const char *cols[] = {_("Kind of value"), _("Replaced"), NULL};
  const int num[] = {0, 1};
  cp_rp_table_open(o, _("Values replaced, per kind"), cols, num);
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
  cp_rp_table_close(o);
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
