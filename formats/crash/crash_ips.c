/* The JSON bodies of .ips reports: app crashes (309), panics (210, and
 * ForceReset 151 which calls its panic text "string"), JetsamEvent (298), the
 * JSON-lines CoreAnalytics log (211), and a salvage pass for a body that was
 * cut short. Every key is optional: newer iOS adds keys, older lacks them. */
#include "crash_internal.h"
#include "crash_report.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *jstr(const json_t *o, const char *key)
{
  return json_string_value(json_object_get(o, key));
}

/* Basename of an image path, for images with no "name". */
static const char *base_name(const char *path)
{
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* Frames of one thread: image from usedImages[imageIndex], symbol and the
 * offset into the image (stable across ASLR, unlike the address). */
static json_t *ips_frames(const json_t *frames, const json_t *images)
{
  json_t *out = json_array();
  if (!out)
    return NULL;
  size_t n = json_array_size(frames);
  for (size_t i = 0; i < n && i < CP_CRASH_MAX_FRAMES; i++) {
    const json_t *f = json_array_get(frames, i);
    if (!json_is_object(f))
      continue;
    json_t *fr = json_object();
    if (!fr)
      break;
    long long idx, v;
    if (cp__crash_int(json_object_get(f, "imageIndex"), &idx) && idx >= 0 &&
        (unsigned long long)idx < json_array_size(images)) {
      const json_t *img = json_array_get(images, (size_t)idx);
      const char *name = jstr(img, "name");
      if (!name && jstr(img, "path"))
        name = base_name(jstr(img, "path"));
      cp__crash_set(fr, "image", name);
    }
    cp__crash_set_jstr(fr, "symbol", json_object_get(f, "symbol"));
    if (cp__crash_int(json_object_get(f, "imageOffset"), &v))
      (void)json_object_set_new(fr, "offset", json_integer(v));
    if (cp__crash_int(json_object_get(f, "symbolLocation"), &v))
      (void)json_object_set_new(fr, "symbol_offset", json_integer(v));
    (void)json_array_append_new(out, fr);
  }
  return out;
}

static void ips_crash(json_t *rec, const json_t *b)
{
  const json_t *bi = json_object_get(b, "bundleInfo");
  cp__crash_set_jstr(rec, "bundle_id", json_object_get(bi, "CFBundleIdentifier"));
  cp__crash_set_jstr(rec, "app_version", json_object_get(bi, "CFBundleShortVersionString"));
  cp__crash_set_jstr(rec, "app_build", json_object_get(bi, "CFBundleVersion"));

  const json_t *ex = json_object_get(b, "exception");
  cp__crash_set_jstr(rec, "exception_type", json_object_get(ex, "type"));
  cp__crash_set_jstr(rec, "signal", json_object_get(ex, "signal"));
  cp__crash_set_jstr(rec, "exception_codes", json_object_get(ex, "codes"));
  cp__crash_set_jstr(rec, "exception_subtype", json_object_get(ex, "subtype"));
  cp__crash_set_jstr(rec, "exception_message", json_object_get(ex, "message"));

  const json_t *term = json_object_get(b, "termination");
  if (json_is_object(term) && !json_object_get(rec, "termination_reason")) {
    const char *ns = jstr(term, "namespace");
    const char *ind = jstr(term, "indicator");
    char buf[CP_CRASH_MAX_STR];
    char codebuf[32] = "";
    long long c;
    if (cp__crash_int(json_object_get(term, "code"), &c)) {
      /* Signals read as numbers, launch/watchdog codes as 0x8badf00d. */
      if (ns && !strcmp(ns, "SIGNAL"))
        snprintf(codebuf, sizeof codebuf, "%lld", c);
      else
        snprintf(codebuf, sizeof codebuf, "0x%llx", (unsigned long long)c);
      cp__crash_set(rec, "termination_code", codebuf);
    }
    snprintf(buf, sizeof buf, "%s%s%s%s%s", ns ? ns : "", ns && codebuf[0] ? " " : "", codebuf,
             ind ? " " : "", ind ? ind : "");
    cp__crash_set(rec, "termination_reason", buf);
  }
  const json_t *asi = json_object_get(b, "asi");
  if (json_is_object(asi)) {
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)asi, k, v)
    {
      cp__crash_set_jstr(rec, "application_specific", json_array_get(v, 0));
      break;
    }
  }

  const json_t *threads = json_object_get(b, "threads");
  const json_t *images = json_object_get(b, "usedImages");
  long long crashed = -1;
  if (!cp__crash_int(json_object_get(b, "faultingThread"), &crashed) || crashed < 0) {
    crashed = -1;
    for (size_t i = 0; i < json_array_size(threads); i++)
      if (json_is_true(json_object_get(json_array_get(threads, i), "triggered"))) {
        crashed = (long long)i;
        break;
      }
  }
  if (crashed >= 0)
    cp__crash_set_new(rec, "crashed_thread", json_integer(crashed));
  if (crashed >= 0 && (size_t)crashed < json_array_size(threads)) {
    const json_t *th = json_array_get(threads, (size_t)crashed);
    cp__crash_set_new(rec, "frames", ips_frames(json_object_get(th, "frames"), images));
  } else if (json_is_array(threads)) {
    cp__crash_warn(rec, "crashed thread %lld not among the %zu threads", crashed,
                   json_array_size(threads));
  }
  const json_t *leb = json_object_get(b, "lastExceptionBacktrace");
  if (json_is_array(leb))
    cp__crash_set_new(rec, "exception_frames", ips_frames(leb, images));
}

/* "Panicked task 0x...: 1878 pages, 227 threads: pid 956: Test" */
static void panicked_task(json_t *rec, const char *s)
{
  const char *t = strstr(s, "Panicked task");
  if (!t)
    return;
  const char *eol = strchr(t, '\n');
  size_t n = eol ? (size_t)(eol - t) : strlen(t);
  const char *pid = cp__crash_memmem(t, n, "pid ", 4);
  if (!pid)
    return;
  const char *p = pid + 4;
  const char *end = t + n;
  long long v = 0;
  int digits = 0;
  while (p < end && isdigit((unsigned char)*p) && digits < 10) {
    v = v * 10 + (*p++ - '0');
    digits++;
  }
  if (digits)
    cp__crash_set_new(rec, "panicked_pid", json_integer(v));
  if (p + 1 < end && p[0] == ':')
    cp__crash_setn(rec, "panicked_task", p + 1, (size_t)(end - p - 1));
}

static void panic_text(json_t *rec, const char *s)
{
  const char *nl = strchr(s, '\n');
  cp__crash_setn(rec, "panic_string", s, nl ? (size_t)(nl - s) : strlen(s));
  panicked_task(rec, s);
}

static void ips_jetsam(json_t *rec, const json_t *b)
{
  json_t *js = json_object_get(rec, "jetsam");
  if (!js) {
    js = json_object();
    if (!js || json_object_set_new(rec, "jetsam", js))
      return;
  }
  cp__crash_set_jstr(js, "largest_process", json_object_get(b, "largestProcess"));
  const json_t *procs = json_object_get(b, "processes");
  json_t *killed = json_array();
  size_t nk = 0;
  /* The reason most killed processes share is the event's reason; a small
   * fixed table keeps this linear whatever the report claims. */
  const char *reasons[16];
  size_t counts[16], nr = 0;
  const char *best = NULL;
  size_t best_n = 0;
  for (size_t i = 0; i < json_array_size(procs); i++) {
    const json_t *p = json_array_get(procs, i);
    const char *r = jstr(p, "reason");
    if (!r)
      continue;
    nk++;
    if (killed && json_array_size(killed) < 32) {
      json_t *k = json_object();
      if (k) {
        cp__crash_set_jstr(k, "process", json_object_get(p, "name"));
        cp__crash_set(k, "reason", r);
        (void)json_array_append_new(killed, k);
      }
    }
    size_t j = 0;
    while (j < nr && strcmp(reasons[j], r))
      j++;
    if (j == nr && nr < 16) {
      reasons[nr] = r;
      counts[nr++] = 0;
    }
    if (j < nr && ++counts[j] > best_n) {
      best_n = counts[j];
      best = r;
    }
  }
  cp__crash_set(js, "reason", best);
  if (killed)
    (void)json_object_set_new(js, "killed", killed);
  (void)json_object_set_new(js, "killed_count", json_integer((json_int_t)nk));
  if (json_is_array(procs))
    (void)json_object_set_new(js, "process_count",
                              json_integer((json_int_t)json_array_size(procs)));
}

void cp__crash_ips_body(json_t *rec, int bug_type, const json_t *b)
{
  if (!json_is_object(b)) {
    cp__crash_warn(rec, "report body is JSON but not an object");
    return;
  }
  cp__crash_set_jstr(rec, "process", json_object_get(b, "procName"));
  cp__crash_set_jstr(rec, "device_model", json_object_get(b, "modelCode"));
  cp__crash_set_jstr(rec, "device_model", json_object_get(b, "product"));
  cp__crash_set_jstr(rec, "incident_id", json_object_get(b, "incident"));
  const char *ts = jstr(b, "captureTime");
  if (!ts)
    ts = jstr(b, "date");
  if (ts)
    cp__crash_set_timestamp(rec, ts, strlen(ts));
  const json_t *osv = json_object_get(b, "osVersion");
  if (json_is_object(osv)) {
    const char *train = jstr(osv, "train");
    if (train)
      cp__crash_set_os(rec, train, strlen(train));
    cp__crash_set_jstr(rec, "os_build", json_object_get(osv, "build"));
  }
  const char *build = jstr(b, "build");
  if (build)
    cp__crash_set_os(rec, build, strlen(build));

  if (json_object_get(b, "exception") || json_object_get(b, "threads"))
    ips_crash(rec, b);
  const char *ps = jstr(b, "panicString");
  if (!ps && (bug_type == 151 || bug_type == 210 || bug_type == 110))
    ps = jstr(b, "string");
  if (ps)
    panic_text(rec, ps);
  if (json_object_get(b, "largestProcess") || bug_type == 298)
    ips_jetsam(rec, b);
}

/* A body cut short (a prefix read, a broken pull): pick the fields a
 * listing needs straight out of the text. */
void cp__crash_ips_salvage(json_t *rec, int bug_type, const char *p, size_t n)
{
  static const struct {
    const char *json_key, *rec_key;
  } keys[] = {{"procName", "process"},
              {"modelCode", "device_model"},
              {"product", "device_model"},
              {"CFBundleIdentifier", "bundle_id"},
              {"CFBundleShortVersionString", "app_version"},
              {"incident", "incident_id"}};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (!json_object_get(rec, keys[i].rec_key))
      cp__crash_set_new(rec, keys[i].rec_key, cp__crash_salvage_string(p, n, keys[i].json_key));
  static const char *const times[] = {"captureTime", "date"};
  for (size_t i = 0; i < 2; i++) {
    json_t *t = cp__crash_salvage_string(p, n, times[i]);
    if (t)
      cp__crash_set_timestamp(rec, json_string_value(t), json_string_length(t));
    json_decref(t);
  }
  json_t *b = cp__crash_salvage_string(p, n, "build");
  if (b)
    cp__crash_set_os(rec, json_string_value(b), json_string_length(b));
  json_decref(b);
  /* The exception object is flat and early in a 309: search just inside it. */
  const char *ex = cp__crash_memmem(p, n, "\"exception\"", 11);
  if (ex) {
    size_t off = (size_t)(ex - p);
    size_t win = n - off;
    const char *close = memchr(ex, '}', win);
    if (close)
      win = (size_t)(close - ex);
    cp__crash_set_new(rec, "exception_type", cp__crash_salvage_string(ex, win, "type"));
    cp__crash_set_new(rec, "signal", cp__crash_salvage_string(ex, win, "signal"));
    cp__crash_set_new(rec, "exception_codes", cp__crash_salvage_string(ex, win, "codes"));
  }
  /* Panic text keeps its newlines here: the first line and the task line
   * are found in it. ForceReset (151) names it "string". */
  char raw[8192];
  size_t rl = cp__crash_salvage_raw(p, n, "panicString", raw, sizeof raw - 1, NULL);
  if (!rl && (bug_type == 151 || bug_type == 210))
    rl = cp__crash_salvage_raw(p, n, "string", raw, sizeof raw - 1, NULL);
  if (rl) {
    raw[rl] = '\0';
    panic_text(rec, raw);
  }
  json_t *lp = cp__crash_salvage_string(p, n, "largestProcess");
  if (lp) {
    json_t *js = json_object();
    if (js && !json_object_get(rec, "jetsam")) {
      (void)json_object_set(js, "largest_process", lp);
      (void)json_object_set_new(rec, "jetsam", js);
    } else {
      json_decref(js);
    }
    json_decref(lp);
  }
}

/* "MaximumCapacityPercent" -> "maximum_capacity_percent". */
static void snake(const char *in, char *out, size_t cap)
{
  size_t o = 0;
  for (size_t i = 0; in[i] && o + 2 < cap; i++) {
    unsigned char c = (unsigned char)in[i];
    if (isupper(c) && i > 0 &&
        (islower((unsigned char)in[i - 1]) || isdigit((unsigned char)in[i - 1]) ||
         (isupper((unsigned char)in[i - 1]) && islower((unsigned char)in[i + 1]))))
      out[o++] = '_';
    out[o++] = (char)tolower(c);
  }
  out[o] = '\0';
}

/* Battery figures in CoreAnalytics: a message carrying
 * last_value_MaximumCapacityPercent; its other last_value_* keys go along. */
static void analytics_battery(json_t *rec, const json_t *msg)
{
  if (!json_object_get(msg, "last_value_MaximumCapacityPercent"))
    return;
  json_t *bat = json_object_get(rec, "battery");
  if (!bat) {
    bat = json_object();
    if (!bat || json_object_set_new(rec, "battery", bat))
      return;
  }
  const char *k;
  const json_t *v;
  json_object_foreach((json_t *)msg, k, v)
  {
    if (strncmp(k, "last_value_", 11) || !(json_is_number(v) || json_is_string(v)))
      continue;
    char name[128];
    snake(k + 11, name, sizeof name);
    if (name[0] && !json_object_get(bat, name) && json_object_size(bat) < 64)
      (void)json_object_set_new(bat, name,
                                json_is_string(v) ? json_copy((json_t *)v) : cp__crash_num(v));
  }
}

void cp__crash_analytics_lines(json_t *rec, const char *p, size_t n)
{
  size_t records = 0, bad = 0, first_bad = 0, line = 1;
  bool eof_marker = false;
  for (size_t i = 0; i < n; line++) {
    const char *nl = memchr(p + i, '\n', n - i);
    size_t len = nl ? (size_t)(nl - (p + i)) : n - i;
    const char *l = p + i;
    i += len + (nl ? 1 : 0);
    while (len && (l[len - 1] == '\r' || l[len - 1] == ' '))
      len--;
    if (len == 0)
      continue;
    /* Most lines are other metrics: check their shape, decode only the
     * battery and marker lines. */
    bool whole = l[0] == '{' && cp__crash_json_skip(l, len, 0) == len;
    json_t *o = NULL;
    if (whole && (cp__crash_memmem(l, len, "last_value_MaximumCapacityPercent", 33) ||
                  cp__crash_memmem(l, len, "\"_marker\"", 9))) {
      if (cp__crash_depth_ok(l, len, CP_CRASH_MAX_DEPTH))
        o = json_loadb(l, len, JSON_DECODE_INT_AS_REAL, NULL);
    } else if (whole) {
      records++;
      continue;
    }
    if (!json_is_object(o)) {
      if (!bad++)
        first_bad = line;
      json_decref(o);
      continue;
    }
    records++;
    const char *marker = jstr(o, "_marker");
    if (marker && !strcmp(marker, "<end-of-file>"))
      eof_marker = true;
    const json_t *msg = json_object_get(o, "message");
    if (json_is_object(msg))
      analytics_battery(rec, msg);
    json_decref(o);
  }
  json_t *a = json_object();
  if (a) {
    (void)json_object_set_new(a, "records", json_integer((json_int_t)records));
    cp__crash_set_new(rec, "analytics", a);
  }
  if (bad)
    cp__crash_warn(rec, "%zu analytics line(s) are not JSON objects (first at body line %zu)", bad,
                   first_bad);
  if (!eof_marker)
    cp__crash_warn(rec, "analytics log has no <end-of-file> marker (truncated?)");
}

/* Members of a body worth decoding; the rest (processByPid, binaryImages,
 * vmSummary, thread states of other threads...) is skimmed over. */
static const char *const wanted[] = {
    "procName",    "modelCode", "product",        "incident",   "captureTime",
    "date",        "osVersion", "build",          "bundleInfo", "exception",
    "termination", "asi",       "faultingThread", "usedImages", "lastExceptionBacktrace",
    "panicString", "string",    "largestProcess", "bug_type"};

typedef struct lazy {
  json_t *rec, *b;
  const char *threads, *procs;
  size_t threads_n, procs_n;
  long long faulting;
  json_t *arr;
  bool reason_only; /* processes: decode only killed ones */
} lazy;

static json_t *decode(json_t *rec, const char *what, const char *v, size_t vn)
{
  json_t *j = NULL;
  if (cp__crash_depth_ok(v, vn, CP_CRASH_MAX_DEPTH))
    j = json_loadb(v, vn, JSON_DECODE_INT_AS_REAL | JSON_DECODE_ANY, NULL);
  if (!j)
    cp__crash_warn(rec, "member '%s' of the body is not valid JSON", what);
  return j;
}

static void on_member(void *ctx, const char *key, size_t kn, const char *v, size_t vn)
{
  lazy *lz = ctx;
  char k[64];
  if (kn >= sizeof k)
    return;
  memcpy(k, key, kn);
  k[kn] = '\0';
  if (!strcmp(k, "threads")) {
    lz->threads = v;
    lz->threads_n = vn;
    return;
  }
  if (!strcmp(k, "processes")) {
    lz->procs = v;
    lz->procs_n = vn;
    return;
  }
  for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
    if (!strcmp(k, wanted[i]) && !json_object_get(lz->b, k)) {
      json_t *j = decode(lz->rec, k, v, vn);
      if (j)
        (void)json_object_set_new(lz->b, k, j);
      return;
    }
}

/* threads: only the crashed one is decoded, the others stay null. */
static void on_thread(void *ctx, size_t idx, const char *v, size_t vn)
{
  lazy *lz = ctx;
  json_t *j = NULL;
  if (json_array_size(lz->arr) >= 4096)
    return;
  if (lz->faulting >= 0 ? (long long)idx == lz->faulting
                        : cp__crash_memmem(v, vn, "\"triggered\"", 11) != NULL)
    j = decode(lz->rec, "threads", v, vn);
  (void)json_array_append_new(lz->arr, j ? j : json_null());
}

/* processes: only the killed ones (they carry "reason") are decoded. */
static void on_process(void *ctx, size_t idx, const char *v, size_t vn)
{
  lazy *lz = ctx;
  (void)idx;
  json_t *j = NULL;
  if (cp__crash_memmem(v, vn, "\"reason\"", 8))
    j = decode(lz->rec, "processes", v, vn);
  (void)json_array_append_new(lz->arr, j ? j : json_null());
}

int cp__crash_ips_json(json_t *rec, int bug_type, const char *p, size_t n)
{
  lazy lz = {.rec = rec, .b = json_object(), .faulting = -1};
  if (!lz.b)
    return -1;
  size_t stop = 0;
  bool complete = cp__crash_json_members(p, n, on_member, &lz, &stop);
  if (!complete)
    cp__crash_warn(rec,
                   "the report body is not complete JSON (truncated?): stops at byte %zu of %zu",
                   stop, n);
  if (lz.threads) {
    long long ft;
    if (cp__crash_int(json_object_get(lz.b, "faultingThread"), &ft) && ft >= 0)
      lz.faulting = ft;
    lz.arr = json_array();
    if (lz.arr) {
      (void)cp__crash_json_elements(lz.threads, lz.threads_n, on_thread, &lz);
      (void)json_object_set_new(lz.b, "threads", lz.arr);
    }
  }
  if (lz.procs) {
    lz.arr = json_array();
    if (lz.arr) {
      (void)cp__crash_json_elements(lz.procs, lz.procs_n, on_process, &lz);
      (void)json_object_set_new(lz.b, "processes", lz.arr);
    }
  }
  /* The body's own bug_type ("309" or 309) when the header gave none. */
  int body_bt = -1;
  const json_t *bt = json_object_get(lz.b, "bug_type");
  long long v;
  if (json_is_string(bt) && json_string_length(bt) > 0 && json_string_length(bt) <= 5 &&
      strspn(json_string_value(bt), "0123456789") == json_string_length(bt))
    body_bt = atoi(json_string_value(bt));
  else if (cp__crash_int(bt, &v) && v >= 0 && v < 100000)
    body_bt = (int)v;
  if (bug_type < 0)
    bug_type = body_bt;
  cp__crash_ips_body(rec, bug_type, lz.b);
  json_decref(lz.b);
  if (!complete)
    cp__crash_ips_salvage(rec, bug_type, p, n);
  return body_bt;
}
