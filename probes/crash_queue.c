/* The crash walk's reader -> worker queue (crash_walk.h): chunks of report
 * bytes in file order, bounded to CP_CRASH_QUEUE_BYTES of data so memory
 * stays flat whatever the device holds; plus the two flags that go the other
 * way (the worker wants a file skipped, the worker stopped). */
#include "crash_walk.h"

#include <stdlib.h>

void cp_crash_push(cp_crash_walk *w, cp_crash_chunk *c)
{
  pthread_mutex_lock(&w->qlock);
  while (c->kind == CK_DATA && w->queued >= CP_CRASH_QUEUE_BYTES && !w->stop)
    pthread_cond_wait(&w->qcond, &w->qlock);
  c->next = NULL;
  if (w->tail)
    w->tail->next = c;
  else
    w->head = c;
  w->tail = c;
  w->queued += c->len;
  pthread_cond_broadcast(&w->qcond);
  pthread_mutex_unlock(&w->qlock);
}

cp_crash_chunk *cp_crash_pop(cp_crash_walk *w)
{
  pthread_mutex_lock(&w->qlock);
  while (!w->head)
    pthread_cond_wait(&w->qcond, &w->qlock);
  cp_crash_chunk *c = w->head;
  w->head = c->next;
  if (!w->head)
    w->tail = NULL;
  w->queued -= c->len;
  pthread_cond_broadcast(&w->qcond);
  pthread_mutex_unlock(&w->qlock);
  return c;
}

cp_crash_chunk *cp_crash_chunk_new(int kind, size_t idx)
{
  cp_crash_chunk *c = calloc(1, sizeof *c);
  if (c) {
    c->kind = kind;
    c->idx = idx;
  }
  return c;
}

void cp_crash_chunk_free(cp_crash_chunk *c)
{
  if (c) {
    free(c->data);
    free(c);
  }
}

void cp_crash_want_skip(cp_crash_walk *w, size_t idx)
{
  pthread_mutex_lock(&w->qlock);
  w->skip_set = 1;
  w->skip_idx = idx;
  pthread_mutex_unlock(&w->qlock);
}

int cp_crash_skipping(cp_crash_walk *w, size_t idx)
{
  pthread_mutex_lock(&w->qlock);
  int s = (w->skip_set && w->skip_idx == idx) || w->stop;
  pthread_mutex_unlock(&w->qlock);
  return s;
}

int cp_crash_stopped(cp_crash_walk *w)
{
  pthread_mutex_lock(&w->qlock);
  int s = w->stop;
  pthread_mutex_unlock(&w->qlock);
  return s;
}
