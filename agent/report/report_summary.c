/* The report's first section (report_page.h): the phone, the battery verdict
 * and the crash counts in a few sentences, before any table. */
#include "i18n.h"
#include "report_out.h"
#include "report_page.h"
#include "report_words.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- summary ---- */

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

/* "; most often: Maps (5), Safari (2)": the apps with the most app-crash
 * reports, summed over their signatures, at most three. */
static void top_apps(cp_rout *o, const cp_rp_crash_fig *f)
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
      cp_rout_esc(o, _("; most often: "));
    } else {
      cp_rout_esc(o, _(", "));
    }
    cp_rout_esc(o, best);
    cp_rout_putf(o, " (%lld)", bn);
    json_object_del(per, best);
  }
  json_decref(per);
}

void cp_rp_summary(cp_rout *o, const json_t *f, const cp_rp_crash_fig *cf)
{
  const json_t *dev = json_object_get(f, "device");
  const json_t *bat = json_object_get(f, "battery");
  cp_rp_section_open(o, "summary", _("Summary"));
  cp_rout_put(o, "<dl class=\"answers\">\n<dt>");
  cp_rout_esc(o, _("Phone"));
  cp_rout_put(o, "</dt><dd>");
  device_line(o, dev);
  cp_rout_put(o, "</dd>\n<dt>");
  cp_rout_esc(o, _("Battery"));
  cp_rout_put(o, "</dt><dd>");
  double h = cp_rp_battery_health(bat);
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
    cp_rp_crash_counts_sentence(o, cf);
    cp_rp_period(o, cf);
    top_apps(o, cf);
  }
  cp_rout_put(o, "</dd>\n<dt>");
  cp_rout_esc(o, _("Not collected"));
  cp_rout_put(o, "</dt><dd>");
  const json_t *refused = json_object_get(json_object_get(f, "scopes"), "refused");
  if (json_array_size(refused) > 0) {
    cp_rp_scope_list(o, refused);
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
