/* See member_rows.h: fixed-size records in one array, the paths in one
 * string pool, an open-addressing hash of record numbers over the paths, and
 * the few distinct scopes interned. Three growing arrays instead of a dozen
 * small allocations per member, so the heap does not fragment either. */
#include "member_rows.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

typedef struct rec {
  uint64_t size;
  unsigned char sha256[32];
  uint32_t path_off; /* into pool */
  uint8_t scope;     /* into scopes */
  uint8_t flags;
} rec;

#define MAX_SCOPES 255

struct cp_rows {
  rec *recs;
  size_t n, cap;
  char *pool;
  size_t pool_len, pool_cap;
  uint32_t *slots; /* record number + 1; 0 = empty */
  size_t nslots;   /* a power of two, at least 2 * n */
  char *scopes[MAX_SCOPES];
  size_t nscopes;
};

static uint64_t hash(const char *s)
{
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

cp_rows *cp_rows_new(void)
{
  return calloc(1, sizeof(cp_rows));
}

void cp_rows_free(cp_rows *t)
{
  if (!t)
    return;
  for (size_t i = 0; i < t->nscopes; i++)
    free(t->scopes[i]);
  free(t->recs);
  free(t->pool);
  free(t->slots);
  free(t);
}

size_t cp_rows_count(const cp_rows *t)
{
  return t ? t->n : 0;
}

/* The slot holding path, or the empty slot where it would go. */
static size_t slot_of(const cp_rows *t, const char *path)
{
  size_t mask = t->nslots - 1;
  for (size_t s = (size_t)hash(path) & mask;; s = (s + 1) & mask) {
    uint32_t v = t->slots[s];
    if (!v || !strcmp(t->pool + t->recs[v - 1].path_off, path))
      return s;
  }
}

size_t cp_rows_find(const cp_rows *t, const char *path)
{
  if (!t || !t->nslots)
    return CP_ROWS_NONE;
  uint32_t v = t->slots[slot_of(t, path)];
  return v ? (size_t)v - 1 : CP_ROWS_NONE;
}

/* Doubles the hash table (or makes the first one) and re-inserts. */
static int rehash(cp_rows *t)
{
  size_t n = t->nslots ? t->nslots * 2 : 64;
  uint32_t *old = t->slots;
  size_t oldn = t->nslots;
  t->slots = calloc(n, sizeof *t->slots);
  if (!t->slots) {
    t->slots = old;
    return -1;
  }
  t->nslots = n;
  for (size_t i = 0; i < oldn; i++)
    if (old[i])
      t->slots[slot_of(t, t->pool + t->recs[old[i] - 1].path_off)] = old[i];
  free(old);
  return 0;
}

/* Makes room for `more` bytes in a growing array (doubling). */
static int reserve(void **p, size_t *cap, size_t len, size_t more, size_t unit)
{
  if (len + more <= *cap)
    return 0;
  size_t c = *cap ? *cap : 64;
  while (c < len + more)
    c *= 2;
  void *q = realloc(*p, c * unit);
  if (!q)
    return -1;
  *p = q;
  *cap = c;
  return 0;
}

static int scope_index(cp_rows *t, const char *scope)
{
  for (size_t i = 0; i < t->nscopes; i++)
    if (!strcmp(t->scopes[i], scope))
      return (int)i;
  if (t->nscopes >= MAX_SCOPES)
    return -2;
  char *s = strdup(scope);
  if (!s)
    return -1;
  t->scopes[t->nscopes] = s;
  return (int)t->nscopes++;
}

cp_err cp_rows_add(cp_rows *t, const char *path, uint64_t size, const unsigned char *sha256,
                   const char *scope, size_t *index, cp_error *err)
{
  size_t plen = strlen(path) + 1;
  if (t->n >= 0x7fffffffu || t->pool_len + plen > 0xffffffffu)
    return cp_error_set(err, CP_E_TOO_LARGE, "more members than a bundle can hold");
  if (cp_rows_find(t, path) != CP_ROWS_NONE)
    return cp_error_set(err, CP_E_INTERNAL, "member '%.200s' added twice", path);
  int sc = scope_index(t, scope ? scope : "");
  if (sc == -2)
    return cp_error_set(err, CP_E_TOO_LARGE, "more than %d scopes", MAX_SCOPES);
  if (sc < 0 || reserve((void **)&t->recs, &t->cap, t->n, 1, sizeof(rec)) != 0 ||
      reserve((void **)&t->pool, &t->pool_cap, t->pool_len, plen, 1) != 0 ||
      ((t->n + 1) * 2 > t->nslots && rehash(t) != 0))
    return cp_error_set(err, CP_E_NOMEM, "member table");
  rec *r = &t->recs[t->n];
  memset(r, 0, sizeof *r);
  r->size = size;
  if (sha256)
    memcpy(r->sha256, sha256, 32);
  r->path_off = (uint32_t)t->pool_len;
  r->scope = (uint8_t)sc;
  memcpy(t->pool + t->pool_len, path, plen);
  t->pool_len += plen;
  t->n++;
  t->slots[slot_of(t, path)] = (uint32_t)t->n;
  if (index)
    *index = t->n - 1;
  return CP_OK;
}

void cp_rows_get(const cp_rows *t, size_t i, cp_row *out)
{
  const rec *r = &t->recs[i];
  out->path = t->pool + r->path_off;
  out->scope = t->scopes[r->scope];
  out->size = r->size;
  out->sha256 = r->sha256;
  out->flags = r->flags;
}

void cp_rows_set(cp_rows *t, size_t i, uint64_t size, const unsigned char *sha256)
{
  t->recs[i].size = size;
  memcpy(t->recs[i].sha256, sha256, 32);
}

void cp_rows_flag(cp_rows *t, size_t i, unsigned flags)
{
  t->recs[i].flags |= (uint8_t)flags;
}

/* cp_names: open addressing over 16-byte digests; the last byte's low bit
 * is forced to 1 so an all-zero key can mark an empty slot. */
struct cp_names {
  unsigned char *keys; /* nslots * 16 */
  size_t n, nslots;
};

static void digest16(const char *path, unsigned char out[16])
{
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int dl = 0;
  if (EVP_Digest(path, strlen(path), d, &dl, EVP_sha256(), NULL) != 1 || dl < 16)
    memset(d, 0, 16); /* cannot happen with the default provider; still a valid key */
  memcpy(out, d, 16);
  out[15] |= 1;
}

static const unsigned char empty16[16];

static size_t key_slot(const cp_names *s, const unsigned char k[16])
{
  size_t mask = s->nslots - 1, h;
  memcpy(&h, k, sizeof h);
  for (size_t i = h & mask;; i = (i + 1) & mask)
    if (!memcmp(s->keys + i * 16, k, 16) || !memcmp(s->keys + i * 16, empty16, 16))
      return i;
}

cp_names *cp_names_new(void)
{
  return calloc(1, sizeof(cp_names));
}

void cp_names_free(cp_names *s)
{
  if (s)
    free(s->keys);
  free(s);
}

int cp_names_has(const cp_names *s, const char *path)
{
  unsigned char k[16];
  if (!s || !s->nslots)
    return 0;
  digest16(path, k);
  return !memcmp(s->keys + key_slot(s, k) * 16, k, 16);
}

cp_err cp_names_add(cp_names *s, const char *path, cp_error *err)
{
  unsigned char k[16];
  digest16(path, k);
  if ((s->n + 1) * 2 > s->nslots) { /* grow to keep the load under 1/2 */
    size_t n = s->nslots ? s->nslots * 2 : 64;
    cp_names g = {calloc(n, 16), 0, n};
    if (!g.keys)
      return cp_error_set(err, CP_E_NOMEM, "member names");
    for (size_t i = 0; i < s->nslots; i++)
      if (memcmp(s->keys + i * 16, empty16, 16))
        memcpy(g.keys + key_slot(&g, s->keys + i * 16) * 16, s->keys + i * 16, 16);
    free(s->keys);
    s->keys = g.keys;
    s->nslots = n;
  }
  unsigned char *at = s->keys + key_slot(s, k) * 16;
  if (!memcmp(at, k, 16))
    return cp_error_set(err, CP_E_INTERNAL, "member '%.200s' added twice", path);
  memcpy(at, k, 16);
  s->n++;
  return CP_OK;
}
