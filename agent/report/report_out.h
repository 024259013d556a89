/*
 * The report renderer's writer: one sticky error, so page code reads top to
 * bottom, and helpers that escape everything that came from findings. Only
 * the report files use it (internal header).
 */
#ifndef CP_REPORT_OUT_H
#define CP_REPORT_OUT_H

#include "report_html.h"

#include <jansson.h>

typedef struct cp_rout {
  cp_report_write_fn fn;
  void *ctx;
  cp_error *err;
  cp_err rc;
} cp_rout;

/* Trusted markup (fixed text of the renderer or a translation). */
void cp_rout_put(cp_rout *o, const char *s);
void cp_rout_putf(cp_rout *o, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Untrusted text: HTML-escaped. */
void cp_rout_esc(cp_rout *o, const char *s);
/* printf into a buffer, then escaped: for sentences with values in them. */
void cp_rout_escf(cp_rout *o, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A scalar JSON value as text (escaped); arrays as "a, b" (at most 20), objects by size. */
void cp_rout_value(cp_rout *o, const json_t *v);

/* Helpers on findings that may be missing or mistyped. */
json_t *cp_rj_pick(const json_t *obj, const char *const *keys); /* first present key */
long long cp_rj_count(const json_t *v); /* n, or {"count"|"total"|"n": n}, or array size; -1 */
double cp_rj_number(const json_t *v);   /* number or numeric string, NaN when neither */
const char *cp_rj_str(const json_t *obj, const char *key); /* string value or NULL */
/* "2026-11-18" (UTC) for a Unix time; "" for a non-positive one. */
void cp_rj_date(long long t, char out[32]);

#endif
