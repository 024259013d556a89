/* sim_log.c: one stderr line per significant event ("sim: <udid>: ..."),
 * tests grep these; plus the clock and small plist accessors. */
#include "sim.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void sim_log(const struct sim_device *dev, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  pthread_mutex_lock(&log_lock);
  if (dev)
    fprintf(stderr, "sim: %s: %s\n", dev->udid, msg);
  else
    fprintf(stderr, "sim: %s\n", msg);
  fflush(stderr);
  pthread_mutex_unlock(&log_lock);
}

double sim_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sim_sleep(double seconds)
{
  if (seconds <= 0)
    return;
  struct timespec ts;
  ts.tv_sec = (time_t)seconds;
  ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* String value of dict[key], NULL when absent or not a string. */
const char *sim_pstr(plist_t dict, const char *key)
{
  if (!dict || plist_get_node_type(dict) != PLIST_DICT)
    return NULL;
  plist_t n = plist_dict_get_item(dict, key);
  if (!n || plist_get_node_type(n) != PLIST_STRING)
    return NULL;
  return plist_get_string_ptr(n, NULL);
}

bool sim_puint(plist_t dict, const char *key, uint64_t *out)
{
  if (!dict || plist_get_node_type(dict) != PLIST_DICT)
    return false;
  plist_t n = plist_dict_get_item(dict, key);
  if (!n || plist_get_node_type(n) != PLIST_UINT)
    return false;
  plist_get_uint_val(n, out);
  return true;
}
