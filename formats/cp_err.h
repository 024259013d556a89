/*
 * cp_err: the one error enum of caseprobe, in the lowest layer so every module
 * can return it. The value is also the process exit status (like curl's
 * CURLE_*), so codes are APPEND-ONLY. The codes are rows of one X-macro
 * table, formats/cp_err.def: add a row there and its sentence and hint in
 * agent/err_text.def (the build fails until both exist).
 *
 * Details (which file, which member, which key) go into a cp_error context,
 * the way libarchive keeps its message on the handle.
 */
#ifndef CP_ERR_H
#define CP_ERR_H

#include <stddef.h>

/* The codes, generated from cp_err.def (the one table). */
typedef enum cp_err {
#define CP_ERR(id, num, name, sev, desc) id = num,
#include "cp_err.def"
#undef CP_ERR
} cp_err;

/* How far a failure reaches (the SEVERITY column of cp_err.def), in
 * increasing order so callers compare: `cp_err_severity(rc) >= CP_SEV_PROBE`. */
typedef enum cp_severity {
  CP_SEV_NONE = 0, /* CP_OK */
  CP_SEV_SOURCE,   /* only this source (file, value, service) is absent */
  CP_SEV_PROBE,    /* this probe fails; the other probes go on */
  CP_SEV_DEVICE,   /* no further request to this device can succeed */
  CP_SEV_RUN       /* stop the run */
} cp_severity;

/* The severity of a code (CP_SEV_RUN for a number not in the table). */
cp_severity cp_err_severity(cp_err code);

/* Every code of the table in order, for listings (--help, tests). */
extern const cp_err cp_err_all[];
extern const size_t cp_err_count;

/* Short, stable, lower-case description of a code ("device is locked"), for
 * logs and developer tools; what a person reads comes from agent/hints.h. */
const char *cp_strerror(cp_err code);

/* Stable identifier for machine-readable output ("locked", "trust_pending"). */
const char *cp_err_name(cp_err code);

/* A code plus a detail sentence fragment (the file, the member, the key). */
typedef struct cp_error {
  cp_err code;
  char detail[512];
} cp_error;

/* Sets e (when not NULL) and returns code, so callers can `return cp_error_set(...)`. */
cp_err cp_error_set(cp_error *e, cp_err code, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Clears e to CP_OK with an empty detail. */
void cp_error_clear(cp_error *e);

#endif
