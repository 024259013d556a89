/* The generic half of cp_sink: byte counting, progress and the whole-member
 * helpers, so each sink implementation only does begin/write/end. */
#include "sink.h"

#include <stdlib.h>
#include <string.h>

#define CP_SINK_PROGRESS_STEP (256u * 1024u)

cp_err cp_sink_begin(cp_sink *s, const char *path, const char *scope, cp_error *err)
{
  if (!s || !s->ops || !path || !scope)
    return cp_error_set(err, CP_E_INTERNAL, "sink used without a path or scope");
  if (s->current)
    return cp_error_set(err, CP_E_INTERNAL, "sink member '%s' still open", s->current);
  s->current = strdup(path);
  if (!s->current)
    return cp_error_set(err, CP_E_NOMEM, "sink member name");
  s->member_bytes = 0;
  cp_err rc = s->ops->begin(s, path, scope, err);
  if (rc != CP_OK) {
    free(s->current);
    s->current = NULL;
  }
  return rc;
}

cp_err cp_sink_write(cp_sink *s, const void *buf, size_t len, cp_error *err)
{
  if (!s || !s->current)
    return cp_error_set(err, CP_E_INTERNAL, "sink write with no open member");
  if (len == 0)
    return CP_OK;
  cp_err rc = s->ops->write(s, buf, len, err);
  if (rc != CP_OK)
    return rc;
  uint64_t before = s->member_bytes;
  s->member_bytes += len;
  s->total_bytes += len;
  if (s->progress && before / CP_SINK_PROGRESS_STEP != s->member_bytes / CP_SINK_PROGRESS_STEP)
    s->progress(s->progress_ctx, s->current, s->member_bytes, s->total_bytes);
  return CP_OK;
}

cp_err cp_sink_end(cp_sink *s, int keep, cp_error *err)
{
  if (!s || !s->current)
    return cp_error_set(err, CP_E_INTERNAL, "sink end with no open member");
  cp_err rc = s->ops->end(s, keep, err);
  if (s->progress && keep && rc == CP_OK)
    s->progress(s->progress_ctx, s->current, s->member_bytes, s->total_bytes);
  free(s->current);
  s->current = NULL;
  return rc;
}

cp_err cp_sink_flush(cp_sink *s, cp_error *err)
{
  if (!s || !s->ops)
    return cp_error_set(err, CP_E_INTERNAL, "flush of no sink");
  return s->flush ? s->flush(s, err) : CP_OK;
}

cp_err cp_sink_add_file(cp_sink *s, const char *path, const char *scope, const void *buf,
                        size_t len, cp_error *err)
{
  cp_err rc = cp_sink_begin(s, path, scope, err);
  if (rc != CP_OK)
    return rc;
  rc = cp_sink_write(s, buf, len, err);
  if (rc != CP_OK) {
    cp_error ignored;
    (void)cp_sink_end(s, 0, &ignored);
    return rc;
  }
  return cp_sink_end(s, 1, err);
}

cp_err cp_sink_add_json(cp_sink *s, const char *path, const char *scope, const json_t *value,
                        cp_error *err)
{
  char *text = json_dumps(value, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
  if (!text)
    return cp_error_set(err, CP_E_NOMEM, "serialising %s", path);
  size_t len = strlen(text);
  char *withnl = realloc(text, len + 2);
  if (!withnl) {
    free(text);
    return cp_error_set(err, CP_E_NOMEM, "serialising %s", path);
  }
  withnl[len] = '\n';
  withnl[len + 1] = '\0';
  cp_err rc = cp_sink_add_file(s, path, scope, withnl, len + 1, err);
  free(withnl);
  return rc;
}
