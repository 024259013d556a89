/*
 * redact_dump: one file through the redactor, for the engine comparison
 * (tests/e2e/test_redact_engines.sh). Built twice, once per scan engine
 * (redact_dump: the build's engine; redact_dump_pcre2: PCRE2 alone); the
 * test feeds both the same files and compares the bytes out and the
 * redaction report, which must be identical: the engines must find exactly
 * the same spans. A fixed secret makes the pseudonyms comparable.
 *
 * usage: redact_dump [-p POLICY.json] [-i IDS.tsv] [-c SEED] MEMBER IN OUT REPORT
 *        redact_dump --engine       (prints "vectorscan 5.4.9" or "pcre2 10.42")
 *   MEMBER  the member's name ("x.json", "x.plist", "log.txt": its syntax)
 *   -i IDS  the device's identifiers, "class<TAB>value" a line; without it
 *           fixed ones (with a Latin and a CJK device name)
 *   -c SEED writes of random sizes (1 byte to 70 KiB) from this seed;
 *           0 (default) = one write of the whole file
 */
#include "redact.h"
#include "sample_device_ids.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char k_secret[CP_REDACT_SECRET_LEN] = "0123456789abcdef0123456789abcde";

static unsigned g_seed;

static unsigned rnd(unsigned n)
{
  g_seed = g_seed * 1103515245u + 12345u;
  return ((g_seed >> 8) & 0xffffffu) % n;
}

static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  char *b = malloc(cap);
  size_t k;
  while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
    n += k;
    if (n == cap) {
      char *nb = realloc(b, cap *= 2);
      if (!nb) {
        free(b);
        b = NULL;
      }
      b = nb;
    }
  }
  fclose(f);
  *len = n;
  return b;
}

static cp_err to_file(void *ctx, const void *buf, size_t len, cp_error *err)
{
  if (fwrite(buf, 1, len, ctx) != len)
    return cp_error_set(err, CP_E_INTERNAL, "write failed");
  return CP_OK;
}

/* "class<TAB>value" lines into ids (strings point into text, kept). */
static size_t read_ids(char *text, cp_redact_id *ids, size_t cap)
{
  size_t n = 0;
  for (char *line = strtok(text, "\n"); line && n < cap; line = strtok(NULL, "\n")) {
    char *tab = strchr(line, '\t');
    if (!tab || line[0] == '#')
      continue;
    *tab = 0;
    ids[n].cls = line;
    ids[n].value = tab + 1;
    n++;
  }
  return n;
}

static int usage(void)
{
  fprintf(stderr,
          "usage: redact_dump [-p POLICY.json] [-i IDS.tsv] [-c SEED] MEMBER IN OUT REPORT\n");
  return 2;
}

int main(int argc, char **argv)
{
  if (argc == 2 && !strcmp(argv[1], "--engine")) { /* which engine this one was built with */
    printf("%s\n", cp_redact_engine());
    return 0;
  }
  const char *policy = NULL, *idfile = NULL;
  int i = 1;
  for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
    if (!strcmp(argv[i], "-p"))
      policy = argv[i + 1];
    else if (!strcmp(argv[i], "-i"))
      idfile = argv[i + 1];
    else if (!strcmp(argv[i], "-c"))
      g_seed = (unsigned)strtoul(argv[i + 1], NULL, 10);
    else
      return usage();
  }
  if (argc - i != 4)
    return usage();
  int chunked = g_seed != 0;
  cp_error err;
  cp_error_clear(&err);
  cp_redact_policy *pol = NULL;
  if (policy) {
    json_error_t je;
    json_t *j = json_load_file(policy, 0, &je);
    if (!j || cp_redact_policy_from_json(j, &pol, &err) != CP_OK) {
      fprintf(stderr, "redact_dump: policy %s: %s\n", policy, j ? err.detail : je.text);
      return 1;
    }
    json_decref(j);
  }
  size_t len = 0;
  char *in = slurp(argv[i + 1], &len);
  FILE *out = fopen(argv[i + 2], "wb");
  if (!in || !out) {
    fprintf(stderr, "redact_dump: cannot read %s or write %s\n", argv[i + 1], argv[i + 2]);
    return 1;
  }
  cp_redact_config cfg = {cp_sample_device_ids, CP_SAMPLE_DEVICE_IDS_N, pol, k_secret};
  static cp_redact_id ids[64];
  char *idtext = NULL;
  if (idfile) {
    size_t n = 0;
    if (!(idtext = slurp(idfile, &n)) || !(idtext = realloc(idtext, n + 1))) {
      fprintf(stderr, "redact_dump: cannot read %s\n", idfile);
      return 1;
    }
    idtext[n] = 0;
    cfg.ids = ids;
    cfg.n_ids = read_ids(idtext, ids, sizeof(ids) / sizeof(ids[0]));
  }
  cp_redactor *r = NULL;
  cp_redact_stream *s = NULL;
  if (cp_redactor_new(&cfg, &r, &err) != CP_OK ||
      cp_redact_stream_open(r, argv[i], to_file, out, &s, &err) != CP_OK) {
    fprintf(stderr, "redact_dump: %s\n", err.detail);
    return 1;
  }
  for (size_t at = 0; at < len;) {
    size_t k = len - at;
    if (chunked) { /* mostly small writes, sometimes large ones */
      size_t w = rnd(4) ? 1 + rnd(300) : 1 + rnd(70000);
      if (w < k)
        k = w;
    }
    if (cp_redact_stream_write(s, in + at, k, &err) != CP_OK) {
      fprintf(stderr, "redact_dump: %s\n", err.detail);
      return 1;
    }
    at += k;
  }
  if (cp_redact_stream_close(s, 1, &err) != CP_OK || fclose(out) != 0) {
    fprintf(stderr, "redact_dump: %s\n", err.detail);
    return 1;
  }
  json_t *rep = cp_redactor_report(r);
  if (!rep || json_dump_file(rep, argv[i + 3], JSON_SORT_KEYS | JSON_INDENT(1)) != 0) {
    fprintf(stderr, "redact_dump: cannot write %s\n", argv[i + 3]);
    return 1;
  }
  json_decref(rep);
  cp_redactor_free(r);
  cp_redact_policy_free(pol);
  free(idtext);
  free(in);
  return 0;
}
