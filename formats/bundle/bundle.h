/*
 * The bundle writer: a cp_sink that turns members into one
 * `<case-id>-<UTC time>.caseprobe.tar.gz` (tar + gzip, format version 1,
 * formats/bundle/README.md). Nothing here touches a device.
 *
 * Life of a bundle:
 *
 *   cp_bundle_writer *w;
 *   cp_bundle_writer_new(out_dir, case_id, NULL, &w, &err);
 *   cp_sink *s = cp_bundle_sink(w);          // hand to probes / the redactor
 *   ... cp_sink_begin / cp_sink_write / cp_sink_end(keep) ...
 *   char *path;
 *   cp_bundle_finish(w, consent, redaction, device, findings, key_or_NULL, &path, &err);
 *   // or cp_bundle_abort(w) to drop everything
 *
 * Guarantees:
 * - Memory stays flat whatever a member's size: each member is spooled to an
 *   anonymous scratch file in out_dir while it is hashed (SHA-256), because a
 *   tar header needs the size before the data; only then is it appended.
 *   And whatever the number of members: each one's manifest row waits in a
 *   second scratch file until manifest.json is written (16 bytes a member in
 *   memory, to refuse a name twice).
 * - The archive is written to `<out_dir>/.<final name>.partial-XXXXXX`; only
 *   cp_bundle_finish() writes the closing members, closes, fsyncs the file
 *   and the folder and renames it to the final name (never replacing an
 *   existing file: CP_E_EXISTS). A bundle that is not finished never sits at
 *   the final path, and on any failure (or abort) the partial file is removed.
 * - The bundle file is created mode 0600: it holds personal data, even
 *   redacted; whoever shares it decides who else may read it.
 * - ENOSPC/EDQUOT anywhere (spool, archive, close, fsync) -> CP_E_DISK_FULL.
 * - Members ended with keep=0 leave no trace (not in the archive or manifest).
 * - A member path must satisfy cp_path_is_safe(), appear once, and not be one
 *   of the names the writer owns (CP_BUNDLE_RESERVED below).
 *
 * Member order in the archive (the reader and `verify` rely on it only for
 * manifest.sig following manifest.json; everything else is looked up by name):
 *   probe members (in the order they were ended with keep=1)
 *   consent.json, redaction.json, report.html     (listed in the manifest)
 *   manifest.json   (covers every member above, not itself)
 *   manifest.sig    (only when signing: base64 Ed25519 signature of the exact
 *                    manifest.json bytes, plus a newline)
 *
 * A writer is used by one thread at a time; separate writers share nothing,
 * so station mode can run one per device in parallel.
 */
#ifndef CP_BUNDLE_H
#define CP_BUNDLE_H

#include "cp_err.h"
#include "report_html.h"
#include "sink.h"

#include <jansson.h>
#include <stdint.h>
#include <time.h>

#define CP_BUNDLE_SUFFIX ".caseprobe.tar.gz"
#define CP_BUNDLE_MANIFEST "manifest.json"
#define CP_BUNDLE_SIGNATURE "manifest.sig"
#define CP_BUNDLE_CONSENT "consent.json"
#define CP_BUNDLE_REDACTION "redaction.json"
#define CP_BUNDLE_REPORT "report.html"
/* Scope recorded in the manifest for the members the writer itself adds. */
#define CP_BUNDLE_SCOPE_BUNDLE "bundle"

#define CP_BUNDLE_GZIP_DEFAULT 3 /* see cp_bundle_opts.gzip_level */

typedef struct cp_bundle_writer cp_bundle_writer;

typedef struct cp_bundle_opts {
  /* Creation time written in the manifest and the file name; 0 = now. */
  time_t created;
  /* Stop with CP_E_DISK_FULL once the archive file would exceed this many
   * bytes (0 = no limit). Used by tests to simulate a full disk, and by a
   * caller that wants a hard cap on the bundle size. */
  uint64_t max_bundle_bytes;
  /* gzip level 1..9; 0 = CP_BUNDLE_GZIP_DEFAULT (3). Measured (zlib, one
   * core, 83 MB of generated crash reports): level 6 105 MB/s -> 6.25 MB,
   * level 3 211 MB/s -> 8.07 MB, level 1 225 MB/s -> 9.05 MB. gzip was 55 %
   * of collect's CPU at level 6 (perf), the largest single cost on a busy
   * bench station; 3 halves it for a bundle 29 % larger. */
  int gzip_level;
  /* What made the bundle ({"version", "git", "libraries": {...}}), recorded
   * in the manifest as "made_by"; NULL leaves it out. Copied at writer_new. */
  const json_t *made_by;
  /* Renders report.html from the findings (the agent's page, in the person's
   * language); NULL = cp_report_html_fallback, a page with no words. */
  cp_report_render_fn report;
  /* When not NULL, a successful cp_bundle_finish() writes the finished
   * file's SHA-256 (64 hex digits + NUL) and size here: hashed while it was
   * written, so the caller need not read it again. */
  char *out_sha256;
  uint64_t *out_size;
  /* 1: report.html is also written, as it is made, to
   * `<bundle path without .caseprobe.tar.gz>.report.html` (for a browser),
   * so nobody reads it back out of the finished bundle. */
  int report_copy;
} cp_bundle_opts;

/* Starts a bundle in out_dir (must exist) for case_id (non-empty; sanitized
 * for the file name, recorded as given in the manifest). opts may be NULL. */
cp_err cp_bundle_writer_new(const char *out_dir, const char *case_id, const cp_bundle_opts *opts,
                            cp_bundle_writer **w, cp_error *err);

/* Adds a top-level key to manifest.json (e.g. "syslog": how the capture
 * ended), so integrity-checked metadata travels with the bundle. Keys the
 * writer owns (case_id, members, signature, ...) are refused. */
cp_err cp_bundle_note(cp_bundle_writer *w, const char *key, const json_t *value, cp_error *err);

/* The sink probes write into; owned by w, valid until finish/abort. */
cp_sink *cp_bundle_sink(cp_bundle_writer *w);

/* Writes consent.json, redaction.json (each NULL -> {}), report.html (built
 * from `findings` by opts.report, NULL -> {}, see report_html.h; its member list defaults to
 * the bundle's own), manifest.json (with `device_summary` as "device", NULL ->
 * {}), and manifest.sig when sign_key_path (a PEM Ed25519 private key) is not
 * NULL; then closes, syncs and renames. *final_path gets the malloc'd path of
 * the finished bundle. Always consumes w: on failure nothing is left on disk
 * (no partial file, nothing at the final path). */
cp_err cp_bundle_finish(cp_bundle_writer *w, const json_t *consent_json,
                        const json_t *redaction_json, const json_t *device_summary_json,
                        const json_t *findings_json, const char *sign_key_path, char **final_path,
                        cp_error *err);

/* Drops the bundle: removes the partial file and frees w. NULL is a no-op. */
void cp_bundle_abort(cp_bundle_writer *w);

/* The final file name (no folder) for case_id at time t, sanitized: every
 * byte outside [A-Za-z0-9._-] becomes '_', at most 64 bytes of case id, never
 * starting with '.'. Writes at most `size` bytes including the NUL. */
void cp_bundle_file_name(const char *case_id, time_t t, char *out, size_t size);

/* 1 when `path` is a name the writer owns (manifest, signature, consent,
 * redaction, report) and a probe may not use. */
int cp_bundle_name_reserved(const char *path);

#endif
