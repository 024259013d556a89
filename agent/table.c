/* See table.h. The width table is the East Asian Width "W"/"F" ranges and
 * the common zero-width ranges (Unicode 15), in the spirit of Markus Kuhn's
 * wcwidth: small, sorted, searched linearly (a table row is a few names). */
#include "table.h"

#include <string.h>

typedef struct range {
  uint32_t lo, hi;
} range;

static const range zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},   {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E},   {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},
    {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064},   {0x20D0, 0x20FF}, {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

static const range wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
    {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F64F},
    {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF},
    {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

static int in(const range *r, size_t n, uint32_t cp)
{
  for (size_t i = 0; i < n; i++)
    if (cp >= r[i].lo && cp <= r[i].hi)
      return 1;
  return 0;
}

int cp_wcwidth(uint32_t cp)
{
  if (cp == 0)
    return 0;
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
    return -1;
  if (in(zero_width, sizeof zero_width / sizeof zero_width[0], cp))
    return 0;
  if (in(wide, sizeof wide / sizeof wide[0], cp))
    return 2;
  return 1;
}

/* Decodes one UTF-8 character at s; returns its length (1..4) with *cp, or 0
 * with *cp = 0xFFFD-as-'?' for an invalid byte (the caller shows one '?'). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
  unsigned char c = s[0];
  size_t len;
  uint32_t v, min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if ((c & 0xE0) == 0xC0)
    len = 2, v = c & 0x1F, min = 0x80;
  else if ((c & 0xF0) == 0xE0)
    len = 3, v = c & 0x0F, min = 0x800;
  else if ((c & 0xF8) == 0xF0)
    len = 4, v = c & 0x07, min = 0x10000;
  else
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  *cp = v;
  return len;
}

size_t cp_str_cells(const char *s)
{
  size_t cells = 0;
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  while (*p) {
    uint32_t cp;
    size_t len = utf8_next(p, &cp);
    int w = len ? cp_wcwidth(cp) : 1;
    cells += w < 0 ? 1 : (size_t)w;
    p += len ? len : 1;
  }
  return cells;
}

/* Appends len bytes if they fit (keeping room for the NUL). */
static int put(char *out, size_t n, size_t *at, const void *b, size_t len)
{
  if (*at + len + 1 > n)
    return 0;
  memcpy(out + *at, b, len);
  *at += len;
  return 1;
}

char *cp_cell_fit(const char *s, size_t cells, int pad, char *out, size_t n)
{
  static const char ellipsis[] = "\xE2\x80\xA6"; /* U+2026, one cell */
  size_t at = 0, used = 0;
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  if (n == 0)
    return out;
  int cut = cp_str_cells(s) > cells;
  size_t room = cut && cells > 0 ? cells - 1 : cells; /* keep a cell for … */
  while (*p) {
    uint32_t cp;
    size_t len = utf8_next(p, &cp);
    int w = len ? cp_wcwidth(cp) : 1;
    int bad = !len || w < 0;
    size_t cw = bad ? 1 : (size_t)w;
    if (used + cw > room)
      break; /* a wide character never splits: the cell stays empty */
    if (bad ? !put(out, n, &at, "?", 1) : !put(out, n, &at, p, len))
      break;
    used += cw;
    p += len ? len : 1;
  }
  if (cut && cells > 0 && put(out, n, &at, ellipsis, sizeof ellipsis - 1))
    used++;
  while (pad && used < cells && put(out, n, &at, " ", 1))
    used++;
  out[at] = '\0';
  return out;
}

void cp_table_cell(FILE *f, const char *s, size_t cells)
{
  char buf[1024];
  fputs(cp_cell_fit(s, cells, 1, buf, sizeof buf), f);
}
