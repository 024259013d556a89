/* caseprobe collect: consent first (prompt, or --scope/--yes), then the
 * collect pipeline (collect.h). The finished bundle's path is the last line
 * of standard output, so scripts can take it with `tail -n 1`. */
#include "bundle_os.h"
#include "collect.h"
#include "commands.h"
#include "consent.h"
#include "hints.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
          "  --case ID          support case id (required; names the bundle)\n"
          "  --scope LIST       comma-separated scopes to ask for (default: all)\n"
          "  --yes              grant the --scope list without asking (the person agreed)\n"
          "  -o, --output DIR   folder for the bundle (default: .)\n"
          "  --sign KEY         sign the manifest with this Ed25519 private key (PEM)\n"
          "  -u, --udid UDID    the device (default: the only one attached)\n"
          "  --wait[=SECONDS]   wait for Trust / unlock (default 120 s) instead of failing\n"
          "  --syslog-seconds N capture N seconds of device log (default 5)\n"
          "  --redaction-policy FILE  JSON: {\"classes\": {\"ipv4\": false}, \"patterns\": [...]}\n"
          "  --json             print {\"bundle\": PATH, ...} instead of the path\n"
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

int cp_cmd_collect(int argc, char **argv)
{
  enum { OPT_SCOPE = 256, OPT_YES, OPT_SIGN, OPT_WAIT, OPT_SYSLOG, OPT_POLICY, OPT_JSON };
  static const struct option longopts[] = {
      {"case", required_argument, NULL, 'c'},
      {"scope", required_argument, NULL, OPT_SCOPE},
      {"yes", no_argument, NULL, OPT_YES},
      {"output", required_argument, NULL, 'o'},
      {"sign", required_argument, NULL, OPT_SIGN},
      {"udid", required_argument, NULL, 'u'},
      {"wait", optional_argument, NULL, OPT_WAIT},
      {"syslog-seconds", required_argument, NULL, OPT_SYSLOG},
      {"redaction-policy", required_argument, NULL, OPT_POLICY},
      {"json", no_argument, NULL, OPT_JSON},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *case_id = NULL, *scope = NULL, *out_dir = ".", *sign = NULL, *udid = NULL;
  const char *policy_path = NULL;
  int yes = 0, json = 0, wait = 0, syslog_seconds = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "c:o:u:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'c': case_id = optarg; break;
    case OPT_SCOPE: scope = optarg; break;
    case OPT_YES: yes = 1; break;
    case 'o': out_dir = optarg; break;
    case OPT_SIGN: sign = optarg; break;
    case 'u': udid = optarg; break;
    case OPT_WAIT: wait = optarg ? atoi(optarg) : 120; break;
    /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): required_argument */
    case OPT_SYSLOG: syslog_seconds = atoi(optarg); break;
    case OPT_POLICY: policy_path = optarg; break;
    case OPT_JSON: json = 1; break;
    case 'h': usage(stdout); return CP_OK;
    default: usage(stderr); return CP_E_USAGE;
    }
  }
  if (optind != argc || !case_id || wait < 0 || syslog_seconds < 0) {
    if (!case_id)
      fprintf(stderr, "caseprobe collect: --case ID is required\n");
    usage(stderr);
    return CP_E_USAGE;
  }

  cp_error err;
  cp_error_clear(&err);
  cp_consent consent;
  cp_err rc = cp_consent_decide(scope, yes, stdin, isatty(STDIN_FILENO), &consent, &err);
  if (rc != CP_OK)
    return cp_fail(&err);
  json_t *policy = NULL;
  if (policy_path && !(policy = load_policy(policy_path, &err))) {
    cp_consent_free(&consent);
    return cp_fail(&err);
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
    (void)cp_fail(&err);
  }
  cp_collect_result_free(&res);
  cp_consent_free(&consent);
  json_decref(policy);
  return (int)rc;
}
