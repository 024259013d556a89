/*
 * The streaming half of the redactor (design in redact.c): the scan engine
 * (Vectorscan, or PCRE2 alone: redact_engine_*.c) reports (rule, end); each is confirmed on a
 * window of the raw stream once CP_RX_RA bytes past its end are known; confirmed matches are chosen
 * and written out once nothing that starts earlier can still appear. Every decision depends only on
 * stream offsets, never on where a write ended, so any chunking gives the output of one whole
 * write.
 *
 * Memory: the raw bytes kept are the unwritten tail plus the windows still
 * to be confirmed, a few times CP_REDACT_MAX_MATCH, plus one write slice.
 */
#include "redact_int.h"

#include <stdlib.h>
#include <string.h>

#define SLICE (64u * 1024u)
#define OUTBUF (64u * 1024u)
#define DIRECT (8u * 1024u) /* raw runs this long skip the output batch */

typedef struct report {
  uint64_t end;
  uint32_t rule;
} report;

typedef struct cand {
  uint64_t start, end;
  uint32_t rule;
  uint8_t pre, post; /* bytes of [start, end) around the value: "<integer>" */
} cand;

struct cp_redact_stream {
  cp_redactor *r;
  char *member;
  cp_redact_emit_fn emit;
  void *ctx;
  cp_rx_scan *scan;
  unsigned char *buf; /* raw stream bytes [base, base + len) */
  size_t cap, len;
  uint64_t base;
  uint64_t emitted; /* output decided up to here */
  report *reps;
  size_t n_reps, cap_reps;
  cand *cands;
  size_t n_cands, cap_cands;
  uint64_t *pos; /* per rule: where its PCRE2-only search goes on */
  uint64_t *counts;
  unsigned char *out;
  size_t out_len;
  int closed;
  int oom;
  int syntax;   /* SYN_TEXT, SYN_JSON or SYN_XML, from the member's name */
  int json_str; /* JSON lexer: inside a string */
  int json_esc; /* JSON lexer: after a backslash in a string */
  int ips;      /* .ips: IPS_HEADER, IPS_BODY_UNSEEN, IPS_JSON_BODY or IPS_TEXT_BODY */
};

/* An .ips report is a JSON header line, then a JSON (or JSON lines) body or
 * a text body; the first byte of each tells which (a member that does not
 * start with '{' is text throughout). */
enum { IPS_NONE = 0, IPS_START, IPS_HEADER, IPS_BODY_UNSEEN, IPS_JSON_BODY, IPS_TEXT_BODY };

/* A pseudonym must keep a member parseable: in a .json member a bare number
 * ("ecid": 1707430441053478) becomes a string, and in XML "<" and ">" are
 * escaped. Plain text gets "<serial-1>" as is. */
enum { SYN_TEXT = 0, SYN_JSON, SYN_XML };

static int ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The bytes that change json_feed's state: outside a string '"' and
 * newline; inside one also the backslash. Every other byte is skipped in a
 * tight loop (byte-by-byte state tests were 7 % of a collect's CPU, 4.5 %
 * with the tables alone). */
static const unsigned char json_stop_out[256] = {['"'] = 1, ['\n'] = 1};
static const unsigned char json_stop_in[256] = {['"'] = 1, ['\n'] = 1, ['\\'] = 1};

/* Nonzero when one of the 8 bytes of x is c (the exact "has a zero byte"
 * test on x ^ c...c; which byte is left to the table loop). */
static uint64_t has_byte(uint64_t x, unsigned char c)
{
  uint64_t v = x ^ (0x0101010101010101ull * c);
  return (v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull;
}

/* The first stop byte at or after i (n when none): 8 bytes a step while
 * none of them is one, then byte by byte. */
static size_t json_skip(const unsigned char *p, size_t i, size_t n, int in_str)
{
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    memcpy(&x, p + i, 8);
    if (has_byte(x, '"') | has_byte(x, '\n') | (in_str ? has_byte(x, '\\') : 0))
      break;
  }
  const unsigned char *stop = in_str ? json_stop_in : json_stop_out;
  while (i < n && !stop[p[i]])
    i++;
  return i;
}

/* Tracks whether the next byte of a JSON member is inside a string. A JSON
 * string never holds a raw newline, so a newline ends any string: a stray
 * quote cannot confuse the rest of the member. */
static void json_feed(cp_redact_stream *s, const unsigned char *p, size_t n)
{
  if (s->syntax != SYN_JSON)
    return;
  for (size_t i = 0; i < n; i++) {
    if ((s->ips == IPS_START || s->ips == IPS_BODY_UNSEEN) && p[i] != ' ' && p[i] != '\t' &&
        p[i] != '\r' && p[i] != '\n') {
      int json = p[i] == '{' || p[i] == '[';
      s->ips = !json ? IPS_TEXT_BODY : s->ips == IPS_START ? IPS_HEADER : IPS_JSON_BODY;
      if (s->ips == IPS_TEXT_BODY) {
        s->syntax = SYN_TEXT;
        return;
      }
    }
    if (!s->json_esc && s->ips != IPS_START && s->ips != IPS_BODY_UNSEEN) {
      i = json_skip(p, i, n, s->json_str);
      if (i == n)
        return;
    }
    if (p[i] == '\n') {
      s->json_str = s->json_esc = 0;
      if (s->ips == IPS_HEADER)
        s->ips = IPS_BODY_UNSEEN;
    } else if (s->json_esc)
      s->json_esc = 0;
    else if (s->json_str && p[i] == '\\')
      s->json_esc = 1;
    else if (p[i] == '"')
      s->json_str = !s->json_str;
  }
}

static int on_match(void *ctx, uint32_t id, uint64_t to)
{
  cp_redact_stream *s = ctx;
  if (s->n_reps == s->cap_reps) {
    size_t n = s->cap_reps ? s->cap_reps * 2 : 64;
    report *nr = realloc(s->reps, n * sizeof(*nr));
    if (!nr) {
      s->oom = 1;
      return 1; /* stop scanning */
    }
    s->reps = nr;
    s->cap_reps = n;
  }
  s->reps[s->n_reps].end = to;
  s->reps[s->n_reps].rule = id;
  s->n_reps++;
  return 0;
}

static cp_err flush_out(cp_redact_stream *s, cp_error *err)
{
  if (!s->out_len)
    return CP_OK;
  size_t n = s->out_len;
  s->out_len = 0;
  return s->emit(s->ctx, s->out, n, err);
}

static cp_err put(cp_redact_stream *s, const void *p, size_t n, cp_error *err)
{
  if (n >= DIRECT) {
    cp_err rc = flush_out(s, err);
    return rc != CP_OK ? rc : s->emit(s->ctx, p, n, err);
  }
  if (s->out_len + n > OUTBUF) {
    cp_err rc = flush_out(s, err);
    if (rc != CP_OK)
      return rc;
  }
  memcpy(s->out + s->out_len, p, n);
  s->out_len += n;
  return CP_OK;
}

/* Raw bytes [s->emitted, to) go out unchanged. */
static cp_err put_raw(cp_redact_stream *s, uint64_t to, cp_error *err)
{
  if (to <= s->emitted)
    return CP_OK;
  json_feed(s, s->buf + (s->emitted - s->base), (size_t)(to - s->emitted));
  cp_err rc = put(s, s->buf + (s->emitted - s->base), (size_t)(to - s->emitted), err);
  s->emitted = to;
  return rc;
}

static cp_err add_cand(cp_redact_stream *s, uint64_t start, uint64_t end, uint32_t rule,
                       uint8_t pre, uint8_t post, cp_error *err)
{
  if (end <= start)
    return CP_OK;
  if (s->n_cands == s->cap_cands) {
    size_t n = s->cap_cands ? s->cap_cands * 2 : 32;
    cand *nc = realloc(s->cands, n * sizeof(*nc));
    if (!nc)
      return cp_error_set(err, CP_E_NOMEM, "redaction matches");
    s->cands = nc;
    s->cap_cands = n;
  }
  s->cands[s->n_cands++] = (cand){start, end, rule, pre, post};
  return CP_OK;
}

/* Where the replaced part lies: the whole match or its group "v". */
static void value_span(const cp_rx_rule *rule, pcre2_match_data *md, uint64_t wstart, uint64_t *vs,
                       uint64_t *ve)
{
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
  *vs = wstart + ov[0];
  *ve = wstart + ov[1];
  if (rule->vgroup && (uint32_t)rule->vgroup < pcre2_get_ovector_count(md) &&
      ov[2 * rule->vgroup] != PCRE2_UNSET) {
    *vs = wstart + ov[2 * rule->vgroup];
    *ve = wstart + ov[2 * rule->vgroup + 1];
  }
}

/* Step 2 for one Vectorscan report: find the start, check the edges. */
static cp_err confirm(cp_redact_stream *s, const report *rep, cp_error *err)
{
  cp_redactor *r = s->r;
  const cp_rx_rule *rule = &r->rules[rep->rule];
  uint64_t e = rep->end, scanned = s->base + s->len, st, vs, ve;
  if (rule->lit_len) {
    if (e < rule->lit_len)
      return CP_OK;
    st = vs = e - rule->lit_len;
    ve = e;
  } else {
    if (!rule->confirm)
      return CP_OK;
    uint64_t lo = e > rule->maxlen ? e - rule->maxlen : 0;
    uint64_t ws = lo > CP_RX_LB ? lo - CP_RX_LB : 0;
    if (ws < s->base)
      ws = s->base; /* cannot happen: the window is always kept */
    if (lo < ws)
      lo = ws;
    int rc = pcre2_match(rule->confirm, s->buf + (ws - s->base), (PCRE2_SIZE)(e - ws),
                         (PCRE2_SIZE)(lo - ws), 0, r->md, r->mctx);
    if (rc < 0)
      return CP_OK; /* no match (or the match limit): not personal data here */
    st = ws + pcre2_get_ovector_pointer(r->md)[0];
    value_span(rule, r->md, ws, &vs, &ve);
  }
  int prev = st > s->base ? s->buf[st - 1 - s->base] : -1;
  if (!cp_rx_lbound_ok(rule->lb, prev))
    return CP_OK;
  size_t avail = scanned > e ? (size_t)(scanned - e) : 0;
  if (avail > CP_RX_RA)
    avail = CP_RX_RA;
  if (!cp_rx_bound_ok(rule->rb, s->buf + (e - s->base), avail))
    return CP_OK;
  /* A plist <integer> that held the value holds a pseudonym now: it must
   * become a <string> or the member no longer parses. */
  static const char open_tag[] = "<integer>", close_tag[] = "</integer>";
  const size_t ol = sizeof(open_tag) - 1, cl = sizeof(close_tag) - 1;
  if (s->syntax == SYN_XML && vs >= s->base + ol && ve + cl <= scanned &&
      memcmp(s->buf + (vs - ol - s->base), open_tag, ol) == 0 &&
      memcmp(s->buf + (ve - s->base), close_tag, cl) == 0)
    return add_cand(s, vs - ol, ve + cl, rep->rule, (uint8_t)ol, (uint8_t)cl, err);
  return add_cand(s, vs, ve, rep->rule, 0, 0, err);
}

/* A user pattern Vectorscan refused: PCRE2 over fixed windows of
 * 2 * CP_REDACT_MAX_MATCH from pos; a match must start in the window's first
 * half. Windows are placed from pos alone, so chunking cannot move them. */
static cp_err run_pcre_only(cp_redact_stream *s, size_t k, cp_error *err)
{
  cp_redactor *r = s->r;
  const cp_rx_rule *rule = &r->rules[k];
  const uint64_t M = CP_REDACT_MAX_MATCH, WIN = 2 * CP_REDACT_MAX_MATCH;
  uint64_t scanned = s->base + s->len;
  for (;;) {
    uint64_t p = s->pos[k];
    if (!s->closed && scanned < p + WIN)
      return CP_OK;
    uint64_t wend = p + WIN < scanned ? p + WIN : scanned;
    if (p >= wend)
      return CP_OK;
    uint64_t ws = p > CP_RX_LB ? p - CP_RX_LB : 0;
    if (ws < s->base)
      ws = s->base;
    int rc = pcre2_match(rule->search, s->buf + (ws - s->base), (PCRE2_SIZE)(wend - ws),
                         (PCRE2_SIZE)(p - ws), 0, r->md, r->mctx);
    if (rc < 0) {
      s->pos[k] = wend == p + WIN ? p + M : wend;
      continue;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
    uint64_t ms = ws + ov[0], me = ws + ov[1], vs, ve;
    if (ms >= p + M) {
      s->pos[k] = ms;
      continue;
    }
    value_span(rule, r->md, ws, &vs, &ve);
    if (me > ms) {
      cp_err e = add_cand(s, vs, ve, (uint32_t)k, 0, 0, err);
      if (e != CP_OK)
        return e;
    }
    s->pos[k] = me > ms ? me : ms + 1;
  }
}

/* Leftmost, then longest, then identifiers before patterns. */
static int cand_cmp(const void *a, const void *b)
{
  const cand *x = a, *y = b;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  uint64_t lx = x->end - x->start, ly = y->end - y->start;
  if (lx != ly)
    return lx > ly ? -1 : 1;
  if (x->rule != y->rule)
    return x->rule < y->rule ? -1 : 1; /* rules are added identifiers first */
  return 0;
}

static cp_err put_pseudonym(cp_redact_stream *s, const cand *c, cp_error *err)
{
  cp_redactor *r = s->r;
  const cp_rx_rule *rule = &r->rules[c->rule];
  const unsigned char *raw = s->buf + (c->start - s->base);
  size_t rawlen = (size_t)(c->end - c->start);
  char ps[CP_RX_NAME_MAX + 48];
  size_t pl = 0;
  cp_err rc = cp_rx_pseudonym(r, rule->cls, rule->has_key ? rule->key : NULL, raw + c->pre,
                              rawlen - c->pre - c->post, ps + 1, sizeof(ps) - 32, &pl, err);
  if (rc != CP_OK)
    return rc;
  s->counts[rule->cls]++;
  if (s->ips == IPS_START || s->ips == IPS_BODY_UNSEEN) { /* starts with a value: text */
    s->ips = IPS_TEXT_BODY;
    s->syntax = SYN_TEXT;
  }
  char *out = ps + 1;
  if (s->syntax == SYN_JSON && !s->json_str) { /* a bare value: make it a string */
    ps[0] = '"';
    ps[pl + 1] = '"';
    out = ps;
    pl += 2;
  } else if (s->syntax == SYN_XML) { /* "<x-1>" -> "&lt;x-1&gt;" */
    char tmp[sizeof(ps)];
    int w = snprintf(tmp, sizeof(tmp), c->pre ? "<string>&lt;%.*s&gt;</string>" : "&lt;%.*s&gt;",
                     (int)(pl - 2), ps + 2);
    if (w < 0 || (size_t)w >= sizeof(tmp))
      return cp_error_set(err, CP_E_INTERNAL, "pseudonym too long");
    memcpy(ps, tmp, (size_t)w);
    out = ps;
    pl = (size_t)w;
  }
  json_feed(s, raw, rawlen);
  return put(s, out, pl, err);
}

/* Confirms what can be confirmed, then writes out what is decided. */
static cp_err process(cp_redact_stream *s, cp_error *err)
{
  cp_redactor *r = s->r;
  cp_err rc = CP_OK;
  uint64_t scanned = s->base + s->len;
  size_t keep = 0;
  for (size_t i = 0; i < s->n_reps; i++) {
    if (s->closed || s->reps[i].end + CP_RX_RA <= scanned) {
      rc = confirm(s, &s->reps[i], err);
      if (rc != CP_OK)
        return rc;
    } else
      s->reps[keep++] = s->reps[i];
  }
  s->n_reps = keep;
  uint64_t P = UINT64_MAX;
  if (!s->closed) {
    uint64_t hold = r->maxlen + CP_RX_RA;
    P = scanned > hold ? scanned - hold : 0;
    uint64_t settled = cp_rx_scan_settled(s->scan);
    if (settled < P)
      P = settled; /* reports the engine still owes could start before */
  }
  if (r->has_pcre_only)
    for (size_t k = 0; k < r->n_rules; k++) {
      if (r->rules[k].hs_expr || !r->rules[k].search)
        continue;
      rc = run_pcre_only(s, k, err);
      if (rc != CP_OK)
        return rc;
      if (!s->closed && s->pos[k] < P)
        P = s->pos[k];
    }
  if (s->n_cands > 1)
    qsort(s->cands, s->n_cands, sizeof(cand), cand_cmp);
  keep = 0;
  for (size_t i = 0; i < s->n_cands; i++) {
    cand *c = &s->cands[i];
    if (c->start >= P) {
      s->cands[keep++] = *c;
      continue;
    }
    if (c->start < s->emitted)
      continue; /* overlaps a match already chosen */
    rc = put_raw(s, c->start, err);
    if (rc == CP_OK)
      rc = put_pseudonym(s, c, err);
    if (rc != CP_OK)
      return rc;
    s->emitted = c->end;
  }
  s->n_cands = keep;
  uint64_t upto = P < scanned ? P : scanned;
  /* raw bytes up to the first undecided match */
  for (size_t i = 0; i < s->n_cands; i++)
    if (s->cands[i].start < upto)
      upto = s->cands[i].start;
  return put_raw(s, upto, err);
}

/* Drops raw bytes no window, match or unwritten tail can need again. */
static cp_err make_room(cp_redact_stream *s, size_t need, cp_error *err)
{
  cp_redactor *r = s->r;
  uint64_t scanned = s->base + s->len;
  uint64_t back = r->maxlen + CP_RX_LB + CP_RX_RA;
  uint64_t from = scanned > back ? scanned - back : 0;
  if (s->emitted < from)
    from = s->emitted;
  uint64_t settled = cp_rx_scan_settled(s->scan);
  if (settled != UINT64_MAX) {
    uint64_t p = settled > CP_RX_LB ? settled - CP_RX_LB : 0;
    if (p < from)
      from = p;
  }
  if (r->has_pcre_only)
    for (size_t k = 0; k < r->n_rules; k++) {
      if (r->rules[k].hs_expr || !r->rules[k].search)
        continue;
      uint64_t p = s->pos[k] > CP_RX_LB ? s->pos[k] - CP_RX_LB : 0;
      if (p < from)
        from = p;
    }
  if (from > s->base) {
    size_t drop = (size_t)(from - s->base);
    memmove(s->buf, s->buf + drop, s->len - drop);
    s->len -= drop;
    s->base = from;
  }
  if (s->len + need > s->cap) {
    size_t n = s->len + need + 4096;
    unsigned char *nb = realloc(s->buf, n);
    if (!nb)
      return cp_error_set(err, CP_E_NOMEM, "redaction buffer");
    /* PCRE2's JIT scans with wide loads that may touch a few bytes past the
     * subject's end (inside this allocation): give them defined values, so
     * the result never depends on stale heap bytes and Valgrind stays quiet. */
    memset(nb + s->cap, 0, n - s->cap);
    s->buf = nb;
    s->cap = n;
  }
  return CP_OK;
}

cp_err cp_redact_stream_open(cp_redactor *r, const char *member, cp_redact_emit_fn emit, void *ctx,
                             cp_redact_stream **out, cp_error *err)
{
  cp_err rc = CP_OK;
  if (!r || !member || !emit || !out)
    return cp_error_set(err, CP_E_INTERNAL, "redact stream without redactor or output");
  *out = NULL;
  cp_redact_stream *s = calloc(1, sizeof(*s));
  if (!s)
    return cp_error_set(err, CP_E_NOMEM, "redact stream");
  s->r = r;
  s->emit = emit;
  s->ctx = ctx;
  s->member = strdup(member);
  s->counts = calloc((size_t)CP_RX_MAX_CLASSES, sizeof(*s->counts));
  s->pos = calloc(r->n_rules + 1, sizeof(*s->pos));
  s->out = malloc(OUTBUF);
  if (ends_with(member, ".json"))
    s->syntax = SYN_JSON;
  else if (ends_with(member, ".ips") || ends_with(member, ".ips.synced")) {
    s->syntax = SYN_JSON;
    s->ips = IPS_START;
  } else if (ends_with(member, ".plist") || ends_with(member, ".xml"))
    s->syntax = SYN_XML;
  if (!s->member || !s->counts || !s->pos || !s->out) {
    rc = cp_error_set(err, CP_E_NOMEM, "redact stream");
    goto out;
  }
  rc = cp_rx_scan_open(r, &s->scan, err);
  if (rc != CP_OK)
    goto out;
  *out = s;
  s = NULL;
out:
  if (s)
    (void)cp_redact_stream_close(s, 0, NULL);
  return rc;
}

cp_err cp_redact_stream_write(cp_redact_stream *s, const void *buf, size_t len, cp_error *err)
{
  if (!s || (len && !buf))
    return cp_error_set(err, CP_E_INTERNAL, "redact write without stream");
  const unsigned char *p = buf;
  while (len) {
    size_t n = len < SLICE ? len : SLICE;
    cp_err rc = make_room(s, n, err);
    if (rc != CP_OK)
      return rc;
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    rc = cp_rx_scan_feed(s->scan, s->buf, s->base, s->len, n, 0, on_match, s, err);
    if (rc != CP_OK)
      return rc;
    rc = process(s, err);
    if (rc != CP_OK)
      return rc;
    p += n;
    len -= n;
  }
  return flush_out(s, err);
}

cp_err cp_redact_stream_close(cp_redact_stream *s, int keep, cp_error *err)
{
  cp_err rc = CP_OK;
  if (!s)
    return CP_OK;
  if (keep && s->scan)
    rc = cp_rx_scan_feed(s->scan, s->buf, s->base, s->len, 0, 1, on_match, s, err);
  cp_rx_scan_free(s->scan);
  s->scan = NULL;
  if (keep && rc == CP_OK) {
    s->closed = 1;
    rc = process(s, err);
    if (rc == CP_OK)
      rc = put_raw(s, s->base + s->len, err);
    if (rc == CP_OK)
      rc = flush_out(s, err);
    if (rc == CP_OK)
      rc = cp_rx_account(s->r, s->member, s->counts, err);
  }
  if (s->buf)
    memset(s->buf, 0, s->cap); /* raw values do not outlive the member */
  free(s->buf);
  free(s->reps);
  free(s->cands);
  free(s->pos);
  free(s->counts);
  free(s->out);
  free(s->member);
  free(s);
  return rc;
}
