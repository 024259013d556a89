/*
 * crash_internal: what the crash_*.c files share and nobody else uses. Every
 * text helper takes (pointer, length) and never reads past it; every setter
 * keeps the first value a report gave for a key (the header line wins over
 * the body), so a later, weaker source never overwrites a better one.
 */
#ifndef CP_CRASH_INTERNAL_H
#define CP_CRASH_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest string value we keep in a record (termination descriptions and
 * panic lines can be kilobytes of noise). */
#define CP_CRASH_MAX_STR 1024

/* ---- crash_util.c ---- */

/* Appends a formatted warning to rec.warnings. */
void cp__crash_warn(json_t *rec, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A JSON string from untrusted bytes: trimmed, capped at CP_CRASH_MAX_STR,
 * invalid UTF-8 and control bytes replaced by '?'. NULL if empty or no memory. */
json_t *cp__crash_strn(const char *s, size_t n);

/* Sets rec[key] from bytes unless rec already has key or the value is empty. */
void cp__crash_setn(json_t *obj, const char *key, const char *s, size_t n);
void cp__crash_set(json_t *obj, const char *key, const char *s);
/* Sets rec[key] = v (stolen) unless key exists; v may be NULL. */
void cp__crash_set_new(json_t *obj, const char *key, json_t *v);
/* Copies a JSON string value (only a string) into rec[key] (if absent). */
void cp__crash_set_jstr(json_t *obj, const char *key, const json_t *v);

/* "2022-09-18 15:28:37.00 +0900" (also 'T' and 'Z') -> Unix seconds. */
bool cp__crash_parse_time(const char *s, size_t n, int64_t *out);
/* Sets timestamp (verbatim) and time (if it has a zone) unless already set. */
void cp__crash_set_timestamp(json_t *rec, const char *s, size_t n);
/* "iPhone OS 16.0 (20A362)" / "iPhone OS 14.2 (Build 18B5072f)" ->
 * os_version "16.0", os_build "20A362" (each only if absent). */
void cp__crash_set_os(json_t *rec, const char *s, size_t n);

/* True when JSON text p[0..n) never nests deeper than max (strings skipped). */
bool cp__crash_depth_ok(const char *p, size_t n, int max);

/* Finds "key" : "value" anywhere in possibly truncated JSON text and returns
 * the decoded value (escapes resolved, capped), or NULL, also when the value
 * is cut by the end of the buffer. Used to salvage a few fields from a body
 * or header that was cut short. */
json_t *cp__crash_salvage_string(const char *p, size_t n, const char *key);

/* Bodies are decoded with JSON_DECODE_INT_AS_REAL (register values are
 * unsigned 64-bit, beyond json_int_t), so integers arrive as integers or as
 * integral reals: these read either. */
bool cp__crash_int(const json_t *v, long long *out);
/* A copy of a number for a record: integral values become integers. */
json_t *cp__crash_num(const json_t *v);

/* Like cp__crash_salvage_string but the raw decoded bytes (newlines kept)
 * into buf, also when cut by the end of the buffer (*closed, optional, says
 * whether it was); returns the length, 0 when not found. */
size_t cp__crash_salvage_raw(const char *p, size_t n, const char *key, char *buf, size_t cap,
                             bool *closed);

/* Bounded memmem (not in C11). */
const char *cp__crash_memmem(const char *h, size_t hn, const char *needle, size_t nn);

/* ---- crash_jscan.c ---- */

/* Offset just past the JSON value starting at p[i], or 0 when the buffer
 * ends first or the text is not JSON-shaped there. */
size_t cp__crash_json_skip(const char *p, size_t n, size_t i);
typedef void (*cp__crash_member_fn)(void *ctx, const char *key, size_t kn, const char *v,
                                    size_t vn);
typedef void (*cp__crash_element_fn)(void *ctx, size_t idx, const char *v, size_t vn);
/* Calls fn for each member of the object in p[0..n) (key without quotes,
 * value text). Returns true when the object is complete; *stop (optional)
 * is where the walk ended. */
bool cp__crash_json_members(const char *p, size_t n, cp__crash_member_fn fn, void *ctx,
                            size_t *stop);
/* Same for the elements of an array. */
bool cp__crash_json_elements(const char *p, size_t n, cp__crash_element_fn fn, void *ctx);

/* ---- crash_bugtype.c ---- */

/* Name for a bug_type code ("309" -> "Crash_309"), NULL if unknown. */
const char *cp__crash_bugtype_name(const char *code);
/* "crash", "panic", "jetsam", "resource", "analytics" or "other". */
const char *cp__crash_bugtype_kind(int bug_type);

/* ---- crash_ips.c ---- */

/* Fills rec from a decoded .ips JSON body of the given bug_type (-1 unknown). */
void cp__crash_ips_body(json_t *rec, int bug_type, const json_t *body);
/* Decodes only the members a record needs from JSON body text and fills rec;
 * a body cut short still gives every member before the cut, then salvage.
 * Returns the body's own numeric bug_type (panic and crash bodies repeat it),
 * or -1: it stands in when the header line is missing. */
int cp__crash_ips_json(json_t *rec, int bug_type, const char *p, size_t n);
/* Salvages what it can from a JSON body that did not load. */
void cp__crash_ips_salvage(json_t *rec, int bug_type, const char *p, size_t n);
/* Reads the JSON-lines body of a 211 analytics report. */
void cp__crash_analytics_lines(json_t *rec, const char *p, size_t n);

/* ---- crash_legacy.c ---- */

/* Parses legacy text ("Report Version: 104" crash, or the text body of a 109,
 * 145, 202, 206 .ips) into rec. Returns how many known lines it recognised. */
int cp__crash_text_body(json_t *rec, const char *p, size_t n);

/* ---- crash_triage.c ---- */

/* Computes rec.signature (and signature_basis) from the parsed fields. */
void cp__crash_sign(json_t *rec);

#endif
