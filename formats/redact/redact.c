/*
 * The redactor: compiles the rules (redact_rules.c) through the scan engine
 * (redact_engine_hs.c: one Vectorscan database; redact_engine_pcre2.c where
 * there is no Vectorscan), keeps the pseudonym table and the report.
 *
 * Why this engine (figures in formats/redact/README.md, measured on
 * this machine kind): PCRE2 over an alternation of all rules runs at ~90
 * MB/s; Vectorscan with start-of-match at ~250 MB/s; Vectorscan in streaming
 * mode reporting only match ENDS at ~1 GB/s. A station can feed ~640 MB/s
 * of text into two cores, so we take the fast mode and recover the start in
 * a second, local step (redact_stream.c):
 *   1. Vectorscan streaming finds every (rule, end offset), across chunk
 *      boundaries by itself; patterns here have no lookaround.
 *   2. For a literal the start is end - length. For a regex, PCRE2 (JIT)
 *      runs "(?:P)\z" on a small window [end - maxlen - 32, end) to find the
 *      leftmost start, with lookbehinds for the left boundary; the right
 *      boundary (the byte after the end) is checked in C.
 *   3. Matches are chosen leftmost, then longest, then identifiers before
 *      patterns, once no earlier-starting match can still appear, so the
 *      output does not depend on how the input was chunked.
 * User patterns Vectorscan refuses (back-references, lookaround) run through
 * PCRE2 alone on overlapping fixed windows: slower, but they still work.
 *
 * Pseudonyms: HMAC-SHA256(secret, class NUL normalised value) -> "<class-N>",
 * N in order of first appearance. Only HMACs are kept.
 */
#include "redact_int.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_rules(cp_redactor *r)
{
  for (size_t i = 0; i < r->n_rules; i++) {
    free(r->rules[i].hs_expr);
    pcre2_code_free(r->rules[i].confirm);
    pcre2_code_free(r->rules[i].search);
  }
  free(r->rules);
  r->rules = NULL;
  r->n_rules = r->cap_rules = 0;
}

void cp_redactor_free(cp_redactor *r)
{
  if (!r)
    return;
  if (r->sink_stream) {
    cp_error ignored;
    (void)cp_redact_stream_close(r->sink_stream, 0, &ignored);
  }
  free_rules(r);
  cp_rx_engine_free(r);
  pcre2_match_data_free(r->md);
  pcre2_match_context_free(r->mctx);
  for (int i = 0; i < r->n_classes; i++)
    json_decref(r->classes[i].members);
  if (r->slots)
    OPENSSL_cleanse(r->slots, r->n_slots * sizeof(*r->slots));
  free(r->slots);
  OPENSSL_cleanse(r->secret, sizeof(r->secret));
  free(r);
}

cp_err cp_redactor_new(const cp_redact_config *cfg, cp_redactor **out, cp_error *err)
{
  cp_err rc = CP_OK;
  cp_redactor *r = NULL;
  if (!cfg || !out)
    return cp_error_set(err, CP_E_INTERNAL, "redactor without config");
  *out = NULL;
  r = calloc(1, sizeof(*r));
  if (!r)
    return cp_error_set(err, CP_E_NOMEM, "redactor");
  if (cfg->secret)
    memcpy(r->secret, cfg->secret, CP_REDACT_SECRET_LEN);
  else if (RAND_bytes(r->secret, CP_REDACT_SECRET_LEN) != 1) {
    rc = cp_error_set(err, CP_E_INTERNAL, "no random bytes for the redaction secret");
    goto out;
  }
  r->md = pcre2_match_data_create(16, NULL);
  r->mctx = pcre2_match_context_create(NULL);
  if (!r->md || !r->mctx) {
    rc = cp_error_set(err, CP_E_NOMEM, "pcre2 match data");
    goto out;
  }
  /* Bounds the confirm step on hostile input; the same window always gives
   * the same answer, so chunking still cannot change the output. */
  pcre2_set_match_limit(r->mctx, 200000);
  pcre2_set_depth_limit(r->mctx, 2000);
  rc = cp_rx_build_rules(r, cfg, err);
  if (rc != CP_OK)
    goto out;
  rc = cp_rx_engine_compile(r, err);
  if (rc != CP_OK)
    goto out;
  r->n_slots = 256;
  r->slots = calloc(r->n_slots, sizeof(*r->slots));
  if (!r->slots) {
    rc = cp_error_set(err, CP_E_NOMEM, "pseudonym table");
    goto out;
  }
  *out = r;
  r = NULL;
out:
  cp_redactor_free(r);
  return rc;
}

void cp_rx_key(const cp_redactor *r, int cls, const unsigned char *norm, size_t n,
               unsigned char key[32])
{
  unsigned int len = 32;
  /* class name, a NUL, the normalised value */
  const char *name = r->classes[cls].name;
  size_t nl = strlen(name);
  unsigned char stackbuf[CP_RX_NAME_MAX + 1 + CP_REDACT_MAX_MATCH + 8];
  unsigned char *buf = stackbuf;
  unsigned char *heap = NULL;
  if (nl + 1 + n > sizeof(stackbuf)) {
    heap = malloc(nl + 1 + n);
    if (!heap) { /* cannot happen for bounded matches; key on the class alone */
      n = 0;
    } else
      buf = heap;
  }
  memcpy(buf, name, nl);
  buf[nl] = 0;
  if (n)
    memcpy(buf + nl + 1, norm, n);
  if (!HMAC(EVP_sha256(), r->secret, CP_REDACT_SECRET_LEN, buf, nl + 1 + n, key, &len))
    memset(key, 0, 32);
  OPENSSL_cleanse(buf, nl + 1 + n);
  free(heap);
}

static cp_err grow_slots(cp_redactor *r, cp_error *err)
{
  size_t n = r->n_slots * 2;
  cp_rx_slot *s = calloc(n, sizeof(*s));
  if (!s)
    return cp_error_set(err, CP_E_NOMEM, "pseudonym table");
  for (size_t i = 0; i < r->n_slots; i++) {
    if (!r->slots[i].used)
      continue;
    size_t h;
    memcpy(&h, r->slots[i].mac, sizeof(h));
    for (size_t j = h % n;; j = (j + 1) % n) {
      if (!s[j].used) {
        s[j] = r->slots[i];
        break;
      }
    }
  }
  free(r->slots);
  r->slots = s;
  r->n_slots = n;
  return CP_OK;
}

cp_err cp_rx_pseudonym(cp_redactor *r, int cls, const unsigned char *key, const unsigned char *text,
                       size_t n, char *out, size_t outcap, size_t *outlen, cp_error *err)
{
  unsigned char k[32];
  if (key)
    memcpy(k, key, 32);
  else {
    unsigned char norm[CP_REDACT_MAX_MATCH * 2 + 1];
    if (n > CP_REDACT_MAX_MATCH * 2)
      n = CP_REDACT_MAX_MATCH * 2;
    size_t nn = cp_rx_normalise(r->classes[cls].norm, text, n, norm);
    cp_rx_key(r, cls, norm, nn, k);
    OPENSSL_cleanse(norm, sizeof(norm));
  }
  if ((r->used_slots + 1) * 2 > r->n_slots) {
    cp_err rc = grow_slots(r, err);
    if (rc != CP_OK)
      return rc;
  }
  size_t h;
  memcpy(&h, k, sizeof(h));
  unsigned num = 0;
  for (size_t j = h % r->n_slots;; j = (j + 1) % r->n_slots) {
    cp_rx_slot *s = &r->slots[j];
    if (!s->used) {
      s->used = 1;
      memcpy(s->mac, k, 32);
      s->n = ++r->classes[cls].next;
      r->used_slots++;
      num = s->n;
      break;
    }
    if (memcmp(s->mac, k, 32) == 0) {
      num = s->n;
      break;
    }
  }
  int w = snprintf(out, outcap, "<%s-%u>", r->classes[cls].label, num);
  if (w < 0 || (size_t)w >= outcap)
    return cp_error_set(err, CP_E_INTERNAL, "pseudonym too long");
  *outlen = (size_t)w;
  return CP_OK;
}

cp_err cp_rx_account(cp_redactor *r, const char *member, const uint64_t *counts, cp_error *err)
{
  for (int i = 0; i < r->n_classes; i++) {
    if (!counts[i])
      continue;
    cp_rx_class *c = &r->classes[i];
    if (!c->members && !(c->members = json_object()))
      return cp_error_set(err, CP_E_NOMEM, "redaction report");
    json_t *old = json_object_get(c->members, member);
    json_int_t prev = old ? json_integer_value(old) : 0;
    if (json_object_set_new(c->members, member, json_integer(prev + (json_int_t)counts[i])))
      return cp_error_set(err, CP_E_NOMEM, "redaction report");
    c->count += counts[i];
    r->total += counts[i];
  }
  return CP_OK;
}

json_t *cp_redactor_report(const cp_redactor *r)
{
  json_t *rep = json_object(), *classes = json_object();
  if (!rep || !classes || json_object_set(rep, "classes", classes))
    goto fail;
  for (int i = 0; r && i < r->n_classes; i++) {
    const cp_rx_class *c = &r->classes[i];
    if (!c->count)
      continue;
    json_t *o = json_pack("{s:I,s:O}", "count", (json_int_t)c->count, "members", c->members);
    if (!o || json_object_set_new(classes, c->name, o))
      goto fail;
  }
  if (json_object_set_new(rep, "total", json_integer(r ? (json_int_t)r->total : 0)))
    goto fail;
  json_decref(classes);
  return rep;
fail:
  json_decref(classes);
  json_decref(rep);
  return NULL;
}
