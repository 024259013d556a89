/* caseprobe inspect: what a bundle holds, read as a stream (nothing is
 * unpacked): case, device summary, members with sizes and scopes, consent,
 * redaction counts and crash groups. It runs the same pass as verify, so it
 * also says whether the bundle is intact, and exits non-zero when it is not. */
#include "bundle_check.h"
#include "bundle_read.h"
#include "cli_common.h"
#include "commands.h"
#include "escape.h"
#include "hints.h"

#include <stdio.h>
#include <string.h>

#define MAX_GROUPS_SHOWN 50

static void usage(FILE *out)
{
  fprintf(out, "usage: caseprobe inspect BUNDLE [--json]\n\n"
               "Summarises BUNDLE without unpacking it: case, device, members with\n"
               "sizes and scopes, consent, redaction counts, crash groups, integrity.\n\n"
               "  -j, --json   one JSON document on stdout\n"
               "  -h, --help   this help\n");
}

/* Bundle text can come from a device: never let it send terminal escapes
 * (escape.h: controls, C1 and direction marks escaped). */
static void put_safe(const char *s)
{
  cp_fputs_safe(s, stdout);
}

static void print_scalar(const json_t *v)
{
  if (json_is_string(v))
    put_safe(json_string_value(v));
  else if (json_is_integer(v))
    printf("%lld", (long long)json_integer_value(v));
  else if (json_is_real(v))
    printf("%g", json_real_value(v));
  else if (json_is_boolean(v))
    fputs(json_is_true(v) ? "yes" : "no", stdout);
  else if (json_is_array(v))
    printf("(%zu items)", json_array_size(v));
  else if (json_is_object(v))
    printf("(%zu fields)", json_object_size(v));
  else
    fputs("-", stdout);
}

static void print_names(const char *label, const json_t *a)
{
  size_t i;
  json_t *v;
  printf("  %-9s", label);
  if (!json_array_size(a))
    fputs("none", stdout);
  json_array_foreach((json_t *)a, i, v)
  {
    fputs(i ? ", " : "", stdout);
    print_scalar(v);
  }
  fputc('\n', stdout);
}

static const json_t *first_of(const json_t *o, const char *const *keys)
{
  for (size_t i = 0; json_is_object(o) && keys[i]; i++) {
    const json_t *v = json_object_get(o, keys[i]);
    if (v && !json_is_null(v))
      return v;
  }
  return NULL;
}

/* Crash groups from crashes/index.json as rows {process, exception, count}:
 * from the index's triage groups ("groups" or "triage"."groups", as the
 * crash probe writes them) when present, else by grouping its report rows
 * ("reports", or the index itself as an array) by process and exception.
 * New reference, or NULL when there is no usable index. */
static json_t *crash_groups(const json_t *index)
{
  static const char *const proc_keys[] = {"process", "name", "app", NULL};
  static const char *const exc_keys[] = {"exception", "exception_type", "type", "bug_type", NULL};
  const json_t *groups = json_object_get(index, "groups");
  if (!json_is_array(groups))
    groups = json_object_get(json_object_get(index, "triage"), "groups");
  const json_t *rows = json_is_array(groups)  ? groups
                       : json_is_array(index) ? index
                                              : json_object_get(index, "reports");
  if (!json_is_array(rows))
    return NULL;
  json_t *by_key = json_object(), *out = json_array();
  size_t i;
  json_t *row;
  json_array_foreach((json_t *)rows, i, row)
  {
    const json_t *p = first_of(row, proc_keys), *e = first_of(row, exc_keys);
    const json_t *n = json_is_array(groups) ? json_object_get(row, "count") : NULL;
    const char *ps = json_is_string(p) ? json_string_value(p) : "?";
    const char *es = json_is_string(e) ? json_string_value(e) : "";
    json_int_t add = json_is_integer(n) ? json_integer_value(n) : 1;
    char key[512];
    snprintf(key, sizeof key, "%s\x1f%s", ps, es);
    json_t *g = json_object_get(by_key, key);
    if (!g) {
      g = json_pack("{s:s, s:s, s:i}", "process", ps, "exception", es, "count", 0);
      if (!g || json_object_set_new(by_key, key, g) != 0 || json_array_append(out, g) != 0)
        break;
    }
    json_object_set_new(g, "count",
                        json_integer(json_integer_value(json_object_get(g, "count")) + add));
  }
  json_decref(by_key);
  return out;
}

static void print_text(const char *path, const json_t *rep, const json_t *groups)
{
  printf("Bundle:     ");
  put_safe(path);
  fputc('\n', stdout);
  printf("Case:       %s\n", cp_cli_safe_str(json_object_get(rep, "case_id"), "-"));
  printf("Created:    %s (UTC) by caseprobe %s, bundle format ",
         cp_cli_safe_str(json_object_get(rep, "created"), "-"),
         cp_cli_safe_str(json_object_get(rep, "agent_version"), "-"));
  print_scalar(json_object_get(rep, "format_version"));
  fputc('\n', stdout);
  const json_t *dev = json_object_get(rep, "device");
  printf("Device:\n");
  if (!json_object_size(dev))
    printf("  (no summary)\n");
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)dev, k, v)
  {
    fputs("  ", stdout);
    put_safe(k);
    printf("%*s ", (int)(strlen(k) < 24 ? 24 - strlen(k) : 0), "");
    print_scalar(v);
    fputc('\n', stdout);
  }
  const json_t *consent = json_object_get(rep, "consent");
  printf("Consent:    %s, %s\n", cp_cli_safe_str(json_object_get(consent, "how"), "-"),
         cp_cli_safe_str(json_object_get(consent, "time"), "-"));
  print_names("granted", json_object_get(consent, "granted"));
  print_names("refused", json_object_get(consent, "refused"));
  const json_t *red = json_object_get(rep, "redaction");
  const json_t *classes = json_object_get(red, "classes");
  if (!json_is_object(classes))
    classes = json_object_get(red, "by_class");
  if (!json_is_object(classes))
    classes = red;
  printf("Redaction:");
  size_t n = 0;
  json_object_foreach((json_t *)classes, k, v)
  {
    long long c = json_is_integer(v) ? json_integer_value(v)
                  : json_is_integer(json_object_get(v, "count"))
                      ? json_integer_value(json_object_get(v, "count"))
                      : -1;
    if (c >= 0) {
      printf("%s ", n++ ? "," : "");
      put_safe(k);
      printf(" %lld", c);
    }
  }
  printf("%s\n", n ? "" : " none recorded");
  /* a class turned off is never silent (issue 14) */
  const json_t *off = json_object_get(red, "classes_off");
  if (!json_array_size(off))
    off = json_object_get(consent, "redaction_classes_off");
  if (json_array_size(off))
    print_names("TURNED OFF by policy:", off);
  const json_t *members = json_object_get(rep, "members");
  long long total = 0;
  size_t i;
  json_t *m;
  json_array_foreach((json_t *)members, i, m) total +=
      json_integer_value(json_object_get(m, "size"));
  printf("Members:    %zu, %lld bytes\n", json_array_size(members), total);
  json_array_foreach((json_t *)members, i, m)
  {
    const char *st = cp_cli_safe_str(json_object_get(m, "status"), "-");
    printf("  %12lld  %-10s %s%s%s\n", (long long)json_integer_value(json_object_get(m, "size")),
           cp_cli_safe_str(json_object_get(m, "scope"), "-"),
           cp_cli_safe_str(json_object_get(m, "path"), "-"), strcmp(st, "ok") ? "  <- " : "",
           strcmp(st, "ok") ? st : "");
  }
  if (groups) {
    printf("Crash groups: %zu\n", json_array_size(groups));
    json_array_foreach(groups, i, m)
    {
      if (i >= MAX_GROUPS_SHOWN) {
        printf("  ... %zu more\n", json_array_size(groups) - i);
        break;
      }
      printf("  %5lld  %s  %s\n", (long long)json_integer_value(json_object_get(m, "count")),
             cp_cli_safe_str(json_object_get(m, "process"), "-"),
             cp_cli_safe_str(json_object_get(m, "exception"), "-"));
    }
  }
  const json_t *sig = json_object_get(rep, "signature");
  printf("Integrity:  %s\n", json_array_size(json_object_get(rep, "missing")) +
                                     json_array_size(json_object_get(rep, "extra")) +
                                     json_array_size(json_object_get(rep, "changed"))
                                 ? "DAMAGED (run 'caseprobe verify' for details)"
                                 : "every member matches the manifest");
  const char *state = cp_cli_safe_str(json_object_get(sig, "state"), "-");
  printf("Signature:  %s\n", !strcmp(state, "not_checked")
                                 ? "present (check it with 'caseprobe verify --key PUBKEY')"
                             : !strcmp(state, "unsigned") ? "none (the bundle is not signed)"
                             : !strcmp(state, "missing")  ? "MISSING (the manifest says signed)"
                                                          : state);
}

int cp_cmd_inspect(int argc, char **argv)
{
  int first, rc0;
  cp_cli cli = {0};
  if (!cp_cli_parse(argc, argv, CP_CLI_JSON, NULL, 1, 1, usage, &cli, &first, &rc0))
    return rc0;
  int json = cli.json;
  const char *path = argv[first];
  cp_error err;
  cp_error_clear(&err);
  json_t *rep = NULL;
  cp_err rc = cp_bundle_check_file(path, NULL, &rep, &err);
  /* the failure sentence may quote a member name from the bundle */
  char tmp[sizeof err.detail];
  cp_escape_into(err.detail, tmp, sizeof tmp);
  memcpy(err.detail, tmp, sizeof tmp);
  if (!rep)
    return cp_fail(&err);
  json_t *groups = crash_groups(json_object_get(rep, "crash_index"));
  /* The battery line: battery/health.json as the bundle holds it. */
  json_t *battery = cp_cli_bundle_member_json(path, "battery/health.json", 1u << 20);
  if (json) {
    json_object_set_new(rep, "battery", battery ? json_incref(battery) : json_null());
    json_object_set_new(rep, "bundle", json_string(path));
    json_object_set_new(rep, "crash_groups", groups ? json_incref(groups) : json_null());
    json_object_del(rep, "crash_index");
    (void)cp_cli_print_json_ascii(rep);
  } else {
    print_text(path, rep, groups);
    char line[160] = "not in the bundle";
    if (battery)
      cp_cli_battery_line(battery, line, sizeof line);
    printf("Battery:    %s\n", line);
  }
  json_decref(battery);
  json_decref(groups);
  json_decref(rep);
  return rc == CP_OK ? CP_OK : cp_fail(&err);
}
