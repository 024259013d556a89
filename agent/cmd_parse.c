/* caseprobe parse: reads crash report files (.ips, .crash) from disk and
 * prints one record per file plus the triage groups, so a technician sees
 * "Safari crashed 14 times with the same stack" instead of 300 files. The
 * parsing itself is formats/crash/crash_report.h; this file only does file I/O and
 * wording. A damaged report is not a failure: its warnings go to stderr. */
#include "commands.h"
#include "cp_path.h"
#include "crash_report.h"
#include "hints.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
  fprintf(out,
          "usage: caseprobe parse [--json | --triage] FILE...\n\n"
          "Parses iOS crash reports (.ips of any bug_type: app crashes, panics,\n"
          "JetsamEvent, resource and analytics reports; legacy .crash text) and groups\n"
          "them by signature (process, exception and top frames, without addresses).\n"
          "No device is needed.\n\n"
          "  --json      one JSON record per file (JSON lines) instead of the summary\n"
          "  --triage    only the groups, panics and jetsam summary, as one JSON document\n"
          "  -h, --help  show this help\n\n"
          "Damaged or truncated reports still give a record; their warnings are\n"
          "printed on stderr. Exit status: 0 when every file was read, %d when a file\n"
          "does not exist, %d when a file cannot be read.\n",
          (int)CP_E_NOT_FOUND, (int)CP_E_IO);
}

/* Reads at most CP_CRASH_MAX_INPUT + 1 bytes (the parser notes the rest). */
static cp_err read_file(const char *path, char **buf, size_t *len, cp_error *err)
{
  cp_err rc = CP_OK;
  char *b = NULL;
  size_t n = 0, cap = 0;
  FILE *f = cp_fopen(path, "rb"); /* UTF-8 names on Windows too */
  if (!f)
    return cp_error_set(err, errno == ENOENT ? CP_E_NOT_FOUND : CP_E_IO, "%s: %s", path,
                        strerror(errno));
  for (;;) {
    if (n == cap) {
      if (cap > CP_CRASH_MAX_INPUT)
        break;
      size_t ncap = cap ? cap * 2 : 65536;
      char *nb = realloc(b, ncap);
      if (!nb) {
        rc = cp_error_set(err, CP_E_NOMEM, "%s", path);
        goto out;
      }
      b = nb;
      cap = ncap;
    }
    size_t got = fread(b + n, 1, cap - n, f);
    n += got;
    if (got == 0) {
      if (ferror(f))
        rc = cp_error_set(err, CP_E_IO, "%s: read error", path);
      break;
    }
  }
out:
  fclose(f);
  if (rc != CP_OK) {
    free(b);
    return rc;
  }
  *buf = b;
  *len = n;
  return CP_OK;
}

static const char *s(const json_t *o, const char *k)
{
  const char *v = json_string_value(json_object_get(o, k));
  return v ? v : "";
}

/* One readable line: what, who, how, when, on what. */
static void print_summary(const json_t *r)
{
  const char *kind = s(r, "kind");
  printf("%s: %s", s(r, "file"), kind);
  if (*s(r, "bug_type_name"))
    printf(" (%s)", s(r, "bug_type_name"));
  if (*s(r, "process"))
    printf(" %s", s(r, "process"));
  if (*s(r, "exception_type"))
    printf(" %s", s(r, "exception_type"));
  if (*s(r, "signal"))
    printf(" (%s)", s(r, "signal"));
  if (*s(r, "termination_code") && !strstr(s(r, "termination_reason"), "SIGNAL"))
    printf(" code %s", s(r, "termination_code"));
  if (*s(r, "panic_string"))
    printf(" \"%.100s\"", s(r, "panic_string"));
  if (*s(r, "panicked_task"))
    printf(" task %s", s(r, "panicked_task"));
  const json_t *j = json_object_get(r, "jetsam");
  if (j)
    printf(" largest %s, reason %s", *s(j, "largest_process") ? s(j, "largest_process") : "?",
           *s(j, "reason") ? s(j, "reason") : "?");
  const json_t *res = json_object_get(r, "resource");
  if (res)
    printf(" %s (limit %s, observed %s)", s(res, "type"), s(res, "limit"), s(res, "observed"));
  const json_t *bat = json_object_get(r, "battery");
  if (json_is_integer(json_object_get(bat, "maximum_capacity_percent")))
    printf(" battery max capacity %lld%%",
           (long long)json_integer_value(json_object_get(bat, "maximum_capacity_percent")));
  if (*s(r, "timestamp"))
    printf(" at %s", s(r, "timestamp"));
  if (*s(r, "os_version"))
    printf(" iOS %s", s(r, "os_version"));
  if (*s(r, "os_build"))
    printf(" (%s)", s(r, "os_build"));
  if (*s(r, "device_model"))
    printf(" on %s", s(r, "device_model"));
  printf("\n");
}

static void print_triage(const json_t *t)
{
  const json_t *groups = json_object_get(t, "groups");
  printf("\n%lld report(s), %zu group(s):\n",
         (long long)json_integer_value(json_object_get(t, "total")), json_array_size(groups));
  for (size_t i = 0; i < json_array_size(groups); i++) {
    const json_t *g = json_array_get(groups, i);
    printf("  %3lldx %s %s", (long long)json_integer_value(json_object_get(g, "count")),
           *s(g, "process") ? s(g, "process") : "(unknown process)", s(g, "exception_type"));
    if (*s(g, "first_seen"))
      printf(" from %s to %s", s(g, "first_seen"), s(g, "last_seen"));
    printf(" [%s]\n", s(g, "signature"));
  }
  const json_t *p = json_object_get(t, "panics");
  const json_t *pl = json_object_get(p, "first_lines");
  printf("  panics: %lld\n", (long long)json_integer_value(json_object_get(p, "count")));
  for (size_t i = 0; i < json_array_size(pl); i++)
    printf("    %3lldx %.160s\n",
           (long long)json_integer_value(json_object_get(json_array_get(pl, i), "count")),
           s(json_array_get(pl, i), "line"));
  /* bug_type 151: the buttons were held; not a kernel panic. */
  printf("  forced restarts: %lld\n", (long long)json_integer_value(json_object_get(
                                          json_object_get(t, "forced_restarts"), "count")));
  const json_t *j = json_object_get(t, "jetsam");
  const json_t *jl = json_object_get(j, "largest_processes");
  printf("  jetsam events: %lld", (long long)json_integer_value(json_object_get(j, "count")));
  for (size_t i = 0; i < json_array_size(jl); i++)
    printf("%s%s x%lld", i ? ", " : " (largest: ", s(json_array_get(jl, i), "process"),
           (long long)json_integer_value(json_object_get(json_array_get(jl, i), "count")));
  printf("%s\n", json_array_size(jl) ? ")" : "");
}

int cp_cmd_parse(int argc, char **argv)
{
  static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                       {"triage", no_argument, NULL, 't'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  int json = 0, triage = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'j': json = 1; break;
    case 't': triage = 1; break;
    case 'h': usage(stdout); return CP_OK;
    default: usage(stderr); return CP_E_USAGE;
    }
  }
  if (optind >= argc || (json && triage)) {
    usage(stderr);
    return CP_E_USAGE;
  }
  int rc = CP_OK;
  json_t *records = json_array();
  if (!records)
    return cp_failf(CP_E_NOMEM, "records");
  for (int i = optind; i < argc; i++) {
    cp_error err;
    cp_error_clear(&err);
    char *buf = NULL;
    size_t len = 0;
    json_t *rec = NULL;
    cp_err e = read_file(argv[i], &buf, &len, &err);
    if (e == CP_OK)
      e = cp_crash_parse(buf, len, argv[i], &rec, &err);
    free(buf);
    if (e != CP_OK) {
      cp_fail(&err);
      if (rc == CP_OK)
        rc = e;
      continue;
    }
    const json_t *w = json_object_get(rec, "warnings");
    for (size_t k = 0; k < json_array_size(w); k++)
      fprintf(stderr, "caseprobe: %s: warning: %s\n", argv[i],
              json_string_value(json_array_get(w, k)));
    if (triage) {
      /* printed once, below */
    } else if (json) {
      char *line = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);
      if (line)
        printf("%s\n", line);
      free(line);
    } else {
      print_summary(rec);
    }
    (void)json_array_append_new(records, rec);
  }
  if (triage || (!json && json_array_size(records))) {
    json_t *t = cp_crash_triage(records);
    if (!t) {
      rc = cp_failf(CP_E_NOMEM, "triage");
    } else if (triage) {
      char *doc = json_dumps(t, JSON_INDENT(2) | JSON_ENSURE_ASCII);
      if (doc)
        printf("%s\n", doc);
      free(doc);
    } else {
      print_triage(t);
    }
    json_decref(t);
  }
  json_decref(records);
  return rc;
}
