/* See report_html.h: escaping and the wordless fallback page. The page a
 * person reads is rendered by the agent (agent/report/report.c). */
#include "report_html.h"

#include <stdlib.h>
#include <string.h>

cp_err cp_report_html_escape(const char *s, cp_report_write_fn fn, void *ctx, cp_error *err)
{
  char buf[256];
  size_t n = 0;
  for (; s && *s; s++) {
    const char *rep = NULL;
    unsigned char c = (unsigned char)*s;
    switch (c) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&#39;"; break;
    default:
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
        rep = "&#xFFFD;";
    }
    size_t need = rep ? strlen(rep) : 1;
    if (n + need > sizeof buf) {
      cp_err rc = fn(ctx, buf, n, err);
      if (rc != CP_OK)
        return rc;
      n = 0;
    }
    if (rep) {
      memcpy(buf + n, rep, need);
      n += need;
    } else {
      buf[n++] = (char)c;
    }
  }
  return n ? fn(ctx, buf, n, err) : CP_OK;
}

static cp_err put(cp_report_write_fn fn, void *ctx, const char *s, cp_error *err)
{
  return fn(ctx, s, strlen(s), err);
}

cp_err cp_report_html_fallback(const json_t *findings, const json_t *members, cp_report_write_fn fn,
                               void *ctx, cp_error *err)
{
  json_t *all = json_is_object(findings) ? json_copy((json_t *)findings) : json_object();
  if (!all)
    return cp_error_set(err, CP_E_NOMEM, "report");
  if (json_is_array(members) && !json_object_get(all, "members")) {
    /* the rows shown; the null entries past CP_REPORT_MAX_ROWS only count */
    json_t *shown = json_array();
    size_t i;
    json_t *m;
    json_array_foreach((json_t *)members, i, m) if (!json_is_null(m)) json_array_append(shown, m);
    json_object_set_new(all, "members", shown);
    if (json_array_size(members) > json_array_size(shown))
      json_object_set_new(all, "members_total", json_integer((json_int_t)json_array_size(members)));
  }
  char *text = json_dumps(all, JSON_INDENT(1) | JSON_SORT_KEYS);
  json_decref(all);
  if (!text)
    return cp_error_set(err, CP_E_NOMEM, "report");
  cp_err rc = put(fn, ctx,
                  "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<title>caseprobe</title>\n</head>\n<body>\n<main>\n<pre>",
                  err);
  if (rc == CP_OK)
    rc = cp_report_html_escape(text, fn, ctx, err);
  if (rc == CP_OK)
    rc = put(fn, ctx, "</pre>\n</main>\n</body>\n</html>\n", err);
  free(text);
  return rc;
}
