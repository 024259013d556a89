/* The wording a person reads when something fails: one sentence per cp_err
 * saying what they can do. The agent owns the wording (agent/README.md); lower
 * layers only return codes and details. */
#ifndef CP_HINTS_H
#define CP_HINTS_H

#include "cp_err.h"

#include <stdio.h>

/* What happened, in the words a person reads ("device is locked"). */
const char *cp_err_sentence(cp_err code);

/* What the person can do about `code`, or NULL when there is nothing to add. */
const char *cp_hint(cp_err code);

/* The exit-status list of `caseprobe --help`: every code of the table with
 * its sentence and hint, one per line ("   16  device is locked. Unlock..."). */
void cp_print_exit_codes(FILE *out);

/* The TRUST column of `list`: what the person must do for a trust state of
 * cp_device_peek ("trust_pending" -> "tap Trust on the phone"). */
const char *cp_trust_words(const char *state);

/* What to tell the person once while caseprobe waits (--wait) in `state`
 * (CP_E_TRUST_PENDING, CP_E_LOCKED), or NULL. */
const char *cp_wait_message(cp_err state);

/* Prints "caseprobe: <what happened>: <detail>" and the hint to stderr, and
 * returns the code so callers can `return cp_fail(&err);`. */
int cp_fail(const cp_error *err);

/* Same for a code with a printf detail, without a cp_error. */
int cp_failf(cp_err code, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
