/* caseprobe collect: the device is located first (no device, no questions),
 * then consent (prompt in the person's language, or --scope/--yes), then the
 * collect pipeline (collect.h). The finished bundle's path is the last line
 * of standard output, so scripts can take it with `tail -n 1`. */
#include "bundle_os.h"
#include "cli_common.h"
#include "collect.h"
#include "commands.h"
#include "consent.h"
#include "device.h"
#include "hints.h"
#include "i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *out)
{
  fprintf(out,
          "usage: caseprobe collect --case ID [--scope LIST] [--yes] [-o DIR] [--sign KEY]\n"
          "                         [-u UDID] [--wait[=SECONDS]] [--syslog-seconds N]\n"
          "                         [--redaction-policy FILE] [--sysdiagnose-seconds N]\n                         [--json] [--lang LANG]\n\n"
          "Makes one consented, redacted, verifiable bundle for a support case.\n"
          "Without --yes, asks on the terminal for a yes per scope; with no terminal and\n"
          "no --yes it refuses. Scopes: system, battery, crashes, syslog, apps, storage, all,\n"
          "and sysdiagnose (asked for by name only: the person presses volume up + volume\n"
          "down + the side button, caseprobe waits for the archive and redacts its text).\n\n"
          "  -c, --case ID      support case id (required; names the bundle)\n"
          "  --scope LIST       comma-separated scopes to ask for (default: all)\n"
          "  -y, --yes          grant the --scope list without asking (the person agreed)\n"
          "  -o, --output DIR   folder for the bundle (created if needed; default: .)\n"
          "  --sign KEY         sign the manifest with this Ed25519 private key (PEM)\n"
          "  -u, --udid UDID    the device (default: $CASEPROBE_UDID, or the only one attached)\n"
          "  --wait[=SECONDS]   wait for Trust / unlock (default 60 s) instead of failing\n"
          "  --syslog-seconds N capture N seconds of device log (default 5)\n"
          "  --redaction-policy FILE  JSON: {\"classes\": {\"ipv4\": false}, \"patterns\": [...]}\n"
          "  --sysdiagnose-seconds N  wait up to N s for the sysdiagnose archive (default 600)\n"
          "  -j, --json         print {\"bundle\": PATH, ...} instead of the path\n"
          "                     (and a JSON error document when it fails)\n"
          "  --lang LANG        language of the consent text and report: en or zh-Hans\n"
          "                     (default: from LANGUAGE / LC_ALL / LC_MESSAGES / LANG)\n"
          "  -h, --help         this help\n");
}

/* A policy decides what leaves the device unredacted: only a regular file
 * that nobody but its owner may change is read (issue 14). */
static json_t *load_policy(const char *path, cp_error *err)
{
  json_error_t jerr;
  int fd = cp_os_open_input(path, 1, err);
  if (fd < 0)
    return NULL;
  FILE *f = fdopen(fd, "rb");
  if (!f) {
    cp_error ignored;
    (void)cp_os_close(fd, path, &ignored);
    cp_error_set(err, CP_E_IO, "cannot read %s", path);
    return NULL;
  }
  json_t *j = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
  (void)fclose(f); /* read only */
  if (!j)
    cp_error_set(err, CP_E_POLICY, "%s line %d: %s", path, jerr.line, jerr.text);
  return j;
}

/* "3 app crashes" style counts, appended to out with a separator. */
static void add_count(char *out, size_t n, long long k, const char *one, const char *many)
{
  if (k <= 0)
    return;
  size_t at = strlen(out);
  (void)snprintf(out + at, n - at, "%s%lld %s", at ? ", " : "", k, k == 1 ? one : many);
}

/* The three lines a technician reads before the bundle path: battery,
 * crashes, and what was refused (by the person) or failed. */
static void print_summary(const cp_collect_result *res, const cp_consent *consent)
{
  const json_t *f = res->findings;
  char line[256];
  const json_t *bat = json_object_get(f, "battery");
  if (json_is_object(bat))
    cp_cli_battery_line(bat, line, sizeof line);
  else
    (void)snprintf(line, sizeof line, "not collected");
  fprintf(stderr, "Battery:  %s\n", line);

  const json_t *tri = json_object_get(json_object_get(f, "crashes"), "triage");
  if (json_is_object(tri)) {
    long long total = json_integer_value(json_object_get(tri, "total"));
    long long panics = json_integer_value(json_object_get(json_object_get(tri, "panics"), "count"));
    long long forced =
        json_integer_value(json_object_get(json_object_get(tri, "forced_restarts"), "count"));
    long long jetsam = json_integer_value(json_object_get(json_object_get(tri, "jetsam"), "count"));
    long long analytics =
        json_integer_value(json_object_get(json_object_get(tri, "analytics"), "count"));
    long long app = 0;
    size_t gi;
    json_t *g;
    json_array_foreach(json_object_get(tri, "groups"), gi, g)
    {
      const char *kind = json_string_value(json_object_get(g, "kind"));
      const json_t *bt = json_object_get(g, "bug_type_name");
      if (kind && !strcmp(kind, "crash") &&
          !(json_is_string(bt) && !strcmp(json_string_value(bt), "ForceReset")))
        app += json_integer_value(json_object_get(g, "count"));
    }
    char parts[192] = "";
    add_count(parts, sizeof parts, app, "app crash", "app crashes");
    add_count(parts, sizeof parts, panics, "kernel panic", "kernel panics");
    add_count(parts, sizeof parts, forced, "forced restart", "forced restarts");
    add_count(parts, sizeof parts, jetsam, "jetsam (memory) event", "jetsam (memory) events");
    add_count(parts, sizeof parts, total - app - panics - forced - jetsam - analytics,
              "other report", "other reports");
    (void)snprintf(line, sizeof line, "%lld report%s%s%s%s", total, total == 1 ? "" : "s",
                   parts[0] ? ": " : "", parts, "");
  } else {
    (void)snprintf(line, sizeof line, "not collected");
  }
  fprintf(stderr, "Crashes:  %s\n", line);

  line[0] = '\0';
  for (size_t i = 0; consent->refused && consent->refused[i]; i++) {
    size_t at = strlen(line);
    (void)snprintf(line + at, sizeof line - at, "%s%s", at ? ", " : "", consent->refused[i]);
  }
  char failed[160] = "";
  const char *name;
  json_t *st;
  json_object_foreach(res->probes, name, st)
  {
    if (!strcmp(json_string_value(json_object_get(st, "status"))
                    ? json_string_value(json_object_get(st, "status"))
                    : "",
                "failed")) {
      size_t at = strlen(failed);
      (void)snprintf(failed + at, sizeof failed - at, "%s%s", at ? ", " : "", name);
    }
  }
  fprintf(stderr, "Refused:  %s%s%s\n", line[0] ? line : "nothing (every scope asked was granted)",
          failed[0] ? "; failed: " : "", failed);
}

int cp_cmd_collect(int argc, char **argv)
{
  const char *case_id = NULL, *scope = NULL, *out_dir = ".", *sign = NULL;
  const char *policy_path = NULL, *lang = NULL;
  int yes = 0, syslog_seconds = 0, sd_seconds = 0, first, rc0;
  cp_cli cli = {0};
  const cp_cli_opt opts[] = {
      {"case", 'c', CP_ARG_STRING, &case_id, 0, 0, NULL},
      {"scope", 0, CP_ARG_STRING, &scope, 0, 0, NULL},
      {"yes", 'y', CP_ARG_FLAG, &yes, 0, 0, NULL},
      {"output", 'o', CP_ARG_STRING, &out_dir, 0, 0, NULL},
      {"sign", 0, CP_ARG_STRING, &sign, 0, 0, NULL},
      {"syslog-seconds", 0, CP_ARG_INT, &syslog_seconds, 0, 3600, "seconds"},
      {"redaction-policy", 0, CP_ARG_STRING, &policy_path, 0, 0, NULL},
      {"lang", 0, CP_ARG_STRING, &lang, 0, 0, NULL},
      {"sysdiagnose-seconds", 0, CP_ARG_INT, &sd_seconds, 1, 86400, "seconds"},
      {NULL, 0, CP_ARG_FLAG, NULL, 0, 0, NULL},
  };
  if (!cp_cli_parse(argc, argv, CP_CLI_UDID | CP_CLI_JSON | CP_CLI_WAIT, opts, 0, 0, usage, &cli,
                    &first, &rc0))
    return rc0;
  if (!case_id) {
    fprintf(stderr, "caseprobe collect: --case ID is required\n");
    usage(stderr);
    return CP_E_USAGE;
  }
  cp_error rerr;
  cp_error_clear(&rerr);
  if (cp_cli_resolve_udid(&cli, &rerr) != CP_OK) /* -u as a prefix or a name */
    return cp_cli_fail(&cli, &rerr);
  const char *udid = cli.udid;
  int json = cli.json, wait = cli.wait_seconds;

  cp_error err;
  cp_error_clear(&err);
  /* -o names a folder that may not exist yet, as `crashes pull DIR` does. */
  if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
    cp_error_set(&err, CP_E_IO, "cannot create %s: %s", out_dir, strerror(errno));
    return cp_cli_fail(&cli, &err);
  }
  cp_i18n_init();
  if (lang && cp_i18n_set_lang(lang) != 0) {
    cp_error_set(&err, CP_E_USAGE, "--lang %s is not a language caseprobe speaks; use en or zh-Hans",
                 lang);
    return cp_cli_fail(&cli, &err);
  }
  /* Local inputs first (a bad policy file is the operator's to fix, whatever
   * is plugged in), then a phone: nobody is asked six questions about a
   * device that is not there. */
  json_t *policy = NULL;
  if (policy_path && !(policy = load_policy(policy_path, &err)))
    return cp_cli_fail(&cli, &err);
  /* The device to collect from, found before anyone is asked anything
   * (the rules and errors of cp_device_open's own pick), so a missing phone
   * is reported before six questions. */
  char found[64] = "";
  cp_err rc = cp_device_pick(udid, found, &err);
  if (rc != CP_OK) {
    json_decref(policy);
    return cp_cli_fail(&cli, &err);
  }
  cp_consent consent;
  rc = cp_consent_decide(scope, yes, stdin, isatty(STDIN_FILENO), &consent, &err);
  if (rc != CP_OK) {
    json_decref(policy);
    return cp_cli_fail(&cli, &err);
  }

  cp_cli_catch_signals(); /* Ctrl-C, SIGTERM; the console handler on Windows */
  cp_collect_opts o;
  memset(&o, 0, sizeof o);
  o.udid = found; /* the device the person was asked about */
  o.case_id = case_id;
  o.out_dir = out_dir;
  o.scopes_granted = (const char *const *)consent.granted;
  o.scopes_refused = (const char *const *)consent.refused;
  o.sysdiagnose_seconds = sd_seconds;
  o.consent_how = consent.how;
  o.consent_text = consent.text;
  o.consent_lang = consent.lang;
  o.redact_policy = policy;
  o.sign_key = sign;
  o.syslog_seconds = syslog_seconds;
  o.wait_trust_seconds = wait;
  o.cancel = &cp_cli_interrupted;
  o.progress_bar = !json;
  cp_collect_result res;
  rc = cp_collect_run(&o, &res, &err);
  if (rc == CP_OK || rc == CP_E_PARTIAL) {
    if (rc == CP_E_PARTIAL)
      (void)cp_fail(&err);
    if (json) {
      json_t *doc = json_pack("{s:s, s:I, s:s, s:O}", "bundle", res.bundle_path, "size",
                              (json_int_t)res.size, "sha256", res.sha256, "probes", res.probes);
      if (doc)
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
      printf("\n");
      json_decref(doc);
    } else {
      fprintf(stderr, "caseprobe: bundle verified (%llu bytes, sha256 %s)\n",
              (unsigned long long)res.size, res.sha256);
      print_summary(&res, &consent);
      printf("%s\n", res.bundle_path);
    }
  } else {
    (void)cp_cli_fail(&cli, &err);
  }
  cp_collect_result_free(&res);
  cp_consent_free(&consent);
  json_decref(policy);
  return (int)rc;
}
