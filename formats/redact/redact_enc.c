/*
 * The encoded spellings of one known literal (issue 14): how apps, web views,
 * plists and the device's own syslog write a value that is not plain ASCII or
 * carries separators. The redactor does not decode its input (that would cost
 * the scan speed); it adds each encoded spelling as one more literal, so the
 * matcher finds "%E2%80%99", "&#8217;" or "\M-b\M^@\M^Y" like any other text.
 * Hex case needs no variant here: literals are matched caselessly.
 */
#include "redact_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes the UTF-8 sequence at s[*i]; returns the code point and moves *i,
 * or returns -1 (and moves one byte) for a byte that is not UTF-8. */
static long utf8_next(const unsigned char *s, size_t n, size_t *i)
{
  unsigned c = s[*i], len = 0;
  long cp = 0;
  if (c < 0x80) {
    (*i)++;
    return c;
  }
  if ((c & 0xE0) == 0xC0)
    cp = c & 0x1F, len = 2;
  else if ((c & 0xF0) == 0xE0)
    cp = c & 0x0F, len = 3;
  else if ((c & 0xF8) == 0xF0)
    cp = c & 0x07, len = 4;
  if (!len || *i + len > n) {
    (*i)++;
    return -1;
  }
  for (unsigned k = 1; k < len; k++) {
    if ((s[*i + k] & 0xC0) != 0x80) {
      (*i)++;
      return -1;
    }
    cp = (cp << 6) | (s[*i + k] & 0x3F);
  }
  *i += len;
  return cp;
}

/* HTML named references of U+00C0..U+00FF (the Latin-1 letters), as the
 * entity list spells them; NULL for × and ÷, which are not letters. */
static const char *const k_latin1_names[64] = {
    "Agrave", "Aacute", "Acirc",  "Atilde", "Auml",   "Aring",  "AElig", "Ccedil",
    "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave", "Iacute", "Icirc", "Iuml",
    "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",  NULL,
    "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN", "szlig",
    "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",  "aelig", "ccedil",
    "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc", "iuml",
    "eth",    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",  NULL,
    "oslash", "ugrave", "uacute", "ucirc",  "uuml",   "yacute", "thorn", "yuml"};

static int unreserved(unsigned c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

static int host_char(unsigned c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

char *cp_rx_encode(int kind, const char *in)
{
  const unsigned char *s = (const unsigned char *)in;
  size_t n = strlen(in);
  char *out = malloc(n * 12 + 16), *o = out;
  if (!out)
    return NULL;
  for (size_t i = 0; i < n;) {
    unsigned c = s[i];
    switch (kind) {
    case CP_ENC_PCT_20:
    case CP_ENC_PCT_PLUS:
    case CP_ENC_PCT_20_APOS:
    case CP_ENC_PCT_PLUS_APOS:
      if (unreserved(c) ||
          (c == '\'' && (kind == CP_ENC_PCT_20_APOS || kind == CP_ENC_PCT_PLUS_APOS)))
        *o++ = (char)c;
      else if (c == ' ' && (kind == CP_ENC_PCT_PLUS || kind == CP_ENC_PCT_PLUS_APOS))
        *o++ = '+';
      else
        o += sprintf(o, "%%%02X", c);
      i++;
      break;
    case CP_ENC_NCR_HEX:
    case CP_ENC_NCR_DEC:
    case CP_ENC_NAMED: {
      size_t at = i;
      long cp = utf8_next(s, n, &i);
      if (cp < 0x80 && cp != '\'' && !(kind == CP_ENC_NAMED && cp == '&')) {
        memcpy(o, s + at, i - at);
        o += i - at;
      } else if (kind == CP_ENC_NCR_HEX)
        o += sprintf(o, "&#x%lX;", cp);
      else if (kind == CP_ENC_NCR_DEC)
        o += sprintf(o, "&#%ld;", cp);
      else if (cp == '\'')
        o += sprintf(o, "&apos;");
      else if (cp == '&')
        o += sprintf(o, "&amp;");
      else if (cp == 0x2019)
        o += sprintf(o, "&rsquo;");
      else if (cp >= 0xC0 && cp <= 0xFF && k_latin1_names[cp - 0xC0])
        o += sprintf(o, "&%s;", k_latin1_names[cp - 0xC0]);
      else { /* no name: the writer falls back to a numeric reference */
        o += sprintf(o, "&#%ld;", cp);
      }
      break;
    }
    case CP_ENC_VIS: /* vis(3) VIS_OCTAL off: meta bytes as \M-x, \M^x */
      if (c < 0x80)
        *o++ = (char)c;
      else {
        unsigned l = c & 0x7F;
        if (l < 0x20)
          o += sprintf(o, "\\M^%c", (char)(l + '@'));
        else if (l == 0x7F)
          o += sprintf(o, "\\M^?");
        else
          o += sprintf(o, "\\M-%c", (char)l);
      }
      i++;
      break;
    case CP_ENC_OCTAL:
      if (c < 0x80)
        *o++ = (char)c;
      else
        o += sprintf(o, "\\%03o", c);
      i++;
      break;
    case CP_ENC_HOST_KEEP:   /* spaces to '-', drop ASCII not allowed, keep UTF-8 */
    case CP_ENC_HOST_STRICT: /* the same, and drop every non-ASCII byte */
      if (c == ' ')
        *o++ = '-';
      else if (host_char(c) || (c >= 0x80 && kind == CP_ENC_HOST_KEEP && c != 0xE2))
        *o++ = (char)c;
      else if (c == 0xE2 && kind == CP_ENC_HOST_KEEP) { /* ’ and other punctuation: drop */
        size_t at = i;
        long cp = utf8_next(s, n, &i);
        if (!(cp >= 0x2000 && cp <= 0x206F)) {
          memcpy(o, s + at, i - at);
          o += i - at;
        }
        continue;
      }
      i++;
      break;
    default: free(out); return NULL;
    }
  }
  *o = 0;
  if (kind == CP_ENC_HOST_KEEP || kind == CP_ENC_HOST_STRICT) { /* "a--b" -> "a-b", trim '-' */
    char *w = out;
    for (char *r = out; *r; r++)
      if (!(*r == '-' && (w == out || w[-1] == '-')))
        *w++ = *r;
    while (w > out && w[-1] == '-')
      w--;
    *w = 0;
  }
  if (strcmp(out, in) == 0) {
    free(out);
    return NULL;
  }
  return out;
}
