/* The probe table (see registry.h for how to add one). Order: cheap lockdown
 * reads first, so a device that fails early fails before the slow probes;
 * the crash pull and the timed syslog capture last. */
#include "registry.h"

#include <string.h>

extern const cp_probe cp_probe_sysinfo;
extern const cp_probe cp_probe_storage;
extern const cp_probe cp_probe_battery;
extern const cp_probe cp_probe_apps;
extern const cp_probe cp_probe_crashlogs;
extern const cp_probe cp_probe_syslog;
extern const cp_probe cp_probe_sysdiagnose;

static const cp_probe *const probes[] = {
    &cp_probe_sysinfo,   /* one GetValue */
    &cp_probe_storage,   /* one GetValue */
    &cp_probe_battery,   /* diagnostics_relay, maybe one Analytics report */
    &cp_probe_apps,      /* installation_proxy Browse */
    &cp_probe_crashlogs, /* crashreportmover, then the whole AFC crash tree */
    &cp_probe_syslog,    /* a timed capture */
    &cp_probe_sysdiagnose, /* waits for the person's button press, then a big pull */
    NULL,
};

const cp_probe *const *cp_probe_list(void)
{
  return probes;
}

const cp_probe *cp_probe_find(const char *name)
{
  for (size_t i = 0; name && probes[i]; i++)
    if (!strcmp(probes[i]->name, name))
      return probes[i];
  return NULL;
}
