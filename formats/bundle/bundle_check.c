/* See bundle_check.h. Every member is hashed as it streams by into a compact
 * table (member_rows.h: path, size, SHA-256); only the manifest's text, the
 * signature and a few small JSON members are kept (capped). manifest.json is
 * the last member the writer adds, so the comparison happens at the end, as
 * its rows stream out of the kept text one at a time (cp_manifest_stream). */
#include "bundle_check.h"

#include "bundle.h"
#include "manifest.h"
#include "sign.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (64u * 1024u)

/* Skims the top-level "reports" value out of a JSON object as it streams
 * by (it becomes null): the crash index's rows grow with the device (11 MB
 * of text, 74 MB once parsed, for 10,000 reports), while what a check
 * reports (triage, counts, failures) stays small. A tiny state machine over
 * the bytes, no parse. */
typedef struct skim {
  int depth, in_str, esc;
  int key_len;  /* bytes of the current depth-1 string; -1 once too long */
  int is_key;   /* the depth-1 string just closed is "reports" */
  int skipping; /* inside the value being dropped */
  char key[8];
} skim;

/* Feeds b[0..n); appends what is kept to out (capacity n + 4). */
static size_t skim_feed(skim *k, const unsigned char *b, size_t n, char *out)
{
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = b[i];
    if (k->in_str) {
      if (k->esc)
        k->esc = 0;
      else if (c == '\\')
        k->esc = 1;
      else if (c == '"') {
        k->in_str = 0;
        if (k->depth == 1 && !k->skipping)
          k->is_key = k->key_len == 7 && !memcmp(k->key, "reports", 7);
      } else if (k->depth == 1 && !k->skipping && k->key_len >= 0) {
        if (k->key_len < 7)
          k->key[k->key_len++] = (char)c;
        else
          k->key_len = -1;
      }
      if (!k->skipping)
        out[o++] = (char)c;
      continue;
    }
    if (k->skipping && k->depth == 1 && (c == ',' || c == '}'))
      k->skipping = 0; /* the dropped value ended: this byte is kept */
    if (c == '"') {
      k->in_str = 1;
      k->key_len = 0;
    } else if (c == '{' || c == '[') {
      k->depth++;
    } else if (c == '}' || c == ']') {
      k->depth--;
    } else if (c == ':' && k->depth == 1 && k->is_key && !k->skipping) {
      out[o++] = ':';
      memcpy(out + o, "null", 4);
      o += 4;
      k->skipping = 1;
      k->is_key = 0;
      continue;
    } else if (c == ',' && k->depth == 1) {
      k->is_key = 0;
    }
    if (!k->skipping)
      out[o++] = (char)c;
  }
  return o;
}

/* A member kept in memory up to `limit` bytes; `over` when it was larger. */
typedef struct kept {
  const char *name;
  size_t limit;
  char *buf;
  size_t len, cap;
  int present;
  int over;
  skim *skim; /* not NULL: the top-level "reports" value is dropped */
} kept;

enum { K_MANIFEST, K_SIG, K_CONSENT, K_REDACTION, K_CRASHES, K_COUNT };

static cp_err keep_bytes(kept *k, const unsigned char *b, size_t n, cp_error *err)
{
  if (k->over || n == 0)
    return CP_OK;
  if (k->len + n > k->limit) {
    k->over = 1;
    free(k->buf);
    k->buf = NULL;
    k->len = k->cap = 0;
    return CP_OK;
  }
  if (k->len + n + 1 > k->cap) {
    char *p = realloc(k->buf, k->len + n + 1);
    if (!p)
      return cp_error_set(err, CP_E_NOMEM, "keeping %s", k->name);
    k->buf = p;
    k->cap = k->len + n + 1;
  }
  memcpy(k->buf + k->len, b, n);
  k->len += n;
  k->buf[k->len] = '\0';
  return CP_OK;
}

/* Room for a kept member of the size its header declares, in one piece: a
 * chunk-by-chunk realloc of a 2 MB manifest held old and new copies at
 * once. A member that lies about its size only grows the usual way. */
static cp_err keep_reserve(kept *k, uint64_t declared, cp_error *err)
{
  if (k->over || k->buf || declared == 0 || declared > k->limit)
    return CP_OK;
  if (!(k->buf = malloc((size_t)declared + 1)))
    return cp_error_set(err, CP_E_NOMEM, "keeping %s", k->name);
  k->cap = (size_t)declared + 1;
  return CP_OK;
}

/* keep_bytes through the skimmer. */
static cp_err keep_skimmed(kept *k, const unsigned char *b, size_t n, cp_error *err)
{
  char *out = malloc(n + 4);
  if (!out)
    return cp_error_set(err, CP_E_NOMEM, "keeping %s", k->name);
  size_t o = skim_feed(k->skim, b, n, out);
  cp_err rc = keep_bytes(k, (const unsigned char *)out, o, err);
  free(out);
  return rc;
}

/* Hashes one member to its end, keeping it when it is one of `ks`. *size:
 * the size its header declares in, the bytes it held out. */
static cp_err hash_member(cp_bundle_reader *r, const char *path, kept *ks, unsigned char *chunk,
                          EVP_MD_CTX *md, unsigned char sha[32], uint64_t *size, cp_error *err)
{
  kept *k = NULL;
  for (int i = 0; i < K_COUNT; i++)
    if (!strcmp(path, ks[i].name))
      k = &ks[i];
  if (k) {
    k->present = 1;
    cp_err krc = k->skim ? CP_OK : keep_reserve(k, *size, err);
    if (krc != CP_OK)
      return krc;
  }
  if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
    return cp_error_set(err, CP_E_INTERNAL, "SHA-256 init");
  *size = 0;
  for (;;) {
    size_t got = 0;
    cp_err rc = cp_bundle_read(r, chunk, CHUNK, &got, err);
    if (rc != CP_OK)
      return rc;
    if (got == 0)
      break;
    if (EVP_DigestUpdate(md, chunk, got) != 1)
      return cp_error_set(err, CP_E_INTERNAL, "SHA-256 update");
    *size += got;
    if (k &&
        (rc = k->skim ? keep_skimmed(k, chunk, got, err) : keep_bytes(k, chunk, got, err)) != CP_OK)
      return rc;
  }
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int dl = 0;
  if (EVP_DigestFinal_ex(md, d, &dl) != 1 || dl != 32)
    return cp_error_set(err, CP_E_INTERNAL, "SHA-256 final");
  memcpy(sha, d, 32);
  return CP_OK;
}

/* How many JSON values text would parse into, at most: one per '{', '['
 * and ',' outside strings, plus one. Counted before parsing, because a few
 * MB of "[[],[],..." or "{}" become gigabytes of parsed nodes. */
static size_t json_nodes(const char *b, size_t n)
{
  size_t nodes = 1;
  int in_str = 0, esc = 0;
  for (size_t i = 0; i < n; i++) {
    char c = b[i];
    if (in_str) {
      if (esc)
        esc = 0;
      else if (c == '\\')
        esc = 1;
      else if (c == '"')
        in_str = 0;
    } else if (c == '"')
      in_str = 1;
    else if (c == '{' || c == '[' || c == ',' || c == ':')
      nodes++;
  }
  return nodes;
}

/* Parses a kept JSON member, or null when absent, too large, too many
 * nodes (CP_CHECK_MAX_SMALL_NODES) or malformed. */
static json_t *kept_json(const kept *k)
{
  if (!k->present || k->over || !k->buf)
    return json_null();
  if (json_nodes(k->buf, k->len) > CP_CHECK_MAX_SMALL_NODES)
    return json_null();
  json_t *v = json_loadb(k->buf, k->len, 0, NULL);
  return v ? v : json_null();
}

static int add(json_t *obj, const char *key, json_t *v)
{
  return v && json_object_set_new(obj, key, v) == 0;
}

/* Row flags of the members read (the cp_rows `got`). */
enum { LISTED = 1, CHANGED = 2 };

/* The comparison as the manifest's rows stream by (cp_manifest_stream), one
 * row at a time against the compact table of what was read. */
typedef struct cmp {
  cp_rows *got;     /* every member read, in archive order (the reader's table) */
  cp_rows *absent;  /* paths listed but not read, to refuse one listed twice */
  json_t *mrows;    /* report rows in manifest order, or NULL (CP_CHECK_NO_ROWS) */
  json_t *missing;  /* paths listed but absent, in manifest order */
  json_t *expected; /* path -> manifest row, for the changed members only */
  char *first_missing;
} cmp;

/* 1 when the row's size and sha256 equal what was read. */
static int same_as_read(const cp_row *g, const json_t *want)
{
  char hex[65];
  cp_hex(g->sha256, 32, hex);
  json_t *size = json_object_get(want, "size");
  return json_integer_value(size) >= 0 && (uint64_t)json_integer_value(size) == g->size &&
         !strcmp(hex, json_string_value(json_object_get(want, "sha256")));
}

static cp_err on_row(void *ctx, size_t i, json_t *row, cp_error *err)
{
  cmp *c = ctx;
  const char *path = json_string_value(json_object_get(row, "path"));
  const char *status = "ok";
  size_t at = cp_rows_find(c->got, path);
  (void)i;
  if (at == CP_ROWS_NONE) {
    status = "missing";
    if (cp_rows_find(c->absent, path) != CP_ROWS_NONE)
      return cp_manifest_twice(path, err);
    cp_err rc = cp_rows_add(c->absent, path, 0, NULL, NULL, NULL, err);
    if (rc != CP_OK)
      return rc;
    if (json_array_append_new(c->missing, json_string(path)) != 0)
      return cp_error_set(err, CP_E_NOMEM, "verify");
    if (!c->first_missing && !(c->first_missing = strdup(path)))
      return cp_error_set(err, CP_E_NOMEM, "verify");
  } else {
    cp_row g;
    cp_rows_get(c->got, at, &g);
    if (g.flags & LISTED)
      return cp_manifest_twice(path, err);
    cp_rows_flag(c->got, at, LISTED);
    if (!same_as_read(&g, row)) {
      status = "changed";
      cp_rows_flag(c->got, at, CHANGED);
      if (json_object_set(c->expected, path, row) != 0)
        return cp_error_set(err, CP_E_NOMEM, "verify");
    }
  }
  if (c->mrows) { /* the parsed row itself, with its status: no copy */
    if (json_object_set_new(row, "status", json_string(status)) != 0 ||
        json_array_append(c->mrows, row) != 0)
      return cp_error_set(err, CP_E_NOMEM, "verify");
  }
  return CP_OK;
}

static json_t *hex_of(const cp_row *g)
{
  char hex[65];
  cp_hex(g->sha256, 32, hex);
  return json_string(hex);
}

/* After the manifest's rows: the members read that it does not list
 * ("extra") or lists with another size or hash ("changed"), in archive
 * order, so "first failing member" is the first one met; then the missing
 * ones in manifest order. Fills the report's member lists; returns the
 * number of problems. */
static size_t compare(cmp *c, int sig_declared, json_t *rep, const char **first, const char **why)
{
  json_t *rows = c->mrows ? json_array() : NULL, *extra = json_array(), *changed = json_array();
  size_t problems = json_array_size(c->missing);
  *first = NULL;
  *why = NULL;
  for (size_t i = 0; i < cp_rows_count(c->got); i++) {
    cp_row g;
    cp_rows_get(c->got, i, &g);
    if (!strcmp(g.path, CP_BUNDLE_MANIFEST) ||
        (sig_declared && !strcmp(g.path, CP_BUNDLE_SIGNATURE)))
      continue;
    if (!(g.flags & LISTED)) {
      json_array_append_new(extra, json_string(g.path));
      if (rows)
        json_array_append_new(rows, json_pack("{s:s, s:I, s:o, s:s, s:s}", "path", g.path, "size",
                                              (json_int_t)g.size, "sha256", hex_of(&g), "scope", "",
                                              "status", "extra"));
      problems++;
      if (!*first) {
        *first = g.path;
        *why = "is not in the manifest";
      }
    } else if (g.flags & CHANGED) {
      json_t *want = json_object_get(c->expected, g.path);
      json_array_append_new(changed, json_pack("{s:s, s:I, s:o, s:O, s:O}", "path", g.path, "size",
                                               (json_int_t)g.size, "sha256", hex_of(&g),
                                               "expected_size", json_object_get(want, "size"),
                                               "expected_sha256", json_object_get(want, "sha256")));
      problems++;
      if (!*first) {
        *first = g.path;
        *why = "was changed (size or SHA-256 differs)";
      }
    }
  }
  if (!*first && c->first_missing) {
    *first = c->first_missing;
    *why = "is missing";
  }
  if (sig_declared && cp_rows_find(c->got, CP_BUNDLE_SIGNATURE) == CP_ROWS_NONE) {
    json_array_append_new(c->missing, json_string(CP_BUNDLE_SIGNATURE));
    problems++;
    if (!*first) {
      *first = CP_BUNDLE_SIGNATURE;
      *why = "is missing";
    }
  }
  if (rows) {
    json_array_extend(rows, c->mrows);
    add(rep, "members", rows);
  }
  add(rep, "missing", json_incref(c->missing));
  add(rep, "extra", extra);
  add(rep, "changed", changed);
  return problems;
}

/* Fills "signature" and returns CP_E_SIGNATURE when a requested check fails. */
static cp_err check_signature(json_t *manifest, const kept *ks, const char *pubkey, json_t *rep,
                              cp_error *err)
{
  json_t *decl = json_object_get(manifest, "signature");
  const char *declared_key = json_string_value(json_object_get(decl, "key_sha256"));
  const kept *sig = &ks[K_SIG];
  const char *state;
  char fp[65] = "";
  cp_err rc = CP_OK;
  if (pubkey) { /* an unusable key says nothing about the bundle: fail on it first */
    rc = cp_sign_key_fingerprint(pubkey, 0, fp, err);
    if (rc != CP_OK)
      return rc;
  }
  if (!pubkey) {
    state = json_is_object(decl) ? (sig->present ? "not_checked" : "missing") : "unsigned";
  } else if (!sig->present || sig->over) {
    state = "missing";
    rc = cp_error_set(err, CP_E_SIGNATURE, "the bundle is not signed (no manifest.sig)");
  } else {
    cp_error e;
    cp_error_clear(&e);
    rc = cp_verify_ed25519(pubkey, ks[K_MANIFEST].buf, ks[K_MANIFEST].len, sig->buf, sig->len, fp,
                           &e);
    if (rc == CP_OK) {
      state = "good";
    } else if (rc == CP_E_SIGNATURE) {
      int other = declared_key && fp[0] && strcmp(declared_key, fp) != 0;
      state = other ? "wrong_key" : "bad";
      rc = cp_error_set(err, CP_E_SIGNATURE, "%s",
                        other ? "manifest.sig was made with another key than --key"
                              : "manifest.sig does not match manifest.json");
    } else {
      if (err)
        *err = e;
      return rc; /* the key itself is unusable: not a statement about the bundle */
    }
  }
  json_t *s = json_pack("{s:s}", "state", state);
  if (s && declared_key)
    json_object_set_new(s, "key_sha256", json_string(declared_key));
  if (s && fp[0])
    json_object_set_new(s, "checked_with", json_string(fp));
  add(rep, "signature", s);
  return rc;
}

cp_err cp_bundle_check_ex(cp_bundle_reader *r, const char *pubkey_path, unsigned flags,
                          json_t **report, cp_error *err)
{
  kept ks[K_COUNT] = {{CP_BUNDLE_MANIFEST, CP_CHECK_MAX_MANIFEST, NULL, 0, 0, 0, 0, NULL},
                      {CP_BUNDLE_SIGNATURE, 1024, NULL, 0, 0, 0, 0, NULL},
                      {CP_BUNDLE_CONSENT, CP_CHECK_MAX_SMALL_JSON, NULL, 0, 0, 0, 0, NULL},
                      {CP_BUNDLE_REDACTION, CP_CHECK_MAX_SMALL_JSON, NULL, 0, 0, 0, 0, NULL},
                      {"crashes/index.json", CP_CHECK_MAX_CRASH_INDEX, NULL, 0, 0, 0, 0, NULL}};
  skim index_skim;
  memset(&index_skim, 0, sizeof index_skim);
  ks[K_CRASHES].skim = &index_skim;
  if (flags & CP_CHECK_NO_SUMMARY) { /* hashed, not kept: the report has null for them */
    ks[K_CONSENT].limit = ks[K_REDACTION].limit = ks[K_CRASHES].limit = 0;
    ks[K_CRASHES].skim = NULL;
  }
  cp_err rc = CP_OK;
  cmp c = {cp_bundle_members(r), cp_rows_new(), NULL, json_array(), json_object(), NULL};
  json_t *manifest = NULL, *rep = NULL;
  unsigned char *chunk = malloc(CHUNK);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  *report = NULL;
  if (!(flags & CP_CHECK_NO_ROWS))
    c.mrows = json_array();
  if (!c.got || !c.absent || (!(flags & CP_CHECK_NO_ROWS) && !c.mrows) || !c.missing ||
      !c.expected || !chunk || !md) {
    rc = cp_error_set(err, CP_E_NOMEM, "verify");
    goto out;
  }
  for (;;) {
    const char *path;
    uint64_t size;
    unsigned char sha[32];
    rc = cp_bundle_next(r, &path, &size, err);
    if (rc == CP_OK && !path)
      break;
    if (rc == CP_OK)
      rc = hash_member(r, path, ks, chunk, md, sha, &size, err);
    if (rc != CP_OK) {
      /* Damage after a good start is a changed bundle; before, not a bundle. */
      if (rc != CP_E_NOMEM && rc != CP_E_TOO_LARGE && cp_bundle_count(r) > 0)
        rc = CP_E_VERIFY;
      if (err)
        err->code = rc;
      goto out;
    }
    cp_rows_set(c.got, cp_bundle_count(r) - 1, size, sha); /* the reader's row of this member */
  }
  if (!ks[K_MANIFEST].present || ks[K_MANIFEST].over) {
    rc = cp_error_set(err, ks[K_MANIFEST].over ? CP_E_TOO_LARGE : CP_E_PARSE, "%s",
                      ks[K_MANIFEST].over ? "manifest.json is larger than any caseprobe writes"
                                          : "no manifest.json: not a caseprobe bundle");
    goto out;
  }
  if (json_nodes(ks[K_MANIFEST].buf, ks[K_MANIFEST].len) > CP_CHECK_MAX_MANIFEST_NODES) {
    rc = cp_error_set(err, CP_E_TOO_LARGE,
                      "manifest.json holds more JSON values than any caseprobe writes");
    goto out;
  }
  rc = cp_manifest_stream(ks[K_MANIFEST].buf, ks[K_MANIFEST].len, on_row, &c, &manifest, err);
  if (rc != CP_OK)
    goto out;
  rep = json_object();
  if (!rep) {
    rc = cp_error_set(err, CP_E_NOMEM, "report");
    goto out;
  }
  static const char *const copied[] = {"case_id",       "created", "format_version",
                                       "agent_version", "device",  NULL};
  for (size_t i = 0; copied[i]; i++) {
    json_t *v = json_object_get(manifest, copied[i]);
    add(rep, copied[i], v ? json_deep_copy(v) : json_null());
  }
  int sig_declared = json_is_object(json_object_get(manifest, "signature"));
  const char *first = NULL, *why = NULL;
  size_t problems = compare(&c, sig_declared, rep, &first, &why);
  cp_error sigerr;
  cp_error_clear(&sigerr);
  cp_err sigrc = check_signature(manifest, ks, pubkey_path, rep, &sigerr);
  if (sigrc != CP_OK && sigrc != CP_E_SIGNATURE) {
    rc = sigrc;
    if (err)
      *err = sigerr;
    goto out;
  }
  add(rep, "consent", kept_json(&ks[K_CONSENT]));
  add(rep, "redaction", kept_json(&ks[K_REDACTION]));
  add(rep, "crash_index", kept_json(&ks[K_CRASHES]));
  add(rep, "first_failure", first ? json_string(first) : json_null());
  add(rep, "ok", json_boolean(problems == 0 && sigrc == CP_OK));
  if (problems) {
    json_t *chg = json_object_get(rep, "changed");
    rc = cp_error_set(err, CP_E_VERIFY, "member '%s' %s (%zu missing, %zu extra, %zu changed)",
                      first, why, json_array_size(json_object_get(rep, "missing")),
                      json_array_size(json_object_get(rep, "extra")), json_array_size(chg));
  } else if (sigrc != CP_OK) {
    rc = sigrc;
    if (err)
      *err = sigerr;
  }
  *report = rep;
  rep = NULL;
out:
  for (int i = 0; i < K_COUNT; i++)
    free(ks[i].buf);
  free(chunk);
  EVP_MD_CTX_free(md);
  cp_rows_free(c.absent);
  json_decref(c.mrows);
  json_decref(c.missing);
  json_decref(c.expected);
  free(c.first_missing);
  json_decref(manifest);
  json_decref(rep);
  return rc;
}

cp_err cp_bundle_check(cp_bundle_reader *r, const char *pubkey_path, json_t **report, cp_error *err)
{
  return cp_bundle_check_ex(r, pubkey_path, 0, report, err);
}

cp_err cp_bundle_check_file(const char *path, const char *pubkey_path, json_t **report,
                            cp_error *err)
{
  return cp_bundle_check_file_ex(path, pubkey_path, 0, report, err);
}

cp_err cp_bundle_check_file_ex(const char *path, const char *pubkey_path, unsigned flags,
                               json_t **report, cp_error *err)
{
  cp_bundle_reader *r = NULL;
  *report = NULL;
  cp_err rc = cp_bundle_open(path, &r, err);
  if (rc == CP_OK)
    rc = cp_bundle_check_ex(r, pubkey_path, flags, report, err);
  cp_bundle_close(r);
  return rc;
}
