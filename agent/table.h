/*
 * Text columns measured in display cells, not bytes: "Jonas’s iPhone" is 14
 * cells (’ is 3 bytes, 1 cell), "张三的iPhone" is 12 (each CJK character is 2
 * cells). Widths follow wcwidth(3) semantics from the Unicode East Asian
 * Width property (Wide and Fullwidth = 2, combining marks = 0), with our own
 * table so the result is the same on every platform and locale.
 */
#ifndef CP_TABLE_H
#define CP_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Cells of one code point: 0 (combining, zero-width), 1 or 2; -1 for a
 * control character. */
int cp_wcwidth(uint32_t cp);

/* Cells of a UTF-8 string as printed by cp_table_cell (controls and invalid
 * bytes print as one '?' cell each). */
size_t cp_str_cells(const char *s);

/* Writes s into out (n bytes) fitted to `cells`: truncated on a character
 * boundary with an ellipsis "…" when longer, padded with spaces when
 * shorter (pad = 0: no padding); controls and invalid UTF-8 become '?'.
 * Returns out. */
char *cp_cell_fit(const char *s, size_t cells, int pad, char *out, size_t n);

/* Prints s fitted to `cells` (cp_cell_fit with padding) to f. */
void cp_table_cell(FILE *f, const char *s, size_t cells);

#endif
