/* The page's static files, built into the binary by agent/assist/embed.cmake
 * (the generated assist_www.c lives in the build tree). */
#ifndef CP_ASSIST_WWW_H
#define CP_ASSIST_WWW_H

#include <stddef.h>

typedef struct cp_www_file {
  const char *name; /* "index.html" */
  const char *type; /* Content-Type */
  const unsigned char *data;
  size_t len; /* data[len] is a NUL, so text files are also C strings */
} cp_www_file;

/* Terminated by an entry with name NULL. */
extern const cp_www_file cp_www_files[];

#endif
