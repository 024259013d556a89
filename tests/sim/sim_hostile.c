/* sim_hostile.c: the Faults.HostileAFC knob. A hostile (or broken) device's
 * crash-log service lists names no real crash tree has — parent-directory
 * climbs, absolute paths, a NUL inside a name (which splits it in the
 * NUL-separated READ_DIR reply), terminal escapes, a newline, a 300-byte
 * name — and claims each is a file; one claims an absurd size (2^62 bytes)
 * and reads as endless zeros; and it floods the root with
 * SIM_HOSTILE_FLOOD names that have vanished by the time they are stat'ed.
 * A client must keep every byte inside its output folder, bound what it
 * reads, and finish. */
#include "sim.h"

#include <stdio.h>
#include <string.h>

#define SIM_HOSTILE_FLOOD 5000

/* The listed names (as sent: "nul\0hidden.ips" is two names on the wire). */
static const char *const hostile[] = {
    "../escape.ips",
    "../../../../../../../../tmp/cp-hostile-escape.ips",
    "/etc/cp-hostile-abs.ips",
    "Retired/../../up.ips",
    "nul",
    "hidden.ips",
    "\x1b]0;pwned\x07\x1b[31mansi.ips",
    "new\nline.ips",
    ".",
    "huge.ips",
    "long-"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xx.ips",
    NULL};

/* Strips the "./" or "/" a client may put before a root-level name. */
static const char *bare(const char *path)
{
  if (strncmp(path, "./", 2) == 0)
    return path + 2;
  return path;
}

void sim_hostile_list(struct sim_device *dev, const char *dir,
                      void (*add)(void *ctx, const char *name), void *ctx)
{
  if (!dev->fault_hostile_afc)
    return;
  if (strcmp(dir, ".") && strcmp(dir, "/") && strcmp(dir, "") && strcmp(dir, "./"))
    return;
  for (int i = 0; hostile[i]; i++)
    add(ctx, hostile[i]);
  char name[32];
  for (int i = 0; i < SIM_HOSTILE_FLOOD; i++) {
    snprintf(name, sizeof name, "flood-%05d.ips", i);
    add(ctx, name);
  }
}

int sim_hostile_stat(struct sim_device *dev, const char *path, uint64_t *size)
{
  if (!dev->fault_hostile_afc)
    return 0;
  const char *p = bare(path);
  if (strncmp(p, "flood-", 6) == 0)
    return -1; /* vanished: NOT_FOUND */
  for (int i = 0; hostile[i]; i++) {
    if (strcmp(hostile[i], ".") && strcmp(p, hostile[i]) == 0) {
      *size = strcmp(p, "huge.ips") == 0 ? (1ull << 62) : 100;
      return 1;
    }
  }
  return 0;
}
