/* Signatures and triage: many reports of the same failure must land in one
 * group, so a signature keeps only what is stable across runs and devices
 * (process, exception, the first frames that are not abort/throw plumbing,
 * by image and symbol) and drops addresses, offsets and ASLR slides. Panics
 * and jetsam events are summarised on their own: a technician asks "how many
 * panics, saying what" and "who was the memory hog", not for stacks. */
#include "crash_internal.h"
#include "crash_report.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIG_FRAMES 3
#define BASIS_MAX 2048
#define GROUP_FILES_MAX 1000
/* Bounds that keep a triage fixed-size whatever a device holds (10,000
 * reports, or a hostile device where every report is its own failure):
 * distinct groups and count-list keys, and file names over all groups. The
 * rest is still counted, under "(other)". */
#define GROUPS_MAX 500
#define KEYS_MAX 200
#define FILES_TOTAL_MAX 4000

typedef struct sbuf {
  char s[BASIS_MAX];
  size_t n;
} sbuf;

static void sb_add(sbuf *b, const char *s)
{
  for (; s && *s && b->n + 1 < sizeof b->s; s++)
    b->s[b->n++] = *s;
  b->s[b->n] = '\0';
}

/* Appends s with every 0x<hex> and every other run of digits folded to '#',
 * so "cpu 4 caller 0xfffffff015b84ae0" and "cpu 1 caller 0x..." match. */
static void sb_add_norm(sbuf *b, const char *s, bool fold_decimal)
{
  while (s && *s && b->n + 1 < sizeof b->s) {
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2])) {
      s += 2;
      while (isxdigit((unsigned char)*s))
        s++;
      sb_add(b, "0x#");
    } else if (fold_decimal && isdigit((unsigned char)*s)) {
      while (isdigit((unsigned char)*s))
        s++;
      sb_add(b, "#");
    } else {
      b->s[b->n++] = *s++;
      b->s[b->n] = '\0';
    }
  }
}

static const char *str(const json_t *o, const char *key)
{
  return json_string_value(json_object_get(o, key));
}

/* Frames every abort or uncaught exception passes through: they say how the
 * process died, not where the bug is. */
static bool plumbing(const json_t *f)
{
  static const char *const images[] = {"libsystem_kernel.dylib",
                                       "libsystem_pthread.dylib",
                                       "libsystem_c.dylib",
                                       "libc++abi.dylib",
                                       "libc++abi",
                                       "libobjc.A.dylib"};
  static const char *const symbols[] = {"__exceptionPreprocess", "objc_exception_throw",
                                        "-[NSException raise]", "abort"};
  const char *img = str(f, "image"), *sym = str(f, "symbol");
  for (size_t i = 0; img && i < sizeof images / sizeof images[0]; i++)
    if (!strcmp(img, images[i]))
      return true;
  for (size_t i = 0; sym && i < sizeof symbols / sizeof symbols[0]; i++)
    if (!strcmp(sym, symbols[i]))
      return true;
  return false;
}

static void add_frames(sbuf *b, const json_t *frames)
{
  size_t n = json_array_size(frames), used = 0;
  for (int pass = 0; pass < 2 && used == 0; pass++) {
    for (size_t i = 0; i < n && used < SIG_FRAMES; i++) {
      const json_t *f = json_array_get(frames, i);
      if (pass == 0 && plumbing(f))
        continue; /* second pass: all frames were plumbing, take them */
      sb_add(b, "|");
      sb_add(b, str(f, "image") ? str(f, "image") : "?");
      if (str(f, "symbol")) {
        sb_add(b, "`");
        sb_add_norm(b, str(f, "symbol"), false);
      }
      used++;
    }
  }
}

/* The panic's first line without "panic(cpu N caller 0x...): ". */
static const char *panic_reason(const char *ps)
{
  if (ps && !strncmp(ps, "panic(", 6)) {
    const char *c = strstr(ps, "): ");
    if (c)
      return c + 3;
  }
  return ps;
}

void cp__crash_sign(json_t *rec)
{
  sbuf b = {.n = 0};
  b.s[0] = '\0';
  const char *kind = str(rec, "kind");
  sb_add(&b, kind ? kind : "other");
  if (kind && !strcmp(kind, "panic")) {
    sb_add(&b, "|");
    if (str(rec, "panic_string"))
      sb_add_norm(&b, panic_reason(str(rec, "panic_string")), true);
    else
      sb_add(&b, str(rec, "bug_type_name"));
  } else if (kind && !strcmp(kind, "jetsam")) {
    const json_t *j = json_object_get(rec, "jetsam");
    sb_add(&b, "|");
    sb_add(&b, str(j, "reason"));
    sb_add(&b, "|");
    sb_add(&b, str(j, "largest_process"));
  } else if (kind && !strcmp(kind, "resource")) {
    sb_add(&b, "|");
    sb_add(&b, str(rec, "process"));
    sb_add(&b, "|");
    sb_add(&b, str(json_object_get(rec, "resource"), "type"));
  } else if (kind && !strcmp(kind, "analytics")) {
    sb_add(&b, "|");
    sb_add(&b, str(rec, "bug_type_name"));
  } else {
    static const char *const keys[] = {"process", "exception_type", "signal"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
      sb_add(&b, "|");
      sb_add(&b, str(rec, keys[i]));
    }
    /* A watchdog or security kill (0x8badf00d, 0x2bad45ec) is its own
     * failure; a signal's code only repeats the signal, spelled differently
     * by .ips ("11") and .crash ("0xb"), so it stays out. */
    const char *tr = str(rec, "termination_reason");
    sb_add(&b, "|");
    if (tr && !strstr(tr, "SIGNAL"))
      sb_add(&b, str(rec, "termination_code"));
    const json_t *ef = json_object_get(rec, "exception_frames");
    add_frames(&b, json_array_size(ef) ? ef : json_object_get(rec, "frames"));
  }
  /* FNV-1a 64: short, stable, no dependency; groups are compared by equality. */
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < b.n; i++) {
    h ^= (unsigned char)b.s[i];
    h *= 0x100000001b3ULL;
  }
  char hex[17];
  snprintf(hex, sizeof hex, "%016" PRIx64, h);
  (void)json_object_set_new(rec, "signature", json_string(hex));
  json_t *basis = cp__crash_strn(b.s, b.n);
  if (basis)
    (void)json_object_set_new(rec, "signature_basis", basis);
}

/* Bumps counts[key] (an object used as a map) and returns the new count. */
static void bump(json_t *counts, const char *key)
{
  if (!json_object_get(counts, key) && json_object_size(counts) >= KEYS_MAX)
    key = "(other)";
  json_t *c = json_object_get(counts, key);
  if (c)
    (void)json_integer_set(c, json_integer_value(c) + 1);
  else
    (void)json_object_set_new(counts, key, json_integer(1));
}

/* Earliest and latest member: keeps the report's own timestamp string. */
static void seen(json_t *g, const json_t *rec)
{
  const json_t *t = json_object_get(rec, "time");
  const json_t *ts = json_object_get(rec, "timestamp");
  if (!json_is_integer(t) || !json_is_string(ts))
    return;
  json_int_t v = json_integer_value(t);
  const json_t *ft = json_object_get(g, "first_time");
  const json_t *lt = json_object_get(g, "last_time");
  if (!ft || v < json_integer_value(ft)) {
    (void)json_object_set_new(g, "first_time", json_integer(v));
    (void)json_object_set(g, "first_seen", (json_t *)ts);
  }
  if (!lt || v > json_integer_value(lt)) {
    (void)json_object_set_new(g, "last_time", json_integer(v));
    (void)json_object_set(g, "last_seen", (json_t *)ts);
  }
}

static int by_count(const void *a, const void *b)
{
  const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
  json_int_t cx = json_integer_value(json_object_get(x, "count"));
  json_int_t cy = json_integer_value(json_object_get(y, "count"));
  if (cx != cy)
    return cx > cy ? -1 : 1;
  json_int_t lx = json_integer_value(json_object_get(x, "last_time"));
  json_int_t ly = json_integer_value(json_object_get(y, "last_time"));
  if (lx != ly)
    return lx > ly ? -1 : 1;
  return strcmp(str(x, "signature"), str(y, "signature"));
}

/* {key: n, ...} -> [{name: key, count: n}, ...] by count descending. */
static json_t *count_list(json_t *counts, const char *name)
{
  size_t n = json_object_size(counts);
  json_t *arr = json_array();
  json_t **items = n ? calloc(n, sizeof *items) : NULL;
  if (!arr || (n && !items)) {
    free(items);
    json_decref(arr);
    return NULL;
  }
  size_t k = 0;
  const char *key;
  json_t *v;
  json_object_foreach(counts, key, v)
  {
    json_t *o = json_pack("{s:s, s:O, s:s}", name, key, "count", v, "signature", key);
    if (o && k < n)
      items[k++] = o;
    else
      json_decref(o);
  }
  if (k) /* qsort(NULL, 0, ...) is undefined */
    qsort(items, k, sizeof *items, by_count);
  for (size_t i = 0; i < k; i++) {
    (void)json_object_del(items[i], "signature");
    (void)json_array_append_new(arr, items[i]);
  }
  free(items);
  return arr;
}

struct cp_triage {
  json_t *groups; /* signature -> group */
  json_t *panic_lines, *jetsam_procs;
  size_t total, panics, jetsams, analytics, forced, files;
  int broken; /* out of memory once: the result is NULL */
};

cp_triage *cp_triage_new(void)
{
  cp_triage *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  t->groups = json_object();
  t->panic_lines = json_object();
  t->jetsam_procs = json_object();
  if (!t->groups || !t->panic_lines || !t->jetsam_procs) {
    cp_triage_free(t);
    return NULL;
  }
  return t;
}

void cp_triage_free(cp_triage *t)
{
  if (!t)
    return;
  json_decref(t->groups);
  json_decref(t->panic_lines);
  json_decref(t->jetsam_procs);
  free(t);
}

void cp_triage_add(cp_triage *t, const json_t *r)
{
  if (!t || !json_is_object(r))
    return;
  t->total++;
  const char *kind = str(r, "kind");
  /* A forced restart (bug_type 151, ForceReset: the buttons were held) is
   * the person's act, not a kernel panic: counted apart, grouped below. */
  if (json_integer_value(json_object_get(r, "bug_type")) == 151) {
    t->forced++;
  } else if (kind && !strcmp(kind, "panic")) {
    t->panics++;
    /* Counted by the normalized line (addresses folded), so the same
     * panic at other addresses is one entry. */
    const char *basis = str(r, "signature_basis");
    const char *ps = str(r, "panic_string");
    if (basis && !strncmp(basis, "panic|", 6) && ps)
      bump(t->panic_lines, basis + 6);
    else
      bump(t->panic_lines, ps ? panic_reason(ps) : "(no panic string)");
    return;
  }
  if (kind && !strcmp(kind, "jetsam")) {
    t->jetsams++;
    const char *lp = str(json_object_get(r, "jetsam"), "largest_process");
    bump(t->jetsam_procs, lp ? lp : "(unknown)");
    return;
  }
  if (kind && !strcmp(kind, "analytics")) {
    t->analytics++;
    return;
  }
  const char *sig = str(r, "signature");
  if (!sig)
    sig = "(none)";
  json_t *g = json_object_get(t->groups, sig);
  if (!g && json_object_size(t->groups) >= GROUPS_MAX) {
    sig = "(other)";
    g = json_object_get(t->groups, sig);
  }
  if (!g) {
    g = json_object();
    if (!g || json_object_set_new(t->groups, sig, g)) {
      t->broken = 1;
      return;
    }
    (void)json_object_set_new(g, "signature", json_string(sig));
    static const char *const copy[] = {"process", "exception_type", "kind", "bug_type_name",
                                       "signature_basis"};
    for (size_t k = 0; strcmp(sig, "(other)") && k < sizeof copy / sizeof copy[0]; k++)
      if (json_object_get(r, copy[k]))
        (void)json_object_set(g, copy[k], json_object_get(r, copy[k]));
    (void)json_object_set_new(g, "count", json_integer(0));
    (void)json_object_set_new(g, "files", json_array());
  }
  json_t *cnt = json_object_get(g, "count");
  (void)json_integer_set(cnt, json_integer_value(cnt) + 1);
  seen(g, r);
  /* The OS of the latest report: "still crashing after the update?" */
  const json_t *rt = json_object_get(r, "time");
  if (json_object_get(r, "os_version") &&
      (!json_object_get(g, "os_version") ||
       (rt && json_integer_value(rt) == json_integer_value(json_object_get(g, "last_time")))))
    (void)json_object_set(g, "os_version", json_object_get(r, "os_version"));
  json_t *files = json_object_get(g, "files");
  if (str(r, "file") && json_array_size(files) < GROUP_FILES_MAX && t->files < FILES_TOTAL_MAX) {
    (void)json_array_append(files, json_object_get(r, "file"));
    t->files++;
  }
}

json_t *cp_triage_result(const cp_triage *t)
{
  if (!t || t->broken)
    return NULL;
  json_t *out = NULL;
  size_t ng = json_object_size(t->groups), k = 0;
  json_t **sorted = ng ? calloc(ng, sizeof *sorted) : NULL;
  if (ng && !sorted)
    return NULL;
  const char *key;
  json_t *g;
  json_object_foreach(t->groups, key, g)
  {
    if (k < ng)
      sorted[k++] = g;
  }
  if (k)
    qsort(sorted, k, sizeof *sorted, by_count);
  json_t *garr = json_array();
  json_t *pl = count_list(t->panic_lines, "line");
  json_t *jp = count_list(t->jetsam_procs, "process");
  out = json_pack("{s:o?, s:{s:I, s:o?}, s:{s:I, s:o?}, s:{s:I}, s:{s:I}, s:I}", "groups", garr,
                  "panics", "count", (json_int_t)t->panics, "first_lines", pl, "jetsam", "count",
                  (json_int_t)t->jetsams, "largest_processes", jp, "analytics", "count",
                  (json_int_t)t->analytics, "forced_restarts", "count", (json_int_t)t->forced,
                  "total", (json_int_t)t->total);
  if (out && garr)
    for (size_t i = 0; i < k; i++)
      (void)json_array_append_new(garr, json_deep_copy(sorted[i]));
  free(sorted);
  return out;
}

json_t *cp_crash_triage(const json_t *records)
{
  if (!json_is_array(records))
    return NULL;
  cp_triage *t = cp_triage_new();
  if (!t)
    return NULL;
  for (size_t i = 0; i < json_array_size(records); i++)
    cp_triage_add(t, json_array_get(records, i));
  json_t *out = cp_triage_result(t);
  cp_triage_free(t);
  return out;
}
