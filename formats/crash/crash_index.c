/* See crash_index.h. The spool is tmpfile() (standard C: unlinked at once,
 * gone with the process, on every platform). */
#include "crash_index.h"

#include "crash_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUMP_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)
#define COPY_CHUNK (64u * 1024u)

struct cp_crash_index {
  FILE *spool;
  size_t count;
  cp_triage *triage;
};

cp_err cp_crash_index_new(cp_crash_index **out, cp_error *err)
{
  cp_crash_index *x = calloc(1, sizeof *x);
  *out = NULL;
  if (!x || !(x->triage = cp_triage_new())) {
    free(x);
    return cp_error_set(err, CP_E_NOMEM, "crash index");
  }
  x->spool = tmpfile();
  if (!x->spool) {
    cp_triage_free(x->triage);
    free(x);
    return cp_error_set(err, CP_E_IO, "cannot create a temporary file for the crash index");
  }
  *out = x;
  return CP_OK;
}

cp_err cp_crash_index_add(cp_crash_index *x, const json_t *row, cp_error *err)
{
  char *text = json_dumps(row, DUMP_FLAGS);
  if (!text)
    return cp_error_set(err, CP_E_NOMEM, "crash index row");
  int ok = fputs(text, x->spool) >= 0 && fputc('\n', x->spool) != EOF;
  free(text);
  if (!ok)
    return cp_error_set(err, CP_E_DISK_FULL,
                        "cannot spool the crash index (temporary folder full?)");
  cp_triage_add(x->triage, row);
  x->count++;
  return CP_OK;
}

size_t cp_crash_index_count(const cp_crash_index *x)
{
  return x ? x->count : 0;
}

json_t *cp_crash_index_triage(const cp_crash_index *x)
{
  return x ? cp_triage_result(x->triage) : NULL;
}

static cp_err put(cp_sink *s, const char *text, cp_error *err)
{
  return cp_sink_write(s, text, strlen(text), err);
}

/* `"key": <value>` at the top level, value dumped with the index's flags. */
static cp_err put_pair(cp_sink *s, const char *key, const json_t *v, int *first, cp_error *err)
{
  json_t *k = json_string(key);
  char *kt = k ? json_dumps(k, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
  char *vt = json_dumps(v, JSON_ENCODE_ANY | DUMP_FLAGS);
  json_decref(k);
  cp_err rc = kt && vt ? CP_OK : cp_error_set(err, CP_E_NOMEM, "crash index");
  if (rc == CP_OK)
    rc = put(s, *first ? "{\n  " : ",\n  ", err);
  if (rc == CP_OK)
    rc = put(s, kt, err);
  if (rc == CP_OK)
    rc = put(s, ": ", err);
  if (rc == CP_OK)
    rc = put(s, vt, err);
  *first = 0;
  free(kt);
  free(vt);
  return rc;
}

/* The rows, copied from the spool in chunks, one per line. */
static cp_err put_rows(cp_crash_index *x, cp_sink *s, int *first, cp_error *err)
{
  cp_err rc = put(s, *first ? "{\n  \"reports\": [" : ",\n  \"reports\": [", err);
  *first = 0;
  if (rc != CP_OK)
    return rc;
  if (fflush(x->spool) != 0 || fseek(x->spool, 0, SEEK_SET) != 0)
    return cp_error_set(err, CP_E_IO, "cannot read the crash index spool back");
  char *buf = malloc(COPY_CHUNK);
  if (!buf)
    return cp_error_set(err, CP_E_NOMEM, "crash index");
  /* every '\n' ends a row: it becomes ",\n    " except after the last */
  size_t rows = 0;
  int at_line_start = 1;
  size_t n;
  while (rc == CP_OK && (n = fread(buf, 1, COPY_CHUNK, x->spool)) > 0) {
    size_t from = 0;
    for (size_t i = 0; i < n && rc == CP_OK; i++) {
      if (at_line_start) {
        rc = put(s, rows ? ",\n    " : "\n    ", err);
        at_line_start = 0;
      }
      if (buf[i] == '\n') {
        if (rc == CP_OK && i > from)
          rc = cp_sink_write(s, buf + from, i - from, err);
        from = i + 1;
        rows++;
        at_line_start = 1;
      }
    }
    if (rc == CP_OK && n > from)
      rc = cp_sink_write(s, buf + from, n - from, err);
  }
  if (rc == CP_OK && ferror(x->spool))
    rc = cp_error_set(err, CP_E_IO, "cannot read the crash index spool back");
  free(buf);
  (void)fseek(x->spool, 0, SEEK_END); /* more rows may follow */
  if (rc == CP_OK)
    rc = put(s, rows ? "\n  ]" : "]", err);
  return rc;
}

cp_err cp_crash_index_write(cp_crash_index *x, cp_sink *sink, const char *path, const char *scope,
                            const json_t *head, const json_t *triage, cp_error *err)
{
  cp_err rc = cp_sink_begin(sink, path, scope, err);
  if (rc != CP_OK)
    return rc;
  int first = 1, rows_done = 0;
  /* keys in sorted order like cp_sink_add_json, "reports" and "triage" in place */
  size_t n = json_object_size(head);
  const char **keys = calloc(n + 1, sizeof *keys);
  size_t k = 0;
  const char *key;
  json_t *v;
  if (!keys)
    rc = cp_error_set(err, CP_E_NOMEM, "crash index");
  json_object_foreach((json_t *)head, key, v)
  {
    if (keys && strcmp(key, "reports") && strcmp(key, "triage"))
      keys[k++] = key;
  }
  for (size_t i = 1; keys && i < k; i++) /* insertion sort: a handful of keys */
    for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
      const char *t = keys[j];
      keys[j] = keys[j - 1];
      keys[j - 1] = t;
    }
  for (size_t i = 0; rc == CP_OK && i <= k; i++) {
    if (!rows_done && (i == k || strcmp(keys[i], "reports") > 0)) {
      rc = put_rows(x, sink, &first, err);
      rows_done = 1;
    }
    if (rc == CP_OK && i < k)
      rc = put_pair(sink, keys[i], json_object_get(head, keys[i]), &first, err);
  }
  if (rc == CP_OK)
    rc = put_pair(sink, "triage", triage ? triage : json_null(), &first, err);
  if (rc == CP_OK)
    rc = put(sink, "\n}\n", err);
  free(keys);
  cp_error ignored;
  cp_err end = cp_sink_end(sink, rc == CP_OK, rc == CP_OK ? err : &ignored);
  return rc == CP_OK ? end : rc;
}

void cp_crash_index_free(cp_crash_index *x)
{
  if (!x)
    return;
  if (x->spool)
    (void)fclose(x->spool); /* a temporary file: nothing to keep */
  cp_triage_free(x->triage);
  free(x);
}
