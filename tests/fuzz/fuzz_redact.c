/* libFuzzer target for the streaming redactor: random input, fed once whole
 * and once in random chunks (sizes drawn from the input's first bytes); the
 * two outputs must be identical, or the target aborts. One redactor serves
 * all inputs (building one compiles a Vectorscan database), with device
 * identifiers, a user pattern Vectorscan takes and one it refuses. */
#include "redact.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cp_redactor *g_r;

static cp_redactor *redactor(void)
{
  /* a fresh one now and then: the pseudonym table grows with every new
   * value, and the fuzzer brings millions */
  static unsigned uses;
  if (g_r && ++uses % 4096 == 0) {
    cp_redactor_free(g_r);
    g_r = NULL;
  }
  if (g_r)
    return g_r;
  static const cp_redact_id ids[] = {
      {"serial", "DNPT1P8EHG74"},
      {"udid", "00008020-001D65163CE1002E"},
      {"ecid", "1707430441053478"},
      {"imei", "355341083159771"},
      {"phone", "+86 138 1234 5678"},
      {"wifi_mac", "14:bd:61:9d:3d:00"},
      {"device_name", "Anna\xE2\x80\x99s iPhone"},
  };
  static const unsigned char secret[CP_REDACT_SECRET_LEN] = "fuzz secret fuzz secret fuzz se";
  cp_redact_policy *p = NULL;
  cp_error e;
  if (cp_redact_policy_new(&p, &e) != CP_OK ||
      cp_redact_policy_add_pattern(p, "ticket", "TCK-[0-9]{3,8}", &e) != CP_OK ||
      cp_redact_policy_add_pattern(p, "case", "(?<=case )[A-Z]{2}\\d+", &e) != CP_OK)
    abort();
  cp_redact_config cfg = {ids, sizeof(ids) / sizeof(ids[0]), p, secret};
  if (cp_redactor_new(&cfg, &g_r, &e) != CP_OK) {
    fprintf(stderr, "fuzz_redact: %s\n", e.detail);
    abort();
  }
  cp_redact_policy_free(p);
  return g_r;
}

typedef struct acc {
  char *p;
  size_t n, cap;
} acc;

static cp_err acc_emit(void *ctx, const void *buf, size_t len, cp_error *err)
{
  acc *a = ctx;
  if (a->n + len > a->cap) {
    size_t cap = (a->n + len) * 2 + 64;
    char *np = realloc(a->p, cap);
    if (!np)
      return cp_error_set(err, CP_E_NOMEM, "fuzz output");
    a->p = np;
    a->cap = cap;
  }
  memcpy(a->p + a->n, buf, len);
  a->n += len;
  return CP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 4)
    return 0;
  cp_redactor *r = redactor();
  uint32_t seed;
  memcpy(&seed, data, 4);
  data += 4;
  size -= 4;
  cp_error e;
  char *whole = NULL;
  size_t wn = 0;
  /* a .json member also runs the JSON string tracking, an .xml one the escaping
   * (and the <integer> rewrite), an .ips one the header/body switch */
  static const char *const members[] = {"m.json", "m.plist", "m.ips", "m.log"};
  const char *member = members[seed & 3];
  if (cp_redact_buffer(r, member, data, size, &whole, &wn, &e) != CP_OK)
    abort();
  acc a = {0};
  cp_redact_stream *s = NULL;
  if (cp_redact_stream_open(r, member, acc_emit, &a, &s, &e) != CP_OK)
    abort();
  size_t at = 0;
  while (at < size) {
    seed = seed * 1103515245u + 12345u;
    size_t maxc = (seed >> 30) == 0 ? 3 : (seed >> 30) == 1 ? 40 : 700;
    size_t k = 1 + (seed >> 8) % maxc;
    if (k > size - at)
      k = size - at;
    if (cp_redact_stream_write(s, data + at, k, &e) != CP_OK)
      abort();
    at += k;
  }
  if (cp_redact_stream_close(s, 1, &e) != CP_OK)
    abort();
  if (a.n != wn || (wn && memcmp(a.p, whole, wn) != 0)) {
    fprintf(stderr, "fuzz_redact: chunked output differs from one-shot output\n");
    abort();
  }
  free(a.p);
  free(whole);
  return 0;
}
