/*
 * Battery-drain suspects for the battery command: runs the crash walk in
 * list mode (prefixes only, nothing written) for the device's own resource
 * reports, jetsam events and crash loops (formats/crash/drain.h), and words
 * the ranking for a person. Never an energy figure: only what the device
 * flagged.
 */
#ifndef CP_DRAIN_VIEW_H
#define CP_DRAIN_VIEW_H

#include "cli_common.h"

#include <jansson.h>
#include <stdio.h>

/* The drain document of the open session's device, or NULL when the crash
 * service could not be read (*err says why; the caller shows battery health
 * anyway). */
json_t *cp_drain_fetch(cp_cli_session *s, cp_error *err);

/* The ranking as lines for a person on `out`; process names from the device
 * are printed with control bytes replaced. */
void cp_drain_print(FILE *out, const json_t *drain);

#endif
