/* caseprobe upload: sends a bundle to the support case's S3-compatible storage
 * (agent/upload/upload.h does the work; this file owns the command line, the progress
 * bar and the wording). Secrets never reach the output: URLs are printed
 * without their query string. */
#include "commands.h"
#include "hints.h"
#include "platform.h"
#include "progress.h"
#include "upload.h"
#include "upload_s3.h"

#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
  (void)sig;
  stop_flag = 1;
}

static void usage(FILE *out)
{
  fprintf(out, "usage: caseprobe upload BUNDLE --to URL [options]\n\n"
               "Uploads a bundle to S3-compatible storage and writes BUNDLE.receipt.json.\n\n"
               "  --to URL            a presigned URL (https://host/bucket/key?X-Amz-...), or\n"
               "                      http(s)://host[:port]/bucket/[key] with credentials; a URL\n"
               "                      ending in '/' uses the bundle's file name as the key\n"
               "  --credentials FILE  key=value lines: access_key_id, secret_access_key,\n"
               "                      session_token, region (mode 600); default: the\n"
               "                      AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN\n"
               "                      and AWS_REGION variables\n"
               "  --region REGION     SigV4 region (default AWS_REGION, else us-east-1)\n"
               "  --part-size SIZE    multipart part size, e.g. 8MiB (default; at least 5MiB)\n"
               "  --tries N           attempts per request on network errors and 5xx (default 4)\n"
               "  --limit-rate SIZE   at most SIZE bytes per second, e.g. 2MiB\n"
               "  --stall-timeout S   retry a request that moved under 1 KB/s for S seconds\n"
               "                      (default 60); connecting times out after 15 s\n"
               "  --cacert FILE       trust the CA certificates in FILE (PEM) for https://\n"
               "  --json              print the result as one JSON document\n"
               "  -h, --help          show this help\n\n"
               "Files larger than the part size go up in parts; an interrupted upload resumes\n"
               "where it stopped when run again (BUNDLE.upload-state keeps track). Exit status:\n"
               "0 done, 40 server unreachable, 41 credentials refused, 42 upload refused.\n");
}

typedef struct bar_ctx {
  cp_progress bar;
} bar_ctx;

static void on_progress(void *ud, uint64_t done, uint64_t total)
{
  bar_ctx *b = ud;
  b->bar.total = total;
  cp_progress_update(&b->bar, done, NULL);
}

static int print_json(const char *bundle, const cp_upload_result *r)
{
  json_t *j =
      json_pack("{s:s,s:s,s:s,s:s,s:I,s:i,s:i,s:s}", "bundle", bundle, "url", r->url, "etag",
                r->etag, "sha256", r->sha256, "size", (json_int_t)r->size, "parts", (int)r->parts,
                "resumed_parts", (int)r->parts_resumed, "receipt", r->receipt);
  if (!j)
    return cp_failf(CP_E_NOMEM, "result");
  int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? CP_OK : CP_E_IO;
  json_decref(j);
  putchar('\n');
  return rc;
}

int cp_cmd_upload(int argc, char **argv)
{
  enum {
    OPT_TO = 256,
    OPT_CREDS,
    OPT_REGION,
    OPT_PART,
    OPT_TRIES,
    OPT_RATE,
    OPT_STALL,
    OPT_CACERT,
    OPT_JSON
  };
  static const struct option longopts[] = {{"to", required_argument, NULL, OPT_TO},
                                           {"credentials", required_argument, NULL, OPT_CREDS},
                                           {"region", required_argument, NULL, OPT_REGION},
                                           {"part-size", required_argument, NULL, OPT_PART},
                                           {"tries", required_argument, NULL, OPT_TRIES},
                                           {"limit-rate", required_argument, NULL, OPT_RATE},
                                           {"stall-timeout", required_argument, NULL, OPT_STALL},
                                           {"cacert", required_argument, NULL, OPT_CACERT},
                                           {"json", no_argument, NULL, OPT_JSON},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  const char *to = NULL, *creds_file = NULL, *region = NULL, *cacert = NULL;
  uint64_t part_size = 0, rate = 0;
  int tries = 0, json = 0, c;
  long stall = 0;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case 'h': usage(stdout); return CP_OK;
    case OPT_TO: to = optarg; break;
    case OPT_CREDS: creds_file = optarg; break;
    case OPT_REGION: region = optarg; break;
    case OPT_CACERT: cacert = optarg; break;
    case OPT_JSON: json = 1; break;
    case OPT_PART:
      if (!cp_upload_parse_size(optarg, &part_size)) {
        usage(stderr);
        return cp_failf(CP_E_USAGE, "bad --part-size '%s'", optarg);
      }
      break;
    case OPT_RATE:
      if (!cp_upload_parse_size(optarg, &rate) || rate == 0) {
        usage(stderr);
        return cp_failf(CP_E_USAGE, "bad --limit-rate '%s'", optarg);
      }
      break;
    case OPT_STALL: {
      char *end;
      stall = strtol(optarg, &end, 10);
      if (*end || stall < 1 || stall > 3600) {
        usage(stderr);
        return cp_failf(CP_E_USAGE, "--stall-timeout takes seconds from 1 to 3600");
      }
      break;
    }
    case OPT_TRIES: {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (*end || v < 1 || v > 20) {
        usage(stderr);
        return cp_failf(CP_E_USAGE, "--tries takes a number from 1 to 20");
      }
      tries = (int)v;
      break;
    }
    default:
      usage(stderr);
      /* Never echo the argument: it may be a presigned URL. */
      return cp_failf(CP_E_USAGE, "unknown option or missing value");
    }
  }
  if (optind + 1 != argc || !to) {
    usage(stderr);
    return cp_failf(CP_E_USAGE, optind >= argc ? "name one BUNDLE to upload"
                                : !to          ? "--to URL is required"
                                               : "name one BUNDLE only");
  }
  const char *bundle = argv[optind];

  cp_upload_creds creds;
  cp_error err;
  cp_error_clear(&err);
  int group_readable = 0;
  if (cp_upload_load_creds(creds_file, &creds, &group_readable, &err) != CP_OK)
    return cp_fail(&err);
  if (group_readable)
    fprintf(stderr,
            "caseprobe: warning: the credentials file %s can be read by its group; "
            "run 'chmod 600 %s'\n",
            creds_file, creds_file);
  if (region) {
    if ((size_t)snprintf(creds.region, sizeof creds.region, "%s", region) >= sizeof creds.region)
      return cp_failf(CP_E_USAGE, "--region is too long");
  }

  bar_ctx bar;
  cp_progress_start(&bar.bar, "uploading", 0, json);
  cp_upload_opts o = {.url = to,
                      .creds = &creds,
                      .part_size = part_size,
                      .tries = tries,
                      .limit_rate = rate,
                      .low_speed_time = stall,
                      .ca_file = cacert,
                      .progress = on_progress,
                      .progress_ud = &bar,
                      .cancel = &stop_flag};
  stop_flag = 0;
  /* Ctrl-C, SIGTERM (the console handler on Windows) stop the transfer at
   * once with its state kept; after it they only set the flag, so the
   * receipt below is never cut half-written. */
  cp_on_stop_request(on_signal, 0);
  cp_upload_result r;
  cp_err rc = cp_upload_file(bundle, &o, &r, &err);
  cp_progress_finish(&bar.bar);
  memset(&creds, 0, sizeof creds);
  if (rc == CP_E_INTERRUPTED) {
    /* The generic hint says nothing was kept; here the finished parts were. */
    fprintf(stderr,
            "caseprobe: interrupted: the upload of %s stopped; run the same command again to "
            "resume (finished parts are not sent again)\n",
            bundle);
    return CP_E_INTERRUPTED;
  }
  if (rc != CP_OK)
    return cp_fail(&err);
  if (json)
    return print_json(bundle, &r);
  char resumed[64] = "";
  if (r.parts_resumed)
    (void)snprintf(resumed, sizeof resumed, ", %u resumed", r.parts_resumed);
  printf("uploaded %s (%llu bytes", bundle, (unsigned long long)r.size);
  if (r.parts)
    printf(", %u parts%s", r.parts, resumed);
  printf(")\n  to      %s\n  etag    %s\n  sha256  %s\n  receipt %s\n", r.url, r.etag, r.sha256,
         r.receipt);
  return CP_OK;
}
