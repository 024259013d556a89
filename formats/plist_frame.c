/* See plist_frame.h. */
#include "plist_frame.h"

#include <stdlib.h>
#include <string.h>

unsigned char *cp_plist_frame(plist_t p, uint32_t max, size_t *len)
{
  char *xml = NULL;
  uint32_t n = 0;
  *len = 0;
  plist_to_xml(p, &xml, &n);
  if (!xml || n == 0 || n > max) {
    if (xml)
      plist_to_xml_free(xml);
    return NULL;
  }
  unsigned char *buf = malloc((size_t)n + 4);
  if (buf) {
    buf[0] = (unsigned char)(n >> 24);
    buf[1] = (unsigned char)(n >> 16);
    buf[2] = (unsigned char)(n >> 8);
    buf[3] = (unsigned char)n;
    memcpy(buf + 4, xml, n);
    *len = (size_t)n + 4;
  }
  plist_to_xml_free(xml);
  return buf;
}

uint32_t cp_plist_frame_len(const unsigned char h[4])
{
  return ((uint32_t)h[0] << 24) | ((uint32_t)h[1] << 16) | ((uint32_t)h[2] << 8) | h[3];
}

plist_t cp_plist_frame_dict(const char *body, uint32_t len)
{
  plist_t p = NULL;
  plist_from_memory(body, len, &p);
  if (p && plist_get_node_type(p) != PLIST_DICT) {
    plist_free(p);
    p = NULL;
  }
  return p;
}
