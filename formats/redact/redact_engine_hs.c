/*
 * The Vectorscan scan engine (CP_REDACT_ENGINE=vectorscan, the default where
 * libhs exists): every trigger in one streaming database that reports match
 * ENDS only, the fastest mode (~1 GB/s, figures in README.md). Vectorscan
 * finds matches across write boundaries by itself, so it reports at once and
 * nothing is ever late (cp_rx_scan_settled is UINT64_MAX).
 */
#include "redact_int.h"

#include <hs/hs.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct hs_eng {
  hs_database_t *db;
  hs_scratch_t *scratch;
} hs_eng;

struct cp_rx_scan {
  cp_redactor *r;
  hs_stream_t *hs;
  cp_rx_report_fn fn;
  void *ctx;
  int stopped;
};

const char *cp_redact_engine(void)
{
  static char name[64];
  const char *v = hs_version();
  size_t n = v ? strcspn(v, " ") : 0;
  snprintf(name, sizeof(name), "vectorscan %.*s", (int)n, v ? v : "");
  return name;
}

/* Compiles every rule that has a Vectorscan expression into one streaming
 * database. A user pattern Vectorscan refuses becomes PCRE2-only and the
 * set is compiled again; a built-in one it refuses is a bug. */
cp_err cp_rx_engine_compile(cp_redactor *r, cp_error *err)
{
  cp_err rc = CP_OK;
  const char **exprs = NULL;
  unsigned *flags = NULL, *ids = NULL;
  hs_eng *e = calloc(1, sizeof(*e));
  if (!e)
    return cp_error_set(err, CP_E_NOMEM, "redaction rules");
  r->eng = e;
  for (;;) {
    size_t n = 0;
    free(exprs);
    free(flags);
    free(ids);
    exprs = calloc(r->n_rules + 1, sizeof(*exprs));
    flags = calloc(r->n_rules + 1, sizeof(*flags));
    ids = calloc(r->n_rules + 1, sizeof(*ids));
    if (!exprs || !flags || !ids) {
      rc = cp_error_set(err, CP_E_NOMEM, "redaction rules");
      goto out;
    }
    for (size_t i = 0; i < r->n_rules; i++) {
      if (!r->rules[i].hs_expr)
        continue;
      exprs[n] = r->rules[i].hs_expr;
      flags[n] = (r->rules[i].hs_flags & CP_RX_CASELESS) ? HS_FLAG_CASELESS : 0;
      ids[n] = (unsigned)i;
      n++;
    }
    if (n == 0)
      break;
    hs_compile_error_t *ce = NULL;
    hs_database_t *db = NULL;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_STREAM, NULL, &db, &ce) ==
        HS_SUCCESS) {
      e->db = db;
      break;
    }
    int bad = ce ? ce->expression : -1;
    char msg[160];
    snprintf(msg, sizeof(msg), "%s", ce && ce->message ? ce->message : "?");
    hs_free_compile_error(ce);
    if (bad < 0 || (size_t)bad >= n) {
      rc = cp_error_set(err, CP_E_INTERNAL, "vectorscan: %s", msg);
      goto out;
    }
    cp_rx_rule *rule = &r->rules[ids[bad]];
    if (!rule->search) { /* a built-in rule: must compile */
      rc = cp_error_set(err, CP_E_INTERNAL, "vectorscan refused rule %u: %s", ids[bad], msg);
      goto out;
    }
    free(rule->hs_expr);
    rule->hs_expr = NULL;
    r->has_pcre_only = 1;
  }
  if (e->db && hs_alloc_scratch(e->db, &e->scratch) != HS_SUCCESS)
    rc = cp_error_set(err, CP_E_NOMEM, "vectorscan scratch");
out:
  free(exprs);
  free(flags);
  free(ids);
  return rc;
}

void cp_rx_engine_free(cp_redactor *r)
{
  hs_eng *e = r->eng;
  if (!e)
    return;
  hs_free_scratch(e->scratch);
  hs_free_database(e->db);
  free(e);
  r->eng = NULL;
}

size_t cp_rx_engine_pattern_maxlen(const char *regex)
{
  hs_expr_info_t *info = NULL;
  hs_compile_error_t *ce = NULL;
  size_t m = CP_REDACT_MAX_MATCH;
  if (hs_expression_info(regex, 0, &info, &ce) == HS_SUCCESS && info) {
    if (info->max_width != UINT_MAX && info->max_width < (unsigned)m)
      m = info->max_width ? info->max_width : 1;
  }
  free(info);
  hs_free_compile_error(ce);
  return m;
}

cp_err cp_rx_scan_open(cp_redactor *r, cp_rx_scan **out, cp_error *err)
{
  hs_eng *e = r->eng;
  cp_rx_scan *sc = calloc(1, sizeof(*sc));
  *out = NULL;
  if (!sc)
    return cp_error_set(err, CP_E_NOMEM, "vectorscan stream");
  sc->r = r;
  if (e && e->db && hs_open_stream(e->db, 0, &sc->hs) != HS_SUCCESS) {
    free(sc);
    return cp_error_set(err, CP_E_NOMEM, "vectorscan stream");
  }
  *out = sc;
  return CP_OK;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
  (void)from;
  (void)flags;
  cp_rx_scan *sc = ctx;
  if (sc->fn(sc->ctx, id, to)) {
    sc->stopped = 1;
    return 1; /* stop scanning */
  }
  return 0;
}

cp_err cp_rx_scan_feed(cp_rx_scan *sc, const unsigned char *buf, uint64_t base, size_t len,
                       size_t n, int closing, cp_rx_report_fn fn, void *ctx, cp_error *err)
{
  (void)base;
  if (!sc->hs)
    return CP_OK;
  hs_eng *e = sc->r->eng;
  sc->fn = fn;
  sc->ctx = ctx;
  if (n && hs_scan_stream(sc->hs, (const char *)buf + len - n, (unsigned)n, 0, e->scratch, on_match,
                          sc) != HS_SUCCESS)
    return cp_error_set(err, sc->stopped ? CP_E_NOMEM : CP_E_INTERNAL, "vectorscan scan failed");
  if (closing) {
    hs_stream_t *st = sc->hs;
    sc->hs = NULL;
    if (hs_close_stream(st, e->scratch, on_match, sc) != HS_SUCCESS)
      return cp_error_set(err, sc->stopped ? CP_E_NOMEM : CP_E_INTERNAL, "vectorscan close failed");
  }
  return CP_OK;
}

uint64_t cp_rx_scan_settled(const cp_rx_scan *sc)
{
  (void)sc;
  return UINT64_MAX;
}

void cp_rx_scan_free(cp_rx_scan *sc)
{
  if (!sc)
    return;
  if (sc->hs)
    (void)hs_close_stream(sc->hs, NULL, NULL, NULL);
  free(sc);
}
