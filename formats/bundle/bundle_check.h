/*
 * The logic of `caseprobe verify` and `inspect`: one pass over a bundle that
 * re-hashes every member, checks them against manifest.json, checks the
 * signature, and keeps the small JSON members a summary needs. Pure code over
 * a cp_bundle_reader, so the fuzzer drives exactly what the commands run.
 *
 * The report (a new JSON object):
 *   {"ok": true|false,
 *    "case_id", "created", "format_version", "agent_version", "device": {...},
 *    "members": [{"path","size","sha256","scope","status": "ok"|"changed"|"missing"|"extra"}],
 *    "missing": [path...], "extra": [path...],
 *    "changed": [{"path","size","sha256","expected_size","expected_sha256"}],
 *    "first_failure": path|null,
 *    "signature": {"state": "unsigned"|"not_checked"|"good"|"bad"|"wrong_key"|"missing",
 *                  "key_sha256": hex (manifest's), "checked_with": hex (--key's)},
 *    "consent": {...}|null, "redaction": {...}|null, "crash_index": ...|null}
 *
 * "crash_index" is crashes/index.json with its "reports" rows left out (null):
 * counts, triage and failures, in memory that does not grow with the number
 * of reports on the device.
 *
 * manifest.sig counts as a member the manifest declares when the manifest has
 * a "signature" block (so deleting it is "missing"), and as "extra" otherwise.
 */
#ifndef CP_BUNDLE_CHECK_H
#define CP_BUNDLE_CHECK_H

#include "bundle_read.h"
#include "cp_err.h"

#include <jansson.h>

/* Small members kept in memory for the report, and their caps. Size AND
 * node count are bounded before a member is parsed, so verify and inspect
 * stay under 64 MB on any input (issue 14): a manifest row is ~230 bytes and
 * 9 nodes, so the caps hold CP_BUNDLE_MAX_MEMBERS rows. */
#define CP_CHECK_MAX_MANIFEST (6u << 20)
#define CP_CHECK_MAX_MANIFEST_NODES 150000u
#define CP_CHECK_MAX_SMALL_JSON (4u << 20)
#define CP_CHECK_MAX_SMALL_NODES 100000u
#define CP_CHECK_MAX_CRASH_INDEX (16u << 20)

/* Reads r to its end. pubkey_path (NULL: do not check the signature) is a
 * PEM Ed25519 public key. Returns:
 *   CP_OK           every member matches (and the signature is good if checked)
 *   CP_E_VERIFY     members missing, extra or changed, or the archive is damaged
 *                   after its start; err names the first failing member
 *   CP_E_SIGNATURE  members match but --key was given and the signature is
 *                   missing, bad or from another key
 *   CP_E_PARSE      not a caseprobe bundle (no/invalid manifest, not tar.gz)
 *   CP_E_NOT_FOUND / CP_E_PARSE for an unreadable key, CP_E_NOMEM
 * *report is set for CP_OK, CP_E_VERIFY (except archive damage) and
 * CP_E_SIGNATURE; NULL otherwise. */
cp_err cp_bundle_check(cp_bundle_reader *r, const char *pubkey_path, json_t **report,
                       cp_error *err);

/* cp_bundle_check_ex's flags. CP_CHECK_NO_ROWS: the report has no
 * "members" key (missing, extra and changed are still listed), so the check
 * holds nothing per member but a compact row (~110 bytes): collect's
 * self-check, which needs only the verdict. */
#define CP_CHECK_NO_ROWS 1u
/* CP_CHECK_NO_SUMMARY: "consent", "redaction" and "crash_index" are null
 * (hashed and compared, not kept or parsed: redaction.json alone is ~0.5 MB
 * of text and several MB parsed at 10,000 members). */
#define CP_CHECK_NO_SUMMARY 2u

/* cp_bundle_check with flags (above). */
cp_err cp_bundle_check_ex(cp_bundle_reader *r, const char *pubkey_path, unsigned flags,
                          json_t **report, cp_error *err);

/* Opens the bundle at path, checks it (cp_bundle_check) and closes it: what
 * `verify`, `inspect` and collect's self-check all run. Same returns and
 * *report as cp_bundle_check, plus cp_bundle_open's failures (no report). */
cp_err cp_bundle_check_file(const char *path, const char *pubkey_path, json_t **report,
                            cp_error *err);

/* cp_bundle_check_file with cp_bundle_check_ex's flags. */
cp_err cp_bundle_check_file_ex(const char *path, const char *pubkey_path, unsigned flags,
                               json_t **report, cp_error *err);

#endif
