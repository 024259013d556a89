/* caseprobe request: the support side's tool for case requests (see
 * formats/request/case_request.h and agent/assist/README.md):
 *   request keygen --key PRIV --pub PUB      a new organisation key pair
 *   request new ... --key PRIV -o FILE       make and sign a request
 *   request verify FILE [--trust-key PUB]    check one as a customer's caseprobe would */
#include "case_request.h"
#include "commands.h"
#include "consent.h"
#include "hints.h"
#include "request_load.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_TRUST 16

static void usage(FILE *out)
{
  fprintf(out,
          "usage: caseprobe request keygen --key PRIV --pub PUB\n"
          "       caseprobe request new --case ID --org NAME --scope SCOPE:REASON...\n"
          "                             [--upload URL] [--expires 7d] [--unsigned | --key PRIV]\n"
          "                             -o FILE\n"
          "       caseprobe request verify FILE [--trust-key PUB]... [--keys-dir DIR] [--json]\n\n"
          "A case request tells a customer's caseprobe what a support organisation asks\n"
          "for, why, and where to send it, signed with the organisation's Ed25519 key.\n\n"
          "  --key PRIV        the organisation's private key (PEM)\n"
          "  --pub PUB         where keygen writes the public key to give customers\n"
          "  --case ID         the support case id\n"
          "  --org NAME        the organisation's name, shown to the customer\n"
          "  --scope S:REASON  a scope asked for and why, in words for the customer\n"
          "                    (repeat; scopes: system, battery, crashes, syslog, apps, storage)\n"
          "  --upload URL      where the bundle goes (a presigned S3 PUT URL)\n"
          "  --expires WHEN    7d, 12h, 30m or 2026-12-14T00:00:00Z (default 7d)\n"
          "  --unsigned        make an unsigned request (saving to a file only, never upload)\n"
          "  -o, --output FILE the request file to write (never replaced)\n"
          "  --trust-key PUB   also trust this public key (verify)\n"
          "  --keys-dir DIR    the trusted keys folder (default: $CASEPROBE_ORG_KEYS or the\n"
          "                    platform's, /etc/caseprobe/org-keys on Linux)\n"
          "  --json            print the verified request as JSON\n"
          "  -h, --help        this help\n");
}

/* "7d" / "12h" / "30m" / "45s" from now, or an absolute UTC time; -1 if neither. */
static time_t parse_expiry(const char *s, time_t now)
{
  time_t abs_t = cp_request_parse_time(s);
  if (abs_t != (time_t)-1)
    return abs_t;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || v <= 0 || v > 3650L * 86400 || end[0] == 0 || end[1] != 0)
    return (time_t)-1;
  long unit = end[0] == 'd'   ? 86400
              : end[0] == 'h' ? 3600
              : end[0] == 'm' ? 60
              : end[0] == 's' ? 1
                              : 0;
  if (!unit || v > 3650L * 86400 / unit)
    return (time_t)-1;
  return now + (time_t)(v * unit);
}

static void utc(time_t t, char out[32])
{
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Writes text to path, refusing to replace a file. */
static int write_new(const char *path, const char *text)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0)
    return cp_failf(errno == EEXIST ? CP_E_EXISTS : CP_E_IO, "cannot create %s: %s", path,
                    strerror(errno));
  FILE *f = fdopen(fd, "wb");
  if (!f) {
    close(fd);
    return cp_failf(CP_E_IO, "cannot write %s", path);
  }
  int ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
  ok = fclose(f) == 0 && ok;
  if (!ok) {
    remove(path);
    return cp_failf(CP_E_IO, "cannot write %s", path);
  }
  return CP_OK;
}

static int cmd_keygen(const char *key, const char *pub)
{
  if (!key || !pub) {
    fprintf(stderr, "caseprobe request keygen: --key PRIV and --pub PUB are required\n");
    usage(stderr);
    return CP_E_USAGE;
  }
  cp_error err;
  cp_error_clear(&err);
  char fp[65];
  if (cp_request_keygen(key, pub, fp, &err) != CP_OK)
    return cp_fail(&err);
  fprintf(stderr, "caseprobe: key pair written; give customers %s (fingerprint %s)\n", pub, fp);
  printf("%s\n", fp);
  return CP_OK;
}

static int cmd_new(const char *case_id, const char *org, char **scopes, size_t nscopes,
                   const char *upload, const char *expires, int unsigned_req, const char *key,
                   const char *out)
{
  if (!case_id || !org || !nscopes || !out || (!key && !unsigned_req) || (key && unsigned_req)) {
    fprintf(stderr, "caseprobe request new: --case, --org, at least one --scope, -o and one of "
                    "--key or --unsigned are required\n");
    usage(stderr);
    return CP_E_USAGE;
  }
  time_t now = time(NULL), exp = parse_expiry(expires ? expires : "7d", now);
  if (exp == (time_t)-1) {
    fprintf(stderr, "caseprobe request new: --expires takes 7d, 12h, 30m or a UTC time like "
                    "2026-12-14T00:00:00Z\n");
    return CP_E_USAGE;
  }
  char created[32], expiry[32];
  utc(now, created);
  utc(exp, expiry);
  json_t *p = json_pack("{s:s, s:s, s:[], s:s, s:s}", "case_id", case_id, "org", org, "scopes",
                        "created", created, "expires", expiry);
  if (!p)
    return cp_failf(CP_E_NOMEM, "request");
  json_t *arr = json_object_get(p, "scopes");
  for (size_t i = 0; i < nscopes; i++) {
    char *colon = strchr(scopes[i], ':');
    if (!colon || colon == scopes[i] || !colon[1]) {
      json_decref(p);
      fprintf(stderr, "caseprobe request new: --scope takes SCOPE:REASON, e.g. "
                      "battery:\"to check the battery's health\"\n");
      return CP_E_USAGE;
    }
    *colon = 0;
    if (!cp_scope_known(scopes[i])) {
      fprintf(stderr,
              "caseprobe request new: unknown scope '%s' (scopes: system, battery, "
              "crashes, syslog, apps, storage)\n",
              scopes[i]);
      json_decref(p);
      return CP_E_USAGE;
    }
    json_array_append_new(arr, json_pack("{s:s, s:s}", "scope", scopes[i], "reason", colon + 1));
  }
  if (upload)
    json_object_set_new(p, "upload", json_pack("{s:s}", "url", upload));
  char *payload = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(p);
  if (!payload)
    return cp_failf(CP_E_NOMEM, "request");
  /* Check our own output as a customer would (an unknown scope, a control
   * character in a reason, a bad URL fail here, not at the customer's). */
  cp_error err;
  cp_error_clear(&err);
  char *text = NULL;
  cp_err rc;
  if (unsigned_req) {
    json_t *env = json_pack("{s:s, s:i, s:s}", "format", "caseprobe-case-request", "version", 1,
                            "payload", payload);
    text = env ? json_dumps(env, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(env);
    rc = text ? CP_OK : cp_error_set(&err, CP_E_NOMEM, "request");
  } else {
    rc = cp_case_request_sign(payload, key, &text, &err);
  }
  free(payload);
  if (rc == CP_OK) {
    const char *keys[] = {key, NULL};
    cp_case_request check;
    rc = cp_case_request_load(text, strlen(text), keys, now, &check, &err);
    cp_case_request_free(&check);
  }
  if (rc != CP_OK) {
    free(text);
    return cp_fail(&err);
  }
  int wrc = write_new(out, text);
  free(text);
  if (wrc == CP_OK)
    fprintf(stderr, "caseprobe: %s request for case %s written to %s (expires %s)\n",
            unsigned_req ? "unsigned" : "signed", case_id, out, expiry);
  return wrc;
}

static int cmd_verify(const char *path, const char *keys_dir, const char *const *trust, int json)
{
  cp_error err;
  cp_error_clear(&err);
  cp_case_request r;
  if (cp_request_load_file(path, keys_dir, trust, &r, &err) != CP_OK)
    return cp_fail(&err);
  if (json) {
    json_t *sc = json_array();
    for (size_t i = 0; i < r.nscopes; i++)
      json_array_append_new(
          sc, json_pack("{s:s, s:s}", "scope", r.scopes[i].scope, "reason", r.scopes[i].reason));
    char exp[32];
    utc(r.expires, exp);
    json_t *j = json_pack("{s:s, s:s, s:o, s:s, s:b, s:s, s:b}", "case_id", r.case_id, "org", r.org,
                          "scopes", sc, "expires", exp, "signed", r.is_signed, "key_sha256",
                          r.key_sha256, "upload", r.upload_url != NULL);
    if (j)
      json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    printf("\n");
    json_decref(j);
  } else if (r.is_signed) {
    printf("Requested by %s - verified (case %s, key %.16s...)\n", r.org, r.case_id, r.key_sha256);
  } else {
    printf("Unsigned request for case %s (claims to be from %s): it can be used to save a "
           "bundle to a file, not to upload\n",
           r.case_id, r.org);
  }
  cp_case_request_free(&r);
  return CP_OK;
}

int cp_cmd_request(int argc, char **argv)
{
  enum {
    OPT_ORG = 256,
    OPT_SCOPE,
    OPT_UPLOAD,
    OPT_EXPIRES,
    OPT_UNSIGNED,
    OPT_KEY,
    OPT_PUB,
    OPT_TRUST,
    OPT_KEYSDIR,
    OPT_JSON
  };
  static const struct option longopts[] = {
      {"case", required_argument, NULL, 'c'},
      {"org", required_argument, NULL, OPT_ORG},
      {"scope", required_argument, NULL, OPT_SCOPE},
      {"upload", required_argument, NULL, OPT_UPLOAD},
      {"expires", required_argument, NULL, OPT_EXPIRES},
      {"unsigned", no_argument, NULL, OPT_UNSIGNED},
      {"key", required_argument, NULL, OPT_KEY},
      {"pub", required_argument, NULL, OPT_PUB},
      {"trust-key", required_argument, NULL, OPT_TRUST},
      {"keys-dir", required_argument, NULL, OPT_KEYSDIR},
      {"json", no_argument, NULL, OPT_JSON},
      {"output", required_argument, NULL, 'o'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *case_id = NULL, *org = NULL, *upload = NULL, *expires = NULL, *key = NULL;
  const char *pub = NULL, *keys_dir = NULL, *out = NULL;
  char *scopes[CP_REQUEST_MAX_SCOPES];
  const char *trust[MAX_TRUST + 1] = {0};
  size_t nscopes = 0, ntrust = 0;
  int unsigned_req = 0, json = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "c:o:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'c': case_id = optarg; break;
    case OPT_ORG: org = optarg; break;
    case OPT_SCOPE:
      if (nscopes == CP_REQUEST_MAX_SCOPES) {
        fprintf(stderr, "caseprobe request: at most %d --scope\n", CP_REQUEST_MAX_SCOPES);
        return CP_E_USAGE;
      }
      scopes[nscopes++] = optarg;
      break;
    case OPT_UPLOAD: upload = optarg; break;
    case OPT_EXPIRES: expires = optarg; break;
    case OPT_UNSIGNED: unsigned_req = 1; break;
    case OPT_KEY: key = optarg; break;
    case OPT_PUB: pub = optarg; break;
    case OPT_TRUST:
      if (ntrust == MAX_TRUST) {
        fprintf(stderr, "caseprobe request: at most %d --trust-key\n", MAX_TRUST);
        return CP_E_USAGE;
      }
      trust[ntrust++] = optarg;
      break;
    case OPT_KEYSDIR: keys_dir = optarg; break;
    case OPT_JSON: json = 1; break;
    case 'o': out = optarg; break;
    case 'h': usage(stdout); return CP_OK;
    default: usage(stderr); return CP_E_USAGE;
    }
  }
  const char *sub = optind < argc ? argv[optind] : NULL;
  if (sub && !strcmp(sub, "keygen") && optind + 1 == argc)
    return cmd_keygen(key, pub);
  if (sub && !strcmp(sub, "new") && optind + 1 == argc)
    return cmd_new(case_id, org, scopes, nscopes, upload, expires, unsigned_req, key, out);
  if (sub && !strcmp(sub, "verify") && optind + 2 == argc)
    return cmd_verify(argv[optind + 1], keys_dir, trust, json);
  usage(stderr);
  return CP_E_USAGE;
}
