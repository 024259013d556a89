/*
 * The redactor of a collect, compiled on a thread of its own: building the
 * rules (~290, with the device's identifiers) into a Vectorscan database
 * takes tens of milliseconds of CPU, while the first probes spend that long
 * waiting for the device (crash mover, AFC listing). The sink probes write
 * to waits for the compile at its first member, so nothing reaches the
 * bundle unredacted and a collect whose probes write late never waits.
 */
#ifndef CP_COLLECT_REDACT_H
#define CP_COLLECT_REDACT_H

#include "redact.h"
#include "sink.h"

typedef struct cp_collect_red cp_collect_red;

/* Starts the compile of cfg (its ids and policy must outlive *out); falls
 * back to compiling here when no thread can be started. */
cp_err cp_collect_red_start(const cp_redact_config *cfg, cp_collect_red **out, cp_error *err);

/* The sink probes write to: members pass through the redactor into next;
 * the first begin waits for the compile (and fails with its error). */
cp_sink *cp_collect_red_sink(cp_collect_red *c, cp_sink *next);

/* Waits for the compile: the redactor (still owned by c) or its error. */
cp_err cp_collect_red_wait(cp_collect_red *c, cp_redactor **out, cp_error *err);

/* Waits for the compile if needed and frees the redactor; NULL is fine. */
void cp_collect_red_free(cp_collect_red *c);

#endif
