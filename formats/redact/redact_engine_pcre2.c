/*
 * The PCRE2-only scan engine (CP_REDACT_ENGINE=pcre2): where Vectorscan has
 * no build (Windows/mingw), the same reports from PCRE2 alone, so the
 * streaming redactor (redact_stream.c) finds exactly the same spans.
 *
 * What Vectorscan reports, and so what this must report: every (rule, end)
 * where the rule's trigger has SOME match ending there, overlapping ones
 * included. PCRE2 finds one match per start, so:
 *   - literals (the device's identifiers in all their forms): every
 *     occurrence, caseless for ASCII letters, found through a table of their
 *     first two bytes (no regex at all);
 *   - regex triggers: a JIT search finds the next start p where the trigger
 *     matches at all (the leftmost start, so none is skipped); the DFA
 *     matcher, anchored at p, then lists EVERY end of a match from p. Then
 *     the search goes on from p + 1. Only matches of at most the rule's
 *     longest match (maxlen) are listed: the confirm step never looks
 *     further back than that, and a trigger is a suffix of what the confirm
 *     expression matches (redact_rules.c), so a longer one confirms nothing.
 * A start is decided once maxlen + 1 bytes after it are known, so reports
 * come up to maxlen bytes late; cp_rx_scan_settled tells the stream how far
 * back a late report can still reach, and the stream holds its decisions
 * (and those bytes) until then. Every decision depends on stream offsets
 * only, never on where a write ended, as in the Vectorscan engine.
 *
 * A user pattern Vectorscan would refuse (back-references, lookaround,
 * atomic groups, possessive quantifiers, verbs, \R \K \X, patterns that
 * match the empty string) is refused here too, by the same list: it runs
 * through the PCRE2-only window search in redact_stream.c, as it does with
 * Vectorscan. Without Vectorscan's width analysis a user pattern's maxlen
 * is CP_REDACT_MAX_MATCH; a wider confirm window finds the same start.
 *
 * The cost is throughput (tests/bench/bench_redact.c prints both engines).
 */
#include "redact_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The search runs on windows of this many bytes: short enough that PCRE2
 * checks a required byte (the '@' of an e-mail) before trying each start,
 * which keeps a long run of letters linear (pcre2_match's REQ_CU_MAX). */
#define SEARCH_WIN 4096u
/* DFA results: one pair per distinct match length, at most maxlen + 1. */
#define DFA_PAIRS (CP_REDACT_MAX_MATCH + 8)
#define DFA_WS_MIN 4096
#define DFA_WS_MAX (1 << 22)

typedef struct lit {
  uint32_t rule;
  uint32_t len;
  uint16_t key; /* first two bytes, lower case */
  unsigned char *low;
} lit;

typedef struct trig {
  uint32_t rule;
  uint64_t cap;     /* longest match reported */
  pcre2_code *code; /* the search (JIT) */
  pcre2_code *dfa;  /* every end: without auto-possessification, which
                     * would make the DFA matcher drop the shorter matches */
} trig;

typedef struct pc_eng {
  lit *lits; /* sorted by key */
  size_t n_lits;
  uint64_t keybits[65536 / 64];
  size_t maxlit;
  trig *trigs;
  size_t n_trigs;
} pc_eng;

struct cp_rx_scan {
  cp_redactor *r;
  pc_eng *e;
  uint64_t lpos;  /* literal starts before this are done */
  uint64_t *tpos; /* per trigger: starts before this are done */
  uint64_t *tend; /* per trigger: a report still to come ends at or after this */
  pcre2_match_data *md, *mdd;
  int *ws;
  size_t wsn;
};

static unsigned char k_lower[256];

static void init_lower(void)
{
  for (int i = 0; i < 256; i++)
    k_lower[i] = (unsigned char)(i >= 'A' && i <= 'Z' ? i + 32 : i);
}

const char *cp_redact_engine(void)
{
  static char name[64];
  char v[40] = "";
  if (pcre2_config(PCRE2_CONFIG_VERSION, NULL) > 0 &&
      (size_t)pcre2_config(PCRE2_CONFIG_VERSION, NULL) <= sizeof v)
    (void)pcre2_config(PCRE2_CONFIG_VERSION, v);
  snprintf(name, sizeof(name), "pcre2 %.*s", (int)strcspn(v, " "), v);
  return name;
}

/* The literal bytes back out of escape_literal_hs's "ab\x2d..." form. */
static unsigned char *unescape_literal(const char *hs, size_t n)
{
  unsigned char *out = malloc(n + 1);
  size_t o = 0;
  if (!out)
    return NULL;
  for (const char *p = hs; *p && o < n;) {
    if (p[0] == '\\' && p[1] == 'x' && p[2] && p[3]) {
      char h[3] = {p[2], p[3], 0};
      out[o++] = k_lower[(unsigned char)strtoul(h, NULL, 16)];
      p += 4;
    } else
      out[o++] = k_lower[(unsigned char)*p++];
  }
  if (o != n) {
    free(out);
    return NULL;
  }
  return out;
}

/* Skips one parenthesised "(?...)" or "(*...)" head of pattern text at p
 * (just after '('): 1 when it is a construct Vectorscan has no support for. */
static int refused_group(const char *p)
{
  static const char *bad[] = {"?=", "?!", "?<=", "?<!", "?>", "?(",
                              "?R", "?&", "?P>", "?P=", "?C", "?|"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    if (strncmp(p, bad[i], strlen(bad[i])) == 0)
      return 1;
  if (p[0] == '*') /* verbs; only the option settings are taken */
    return strncmp(p, "*UTF)", 5) && strncmp(p, "*UTF8)", 6) && strncmp(p, "*UCP)", 5);
  if (p[0] == '?' && (p[1] == '+' || p[1] == '-')) /* (?-1), not (?-i) */
    p++;
  return p[0] == '?' && p[1] >= '0' && p[1] <= '9'; /* (?1) recursion */
}

/* The constructs Hyperscan's documentation lists as unsupported ("Unsupported
 * Constructs"), found lexically and checked against Vectorscan 5.4.9's
 * compiler: outside a character class, back-references (\1..\9, \g, \k),
 * \R \K \G \X \N, lookaround, atomic groups, conditionals, recursion and
 * subroutine calls, callouts, branch reset, verbs other than (*UTF) (*UTF8)
 * (*UCP), possessive quantifiers. Plus a pattern that can match the empty
 * string, which Vectorscan refuses to compile. */
static int vectorscan_would_refuse(const char *re, const pcre2_code *code)
{
  uint32_t minlen = 1, backref = 0;
  if (pcre2_pattern_info(code, PCRE2_INFO_MINLENGTH, &minlen) == 0 && minlen == 0)
    return 1;
  if (pcre2_pattern_info(code, PCRE2_INFO_BACKREFMAX, &backref) == 0 && backref > 0)
    return 1;
  int in_class = 0;
  for (const char *p = re; *p; p++) {
    if (*p == '\\') {
      if (!p[1])
        break;
      if (strncmp(p + 1, "Q", 1) == 0) { /* \Q...\E: literal text */
        const char *e = strstr(p + 2, "\\E");
        if (!e)
          break;
        p = e + 1;
        continue;
      }
      if (!in_class && strchr("123456789gkRKGXN", p[1]))
        return 1;
      p++;
      continue;
    }
    if (in_class) {
      if (*p == ']')
        in_class = 0;
      continue;
    }
    if (*p == '[') {
      in_class = 1;
      if (p[1] == '^')
        p++;
      if (p[1] == ']') /* a leading ']' is a member */
        p++;
      continue;
    }
    if (*p == '(' && refused_group(p + 1))
      return 1;
    if ((*p == '*' || *p == '+' || *p == '?' || *p == '}') && p[1] == '+')
      return 1;
  }
  return 0;
}

static int lit_cmp(const void *a, const void *b)
{
  const lit *x = a, *y = b;
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static pcre2_code *compile(const char *expr, int caseless, uint32_t extra)
{
  int ec;
  PCRE2_SIZE off;
  pcre2_code *c = pcre2_compile((PCRE2_SPTR)expr, PCRE2_ZERO_TERMINATED,
                                (caseless ? PCRE2_CASELESS : 0) | extra, &ec, &off, NULL);
  if (c && !extra)
    (void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* the interpreter if no JIT */
  return c;
}

cp_err cp_rx_engine_compile(cp_redactor *r, cp_error *err)
{
  if (!k_lower['A'])
    init_lower();
  pc_eng *e = calloc(1, sizeof(*e));
  if (!e)
    return cp_error_set(err, CP_E_NOMEM, "redaction rules");
  r->eng = e;
  e->lits = calloc(r->n_rules + 1, sizeof(*e->lits));
  e->trigs = calloc(r->n_rules + 1, sizeof(*e->trigs));
  if (!e->lits || !e->trigs)
    return cp_error_set(err, CP_E_NOMEM, "redaction rules");
  for (size_t i = 0; i < r->n_rules; i++) {
    cp_rx_rule *rule = &r->rules[i];
    if (!rule->hs_expr)
      continue;
    if (rule->lit_len) {
      lit *l = &e->lits[e->n_lits];
      l->rule = (uint32_t)i;
      l->len = (uint32_t)rule->lit_len;
      l->low = unescape_literal(rule->hs_expr, rule->lit_len);
      if (!l->low)
        return cp_error_set(err, CP_E_INTERNAL, "redaction literal %zu", i);
      l->key = (uint16_t)(l->low[0] << 8 | l->low[1]);
      e->keybits[l->key / 64] |= (uint64_t)1 << (l->key % 64);
      if (l->len > e->maxlit)
        e->maxlit = l->len;
      e->n_lits++;
      continue;
    }
    int caseless = (rule->hs_flags & CP_RX_CASELESS) != 0;
    pcre2_code *c = compile(rule->hs_expr, caseless, 0);
    pcre2_code *d = c ? compile(rule->hs_expr, caseless, PCRE2_NO_AUTO_POSSESS) : NULL;
    if (!c || !d || (rule->search && vectorscan_would_refuse(rule->hs_expr, c))) {
      pcre2_code_free(c);
      pcre2_code_free(d);
      if (!rule->search) /* a built-in rule: must compile */
        return cp_error_set(err, CP_E_INTERNAL, "pcre2 refused rule %zu", i);
      free(rule->hs_expr);
      rule->hs_expr = NULL;
      r->has_pcre_only = 1;
      continue;
    }
    trig *t = &e->trigs[e->n_trigs++];
    t->rule = (uint32_t)i;
    t->cap = rule->maxlen ? rule->maxlen : 1;
    t->code = c;
    t->dfa = d;
  }
  qsort(e->lits, e->n_lits, sizeof(*e->lits), lit_cmp);
  return CP_OK;
}

void cp_rx_engine_free(cp_redactor *r)
{
  pc_eng *e = r->eng;
  if (!e)
    return;
  for (size_t i = 0; e->lits && i < e->n_lits; i++)
    free(e->lits[i].low);
  for (size_t i = 0; e->trigs && i < e->n_trigs; i++) {
    pcre2_code_free(e->trigs[i].code);
    pcre2_code_free(e->trigs[i].dfa);
  }
  free(e->lits);
  free(e->trigs);
  free(e);
  r->eng = NULL;
}

size_t cp_rx_engine_pattern_maxlen(const char *regex)
{
  (void)regex;
  return CP_REDACT_MAX_MATCH;
}

cp_err cp_rx_scan_open(cp_redactor *r, cp_rx_scan **out, cp_error *err)
{
  cp_rx_scan *sc = calloc(1, sizeof(*sc));
  *out = NULL;
  if (!sc)
    return cp_error_set(err, CP_E_NOMEM, "redaction scan");
  sc->r = r;
  sc->e = r->eng;
  sc->tpos = calloc(sc->e->n_trigs + 1, sizeof(*sc->tpos));
  sc->tend = calloc(sc->e->n_trigs + 1, sizeof(*sc->tend));
  sc->md = pcre2_match_data_create(1, NULL);
  sc->mdd = pcre2_match_data_create(DFA_PAIRS, NULL);
  sc->wsn = DFA_WS_MIN;
  sc->ws = malloc(sc->wsn * sizeof(int));
  if (!sc->tpos || !sc->tend || !sc->md || !sc->mdd || !sc->ws) {
    cp_rx_scan_free(sc);
    return cp_error_set(err, CP_E_NOMEM, "redaction scan");
  }
  *out = sc;
  return CP_OK;
}

void cp_rx_scan_free(cp_rx_scan *sc)
{
  if (!sc)
    return;
  free(sc->tpos);
  free(sc->tend);
  pcre2_match_data_free(sc->md);
  pcre2_match_data_free(sc->mdd);
  free(sc->ws);
  free(sc);
}

/* Every literal occurrence starting in [lpos, limit). */
static int scan_literals(cp_rx_scan *sc, const unsigned char *buf, uint64_t base, uint64_t end,
                         uint64_t limit, cp_rx_report_fn fn, void *ctx)
{
  const pc_eng *e = sc->e;
  for (uint64_t s = sc->lpos; s < limit && s + 1 < end; s++) {
    const unsigned char *p = buf + (s - base);
    uint16_t key = (uint16_t)(k_lower[p[0]] << 8 | k_lower[p[1]]);
    if (!(e->keybits[key / 64] & ((uint64_t)1 << (key % 64))))
      continue;
    size_t lo = 0, hi = e->n_lits; /* first literal with this key */
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (e->lits[mid].key < key)
        lo = mid + 1;
      else
        hi = mid;
    }
    for (size_t i = lo; i < e->n_lits && e->lits[i].key == key; i++) {
      const lit *l = &e->lits[i];
      if (s + l->len > end)
        continue;
      size_t j = 2;
      while (j < l->len && k_lower[p[j]] == l->low[j])
        j++;
      if (j == l->len && fn(ctx, l->rule, s + l->len))
        return -1;
    }
  }
  if (limit > sc->lpos)
    sc->lpos = limit;
  return 0;
}

/* Every end of a match of t anchored at s, at most t->cap long. */
static int dfa_ends(cp_rx_scan *sc, const trig *t, const unsigned char *buf, uint64_t base,
                    uint64_t end, int closing, uint64_t s, cp_rx_report_fn fn, void *ctx)
{
  uint64_t cut = s + t->cap + 1 < end ? s + t->cap + 1 : end;
  uint32_t opts =
      PCRE2_ANCHORED | (base ? PCRE2_NOTBOL : 0) | (closing && cut == end ? 0 : PCRE2_NOTEOL);
  int rc;
  for (;;) {
    rc = pcre2_dfa_match(t->dfa, buf, (PCRE2_SIZE)(cut - base), (PCRE2_SIZE)(s - base), opts,
                         sc->mdd, NULL, sc->ws, sc->wsn);
    if (rc != PCRE2_ERROR_DFA_WSSIZE || sc->wsn >= DFA_WS_MAX)
      break;
    int *nw = realloc(sc->ws, sc->wsn * 4 * sizeof(int));
    if (!nw)
      return -1;
    sc->ws = nw;
    sc->wsn *= 4;
  }
  if (rc == 0) /* more lengths than pairs: cannot be, cap < DFA_PAIRS */
    rc = (int)pcre2_get_ovector_count(sc->mdd);
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->mdd);
  for (int i = 0; i < rc; i++) {
    uint64_t me = base + ov[2 * i + 1];
    if (me > s && me - s <= t->cap && fn(ctx, t->rule, me))
      return -1;
  }
  return 0;
}

/* Every start of t in [tpos, end) that can be decided now. Also notes
 * where the reports still to come can end at the earliest (tend). */
static int scan_trigger(cp_rx_scan *sc, size_t k, const unsigned char *buf, uint64_t base,
                        uint64_t end, int closing, cp_rx_report_fn fn, void *ctx)
{
  const trig *t = &sc->e->trigs[k];
  uint64_t p = sc->tpos[k], tend = end;
  while (p < end) {
    uint64_t wend = p + SEARCH_WIN < end ? p + SEARCH_WIN : end;
    int last = wend == end; /* the window reaches the end of what is known */
    uint32_t opts = (base ? PCRE2_NOTBOL : 0) | (closing && last ? 0 : PCRE2_NOTEOL);
    int rc = pcre2_match(t->code, buf, (PCRE2_SIZE)(wend - base), (PCRE2_SIZE)(p - base), opts,
                         sc->md, NULL);
    /* decided: a start with cap + 1 bytes after it inside the window (or
     * the stream's real end) */
    uint64_t decided = (closing && last) ? end : wend > t->cap ? wend - t->cap : 0;
    if (rc == PCRE2_ERROR_NOMATCH) {
      /* in the last window: no start from p on has a match in the known
       * bytes, so a later one ends past them (tend = end) */
      if (decided > p)
        p = decided;
      if (last)
        break;
      continue;
    }
    if (rc < 0) { /* a match limit on hostile input: give that start up */
      p++;
      continue;
    }
    uint64_t s = base + pcre2_get_ovector_pointer(sc->md)[0];
    if (s >= decided) { /* starts from decided on may match past the window */
      if (last) {
        tend = s + 1; /* more bytes will decide them */
        break;
      }
      p = decided;
      continue;
    }
    if (dfa_ends(sc, t, buf, base, end, closing, s, fn, ctx))
      return -1;
    p = s + 1;
  }
  sc->tpos[k] = p;
  sc->tend[k] = tend;
  return 0;
}

cp_err cp_rx_scan_feed(cp_rx_scan *sc, const unsigned char *buf, uint64_t base, size_t len,
                       size_t n, int closing, cp_rx_report_fn fn, void *ctx, cp_error *err)
{
  (void)n;
  const pc_eng *e = sc->e;
  uint64_t end = base + len;
  if (e->n_lits) {
    uint64_t limit = closing ? end : end >= e->maxlit ? end - e->maxlit + 1 : 0;
    if (scan_literals(sc, buf, base, end, limit, fn, ctx))
      return cp_error_set(err, CP_E_NOMEM, "redaction matches");
  }
  for (size_t k = 0; k < e->n_trigs; k++)
    if (scan_trigger(sc, k, buf, base, end, closing, fn, ctx))
      return cp_error_set(err, CP_E_NOMEM, "redaction matches");
  return CP_OK;
}

uint64_t cp_rx_scan_settled(const cp_rx_scan *sc)
{
  const pc_eng *e = sc->e;
  uint64_t m = UINT64_MAX;
  if (e->n_lits)
    m = sc->lpos; /* a literal match starts where it is found */
  for (size_t k = 0; k < e->n_trigs; k++) {
    /* a report still to come ends at tend or later; the confirm step may
     * put its start up to the rule's maxlen before that end */
    const cp_rx_rule *rule = &sc->r->rules[e->trigs[k].rule];
    uint64_t p = sc->tend[k] > rule->maxlen ? sc->tend[k] - rule->maxlen : 0;
    if (p < m)
      m = p;
  }
  return m;
}
