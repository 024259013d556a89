/* See report.h. The page: a summary that answers the questions support and
 * the customer ask, then one section per subject, then the identifier rows
 * and file list folded into <details>. Every count and name comes from the
 * findings and is escaped; every sentence comes from the catalog. */
#include "report.h"

#include "i18n.h"
#include "report_out.h"
#include "report_page.h"
#include "report_words.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  cp_rp_crash_fig cf;
  cp_rp_crash_figures(json_object_get(f, "crashes"), &cf);
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
  cp_rp_summary(o, f, &cf);
  cp_rp_section_battery(o, json_object_get(f, "battery"));
  cp_rp_section_crashes(o, &cf);
  cp_rp_section_drain(o, json_object_get(f, "drain"));
  cp_rp_section_collection(o, f);
  cp_rp_section_privacy(o, f);
  cp_rp_section_open(o, "details", _("Details"));
  cp_rp_details_device(o, json_object_get(f, "device"));
  const json_t *fm = json_object_get(f, "members");
  cp_rp_details_files(o, json_is_array(fm) ? fm : members);
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
