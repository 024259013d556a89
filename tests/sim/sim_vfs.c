/* sim_vfs.c: the in-memory view of a profile's crash/ tree that AFC serves.
 * Loaded once at start (lstat: exact sizes, mtimes, link targets); removals
 * and crash-mover moves only flip flags here, so the profile on disk never
 * changes and client paths never reach the host file system. */
#include "sim.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VFS_MAX_DEPTH 32
#define VFS_MAX_NODES 200000

static int vfs_nodes;

static struct sim_vnode *node_new(const char *name, enum sim_vtype type, struct sim_vnode *parent)
{
  struct sim_vnode *n = calloc(1, sizeof *n);
  if (!n)
    return NULL;
  n->name = strdup(name);
  if (!n->name) {
    free(n);
    return NULL;
  }
  n->type = type;
  n->parent = parent;
  if (parent) {
    /* append, so READ_DIR order is stable (sorted below) */
    struct sim_vnode **pp = &parent->child;
    while (*pp && strcmp((*pp)->name, name) < 0)
      pp = &(*pp)->next;
    n->next = *pp;
    *pp = n;
    parent->idx_stale = true;
  }
  vfs_nodes++;
  return n;
}

static struct sim_vnode *child_named(struct sim_vnode *dir, const char *name)
{
  for (struct sim_vnode *c = dir->child; c; c = c->next) {
    if (strcmp(c->name, name) == 0)
      return c;
  }
  return NULL;
}

static int64_t mtime_ns(const struct stat *st)
{
#if defined(__APPLE__)
  return (int64_t)st->st_mtimespec.tv_sec * 1000000000LL + st->st_mtimespec.tv_nsec;
#else
  return (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
#endif
}

/* Adds the host folder `path` under `dir`. Entries from crash_pending/ are
 * flagged pending; a folder existing in both is shared. */
static bool loading_held; /* sim_vfs_graft_held: new nodes are held */

static int load_into(struct sim_vnode *dir, const char *path, bool pending, int depth)
{
  if (depth > VFS_MAX_DEPTH)
    return 0;
  DIR *d = opendir(path);
  if (!d)
    return errno == ENOENT ? 0 : -1;
  struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (vfs_nodes >= VFS_MAX_NODES)
      break;
    size_t len = strlen(path) + strlen(e->d_name) + 2;
    char *p = malloc(len);
    if (!p) {
      rc = -1;
      break;
    }
    snprintf(p, len, "%s/%s", path, e->d_name);
    struct stat st;
    if (lstat(p, &st) != 0) {
      free(p);
      continue;
    }
    struct sim_vnode *n = child_named(dir, e->d_name);
    if (S_ISDIR(st.st_mode)) {
      if (!n) {
        n = node_new(e->d_name, SIM_VN_DIR, dir);
        if (!n) {
          free(p);
          rc = -1;
          break;
        }
        n->pending = pending;
        n->mtime_ns = mtime_ns(&st);
      }
      if (n->type == SIM_VN_DIR)
        rc = load_into(n, p, pending, depth + 1);
      free(p);
    } else if (!n && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
      n = node_new(e->d_name, S_ISREG(st.st_mode) ? SIM_VN_REG : SIM_VN_LNK, dir);
      if (!n) {
        free(p);
        rc = -1;
        break;
      }
      n->pending = pending;
      n->held = loading_held;
      n->mtime_ns = mtime_ns(&st);
      n->size = (uint64_t)st.st_size;
      if (S_ISLNK(st.st_mode)) {
        char t[1024];
        ssize_t tl = readlink(p, t, sizeof t - 1);
        t[tl > 0 ? tl : 0] = '\0';
        n->link_target = strdup(t);
        free(p);
      } else {
        n->real_path = p;
      }
    } else {
      free(p);
    }
  }
  closedir(d);
  return rc;
}

struct sim_vnode *sim_vfs_load(const char *crash_dir, const char *pending_dir)
{
  struct sim_vnode *root = node_new("", SIM_VN_DIR, NULL);
  if (!root)
    return NULL;
  struct stat st;
  if (stat(crash_dir, &st) == 0)
    root->mtime_ns = mtime_ns(&st);
  if (load_into(root, crash_dir, false, 0) != 0 || load_into(root, pending_dir, true, 0) != 0) {
    sim_vfs_free(root);
    return NULL;
  }
  return root;
}

void sim_vfs_free(struct sim_vnode *n)
{
  while (n) {
    struct sim_vnode *next = n->next;
    sim_vfs_free(n->child);
    free(n->idx);
    free(n->name);
    free(n->real_path);
    free(n->link_target);
    free(n);
    vfs_nodes--;
    n = next;
  }
}

bool sim_vfs_visible(const struct sim_vnode *n)
{
  return n && !n->removed && !n->pending && !n->held;
}

/* Resolves a client path against the root. Empty and "." components are
 * skipped, ".." may not climb above the root (PERM_DENIED, 10); anything
 * absent or hidden is OBJECT_NOT_FOUND (8). Symlinks are not followed. */
/* strcmp(a, the len bytes of b) */
static int name_cmp(const char *a, const char *b, size_t len)
{
  int r = strncmp(a, b, len);
  return r ? r : a[len] != '\0';
}

/* A folder's visible child named by the len bytes of name. afcd finds a
 * name through the file system's own index, so a request costs the same
 * in a folder of 10,000 reports as in one of ten: a binary search over the
 * (sorted) children, not a walk of the list for every stat and open. */
static struct sim_vnode *child_find(struct sim_vnode *dir, const char *name, size_t len)
{
  if (!dir->idx || dir->idx_stale) {
    size_t n = 0;
    for (struct sim_vnode *c = dir->child; c; c = c->next)
      n++;
    struct sim_vnode **v = n ? malloc(n * sizeof *v) : NULL;
    if (v) {
      n = 0;
      for (struct sim_vnode *c = dir->child; c; c = c->next)
        v[n++] = c;
      free(dir->idx);
      dir->idx = v;
      dir->nidx = n;
      dir->idx_stale = false;
    }
  }
  if (!dir->idx || dir->idx_stale) { /* out of memory: the walk */
    for (struct sim_vnode *c = dir->child; c; c = c->next)
      if (strlen(c->name) == len && memcmp(c->name, name, len) == 0 && sim_vfs_visible(c))
        return c;
    return NULL;
  }
  size_t lo = 0, hi = dir->nidx;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (name_cmp(dir->idx[mid]->name, name, len) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (; lo < dir->nidx && name_cmp(dir->idx[lo]->name, name, len) == 0; lo++)
    if (sim_vfs_visible(dir->idx[lo]))
      return dir->idx[lo];
  return NULL;
}

struct sim_vnode *sim_vfs_lookup(struct sim_vnode *root, const char *path, int *err)
{
  struct sim_vnode *cur = root;
  const char *p = path;
  *err = 0;
  while (*p) {
    while (*p == '/')
      p++;
    const char *end = strchr(p, '/');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == 0)
      break;
    if (len == 1 && p[0] == '.') {
    } else if (len == 2 && p[0] == '.' && p[1] == '.') {
      if (!cur->parent) {
        *err = 10;
        return NULL;
      }
      cur = cur->parent;
    } else {
      if (cur->type != SIM_VN_DIR) {
        *err = 8;
        return NULL;
      }
      struct sim_vnode *c = child_find(cur, p, len);
      if (!c) {
        *err = 8;
        return NULL;
      }
      cur = c;
    }
    p += len;
  }
  return cur;
}

static int unpend(struct sim_vnode *n)
{
  int moved = 0;
  for (; n; n = n->next) {
    if (n->pending) {
      n->pending = false;
      n->removed = false;
      if (n->type != SIM_VN_DIR)
        moved++;
    }
    moved += unpend(n->child);
  }
  return moved;
}

int sim_vfs_move_pending(struct sim_vnode *root)
{
  return unpend(root->child);
}

int sim_vfs_graft_held(struct sim_vnode *root, const char *subdir, const char *host_dir)
{
  struct sim_vnode *dir = root;
  char part[256];
  const char *p = subdir;
  while (*p) {
    size_t len = strcspn(p, "/");
    if (len == 0 || len >= sizeof part)
      return -1;
    memcpy(part, p, len);
    part[len] = '\0';
    struct sim_vnode *n = child_named(dir, part);
    if (!n) {
      n = node_new(part, SIM_VN_DIR, dir);
      if (!n)
        return -1;
      n->mtime_ns = dir->mtime_ns;
    }
    if (n->type != SIM_VN_DIR)
      return -1;
    dir = n;
    p += len;
    if (*p == '/')
      p++;
  }
  loading_held = true;
  int rc = load_into(dir, host_dir, false, 0);
  loading_held = false;
  return rc;
}

static int unhold(struct sim_vnode *n)
{
  int shown = 0;
  for (; n; n = n->next) {
    if (n->held) {
      n->held = false;
      if (n->type != SIM_VN_DIR)
        shown++;
    }
    shown += unhold(n->child);
  }
  return shown;
}

int sim_vfs_release_held(struct sim_vnode *root)
{
  return unhold(root->child);
}
