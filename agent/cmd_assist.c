/* caseprobe assist: the customer's own collector. Starts the local page
 * (agent/assist/assist.h), opens the browser on it (or prints its URL with
 * --no-browser, as the first line of stdout), and waits until the page is
 * finished or gone. A case request (--case-request) is verified before
 * anything else: a tampered, expired or unknown-key request stops here, and
 * nothing is read from the device. */
#include "assist.h"
#include "cli_common.h"
#include "commands.h"
#include "hints.h"
#include "i18n.h"
#include "platform.h"
#include "request_load.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TRUST 16

static void usage(FILE *out)
{
  fprintf(out, "usage: caseprobe assist [--case-request FILE] [--case ID] [--no-browser] [-o DIR]\n"
               "                        [--trust-key PUB]... [--keys-dir DIR] [-u UDID]\n\n"
               "Opens a page in your browser that walks you through sending diagnostics from\n"
               "your iPhone to a support case: connect the phone, see who asks and why, choose\n"
               "what to share, look at exactly what will be sent, then send it or save it.\n"
               "The page is served on this computer only (127.0.0.1 and ::1).\n\n"
               "  --case-request FILE  the case request the support agent sent you (verified\n"
               "                       against the organisation keys installed with caseprobe)\n"
               "  --case ID            the case number, when there is no case request\n"
               "  --no-browser         print the page's address as the first line instead of\n"
               "                       opening the browser\n"
               "  -o, --output DIR     where \"save to a file\" puts the bundle (default: .)\n"
               "  --trust-key PUB      also trust this organisation public key (PEM)\n"
               "  --keys-dir DIR       the organisation keys folder (default: $CASEPROBE_ORG_KEYS\n"
               "                       or the platform's, /etc/caseprobe/org-keys on Linux)\n"
               "  --sign KEY           sign bundles with this Ed25519 private key (PEM)\n"
               "  --cacert FILE        trust the CA certificates in FILE for the upload\n"
               "  --idle-timeout S     stop after S seconds with nothing done (default 1800)\n"
               "  --page-timeout S     stop S seconds after the page was closed (default 20)\n"
               "  -u, --udid UDID      the device (default: the only one attached)\n"
               "  -h, --help           this help\n");
}

int cp_cmd_assist(int argc, char **argv)
{
  enum {
    OPT_REQ = 256,
    OPT_CASE,
    OPT_NOBROWSER,
    OPT_TRUST,
    OPT_KEYSDIR,
    OPT_SIGN,
    OPT_CACERT,
    OPT_IDLE,
    OPT_PAGE
  };
  static const struct option longopts[] = {
      {"case-request", required_argument, NULL, OPT_REQ},
      {"case", required_argument, NULL, OPT_CASE},
      {"no-browser", no_argument, NULL, OPT_NOBROWSER},
      {"output", required_argument, NULL, 'o'},
      {"trust-key", required_argument, NULL, OPT_TRUST},
      {"keys-dir", required_argument, NULL, OPT_KEYSDIR},
      {"sign", required_argument, NULL, OPT_SIGN},
      {"cacert", required_argument, NULL, OPT_CACERT},
      {"idle-timeout", required_argument, NULL, OPT_IDLE},
      {"page-timeout", required_argument, NULL, OPT_PAGE},
      {"udid", required_argument, NULL, 'u'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *req_path = NULL, *keys_dir = NULL, *trust[MAX_TRUST + 1] = {0};
  size_t ntrust = 0;
  int no_browser = 0, c;
  cp_assist_opts o;
  memset(&o, 0, sizeof o);
  o.out_dir = ".";
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:u:h", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_REQ: req_path = optarg; break;
    case OPT_CASE: o.case_id = optarg; break;
    case OPT_NOBROWSER: no_browser = 1; break;
    case 'o': o.out_dir = optarg; break;
    case OPT_TRUST:
      if (ntrust == MAX_TRUST) {
        fprintf(stderr, "caseprobe assist: at most %d --trust-key\n", MAX_TRUST);
        return CP_E_USAGE;
      }
      trust[ntrust++] = optarg;
      break;
    case OPT_KEYSDIR: keys_dir = optarg; break;
    case OPT_SIGN: o.sign_key = optarg; break;
    case OPT_CACERT: o.ca_file = optarg; break;
    case OPT_IDLE: o.idle_seconds = atoi(optarg); break;
    case OPT_PAGE: o.heartbeat_seconds = atoi(optarg); break;
    case 'u': o.udid = optarg; break;
    case 'h': usage(stdout); return CP_OK;
    default: usage(stderr); return CP_E_USAGE;
    }
  }
  if (optind != argc || o.idle_seconds < 0 || o.heartbeat_seconds < 0) {
    usage(stderr);
    return CP_E_USAGE;
  }
  cp_i18n_init();
  cp_error err;
  cp_error_clear(&err);
  cp_case_request req;
  memset(&req, 0, sizeof req);
  if (req_path) {
    if (cp_request_load_file(req_path, keys_dir, trust, &req, &err) != CP_OK)
      return cp_fail(&err); /* before any device is looked at */
    o.request = &req;
    if (!req.is_signed)
      fprintf(stderr, "caseprobe: this case request is not signed; it can be used to save a "
                      "file, not to send one\n");
  }
  cp_cli_catch_signals(); /* Ctrl-C, SIGTERM; the console handler on Windows */
  cp_assist *a = NULL;
  char *url = NULL;
  if (cp_assist_start(&o, &a, &url, &err) != CP_OK) {
    cp_case_request_free(&req);
    return cp_fail(&err);
  }
  if (no_browser) {
    printf("%s\n", url);
    fflush(stdout);
  } else if (cp_open_browser(url) != 0) {
    fprintf(stderr, "caseprobe: could not open a browser; open this address yourself:\n");
    printf("%s\n", url);
    fflush(stdout);
  } else {
    fprintf(stderr, "caseprobe: the page is open in your browser; close it when you are done\n");
  }
  const char *why = cp_assist_wait(a, &cp_cli_interrupted);
  cp_assist_free(a); /* deletes everything collected and not saved */
  free(url);
  cp_case_request_free(&req);
  fprintf(stderr, "caseprobe: assist finished (%s)\n",
          !strcmp(why, "closed")      ? "the page was closed"
          : !strcmp(why, "page_gone") ? "the page went away"
          : !strcmp(why, "idle")      ? "nothing was done for a long time"
                                      : "stopped");
  return !strcmp(why, "stopped") ? CP_E_INTERRUPTED : CP_OK;
}
