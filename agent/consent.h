/*
 * Consent, before any read: which scopes a person agreed to, how, and the
 * exact text they were shown (its hash goes into consent.json). The wording
 * of each scope lives here because the tool owns every sentence a person reads.
 */
#ifndef CP_CONSENT_H
#define CP_CONSENT_H

#include <stdio.h>

#include "cp_err.h"

typedef struct cp_scope_info {
  const char *name;  /* "battery": the internal name (flags, consent.json) */
  const char *title; /* "Battery health": the plain name a person reads (untranslated msgid: use _()) */
  const char *reads; /* plain language: what is read from the device (msgid: use _()) */
} cp_scope_info;

/* The NULL-name-terminated table of every scope, in prompt order. */
const cp_scope_info *cp_scope_table(void);

/* 1 when `name` is a known scope. */
int cp_scope_known(const char *name);

typedef struct cp_consent {
  char **granted;   /* NULL-terminated, owned */
  char **refused;   /* NULL-terminated, owned */
  char *text;       /* the text shown (or that would have been shown), owned */
  const char *how;  /* "prompt" | "flag" | "policy" (static) */
  const char *lang; /* language of `text`: "en" | "zh-Hans"; NULL for a policy's text (static) */
} cp_consent;

/* Decides consent for `collect`:
 *   scope_arg "a,b" or "all" (NULL = every scope), yes = --yes given.
 *   With --yes: the named scopes are granted without asking ("flag").
 *   Without --yes on a terminal: shows the text and asks a yes per scope, by
 *   its plain name, on `tty_in`/stderr ("prompt"), in the language in use
 *   (i18n.h; out->lang records it, and the text is in that language).
 *   Without --yes and no terminal: CP_E_CONSENT with a clear message.
 * Unknown scope names are CP_E_USAGE. */
cp_err cp_consent_decide(const char *scope_arg, int yes, FILE *tty_in, int interactive,
                         cp_consent *out, cp_error *err);

/* Consent from a station policy: granted scopes and the text the customer signed. */
cp_err cp_consent_from_policy(const char *const *granted, const char *signed_text,
                              cp_consent *out, cp_error *err);

void cp_consent_free(cp_consent *c);

#endif
