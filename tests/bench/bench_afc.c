/* bench_afc: caseprobe's AFC client alone, on a device's crash folder, with
 * a chosen FILE_READ length (up to 16 MiB): copies every regular file into
 * OUTDIR (same relative paths), reading each until the device's empty DATA
 * reply (so the end-of-file path is exercised too), checks each copy's length
 * against st_size, and prints files, bytes, seconds and MB/s. Exit 0 only
 * when every file came whole. Used by tests/e2e/test_afc_client.sh (4 MiB
 * reads) and to compare read lengths.
 *
 *   bench_afc UDID READ_BYTES OUTDIR
 *   bench_afc UDID --stats N PATH
 * The second form times N GET_FILE_INFOs of PATH twice: one at a time, then
 * all N in flight on the one connection (cp_afc_submit / cp_afc_reap), and
 * prints both: the simulator's link model must let the second finish in
 * about one round trip (tests/e2e/test_sim_pipeline.sh).
 */
#include "afc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef struct totals {
  unsigned long long files, bytes;
} totals;

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Copies one file with reads of `chunk` bytes into out/rel. */
static cp_err copy_file(cp_afc *a, const char *rel, const cp_afc_stat *st, const char *out,
                        unsigned char *buf, uint32_t chunk, totals *t, cp_error *err)
{
  char dst[4200];
  uint64_t h = 0, total = 0;
  (void)snprintf(dst, sizeof dst, "%s/%s", out, rel);
  FILE *f = fopen(dst, "wb");
  if (!f)
    return cp_error_set(err, CP_E_IO, "%s: %s", dst, strerror(errno));
  cp_err rc = cp_afc_file_open(a, rel, &h, err);
  while (rc == CP_OK) {
    uint32_t got = 0;
    rc = cp_afc_file_read(a, h, buf, chunk, &got, err);
    if (rc != CP_OK || got == 0)
      break;
    if (fwrite(buf, 1, got, f) != got)
      rc = cp_error_set(err, CP_E_IO, "%s: short write", dst);
    total += got;
  }
  cp_error ce;
  if (h && cp_afc_file_close(a, h, &ce) != CP_OK && rc == CP_OK) {
    *err = ce;
    rc = ce.code;
  }
  if (fclose(f) != 0 && rc == CP_OK)
    rc = cp_error_set(err, CP_E_IO, "%s: close failed", dst);
  if (rc == CP_OK && total != st->size)
    rc = cp_error_set(err, CP_E_PROTOCOL, "%s: %llu bytes, st_size %llu", rel,
                      (unsigned long long)total, (unsigned long long)st->size);
  if (rc == CP_OK) {
    t->files++;
    t->bytes += total;
  }
  return rc;
}

static cp_err walk(cp_afc *a, const char *dir, const char *out, unsigned char *buf, uint32_t chunk,
                   int depth, totals *t, cp_error *err)
{
  char **names = NULL;
  if (depth > 16)
    return CP_OK;
  cp_err rc = cp_afc_list(a, dir, &names, err);
  for (size_t i = 0; rc == CP_OK && names[i]; i++) {
    char rel[4096], local[4200];
    cp_afc_stat st;
    (void)snprintf(rel, sizeof rel, "%s/%s", dir, names[i]);
    rc = cp_afc_stat_path(a, rel, &st, err);
    if (rc != CP_OK)
      break;
    if (st.type == CP_AFC_DIR) {
      (void)snprintf(local, sizeof local, "%s/%s", out, rel);
      if (mkdir(local, 0755) != 0 && errno != EEXIST)
        rc = cp_error_set(err, CP_E_IO, "%s: %s", local, strerror(errno));
      else
        rc = walk(a, rel, out, buf, chunk, depth + 1, t, err);
    } else if (st.type == CP_AFC_FILE) {
      rc = copy_file(a, rel, &st, out, buf, chunk, t, err);
    }
  }
  cp_afc_names_free(names);
  return rc;
}

/* N stats one at a time, then N in flight; prints both times. */
static int stats(const char *udid, const char *nstr, const char *path)
{
  unsigned long n = strtoul(nstr, NULL, 10);
  if (n == 0 || n > CP_AFC_MAX_INFLIGHT) {
    fprintf(stderr, "bench_afc: N must be 1..%u\n", CP_AFC_MAX_INFLIGHT);
    return 2;
  }
  cp_device *dev = NULL;
  cp_afc *a = NULL;
  cp_error err;
  cp_afc_stat st;
  cp_device_open_opts o = {udid, "caseprobe", 0, NULL, NULL, NULL};
  cp_err rc = cp_device_open(&o, &dev, &err);
  if (rc == CP_OK)
    rc = cp_afc_open(dev, "com.apple.crashreportcopymobile", &a, &err);
  double t0 = now(), t1 = t0, t2 = t0;
  for (unsigned long i = 0; rc == CP_OK && i < n; i++)
    rc = cp_afc_stat_path(a, path, &st, &err);
  t1 = now();
  for (unsigned long i = 0; rc == CP_OK && i < n; i++)
    rc = cp_afc_submit(a, CP_AFC_REQ_STAT, path, 0, 0, i, &err);
  for (unsigned long i = 0; rc == CP_OK && i < n; i++) {
    cp_afc_reply r;
    rc = cp_afc_reap(a, &r, &err);
    if (rc == CP_OK && (r.tag != i || r.rc != CP_OK || r.st.size != st.size))
      rc = cp_error_set(&err, CP_E_PROTOCOL, "answer %lu: tag %llu, %s", i,
                        (unsigned long long)r.tag, cp_strerror(r.rc));
  }
  t2 = now();
  cp_afc_close(a);
  cp_device_close(dev);
  if (rc != CP_OK) {
    fprintf(stderr, "bench_afc: %s: %s\n", cp_strerror(rc), err.detail);
    return (int)rc;
  }
  printf("stats %lu: one at a time %.3f s, in flight %.3f s\n", n, t1 - t0, t2 - t1);
  return 0;
}

int main(int argc, char **argv)
{
  if (argc == 5 && !strcmp(argv[2], "--stats"))
    return stats(argv[1], argv[3], argv[4]);
  if (argc != 4) {
    fprintf(stderr, "usage: bench_afc UDID READ_BYTES OUTDIR\n");
    return 2;
  }
  unsigned long chunk = strtoul(argv[2], NULL, 10);
  if (chunk == 0 || chunk > 16ul * 1024 * 1024) {
    fprintf(stderr, "bench_afc: READ_BYTES must be 1..16777216\n");
    return 2;
  }
  cp_device *dev = NULL;
  cp_afc *a = NULL;
  cp_error err;
  totals t = {0, 0};
  unsigned char *buf = malloc(chunk);
  cp_device_open_opts o = {argv[1], "caseprobe", 0, NULL, NULL, NULL};
  cp_err rc = buf ? cp_device_open(&o, &dev, &err) : cp_error_set(&err, CP_E_NOMEM, "buffer");
  if (rc == CP_OK)
    rc = cp_afc_open(dev, "com.apple.crashreportcopymobile", &a, &err);
  double t0 = now();
  if (rc == CP_OK)
    rc = walk(a, ".", argv[3], buf, (uint32_t)chunk, 0, &t, &err);
  double s = now() - t0;
  cp_afc_close(a);
  cp_device_close(dev);
  free(buf);
  if (rc != CP_OK) {
    fprintf(stderr, "bench_afc: %s: %s\n", cp_strerror(rc), err.detail);
    return (int)rc;
  }
  printf("read %lu: %llu files, %llu bytes, %.3f s, %.2f MB/s\n", chunk, t.files, t.bytes, s,
         s > 0 ? (double)t.bytes / 1e6 / s : 0.0);
  return 0;
}
