/* The few calls that differ between Linux, macOS and Windows, in one place
 * so the rest of the agent stays portable. */
#ifndef CP_PLATFORM_H
#define CP_PLATFORM_H

#include <stdint.h>
#include <sys/stat.h>

/* Modification time in nanoseconds since the epoch (st_mtim on Linux,
 * st_mtimespec on macOS), so two writes within one second still differ. */
int64_t cp_stat_mtime_ns(const struct stat *st);

/* The command line as UTF-8: argv itself on POSIX; on Windows the wide
 * command line converted (argv there is in the ANSI code page, which loses
 * non-ASCII file names), and the console set to print UTF-8. Never fails:
 * falls back to argv. The result lives until exit. */
char **cp_platform_utf8_argv(int *argc, char **argv);

#endif
