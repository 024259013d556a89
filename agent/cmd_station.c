/* caseprobe station: the command line of station mode (agent/station/station.c). */
#include "cli_common.h"
#include "commands.h"
#include "hints.h"
#include "station.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
  fprintf(out, "usage: caseprobe station --policy FILE --spool DIR [--events FILE] [--once N]\n"
               "                         [--syslog | --no-syslog]\n\n"
               "Unattended bench station: collects a consented, redacted bundle from every\n"
               "device plugged in (in parallel, once per attach) under the station policy,\n"
               "into SPOOL/ready/ (uploaded ones move to SPOOL/sent/), and reports each step\n"
               "as JSON lines. Stops cleanly on SIGTERM (see shutdown_grace_seconds).\n\n"
               "  -p, --policy FILE   station policy (see station-policy.example)\n"
               "  -s, --spool DIR     spool folder (created if needed; one station per spool)\n"
               "  -e, --events FILE   write events there (appended) instead of stdout\n"
               "  -n, --once N        exit after N devices were handled (tests, benchmarks)\n"
               "      --syslog        log through syslog (default when stderr is no terminal)\n"
               "      --no-syslog     log to stderr\n"
               "  -h, --help          this help\n\n"
               "Events: station_started, cleaned, attached, trust_pending, locked, collecting,\n"
               "bundle_ready, uploaded, failed (code, message, hint), detached, stopping,\n"
               "station_stopped; each with time and, for a device, its udid, model and name\n"
               "(unless the policy redacts device names); bundle_ready adds the battery\n"
               "verdict and crash counts.\n"
               "Exit status: 0 all handled devices succeeded, 35 some failed, 50 a shutdown\n"
               "cancelled a collection, 34 invalid policy.\n");
}

int cp_cmd_station(int argc, char **argv)
{
  cp_station_opts o;
  memset(&o, 0, sizeof o);
  o.use_syslog = -1;
  int use_syslog = 0, no_syslog = 0, first, rc0;
  cp_cli cli = {0};
  const cp_cli_opt opts[] = {
      {"policy", 'p', CP_ARG_STRING, &o.policy_path, 0, 0, NULL},
      {"spool", 's', CP_ARG_STRING, &o.spool_dir, 0, 0, NULL},
      {"events", 'e', CP_ARG_STRING, &o.events_path, 0, 0, NULL},
      {"once", 'n', CP_ARG_INT, &o.once, 1, 1000000, "devices"},
      {"syslog", 0, CP_ARG_FLAG, &use_syslog, 0, 0, NULL},
      {"no-syslog", 0, CP_ARG_FLAG, &no_syslog, 0, 0, NULL},
      {NULL, 0, CP_ARG_FLAG, NULL, 0, 0, NULL},
  };
  if (!cp_cli_parse(argc, argv, 0, opts, 0, 0, usage, &cli, &first, &rc0))
    return rc0;
  if (use_syslog && no_syslog) {
    usage(stderr);
    return cp_failf(CP_E_USAGE, "--syslog and --no-syslog exclude each other");
  }
  if (use_syslog || no_syslog)
    o.use_syslog = use_syslog;
  if (!o.policy_path || !o.spool_dir) {
    usage(stderr);
    return cp_failf(CP_E_USAGE, "--policy and --spool are required");
  }
  return cp_station_run(&o);
}
