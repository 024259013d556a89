/* See report_html.h. The page is written in small pieces through a callback
 * so it can stream straight into a bundle member. Values are looked up under
 * a few candidate key names because the probes' outputs evolve; whatever is
 * not recognised is still shown as a key/value list rather than dropped. */
#include "report_html.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One writer with a sticky error, so the page code reads top to bottom. */
typedef struct out {
  cp_report_write_fn fn;
  void *ctx;
  cp_error *err;
  cp_err rc;
} out;

static void put(out *o, const char *s)
{
  if (o->rc == CP_OK && s[0])
    o->rc = o->fn(o->ctx, s, strlen(s), o->err);
}

static void putf(out *o, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void putf(out *o, const char *fmt, ...)
{
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n >= 0)
    put(o, buf);
}

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

static void esc(out *o, const char *s)
{
  if (o->rc == CP_OK)
    o->rc = cp_report_html_escape(s, o->fn, o->ctx, o->err);
}

static void value(out *o, const json_t *v);

/* An array of scalars as "a, b, c" (at most 20, then "and N more"); an
 * array holding objects or arrays as a count. */
static void list(out *o, const json_t *a)
{
  size_t n = json_array_size(a), i;
  json_t *x;
  if (n == 0) {
    put(o, "none");
    return;
  }
  json_array_foreach((json_t *)a, i, x)
  {
    if (json_is_object(x) || json_is_array(x)) {
      putf(o, "(%zu items)", n);
      return;
    }
  }
  json_array_foreach((json_t *)a, i, x)
  {
    if (i == 20) {
      putf(o, " and %zu more", n - 20);
      break;
    }
    if (i)
      put(o, ", ");
    value(o, x);
  }
}

/* A scalar JSON value as text (escaped), arrays as lists, objects by size. */
static void value(out *o, const json_t *v)
{
  char buf[64];
  switch (json_typeof(v)) {
  case JSON_STRING: esc(o, json_string_value(v)); break;
  case JSON_INTEGER:
    snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    put(o, buf);
    break;
  case JSON_REAL:
    snprintf(buf, sizeof buf, "%.6g", json_real_value(v));
    put(o, buf);
    break;
  case JSON_TRUE: put(o, "yes"); break;
  case JSON_FALSE: put(o, "no"); break;
  case JSON_NULL: put(o, "&#8212;"); break;
  case JSON_ARRAY: list(o, v); break;
  case JSON_OBJECT:
    snprintf(buf, sizeof buf, "(%zu fields)", json_object_size(v));
    put(o, buf);
    break;
  }
}

/* The first of `keys` present in obj (NULL-terminated list). */
static json_t *pick(const json_t *obj, const char *const *keys)
{
  if (!json_is_object(obj))
    return NULL;
  for (size_t i = 0; keys[i]; i++) {
    json_t *v = json_object_get(obj, keys[i]);
    if (v && !json_is_null(v))
      return v;
  }
  return NULL;
}

/* "cycle_count" -> "Cycle count": a field name a person can read. The raw
 * key stays in the JSON members for anyone who needs it. */
static void label(out *o, const char *key)
{
  char buf[128];
  size_t n = 0;
  for (; n < sizeof buf - 1 && key[n]; n++)
    buf[n] = key[n] == '_' ? ' ' : key[n];
  buf[n] = '\0';
  if (buf[0] >= 'a' && buf[0] <= 'z')
    buf[0] = (char)(buf[0] - 'a' + 'A');
  esc(o, buf);
}

/* A two-column table of the scalar fields of obj (nested objects shown by size). */
static void kv_table(out *o, const json_t *obj, const char *caption)
{
  put(o, "<table>\n<caption>");
  esc(o, caption);
  put(o, "</caption>\n<thead><tr><th scope=\"col\">Field</th><th scope=\"col\">Value</th></tr>"
         "</thead>\n<tbody>\n");
  const char *k;
  json_t *v;
  size_t rows = 0;
  json_object_foreach((json_t *)obj, k, v)
  {
    if (rows++ >= CP_REPORT_MAX_ROWS)
      break;
    put(o, "<tr><th scope=\"row\">");
    label(o, k);
    put(o, "</th><td>");
    value(o, v);
    put(o, "</td></tr>\n");
  }
  put(o, "</tbody>\n</table>\n");
}

/* `sentence` is fixed text from this file, never from the findings. */
static void not_collected(out *o, const char *sentence)
{
  put(o, "<p class=\"none\">");
  put(o, sentence);
  put(o, "</p>\n");
}

static void section_device(out *o, const json_t *dev)
{
  put(o, "<section aria-labelledby=\"h-device\">\n<h2 id=\"h-device\">Device</h2>\n");
  if (json_is_object(dev) && json_object_size(dev) > 0)
    kv_table(o, dev, "Device summary (identifiers redacted)");
  else
    not_collected(o, "Device information was not collected.");
  put(o, "</section>\n");
}

/* A number in [0, 100] from a JSON number (or numeric string), or -1. */
static double percent(const json_t *v)
{
  double d = -1;
  if (json_is_number(v))
    d = json_number_value(v);
  else if (json_is_string(v) && sscanf(json_string_value(v), "%lf", &d) != 1)
    d = -1;
  if (!isfinite(d) || d < 0)
    return -1;
  return d > 100 ? 100 : d;
}

static void section_battery(out *o, const json_t *bat)
{
  static const char *const health_keys[] = {"health_percent",       "maximum_capacity_percent",
                                            "max_capacity_percent", "health",
                                            "capacity_percent",     NULL};
  static const char *const verdict_keys[] = {"verdict", "service", "status", "condition", NULL};
  put(o, "<section aria-labelledby=\"h-battery\">\n<h2 id=\"h-battery\">Battery</h2>\n");
  if (!json_is_object(bat) || json_object_size(bat) == 0) {
    not_collected(o, "Battery health was not collected.");
    put(o, "</section>\n");
    return;
  }
  double pct = percent(pick(bat, health_keys));
  const json_t *verdict = pick(bat, verdict_keys);
  if (pct >= 0) {
    /* Colour is never the only signal: the number and words are beside it. */
    const char *fill = pct >= 80 ? "#1b6e20" : "#a4262c";
    const char *words = pct >= 80 ? "at or above the 80 % service threshold"
                                  : "below the 80 % service threshold: service recommended";
    put(o, "<figure class=\"gauge\">\n");
    putf(o,
         "<svg width=\"300\" height=\"28\" viewBox=\"0 0 300 28\" role=\"img\" "
         "aria-labelledby=\"gauge-t\"><title id=\"gauge-t\">Battery health %.0f percent</title>"
         "<rect x=\"1\" y=\"1\" width=\"298\" height=\"26\" fill=\"#ffffff\" stroke=\"#1a1a1a\" "
         "stroke-width=\"2\"/><rect x=\"3\" y=\"3\" width=\"%.1f\" height=\"22\" fill=\"%s\"/>"
         "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"28\" stroke=\"#1a1a1a\" "
         "stroke-dasharray=\"3 2\"/></svg>\n",
         pct, 294.0 * pct / 100.0, fill, 3 + 294.0 * 0.8, 3 + 294.0 * 0.8);
    putf(o, "<figcaption><strong>Health: %.0f %%</strong> (%s; the dashed line marks 80 %%)", pct,
         words);
    put(o, "</figcaption>\n</figure>\n");
  }
  if (verdict) {
    put(o, "<p><strong>Verdict:</strong> ");
    value(o, verdict);
    put(o, "</p>\n");
  }
  kv_table(o, bat, "Battery figures");
  put(o, "</section>\n");
}

/* Count from a number or from an object/array (its "count"/"total" or size). */
static long long count_of(const json_t *v)
{
  static const char *const keys[] = {"count", "total", "n", NULL};
  if (json_is_integer(v))
    return json_integer_value(v);
  if (json_is_object(v)) {
    json_t *c = pick(v, keys);
    if (json_is_integer(c))
      return json_integer_value(c);
  }
  if (json_is_array(v))
    return (long long)json_array_size(v);
  return -1;
}

/* One column of the crash table: its heading and the keys it may come from. */
typedef struct crash_col {
  const char *heading;
  const char *const *keys;
  int always; /* shown even when no group has it */
  int num;
} crash_col;

static void crash_groups_table(out *o, const json_t *groups)
{
  static const char *const proc_keys[] = {"process", "name", "app", "bundle_id", NULL};
  static const char *const type_keys[] = {"type", "bug_type_name", "bug_type", "kind", NULL};
  static const char *const exc_keys[] = {"exception", "exception_type", "signal", "reason", NULL};
  static const char *const count_keys[] = {"count", "reports", "n", NULL};
  static const char *const last_keys[] = {"last_seen", "latest", "last", "time", NULL};
  static const char *const os_keys[] = {"os", "os_version", "ios", NULL};
  static const crash_col cols[] = {
      {"Process", proc_keys, 1, 0},  {"Type", type_keys, 0, 0},   {"Exception", exc_keys, 0, 0},
      {"Reports", count_keys, 1, 1}, {"Latest", last_keys, 0, 0}, {"OS", os_keys, 0, 0},
  };
  enum { NCOLS = sizeof cols / sizeof cols[0] };
  int shown[NCOLS];
  size_t i;
  json_t *g;
  /* A column no group fills would only be a row of dashes: leave it out. */
  for (size_t c = 0; c < NCOLS; c++) {
    shown[c] = cols[c].always;
    json_array_foreach((json_t *)groups, i, g)
    {
      if (i >= CP_REPORT_MAX_ROWS || shown[c])
        break;
      shown[c] = pick(g, cols[c].keys) != NULL;
    }
  }
  put(o, "<table>\n<caption>Crash groups (same process and exception)</caption>\n<thead><tr>");
  for (size_t c = 0; c < NCOLS; c++)
    if (shown[c])
      putf(o, "<th scope=\"col\"%s>%s</th>", cols[c].num ? " class=\"num\"" : "", cols[c].heading);
  put(o, "</tr></thead>\n<tbody>\n");
  json_array_foreach((json_t *)groups, i, g)
  {
    if (i >= CP_REPORT_MAX_ROWS)
      break;
    put(o, "<tr>");
    for (size_t c = 0; c < NCOLS; c++) {
      if (!shown[c])
        continue;
      json_t *v = pick(g, cols[c].keys);
      put(o, c == 0 ? "<th scope=\"row\">" : cols[c].num ? "<td class=\"num\">" : "<td>");
      if (v)
        value(o, v);
      else
        put(o, "&#8212;");
      put(o, c == 0 ? "</th>" : "</td>");
    }
    put(o, "</tr>\n");
  }
  put(o, "</tbody>\n</table>\n");
  if (json_array_size(groups) > CP_REPORT_MAX_ROWS)
    putf(o, "<p>%zu more groups are listed in crashes/index.json.</p>\n",
         json_array_size(groups) - CP_REPORT_MAX_ROWS);
}

static void section_crashes(out *o, const json_t *cr)
{
  put(o, "<section aria-labelledby=\"h-crashes\">\n<h2 id=\"h-crashes\">Crashes</h2>\n");
  if (!json_is_object(cr)) {
    not_collected(o, "Crash reports were not collected.");
    put(o, "</section>\n");
    return;
  }
  /* The crash probe's summary nests the figures under "triage". */
  const json_t *triage = json_object_get(cr, "triage");
  if (!json_object_get(cr, "groups") && json_is_object(triage))
    cr = triage;
  long long total = count_of(json_object_get(cr, "total"));
  long long panics = count_of(json_object_get(cr, "panics"));
  long long jetsam = count_of(json_object_get(cr, "jetsam"));
  put(o, "<ul class=\"counts\">\n");
  if (total >= 0)
    putf(o, "<li><strong>%lld</strong> crash reports in total</li>\n", total);
  if (panics >= 0)
    putf(o, "<li><strong>%lld</strong> kernel panics</li>\n", panics);
  if (jetsam >= 0)
    putf(o, "<li><strong>%lld</strong> jetsam (low memory) events</li>\n", jetsam);
  put(o, "</ul>\n");
  const json_t *groups = json_object_get(cr, "groups");
  if (json_is_array(groups) && json_array_size(groups) > 0)
    crash_groups_table(o, groups);
  else
    put(o, "<p>No crash groups.</p>\n");
  put(o, "</section>\n");
}

static void name_list(out *o, const json_t *a, const char *label)
{
  put(o, "<p><strong>");
  esc(o, label);
  put(o, ":</strong> ");
  if (!json_is_array(a) || json_array_size(a) == 0) {
    put(o, "none");
  } else {
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)a, i, v)
    {
      if (i >= CP_REPORT_MAX_ROWS)
        break;
      if (i)
        put(o, ", ");
      value(o, v);
    }
  }
  put(o, "</p>\n");
}

static void members_table(out *o, const json_t *members)
{
  put(o, "<table>\n<caption>Files in this bundle</caption>\n<thead><tr>"
         "<th scope=\"col\">File</th><th scope=\"col\">Scope</th>"
         "<th scope=\"col\" class=\"num\">Bytes</th></tr></thead>\n<tbody>\n");
  size_t i;
  json_t *m;
  json_array_foreach((json_t *)members, i, m)
  {
    if (i >= CP_REPORT_MAX_ROWS)
      break;
    put(o, "<tr><th scope=\"row\">");
    value(o, json_is_object(m) ? json_object_get(m, "path") : m);
    put(o, "</th><td>");
    json_t *scope = json_is_object(m) ? json_object_get(m, "scope") : NULL;
    if (scope)
      value(o, scope);
    else
      put(o, "&#8212;");
    put(o, "</td><td class=\"num\">");
    json_t *size = json_is_object(m) ? json_object_get(m, "size") : NULL;
    if (size)
      value(o, size);
    else
      put(o, "&#8212;");
    put(o, "</td></tr>\n");
  }
  put(o, "</tbody>\n</table>\n");
  if (json_array_size(members) > CP_REPORT_MAX_ROWS)
    putf(o, "<p>%zu more files are listed in manifest.json.</p>\n",
         json_array_size(members) - CP_REPORT_MAX_ROWS);
}

/* The per-class counts of a redactor report, wherever it keeps them. */
static const json_t *redaction_classes(const json_t *red)
{
  static const char *const keys[] = {"classes", "by_class", "per_class", "counts", NULL};
  const json_t *c = pick(red, keys);
  if (json_is_object(c))
    return c;
  /* A flat {"email": 3, "serial": 1} report is its own class table. */
  return red;
}

static void redaction_table(out *o, const json_t *red)
{
  const json_t *classes = redaction_classes(red);
  size_t rows = 0;
  const char *k;
  json_t *v;
  put(o, "<table>\n<caption>Values replaced by pseudonyms, per class</caption>\n<thead><tr>"
         "<th scope=\"col\">Class</th><th scope=\"col\" class=\"num\">Replaced</th></tr>"
         "</thead>\n<tbody>\n");
  json_object_foreach((json_t *)classes, k, v)
  {
    long long n = count_of(v);
    if (n < 0)
      continue;
    if (rows++ >= CP_REPORT_MAX_ROWS)
      break;
    put(o, "<tr><th scope=\"row\">");
    esc(o, k);
    putf(o, "</th><td class=\"num\">%lld</td></tr>\n", n);
  }
  if (rows == 0)
    put(o, "<tr><th scope=\"row\">(none)</th><td class=\"num\">0</td></tr>\n");
  put(o, "</tbody>\n</table>\n");
}

static void section_collected(out *o, const json_t *f, const json_t *members)
{
  put(o, "<section aria-labelledby=\"h-collected\">\n"
         "<h2 id=\"h-collected\">What was collected and redacted</h2>\n");
  const json_t *scopes = json_object_get(f, "scopes");
  name_list(o, json_object_get(scopes, "granted"), "Scopes granted");
  name_list(o, json_object_get(scopes, "refused"), "Scopes refused (never read)");
  const json_t *red = json_object_get(f, "redaction");
  put(o, "<h3>Redaction</h3>\n");
  if (json_is_object(red))
    redaction_table(o, red);
  else
    put(o, "<p>No redaction report.</p>\n");
  const json_t *fm = json_object_get(f, "members");
  if (!json_is_array(fm))
    fm = members;
  put(o, "<h3>Files</h3>\n");
  if (json_is_array(fm))
    members_table(o, fm);
  else
    put(o, "<p>No file list.</p>\n");
  put(o, "</section>\n");
}

/* What each probe did (findings "probes": {name: {status, scope, code,
 * detail}}), so a missing section is explained rather than silent. */
static void section_probes(out *o, const json_t *probes)
{
  if (!json_is_object(probes) || json_object_size(probes) == 0)
    return;
  put(o, "<section aria-labelledby=\"h-probes\">\n<h2 id=\"h-probes\">Collection</h2>\n"
         "<table>\n<caption>What each probe did</caption>\n<thead><tr>"
         "<th scope=\"col\">Probe</th><th scope=\"col\">Scope</th>"
         "<th scope=\"col\">Result</th><th scope=\"col\">Detail</th></tr></thead>\n<tbody>\n");
  const char *k;
  json_t *v;
  size_t rows = 0;
  json_object_foreach((json_t *)probes, k, v)
  {
    if (rows++ >= CP_REPORT_MAX_ROWS)
      break;
    const json_t *st = json_object_get(v, "status");
    const json_t *scope = json_object_get(v, "scope");
    const json_t *detail = json_object_get(v, "detail");
    const json_t *code = json_object_get(v, "code");
    put(o, "<tr><th scope=\"row\">");
    esc(o, k);
    put(o, "</th><td>");
    if (scope)
      value(o, scope);
    put(o, "</td><td>");
    if (json_is_string(st) && !strcmp(json_string_value(st), "ok"))
      put(o, "collected");
    else if (st)
      value(o, st);
    else
      put(o, "&#8212;");
    put(o, "</td><td>");
    if (code) {
      value(o, code);
      if (detail)
        put(o, ": ");
    }
    if (detail)
      value(o, detail);
    put(o, "</td></tr>\n");
  }
  put(o, "</tbody>\n</table>\n</section>\n");
}

static const char css[] =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",sans-serif;color:#1a1a1a;"
    "background:#fff;max-width:60rem;margin:0 auto;padding:1rem 1.5rem;line-height:1.5}"
    "h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:2px solid #1a1a1a;margin-top:2rem}"
    "table{border-collapse:collapse;margin:0.5rem 0 1rem;width:100%}"
    "caption{text-align:left;font-weight:bold;padding:0.25rem 0}"
    "th,td{border:1px solid #595959;padding:0.3rem 0.5rem;text-align:left;vertical-align:top;"
    "overflow-wrap:anywhere}thead th{background:#e8e8e8}.num{text-align:right}"
    ".none{font-style:italic}figure{margin:0.5rem 0}"
    "a{color:#0b4ea2}:focus{outline:3px solid #0b4ea2}"
    "@media print{body{max-width:none}}";

cp_err cp_report_html_write(const json_t *findings, const json_t *members, cp_report_write_fn fn,
                            void *ctx, cp_error *err)
{
  out o = {fn, ctx, err, CP_OK};
  json_t *empty = json_object();
  if (!empty)
    return cp_error_set(err, CP_E_NOMEM, "report");
  const json_t *f = json_is_object(findings) ? findings : empty;
  const json_t *case_id = json_object_get(f, "case_id");
  const json_t *created = json_object_get(f, "created");
  put(&o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>caseprobe report");
  if (json_is_string(case_id)) {
    put(&o, " for case ");
    esc(&o, json_string_value(case_id));
  }
  put(&o, "</title>\n<style>");
  put(&o, css);
  put(&o, "</style>\n</head>\n<body>\n<header>\n<h1>Diagnostic report");
  if (json_is_string(case_id)) {
    put(&o, ": case ");
    esc(&o, json_string_value(case_id));
  }
  put(&o, "</h1>\n");
  if (json_is_string(created)) {
    put(&o, "<p>Made ");
    esc(&o, json_string_value(created));
    put(&o, " (UTC) by caseprobe. Identifiers are replaced by pseudonyms.</p>\n");
  }
  put(&o, "</header>\n<main>\n");
  section_device(&o, json_object_get(f, "device"));
  section_battery(&o, json_object_get(f, "battery"));
  section_crashes(&o, json_object_get(f, "crashes"));
  section_probes(&o, json_object_get(f, "probes"));
  section_collected(&o, f, members);
  put(&o, "</main>\n<footer><p>Check this bundle with <code>caseprobe verify</code>.</p>"
          "</footer>\n</body>\n</html>\n");
  json_decref(empty);
  return o.rc;
}
