/* gen_report.c: analysis of a real crash report into a template, and the
 * streaming writer of varied copies (see gen_report.h). Every substitution
 * keeps a timestamp or UUID at its length, so the JSON header line stays
 * valid JSON; process names are only replaced by names of [A-Za-z0-9._-]. */
#include "gen_report.h"

#include "gen_util.h"

#include <stdlib.h>
#include <string.h>

static int is_word(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static int is_name_char(char c)
{
  return is_word(c) || c == '.' || c == '-';
}

static int is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* A "-YYYY-MM-DD-HHMMSS" date in a file name; returns its offset or -1. */
static long find_name_date(const char *n)
{
  size_t len = strlen(n), i, k;
  static const char pat[] = "-dddd-dd-dd-dddddd";
  for (i = 0; i + 18 <= len; i++) {
    for (k = 0; k < 18; k++) {
      char p = pat[k], c = n[i + k];
      if (p == 'd' ? !is_digit(c) : c != p)
        break;
    }
    if (k == 18)
      return (long)i;
  }
  return -1;
}

static char *dup_n(const char *s, size_t n)
{
  char *p = malloc(n + 1);
  if (!p)
    return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

/* The value of "KEY":"value" in the one-line JSON header, or NULL. */
static char *header_string(const char *hdr, size_t hlen, const char *key)
{
  char pat[64];
  size_t pl;
  const char *p, *end = hdr + hlen, *q;
  snprintf(pat, sizeof pat, "\"%s\":\"", key);
  pl = strlen(pat);
  for (p = hdr; p + pl <= end; p++) {
    if (memcmp(p, pat, pl) != 0)
      continue;
    p += pl;
    for (q = p; q < end && *q != '"' && *q != '\\'; q++)
      ;
    return q < end && *q == '"' ? dup_n(p, (size_t)(q - p)) : NULL;
  }
  return NULL;
}

/* "Label:   value" on a line of a legacy text report; value up to space. */
static char *text_field(const char *text, size_t len, const char *label)
{
  size_t ll = strlen(label), i;
  for (i = 0; i + ll < len; i++) {
    if ((i == 0 || text[i - 1] == '\n') && memcmp(text + i, label, ll) == 0) {
      size_t a = i + ll, b;
      while (a < len && text[a] == ' ')
        a++;
      for (b = a; b < len && text[b] != ' ' && text[b] != '\n' && text[b] != '\r'; b++)
        ;
      return b > a ? dup_n(text + a, b - a) : NULL;
    }
  }
  return NULL;
}

static int valid_name(const char *n)
{
  size_t i, l = strlen(n);
  if (l < 3 || l > 64)
    return 0;
  for (i = 0; i < l; i++)
    if (!is_name_char(n[i]))
      return 0;
  return 1;
}

static int push_span(struct gen_template *t, size_t *cap, size_t off, size_t len,
                     enum gen_span_kind k)
{
  if (t->nspans == *cap) {
    size_t ncap = *cap ? *cap * 2 : 64;
    struct gen_span *n = realloc(t->spans, ncap * sizeof *n);
    if (!n)
      return -1;
    t->spans = n;
    *cap = ncap;
  }
  t->spans[t->nspans].off = off;
  t->spans[t->nspans].len = len;
  t->spans[t->nspans].kind = k;
  t->nspans++;
  return 0;
}

static int cmp_span(const void *a, const void *b)
{
  const struct gen_span *x = a, *y = b;
  return x->off < y->off ? -1 : x->off > y->off;
}

/* Finds every timestamp, incident id and whole-word process name. */
static int find_spans(struct gen_template *t)
{
  size_t cap = 0, i, nl = t->name ? strlen(t->name) : 0, w;
  const char *s = t->text;
  for (i = 0; i + 19 <= t->len; i++) {
    if (s[i + 4] == '-' && s[i + 7] == '-' && (s[i + 10] == ' ' || s[i + 10] == 'T') &&
        is_digit(s[i]) && (i == 0 || !is_digit(s[i - 1])) && gen_parse_stamp(s + i) >= 0) {
      if (t->t0 < 0)
        t->t0 = gen_parse_stamp(s + i);
      if (push_span(t, &cap, i, 19, SPAN_TS) != 0)
        return -1;
      i += 18;
      continue;
    }
    if (t->incident[0] && s[i] == t->incident[0] && i + 36 <= t->len &&
        memcmp(s + i, t->incident, 36) == 0) {
      if (push_span(t, &cap, i, 36, SPAN_INCIDENT) != 0)
        return -1;
      i += 35;
      continue;
    }
    if (nl && s[i] == t->name[0] && i + nl <= t->len && memcmp(s + i, t->name, nl) == 0 &&
        (i == 0 || !is_word(s[i - 1])) && (i + nl == t->len || !is_word(s[i + nl]))) {
      if (push_span(t, &cap, i, nl, SPAN_NAME) != 0)
        return -1;
      i += nl - 1;
    }
  }
  if (t->nspans > 1)
    qsort(t->spans, t->nspans, sizeof *t->spans, cmp_span);
  for (w = 0, i = 0; i < t->nspans; i++) {
    if (w && t->spans[i].off < t->spans[w - 1].off + t->spans[w - 1].len)
      continue;
    t->spans[w++] = t->spans[i];
  }
  t->nspans = w;
  return 0;
}

/* End of the line that contains OFF (offset after its '\n'), or LEN. */
static size_t line_end(const char *s, size_t len, size_t off)
{
  const char *p = off < len ? memchr(s + off, '\n', len - off) : NULL;
  return p ? (size_t)(p - s) + 1 : len;
}

/* The last line boundary in (A, LIMIT], or A if there is none. */
static size_t cut_before(const char *s, size_t a, size_t limit)
{
  size_t p = limit;
  while (p > a && s[p - 1] != '\n')
    p--;
  return p;
}

static void plan_resize(struct gen_template *t, size_t hdr_end, int bug)
{
  const char *s = t->text;
  size_t body = hdr_end, len = t->len;
  t->tail_off = len;
  t->resizable = 0;
  /* a pretty-printed JSON body (309, 298, 210, 151) is kept whole */
  while (body < len && (s[body] == '\r' || s[body] == '\n'))
    body++;
  if (body < len && s[body] == '{' && body + 1 < len &&
      (s[body + 1] == '\n' || s[body + 1] == '\r'))
    return;
  if (len - hdr_end < 512)
    return;
  t->min_cut = line_end(s, len, line_end(s, len, hdr_end));
  if (bug == 211) {
    size_t last = cut_before(s, 0, len > 0 && s[len - 1] == '\n' ? len - 1 : len);
    const char *batt = strstr(s + t->min_cut, "\"last_value_MaximumCapacityPercent\"");
    if (strstr(s + last, "\"_marker\"") != NULL)
      t->tail_off = last;
    /* the battery record is what the battery probe reads: a cut copy keeps
     * it (with the marker) when it sits after the cut-able records */
    if (batt && (size_t)(batt - s) < t->tail_off)
      t->tail_off = cut_before(s, t->min_cut, (size_t)(batt - s));
    t->fill_a = t->min_cut;
    t->fill_b = t->tail_off;
  } else {
    size_t span = len - hdr_end;
    t->fill_a = line_end(s, len, hdr_end + span / 4);
    t->fill_b = line_end(s, len, hdr_end + span * 3 / 4);
  }
  if (t->min_cut > t->tail_off)
    t->min_cut = t->tail_off;
  if (t->fill_b <= t->fill_a)
    t->fill_a = t->fill_b = 0;
  t->resizable = 1;
}

int gen_template_init(struct gen_template *t, const char *rel, const char *file_name, char *text,
                      size_t len)
{
  size_t hdr_end = 0;
  char *bug_s = NULL, *inc = NULL, *name = NULL;
  long d;
  int bug = 0, rc = -1;

  memset(t, 0, sizeof *t);
  t->text = text;
  t->len = len;
  t->t0 = -1;
  t->rel = strdup(rel);
  if (!t->rel)
    goto out;
  d = find_name_date(file_name);
  if (d >= 0) {
    t->stem = dup_n(file_name, (size_t)d);
    t->suffix = strdup(file_name + d + 18);
  } else {
    const char *dot = strchr(file_name, '.');
    size_t sl = dot ? (size_t)(dot - file_name) : strlen(file_name);
    t->stem = dup_n(file_name, sl);
    t->suffix = strdup(dot ? dot : ".ips");
  }
  if (!t->stem || !t->suffix)
    goto out;

  if (len > 0 && text[0] == '{') {
    hdr_end = line_end(text, len, 0);
    bug_s = header_string(text, hdr_end, "bug_type");
    inc = header_string(text, hdr_end, "incident_id");
    name = header_string(text, hdr_end, "name");
    if (!name)
      name = header_string(text, hdr_end, "app_name");
    bug = bug_s ? atoi(bug_s) : 0;
  }
  if (!inc)
    inc = text_field(text, len, "Incident Identifier:");
  if (!name)
    name = text_field(text, len, "Process:");
  if (inc && strlen(inc) == 36)
    memcpy(t->incident, inc, 37);
  if (name && valid_name(name)) {
    t->name = name;
    name = NULL;
  }
  t->panic = bug == 210 || bug == 151 || strncmp(t->stem, "panic", 5) == 0 ||
             strncmp(t->stem, "ForceReset", 10) == 0;
  if (find_spans(t) != 0)
    goto out;
  plan_resize(t, hdr_end, bug);
  rc = 0;
out:
  free(bug_s);
  free(inc);
  free(name);
  return rc;
}

void gen_template_free(struct gen_template *t)
{
  free(t->rel);
  free(t->text);
  free(t->stem);
  free(t->suffix);
  free(t->name);
  free(t->spans);
  memset(t, 0, sizeof *t);
}

size_t gen_report_natural_size(const struct gen_template *t, const struct gen_vary *v)
{
  size_t n = t->len, i;
  if (t->name && v->name) {
    size_t a = strlen(t->name), b = strlen(v->name);
    for (i = 0; i < t->nspans; i++)
      if (t->spans[i].kind == SPAN_NAME)
        n = n - a + b;
  }
  return n;
}

/* First span starting at or after OFF (binary search). */
static size_t first_span(const struct gen_template *t, size_t off)
{
  size_t lo = 0, hi = t->nspans;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t->spans[mid].off < off)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Writes text[a, b) with the substitutions of V; adds to *n. */
static int emit_range(FILE *out, const struct gen_template *t, const struct gen_vary *v, size_t a,
                      size_t b, size_t *n)
{
  size_t i = first_span(t, a), pos = a;
  for (; i < t->nspans && t->spans[i].off + t->spans[i].len <= b; i++) {
    const struct gen_span *sp = &t->spans[i];
    const char *rep = NULL;
    size_t rl = 0;
    char ts[19];
    if (fwrite(t->text + pos, 1, sp->off - pos, out) != sp->off - pos)
      return -1;
    *n += sp->off - pos;
    switch (sp->kind) {
    case SPAN_TS: {
      int64_t when = gen_parse_stamp(t->text + sp->off);
      gen_format_stamp(when + v->delta, t->text[sp->off + 10], ts);
      rep = ts;
      rl = 19;
      break;
    }
    case SPAN_INCIDENT:
      rep = v->incident;
      rl = 36;
      break;
    case SPAN_NAME:
      rep = v->name ? v->name : t->name;
      rl = strlen(rep);
      break;
    }
    if (fwrite(rep, 1, rl, out) != rl)
      return -1;
    *n += rl;
    pos = sp->off + sp->len;
  }
  if (b > pos) {
    if (fwrite(t->text + pos, 1, b - pos, out) != b - pos)
      return -1;
    *n += b - pos;
  }
  return 0;
}

int gen_report_emit(FILE *out, const struct gen_template *t, const struct gen_vary *v,
                    size_t target, size_t *written)
{
  size_t natural = gen_report_natural_size(t, v), n = 0;
  *written = 0;
  if (!t->resizable || target == 0 || target == natural) {
    if (emit_range(out, t, v, 0, t->len, &n) != 0)
      return -1;
  } else if (target < natural) {
    /* cut at a line end, keep the 211 end-of-file marker */
    size_t tail = t->len - t->tail_off, limit, cut;
    limit = target > tail ? target - tail : 0;
    if (limit > t->tail_off)
      limit = t->tail_off;
    cut = limit > t->min_cut ? cut_before(t->text, t->min_cut, limit) : t->min_cut;
    if (emit_range(out, t, v, 0, cut, &n) != 0 || emit_range(out, t, v, t->tail_off, t->len, &n))
      return -1;
  } else {
    /* repeat the fill lines until the copy is near TARGET */
    size_t fill = t->fill_b - t->fill_a;
    if (emit_range(out, t, v, 0, t->fill_b, &n) != 0)
      return -1;
    while (fill && n + fill + (t->len - t->fill_b) <= target) {
      if (emit_range(out, t, v, t->fill_a, t->fill_b, &n) != 0)
        return -1;
    }
    if (fill && n + (t->len - t->fill_b) < target) {
      size_t want = target - n - (t->len - t->fill_b);
      size_t cut = cut_before(t->text, t->fill_a, t->fill_a + (want < fill ? want : fill));
      if (cut > t->fill_a && emit_range(out, t, v, t->fill_a, cut, &n) != 0)
        return -1;
    }
    if (emit_range(out, t, v, t->fill_b, t->len, &n) != 0)
      return -1;
  }
  *written = n;
  return 0;
}
