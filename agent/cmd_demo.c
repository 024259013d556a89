/*
 * caseprobe demo: the README's main job. Starts caseprobe-sim with a shipped
 * profile on a private socket, collects with every scope (as if the person
 * had agreed), verifies the bundle, writes its report.html beside it so it
 * opens in a browser, and stops the simulator (a child process through
 * platform.c). The demo is a build-tree convenience for POSIX hosts (the
 * simulator listens on a UNIX socket); real collection needs none of it.
 */
#include "bundle.h"
#include "bundle_read.h"
#include "cli_common.h"
#include "collect.h"
#include "commands.h"
#include "consent.h"
#include "hints.h"
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static void usage(FILE *out)
{
  fprintf(out, "usage: caseprobe demo [-o DIR] [--profile DIR] [--sim PATH] [--json]\n\n"
               "Starts the built-in simulated iPhone, collects a bundle from it with every\n"
               "scope, verifies it, and prints the report path and (last) the bundle path.\n\n"
               "  -o, --output DIR  folder for the bundle (default: ./caseprobe-demo)\n"
               "  --profile DIR     simulator profile (default: tests/sim/profiles/iphone-modern)\n"
               "  --sim PATH        the caseprobe-sim program (default: next to caseprobe)\n"
               "  -j, --json        print {\"bundle\": ..., \"report\": ...}\n"
               "  -h, --help        this help\n");
}

static int is_exec(const char *p)
{
  return p && access(p, X_OK) == 0;
}

/* Starts the simulator and waits for its "ready" line (cp_proc_start:
 * posix_spawn, CreateProcessW on Windows). */
static cp_err start_sim(const char *sim, const char *sock, const char *profile, cp_proc **proc,
                        cp_error *err)
{
  const char *argv[] = {sim, "--socket", sock, profile, NULL};
  FILE *f = NULL;
  if (cp_proc_start(argv, proc, &f) != 0)
    return cp_error_set(err, CP_E_IO, "could not start the simulator %s: %s", sim, strerror(errno));
  char line[256];
  cp_err rc = cp_error_set(err, CP_E_USBMUXD, "the simulator (%s) did not start", sim);
  while (fgets(line, sizeof line, f)) {
    if (!strcmp(line, "ready\n")) {
      rc = CP_OK;
      cp_error_clear(err);
      break;
    }
  }
  /* The simulator keeps writing nothing more to stdout; close our end. */
  (void)fclose(f);
  return rc;
}

int cp_cmd_demo(int argc, char **argv)
{
  const char *out_dir = "caseprobe-demo";
  const char *profile = CP_SOURCE_DIR "/tests/sim/profiles/iphone-modern";
  const char *sim = getenv("CASEPROBE_SIM");
  cp_cli cli = {0};
  int first, rc0;
  const cp_cli_opt opts[] = {
      {"output", 'o', CP_ARG_STRING, &out_dir, 0, 0, NULL},
      {"profile", 0, CP_ARG_STRING, &profile, 0, 0, NULL},
      {"sim", 0, CP_ARG_STRING, &sim, 0, 0, NULL},
      {NULL, 0, CP_ARG_FLAG, NULL, 0, 0, NULL},
  };
  if (!cp_cli_parse(argc, argv, CP_CLI_JSON, opts, 0, 0, usage, &cli, &first, &rc0))
    return rc0;
  int json = cli.json;
  if (!is_exec(sim))
    sim = CP_BUILD_DIR "/caseprobe-sim";
  if (!is_exec(sim))
    return cp_failf(CP_E_NOT_FOUND, "the simulator caseprobe-sim (build it with cmake --build, "
                                    "or pass --sim PATH)");
  struct stat st;
  if (stat(profile, &st) != 0 || !S_ISDIR(st.st_mode))
    return cp_failf(CP_E_NOT_FOUND, "simulator profile %s", profile);
  if (mkdir(out_dir, 0700) != 0 && errno != EEXIST)
    return cp_failf(CP_E_IO, "cannot create %s: %s", out_dir, strerror(errno));

  char tmp[] = "/tmp/caseprobe-demo.XXXXXX";
  if (!mkdtemp(tmp))
    return cp_failf(CP_E_IO, "cannot create a temporary folder: %s", strerror(errno));
  char sock[sizeof tmp + 16], addr[sizeof sock + 8];
  snprintf(sock, sizeof sock, "%s/usbmuxd", tmp);
  snprintf(addr, sizeof addr, "UNIX:%s", sock);

  cp_error err;
  cp_error_clear(&err);
  cp_consent consent;
  memset(&consent, 0, sizeof consent);
  cp_collect_result res;
  memset(&res, 0, sizeof res);
  cp_proc *sim_proc = NULL;
  char report[4200] = "";
  cp_err rc = start_sim(sim, sock, profile, &sim_proc, &err);
  if (rc == CP_OK && setenv("USBMUXD_SOCKET_ADDRESS", addr, 1) != 0)
    rc = cp_error_set(&err, CP_E_IO, "setenv");
  if (rc == CP_OK) {
    fprintf(stderr, "caseprobe demo: simulated device from %s\n", profile);
    rc = cp_consent_decide("all", 1, NULL, 0, &consent, &err);
  }
  if (rc == CP_OK) {
    cp_collect_opts o;
    memset(&o, 0, sizeof o);
    o.case_id = "DEMO-0001";
    o.out_dir = out_dir;
    o.scopes_granted = (const char *const *)consent.granted;
    o.scopes_refused = (const char *const *)consent.refused;
    o.consent_how = consent.how;
    o.consent_text = consent.text;
    o.consent_lang = consent.lang;
    o.syslog_seconds = 2;
    o.report_copy = 1; /* report.html beside the bundle, written while it was made */
    o.progress_bar = !json;
    rc = cp_collect_run(&o, &res, &err);
  }
  if ((rc == CP_OK || rc == CP_E_PARTIAL) && res.bundle_path) {
    if (rc == CP_E_PARTIAL)
      (void)cp_fail(&err);
    size_t n = strlen(res.bundle_path);
    size_t suffix = strlen(CP_BUNDLE_SUFFIX);
    snprintf(report, sizeof report, "%.*s.report.html", (int)(n > suffix ? n - suffix : n),
             res.bundle_path);
    if (json) {
      json_t *doc =
          json_pack("{s:s, s:s, s:s, s:I, s:O}", "bundle", res.bundle_path, "report", report,
                    "sha256", res.sha256, "size", (json_int_t)res.size, "probes", res.probes);
      if (doc)
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
      printf("\n");
      json_decref(doc);
    } else {
      fprintf(stderr, "caseprobe demo: bundle verified: every member matches its manifest\n");
      printf("report: %s\n%s\n", report, res.bundle_path);
    }
  }
  cp_proc_stop(sim_proc);
  unlink(sock);
  char ctl[sizeof sock + 8];
  snprintf(ctl, sizeof ctl, "%s.ctl", sock);
  unlink(ctl);
  rmdir(tmp);
  cp_collect_result_free(&res);
  cp_consent_free(&consent);
  if (rc != CP_OK && rc != CP_E_PARTIAL)
    return cp_fail(&err);
  return (int)rc;
}
