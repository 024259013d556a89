/*
 * The words of the assist page. The page's HTML marks every text a person
 * reads as {{English text}}; it is replaced here, when served, by the
 * translation into the page's language (HTML-escaped), so the static files
 * hold no second copy of any sentence and the catalog is the one place to
 * translate (the .po files in agent/po; agent/assist/extract-strings lists them).
 */
#include "assist_int.h"
#include "consent.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

/* Translates under the i18n lock, switching the process's language only
 * when `lang` is not the one in use (the page and a collection normally share
 * one language, so a report being rendered meanwhile is not disturbed). */
static const char *tr_locked(const char *lang, const char *english)
{
  const char *was = cp_i18n_lang();
  int sw = strcmp(was, lang) != 0 && cp_i18n_set_lang(lang) == 0;
  const char *t = english[0] ? _(english) : english; /* msgid "" is the header */
  if (sw)
    cp_i18n_set_lang(was);
  return t;
}

const char *cp_assist_tr(const char *lang, const char *english)
{
  cp_i18n_lock();
  const char *t = tr_locked(lang, english);
  cp_i18n_unlock();
  return t;
}

const char *cp_assist_scope_title(const char *scope)
{
  for (const cp_scope_info *s = cp_scope_table(); s && s->name; s++)
    if (!strcmp(s->name, scope))
      return s->title;
  return scope;
}

typedef struct buf {
  char *p;
  size_t n, cap;
} buf;

static int put(buf *b, const char *s, size_t n)
{
  if (b->n + n + 1 > b->cap) {
    size_t cap = (b->cap + n + 1) * 2;
    char *p = realloc(b->p, cap);
    if (!p)
      return 0;
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
  return 1;
}

static int put_escaped(buf *b, const char *s)
{
  int ok = 1;
  for (; *s && ok; s++) {
    switch (*s) {
    case '&': ok = put(b, "&amp;", 5); break;
    case '<': ok = put(b, "&lt;", 4); break;
    case '>': ok = put(b, "&gt;", 4); break;
    case '"': ok = put(b, "&quot;", 6); break;
    case '\'': ok = put(b, "&#39;", 5); break;
    default: ok = put(b, s, 1);
    }
  }
  return ok;
}

static char *render_locked(const char *tmpl, const char *lang);

char *cp_assist_render(const char *tmpl, const char *lang)
{
  cp_i18n_lock();
  char *out = render_locked(tmpl, lang);
  cp_i18n_unlock();
  return out;
}

static char *render_locked(const char *tmpl, const char *lang)
{
  buf b = {0};
  const char *p = tmpl;
  if (!put(&b, "", 0))
    return NULL;
  while (*p) {
    const char *open = strstr(p, "{{");
    const char *close = open ? strstr(open + 2, "}}") : NULL;
    if (!open || !close) {
      if (!put(&b, p, strlen(p)))
        goto fail;
      break;
    }
    if (!put(&b, p, (size_t)(open - p)))
      goto fail;
    size_t n = (size_t)(close - open - 2);
    char *key = malloc(n + 1);
    if (!key)
      goto fail;
    memcpy(key, open + 2, n);
    key[n] = 0;
    int ok;
    if (!strcmp(key, "lang"))
      ok = put_escaped(&b, lang);
    else
      ok = put_escaped(&b, tr_locked(lang, key));
    free(key);
    if (!ok)
      goto fail;
    p = close + 2;
  }
  return b.p;
fail:
  free(b.p);
  return NULL;
}
