/* Legacy text reports: "Report Version: 104" .crash files (iOS <= 14, and the
 * Xcode-translated form that starts with the .ips header line), the text body
 * of 109 crash .ips files, and the "Key: value" text of resource reports
 * (202 cpu usage, 145 disk writes, 206 fatal cpu). Line by line, bounded by
 * the buffer length; unknown lines are skipped, so new keys do no harm. */
#include "crash_internal.h"
#include "crash_report.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct span {
  const char *p;
  size_t n;
} span;

static span trim(span s)
{
  while (s.n && isspace((unsigned char)s.p[0])) {
    s.p++;
    s.n--;
  }
  while (s.n && isspace((unsigned char)s.p[s.n - 1]))
    s.n--;
  return s;
}

static bool eq(span s, const char *lit)
{
  size_t l = strlen(lit);
  if (s.n != l)
    return false;
  for (size_t i = 0; i < l; i++)
    if (tolower((unsigned char)s.p[i]) != tolower((unsigned char)lit[i]))
      return false;
  return true;
}

static bool ends_with(span s, const char *lit)
{
  size_t l = strlen(lit);
  if (s.n < l)
    return false;
  span t = {s.p + s.n - l, l};
  return eq(t, lit);
}

static bool starts_with(span s, const char *lit)
{
  size_t l = strlen(lit);
  return s.n >= l && !memcmp(s.p, lit, l);
}

/* Reads a decimal or 0x-hex number at s; returns digits consumed (0: none). */
static size_t read_num(span s, long long *out)
{
  size_t i = 0;
  unsigned long long v = 0;
  int base = 10;
  if (s.n > 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X')) {
    base = 16;
    i = 2;
  }
  size_t start = i;
  for (; i < s.n && i - start < 16; i++) {
    int c = (unsigned char)s.p[i];
    int d;
    if (isdigit(c))
      d = c - '0';
    else if (base == 16 && isxdigit(c))
      d = tolower(c) - 'a' + 10;
    else
      break;
    v = v * (unsigned)base + (unsigned)d;
  }
  if (i == start)
    return 0;
  *out = (long long)(v & 0x7fffffffffffffffULL);
  return i;
}

/* "kaki [12225]" -> process "kaki", pid 12225 */
static void set_process(json_t *rec, span v)
{
  const char *br = memchr(v.p, '[', v.n);
  if (br) {
    span pid = {br + 1, v.n - (size_t)(br + 1 - v.p)};
    long long n;
    if (read_num(pid, &n))
      cp__crash_set_new(rec, "pid", json_integer(n));
    v.n = (size_t)(br - v.p);
  }
  v = trim(v);
  if (!eq(v, "???") && !eq(v, "UNKNOWN"))
    cp__crash_setn(rec, "process", v.p, v.n);
}

/* "12 (1.0.4)": up to iOS 14 CFBundleVersion, then the short version in
 * parentheses; iOS 15+ reports swap them ("1.0 (1)"), so the caller says
 * which order applies once it has seen "OS Version". */
static void set_version(json_t *rec, span v, bool short_first)
{
  const char *op = memchr(v.p, '(', v.n);
  const char *cl = op ? memchr(op, ')', v.n - (size_t)(op - v.p)) : NULL;
  span build = {v.p, op ? (size_t)(op - v.p) : v.n};
  build = trim(build);
  span paren = {NULL, 0};
  if (op && cl)
    paren = trim((span){op + 1, (size_t)(cl - op - 1)});
  span shortv = short_first ? build : paren, bundlev = short_first ? paren : build;
  if (shortv.n && !eq(shortv, "???"))
    cp__crash_setn(rec, "app_version", shortv.p, shortv.n);
  if (bundlev.n && !eq(bundlev, "???"))
    cp__crash_setn(rec, "app_build", bundlev.p, bundlev.n);
}

/* "EXC_CRASH (SIGABRT)" */
static void set_exception(json_t *rec, span v)
{
  const char *op = memchr(v.p, '(', v.n);
  span type = trim((span){v.p, op ? (size_t)(op - v.p) : v.n});
  cp__crash_setn(rec, "exception_type", type.p, type.n);
  if (op) {
    const char *cl = memchr(op, ')', v.n - (size_t)(op - v.p));
    if (cl)
      cp__crash_setn(rec, "signal", op + 1, (size_t)(cl - op - 1));
  }
}

/* "Namespace SPRINGBOARD, Code 0x8badf00d" or "SIGNAL 5 Trace/BPT trap: 5" */
static void set_termination(json_t *rec, span v)
{
  cp__crash_setn(rec, "termination_reason", v.p, v.n);
  const char *c = cp__crash_memmem(v.p, v.n, "Code ", 5);
  if (c) {
    span code = {c + 5, v.n - (size_t)(c + 5 - v.p)};
    long long x;
    size_t used = read_num(code, &x);
    if (used)
      cp__crash_setn(rec, "termination_code", code.p, used);
  } else if (starts_with(v, "SIGNAL ")) {
    span code = {v.p + 7, v.n - 7};
    long long x;
    size_t used = read_num(code, &x);
    if (used)
      cp__crash_setn(rec, "termination_code", code.p, used);
  }
}

static json_t *resource_obj(json_t *rec)
{
  json_t *r = json_object_get(rec, "resource");
  if (!r) {
    r = json_object();
    if (!r || json_object_set_new(rec, "resource", r))
      return NULL;
  }
  return r;
}

/* One "Key: value" line; returns true when the key is one we know.
 * "Version" is kept in *version for the end, when the OS is known. */
static bool header_line(json_t *rec, span key, span v, span *version)
{
  if (eq(key, "Incident Identifier"))
    cp__crash_setn(rec, "incident_id", v.p, v.n);
  else if (eq(key, "Hardware Model"))
    cp__crash_setn(rec, "device_model", v.p, v.n);
  else if (eq(key, "Device Model"))
    cp__crash_setn(rec, "device_board", v.p, v.n);
  else if (eq(key, "Process") || eq(key, "Command"))
    set_process(rec, v);
  else if (eq(key, "Identifier"))
    cp__crash_setn(rec, "bundle_id", v.p, v.n);
  else if (eq(key, "Version")) {
    if (!version->p)
      *version = v;
  } else if (eq(key, "Date/Time"))
    cp__crash_set_timestamp(rec, v.p, v.n);
  else if (eq(key, "OS Version"))
    cp__crash_set_os(rec, v.p, v.n);
  else if (eq(key, "Exception Type"))
    set_exception(rec, v);
  else if (eq(key, "Exception Codes"))
    cp__crash_setn(rec, "exception_codes", v.p, v.n);
  else if (eq(key, "Exception Subtype"))
    cp__crash_setn(rec, "exception_subtype", v.p, v.n);
  else if (eq(key, "Exception Message"))
    cp__crash_setn(rec, "exception_message", v.p, v.n);
  else if (eq(key, "Exception Note"))
    cp__crash_setn(rec, "exception_note", v.p, v.n);
  else if (eq(key, "Termination Reason"))
    set_termination(rec, v);
  else if (eq(key, "Termination Description"))
    cp__crash_setn(rec, "termination_description", v.p, v.n);
  else if (eq(key, "Triggered by Thread") || eq(key, "Crashed Thread")) {
    long long t;
    if (read_num(v, &t))
      cp__crash_set_new(rec, "crashed_thread", json_integer(t));
  } else if (eq(key, "Report Version"))
    cp__crash_setn(rec, "report_version", v.p, v.n);
  else if (eq(key, "Event")) {
    json_t *r = resource_obj(rec);
    if (r)
      cp__crash_setn(r, "type", v.p, v.n);
  } else if (eq(key, "Action taken")) {
    json_t *r = resource_obj(rec);
    if (r)
      cp__crash_setn(r, "action", v.p, v.n);
  } else if (json_object_get(rec, "resource") && eq(key, "Duration")) {
    /* the observed span, for a rate (wakeups per second) */
    cp__crash_setn(resource_obj(rec), "duration", v.p, v.n);
  } else if (json_object_get(rec, "resource") && key.n < 24 &&
             (ends_with(key, " limit") || ends_with(key, " used") || ends_with(key, " caused"))) {
    json_t *r = resource_obj(rec);
    if (r)
      cp__crash_setn(r, ends_with(key, " limit") ? "limit" : "observed", v.p, v.n);
  } else
    return false;
  return true;
}

/*
 * A frame line: "3   libsystem_c.dylib   \t0x1a64d58f8 a64l + 0",
 * "4   kaki  0x100081a1c 0x100078000 + 39452",
 * "0   CoreUI  \t0x189699354 0x189622000 + 0x77354\t// -[CUICatalog x] + 0x824".
 */
static json_t *frame_line(span l)
{
  size_t i = 0;
  while (i < l.n && isdigit((unsigned char)l.p[i]))
    i++;
  if (i == 0 || i >= l.n || !isspace((unsigned char)l.p[i]))
    return NULL;
  span r = trim((span){l.p + i, l.n - i});
  span image, after;
  const char *tab = memchr(r.p, '\t', r.n);
  if (tab) {
    image = trim((span){r.p, (size_t)(tab - r.p)});
    after = trim((span){tab + 1, r.n - (size_t)(tab + 1 - r.p)});
  } else {
    size_t k = 0;
    while (k < r.n && !isspace((unsigned char)r.p[k]))
      k++;
    image = (span){r.p, k};
    after = trim((span){r.p + k, r.n - k});
  }
  /* after = address, then either "base + offset [// symbol + x]" or "symbol + n" */
  size_t k = 0;
  long long dummy;
  if (!read_num(after, &dummy))
    return NULL;
  while (k < after.n && !isspace((unsigned char)after.p[k]))
    k++;
  span rest = trim((span){after.p + k, after.n - k});
  json_t *fr = json_object();
  if (!fr)
    return NULL;
  if (image.n && !eq(image, "???"))
    cp__crash_setn(fr, "image", image.p, image.n);
  long long base;
  size_t bl = read_num(rest, &base);
  if (bl && (bl == rest.n || isspace((unsigned char)rest.p[bl]))) {
    span t = trim((span){rest.p + bl, rest.n - bl});
    long long off;
    if (t.n > 1 && t.p[0] == '+') {
      span o = trim((span){t.p + 1, t.n - 1});
      size_t ol = read_num(o, &off);
      if (ol)
        (void)json_object_set_new(fr, "offset", json_integer(off));
      const char *cm = cp__crash_memmem(o.p, o.n, "//", 2);
      if (cm)
        rest = trim((span){cm + 2, o.n - (size_t)(cm + 2 - o.p)});
      else
        rest.n = 0;
    } else {
      rest.n = 0;
    }
  }
  if (rest.n) {
    /* the symbol, then its last " + <number>" */
    size_t cut = rest.n;
    for (size_t j = rest.n; j >= 3; j--) {
      if (rest.p[j - 3] == ' ' && rest.p[j - 2] == '+' && rest.p[j - 1] == ' ' && j < rest.n &&
          isdigit((unsigned char)rest.p[j])) {
        cut = j - 3;
        long long so;
        if (read_num((span){rest.p + j, rest.n - j}, &so))
          (void)json_object_set_new(fr, "symbol_offset", json_integer(so));
        break;
      }
    }
    span sym = trim((span){rest.p, cut});
    if (sym.n && !eq(sym, "???"))
      cp__crash_setn(fr, "symbol", sym.p, sym.n);
  }
  return fr;
}

/*
 * A microstackshot line of a resource report's heaviest stack:
 * "18  ??? (libdispatch.dylib + 89464) [0x19146ad78]" or
 * "18  __psynch_cvwait + 8 (libsystem_kernel.dylib + 7304) [0x1b2b...]".
 */
static json_t *heavy_line(span t)
{
  size_t i = 0;
  while (i < t.n && isdigit((unsigned char)t.p[i]))
    i++;
  if (i == 0 || i >= t.n || !isspace((unsigned char)t.p[i]))
    return NULL;
  const char *op = NULL;
  for (size_t j = t.n; j > i; j--)
    if (t.p[j - 1] == '(') {
      op = t.p + j - 1;
      break;
    }
  if (!op)
    return NULL;
  span inner = {op + 1, t.n - (size_t)(op + 1 - t.p)};
  const char *cl = memchr(inner.p, ')', inner.n);
  if (!cl)
    return NULL;
  inner.n = (size_t)(cl - inner.p);
  const char *plus = cp__crash_memmem(inner.p, inner.n, " + ", 3);
  if (!plus)
    return NULL;
  json_t *fr = json_object();
  if (!fr)
    return NULL;
  span image = trim((span){inner.p, (size_t)(plus - inner.p)});
  if (image.n && !eq(image, "???"))
    cp__crash_setn(fr, "image", image.p, image.n);
  long long off;
  if (read_num((span){plus + 3, inner.n - (size_t)(plus + 3 - inner.p)}, &off))
    (void)json_object_set_new(fr, "offset", json_integer(off));
  span sym = trim((span){t.p + i, (size_t)(op - (t.p + i))});
  const char *sp = NULL;
  for (size_t j = sym.n; j >= 3; j--)
    if (!memcmp(sym.p + j - 3, " + ", 3)) {
      sp = sym.p + j - 3;
      break;
    }
  if (sp)
    sym.n = (size_t)(sp - sym.p);
  if (sym.n && !eq(sym, "???"))
    cp__crash_setn(fr, "symbol", sym.p, sym.n);
  return fr;
}

/* The heaviest stack is listed root first: frames are leaf first. */
static void set_heavy_frames(json_t *rec, json_t *heavy)
{
  json_t *frames = json_array();
  size_t n = json_array_size(heavy);
  for (size_t k = 0; frames && k < n && k < CP_CRASH_MAX_FRAMES; k++)
    (void)json_array_append(frames, json_array_get(heavy, n - 1 - k));
  cp__crash_set_new(rec, "frames", frames);
  json_decref(heavy);
}

int cp__crash_text_body(json_t *rec, const char *p, size_t n)
{
  int known = 0;
  bool binary_images = false;
  json_t *frames = NULL; /* frames of the section being read, or NULL */
  const char *frames_key = NULL;
  bool crashed_done = false, asi_next = false;
  span version = {NULL, 0};
  json_t *heavy = NULL; /* a resource report's heaviest stack, root first */
  for (size_t i = 0; i < n;) {
    const char *nl = memchr(p + i, '\n', n - i);
    span line = {p + i, nl ? (size_t)(nl - (p + i)) : n - i};
    i += line.n + (nl ? 1 : 0);
    while (line.n && line.p[line.n - 1] == '\r')
      line.n--;
    span t = trim(line);

    if (frames) {
      json_t *fr = t.n ? frame_line(t) : NULL;
      if (fr) {
        if (json_array_size(frames) < CP_CRASH_MAX_FRAMES)
          (void)json_array_append_new(frames, fr);
        else
          json_decref(fr);
        continue;
      }
      cp__crash_set_new(rec, frames_key, frames);
      frames = NULL;
    }
    if (heavy) {
      json_t *fr = t.n ? heavy_line(t) : NULL;
      if (fr) {
        if (json_array_size(heavy) < 512)
          (void)json_array_append_new(heavy, fr);
        else
          json_decref(fr);
        continue;
      }
      set_heavy_frames(rec, heavy);
      heavy = NULL;
    }
    if (asi_next && t.n) {
      cp__crash_setn(rec, "application_specific", t.p, t.n);
      asi_next = false;
      continue;
    }
    if (t.n == 0)
      continue;
    if (starts_with(t, "Binary Images")) {
      binary_images = true;
      break; /* nothing we need follows */
    }
    if (starts_with(t, "Thread ") && ends_with(t, " Crashed:")) {
      if (!crashed_done) {
        crashed_done = true;
        span num = {t.p + 7, t.n - 7};
        long long th;
        if (read_num(num, &th))
          cp__crash_set_new(rec, "crashed_thread", json_integer(th));
        frames = json_array();
        frames_key = "frames";
      }
      continue;
    }
    if (eq(t, "Last Exception Backtrace:")) {
      frames = json_array();
      frames_key = "exception_frames";
      continue;
    }
    if (eq(t, "Heaviest stack for the target process:")) {
      if (!json_object_get(rec, "frames"))
        heavy = json_array();
      continue;
    }
    if (eq(t, "Application Specific Information:")) {
      asi_next = true;
      continue;
    }
    /* "Key:   value" at the start of the line, key short and word-like */
    const char *colon = memchr(line.p, ':', line.n < 48 ? line.n : 48);
    if (colon && colon > line.p && !isspace((unsigned char)line.p[0])) {
      span key = trim((span){line.p, (size_t)(colon - line.p)});
      span v = trim((span){colon + 1, line.n - (size_t)(colon + 1 - line.p)});
      if (v.n && header_line(rec, key, v, &version))
        known++;
    }
  }
  if (frames)
    cp__crash_set_new(rec, frames_key, frames);
  if (heavy)
    set_heavy_frames(rec, heavy);
  if (version.p) {
    const char *os = json_string_value(json_object_get(rec, "os_version"));
    set_version(rec, version, os && atoi(os) >= 15);
  }
  if (known > 0 && !binary_images)
    cp__crash_warn(rec, "no Binary Images section: the report looks truncated");
  else if (known > 0 && n > 0 && p[n - 1] != '\n')
    cp__crash_warn(rec, "the last line is incomplete: the report looks truncated");
  return known;
}
