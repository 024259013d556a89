/* caseprobe verify: re-hashes every member of a bundle against its manifest
 * and checks the signature, without unpacking anything. The findings (every
 * missing, extra or changed member) go to stdout; the one-line failure with
 * its hint goes to stderr through cp_fail(). */
#include "bundle_check.h"
#include "bundle_read.h"
#include "cli_common.h"
#include "commands.h"
#include "escape.h"
#include "hints.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
  fprintf(out, "usage: caseprobe verify BUNDLE [--key PUBKEY.pem] [--json]\n\n"
               "Re-hashes every member of BUNDLE against its manifest.json and reports\n"
               "members that are missing, extra or changed, and the signature state.\n\n"
               "  -k, --key FILE  Ed25519 public key (PEM): the bundle must be signed by it\n"
               "  -j, --json      one JSON document on stdout\n"
               "  -h, --help      this help\n\n"
               "Exit status: 0 all members match; 31 a member does not match (named on\n"
               "stderr); 32 signature missing or wrong (with --key); 7 not a bundle.\n");
}

/* Classes a policy turned off for this bundle: from redaction.json, and from
 * consent.json (they must agree; any one listing a class is enough to say
 * it). Never silent (issue 14). */
static void print_classes_off(const json_t *rep)
{
  const json_t *a = json_object_get(json_object_get(rep, "redaction"), "classes_off");
  const json_t *b = json_object_get(json_object_get(rep, "consent"), "redaction_classes_off");
  size_t n = json_array_size(a) + json_array_size(b);
  printf("redaction  %s", n ? "classes turned off by policy: " : "every class on\n");
  if (!n)
    return;
  const json_t *use = json_array_size(a) ? a : b;
  size_t i;
  json_t *v;
  json_array_foreach((json_t *)use, i, v) printf("%s%s", i ? ", " : "", cp_cli_safe_str(v, "?"));
  printf("%s\n", json_equal((json_t *)(a ? a : json_null()), (json_t *)(b ? b : json_null()))
                     ? ""
                     : " (consent.json and redaction.json DISAGREE)");
}

/* The failure sentence may quote a member name from the bundle. */
static cp_err fail_escaped(cp_error *err)
{
  char tmp[sizeof err->detail];
  cp_escape_into(err->detail, tmp, sizeof tmp);
  memcpy(err->detail, tmp, sizeof tmp);
  return cp_fail(err);
}

/* The human report: one line per finding, so a technician sees all of them. */
static void print_text(const char *path, const json_t *rep)
{
  const json_t *members = json_object_get(rep, "members");
  size_t listed = 0, ok = 0, i;
  json_t *m;
  json_array_foreach((json_t *)members, i, m)
  {
    const char *st = cp_cli_safe_str(json_object_get(m, "status"), "?");
    if (strcmp(st, "extra") != 0)
      listed++;
    if (!strcmp(st, "ok"))
      ok++;
  }
  printf("bundle     ");
  cp_fputs_safe(path, stdout);
  printf("\n");
  printf("case       %s, made %s\n", cp_cli_safe_str(json_object_get(rep, "case_id"), "?"),
         cp_cli_safe_str(json_object_get(rep, "created"), "?"));
  printf("members    %zu listed, %zu match\n", listed, ok);
  json_array_foreach(json_object_get(rep, "changed"), i, m)
  {
    long long s = json_integer_value(json_object_get(m, "size"));
    long long e = json_integer_value(json_object_get(m, "expected_size"));
    if (s != e)
      printf("  CHANGED  %s (size %lld, manifest says %lld)\n",
             cp_cli_safe_str(json_object_get(m, "path"), "?"), s, e);
    else
      printf("  CHANGED  %s (same size, different SHA-256)\n",
             cp_cli_safe_str(json_object_get(m, "path"), "?"));
  }
  json_array_foreach(json_object_get(rep, "missing"), i, m)
      printf("  MISSING  %s\n", cp_cli_safe_str(m, "?"));
  json_array_foreach(json_object_get(rep, "extra"), i, m)
      printf("  EXTRA    %s (not in the manifest)\n", cp_cli_safe_str(m, "?"));
  const json_t *sig = json_object_get(rep, "signature");
  const char *state = cp_cli_safe_str(json_object_get(sig, "state"), "?");
  const char *words = !strcmp(state, "good")          ? "good (Ed25519)"
                      : !strcmp(state, "not_checked") ? "present, not checked (no --key)"
                      : !strcmp(state, "unsigned")    ? "none (the bundle is not signed)"
                      : !strcmp(state, "wrong_key")   ? "WRONG KEY (signed by another key)"
                      : !strcmp(state, "bad")         ? "BAD (manifest changed after signing)"
                                                      : "MISSING";
  printf("signature  %s\n", words);
  print_classes_off(rep);
  printf("result     %s\n", json_is_true(json_object_get(rep, "ok")) ? "OK" : "FAILED");
}

int cp_cmd_verify(int argc, char **argv)
{
  const char *key = NULL;
  int first, rc0;
  cp_cli cli = {0};
  const cp_cli_opt opts[] = {
      {"key", 'k', CP_ARG_STRING, &key, 0, 0, NULL},
      {NULL, 0, CP_ARG_FLAG, NULL, 0, 0, NULL},
  };
  if (!cp_cli_parse(argc, argv, CP_CLI_JSON, opts, 1, 1, usage, &cli, &first, &rc0))
    return rc0;
  int json = cli.json;
  const char *path = argv[first];
  cp_error err;
  cp_error_clear(&err);
  json_t *rep = NULL;
  cp_err rc = cp_bundle_check_file(path, key, &rep, &err);
  if (rep) {
    if (json) {
      json_t *doc = json_deep_copy(rep);
      if (doc) {
        json_object_set_new(doc, "bundle", json_string(path));
        /* verify's JSON is about integrity; inspect shows the contents. */
        json_t *off = json_object_get(json_object_get(doc, "redaction"), "classes_off");
        json_object_set_new(doc, "redaction_classes_off", off ? json_incref(off) : json_array());
        json_object_del(doc, "consent");
        json_object_del(doc, "redaction");
        json_object_del(doc, "crash_index");
        (void)cp_cli_print_json_ascii(doc);
        json_decref(doc);
      }
    } else {
      print_text(path, rep);
    }
    json_decref(rep);
  } else if (json && rc != CP_OK) {
    json_t *doc = json_pack("{s:s, s:b, s:s, s:s}", "bundle", path, "ok", 0, "error",
                            cp_err_name(rc), "detail", err.detail);
    if (doc) {
      (void)cp_cli_print_json_ascii(doc);
      json_decref(doc);
    }
  }
  if (rc != CP_OK)
    return fail_escaped(&err);
  return CP_OK;
}
