/*
 * The probe registry: the one list of probes, in the order collect runs them.
 *
 * Adding a probe:
 *   1. write probes/<name>.c exporting `const cp_probe cp_probe_<name>`;
 *   2. declare it below and add one line to the table in registry.c;
 *   3. name its consent scope (and describe it in agent/consent.c if new);
 *   4. add an end-to-end test against the simulator in tests/e2e/.
 */
#ifndef CP_REGISTRY_H
#define CP_REGISTRY_H

#include "probe.h"

#include <stddef.h>

/* The NULL-terminated table, in run order (cheap reads first). */
const cp_probe *const *cp_probe_list(void);

/* The probe called `name`, or NULL ("no such probe 'x'"). */
const cp_probe *cp_probe_find(const char *name);

#endif
