/* caseprobe station: the command line of station mode (agent/station/station.c). */
#include "commands.h"
#include "hints.h"
#include "station.h"

#include <getopt.h>
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
               "station_stopped; each with time and, for a device, its udid.\n"
               "Exit status: 0 all handled devices succeeded, 35 some failed, 50 a shutdown\n"
               "cancelled a collection, 34 invalid policy.\n");
}

int cp_cmd_station(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"policy", required_argument, NULL, 'p'}, {"spool", required_argument, NULL, 's'},
      {"events", required_argument, NULL, 'e'}, {"once", required_argument, NULL, 'n'},
      {"syslog", no_argument, NULL, 'S'},       {"no-syslog", no_argument, NULL, 'N'},
      {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
  cp_station_opts o;
  memset(&o, 0, sizeof o);
  o.use_syslog = -1;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "p:s:e:n:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'p': o.policy_path = optarg; break;
    case 's': o.spool_dir = optarg; break;
    case 'e': o.events_path = optarg; break;
    case 'n': {
      char *end;
      long n = strtol(optarg, &end, 10);
      if (*optarg == '\0' || *end || n < 1 || n > 1000000) {
        usage(stderr);
        return cp_failf(CP_E_USAGE, "--once takes a number of devices (1 or more), not '%s'",
                        optarg);
      }
      o.once = (int)n;
      break;
    }
    case 'S': o.use_syslog = 1; break;
    case 'N': o.use_syslog = 0; break;
    case 'h': usage(stdout); return CP_OK;
    default: usage(stderr); return CP_E_USAGE;
    }
  }
  if (optind < argc || !o.policy_path || !o.spool_dir) {
    usage(stderr);
    return cp_failf(CP_E_USAGE, "%s",
                    optind < argc ? "unexpected argument" : "--policy and --spool are required");
  }
  return cp_station_run(&o);
}
