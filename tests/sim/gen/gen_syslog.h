/* gen_syslog.h: writes a syslog.txt of a requested size from the base
 * profile's lines, with timestamps that advance (so a long replay does not
 * show the same minute over and over). */
#ifndef CP_SIM_GEN_SYSLOG_H
#define CP_SIM_GEN_SYSLOG_H

#include "gen_util.h"

#include <stdint.h>
#include <stdio.h>

/* BASE/BASE_LEN: the base syslog text. Writes whole lines to OUT until at
 * least TARGET bytes are written. *written gets the count. 0 on success,
 * -1 on a write error, -2 if BASE has no timestamped line. */
int gen_syslog_write(FILE *out, const char *base, size_t base_len, uint64_t target,
                     struct gen_rng *rng, uint64_t *written);

#endif
