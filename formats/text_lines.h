/*
 * Line splitting for the small line-based text files caseprobe reads (the
 * policy, the station's case map): one place that skips a UTF-8 byte-order
 * mark (Windows editors write one) and accepts LF and CRLF endings, so both
 * parsers number lines and cut them the same way.
 */
#ifndef CP_TEXT_LINES_H
#define CP_TEXT_LINES_H

#include <stddef.h>

typedef struct cp_text_lines {
  const char *buf;
  size_t len;
  size_t pos;
  long line; /* number of the line last returned, from 1 */
} cp_text_lines;

/* Starts at the first line of buf (len bytes, need not end in a newline). */
void cp_text_lines_init(cp_text_lines *t, const char *buf, size_t len);

/* The next line without its "\n" or "\r\n": returns 1 with *s and *n set,
 * 0 after the last line. */
int cp_text_lines_next(cp_text_lines *t, const char **s, size_t *n);

#endif
