/* gen_fs.c: POSIX implementation of gen_fs.h (opendir/stat/mkdir). A Windows
 * port replaces this file only. */
#define _POSIX_C_SOURCE 200809L
#include "gen_fs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

enum gen_ftype gen_fs_type(const char *path)
{
  struct stat st;
  if (stat(path, &st) != 0)
    return GEN_NONE;
  if (S_ISDIR(st.st_mode))
    return GEN_DIR;
  if (S_ISREG(st.st_mode))
    return GEN_FILE;
  return GEN_OTHER;
}

int gen_fs_mkdir(const char *path)
{
  if (mkdir(path, 0755) == 0)
    return 0;
  if (errno == EEXIST && gen_fs_type(path) == GEN_DIR)
    return 0;
  return -1;
}

int gen_fs_dir_empty(const char *path)
{
  DIR *d = opendir(path);
  struct dirent *e;
  int empty = 1;
  if (!d)
    return -1;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
      empty = 0;
      break;
    }
  }
  closedir(d);
  return empty;
}

static int cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void gen_fs_free_list(char **names, size_t count)
{
  size_t i;
  if (!names)
    return;
  for (i = 0; i < count; i++)
    free(names[i]);
  free(names);
}

int gen_fs_list(const char *path, char ***names, size_t *count)
{
  DIR *d = opendir(path);
  struct dirent *e;
  char **v = NULL;
  size_t n = 0, cap = 0;
  int rc = -1;
  *names = NULL;
  *count = 0;
  if (!d)
    return -1;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      char **nv = realloc(v, ncap * sizeof *nv);
      if (!nv)
        goto out;
      v = nv;
      cap = ncap;
    }
    v[n] = strdup(e->d_name);
    if (!v[n])
      goto out;
    n++;
  }
  if (n)
    qsort(v, n, sizeof *v, cmp_names);
  *names = v;
  *count = n;
  v = NULL;
  rc = 0;
out:
  gen_fs_free_list(v, n);
  closedir(d);
  return rc;
}

int gen_fs_copy_file(const char *src, const char *dst)
{
  FILE *in = fopen(src, "rb"), *out = NULL;
  char buf[65536];
  size_t n;
  int rc = -1;
  if (!in)
    return -1;
  out = fopen(dst, "wb");
  if (!out)
    goto out;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
    if (fwrite(buf, 1, n, out) != n)
      goto out;
  }
  if (ferror(in))
    goto out;
  rc = 0;
out:
  if (out && fclose(out) != 0)
    rc = -1;
  fclose(in);
  return rc;
}

int gen_fs_read_all(const char *path, size_t max, char **buf, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *b = NULL;
  size_t n = 0, cap = 0, r;
  int rc = -1;
  *buf = NULL;
  *len = 0;
  if (!f)
    return -1;
  for (;;) {
    if (cap - n < 65536 + 1) {
      size_t ncap = cap ? cap * 2 : 131072;
      char *nb;
      if (ncap > max + 65536 + 1)
        ncap = max + 65536 + 1;
      if (ncap <= cap) {
        errno = EFBIG;
        goto out;
      }
      nb = realloc(b, ncap);
      if (!nb)
        goto out;
      b = nb;
      cap = ncap;
    }
    r = fread(b + n, 1, cap - n - 1, f);
    n += r;
    if (n > max) {
      errno = EFBIG;
      goto out;
    }
    if (r == 0)
      break;
  }
  if (ferror(f))
    goto out;
  b[n] = '\0';
  *buf = b;
  *len = n;
  b = NULL;
  rc = 0;
out:
  free(b);
  fclose(f);
  return rc;
}

char *gen_fs_join(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  char *p = malloc(la + lb + 2);
  if (!p)
    return NULL;
  memcpy(p, a, la);
  if (la && a[la - 1] != '/')
    p[la++] = '/';
  memcpy(p + la, b, lb + 1);
  return p;
}
