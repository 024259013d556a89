/*
 * Station policy parser (see policy.h for the format). One pass over the
 * lines: a `key = value` line starts a pending entry, indented lines extend
 * it, and the entry is applied (validated into the struct) when the next
 * non-continuation line or the end arrives, so every message carries the line
 * the key was on. Fixed keys are one table with their kind and range, so a
 * new key is one row plus one line in the example file.
 */
#include "policy.h"

#include "redact.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include "casemap.h"
#include "text_lines.h"

#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_MAX_INPUT (1024 * 1024)
#define MAX_VALUE (64 * 1024)
#define MAX_SCOPES 32
#define MAX_PATTERNS 256
#define MAX_REGEX 4096

typedef enum kind { K_STR, K_URL, K_TEMPLATE, K_TEXT, K_INT, K_BOOL, K_SIZE, K_SCOPES } kind;

typedef struct key_def {
  const char *section;
  const char *key;
  kind kind;
  size_t off;
  long min, max;
} key_def;

#define OFF(f) offsetof(cp_policy, f)
static const key_def keys[] = {
    {"consent", "scopes", K_SCOPES, OFF(scopes), 0, 0},
    {"consent", "text", K_TEXT, OFF(consent_text), 0, 0},
    {"case", "map", K_STR, OFF(case_map), 0, 0},
    {"case", "template", K_TEMPLATE, OFF(case_template), 0, 0},
    {"collect", "syslog_seconds", K_INT, OFF(syslog_seconds), 0, 3600},
    {"collect", "syslog_max_bytes", K_SIZE, OFF(syslog_max_bytes), 0, 0},
    {"collect", "timeout_ms", K_INT, OFF(timeout_ms), 0, 600000},
    {"collect", "wait_trust_seconds", K_INT, OFF(wait_trust_seconds), 0, 3600},
    {"collect", "device_timeout_seconds", K_INT, OFF(device_timeout_seconds), 1, 86400},
    {"collect", "retries", K_INT, OFF(retries), 0, 100},
    {"collect", "retry_delay_seconds", K_INT, OFF(retry_delay_seconds), 0, 3600},
    {"station", "max_parallel", K_INT, OFF(max_parallel), 1, 64},
    {"station", "shutdown_grace_seconds", K_INT, OFF(shutdown_grace_seconds), 0, 3600},
    {"upload", "enabled", K_BOOL, OFF(upload), 0, 0},
    {"upload", "url", K_URL, OFF(upload_url), 0, 0},
    {"upload", "retries", K_INT, OFF(upload_retries), 0, 100},
    {"signing", "key", K_STR, OFF(sign_key), 0, 0},
};
#define NKEYS (sizeof keys / sizeof keys[0])

static const char *const sections[] = {"consent", "redaction", "patterns", "case",
                                       "collect", "station",   "upload",   "signing"};
#define NSECTIONS (sizeof sections / sizeof sections[0])

typedef struct parser {
  const char *name;
  cp_policy *p;
  cp_error *err;
  int section; /* index in sections, -1 before the first header */
  unsigned char seen[NKEYS];
  /* the pending entry */
  int have;
  int quoted; /* quoted values take no continuation lines */
  long line;
  char key[65];
  char *val;
  size_t vlen;
} parser;

static cp_err perr(parser *ps, long line, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Every policy message reads "NAME line N: what is wrong". */
static cp_err perr(parser *ps, long line, const char *fmt, ...)
{
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  (void)vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (line > 0)
    return cp_error_set(ps->err, CP_E_POLICY, "%s line %ld: %s", ps->name, line, msg);
  return cp_error_set(ps->err, CP_E_POLICY, "%s: %s", ps->name, msg);
}

/* Strict UTF-8 (no overlongs, no surrogates): values end up in JSON. */
static int utf8_ok(const unsigned char *s, size_t n)
{
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    size_t k;
    unsigned cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      k = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      k = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      k = 3;
      cp = c & 0x07;
    } else {
      return 0;
    }
    if (n - i <= k)
      return 0;
    for (size_t j = 1; j <= k; j++) {
      if ((s[i + j] & 0xC0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    i += k + 1;
  }
  return 1;
}

static int is_blank(char c)
{
  return c == ' ' || c == '\t';
}

static int lower_eq(const char *a, const char *b)
{
  for (; *a && *b; a++, b++) {
    char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
    if (x != *b)
      return 0;
  }
  return *a == *b;
}

/* Names of scopes, classes and patterns: short, plain, safe in JSON keys
 * (the redactor takes [a-z0-9_] only for classes and patterns). */
static int name_ok(const char *s, size_t max, int allow_dash)
{
  size_t n = strlen(s);
  if (n == 0 || n > max)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
      continue;
    if (allow_dash && c == '-')
      continue;
    return 0;
  }
  return 1;
}

static int parse_bool(const char *v, int *out)
{
  static const char *const yes[] = {"yes", "on", "true", "1"};
  static const char *const no[] = {"no", "off", "false", "0"};
  for (size_t i = 0; i < 4; i++) {
    if (lower_eq(v, yes[i])) {
      *out = 1;
      return 1;
    }
    if (lower_eq(v, no[i])) {
      *out = 0;
      return 1;
    }
  }
  return 0;
}

/* Plain decimal, no sign, no overflow. */
static int parse_u64(const char *v, uint64_t *out, const char **end)
{
  uint64_t n = 0;
  const char *s = v;
  if (*s < '0' || *s > '9')
    return 0;
  for (; *s >= '0' && *s <= '9'; s++) {
    if (n > (UINT64_MAX - 9) / 10)
      return 0;
    n = n * 10 + (uint64_t)(*s - '0');
  }
  *out = n;
  *end = s;
  return 1;
}

static cp_err set_scopes(parser *ps, char ***dst)
{
  cp_err rc = CP_OK;
  char **list = calloc(MAX_SCOPES + 1, sizeof *list);
  size_t n = 0;
  if (!list)
    return cp_error_set(ps->err, CP_E_NOMEM, "policy scopes");
  const char *s = ps->val;
  while (*s) {
    while (*s == ',' || is_blank(*s) || *s == '\n')
      s++;
    if (!*s)
      break;
    const char *b = s;
    while (*s && *s != ',' && !is_blank(*s) && *s != '\n')
      s++;
    size_t len = (size_t)(s - b);
    char word[40];
    if (len >= sizeof word) {
      rc = perr(ps, ps->line, "scope name too long");
      goto out;
    }
    memcpy(word, b, len);
    word[len] = '\0';
    if (!name_ok(word, 32, 1)) {
      rc =
          perr(ps, ps->line, "'%s' is not a scope name (lower-case letters, digits, _ or -)", word);
      goto out;
    }
    for (size_t i = 0; i < n; i++)
      if (!strcmp(list[i], word)) {
        rc = perr(ps, ps->line, "scope '%s' is listed twice", word);
        goto out;
      }
    if (n == MAX_SCOPES) {
      rc = perr(ps, ps->line, "more than %d scopes", MAX_SCOPES);
      goto out;
    }
    if (!(list[n++] = strdup(word))) {
      rc = cp_error_set(ps->err, CP_E_NOMEM, "policy scopes");
      goto out;
    }
  }
  if (n == 0) {
    rc = perr(ps, ps->line, "scopes is empty: list at least one scope, e.g. 'system, battery'");
    goto out;
  }
  *dst = list;
  list = NULL;
out:
  if (list) {
    for (size_t i = 0; i < n; i++)
      free(list[i]);
    free(list);
  }
  return rc;
}

static json_t *redact_obj(parser *ps)
{
  if (!ps->p->redact) {
    ps->p->redact = json_pack("{s:{}, s:[]}", "classes", "patterns");
  }
  return ps->p->redact;
}

static cp_err set_pattern(parser *ps)
{
  if (!name_ok(ps->key, 32, 0))
    return perr(ps, ps->line, "'%s' is not a pattern name (a-z, 0-9 and _, at most 32)", ps->key);
  if (ps->vlen == 0 || ps->vlen > MAX_REGEX)
    return perr(ps, ps->line, "pattern '%s' must be a regular expression of 1 to %d bytes", ps->key,
                MAX_REGEX);
  json_t *r = redact_obj(ps);
  if (!r)
    return cp_error_set(ps->err, CP_E_NOMEM, "policy patterns");
  json_t *pats = json_object_get(r, "patterns");
  if (json_array_size(pats) >= MAX_PATTERNS)
    return perr(ps, ps->line, "more than %d patterns", MAX_PATTERNS);
  size_t i;
  json_t *it;
  json_array_foreach(pats, i, it)
  {
    if (!strcmp(json_string_value(json_object_get(it, "name")), ps->key))
      return perr(ps, ps->line, "pattern '%s' is defined twice", ps->key);
  }
  /* Check the expression now so a typo is reported with its line, not when
   * the first device is collected. */
  int ecode;
  PCRE2_SIZE eoff;
  pcre2_code *re = pcre2_compile((PCRE2_SPTR)ps->val, ps->vlen, PCRE2_UTF, &ecode, &eoff, NULL);
  if (!re) {
    PCRE2_UCHAR msg[160];
    if (pcre2_get_error_message(ecode, msg, sizeof msg) < 0)
      strcpy((char *)msg, "invalid expression");
    return perr(ps, ps->line, "pattern '%s': %s at offset %zu", ps->key, (char *)msg, (size_t)eoff);
  }
  pcre2_code_free(re);
  json_t *row = json_pack("{s:s, s:s}", "name", ps->key, "regex", ps->val);
  if (!row || json_array_append_new(pats, row) != 0)
    return cp_error_set(ps->err, CP_E_NOMEM, "policy patterns");
  return CP_OK;
}

static cp_err set_class(parser *ps)
{
  int on;
  if (!name_ok(ps->key, 32, 0))
    return perr(ps, ps->line, "'%s' is not a redaction class name", ps->key);
  if (!parse_bool(ps->val, &on))
    return perr(ps, ps->line, "redaction class '%s' must be on or off, not '%.60s'", ps->key,
                ps->val);
  /* The device's own identifiers never reach a bundle (formats/redact/README.md, issue 14),
   * whatever a policy says; the redactor's policy layer enforces it too. */
  if (!on && cp_redact_class_protected(ps->key))
    return perr(ps, ps->line,
                "%s cannot be turned off: the device's own identifiers never go into a bundle",
                ps->key);
  json_t *r = redact_obj(ps);
  if (!r)
    return cp_error_set(ps->err, CP_E_NOMEM, "policy classes");
  json_t *classes = json_object_get(r, "classes");
  if (json_object_get(classes, ps->key))
    return perr(ps, ps->line, "redaction class '%s' is set twice", ps->key);
  if (json_object_set_new(classes, ps->key, json_boolean(on)) != 0)
    return cp_error_set(ps->err, CP_E_NOMEM, "policy classes");
  return CP_OK;
}

static cp_err set_fixed(parser *ps, size_t k)
{
  const key_def *d = &keys[k];
  char *base = (char *)ps->p;
  const char *v = ps->val;
  if (ps->seen[k])
    return perr(ps, ps->line, "%s is set twice in [%s]", d->key, d->section);
  ps->seen[k] = 1;
  switch (d->kind) {
  case K_SCOPES: return set_scopes(ps, (char ***)(void *)(base + d->off));
  case K_TEXT:
  case K_STR:
  case K_URL:
  case K_TEMPLATE: {
    char **dst = (char **)(void *)(base + d->off);
    if (ps->vlen == 0) {
      if (d->kind == K_TEXT)
        return perr(ps, ps->line, "text is empty: put the consent text the customer signed");
      if (d->kind == K_TEMPLATE)
        return perr(ps, ps->line, "template is empty (e.g. BENCH-{date}-{n})");
      free(*dst);
      *dst = NULL; /* `key =` unsets an optional path */
      return CP_OK;
    }
    if (d->kind != K_TEXT && (strchr(v, '\n') || ps->vlen > 4096))
      return perr(ps, ps->line, "%s must be one line of at most 4096 bytes", d->key);
    if (d->kind == K_URL && strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
      return perr(ps, ps->line, "url must start with https:// (or http://), not '%.60s'", v);
    if (d->kind == K_TEMPLATE) {
      cp_error te;
      cp_error_clear(&te);
      if (cp_case_template_check(v, &te) != CP_OK)
        return perr(ps, ps->line, "template: %s", te.detail);
    }
    char *copy = strdup(v);
    if (!copy)
      return cp_error_set(ps->err, CP_E_NOMEM, "policy value");
    free(*dst);
    *dst = copy;
    return CP_OK;
  }
  case K_BOOL: {
    int on;
    if (!parse_bool(v, &on))
      return perr(ps, ps->line, "%s must be yes or no, not '%.60s'", d->key, v);
    *(int *)(void *)(base + d->off) = on;
    return CP_OK;
  }
  case K_INT: {
    uint64_t n;
    const char *end;
    if (!parse_u64(v, &n, &end) || *end || n < (uint64_t)d->min || n > (uint64_t)d->max)
      return perr(ps, ps->line, "%s must be a whole number from %ld to %ld, not '%.60s'", d->key,
                  d->min, d->max, v);
    *(int *)(void *)(base + d->off) = (int)n;
    return CP_OK;
  }
  case K_SIZE: {
    uint64_t n, mul = 1;
    const char *end;
    if (parse_u64(v, &n, &end)) {
      if (*end == 'K' || *end == 'k')
        mul = 1024;
      else if (*end == 'M' || *end == 'm')
        mul = 1024 * 1024;
      else if (*end == 'G' || *end == 'g')
        mul = 1024ULL * 1024 * 1024;
      if (mul > 1)
        end++;
      if (*end == 'B' || *end == 'b')
        end++;
      if (!*end && n <= (1ULL << 40) / mul) {
        *(uint64_t *)(void *)(base + d->off) = n * mul;
        return CP_OK;
      }
    }
    return perr(ps, ps->line, "%s must be a size such as 500K, 64M or 1G (at most 1T), not '%.60s'",
                d->key, v);
  }
  }
  return cp_error_set(ps->err, CP_E_INTERNAL, "policy key kind");
}

/* Applies the pending `key = value` to the policy. */
static cp_err apply(parser *ps)
{
  cp_err rc = CP_OK;
  if (!ps->have)
    return CP_OK;
  ps->have = 0;
  if (!utf8_ok((const unsigned char *)ps->val, ps->vlen)) {
    rc = perr(ps, ps->line, "the value of %s is not valid UTF-8", ps->key);
    goto out;
  }
  const char *sec = sections[ps->section];
  if (!strcmp(sec, "patterns")) {
    rc = set_pattern(ps);
    goto out;
  }
  if (!strcmp(sec, "redaction")) {
    rc = set_class(ps);
    goto out;
  }
  for (size_t k = 0; k < NKEYS; k++) {
    if (!strcmp(keys[k].section, sec) && !strcmp(keys[k].key, ps->key)) {
      rc = set_fixed(ps, k);
      goto out;
    }
  }
  rc = perr(ps, ps->line, "unknown key '%s' in [%s] (see station-policy.example)", ps->key, sec);
out:
  free(ps->val);
  ps->val = NULL;
  ps->vlen = 0;
  return rc;
}

static cp_err append(parser *ps, long line, const char *s, size_t n, int newline)
{
  if (ps->vlen + n + 1 > MAX_VALUE)
    return perr(ps, line, "value of %s is longer than %d bytes", ps->key, MAX_VALUE);
  char *nv = realloc(ps->val, ps->vlen + n + 2);
  if (!nv)
    return cp_error_set(ps->err, CP_E_NOMEM, "policy value");
  ps->val = nv;
  if (newline)
    ps->val[ps->vlen++] = '\n';
  memcpy(ps->val + ps->vlen, s, n);
  ps->vlen += n;
  ps->val[ps->vlen] = '\0';
  return CP_OK;
}

/* A "quoted value" with escapes; nothing but blanks may follow it. */
static cp_err unquote(parser *ps, long line, const char *s, size_t n)
{
  size_t i = 1;
  char buf[2];
  cp_err rc = append(ps, line, "", 0, 0);
  if (rc)
    return rc;
  for (; i < n && s[i] != '"'; i++) {
    char c = s[i];
    if (c == '\\') {
      if (++i >= n)
        break;
      switch (s[i]) {
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case '"': c = '"'; break;
      case '\\': c = '\\'; break;
      default: return perr(ps, line, "unknown escape '\\%c' (use \\n \\t \\\" or \\\\)", s[i]);
      }
    }
    buf[0] = c;
    if ((rc = append(ps, line, buf, 1, 0)))
      return rc;
  }
  if (i >= n)
    return perr(ps, line, "the quoted value of %s has no closing '\"'", ps->key);
  for (i++; i < n; i++)
    if (!is_blank(s[i]))
      return perr(ps, line, "text after the closing '\"' of %s", ps->key);
  return CP_OK;
}

static cp_err do_line(parser *ps, long line, const char *s, size_t n)
{
  cp_err rc;
  size_t i = 0;
  while (i < n && is_blank(s[i]))
    i++;
  if (i == n) { /* a blank line ends a continued value */
    return apply(ps);
  }
  if (s[i] == '#' || s[i] == ';')
    return CP_OK;
  if (i > 0 && ps->have && !ps->quoted) { /* continuation */
    size_t e = n;
    while (e > i && is_blank(s[e - 1]))
      e--;
    return append(ps, line, s + i, e - i, ps->vlen > 0);
  }
  if (i > 0)
    return perr(ps, line, "indented line with no key before it to continue");
  if ((rc = apply(ps)))
    return rc;
  if (s[0] == '[') {
    size_t e = n;
    while (e > 0 && is_blank(s[e - 1]))
      e--;
    if (e < 2 || s[e - 1] != ']')
      return perr(ps, line, "a section header must look like [name]");
    char name[32];
    size_t len = e - 2;
    if (len == 0 || len >= sizeof name)
      return perr(ps, line, "unknown section '%.*s'", (int)(len > 40 ? 40 : len), s + 1);
    memcpy(name, s + 1, len);
    name[len] = '\0';
    for (size_t k = 0; k < NSECTIONS; k++)
      if (!strcmp(sections[k], name)) {
        ps->section = (int)k;
        return CP_OK;
      }
    return perr(ps, line,
                "unknown section [%s] (sections: consent, redaction, patterns, case, "
                "collect, station, upload, signing)",
                name);
  }
  const char *eq = memchr(s, '=', n);
  if (!eq)
    return perr(ps, line, "expected 'key = value', '[section]' or a '# comment'");
  size_t ke = (size_t)(eq - s);
  while (ke > 0 && is_blank(s[ke - 1]))
    ke--;
  if (ke == 0 || ke >= sizeof ps->key)
    return perr(ps, line, "missing or too long key before '='");
  memcpy(ps->key, s, ke);
  ps->key[ke] = '\0';
  for (size_t k = 0; k < ke; k++)
    if (is_blank(ps->key[k]) || (unsigned char)ps->key[k] < 0x20 || ps->key[k] == '"')
      return perr(ps, line, "key '%s' contains a space or control character", ps->key);
  if (ps->section < 0)
    return perr(ps, line, "'%s' comes before any [section] header", ps->key);
  size_t v = ke;
  while (v < n && s[v] != '=')
    v++;
  v++;
  while (v < n && is_blank(s[v]))
    v++;
  size_t ve = n;
  while (ve > v && is_blank(s[ve - 1]))
    ve--;
  ps->have = 1;
  ps->line = line;
  ps->vlen = 0;
  ps->quoted = ve > v && s[v] == '"';
  if (ps->quoted)
    return unquote(ps, line, s + v, ve - v);
  return append(ps, line, s + v, ve - v, 0);
}

static void defaults(cp_policy *p)
{
  p->wait_trust_seconds = 30;
  p->device_timeout_seconds = 600;
  p->retries = 2;
  p->retry_delay_seconds = 5;
  p->max_parallel = 4;
  p->shutdown_grace_seconds = 20;
  p->upload_retries = 3;
}

cp_err cp_policy_parse(const char *buf, size_t len, const char *name, cp_policy **out,
                       cp_error *err)
{
  cp_err rc = CP_OK;
  parser ps;
  memset(&ps, 0, sizeof ps);
  ps.name = name ? name : "policy";
  ps.err = err;
  ps.section = -1;
  *out = NULL;
  if (!buf && len)
    return cp_error_set(err, CP_E_INTERNAL, "policy buffer");
  if (len > POLICY_MAX_INPUT)
    return perr(&ps, 0, "file is larger than %d bytes", POLICY_MAX_INPUT);
  ps.p = calloc(1, sizeof *ps.p);
  if (!ps.p)
    return cp_error_set(err, CP_E_NOMEM, "policy");
  defaults(ps.p);
  cp_text_lines lines;
  cp_text_lines_init(&lines, buf, len);
  const char *s;
  size_t n;
  while (cp_text_lines_next(&lines, &s, &n)) {
    long line = lines.line;
    if (memchr(s, '\0', n)) {
      rc = perr(&ps, line, "contains a NUL byte (is this a text file?)");
      goto out;
    }
    if ((rc = do_line(&ps, line, s, n)))
      goto out;
  }
  if ((rc = apply(&ps)))
    goto out;
  if (!ps.p->scopes) {
    rc = perr(&ps, 0, "[consent] scopes is missing: list the scopes the customer granted");
    goto out;
  }
  if (!ps.p->consent_text) {
    rc = perr(&ps, 0, "[consent] text is missing: put the consent text the customer signed");
    goto out;
  }
  if (ps.p->upload && !ps.p->upload_url) {
    rc = perr(&ps, 0, "[upload] enabled = yes needs url");
    goto out;
  }
  if (!ps.p->case_template && !(ps.p->case_template = strdup("BENCH-{date}-{n}"))) {
    rc = cp_error_set(err, CP_E_NOMEM, "policy");
    goto out;
  }
  *out = ps.p;
  ps.p = NULL;
out:
  free(ps.val);
  cp_policy_free(ps.p);
  return rc;
}

void cp_policy_free(cp_policy *p)
{
  if (!p)
    return;
  if (p->scopes) {
    for (size_t i = 0; p->scopes[i]; i++)
      free(p->scopes[i]);
    free(p->scopes);
  }
  free(p->consent_text);
  json_decref(p->redact);
  free(p->case_map);
  free(p->case_template);
  free(p->upload_url);
  free(p->sign_key);
  free(p);
}
