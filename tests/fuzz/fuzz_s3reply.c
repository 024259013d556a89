/* libFuzzer target: what an upload server (or anything pretending to be one)
 * can send back: S3 XML replies read by cp_xml_find/cp_xml_text, and URLs
 * given on the command line, parsed by cp_s3_url_parse and redacted. Beyond
 * "no crash": values come back NUL-terminated, inside their buffer, without
 * control characters (they reach messages and headers), and a redacted URL
 * never keeps a query string. */
#include "upload_s3.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t cap)
{
  size_t n = strnlen(s, cap);
  if (n >= cap)
    abort();
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
      abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* An exactly-sized copy without a NUL: an overread is an ASan report. */
  char *xml = malloc(size ? size : 1);
  if (!xml)
    return 0;
  memcpy(xml, data, size);
  static const char *const tags[] = {"Code", "Message",    "UploadId",    "ETag",
                                     "Part", "PartNumber", "IsTruncated", "Error"};
  char out[64];
  for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
    for (size_t nth = 0; nth < 3; nth++) {
      const char *start;
      size_t len;
      if (cp_xml_find(xml, size, tags[t], nth, &start, &len) &&
          (start < xml || start + len > xml + size))
        abort();
      if (cp_xml_text(xml, size, tags[t], nth, out, sizeof out))
        check_text(out, sizeof out);
      else if (out[0] != '\0')
        abort();
    }
  }
  free(xml);

  char *url = malloc(size + 1);
  if (!url)
    return 0;
  memcpy(url, data, size);
  url[size] = '\0';
  cp_s3_url *u = malloc(sizeof *u);
  if (u) {
    cp_error e;
    if (cp_s3_url_parse(url, "default.tar.gz", u, &e) == CP_OK) {
      check_text(u->redacted, sizeof u->redacted);
      if (strchr(u->redacted, '?') || strchr(u->hostport, '@'))
        abort();
      if (!u->bucket[0] || !u->key[0])
        abort();
    }
    free(u);
  }
  char red[256];
  cp_upload_redact_url(url, red, sizeof red);
  if (strnlen(red, sizeof red) >= sizeof red || strchr(red, '?') || strchr(red, '#'))
    abort();
  free(url);
  return 0;
}
