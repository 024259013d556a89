/*
 * cp_redactor: the streaming redaction engine. Every byte a probe hands to a
 * collect bundle passes through it, so the device's own identifiers (serial,
 * UDID, ECID, IMEI, phone number, MACs, device name, the owner's name in it)
 * and personal data found by pattern (e-mail, phone, IP, MAC, container
 * UUIDs, user names in paths, Wi-Fi names) never reach the bundle.
 *
 * A value is replaced by a stable pseudonym such as "<serial-1>": the same
 * value (after normalising case and separators) gets the same pseudonym in
 * every member of one bundle. Pseudonyms are keyed with an HMAC under a
 * per-bundle secret that is never written anywhere; the redactor keeps only
 * HMACs, never the values, and its report holds counts, never values.
 *
 * Threads: a redactor is used by one thread at a time; several redactors may
 * run in parallel (no shared mutable state).
 */
#ifndef CP_REDACT_H
#define CP_REDACT_H

#include "cp_err.h"
#include "sink.h"

#include <jansson.h>
#include <stddef.h>

/* Longest text one pattern may match; a match that would be longer is not
 * found. Also bounds how many bytes the streaming redactor holds back. */
#define CP_REDACT_MAX_MATCH 256

#define CP_REDACT_SECRET_LEN 32

typedef struct cp_redactor cp_redactor;
typedef struct cp_redact_policy cp_redact_policy;
typedef struct cp_redact_stream cp_redact_stream;

/* One identifier of the device, e.g. {"serial", "DNPT1P8EHG74"}. Known class
 * names: serial, udid, ecid, imei, meid, iccid, imsi, phone, wifi_mac, bt_mac,
 * ethernet_mac, device_name (also yields person_name: "Anna" from "Anna's
 * iPhone"). Any other [a-z0-9_] name is a plain literal of that class. */
typedef struct cp_redact_id {
  const char *cls;
  const char *value;
} cp_redact_id;

/* ---- Policy: which classes are on, plus extra patterns ---- */

/* A policy with every built-in class on and no extra pattern. */
cp_err cp_redact_policy_new(cp_redact_policy **out, cp_error *err);
void cp_redact_policy_free(cp_redact_policy *p);

/* Turns a class on or off: pattern classes email, phone, ipv4, ipv6, mac,
 * container_uuid, user_path, ssid, crash_reporter_key, and the identifier
 * classes above (which can be turned on only). CP_E_POLICY for a name that
 * is neither, or for turning a device identifier class off. */
cp_err cp_redact_policy_set_class(cp_redact_policy *p, const char *cls, int on, cp_error *err);

/* 1 for the device's own identifier classes (serial, udid, ecid, imei, meid,
 * iccid, imsi, phone, the MACs, device_name, person_name): set_class refuses
 * to turn them off (CP_E_POLICY) and the redactor keeps them on whatever a
 * policy holds. */
int cp_redact_class_protected(const char *cls);

/* The classes p turns off, sorted, as a new JSON array of names (empty for
 * p == NULL); what consent.json, redaction.json and the report record. */
json_t *cp_redact_policy_classes_off(const cp_redact_policy *p);

/* Adds a pattern (PCRE2 syntax, case-sensitive unless it says (?i)); its
 * matches become "<name-N>". name is [a-z0-9_]{1,32}. CP_E_POLICY when the
 * regex does not compile or the name is bad. */
cp_err cp_redact_policy_add_pattern(cp_redact_policy *p, const char *name, const char *regex,
                                    cp_error *err);

/* {"classes": {"email": true, "ipv4": false}, "patterns": [{"name": "ticket",
 * "regex": "TCK-[0-9]{6}"}]}; both keys optional. CP_E_POLICY if malformed. */
cp_err cp_redact_policy_from_json(const json_t *j, cp_redact_policy **out, cp_error *err);

/* ---- The redactor ---- */

typedef struct cp_redact_config {
  const cp_redact_id *ids; /* the device's own identifiers (may be NULL) */
  size_t n_ids;
  const cp_redact_policy *policy; /* NULL = every built-in class on */
  const unsigned char *secret;    /* CP_REDACT_SECRET_LEN bytes, NULL = random */
} cp_redact_config;

cp_err cp_redactor_new(const cp_redact_config *cfg, cp_redactor **out, cp_error *err);
void cp_redactor_free(cp_redactor *r);

/* {"classes": {"serial": {"count": 3, "members": {"device/info.json": 1}}},
 * "total": N}. Counts only, never values. New reference. */
json_t *cp_redactor_report(const cp_redactor *r);

/* The member's name picks how a pseudonym is written so the member stays
 * parseable: in "*.json" a pseudonym outside a string is quoted
 * ("ecid": "<ecid-1>"), in "*.plist" and "*.xml" it is "&lt;ecid-1&gt;";
 * anything else gets "<ecid-1>" as is (also use such a name when redacting
 * a single JSON string value rather than JSON text). */

/* Redacts one whole member held in memory; *out is malloc'ed (NUL-terminated
 * for convenience, *outlen excludes the NUL). Counts go to the report. */
cp_err cp_redact_buffer(cp_redactor *r, const char *member, const void *in, size_t len, char **out,
                        size_t *outlen, cp_error *err);

/* ---- Streaming ---- */

/* Where redacted bytes go. */
typedef cp_err (*cp_redact_emit_fn)(void *ctx, const void *buf, size_t len, cp_error *err);

/* One member at a time per stream; any write split gives the same output as
 * cp_redact_buffer. Holds back at most a few times CP_REDACT_MAX_MATCH bytes. */
cp_err cp_redact_stream_open(cp_redactor *r, const char *member, cp_redact_emit_fn emit, void *ctx,
                             cp_redact_stream **out, cp_error *err);
cp_err cp_redact_stream_write(cp_redact_stream *s, const void *buf, size_t len, cp_error *err);
/* keep=1: flushes the held-back tail and counts the member in the report;
 * keep=0: drops the tail and the member's counts. Frees s either way. */
cp_err cp_redact_stream_close(cp_redact_stream *s, int keep, cp_error *err);

/* Where the redaction report counts identifiers found in member names. */
#define CP_REDACT_NAMES_MEMBER "(member names)"

/* A cp_sink filter: begin/write/end redact each member, its name included
 * (counted under CP_REDACT_NAMES_MEMBER), and forward it to next (redacted
 * name, same scope). self needs no cleanup; r must outlive it and serves
 * one such sink at a time. */
cp_err cp_redact_sink_init(cp_sink *self, cp_redactor *r, cp_sink *next);

/* ---- Helpers ---- */

/* The scan engine this build redacts with, for --version and manifests:
 * "vectorscan 5.4.9" or "pcre2" (CMake CP_REDACT_ENGINE). */
const char *cp_redact_engine(void);

/* Picks the identifiers out of a lockdown value dictionary (as JSON: the
 * keys ideviceinfo prints, CarrierBundleInfoArray included). *ids is an
 * array of *n entries with owned strings; free with cp_redact_ids_free. */
cp_err cp_redact_ids_from_lockdown(const json_t *values, cp_redact_id **ids, size_t *n,
                                   cp_error *err);
void cp_redact_ids_free(cp_redact_id *ids, size_t n);

/* Appends one identifier (copied) unless the same class and value is there:
 * the session's own UDID when lockdown did not list it. */
cp_err cp_redact_ids_add(cp_redact_id **ids, size_t *n, const char *cls, const char *value,
                         cp_error *err);

#endif
