/*
 * Case map parser and case-id template (see casemap.h). The map is a flat
 * array searched linearly: a station looks up one device per attach, and a
 * bench's map holds at most a few thousand open cases.
 */
#include "casemap.h"

#include "text_lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAP_MAX_INPUT (16 * 1024 * 1024)
#define MAX_ENTRIES 200000
#define MAX_KEY 64

typedef struct entry {
  char key[MAX_KEY + 1];
  char id[CP_CASE_ID_MAX + 1];
} entry;

struct cp_casemap {
  entry *e;
  size_t n, cap;
};

static int id_char(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

int cp_case_id_ok(const char *id)
{
  size_t n = id ? strlen(id) : 0;
  if (n == 0 || n > CP_CASE_ID_MAX || id[0] == '.')
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!id_char(id[i]))
      return 0;
  return 1;
}

/* Serials are letters and digits; UDIDs are hex, with one '-' since the
 * iPhone XS. */
static int key_char(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static int sep(char c)
{
  return c == ' ' || c == '\t' || c == '=' || c == ',' || c == ';';
}

static cp_err add_entry(cp_casemap *m, const char *name, long line, const char *k, size_t kl,
                        const char *v, size_t vl, cp_error *err)
{
  if (kl > MAX_KEY)
    return cp_error_set(err, CP_E_POLICY, "%s line %ld: device key longer than %d characters", name,
                        line, MAX_KEY);
  for (size_t i = 0; i < kl; i++)
    if (!key_char(k[i]))
      return cp_error_set(err, CP_E_POLICY, "%s line %ld: '%.*s' is not a serial number or UDID",
                          name, line, (int)kl, k);
  char id[CP_CASE_ID_MAX + 1];
  if (vl == 0 || vl > CP_CASE_ID_MAX)
    return cp_error_set(err, CP_E_POLICY, "%s line %ld: the case id must be 1 to %d characters",
                        name, line, CP_CASE_ID_MAX);
  memcpy(id, v, vl);
  id[vl] = '\0';
  if (!cp_case_id_ok(id))
    return cp_error_set(err, CP_E_POLICY,
                        "%s line %ld: case id '%s' may only use A-Z a-z 0-9 . _ -", name, line, id);
  for (size_t i = 0; i < m->n; i++)
    if (strlen(m->e[i].key) == kl && !strncasecmp(m->e[i].key, k, kl))
      return cp_error_set(err, CP_E_POLICY, "%s line %ld: device '%.*s' is listed twice", name,
                          line, (int)kl, k);
  if (m->n == MAX_ENTRIES)
    return cp_error_set(err, CP_E_POLICY, "%s line %ld: more than %d devices", name, line,
                        MAX_ENTRIES);
  if (m->n == m->cap) {
    size_t nc = m->cap ? m->cap * 2 : 64;
    entry *ne = realloc(m->e, nc * sizeof *ne);
    if (!ne)
      return cp_error_set(err, CP_E_NOMEM, "case map");
    m->e = ne;
    m->cap = nc;
  }
  memcpy(m->e[m->n].key, k, kl);
  m->e[m->n].key[kl] = '\0';
  memcpy(m->e[m->n].id, id, vl + 1);
  m->n++;
  return CP_OK;
}

cp_err cp_casemap_parse(const char *buf, size_t len, const char *name, cp_casemap **out,
                        cp_error *err)
{
  cp_err rc = CP_OK;
  if (!name)
    name = "case map";
  *out = NULL;
  if (!buf && len)
    return cp_error_set(err, CP_E_INTERNAL, "case map buffer");
  if (len > MAP_MAX_INPUT)
    return cp_error_set(err, CP_E_POLICY, "%s: larger than %d bytes", name, MAP_MAX_INPUT);
  cp_casemap *m = calloc(1, sizeof *m);
  if (!m)
    return cp_error_set(err, CP_E_NOMEM, "case map");
  cp_text_lines lines;
  cp_text_lines_init(&lines, buf, len);
  const char *s;
  size_t n;
  while (cp_text_lines_next(&lines, &s, &n)) {
    long line = lines.line;
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
      i++;
    if (i == n || s[i] == '#')
      continue;
    size_t kb = i;
    while (i < n && !sep(s[i]))
      i++;
    size_t ke = i;
    while (i < n && sep(s[i]))
      i++;
    size_t vb = i;
    while (i < n && !sep(s[i]))
      i++;
    size_t ve = i;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ',' || s[i] == ';'))
      i++;
    if (ve == vb) {
      rc = cp_error_set(err, CP_E_POLICY, "%s line %ld: expected 'SERIAL-OR-UDID CASE-ID'", name,
                        line);
      goto out;
    }
    if (i < n) {
      rc = cp_error_set(err, CP_E_POLICY, "%s line %ld: more than two fields", name, line);
      goto out;
    }
    if ((rc = add_entry(m, name, line, s + kb, ke - kb, s + vb, ve - vb, err)))
      goto out;
  }
  *out = m;
  m = NULL;
out:
  cp_casemap_free(m);
  return rc;
}

const char *cp_casemap_lookup(const cp_casemap *m, const char *serial, const char *udid)
{
  if (!m)
    return NULL;
  const char *keys[2] = {udid, serial};
  for (size_t k = 0; k < 2; k++) {
    if (!keys[k] || !*keys[k])
      continue;
    for (size_t i = 0; i < m->n; i++)
      if (!strcasecmp(m->e[i].key, keys[k]))
        return m->e[i].id;
  }
  return NULL;
}

size_t cp_casemap_count(const cp_casemap *m)
{
  return m ? m->n : 0;
}

void cp_casemap_free(cp_casemap *m)
{
  if (!m)
    return;
  free(m->e);
  free(m);
}

/* Walks the template once; with out == NULL it only measures the longest
 * expansion (a counter of up to 10 digits). */
static cp_err expand(const char *t, const struct tm *utc, unsigned long n, char *out, size_t cap,
                     size_t *need, cp_error *err)
{
  size_t len = 0;
  char tok[24];
  while (*t) {
    size_t tl;
    if (*t == '{') {
      const char *e = strchr(t, '}');
      if (!e)
        return cp_error_set(err, CP_E_POLICY, "'{' without '}'");
      size_t nl = (size_t)(e - t - 1);
      if (nl == 4 && !strncmp(t + 1, "date", 4)) {
        if (utc)
          snprintf(tok, sizeof tok, "%04d%02d%02d", (utc->tm_year + 1900) % 10000,
                   (utc->tm_mon + 1) % 100, utc->tm_mday % 100);
        else
          strcpy(tok, "YYYYMMDD");
      } else if (nl == 4 && !strncmp(t + 1, "time", 4)) {
        if (utc)
          snprintf(tok, sizeof tok, "%02d%02d%02d", utc->tm_hour % 100, utc->tm_min % 100,
                   utc->tm_sec % 100);
        else
          strcpy(tok, "HHMMSS");
      } else if (nl == 1 && t[1] == 'n') {
        if (out)
          snprintf(tok, sizeof tok, "%lu", n);
        else
          strcpy(tok, "4294967295");
      } else {
        return cp_error_set(err, CP_E_POLICY, "unknown token '%.*s' (tokens: {date} {time} {n})",
                            (int)(nl > 20 ? 20 : nl + 2), t);
      }
      tl = strlen(tok);
      t = e + 1;
    } else {
      if (!id_char(*t))
        return cp_error_set(err, CP_E_POLICY, "character '%c' is not allowed in a case id",
                            *t >= 0x20 && *t < 0x7f ? *t : '?');
      tok[0] = *t++;
      tl = 1;
    }
    if (out) {
      if (len + tl >= cap)
        return cp_error_set(err, CP_E_POLICY, "case id longer than %zu characters", cap - 1);
      memcpy(out + len, tok, tl);
    }
    len += tl;
  }
  if (out)
    out[len] = '\0';
  if (need)
    *need = len;
  return CP_OK;
}

cp_err cp_case_template_check(const char *tmpl, cp_error *err)
{
  size_t need = 0;
  if (!tmpl || !*tmpl)
    return cp_error_set(err, CP_E_POLICY, "empty template");
  if (tmpl[0] == '.')
    return cp_error_set(err, CP_E_POLICY, "a case id may not start with '.'");
  cp_err rc = expand(tmpl, NULL, 0, NULL, 0, &need, err);
  if (rc)
    return rc;
  if (need > CP_CASE_ID_MAX)
    return cp_error_set(err, CP_E_POLICY, "expands to up to %zu characters (at most %d)", need,
                        CP_CASE_ID_MAX);
  return CP_OK;
}

cp_err cp_case_template_expand(const char *tmpl, const struct tm *utc, unsigned long n, char *out,
                               size_t cap, cp_error *err)
{
  if (!tmpl || !utc || !out || cap == 0)
    return cp_error_set(err, CP_E_INTERNAL, "template arguments");
  cp_err rc = cp_case_template_check(tmpl, err);
  if (rc)
    return rc;
  rc = expand(tmpl, utc, n, out, cap, NULL, err);
  if (rc == CP_OK && !cp_case_id_ok(out))
    return cp_error_set(err, CP_E_POLICY, "'%s' is not a valid case id", out);
  return rc;
}
