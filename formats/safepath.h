/* Safe relative member paths: the one check every writer uses before a
 * device- or archive-supplied name touches the local disk. */
#ifndef CP_SAFEPATH_H
#define CP_SAFEPATH_H

#include <stddef.h>

/* 1 when `rel` is a non-empty relative path of plain components: no leading
 * '/', no '\\', no drive letter, no "." or ".." component, no empty component,
 * no control characters, at most 1024 bytes, no component longer than
 * CP_PATH_MAX_COMPONENT (what every host file system takes: a longer name
 * from a hostile device would otherwise fail the whole pull with ENAMETOOLONG
 * instead of being skipped). A NUL inside `len` bytes fails. */
#define CP_PATH_MAX_COMPONENT 255
int cp_path_is_safe(const char *rel, size_t len);

#endif
