/* bench_parse: how fast cp_crash_parse and cp_crash_triage go on a device's
 * worth of reports. Synthesizes N (default 10,000) variants in memory from
 * the corpus files: each gets its own incident id and timestamp digits, and
 * every 10th is cut short (as a prefix listing or a broken pull would be).
 * Prints reports/s and MB/s for parsing, and the triage time.
 *
 *   bench_parse [-n COUNT] [FILE|DIR...]   (default: $CP_CORPUS/{ips,crash})
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "crash_report.h"

typedef struct base {
  char *buf;
  size_t len;
  size_t incident; /* offset of the first incident id's hex digits, or 0 */
  size_t stamp;    /* offset of a timestamp's minute digits, or 0 */
} base;

static base files[256];
static size_t nfiles;

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Offset just after `key` in b, or 0. */
static size_t after(const base *b, const char *key)
{
  size_t kl = strlen(key);
  for (size_t i = 0; i + kl + 16 < b->len && i < 65536; i++)
    if (!memcmp(b->buf + i, key, kl))
      return i + kl;
  return 0;
}

static void add_file(const char *path)
{
  if (nfiles == sizeof files / sizeof files[0])
    return;
  FILE *f = fopen(path, "rb");
  if (!f)
    return;
  base *b = &files[nfiles];
  if (fseek(f, 0, SEEK_END) || (b->len = (size_t)ftell(f)) == 0 || fseek(f, 0, SEEK_SET) ||
      !(b->buf = malloc(b->len)) || fread(b->buf, 1, b->len, f) != b->len) {
    free(b->buf);
    fclose(f);
    return;
  }
  fclose(f);
  b->incident = after(b, "Incident Identifier: ");
  if (!b->incident)
    b->incident = after(b, "\"incident_id\":\"");
  b->stamp = after(b, "\"timestamp\":\"2");
  if (b->stamp)
    b->stamp += 13; /* "YYY-MM-DD HH:" -> the minute digits */
  nfiles++;
}

static void add_path(const char *path)
{
  struct stat st;
  if (stat(path, &st))
    return;
  if (!S_ISDIR(st.st_mode)) {
    add_file(path);
    return;
  }
  DIR *d = opendir(path);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", path, e->d_name);
    add_file(p);
  }
  closedir(d);
}

int main(int argc, char **argv)
{
  long count = 10000;
  int i = 1;
  if (argc > 2 && !strcmp(argv[1], "-n")) {
    count = strtol(argv[2], NULL, 10);
    i = 3;
  }
  for (; i < argc; i++)
    add_path(argv[i]);
  if (!nfiles) {
    const char *corpus = getenv("CP_CORPUS");
    char p[4096];
    snprintf(p, sizeof p, "%s/ips", corpus ? corpus : "tests/corpus");
    add_path(p);
    snprintf(p, sizeof p, "%s/crash", corpus ? corpus : "tests/corpus");
    add_path(p);
  }
  if (!nfiles || count <= 0) {
    fprintf(stderr, "usage: bench_parse [-n COUNT] [FILE|DIR...] (or set CP_CORPUS)\n");
    return 2;
  }
  json_t *records = json_array();
  size_t bytes = 0, warned = 0;
  double t0 = now();
  for (long k = 0; k < count; k++) {
    base *b = &files[(size_t)k % nfiles];
    char hex[9];
    snprintf(hex, sizeof hex, "%08X", (unsigned)(k & 0x7fffffff));
    if (b->incident)
      memcpy(b->buf + b->incident, hex, 8);
    if (b->stamp) {
      b->buf[b->stamp] = (char)('0' + (k / 10) % 6);
      b->buf[b->stamp + 1] = (char)('0' + k % 10);
    }
    size_t len = (k % 10 == 9) ? b->len * (size_t)(k % 7 + 1) / 8 : b->len;
    json_t *rec = NULL;
    if (cp_crash_parse(b->buf, len, "bench", &rec, NULL) != CP_OK) {
      fprintf(stderr, "bench_parse: out of memory\n");
      return 3;
    }
    bytes += len;
    warned += json_array_size(json_object_get(rec, "warnings")) > 0;
    (void)json_array_append_new(records, rec);
  }
  double t1 = now();
  json_t *t = cp_crash_triage(records);
  double t2 = now();
  double secs = t1 - t0;
  printf("bench_parse: %ld reports from %zu corpus files, %.1f MB, %zu with warnings\n", count,
         nfiles, bytes / 1e6, warned);
  printf("parse:  %.3f s  %.0f reports/s  %.1f MB/s\n", secs, count / secs, bytes / 1e6 / secs);
  printf("triage: %.3f s  %zu groups, %lld panics, %lld jetsam\n", t2 - t1,
         json_array_size(json_object_get(t, "groups")),
         (long long)json_integer_value(json_object_get(json_object_get(t, "panics"), "count")),
         (long long)json_integer_value(json_object_get(json_object_get(t, "jetsam"), "count")));
  json_decref(t);
  json_decref(records);
  for (size_t f = 0; f < nfiles; f++)
    free(files[f].buf);
  return 0;
}
