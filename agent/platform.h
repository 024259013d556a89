/* The few calls that differ between Linux, macOS and Windows, in one place
 * so the rest of the agent stays portable. */
#ifndef CP_PLATFORM_H
#define CP_PLATFORM_H

#include <stdint.h>
#include <sys/stat.h>

/* Modification time in nanoseconds since the epoch (st_mtim on Linux,
 * st_mtimespec on macOS), so two writes within one second still differ. */
int64_t cp_stat_mtime_ns(const struct stat *st);

#endif
