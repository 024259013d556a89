/* Battery-drain suspects: groups the device's resource reports, jetsam
 * events and repeated crashes by (process, kind) and keeps the worst figure
 * each report states. See drain.h for the contract. */
#include "drain.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { K_CPU, K_WAKEUPS, K_DISK, K_JETSAM, K_CRASH, K_COUNT };
static const char *const kind_names[K_COUNT] = {"cpu", "wakeups", "disk_writes", "jetsam",
                                                "crash_loop"};

typedef struct suspect {
  char *process;
  int kind;
  long long count;
  bool has_worst;
  double worst;
  const char *unit;
  long long last;   /* newest report time, 0 = unknown */
  long long *times; /* crash times, for the busiest hour of a crash loop */
  size_t ntimes;
} suspect;

typedef struct table {
  suspect *v;
  size_t n, cap;
  bool oom;
} table;

static const char *str(const json_t *o, const char *key)
{
  return json_string_value(json_object_get(o, key));
}

/* The leading number of "90s", "1073.75 MB", "45001"; false when none. */
static bool lead_number(const char *s, double *out)
{
  if (!s)
    return false;
  char *end;
  double v = strtod(s, &end);
  if (end == s || v != v || v < 0)
    return false;
  *out = v;
  return true;
}

/* "1073.75 MB", "850 KB", "2.1 GB" -> megabytes as the device wrote them
 * (KB and GB scaled by 1024, as its own "Writes limit" figures are). */
static bool megabytes(const char *s, double *out)
{
  double v;
  if (!lead_number(s, &v))
    return false;
  const char *u = s;
  while (*u && (*u == '.' || (*u >= '0' && *u <= '9')))
    u++;
  while (*u == ' ')
    u++;
  if (!strncmp(u, "KB", 2))
    v /= 1024.0;
  else if (!strncmp(u, "GB", 2))
    v *= 1024.0;
  else if (!strncmp(u, "B", 1) || !*u)
    v /= 1024.0 * 1024.0;
  *out = v;
  return true;
}

/* Which resource a report is about: bug type first, the Event line second. */
static int resource_kind(const json_t *rec)
{
  json_int_t bt = json_integer_value(json_object_get(rec, "bug_type"));
  if (bt == 202)
    return K_CPU;
  if (bt == 142)
    return K_WAKEUPS;
  if (bt == 145)
    return K_DISK;
  const char *type = str(json_object_get(rec, "resource"), "type");
  if (type && strstr(type, "cpu"))
    return K_CPU;
  if (type && strstr(type, "wakeups"))
    return K_WAKEUPS;
  if (type && strstr(type, "disk writes"))
    return K_DISK;
  return -1;
}

static suspect *find(table *t, const char *process, int kind)
{
  for (size_t i = 0; i < t->n; i++)
    if (t->v[i].kind == kind && !strcmp(t->v[i].process, process))
      return &t->v[i];
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 16;
    suspect *v = realloc(t->v, cap * sizeof *v);
    if (!v) {
      t->oom = true;
      return NULL;
    }
    t->v = v;
    t->cap = cap;
  }
  suspect *s = &t->v[t->n];
  memset(s, 0, sizeof *s);
  s->process = strdup(process);
  if (!s->process) {
    t->oom = true;
    return NULL;
  }
  s->kind = kind;
  t->n++;
  return s;
}

static void note(suspect *s, long long when, bool has, double value, const char *unit)
{
  s->count++;
  if (when > s->last)
    s->last = when;
  if (has && (!s->has_worst || value > s->worst)) {
    s->has_worst = true;
    s->worst = value;
    s->unit = unit;
  }
}

static void add_resource(table *t, const json_t *rec, const char *process, long long when)
{
  int kind = resource_kind(rec);
  if (kind < 0)
    return;
  suspect *s = find(t, process, kind);
  if (!s)
    return;
  const json_t *r = json_object_get(rec, "resource");
  const char *obs = str(r, "observed");
  double v = 0, dur = 0;
  bool has = false;
  const char *unit = "s";
  if (kind == K_CPU) {
    has = lead_number(obs, &v);
  } else if (kind == K_WAKEUPS) {
    has = lead_number(obs, &v);
    unit = "count";
    if (has && lead_number(str(r, "duration"), &dur) && dur > 0) {
      v = v / dur;
      unit = "per_s";
    }
  } else {
    has = megabytes(obs, &v);
    unit = "MB";
  }
  /* one unit per suspect: a wakeups report without duration does not
   * compete with per-second figures */
  if (s->has_worst && s->unit && strcmp(s->unit, unit))
    has = false;
  note(s, when, has, v, unit);
}

static void add_jetsam(table *t, const json_t *rec, long long when)
{
  const json_t *j = json_object_get(rec, "jetsam");
  const char *largest = str(j, "largest_process");
  if (!largest || !*largest)
    return;
  suspect *s = find(t, largest, K_JETSAM);
  if (!s)
    return;
  const json_t *kc = json_object_get(j, "killed_count");
  double killed =
      kc ? (double)json_integer_value(kc) : (double)json_array_size(json_object_get(j, "killed"));
  note(s, when, true, killed, "count");
}

static void add_crash(table *t, const char *process, long long when)
{
  suspect *s = find(t, process, K_CRASH);
  if (!s)
    return;
  note(s, when, false, 0, "count");
  if (when <= 0)
    return;
  long long *tv = realloc(s->times, (s->ntimes + 1) * sizeof *tv);
  if (!tv) {
    t->oom = true;
    return;
  }
  s->times = tv;
  s->times[s->ntimes++] = when;
}

static int cmp_ll(const void *a, const void *b)
{
  long long x = *(const long long *)a, y = *(const long long *)b;
  return (x > y) - (x < y);
}

/* Most crash times inside any 3600-second window (sliding over sorted times). */
static size_t busiest_hour(long long *times, size_t n)
{
  qsort(times, n, sizeof *times, cmp_ll);
  size_t best = 0, lo = 0;
  for (size_t hi = 0; hi < n; hi++) {
    while (times[hi] - times[lo] >= 3600)
      lo++;
    if (hi - lo + 1 > best)
      best = hi - lo + 1;
  }
  return best;
}

static int cmp_suspect(const void *a, const void *b)
{
  const suspect *x = a, *y = b;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  if (x->kind != y->kind)
    return x->kind - y->kind;
  double xv = x->has_worst ? x->worst : -1, yv = y->has_worst ? y->worst : -1;
  if (xv != yv)
    return xv > yv ? -1 : 1;
  return strcmp(x->process, y->process);
}

static json_t *iso(long long t)
{
  if (t <= 0)
    return json_null();
  time_t tt = (time_t)t;
  struct tm tm;
#if defined(_WIN32)
  if (gmtime_s(&tm, &tt))
    return json_null();
#else
  if (!gmtime_r(&tt, &tm))
    return json_null();
#endif
  char b[32];
  strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json_string(b);
}

static json_t *suspect_json(const suspect *s)
{
  json_t *worst = json_null();
  if (s->has_worst) {
    /* two decimals are all the device's figures carry */
    double v = (double)(long long)(s->worst * 100.0 + 0.5) / 100.0;
    worst = json_pack("{s:f, s:s}", "value", v, "unit", s->unit);
  }
  return json_pack("{s:s, s:s, s:I, s:o, s:o}", "process", s->process, "kind", kind_names[s->kind],
                   "count", (json_int_t)s->count, "worst", worst, "last", iso(s->last));
}

struct cp_drain_acc {
  table t;
  long long since, oldest;
};

cp_drain_acc *cp_drain_acc_new(long long since_unix)
{
  cp_drain_acc *a = calloc(1, sizeof *a);
  if (a)
    a->since = since_unix;
  return a;
}

int cp_drain_acc_add(cp_drain_acc *a, const json_t *rec)
{
  if (!a || !json_is_object(rec))
    return a ? 0 : -1;
  long long when = json_integer_value(json_object_get(rec, "time"));
  if (a->since > 0 && when > 0 && when < a->since)
    return 0;
  const char *kind = str(rec, "kind");
  const char *process = str(rec, "process");
  bool used = false;
  if (kind && !strcmp(kind, "resource") && process && *process && resource_kind(rec) >= 0) {
    add_resource(&a->t, rec, process, when);
    used = true;
  } else if (kind && !strcmp(kind, "jetsam") &&
             str(json_object_get(rec, "jetsam"), "largest_process")) {
    add_jetsam(&a->t, rec, when);
    used = true;
  } else if (kind && !strcmp(kind, "crash") && process && *process) {
    add_crash(&a->t, process, when);
    used = true;
  }
  if (used && when > 0 && (!a->oldest || when < a->oldest))
    a->oldest = when;
  return a->t.oom ? -1 : 0;
}

void cp_drain_acc_free(cp_drain_acc *a)
{
  if (!a)
    return;
  for (size_t k = 0; k < a->t.n; k++) {
    free(a->t.v[k].process);
    free(a->t.v[k].times);
  }
  free(a->t.v);
  free(a);
}

json_t *cp_drain_acc_finish(cp_drain_acc *a)
{
  if (!a)
    return NULL;
  table *t = &a->t;
  /* a process that crashed once or twice is not a loop */
  size_t kept = 0;
  for (size_t k = 0; k < t->n; k++) {
    suspect *s = &t->v[k];
    if (s->kind == K_CRASH) {
      if (s->count < CP_DRAIN_CRASH_LOOP_MIN) {
        free(s->process);
        free(s->times);
        continue;
      }
      if (s->ntimes) {
        s->has_worst = true;
        s->worst = (double)busiest_hour(s->times, s->ntimes);
        s->unit = "count";
      }
    }
    t->v[kept++] = *s;
  }
  t->n = kept;
  if (t->n)
    qsort(t->v, t->n, sizeof *t->v, cmp_suspect);

  json_t *arr = json_array();
  json_t *out = NULL;
  bool oom = t->oom || !arr;
  for (size_t k = 0; k < t->n && !oom; k++) {
    if (k >= CP_DRAIN_MAX_SUSPECTS)
      break;
    json_t *o = suspect_json(&t->v[k]);
    if (!o || json_array_append_new(arr, o))
      oom = true;
  }
  size_t more = t->n > CP_DRAIN_MAX_SUSPECTS ? t->n - CP_DRAIN_MAX_SUSPECTS : 0;
  if (!oom)
    out = json_pack("{s:o, s:O, s:I}", "since", iso(a->oldest), "suspects", arr, "more",
                    (json_int_t)more);
  json_decref(arr);
  cp_drain_acc_free(a);
  return out;
}

json_t *cp_drain_rank(const json_t *records, long long since_unix)
{
  if (!json_is_array(records))
    return NULL;
  cp_drain_acc *a = cp_drain_acc_new(since_unix);
  if (!a)
    return NULL;
  size_t i;
  const json_t *rec;
  json_array_foreach(records, i, rec)
  {
    if (cp_drain_acc_add(a, rec) != 0)
      break; /* out of memory: finish says so */
  }
  return cp_drain_acc_finish(a);
}
