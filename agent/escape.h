/*
 * Terminal-safe text: every string that came from a bundle or a device is
 * printed through here, so a member name, a case id or a device's reply
 * cannot move the cursor, retitle the window, recolour the screen or reverse
 * the reading order. One function, used by every printer in agent/.
 *
 * Escaped: C0 controls and DEL as \x1b; invalid UTF-8 bytes as \xff; C1
 * controls (U+0080..U+009F) and the invisible direction and formatting marks
 * (U+061C, U+200B..U+200F, U+202A..U+202E, U+2060..U+2069, U+FEFF) as
 * \u202e; a backslash as \\ so an escape cannot be forged. Everything else,
 * non-ASCII letters included, is kept.
 */
#ifndef CP_ESCAPE_H
#define CP_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Escapes s into buf (cap > 0): always NUL-terminated, cut at a whole
 * character when buf is too small. Returns the length written. */
size_t cp_escape_into(const char *s, char *buf, size_t cap);

/* Writes s escaped to out. NULL prints "-". */
void cp_fputs_safe(const char *s, FILE *out);

#endif
