/*
 * consent.json: the record of what a person (or a station policy) agreed to
 * before any byte was read, kept in the bundle so a support engineer can see
 * the scope of the consent. It stores a SHA-256 of the exact text shown, not
 * the text, so the wording can be matched against a known version.
 *
 *   {"format_version": 1, "case_id": "...", "granted": ["battery", ...],
 *    "refused": ["syslog"], "how": "prompt"|"flag"|"policy"|"page" (the assist page),
 *    "time": "2026-11-23T12:45:17Z", "text_sha256": "<hex>", "text_bytes": 812,
 *    "language": "en"|"zh-Hans"}
 *
 * "language" is the language of the text whose hash is recorded (the person
 * saw those words); it is absent when unknown (a station policy's own text).
 */
#ifndef CP_CONSENT_RECORD_H
#define CP_CONSENT_RECORD_H

#include <jansson.h>
#include <time.h>

/* granted/refused are NULL-terminated lists (NULL = empty). Returns NULL when
 * case_id is NULL/empty, `how` is not one of the three words, a scope name
 * is empty or appears in both lists, or memory runs out. */
json_t *cp_consent_record_new(const char *case_id, const char *const *granted,
                              const char *const *refused, const char *how, time_t when,
                              const char *text_shown);

/* Records the language of the text shown ("en" or "zh-Hans"). 0 on success,
 * -1 (record unchanged) for any other tag or a NULL record. */
int cp_consent_record_set_language(json_t *record, const char *lang);

#endif
