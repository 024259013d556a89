/*
 * build_info: what made this caseprobe — its version, the git revision it was
 * built from, and the versions of the libraries actually linked (read from
 * the libraries at run time where they can say; libimobiledevice, libplist
 * and libusbmuxd have no such call, so theirs are the versions built against).
 * `caseprobe --version` prints it and every bundle's manifest records it, so
 * a support engineer knows what made a bundle.
 */
#ifndef CP_BUILD_INFO_H
#define CP_BUILD_INFO_H

#include <jansson.h>
#include <stdio.h>

/* {"version", "git", "bundle_format", "libraries": {name: version}}; new
 * reference, NULL on out of memory. */
json_t *cp_build_info(void);

/* The human form of cp_build_info() for --version: one line per item. */
int cp_build_info_print(FILE *out);

#endif
