/* Delete scheduling for `crashes pull --delete` (crash_walk.h). The worker
 * schedules a file only after it reached the sink whole (bytes written ==
 * st_size, member ended cleanly); the reader, the only thread that talks to
 * the device, removes them once the transfer is over and no request is in
 * flight. Without delete_pulled nothing is ever scheduled. */
#include "crash_walk.h"

#include <stdlib.h>
#include <string.h>

void cp_crash_schedule_delete(cp_crash_walk *w, const char *rel)
{
  if (w->ndel == w->capdel) {
    size_t nc = w->capdel ? w->capdel * 2 : 64;
    char **nd = realloc(w->deletes, nc * sizeof *nd);
    if (!nd)
      return; /* not removed: the report stays on the device, which is safe */
    w->deletes = nd;
    w->capdel = nc;
  }
  w->deletes[w->ndel++] = (char *)rel; /* owned by files[], outlives the walk's use */
}

cp_err cp_crash_run_deletes(cp_crash_walk *w, cp_error *err)
{
  for (;;) {
    pthread_mutex_lock(&w->lock);
    const char *rel = w->ndel ? w->deletes[--w->ndel] : NULL;
    pthread_mutex_unlock(&w->lock);
    if (!rel)
      return CP_OK;
    cp_error re;
    cp_err rc = cp_afc_remove(w->afc, rel, &re);
    pthread_mutex_lock(&w->lock);
    if (rc == CP_OK) {
      size_t i;
      json_t *r;
      json_array_foreach(w->reports, i, r)
      {
        if (!strcmp(json_string_value(json_object_get(r, "path")), rel))
          json_object_set_new(r, "removed", json_true());
      }
      if (w->hooks && w->hooks->removed)
        w->hooks->removed(w->hooks->ctx, rel);
    } else if (!cp_crash_fatal(rc))
      cp_crash_note_failure(w, rel, &re);
    pthread_mutex_unlock(&w->lock);
    if (rc != CP_OK && cp_crash_fatal(rc)) {
      *err = re;
      return rc;
    }
  }
}
