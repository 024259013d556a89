/* Benchmark of the redactor on one core: ~100 MB of real device syslog (the
 * corpus logs repeated), default rules plus a device's identifiers, fed in
 * 64 KiB writes. The identifiers carry non-ASCII device names (Latin and
 * CJK), so every encoded spelling (percent, character references, syslog vis
 * and octal, host names, regrouped digits) is in the database. Speeds are bytes per second of this
 * process's CPU time (one core), so other load on the machine does not skew them. For comparison it
 * also times the Vectorscan pass alone, end-of-match (what the redactor uses) and start-of-match
 * (SOM_LEFTMOST). Built against the PCRE2-only engine (bench_redact_pcre2, or
 * a build without Vectorscan: CP_BENCH_NO_HS) it prints the redactor's row
 * alone, so the two rows give the throughput cost of PCRE2-only (Windows).
 *
 * usage: bench_redact [CORPUS_DIR] [MB]   (CORPUS_DIR defaults to $CP_CORPUS
 * or tests/corpus; MB to 100). Prints one line per mode: "<mode>: N MB/s". */
#include "../unit/sample_device_ids.h"
#include "redact_int.h"

#ifndef CP_BENCH_NO_HS
#include <hs/hs.h>
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = n > 0 ? malloc((size_t)n) : NULL;
  if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
    free(b);
    fclose(f);
    return NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return b;
}

static cp_err discard(void *ctx, const void *buf, size_t len, cp_error *err)
{
  (void)buf;
  (void)err;
  *(size_t *)ctx += len;
  return CP_OK;
}

#ifndef CP_BENCH_NO_HS
static int count_match(unsigned int id, unsigned long long from, unsigned long long to,
                       unsigned int flags, void *ctx)
{
  (void)id;
  (void)from;
  (void)to;
  (void)flags;
  (*(size_t *)ctx)++;
  return 0;
}

/* Vectorscan alone over the text in 64 KiB writes; flags_extra = SOM or 0. */
static double scan_only(const cp_redactor *r, unsigned flags_extra, const char *text, size_t len,
                        size_t *hits)
{
  const char **ex = calloc(r->n_rules, sizeof(*ex));
  unsigned *fl = calloc(r->n_rules, sizeof(*fl)), *ids = calloc(r->n_rules, sizeof(*ids));
  unsigned n = 0;
  double mbs = -1;
  hs_database_t *db = NULL;
  hs_scratch_t *scr = NULL;
  hs_stream_t *st = NULL;
  hs_compile_error_t *ce = NULL;
  if (!ex || !fl || !ids)
    goto out;
  for (size_t i = 0; i < r->n_rules; i++)
    if (r->rules[i].hs_expr) {
      ex[n] = r->rules[i].hs_expr;
      fl[n] = ((r->rules[i].hs_flags & CP_RX_CASELESS) ? HS_FLAG_CASELESS : 0) | flags_extra;
      ids[n] = n;
      n++;
    }
  unsigned mode = HS_MODE_STREAM | (flags_extra ? HS_MODE_SOM_HORIZON_LARGE : 0);
  if (hs_compile_multi(ex, fl, ids, n, mode, NULL, &db, &ce) != HS_SUCCESS) {
    fprintf(stderr, "compile: %s\n", ce && ce->message ? ce->message : "?");
    hs_free_compile_error(ce);
    goto out;
  }
  if (hs_alloc_scratch(db, &scr) != HS_SUCCESS || hs_open_stream(db, 0, &st) != HS_SUCCESS)
    goto out;
  double t0 = now();
  for (size_t at = 0; at < len; at += 65536) {
    size_t k = len - at < 65536 ? len - at : 65536;
    hs_scan_stream(st, text + at, (unsigned)k, 0, scr, count_match, hits);
  }
  hs_close_stream(st, scr, count_match, hits);
  st = NULL;
  mbs = (double)len / 1e6 / (now() - t0);
out:
  hs_free_scratch(scr);
  hs_free_database(db);
  free(ex);
  free(fl);
  free(ids);
  return mbs;
}
#endif

int main(int argc, char **argv)
{
  const char *corpus = argc > 1 ? argv[1] : getenv("CP_CORPUS");
  if (!corpus)
    corpus = "tests/corpus";
  size_t want = (size_t)(argc > 2 ? atof(argv[2]) : 100) * 1000000u;
  const char *files[] = {"syslog/im_ios_sdk_iphone_idevicesyslog.log",
                         "syslog/pvz_ipad_jailbroken_idevicesyslog.txt"};
  char *parts[2] = {NULL, NULL};
  size_t plen[2] = {0, 0};
  for (int i = 0; i < 2; i++) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", corpus, files[i]);
    if (!(parts[i] = slurp(path, &plen[i]))) {
      fprintf(stderr, "bench_redact: cannot read %s (pass the tests/corpus folder)\n", path);
      return 1;
    }
  }
  char *text = malloc(want + plen[0] + plen[1]);
  if (!text)
    return 1;
  size_t len = 0;
  while (len < want)
    for (int i = 0; i < 2; i++) {
      memcpy(text + len, parts[i], plen[i]);
      len += plen[i];
    }
  /* a device's identifiers, as collect passes them from lockdown */
  cp_redact_config cfg = {cp_sample_device_ids, CP_SAMPLE_DEVICE_IDS_N, NULL, NULL};
  cp_redactor *r = NULL;
  cp_error err;
  if (cp_redactor_new(&cfg, &r, &err) != CP_OK) {
    fprintf(stderr, "bench_redact: %s\n", err.detail);
    return 1;
  }
  fprintf(stderr, "bench_redact: %.1f MB of syslog, %zu rules\n", (double)len / 1e6, r->n_rules);
  double best = 0;
  size_t outn = 0;
  for (int round = 0; round < 3; round++) {
    cp_redact_stream *s = NULL;
    outn = 0;
    double t0 = now();
    if (cp_redact_stream_open(r, "bench", discard, &outn, &s, &err) != CP_OK)
      return 1;
    for (size_t at = 0; at < len; at += 65536) {
      size_t k = len - at < 65536 ? len - at : 65536;
      if (cp_redact_stream_write(s, text + at, k, &err) != CP_OK)
        return 1;
    }
    if (cp_redact_stream_close(s, 1, &err) != CP_OK)
      return 1;
    double mbs = (double)len / 1e6 / (now() - t0);
    if (mbs > best)
      best = mbs;
  }
  json_t *rep = cp_redactor_report(r);
  /* the engine word after "redactor" lets tests/bench/run tell the rows apart */
  printf("redactor %s (streaming, end-of-match + confirm): %.0f MB/s (%lld redactions, %zu "
         "bytes out)\n",
         strncmp(cp_redact_engine(), "pcre2", 5) ? "vectorscan" : "pcre2-only", best,
         (long long)json_integer_value(json_object_get(rep, "total")) / 3, outn);
  json_decref(rep);
#ifndef CP_BENCH_NO_HS
  size_t hits = 0;
  double mbs = scan_only(r, 0, text, len, &hits);
  printf("vectorscan scan only, end-of-match: %.0f MB/s (%zu reports)\n", mbs, hits);
  hits = 0;
  mbs = scan_only(r, HS_FLAG_SOM_LEFTMOST, text, len, &hits);
  printf("vectorscan scan only, start-of-match (SOM_LEFTMOST): %.0f MB/s (%zu reports)\n", mbs,
         hits);
#endif
  cp_redactor_free(r);
  free(text);
  free(parts[0]);
  free(parts[1]);
  return 0;
}
