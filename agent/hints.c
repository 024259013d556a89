/* See hints.h. The words are in err_text.def, one row per code of the
 * table formats/cp_err.def. */
#include "hints.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One record per row of err_text.def; storing `id` in it makes a row for a
 * code that the table lacks an undeclared-identifier error. */
typedef struct err_text {
  cp_err code;
  const char *sentence;
  const char *hint;
} err_text;

#define CP_ERR_TEXT(id, sentence, hint) static const err_text text_##id = {id, sentence, hint};
#include "err_text.def"
#undef CP_ERR_TEXT

/* Every code of formats/cp_err.def names its text_ record: a code without a
 * row in err_text.def does not compile. */
static const err_text *lookup(cp_err code)
{
  switch (code) {
#define CP_ERR(id, num, name, sev, desc)                                                           \
  case id:                                                                                         \
    return &text_##id;
#include "cp_err.def"
#undef CP_ERR
  }
  return NULL;
}

const char *cp_err_sentence(cp_err code)
{
  const err_text *t = lookup(code);
  return t ? t->sentence : "unknown error";
}

const char *cp_hint(cp_err code)
{
  const err_text *t = lookup(code);
  return t ? t->hint : NULL;
}

void cp_print_exit_codes(FILE *out)
{
  for (size_t i = 0; i < cp_err_count; i++) {
    const char *hint = cp_hint(cp_err_all[i]);
    fprintf(out, "  %3d  %s%s%s\n", (int)cp_err_all[i], cp_err_sentence(cp_err_all[i]),
            hint ? ". " : "", hint ? hint : "");
  }
}

const char *cp_trust_words(const char *state)
{
  static const struct {
    const char *state, *words;
  } rows[] = {
      {"trusted", "trusted"},
      {"trust_pending", "tap Trust on the phone"},
      {"trust_denied", "denied \xE2\x80\x94 unplug, replug, tap Trust"},
      {"locked", "locked \xE2\x80\x94 unlock"},
      {"pairing_invalid", "forgot this computer \xE2\x80\x94 replug, tap Trust"},
      /* Without a pair record list does not ask (asking would pop the dialog). */
      {"not_paired", "not paired \xE2\x80\x94 tap Trust when asked"},
      {"unreachable", "not answering \xE2\x80\x94 check the cable"},
  };
  for (size_t i = 0; state && i < sizeof rows / sizeof rows[0]; i++)
    if (!strcmp(state, rows[i].state))
      return rows[i].words;
  return state ? state : "unknown";
}

const char *cp_wait_message(cp_err state)
{
  switch (state) {
  case CP_E_TRUST_PENDING: return "tap Trust on the device and enter its passcode; waiting";
  case CP_E_LOCKED: return "unlock the device with its passcode; waiting";
  default: return NULL;
  }
}

int cp_fail(const cp_error *err)
{
  cp_err code = err ? err->code : CP_E_INTERNAL;
  if (code == CP_OK)
    code = CP_E_INTERNAL;
  if (err && err->detail[0])
    fprintf(stderr, "caseprobe: %s: %s\n", cp_err_sentence(code), err->detail);
  else
    fprintf(stderr, "caseprobe: %s\n", cp_err_sentence(code));
  const char *hint = cp_hint(code);
  if (hint)
    fprintf(stderr, "  %s\n", hint);
  return (int)code;
}

int cp_failf(cp_err code, const char *fmt, ...)
{
  cp_error e;
  cp_error_clear(&e);
  e.code = code;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(e.detail, sizeof e.detail, fmt, ap);
    va_end(ap);
  }
  return cp_fail(&e);
}
