/* caseprobe collect: consent first (prompt, or --scope/--yes), then the
 * collect pipeline (collect.h). The finished bundle's path is the last line
 * of standard output, so scripts can take it with `tail -n 1`. */
#include "cli_common.h"
#include "collect.h"
#include "commands.h"
#include "consent.h"
#include "hints.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile int cancel_flag;

static void on_signal(int sig)
{
  (void)sig;
  cancel_flag = 1;
}

static void usage(FILE *out)
{
  fprintf(out,
          "usage: caseprobe collect --case ID [--scope LIST] [--yes] [-o DIR] [--sign KEY]\n"
          "                         [-u UDID] [--wait[=SECONDS]] [--syslog-seconds N]\n"
          "                         [--redaction-policy FILE] [--json]\n\n"
          "Makes one consented, redacted, verifiable bundle for a support case.\n"
          "Without --yes, asks on the terminal for a yes per scope; with no terminal and\n"
          "no --yes it refuses. Scopes: system, battery, crashes, syslog, apps, storage, all.\n\n"
          "  -c, --case ID      support case id (required; names the bundle)\n"
          "  --scope LIST       comma-separated scopes to ask for (default: all)\n"
          "  -y, --yes          grant the --scope list without asking (the person agreed)\n"
          "  -o, --output DIR   folder for the bundle (created if needed; default: .)\n"
          "  --sign KEY         sign the manifest with this Ed25519 private key (PEM)\n"
          "  -u, --udid UDID    the device (default: $CASEPROBE_UDID, or the only one attached)\n"
          "  --wait[=SECONDS]   wait for Trust / unlock (default 60 s) instead of failing\n"
          "  --syslog-seconds N capture N seconds of device log (default 5)\n"
          "  --redaction-policy FILE  JSON: {\"classes\": {\"ipv4\": false}, \"patterns\": [...]}\n"
          "  -j, --json         print {\"bundle\": PATH, ...} instead of the path\n"
          "                     (and a JSON error document when it fails)\n"
          "  -h, --help         this help\n");
}

static json_t *load_policy(const char *path, cp_error *err)
{
  json_error_t jerr;
  json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (!j)
    cp_error_set(err, CP_E_POLICY, "%s line %d: %s", path, jerr.line, jerr.text);
  return j;
}

int cp_cmd_collect(int argc, char **argv)
{
  const char *case_id = NULL, *scope = NULL, *out_dir = ".", *sign = NULL;
  const char *policy_path = NULL;
  int yes = 0, syslog_seconds = 0, first, rc0;
  cp_cli cli = {0};
  const cp_cli_opt opts[] = {
      {"case", 'c', CP_ARG_STRING, &case_id, 0, 0, NULL},
      {"scope", 0, CP_ARG_STRING, &scope, 0, 0, NULL},
      {"yes", 'y', CP_ARG_FLAG, &yes, 0, 0, NULL},
      {"output", 'o', CP_ARG_STRING, &out_dir, 0, 0, NULL},
      {"sign", 0, CP_ARG_STRING, &sign, 0, 0, NULL},
      {"syslog-seconds", 0, CP_ARG_INT, &syslog_seconds, 0, 3600, "seconds"},
      {"redaction-policy", 0, CP_ARG_STRING, &policy_path, 0, 0, NULL},
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
  cp_consent consent;
  cp_err rc = cp_consent_decide(scope, yes, stdin, isatty(STDIN_FILENO), &consent, &err);
  if (rc != CP_OK)
    return cp_cli_fail(&cli, &err);
  json_t *policy = NULL;
  if (policy_path && !(policy = load_policy(policy_path, &err))) {
    cp_consent_free(&consent);
    return cp_cli_fail(&cli, &err);
  }

  (void)signal(SIGINT, on_signal);
  (void)signal(SIGTERM, on_signal);
  cp_collect_opts o;
  memset(&o, 0, sizeof o);
  o.udid = udid;
  o.case_id = case_id;
  o.out_dir = out_dir;
  o.scopes_granted = (const char *const *)consent.granted;
  o.scopes_refused = (const char *const *)consent.refused;
  o.consent_how = consent.how;
  o.consent_text = consent.text;
  o.redact_policy = policy;
  o.sign_key = sign;
  o.syslog_seconds = syslog_seconds;
  o.wait_trust_seconds = wait;
  o.cancel = &cancel_flag;
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
