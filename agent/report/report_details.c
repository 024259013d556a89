/* The report's folded details (report_page.h): the identifier rows of the
 * device and the bundle's file list. */
#include "i18n.h"
#include "report_out.h"
#include "report_page.h"
#include "report_words.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- details, folded ---- */

static void kv_rows(cp_rout *o, const json_t *obj, int placeholders)
{
  const char *k;
  json_t *v;
  size_t rows = 0;
  json_object_foreach((json_t *)obj, k, v)
  {
    if (json_is_object(v) || cp_rp_is_placeholder(v) != placeholders)
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

void cp_rp_details_device(cp_rout *o, const json_t *dev)
{
  if (!json_is_object(dev) || json_object_size(dev) == 0)
    return;
  const char *cols[] = {_("Field"), _("Value"), NULL};
  cp_rout_put(o, "<details>\n<summary>");
  cp_rout_esc(o, _("Device details"));
  cp_rout_put(o, "</summary>\n");
  cp_rp_table_open(o, _("Device details"), cols, NULL);
  kv_rows(o, dev, 0);
  cp_rp_table_close(o);
  cp_rout_put(o, "</details>\n<details>\n<summary>");
  cp_rout_esc(o, _("Identifiers (replaced by placeholders)"));
  cp_rout_put(o, "</summary>\n");
  cp_rp_table_open(o, _("Identifiers (replaced by placeholders)"), cols, NULL);
  kv_rows(o, dev, 1);
  cp_rp_table_close(o);
  cp_rout_put(o, "</details>\n");
}

void cp_rp_details_files(cp_rout *o, const json_t *members)
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
  cp_rp_table_open(o, _("Files in this bundle"), cols, num);
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
      cp_rp_scope_name(o, scope);
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
  cp_rp_table_close(o);
  if (json_array_size(members) > CP_REPORT_MAX_ROWS) {
    cp_rout_put(o, "<p>");
    cp_rout_escf(o, _("%zu more files are listed in manifest.json."),
                 json_array_size(members) - CP_REPORT_MAX_ROWS);
    cp_rout_put(o, "</p>\n");
  }
  cp_rout_put(o, "</details>\n");
}
