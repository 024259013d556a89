/* gen_fs.h: the few file-system operations caseprobe-sim-gen needs (make a
 * directory, list one, tell files from folders, copy a file, read a whole
 * small file). The one platform-specific file of the generator: everything
 * POSIX lives in gen_fs.c so the rest stays portable C11. */
#ifndef CP_SIM_GEN_FS_H
#define CP_SIM_GEN_FS_H

#include <stddef.h>

enum gen_ftype { GEN_NONE = 0, GEN_FILE, GEN_DIR, GEN_OTHER };

/* The kind of PATH (symlinks are followed), GEN_NONE if it does not exist. */
enum gen_ftype gen_fs_type(const char *path);

/* Creates one directory (mode 0755). 0 on success or if it already is a
 * directory, -1 with errno otherwise. */
int gen_fs_mkdir(const char *path);

/* 1 if PATH is a directory with no entries but . and .., 0 if it has some,
 * -1 on error. */
int gen_fs_dir_empty(const char *path);

/* Lists the entries of a directory (without . and ..), sorted by name so the
 * generator's output does not depend on the file system's order. *names is a
 * malloc'd array of malloc'd strings; free with gen_fs_free_list. */
int gen_fs_list(const char *path, char ***names, size_t *count);
void gen_fs_free_list(char **names, size_t count);

/* Copies the regular file SRC to DST (created or truncated). */
int gen_fs_copy_file(const char *src, const char *dst);

/* Reads a whole file into a NUL-terminated malloc'd buffer; refuses files
 * larger than MAX bytes. 0 on success. */
int gen_fs_read_all(const char *path, size_t max, char **buf, size_t *len);

/* Joins A and B with one '/', malloc'd; NULL on allocation failure. */
char *gen_fs_join(const char *a, const char *b);

#endif
