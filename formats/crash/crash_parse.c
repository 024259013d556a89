/* cp_crash_parse: finds what a buffer holds (the .ips JSON header line, then
 * a JSON, JSON-lines or text body; or legacy text with no header), hands each
 * part to its parser, and finishes the record (bug_type, kind, signature).
 * Nothing here fails on bad input: every problem becomes a warning. */
#include "crash_internal.h"
#include "crash_report.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The header line is a few hundred bytes; anything longer is not a header. */
#define HEADER_MAX (64u * 1024u)

/* Applies the one-line .ips header; returns the numeric bug_type or -1. */
static int apply_header(json_t *rec, const json_t *h)
{
  int bug_type = -1;
  const json_t *bt = json_object_get(h, "bug_type");
  char code[32] = "";
  long long bti;
  if (cp__crash_int(bt, &bti) && bti >= 0 && bti < 100000) {
    snprintf(code, sizeof code, "%d", (int)bti);
  } else if (json_is_string(bt) && json_string_length(bt) > 0 && json_string_length(bt) < 16) {
    snprintf(code, sizeof code, "%s", json_string_value(bt));
  } else if (bt) {
    cp__crash_warn(rec, "bug_type in the header is neither a number nor a short string");
  }
  if (code[0]) {
    size_t i = 0;
    while (code[i] && isdigit((unsigned char)code[i]))
      i++;
    if (!code[i] && i <= 5)
      bug_type = atoi(code);
    else
      cp__crash_set(rec, "bug_type_raw", code);
    const char *name = cp__crash_bugtype_name(code);
    if (name)
      cp__crash_set(rec, "bug_type_name", name);
    else
      cp__crash_warn(rec, "unknown bug_type %s", code);
  }
  const char *ts = json_string_value(json_object_get(h, "timestamp"));
  if (ts)
    cp__crash_set_timestamp(rec, ts, strlen(ts));
  const char *os = json_string_value(json_object_get(h, "os_version"));
  if (os)
    cp__crash_set_os(rec, os, strlen(os));
  cp__crash_set_jstr(rec, "incident_id", json_object_get(h, "incident_id"));
  cp__crash_set_jstr(rec, "process", json_object_get(h, "name"));
  cp__crash_set_jstr(rec, "process", json_object_get(h, "app_name"));
  cp__crash_set_jstr(rec, "bundle_id", json_object_get(h, "bundleID"));
  cp__crash_set_jstr(rec, "app_version", json_object_get(h, "app_version"));
  cp__crash_set_jstr(rec, "app_build", json_object_get(h, "build_version"));
  return bug_type;
}

/* A header line cut short (a listing that read only a few bytes): the
 * header's own keys, read straight from the text. Returns the bug_type. */
static int salvage_header(json_t *rec, const char *p, size_t n)
{
  int bug_type = -1;
  json_t *bt = cp__crash_salvage_string(p, n, "bug_type");
  const char *code = json_string_value(bt);
  if (code && strspn(code, "0123456789") == strlen(code) && strlen(code) <= 5) {
    bug_type = atoi(code);
    cp__crash_set(rec, "bug_type_name", cp__crash_bugtype_name(code));
  }
  json_decref(bt);
  static const char *const keys[][2] = {{"incident_id", "incident_id"},
                                        {"name", "process"},
                                        {"app_name", "process"},
                                        {"bundleID", "bundle_id"},
                                        {"app_version", "app_version"}};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (!json_object_get(rec, keys[i][1]))
      cp__crash_set_new(rec, keys[i][1], cp__crash_salvage_string(p, n, keys[i][0]));
  json_t *ts = cp__crash_salvage_string(p, n, "timestamp");
  if (ts)
    cp__crash_set_timestamp(rec, json_string_value(ts), json_string_length(ts));
  json_decref(ts);
  json_t *os = cp__crash_salvage_string(p, n, "os_version");
  if (os)
    cp__crash_set_os(rec, json_string_value(os), json_string_length(os));
  json_decref(os);
  return bug_type;
}

/* JSON lines: the first line is one whole object and another line follows
 * (a compact one-line document is not JSON lines). */
static bool is_json_lines(const char *p, size_t n)
{
  const char *nl = memchr(p, '\n', n);
  if (!nl)
    return false;
  size_t len = (size_t)(nl - p);
  while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
    len--;
  if (len < 2 || cp__crash_json_skip(p, len + 1, 0) != len)
    return false;
  for (const char *q = nl; q < p + n; q++)
    if (*q == '{')
      return true;
  return false;
}

/* Returns the bug_type the body itself names (JSON bodies only), or -1. */
static int parse_body(json_t *rec, int bug_type, const char *p, size_t n, bool had_header)
{
  while (n && isspace((unsigned char)p[0])) {
    p++;
    n--;
  }
  if (n == 0) {
    if (had_header)
      cp__crash_warn(rec, "the report has only its header line (truncated?)");
    else
      cp__crash_warn(rec, "the report is empty");
    return -1;
  }
  if (p[0] == '{') {
    if (bug_type == 211 || is_json_lines(p, n)) {
      cp__crash_analytics_lines(rec, p, n);
      return -1;
    }
    return cp__crash_ips_json(rec, bug_type, p, n);
  }
  if (cp__crash_text_body(rec, p, n) == 0)
    cp__crash_warn(rec, "the report body is not in a format this version knows");
  return -1;
}

/* The kind from the bug_type, or from what the body turned out to hold. */
static const char *infer_kind(const json_t *rec, int bug_type)
{
  if (bug_type >= 0)
    return cp__crash_bugtype_kind(bug_type);
  if (json_object_get(rec, "panic_string"))
    return "panic";
  if (json_object_get(rec, "jetsam"))
    return "jetsam";
  if (json_object_get(rec, "resource"))
    return "resource";
  if (json_object_get(rec, "battery") || json_object_get(rec, "analytics"))
    return "analytics";
  if (json_object_get(rec, "exception_type") || json_object_get(rec, "frames"))
    return "crash";
  return "other";
}

cp_err cp_crash_parse(const void *buf, size_t len, const char *filename, json_t **record,
                      cp_error *err)
{
  if (!record || (!buf && len))
    return cp_error_set(err, CP_E_INTERNAL, "cp_crash_parse: NULL argument");
  *record = NULL;
  json_t *rec = json_object();
  /* set_new takes the array (or NULL) whatever happens: nothing to free. */
  if (!rec || json_object_set_new(rec, "warnings", json_array())) {
    json_decref(rec);
    return cp_error_set(err, CP_E_NOMEM, "crash record");
  }
  if (filename)
    cp__crash_set(rec, "file", filename);

  const char *p = buf ? buf : "";
  size_t n = len;
  if (n > CP_CRASH_MAX_INPUT) {
    cp__crash_warn(rec, "report is %zu bytes: only the first %u were read", n, CP_CRASH_MAX_INPUT);
    n = CP_CRASH_MAX_INPUT;
  }
  if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
    p += 3;
    n -= 3;
  }
  while (n && isspace((unsigned char)p[0])) {
    p++;
    n--;
  }

  int bug_type = -1;
  bool had_header = false, header_broken = false;
  const char *body = p;
  size_t body_n = n;
  if (n && p[0] == '{') {
    const char *nl = memchr(p, '\n', n < HEADER_MAX ? n : HEADER_MAX);
    size_t hl = nl ? (size_t)(nl - p) : (n < HEADER_MAX ? n : HEADER_MAX);
    json_t *h = NULL;
    /* A first line of just "{" is a pretty-printed document with no header. */
    if (hl > 1 && cp__crash_depth_ok(p, hl, CP_CRASH_MAX_DEPTH))
      h = json_loadb(p, hl, JSON_DISABLE_EOF_CHECK | JSON_DECODE_INT_AS_REAL, NULL);
    if (json_is_object(h) && (json_object_get(h, "bug_type") || json_object_get(h, "timestamp") ||
                              json_object_get(h, "os_version"))) {
      had_header = true;
      bug_type = apply_header(rec, h);
      body = nl ? nl + 1 : p + n;
      body_n = nl ? n - hl - 1 : 0;
    } else if (hl > 1 && !h && !nl) {
      cp__crash_warn(rec, "the header line is cut short (truncated?)");
      bug_type = salvage_header(rec, p, hl);
      header_broken = true;
    }
    json_decref(h);
  }
  if (!header_broken) {
    int body_bt = parse_body(rec, bug_type, body, body_n, had_header);
    if (bug_type < 0 && body_bt >= 0) {
      /* No header line (a body saved on its own): the body names its type. */
      bug_type = body_bt;
      char code[16];
      snprintf(code, sizeof code, "%d", bug_type);
      cp__crash_set(rec, "bug_type_name", cp__crash_bugtype_name(code));
    }
  }

  if (bug_type < 0 && !json_object_get(rec, "process") && !json_object_get(rec, "timestamp") &&
      !json_array_size(json_object_get(rec, "warnings")))
    cp__crash_warn(rec, "nothing in this file reads as a crash report");
  (void)json_object_set_new(rec, "bug_type", bug_type >= 0 ? json_integer(bug_type) : json_null());
  cp__crash_set(rec, "kind", infer_kind(rec, bug_type));
  cp__crash_sign(rec);
  *record = rec;
  cp_error_clear(err);
  return CP_OK;
}
