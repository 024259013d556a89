/* sim_ctl.c: the control channel (PATH.ctl, one text line per command, one
 * reply line "ok ..." or "error ...", status lines before it) and its
 * client, `caseprobe-sim --ctl PATH COMMAND [ARG]`. Tests drive cable
 * pulls, the Trust dialog and the passcode lock through it. */
#include "sim.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct sim_device *sim_find_device(const char *udid)
{
  for (int i = 0; udid && i < sim_g.ndevs; i++) {
    if (strcmp(sim_g.devs[i]->udid, udid) == 0)
      return sim_g.devs[i];
  }
  return NULL;
}

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...)
{
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return strdup(buf);
}

static char *status_text(void)
{
  size_t cap = 128 + (size_t)sim_g.ndevs * 128, len = 0;
  char *s = malloc(cap);
  if (!s)
    return NULL;
  for (int i = 0; i < sim_g.ndevs; i++) {
    struct sim_device *d = sim_g.devs[i];
    pthread_mutex_lock(&d->lock);
    len += (size_t)snprintf(s + len, cap - len, "%s %s %s %s\n", d->udid,
                            d->attached ? "attached" : "detached", sim_trust_name(d->trust),
                            d->locked ? "locked" : "unlocked");
    pthread_mutex_unlock(&d->lock);
  }
  snprintf(s + len, cap - len, "ok %d device(s)", sim_g.ndevs);
  return s;
}

/* Runs one command line; *reply gets the text to send (without final \n). */
void sim_ctl_handle_line(const char *line, char **reply)
{
  char cmd[32] = "", arg[128] = "";
  *reply = NULL;
  if (sscanf(line, "%31s %127s", cmd, arg) < 1) {
    *reply = str_printf("error empty command");
    return;
  }
  if (strcmp(cmd, "status") == 0) {
    *reply = status_text();
    return;
  }
  bool all = strcmp(arg, "all") == 0;
  struct sim_device *dev = sim_find_device(arg);
  if (!dev && !(all && (strcmp(cmd, "detach") == 0 || strcmp(cmd, "attach") == 0))) {
    if (arg[0])
      *reply = str_printf("error no device '%s'", arg);
    else
      *reply = str_printf("error missing UDID");
    return;
  }
  if (strcmp(cmd, "detach") == 0 || strcmp(cmd, "attach") == 0) {
    bool det = cmd[0] == 'd';
    for (int i = 0; i < sim_g.ndevs; i++) {
      struct sim_device *d = sim_g.devs[i];
      if (!all && d != dev)
        continue;
      if (det)
        sim_device_detach(d, "control");
      else
        sim_device_attach(d);
    }
    *reply = str_printf("ok %s %s", det ? "detached" : "attached", arg);
    return;
  }
  if (strcmp(cmd, "sysdiagnose") == 0) { /* the person's button press */
    *reply = sim_sysdiag_press(dev);
    return;
  }
  const char *what = NULL;
  pthread_mutex_lock(&dev->lock);
  if (strcmp(cmd, "trust") == 0) {
    dev->trust = SIM_TRUST_PAIRED;
    what = "simulated tap on Trust";
  } else if (strcmp(cmd, "deny") == 0) {
    dev->trust = SIM_TRUST_DENIED;
    what = "simulated tap on Don't Trust";
  } else if (strcmp(cmd, "lock") == 0) {
    dev->locked = true;
    what = "locked";
  } else if (strcmp(cmd, "unlock") == 0) {
    dev->locked = false;
    what = "unlocked";
  }
  pthread_mutex_unlock(&dev->lock);
  if (!what) {
    *reply = str_printf("error unknown command '%s'", cmd);
    return;
  }
  sim_log(dev, "%s (control)", what);
  *reply = str_printf("ok %s", what);
}

static int ctl_connect(const char *path)
{
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  size_t n = strlen(path);
  bool has = n > 4 && strcmp(path + n - 4, ".ctl") == 0;
  if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s%s", path, has ? "" : ".ctl") >=
      (int)sizeof sa.sun_path)
    return -1;
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int sim_ctl_client(const char *path, int argc, char **argv)
{
  char line[256];
  if (argc < 1 || argc > 2) {
    fprintf(stderr, "caseprobe-sim: --ctl PATH COMMAND [ARG]\n");
    return 2;
  }
  snprintf(line, sizeof line, "%s%s%s\n", argv[0], argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
  int fd = ctl_connect(path);
  if (fd < 0) {
    fprintf(stderr, "caseprobe-sim: cannot reach the control socket of %s: %s\n", path,
            strerror(errno));
    return 1;
  }
  int rc = 1;
  FILE *f = fdopen(fd, "r+");
  if (!f) {
    close(fd);
    return 1;
  }
  fputs(line, f);
  fflush(f);
  char buf[1024];
  while (fgets(buf, sizeof buf, f)) {
    fputs(buf, stdout);
    if (strncmp(buf, "ok", 2) == 0) {
      rc = 0;
      break;
    }
    if (strncmp(buf, "error", 5) == 0)
      break;
  }
  fclose(f);
  return rc;
}
