/* Unit tests of case requests (formats/request) and of the assist page's
 * guard (agent/assist/assist_guard.c): a signed request verifies; a changed
 * byte, another organisation's key, a past expiry or a malformed field is
 * refused with the right code; Host, Origin, token and client address
 * checks refuse what a foreign site or process would send. */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
// clang-format on
#include <jansson.h>
#include <netinet/in.h>

#include "assist_guard.h"
#include "case_request.h"

static char dir[256], priv[300], pub[300], other_priv[300], other_pub[300];

static int setup(void **state)
{
  (void)state;
  snprintf(dir, sizeof dir, "%s/cp-req-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir))
    return -1;
  snprintf(priv, sizeof priv, "%s/org.key", dir);
  snprintf(pub, sizeof pub, "%s/org.pub", dir);
  snprintf(other_priv, sizeof other_priv, "%s/other.key", dir);
  snprintf(other_pub, sizeof other_pub, "%s/other.pub", dir);
  cp_error e;
  if (cp_request_keygen(priv, pub, NULL, &e) != CP_OK ||
      cp_request_keygen(other_priv, other_pub, NULL, &e) != CP_OK)
    return -1;
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  unlink(priv);
  unlink(pub);
  unlink(other_priv);
  unlink(other_pub);
  rmdir(dir);
  return 0;
}

#define PAYLOAD                                                                                    \
  "{\"case_id\":\"12345\",\"org\":\"Example Support\",\"scopes\":[{\"scope\":\"battery\","         \
  "\"reason\":\"the battery drains\"}],\"upload\":{\"url\":\"https://s3.example/cases/"            \
  "x?X-Amz-Signature=ab\"},\"expires\":\"2030-01-01T00:00:00Z\"}"

/* 2029-12-31T00:00:00Z and 2030-01-02T00:00:00Z (Python's calendar.timegm). */
#define BEFORE ((time_t)1893369600)
#define AFTER ((time_t)1893542400)

static char *signed_text(const char *payload, const char *key)
{
  char **t = calloc(1, sizeof *t);
  cp_error e;
  assert_non_null(t);
  assert_int_equal(cp_case_request_sign(payload, key, t, &e), CP_OK);
  char *text = *t;
  free(t);
  return text;
}

static void test_signed_request_verifies(void **state)
{
  (void)state;
  char *t = signed_text(PAYLOAD, priv);
  const char *keys[] = {other_pub, pub, NULL};
  cp_case_request r;
  cp_error e;
  assert_int_equal(cp_case_request_load(t, strlen(t), keys, BEFORE, &r, &e), CP_OK);
  assert_int_equal(r.is_signed, 1);
  assert_string_equal(r.case_id, "12345");
  assert_string_equal(r.org, "Example Support");
  assert_int_equal(r.nscopes, 1);
  assert_string_equal(r.scopes[0].scope, "battery");
  assert_string_equal(r.scopes[0].reason, "the battery drains");
  assert_non_null(r.upload_url);
  cp_case_request_free(&r);
  free(t);
}

static void test_tampered_request_refused(void **state)
{
  (void)state;
  char *t = signed_text(PAYLOAD, priv);
  char *p = strstr(t, "Example Support"); /* a stranger's name in the payload */
  assert_non_null(p);
  memcpy(p, "Evil", 4);
  const char *keys[] = {pub, NULL};
  cp_case_request r;
  cp_error e;
  assert_int_equal(cp_case_request_load(t, strlen(t), keys, BEFORE, &r, &e), CP_E_REQUEST);
  assert_non_null(strstr(e.detail, "changed after it was signed"));
  assert_null(r.case_id);
  free(t);
}

static void test_upload_url_swapped_refused(void **state)
{
  (void)state;
  char *t = signed_text(PAYLOAD, priv);
  char *p = strstr(t, "s3.example");
  assert_non_null(p);
  memcpy(p, "s3.evilxx", 9);
  const char *keys[] = {pub, NULL};
  cp_case_request r;
  cp_error e;
  assert_int_equal(cp_case_request_load(t, strlen(t), keys, BEFORE, &r, &e), CP_E_REQUEST);
  free(t);
}

static void test_unknown_key_refused(void **state)
{
  (void)state;
  char *t = signed_text(PAYLOAD, other_priv);
  const char *keys[] = {pub, NULL};
  cp_case_request r;
  cp_error e;
  assert_int_equal(cp_case_request_load(t, strlen(t), keys, BEFORE, &r, &e), CP_E_REQUEST);
  assert_non_null(strstr(e.detail, "does not trust"));
  const char *none[] = {NULL};
  assert_int_equal(cp_case_request_load(t, strlen(t), none, BEFORE, &r, &e), CP_E_REQUEST);
  free(t);
}

static void test_expired_refused(void **state)
{
  (void)state;
  char *t = signed_text(PAYLOAD, priv);
  const char *keys[] = {pub, NULL};
  cp_case_request r;
  cp_error e;
  assert_int_equal(cp_case_request_load(t, strlen(t), keys, AFTER, &r, &e), CP_E_REQUEST_EXPIRED);
  assert_non_null(strstr(e.detail, "expired"));
  free(t);
}

static void test_unsigned_request_loads_unsigned(void **state)
{
  (void)state;
  json_t *env = json_pack("{s:s, s:i, s:s}", "format", "caseprobe-case-request", "version", 1,
                          "payload", PAYLOAD);
  char *t = json_dumps(env, 0);
  json_decref(env);
  cp_case_request r;
  cp_error e;
  assert_int_equal(cp_case_request_load(t, strlen(t), NULL, BEFORE, &r, &e), CP_OK);
  assert_int_equal(r.is_signed, 0);
  cp_case_request_free(&r);
  free(t);
}

static void test_malformed_requests_refused(void **state)
{
  (void)state;
  static const char *const payloads[] = {
      "{\"case_id\":\"1\",\"org\":\"O\",\"scopes\":[],\"expires\":\"2030-01-01T00:00:00Z\"}",
      "{\"case_id\":\"1\",\"org\":\"O\",\"scopes\":[{\"scope\":\"battery\",\"reason\":\"a\\u001b["
      "2Jb\"}],"
      "\"expires\":\"2030-01-01T00:00:00Z\"}",
      "{\"case_id\":\"1\",\"org\":\"O\",\"scopes\":[{\"scope\":\"battery\",\"reason\":\"r\"}],"
      "\"expires\":\"next week\"}",
      "{\"case_id\":\"1\",\"org\":\"O\",\"scopes\":[{\"scope\":\"battery\",\"reason\":\"r\"}],"
      "\"expires\":\"2030-01-01T00:00:00Z\",\"upload\":{\"url\":\"file:///etc/passwd\"}}",
      "{\"org\":\"O\",\"scopes\":[{\"scope\":\"battery\",\"reason\":\"r\"}],"
      "\"expires\":\"2030-01-01T00:00:00Z\"}",
      "[1]",
  };
  const char *keys[] = {pub, NULL};
  for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
    char *t = signed_text(payloads[i], priv);
    cp_case_request r;
    cp_error e;
    assert_int_equal(cp_case_request_load(t, strlen(t), keys, BEFORE, &r, &e), CP_E_REQUEST);
    free(t);
  }
  cp_case_request r;
  cp_error e;
  const char *notjson = "{\"format\": \"caseprobe-case-request\", ";
  assert_int_equal(cp_case_request_load(notjson, strlen(notjson), keys, BEFORE, &r, &e),
                   CP_E_REQUEST);
  const char *other = "{\"format\": \"something-else\", \"version\": 1, \"payload\": \"{}\"}";
  assert_int_equal(cp_case_request_load(other, strlen(other), keys, BEFORE, &r, &e), CP_E_REQUEST);
}

static void test_parse_time(void **state)
{
  (void)state;
  assert_int_equal((long long)cp_request_parse_time("1970-01-01T00:00:00Z"), 0);
  assert_int_equal((long long)cp_request_parse_time("2000-01-01T00:00:00Z"), 946684800LL);
  assert_int_equal((long long)cp_request_parse_time("2024-02-29T12:00:00Z"), 1709208000LL);
  assert_int_equal((long long)cp_request_parse_time("2038-01-19T03:14:08Z"), 2147483648LL);
  assert_int_equal((long long)cp_request_parse_time("2024-13-01T00:00:00Z"), -1);
  assert_int_equal((long long)cp_request_parse_time("2024-01-01 00:00:00Z"), -1);
  assert_int_equal((long long)cp_request_parse_time("2024-01-01T00:00:00+01:00"), -1);
}

static void test_guard_host_origin_token(void **state)
{
  (void)state;
  assert_true(cp_assist_host_ok("127.0.0.1:8080", 8080));
  assert_true(cp_assist_host_ok("[::1]:8080", 8080));
  assert_true(cp_assist_host_ok("localhost:8080", 8080));
  assert_false(cp_assist_host_ok("evil.example:8080", 8080));
  assert_false(cp_assist_host_ok("127.0.0.1:8081", 8080));
  assert_false(cp_assist_host_ok("127.0.0.1", 8080));
  assert_false(cp_assist_host_ok("127.0.0.1:8080.evil.example", 8080));
  assert_false(cp_assist_host_ok(NULL, 8080));
  assert_true(cp_assist_origin_ok("http://127.0.0.1:8080", 8080));
  assert_false(cp_assist_origin_ok("http://evil.example", 8080));
  assert_false(cp_assist_origin_ok("https://127.0.0.1:8080", 8080));
  assert_false(cp_assist_origin_ok("null", 8080));
  assert_false(cp_assist_origin_ok(NULL, 8080));
  const char *rest = NULL;
  assert_true(cp_assist_token_path("/abc123/api/state", "abc123", &rest));
  assert_string_equal(rest, "api/state");
  assert_true(cp_assist_token_path("/abc123/", "abc123", &rest));
  assert_string_equal(rest, "");
  assert_false(cp_assist_token_path("/abc124/api/state", "abc123", &rest));
  assert_false(cp_assist_token_path("/abc12/api", "abc123", &rest));
  assert_false(cp_assist_token_path("/abc1234/api", "abc123", &rest));
  assert_false(cp_assist_token_path("/api/state", "abc123", &rest));
  assert_false(cp_assist_token_path("", "abc123", &rest));
}

static void test_guard_addresses_and_language(void **state)
{
  (void)state;
  struct sockaddr_in in4;
  memset(&in4, 0, sizeof in4);
  in4.sin_family = AF_INET;
  in4.sin_addr.s_addr = htonl(0x7f000001);
  assert_true(cp_assist_addr_loopback((struct sockaddr *)&in4));
  in4.sin_addr.s_addr = htonl(0xc0a80001); /* 192.168.0.1 */
  assert_false(cp_assist_addr_loopback((struct sockaddr *)&in4));
  in4.sin_addr.s_addr = htonl(0x0a000001); /* 10.0.0.1 */
  assert_false(cp_assist_addr_loopback((struct sockaddr *)&in4));
  struct sockaddr_in6 in6;
  memset(&in6, 0, sizeof in6);
  in6.sin6_family = AF_INET6;
  in6.sin6_addr = in6addr_loopback;
  assert_true(cp_assist_addr_loopback((struct sockaddr *)&in6));
  in6.sin6_addr.s6_addr[0] = 0xfe;
  in6.sin6_addr.s6_addr[1] = 0x80;
  assert_false(cp_assist_addr_loopback((struct sockaddr *)&in6));
  assert_false(cp_assist_addr_loopback(NULL));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_signed_request_verifies),
      cmocka_unit_test(test_tampered_request_refused),
      cmocka_unit_test(test_upload_url_swapped_refused),
      cmocka_unit_test(test_unknown_key_refused),
      cmocka_unit_test(test_expired_refused),
      cmocka_unit_test(test_unsigned_request_loads_unsigned),
      cmocka_unit_test(test_malformed_requests_refused),
      cmocka_unit_test(test_parse_time),
      cmocka_unit_test(test_guard_host_origin_token),
      cmocka_unit_test(test_guard_addresses_and_language),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
