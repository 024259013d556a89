/* libFuzzer target: what a hostile or broken device can send an AFC client.
 * The input is a reply stream (40-byte header + body) checked the way
 * probes/afc.c checks it, and also, whole, a READ_DIR listing and a
 * GET_FILE_INFO body. Beyond "no crash": a header that passes keeps every
 * length rule, names never hold '/', control bytes, "." or "..", and a
 * refused body hands nothing out. */
#include "afc_proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_names(char **n)
{
  size_t k = 0;
  for (; n[k]; k++) {
    size_t len = strlen(n[k]);
    if (len == 0 || len > CP_AFC_MAX_NAME || strchr(n[k], '/') || !strcmp(n[k], ".") ||
        !strcmp(n[k], ".."))
      abort();
    for (size_t i = 0; i < len; i++)
      if ((unsigned char)n[k][i] < 0x20 || n[k][i] == 0x7f)
        abort();
  }
  if (k > CP_AFC_MAX_NAMES)
    abort();
}

/* The body as the client would act on it. */
static void use_body(const cp_afc_hdr *h, const unsigned char *b, size_t n)
{
  cp_error e;
  uint64_t v;
  char **names = NULL;
  cp_afc_info in;
  if (h->op == CP_AFC_OP_STATUS || h->op == CP_AFC_OP_FILE_OPEN_RES ||
      h->op == CP_AFC_OP_FILE_TELL_RES) {
    if (cp_afc_body_u64(b, n, &v, &e) == CP_OK)
      (void)cp_afc_status_err(v, "fuzz", &e);
    else if (n >= 8)
      abort();
    return;
  }
  if (cp_afc_parse_names(b, n, &names, &e) == CP_OK) {
    check_names(names);
    cp_afc_names_free(names);
  } else if (names)
    abort();
  if (cp_afc_parse_info(b, n, &in, &e) != CP_OK && (in.has_size || in.size || in.mtime_ns))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* Exactly-sized copies: an over-read is an ASan report. */
  unsigned char *buf = malloc(size ? size : 1);
  if (!buf)
    return 0;
  memcpy(buf, data, size);
  if (size >= CP_AFC_HEADER_LEN + 1) {
    cp_afc_hdr h;
    cp_error e;
    uint64_t max = buf[0] & 1 ? CP_AFC_MAX_DATA : CP_AFC_MAX_META;
    const unsigned char *hdr = buf + 1;
    uint64_t pn = 0;
    for (int i = 7; i >= 0; i--)
      pn = (pn << 8) | hdr[24 + i];
    if (buf[0] & 2)
      pn++; /* a mismatching packet number must be refused */
    if (cp_afc_decode_header(hdr, pn, max, &h, &e) == CP_OK) {
      if ((buf[0] & 2) || h.this_len < 40 || h.entire_len < h.this_len ||
          h.entire_len - 40 > max || memcmp(hdr, CP_AFC_MAGIC, 8))
        abort();
      size_t avail = size - 1 - CP_AFC_HEADER_LEN;
      uint64_t n = h.entire_len - CP_AFC_HEADER_LEN;
      if (n <= avail) {
        unsigned char *body = malloc(n ? (size_t)n : 1);
        if (body) {
          memcpy(body, hdr + CP_AFC_HEADER_LEN, (size_t)n);
          use_body(&h, body, (size_t)n);
          free(body);
        }
      }
    } else if (e.code != CP_E_PROTOCOL) {
      abort();
    }
  }
  cp_afc_hdr any = {0, 0, 0, CP_AFC_OP_DATA};
  use_body(&any, buf, size);
  free(buf);
  return 0;
}
