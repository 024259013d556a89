/*
 * The sysdiagnose service model. On a real iPhone a sysdiagnose is started by
 * the person (volume up + volume down + side button) and its archive appears
 * minutes later in the crash service's DiagnosticLogs/sysdiagnose/. Here the
 * profile's sysdiagnose/ folder holds the archive(s); they are grafted into
 * the AFC view at that place, held (invisible), and the control command
 * `sysdiagnose UDID` is the button press: the held files appear. A profile
 * without sysdiagnose/ models the press that never yields an archive (the
 * client's time-out path). The profile on disk is never written.
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_SYSDIAG_DIR "DiagnosticLogs/sysdiagnose"

int sim_sysdiag_load(struct sim_device *dev, const char *profile_dir)
{
  size_t n = strlen(profile_dir) + sizeof "/sysdiagnose";
  char *p = malloc(n);
  if (!p)
    return -1;
  (void)snprintf(p, n, "%s/sysdiagnose", profile_dir);
  int rc = sim_vfs_graft_held(dev->root, SIM_SYSDIAG_DIR, p);
  free(p);
  return rc;
}

char *sim_sysdiag_press(struct sim_device *dev)
{
  pthread_mutex_lock(&dev->lock);
  int shown = sim_vfs_release_held(dev->root);
  pthread_mutex_unlock(&dev->lock);
  if (shown > 0) {
    sim_log(dev, "sysdiagnose: button press -> %d archive(s) in %s", shown, SIM_SYSDIAG_DIR);
    char *r = malloc(64);
    if (r)
      (void)snprintf(r, 64, "ok sysdiagnose: %d archive(s) appeared", shown);
    return r;
  }
  sim_log(dev, "sysdiagnose: button press -> nothing (no archive in this profile)");
  return strdup("ok sysdiagnose: no archive will appear");
}
