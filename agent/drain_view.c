/* Battery-drain suspects shown next to battery health (see drain_view.h). */
#include "drain_view.h"

#include "crashlogs.h"

#include <string.h>

json_t *cp_drain_fetch(cp_cli_session *s, cp_error *err)
{
  cp_crash_hooks hooks;
  memset(&hooks, 0, sizeof hooks);
  hooks.list_only = 1;
  json_t *index = NULL;
  if (cp_crashlogs_collect(s->dev, s->sink, &s->po, &hooks, &index, err) != CP_OK)
    return NULL;
  json_t *drain = json_incref(json_object_get(index, "drain"));
  json_decref(index);
  if (!drain)
    cp_error_set(err, CP_E_NOMEM, "drain ranking");
  return drain;
}

/* Device text on a terminal: C0/C1 controls and DEL become '?'. */
static void put_safe(FILE *out, const char *s, int width)
{
  int n = 0;
  for (const unsigned char *p = (const unsigned char *)s; p && *p; p++, n++) {
    if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
      fputc('?', out);
      p++;
    } else if (*p < 0x20 || *p == 0x7f)
      fputc('?', out);
    else {
      fputc(*p, out);
      if ((*p & 0xc0) == 0x80)
        n--; /* continuation byte: same cell */
    }
  }
  for (; n < width; n++)
    fputc(' ', out);
}

static const char *kind_words(const char *k)
{
  if (!k)
    return "?";
  if (!strcmp(k, "cpu"))
    return "heavy CPU";
  if (!strcmp(k, "wakeups"))
    return "many wakeups";
  if (!strcmp(k, "disk_writes"))
    return "heavy disk writes";
  if (!strcmp(k, "jetsam"))
    return "memory (jetsam)";
  if (!strcmp(k, "crash_loop"))
    return "crash loop";
  return k;
}

static void worst_words(char *b, size_t n, const char *kind, const json_t *worst)
{
  const char *unit = json_string_value(json_object_get(worst, "unit"));
  double v = json_number_value(json_object_get(worst, "value"));
  if (!unit)
    snprintf(b, n, "-");
  else if (!strcmp(unit, "s"))
    snprintf(b, n, "%.0f s of CPU", v);
  else if (!strcmp(unit, "per_s"))
    snprintf(b, n, "%.0f wakeups/s", v);
  else if (!strcmp(unit, "MB"))
    snprintf(b, n, "%.0f MB written", v);
  else if (kind && !strcmp(kind, "jetsam"))
    snprintf(b, n, "%.0f processes killed", v);
  else if (kind && !strcmp(kind, "crash_loop"))
    snprintf(b, n, "%.0f crashes in one hour", v);
  else if (kind && !strcmp(kind, "wakeups"))
    snprintf(b, n, "%.0f wakeups", v);
  else
    snprintf(b, n, "%.0f", v);
}

void cp_drain_print(FILE *out, const json_t *drain)
{
  const json_t *sus = json_object_get(drain, "suspects");
  const char *since = json_string_value(json_object_get(drain, "since"));
  if (!json_array_size(sus)) {
    fprintf(out, "Drain suspects: none (the device flagged no process for heavy CPU, wakeups, "
                 "disk writes, memory or repeated crashes)\n");
    return;
  }
  fprintf(out, "Drain suspects (flagged by the device for heavy CPU / wakeups / disk writes, "
               "memory kills or crash loops");
  if (since)
    fprintf(out, ", since %.10s", since);
  fprintf(out, "):\n");
  size_t i;
  const json_t *x;
  json_array_foreach(sus, i, x)
  {
    const char *kind = json_string_value(json_object_get(x, "kind"));
    char w[64];
    worst_words(w, sizeof w, kind, json_object_get(x, "worst"));
    fprintf(out, "  %2zu. ", i + 1);
    put_safe(out, json_string_value(json_object_get(x, "process")), 24);
    fprintf(out, " %-18s %3lld report%s  worst %s\n", kind_words(kind),
            (long long)json_integer_value(json_object_get(x, "count")),
            json_integer_value(json_object_get(x, "count")) == 1 ? " " : "s", w);
  }
  json_int_t more = json_integer_value(json_object_get(drain, "more"));
  if (more)
    fprintf(out, "  … and %lld more\n", (long long)more);
}
