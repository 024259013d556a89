/* See report_out.h. */
#include "report_out.h"

#include "bundle_os.h"
#include "i18n.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cp_rout_put(cp_rout *o, const char *s)
{
  if (o->rc == CP_OK && s && s[0])
    o->rc = o->fn(o->ctx, s, strlen(s), o->err);
}

void cp_rout_putf(cp_rout *o, const char *fmt, ...)
{
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n >= 0)
    cp_rout_put(o, buf);
}

void cp_rout_esc(cp_rout *o, const char *s)
{
  if (o->rc == CP_OK && s)
    o->rc = cp_report_html_escape(s, o->fn, o->ctx, o->err);
}

void cp_rout_escf(cp_rout *o, const char *fmt, ...)
{
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n >= 0)
    cp_rout_esc(o, buf);
}

static void list(cp_rout *o, const json_t *a)
{
  size_t n = json_array_size(a), i;
  json_t *x;
  if (n == 0) {
    cp_rout_esc(o, _("none"));
    return;
  }
  json_array_foreach((json_t *)a, i, x)
  {
    if (json_is_object(x) || json_is_array(x)) {
      cp_rout_escf(o, ngettext("(%zu item)", "(%zu items)", n), n);
      return;
    }
  }
  json_array_foreach((json_t *)a, i, x)
  {
    if (i == 20) {
      cp_rout_escf(o, _(" and %zu more"), n - 20);
      break;
    }
    if (i)
      cp_rout_put(o, ", ");
    cp_rout_value(o, x);
  }
}

void cp_rout_value(cp_rout *o, const json_t *v)
{
  char buf[64];
  switch (json_typeof(v)) {
  case JSON_STRING: cp_rout_esc(o, json_string_value(v)); break;
  case JSON_INTEGER:
    snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    cp_rout_put(o, buf);
    break;
  case JSON_REAL:
    snprintf(buf, sizeof buf, "%.6g", json_real_value(v));
    cp_rout_put(o, buf);
    break;
  case JSON_TRUE: cp_rout_esc(o, _("yes")); break;
  case JSON_FALSE: cp_rout_esc(o, _("no")); break;
  case JSON_NULL: cp_rout_put(o, "&#8212;"); break;
  case JSON_ARRAY: list(o, v); break;
  case JSON_OBJECT:
    cp_rout_escf(o, ngettext("(%zu field)", "(%zu fields)", json_object_size(v)),
                 json_object_size(v));
    break;
  }
}

json_t *cp_rj_pick(const json_t *obj, const char *const *keys)
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

long long cp_rj_count(const json_t *v)
{
  static const char *const keys[] = {"count", "total", "n", NULL};
  if (json_is_integer(v))
    return json_integer_value(v) < 0 ? -1 : json_integer_value(v);
  if (json_is_object(v)) {
    json_t *c = cp_rj_pick(v, keys);
    if (json_is_integer(c) && json_integer_value(c) >= 0)
      return json_integer_value(c);
  }
  if (json_is_array(v))
    return (long long)json_array_size(v);
  return -1;
}

double cp_rj_number(const json_t *v)
{
  double d = NAN;
  if (json_is_number(v))
    d = json_number_value(v);
  else if (json_is_string(v) && sscanf(json_string_value(v), "%lf", &d) != 1)
    d = NAN;
  return isfinite(d) ? d : NAN;
}

const char *cp_rj_str(const json_t *obj, const char *key)
{
  const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
  return json_is_string(v) ? json_string_value(v) : NULL;
}

void cp_rj_date(long long t, char out[32])
{
  out[0] = '\0';
  if (t <= 0 || t > 253402300799LL) /* year 9999 */
    return;
  char iso[32];
  cp_os_utc((time_t)t, 1, iso);
  snprintf(out, 32, "%.10s", iso);
}
