/*
 * The crash walk's reader (crash_walk.h): lists the crash folder and streams
 * every report into the worker's queue, keeping the link busy. AFC numbers
 * its packets and the device answers in order, so requests are pipelined on
 * the one connection (cp_afc_submit / cp_afc_reap): the stats of a folder's
 * entries go out together, and while one report is read the next reports'
 * opens are already on the way. A report costs one round trip per window,
 * not four (stat, open, read, close) in a row.
 *
 * Order: reads are asked file after file, so DATA replies arrive in file
 * order and chunks reach the worker as BEGIN, DATA..., END per file. A file
 * is finished (END, then its close sent ahead) when its last read came back.
 */
#include "crash_select.h"
#include "crash_walk.h"
#include "safepath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Requests in flight at once, and reads among them: up to RD_READS of
 * them and RD_READ_BYTES asked (each read up to CP_CRASH_READ_BYTES), so a
 * few large reads or many small files' reads keep the link busy for several
 * milliseconds (a USB round trip is ~1 ms, a busy host's scheduling hiccup
 * more), while the device's and the socket's buffers stay small. */
#define RD_WINDOW 64u
/* Stats while listing: small requests and replies (~100 bytes), so a
 * deeper window only hides more round trips (3,000 stats: 46 ms at 64 in
 * flight, 35 ms at 256 on the simulator's USB-2 model). */
#define RD_STAT_WINDOW 256u
#define RD_READS 32u
#define RD_READ_BYTES (6u * 1024u * 1024u)
/* Files opened ahead of the one being read: enough for 3,000 small reports
 * (20 KB each: one read) to keep RD_READ_BYTES in flight. */
#define RD_OPEN_AHEAD 48u
/* A read's tag carries its file's index and the bytes it asked for. */
#define RD_TAG(idx, want) ((uint64_t)(idx) | ((uint64_t)(want) << 32))
#define RD_TAG_IDX(tag) ((size_t)((tag)&0xffffffffu))
#define RD_TAG_WANT(tag) ((uint64_t)((tag) >> 32))

/* ------------------------------------------------------------ listing */

static cp_err add_file(cp_crash_walk *w, char *rel, const cp_afc_stat *st, cp_error *err)
{
  if (w->nfiles == w->cap) {
    size_t nc = w->cap ? w->cap * 2 : 64;
    cp_crash_entry *ne = realloc(w->files, nc * sizeof *ne);
    if (!ne) {
      free(rel);
      return cp_error_set(err, CP_E_NOMEM, "file list");
    }
    w->files = ne;
    w->cap = nc;
  }
  w->files[w->nfiles].rel = rel;
  w->files[w->nfiles].st = *st;
  w->nfiles++;
  w->total += st->size;
  return CP_OK;
}

/* Sorts one stat answer: a file joins the list, a folder is kept for
 * later (*sub), anything else is dropped. Takes rel. */
static cp_err classify(cp_crash_walk *w, char *rel, const cp_afc_stat *st, char **sub,
                       cp_error *err)
{
  cp_error fe;
  *sub = NULL;
  if (st->type == CP_AFC_DIR) {
    /* sysdiagnose archives have their own consent scope (probes/sysdiagnose.c) */
    if (!strcmp(rel, "DiagnosticLogs/sysdiagnose"))
      free(rel);
    else
      *sub = rel;
    return CP_OK;
  }
  if (st->type != CP_AFC_FILE || w->nfiles >= CP_CRASH_MAX_FILES) {
    free(rel); /* links (LatestCrash.ips) point at files we pull anyway */
    return CP_OK;
  }
  if (st->size > CP_CRASH_MAX_FILE_BYTES) {
    cp_error_set(&fe, CP_E_PROTOCOL, "'%s' claims %llu bytes, more than any crash report", rel,
                 (unsigned long long)st->size);
    cp_crash_failure(w, rel, &fe);
    free(rel);
    return CP_OK;
  }
  return add_file(w, rel, st, err);
}

/* Lists `dir`, stats its entries with up to RD_STAT_WINDOW requests in flight,
 * then descends into its folders (depth-first, in listing order). */
static cp_err list_dir(cp_crash_walk *w, const char *dir, int depth, cp_error *err)
{
  char **names = NULL;
  if (depth > CP_CRASH_MAX_DEPTH_DIRS)
    return CP_OK;
  size_t refused = 0;
  cp_err rc = cp_afc_list_lenient(w->afc, dir, &names, &refused, err);
  if (rc != CP_OK)
    return rc;
  if (refused) { /* a hostile or broken name costs that entry, not the folder */
    cp_error fe;
    cp_error_set(&fe, CP_E_UNSAFE_PATH,
                 "%zu name(s) in '%s' hold '/' or a control byte and were left out", refused, dir);
    cp_crash_failure(w, dir, &fe);
  }
  size_t n = 0;
  while (names[n])
    n++;
  char **rels = calloc(n + 1, sizeof *rels), **subs = calloc(n + 1, sizeof *subs);
  size_t nsub = 0, sent = 0, got = 0;
  if (!rels || !subs)
    rc = cp_error_set(err, CP_E_NOMEM, "folder listing");
  for (size_t i = 0; i < n && rc == CP_OK; i++) {
    size_t len = strlen(dir) + strlen(names[i]) + 2;
    rels[i] = malloc(len);
    if (!rels[i])
      rc = cp_error_set(err, CP_E_NOMEM, "path");
    else
      (void)snprintf(rels[i], len, !strcmp(dir, ".") ? "%.0s%s" : "%s/%s", dir, names[i]);
  }
  while (rc == CP_OK && got < n) {
    while (rc == CP_OK && sent < n && cp_afc_inflight(w->afc) < RD_STAT_WINDOW)
      rc = cp_afc_submit(w->afc, CP_AFC_REQ_STAT, rels[sent], 0, 0, sent, err), sent++;
    if (rc != CP_OK)
      break;
    cp_afc_reply r;
    rc = cp_afc_reap(w->afc, &r, err);
    if (rc != CP_OK)
      break;
    size_t i = (size_t)r.tag;
    got++;
    char *rel = rels[i];
    rels[i] = NULL;
    if (r.rc != CP_OK) {
      if (cp_crash_fatal(r.rc)) {
        *err = r.err;
        rc = r.rc;
      } else
        cp_crash_failure(w, rel, &r.err);
      free(rel);
      continue;
    }
    char *sub = NULL;
    rc = classify(w, rel, &r.st, &sub, err);
    if (sub)
      subs[nsub++] = sub;
  }
  for (size_t i = 0; i < nsub && rc == CP_OK; i++)
    rc = list_dir(w, subs[i], depth + 1, err);
  for (size_t i = 0; rels && i < n; i++)
    free(rels[i]);
  for (size_t i = 0; subs && i < nsub; i++)
    free(subs[i]);
  free(rels);
  free(subs);
  cp_afc_names_free(names);
  return rc;
}

cp_err cp_crash_list_tree(cp_crash_walk *w, cp_error *err)
{
  return list_dir(w, ".", 0, err);
}

/* ------------------------------------------------------------ transfer */

/* One file between its open and its END. */
typedef struct pfile {
  size_t idx;
  uint64_t handle;
  uint64_t limit, asked, got;
  unsigned reads; /* read requests unanswered */
  int opened;     /* the open's answer came */
  int refused;    /* the open was refused: nothing to end */
  int ending;     /* ask nothing more (short read, refusal) */
  int begun;      /* BEGIN queued */
  cp_err status;
  cp_error err;
} pfile;

typedef struct reader {
  cp_crash_walk *w;
  pfile act[RD_OPEN_AHEAD];
  size_t ahead, nact; /* ring of files in flight, oldest first */
  size_t next;        /* next file to consider */
  unsigned reads;     /* read requests in flight */
  uint64_t asked;     /* ... and the bytes they asked for */
} reader;

static pfile *act_at(reader *r, size_t i)
{
  return &r->act[(r->ahead + i) % RD_OPEN_AHEAD];
}

static pfile *find(reader *r, size_t idx)
{
  for (size_t i = 0; i < r->nact; i++)
    if (act_at(r, i)->idx == idx)
      return act_at(r, i);
  return NULL;
}

static int asked_all(reader *r, pfile *p)
{
  return p->refused || p->ending || p->asked >= p->limit || cp_crash_skipping(r->w, p->idx);
}

/* The date a report's name carries ("App-2026-11-20-101010.ips"), as Unix
 * seconds read as UTC; -1 when the name has none. The device names reports
 * in its local time: callers allow a day either way. */
static int64_t name_date(const char *rel)
{
  const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
  for (const char *p = strchr(base, '-'); p; p = strchr(p + 1, '-')) {
    int y, mo, d, hms, n = 0;
    if (sscanf(p, "-%4d-%2d-%2d-%6d%n", &y, &mo, &d, &hms, &n) != 4 || n != 18 || y < 2007 ||
        mo < 1 || mo > 12 || d < 1 || d > 31)
      continue;
    /* days from the civil date (proleptic Gregorian), no time zone needed */
    int yy = y - (mo <= 2), era = yy / 400, yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t days = (int64_t)era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    return days * 86400 + (hms / 10000) * 3600 + (hms / 100 % 100) * 60 + hms % 100;
  }
  return -1;
}

/* 1 when (--since) what the listing gives proves the file older than the
 * cut-off: its st_mtime, or, when the device gave none, the date in its
 * name with a day of slack for the device's time zone. */
static int before_since(const cp_crash_walk *w, const cp_crash_entry *f)
{
  if (!w->opts || w->opts->since <= 0)
    return 0;
  if (f->st.mtime > 0)
    return f->st.mtime < w->opts->since;
  int64_t named = name_date(f->rel);
  return named > 0 && named + 86400 < w->opts->since;
}

cp_err cp_crash_cap_newest(cp_crash_walk *w, size_t cap, cp_error *err)
{
  w->keep_cut = INT64_MIN;
  w->keep_room = 0;
  int64_t *mt = w->nfiles > cap ? malloc(w->nfiles * sizeof *mt) : NULL;
  if (w->nfiles > cap && !mt)
    return cp_error_set(err, CP_E_NOMEM, "report dates");
  size_t n = 0;
  for (size_t i = 0; mt && i < w->nfiles; i++)
    if (!before_since(w, &w->files[i]))
      mt[n++] = w->files[i].st.mtime;
  if (mt)
    w->keep_cut = cp_crash_newest_cutoff(mt, n, cap, &w->keep_room);
  free(mt);
  if (w->keep_cut == INT64_MAX)
    return cp_error_set(err, CP_E_NOMEM, "report dates");
  return CP_OK;
}

/* 1 when CP_CRASH_BUNDLE_MAX leaves f out (an older report than the newest
 * that fit); counts it. */
static int too_old_to_fit(cp_crash_walk *w, const cp_crash_entry *f)
{
  if (f->st.mtime > w->keep_cut)
    return 0;
  if (f->st.mtime == w->keep_cut && w->keep_room > 0) {
    w->keep_room--;
    return 0;
  }
  w->left_old++;
  return 1;
}

/* A file the listing may not go further with: unsafe name, already pulled,
 * (--since) last written before the cut-off, so no report in it can be
 * from after it, or older than the reports a bundle has room for. 1 when
 * it is to be read. */
static int wanted(cp_crash_walk *w, size_t idx)
{
  const cp_crash_entry *f = &w->files[idx];
  cp_error fe;
  if (!cp_path_is_safe(f->rel, strlen(f->rel))) {
    cp_error_set(&fe, CP_E_UNSAFE_PATH, "'%s'", f->rel);
    cp_crash_failure(w, f->rel, &fe);
    return 0;
  }
  if (before_since(w, f) || too_old_to_fit(w, f)) {
    cp_crash_advance(w, f->st.size, f->rel);
    return 0;
  }
  pthread_mutex_lock(&w->lock);
  int yes = !(w->hooks && w->hooks->want) || w->hooks->want(w->hooks->ctx, f->rel, &f->st);
  if (!yes)
    json_array_append_new(w->skipped, json_string(f->rel));
  pthread_mutex_unlock(&w->lock);
  if (!yes)
    cp_crash_advance(w, f->st.size, f->rel);
  return yes;
}

static cp_err begin(reader *r, pfile *p, cp_error *err)
{
  if (p->begun)
    return CP_OK;
  cp_crash_chunk *b = cp_crash_chunk_new(CK_BEGIN, p->idx);
  if (!b)
    return cp_error_set(err, CP_E_NOMEM, "queue");
  cp_crash_push(r->w, b);
  p->begun = 1;
  return CP_OK;
}

/* Sends what the windows allow: reads of the oldest file still asking,
 * else an open of the next wanted file. */
static cp_err submit_more(reader *r, cp_error *err)
{
  cp_crash_walk *w = r->w;
  for (;;) {
    if (cp_afc_inflight(w->afc) >= RD_WINDOW)
      return CP_OK;
    pfile *p = NULL;
    for (size_t i = 0; i < r->nact && !p; i++)
      if (!asked_all(r, act_at(r, i)))
        p = act_at(r, i);
    if (p && p->opened) {
      if (r->reads >= RD_READS || r->asked >= RD_READ_BYTES)
        return CP_OK;
      uint64_t left = p->limit - p->asked; /* never more than the file has left */
      uint32_t want = left < CP_CRASH_READ_BYTES ? (uint32_t)left : CP_CRASH_READ_BYTES;
      cp_err rc =
          cp_afc_submit(w->afc, CP_AFC_REQ_READ, NULL, p->handle, want, RD_TAG(p->idx, want), err);
      if (rc != CP_OK)
        return rc;
      p->asked += want;
      p->reads++;
      r->reads++;
      r->asked += want;
      continue;
    }
    if (r->nact == RD_OPEN_AHEAD || r->next >= w->nfiles)
      return CP_OK;
    size_t idx = r->next++;
    if (!wanted(w, idx))
      continue;
    const cp_crash_entry *f = &w->files[idx];
    cp_err rc = cp_afc_submit(w->afc, CP_AFC_REQ_OPEN, f->rel, 0, 0, idx, err);
    if (rc != CP_OK)
      return rc;
    pfile *n = act_at(r, r->nact++);
    memset(n, 0, sizeof *n);
    n->idx = idx;
    n->limit =
        w->list_only && f->st.size > CP_CRASH_PREFIX_BYTES ? CP_CRASH_PREFIX_BYTES : f->st.size;
  }
}

/* Ends the oldest files that have nothing more coming: END (with the
 * completeness check), close sent ahead, progress. A fatal status ends the
 * walk. */
static cp_err settle(reader *r, cp_error *err)
{
  cp_crash_walk *w = r->w;
  while (r->nact) {
    pfile *p = act_at(r, 0);
    if (!(p->refused || (p->opened && p->reads == 0 && asked_all(r, p))))
      return CP_OK;
    const cp_crash_entry *f = &w->files[p->idx];
    cp_err rc = p->status;
    cp_error fe = p->err;
    if (!p->refused) {
      cp_err brc = begin(r, p, err);
      if (brc != CP_OK)
        return brc;
      /* A short file means the transfer broke: never keep it, never delete it. */
      if (rc == CP_OK && !w->list_only && !cp_crash_skipping(w, p->idx) && p->got != f->st.size) {
        if (cp_device_attached_after_failure(cp_device_udid(w->dev)) == 0)
          rc = cp_error_set(&fe, CP_E_DETACHED, "%s was unplugged while pulling %s",
                            cp_device_udid(w->dev), f->rel);
        else
          rc = cp_error_set(&fe, CP_E_PROTOCOL, "%s: read %llu bytes, the device said %llu", f->rel,
                            (unsigned long long)p->got, (unsigned long long)f->st.size);
      }
      cp_crash_chunk *e = cp_crash_chunk_new(CK_END, p->idx);
      if (!e)
        return cp_error_set(err, CP_E_NOMEM, "queue");
      e->status = rc;
      e->err = fe;
      cp_crash_push(w, e);
      cp_error ce;
      cp_err crc = cp_afc_file_close(w->afc, p->handle, &ce);
      if (crc != CP_OK && rc == CP_OK) {
        rc = crc;
        fe = ce;
      }
    }
    if (p->got < f->st.size)
      cp_crash_advance(w, f->st.size - p->got, f->rel); /* filtered, prefix only or failed */
    r->ahead = (r->ahead + 1) % RD_OPEN_AHEAD;
    r->nact--;
    if (rc != CP_OK && cp_crash_fatal(rc)) {
      *err = fe;
      return rc;
    }
  }
  return CP_OK;
}

/* One answer: an open's handle or refusal, or a read's bytes. */
static cp_err on_reply(reader *r, cp_afc_reply *a, cp_error *err)
{
  cp_crash_walk *w = r->w;
  pfile *p = find(r, RD_TAG_IDX(a->tag));
  if (!p) {
    free(a->data);
    return cp_error_set(err, CP_E_INTERNAL, "crash walk: an answer for no file");
  }
  const cp_crash_entry *f = &w->files[p->idx];
  if (a->kind == CP_AFC_REQ_OPEN) {
    p->opened = 1;
    if (a->rc == CP_OK) {
      p->handle = a->handle;
      return CP_OK;
    }
    p->refused = 1;
    if (cp_crash_fatal(a->rc)) {
      *err = a->err;
      return a->rc;
    }
    cp_crash_failure(w, f->rel, &a->err); /* vanished since the listing: go on */
    return CP_OK;
  }
  p->reads--;
  r->reads--;
  r->asked -= RD_TAG_WANT(a->tag);
  if (a->rc != CP_OK) {
    if (p->status == CP_OK) {
      p->status = a->rc;
      p->err = a->err;
    }
    p->ending = 1;
    return CP_OK;
  }
  if (a->len == 0 || p->ending || cp_crash_skipping(w, p->idx)) {
    free(a->data);
    if (a->len == 0)
      p->ending = 1; /* the file is shorter than its size said: settle() tells */
    return CP_OK;
  }
  cp_err rc = begin(r, p, err);
  if (rc != CP_OK) {
    free(a->data);
    return rc;
  }
  cp_crash_chunk *c = cp_crash_chunk_new(CK_DATA, p->idx);
  if (!c) {
    free(a->data);
    return cp_error_set(err, CP_E_NOMEM, "queue");
  }
  c->data = a->data;
  c->len = a->len;
  p->got += a->len;
  cp_crash_push(w, c);
  cp_crash_advance(w, a->len, f->rel);
  return CP_OK;
}

/* After a fatal error: the file whose chunks the worker holds gets its END
 * (the worker drops its member), so nothing half-read is kept. */
static void abandon(reader *r, cp_err rc, const cp_error *e)
{
  for (size_t i = 0; i < r->nact; i++) {
    pfile *p = act_at(r, i);
    if (!p->begun)
      continue;
    cp_crash_chunk *c = cp_crash_chunk_new(CK_END, p->idx);
    if (c) {
      c->status = rc;
      c->err = *e;
      cp_crash_push(r->w, c);
    }
  }
  r->nact = 0;
}

cp_err cp_crash_read_all(cp_crash_walk *w, cp_error *err)
{
  reader r;
  memset(&r, 0, sizeof r);
  r.w = w;
  cp_err rc = CP_OK;
  for (;;) {
    if (cp_crash_stopped(w))
      break; /* the worker's error is the walk's */
    if (w->opts && w->opts->cancel && *w->opts->cancel) {
      rc = cp_error_set(err, CP_E_INTERRUPTED, "stopped while pulling crash reports");
      break;
    }
    rc = submit_more(&r, err);
    if (rc == CP_OK)
      rc = settle(&r, err);
    if (rc != CP_OK)
      break;
    if (!cp_afc_inflight(w->afc)) {
      if (!r.nact && r.next >= w->nfiles)
        break; /* every file done */
      continue;
    }
    cp_afc_reply a;
    rc = cp_afc_reap(w->afc, &a, err);
    if (rc == CP_OK)
      rc = on_reply(&r, &a, err);
    if (rc == CP_OK)
      rc = settle(&r, err);
    if (rc != CP_OK)
      break;
  }
  if (rc != CP_OK) {
    if (rc == CP_E_DETACHED && r.nact)
      cp_error_set(err, CP_E_DETACHED, "%s was unplugged while pulling %s", cp_device_udid(w->dev),
                   w->files[act_at(&r, 0)->idx].rel);
    abandon(&r, rc, err);
  }
  return rc;
}
