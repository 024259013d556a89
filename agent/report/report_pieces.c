/* The report page's small pieces (report_page.h): sections, paragraphs,
 * tables with captions and header cells, scope names, placeholder values. */
#include "i18n.h"
#include "report_out.h"
#include "report_page.h"
#include "report_words.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small pieces ---- */

void cp_rp_section_open(cp_rout *o, const char *id, const char *heading)
{
  cp_rout_putf(o, "<section aria-labelledby=\"h-%s\">\n<h2 id=\"h-%s\">", id, id);
  cp_rout_esc(o, heading);
  cp_rout_put(o, "</h2>\n");
}

void cp_rp_para(cp_rout *o, const char *cls, const char *text)
{
  cp_rout_put(o, cls && !strcmp(cls, "none") ? "<p class=\"none\">" : "<p>");
  cp_rout_esc(o, text);
  cp_rout_put(o, "</p>\n");
}

void cp_rp_table_open(cp_rout *o, const char *caption, const char *const *cols, const int *num)
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

void cp_rp_table_close(cp_rout *o)
{
  cp_rout_put(o, "</tbody>\n</table>\n");
}

/* A scope's plain name, or the internal one when it is unknown. */
void cp_rp_scope_name(cp_rout *o, const json_t *v)
{
  const char *s = json_is_string(v) ? json_string_value(v) : NULL;
  const char *t = cp_rw_scope(s);
  if (t)
    cp_rout_esc(o, t);
  else
    cp_rout_value(o, v);
}

void cp_rp_scope_list(cp_rout *o, const json_t *a)
{
  size_t i;
  json_t *v;
  json_array_foreach((json_t *)a, i, v)
  {
    if (i >= CP_REPORT_MAX_ROWS)
      break;
    if (i)
      cp_rout_esc(o, _(", "));
    cp_rp_scope_name(o, v);
  }
}

/* "<udid-1>": a value the redactor replaced, which says nothing to a reader. */
int cp_rp_is_placeholder(const json_t *v)
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
