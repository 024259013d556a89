/* Unit tests of the pure parts of the upload engine: URL parsing and the
 * SigV4 canonical encoding libcurl 7.88 relies on us for, redaction, the S3 XML
 * field reader (bounded, hostile input), the resume state file, the receipt,
 * the multipart ETag, sizes and the credentials file. */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
// clang-format on

#include "upload.h"
#include "upload_s3.h"

static char tmpdir[256];

static int setup(void **state)
{
  (void)state;
  const char *base = getenv("TMPDIR");
  snprintf(tmpdir, sizeof tmpdir, "%s/cp-upload-unit.XXXXXX", base && *base ? base : "/tmp");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
  (void)state;
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

static void test_url_path_style(void **state)
{
  (void)state;
  cp_s3_url u;
  cp_error e;
  assert_int_equal(cp_s3_url_parse("http://127.0.0.1:4568/cases/", "b 1.tar.gz", &u, &e), CP_OK);
  assert_false(u.https);
  assert_false(u.presigned);
  assert_string_equal(u.hostport, "127.0.0.1:4568");
  assert_string_equal(u.bucket, "cases");
  assert_string_equal(u.key, "b 1.tar.gz");
  assert_string_equal(u.path, "/cases/b%201.tar.gz");
  assert_string_equal(u.request, "http://127.0.0.1:4568/cases/b%201.tar.gz");
  assert_string_equal(u.redacted, u.request);

  /* An explicit key is decoded, then encoded canonically; '/' stays. */
  assert_int_equal(cp_s3_url_parse("https://s3.example.com/b/case%2042/x+y(1).gz", "z", &u, &e),
                   CP_OK);
  assert_true(u.https);
  assert_string_equal(u.key, "case 42/x+y(1).gz");
  assert_string_equal(u.path, "/b/case%2042/x%2By%281%29.gz");

  /* A folder prefix ending in '/' gets the file name. */
  assert_int_equal(cp_s3_url_parse("http://h/b/cases/2024/", "f.tar.gz", &u, &e), CP_OK);
  assert_string_equal(u.key, "cases/2024/f.tar.gz");
}

static void test_url_refusals(void **state)
{
  (void)state;
  cp_s3_url u;
  cp_error e;
  const char *bad[] = {"",
                       "ftp://h/b/k",
                       "http:///b/k",
                       "http://user:secret@h/b/k",
                       "http://h",
                       "http://h/",
                       "http://h/b",
                       "http://h/b/k?acl",
                       "http://h/b/%zz",
                       "http://h/b/a%00b",
                       "http://h/b/a%0Ab",
                       "http://h/b/k%",
                       "http://h/b/k%4",
                       "http://h o/b/k"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cp_error_clear(&e);
    assert_int_equal(cp_s3_url_parse(bad[i], NULL, &u, &e), CP_E_USAGE);
    /* The message never repeats the password. */
    assert_null(strstr(e.detail, "secret"));
  }
  /* A bucket name longer than S3's 63 characters. */
  char longb[200] = "http://h/";
  memset(longb + 9, 'b', 100);
  strcat(longb, "/k");
  assert_int_equal(cp_s3_url_parse(longb, NULL, &u, &e), CP_E_USAGE);
}

static void test_url_presigned(void **state)
{
  (void)state;
  cp_s3_url u;
  cp_error e;
  const char *url = "https://s3.example.com/cases/a%20b.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&"
                    "X-Amz-Credential=AKIA%2F20240101&X-Amz-Signature=abcdef";
  assert_int_equal(cp_s3_url_parse(url, "ignored", &u, &e), CP_OK);
  assert_true(u.presigned);
  assert_string_equal(u.key, "a b.gz");
  /* Signed bytes are sent exactly as given. */
  assert_string_equal(u.request, url);
  assert_string_equal(u.redacted, "https://s3.example.com/cases/a%20b.gz");
  assert_null(strstr(u.redacted, "abcdef"));
  /* Old V2 presigned URLs count too; a presigned URL must name its object. */
  assert_int_equal(
      cp_s3_url_parse("http://h/b/k?AWSAccessKeyId=A&Expires=1&Signature=x", NULL, &u, &e), CP_OK);
  assert_true(u.presigned);
  assert_int_equal(cp_s3_url_parse("http://h/b/?X-Amz-Signature=x", "f", &u, &e), CP_E_USAGE);
}

static void test_redact(void **state)
{
  (void)state;
  char out[256];
  cp_upload_redact_url("https://u:p@h:9/b/k?X-Amz-Signature=s#f", out, sizeof out);
  assert_string_equal(out, "https://h:9/b/k");
  cp_upload_redact_url("http://h/b/k#x?y", out, sizeof out);
  assert_string_equal(out, "http://h/b/k");
  cp_upload_redact_url("http://h/b/a@b?q", out, sizeof out); /* '@' in the path stays */
  assert_string_equal(out, "http://h/b/a@b");
  cp_upload_redact_url("http://h/b/k\r\nX: y", out, sizeof out);
  assert_null(strchr(out, '\n'));
  cp_upload_redact_url("http://h/long/path", out, 8); /* truncated, terminated */
  assert_string_equal(out, "http://");
  cp_upload_redact_url(NULL, out, sizeof out);
  assert_string_equal(out, "");
}

static void test_uri_encode(void **state)
{
  (void)state;
  char out[64];
  assert_true(cp_s3_uri_encode("a-b_c.d~e/f g", 1, out, sizeof out));
  assert_string_equal(out, "a-b_c.d~e/f%20g");
  assert_true(cp_s3_uri_encode("a/b=c&d", 0, out, sizeof out));
  assert_string_equal(out, "a%2Fb%3Dc%26d");
  assert_true(cp_s3_uri_encode("\xc3\xa9", 0, out, sizeof out));
  assert_string_equal(out, "%C3%A9");
  assert_false(cp_s3_uri_encode("abcdef", 0, out, 6)); /* no room for the NUL */
  assert_true(cp_s3_uri_encode("abcde", 0, out, 6));
  assert_false(cp_s3_uri_encode(" ", 0, out, 3));
}

static void test_xml(void **state)
{
  (void)state;
  const char *x = "<?xml version=\"1.0\"?><Error><Code>NoSuchUpload</Code>"
                  "<Message>The &quot;upload&quot; &amp; &#60;more&#62;\n done</Message>"
                  "<UploadId/></Error>";
  char out[64];
  assert_true(cp_xml_text(x, strlen(x), "Code", 0, out, sizeof out));
  assert_string_equal(out, "NoSuchUpload");
  assert_true(cp_xml_text(x, strlen(x), "Message", 0, out, sizeof out));
  assert_string_equal(out, "The \"upload\" & <more> done");
  assert_true(cp_xml_text(x, strlen(x), "UploadId", 0, out, sizeof out));
  assert_string_equal(out, "");
  assert_false(cp_xml_text(x, strlen(x), "Missing", 0, out, sizeof out));
  /* Too small a buffer is a miss, not a truncated value. */
  assert_false(cp_xml_text(x, strlen(x), "Code", 0, out, 5));
  assert_string_equal(out, "");

  const char *parts =
      "<ListPartsResult><PartNumberMarker>0</PartNumberMarker>"
      "<Part><PartNumber>1</PartNumber><ETag>\"aa\"</ETag></Part>"
      "<Part attr=\"x\"><PartNumber>3</PartNumber><ETag>&quot;bb&quot;</ETag></Part>"
      "</ListPartsResult>";
  const char *b;
  size_t bl;
  assert_true(cp_xml_find(parts, strlen(parts), "Part", 1, &b, &bl));
  assert_true(cp_xml_text(b, bl, "PartNumber", 0, out, sizeof out));
  assert_string_equal(out, "3");
  assert_true(cp_xml_text(b, bl, "ETag", 0, out, sizeof out));
  assert_string_equal(out, "\"bb\"");
  assert_false(cp_xml_find(parts, strlen(parts), "Part", 2, &b, &bl));
  /* <PartNumberMarker> is not a <Part>. */
  assert_true(cp_xml_find(parts, strlen(parts), "Part", 0, &b, &bl));
  assert_int_equal(b[0], '<');

  /* Truncated and hostile inputs stay inside their bounds. */
  const char *cut[] = {"<Code>abc", "<Code", "<Code>abc</Cod", "<", "<Code attr", ""};
  for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++)
    assert_false(cp_xml_text(cut[i], strlen(cut[i]), "Code", 0, out, sizeof out));
  char *heap = malloc(6);
  memcpy(heap, "<Code>", 6); /* no NUL anywhere: ASan catches an overread */
  assert_false(cp_xml_text(heap, 6, "Code", 0, out, sizeof out));
  free(heap);
}

static void test_state_roundtrip(void **state)
{
  (void)state;
  char file[512];
  snprintf(file, sizeof file, "%s/b.upload-state", tmpdir);
  cp_upload_state s, r;
  cp_error e;
  const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  assert_int_equal(cp_upload_state_init(&s, "http://h/b/k", "id-1", sha, 40000000, 5242880, &e),
                   CP_OK);
  assert_int_equal(s.nparts, 8);
  strcpy(s.etags[0], "aaaa");
  strcpy(s.etags[6], "gggg");
  assert_int_equal(cp_upload_state_save(file, &s, &e), CP_OK);
  assert_int_equal(cp_upload_state_load(file, &r, &e), CP_OK);
  assert_string_equal(r.url, "http://h/b/k");
  assert_string_equal(r.upload_id, "id-1");
  assert_string_equal(r.sha256, sha);
  assert_int_equal(r.size, 40000000);
  assert_int_equal(r.part_size, 5242880);
  assert_int_equal(r.nparts, 8);
  assert_int_equal(cp_upload_state_done(&r), 2);
  assert_string_equal(r.etags[0], "aaaa");
  assert_string_equal(r.etags[1], "");
  assert_string_equal(r.etags[6], "gggg");
  cp_upload_state_free(&r);
  cp_upload_state_free(&s);
  /* No temporary file is left behind. */
  char tmp[600];
  snprintf(tmp, sizeof tmp, "%s.tmp", file);
  assert_int_equal(access(tmp, F_OK), -1);

  snprintf(file, sizeof file, "%s/absent", tmpdir);
  assert_int_equal(cp_upload_state_load(file, &r, &e), CP_E_NOT_FOUND);
}

static void write_text(const char *file, const char *text)
{
  FILE *f = fopen(file, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void test_state_rejects_bad_files(void **state)
{
  (void)state;
  char file[512];
  snprintf(file, sizeof file, "%s/bad.upload-state", tmpdir);
#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  const char *bodies[] = {
      "not json",
      "{\"format\":2}",
      /* part number beyond the part count */
      "{\"format\":1,\"url\":\"u\",\"upload_id\":\"i\",\"sha256\":\"" SHA "\",\"size\":10,"
      "\"part_size\":5242880,\"parts\":[{\"part\":2,\"etag\":\"x\"}]}",
      /* part 0 */
      "{\"format\":1,\"url\":\"u\",\"upload_id\":\"i\",\"sha256\":\"" SHA "\",\"size\":10,"
      "\"part_size\":5242880,\"parts\":[{\"part\":0,\"etag\":\"x\"}]}",
      /* control character in an ETag (it goes into XML and headers) */
      "{\"format\":1,\"url\":\"u\",\"upload_id\":\"i\",\"sha256\":\"" SHA "\",\"size\":10,"
      "\"part_size\":5242880,\"parts\":[{\"part\":1,\"etag\":\"x\\ny\"}]}",
      /* too many parts for S3 */
      "{\"format\":1,\"url\":\"u\",\"upload_id\":\"i\",\"sha256\":\"" SHA
      "\",\"size\":100000000000,"
      "\"part_size\":5242880,\"parts\":[]}",
      /* negative size */
      "{\"format\":1,\"url\":\"u\",\"upload_id\":\"i\",\"sha256\":\"" SHA "\",\"size\":-1,"
      "\"part_size\":5242880,\"parts\":[]}",
  };
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    write_text(file, bodies[i]);
    cp_upload_state r;
    cp_error e;
    assert_int_equal(cp_upload_state_load(file, &r, &e), CP_E_PARSE);
    assert_null(r.etags);
  }
}

static void test_receipt(void **state)
{
  (void)state;
  char file[512];
  snprintf(file, sizeof file, "%s/b.receipt.json", tmpdir);
  cp_upload_result r = {0};
  strcpy(r.url, "http://h/b/k");
  strcpy(r.etag, "abc-2");
  strcpy(r.sha256, "ff");
  r.size = 12345;
  r.parts = 2;
  r.parts_resumed = 1;
  cp_error e;
  assert_int_equal(cp_upload_receipt_write(file, &r, 1700000000LL, &e), CP_OK);
  FILE *f = fopen(file, "r");
  assert_non_null(f);
  char text[1024] = "";
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  assert_non_null(strstr(text, "\"url\": \"http://h/b/k\""));
  assert_non_null(strstr(text, "\"etag\": \"abc-2\""));
  assert_non_null(strstr(text, "\"size\": 12345"));
  assert_non_null(strstr(text, "\"time\": \"2023-11-14T22:13:20Z\""));
  assert_non_null(strstr(text, "\"parts\": 2"));
  assert_non_null(strstr(text, "\"resumed_parts\": 1"));
}

static void test_multipart_etag(void **state)
{
  (void)state;
  /* Two parts whose MD5s are those of "a" and "b": S3's ETag is
   * md5(md5("a") || md5("b")) + "-2", computed here independently. */
  char etags[2][80] = {"0cc175b9c0f1b6a831c399e269772661", "92eb5ffee6ae2fec3ad71c777531578f"};
  char out[64];
  assert_true(cp_upload_multipart_etag((const char(*)[80])etags, 2, out, sizeof out));
  assert_string_equal(out, "96e024ba2074fe77e8e965ba43a704be-2");
  strcpy(etags[1], "short");
  assert_false(cp_upload_multipart_etag((const char(*)[80])etags, 2, out, sizeof out));
}

static void test_sizes(void **state)
{
  (void)state;
  uint64_t v;
  assert_true(cp_upload_parse_size("8388608", &v));
  assert_int_equal(v, 8388608);
  assert_true(cp_upload_parse_size("5MiB", &v));
  assert_int_equal(v, 5242880);
  assert_true(cp_upload_parse_size("5M", &v));
  assert_int_equal(v, 5242880);
  assert_true(cp_upload_parse_size("512k", &v));
  assert_int_equal(v, 524288);
  assert_true(cp_upload_parse_size("1GiB", &v));
  assert_int_equal(v, 1073741824);
  assert_false(cp_upload_parse_size("", &v));
  assert_false(cp_upload_parse_size("-5", &v));
  assert_false(cp_upload_parse_size("5 MiB", &v));
  assert_false(cp_upload_parse_size("5TB", &v));
  assert_false(cp_upload_parse_size("99999999999999999999", &v));
  assert_false(cp_upload_parse_size("18446744073709551615G", &v));
  assert_int_equal(cp_upload_nparts(40000000, 5242880), 8);
  assert_int_equal(cp_upload_nparts(5242880 * 2, 5242880), 2);
  assert_int_equal(cp_upload_nparts(0, 5242880), 1);
  assert_int_equal(cp_upload_nparts(1, 5242880), 1);
}

static void test_creds_file(void **state)
{
  (void)state;
  char file[512];
  snprintf(file, sizeof file, "%s/creds", tmpdir);
  write_text(file, "# comment\n[default]\naws_access_key_id = AKIA1\n"
                   "secret_access_key=\"s3cr3t=x\"\nREGION = eu-west-3\n\n");
  chmod(file, 0600);
  cp_upload_creds c;
  cp_error e;
  int group = -1;
  assert_int_equal(cp_upload_load_creds(file, &c, &group, &e), CP_OK);
  assert_string_equal(c.access_key, "AKIA1");
  assert_string_equal(c.secret_key, "s3cr3t=x");
  assert_string_equal(c.region, "eu-west-3");
  assert_string_equal(c.session_token, "");
  assert_int_equal(group, 0);

  chmod(file, 0640);
  assert_int_equal(cp_upload_load_creds(file, &c, &group, &e), CP_OK);
  assert_int_equal(group, 1);

  chmod(file, 0644);
  assert_int_equal(cp_upload_load_creds(file, &c, &group, &e), CP_E_AUTH);
  assert_non_null(strstr(e.detail, "chmod 600"));
  assert_null(strstr(e.detail, "s3cr3t"));
  assert_string_equal(c.secret_key, "");

  /* Unknown keys, a missing secret, header injection are refused. */
  const char *bad[] = {"color=blue\n", "access_key_id=A\n", "access_key_id=A\nnoequals\n",
                       "access_key_id=A\nsecret_access_key=B\nregion=us east\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    write_text(file, bad[i]);
    chmod(file, 0600);
    assert_int_not_equal(cp_upload_load_creds(file, &c, &group, &e), CP_OK);
  }

  /* The environment, with the default region. */
  setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
  unsetenv("AWS_SESSION_TOKEN");
  unsetenv("AWS_REGION");
  unsetenv("AWS_DEFAULT_REGION");
  assert_int_equal(cp_upload_load_creds(NULL, &c, NULL, &e), CP_OK);
  assert_string_equal(c.access_key, "ENVKEY");
  assert_string_equal(c.region, "us-east-1");
  setenv("AWS_SESSION_TOKEN", "tok\r\nX-Evil: 1", 1);
  assert_int_equal(cp_upload_load_creds(NULL, &c, NULL, &e), CP_E_AUTH);
  unsetenv("AWS_SESSION_TOKEN");
  snprintf(file, sizeof file, "%s/absent", tmpdir);
  assert_int_equal(cp_upload_load_creds(file, &c, NULL, &e), CP_E_NOT_FOUND);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_url_path_style),  cmocka_unit_test(test_url_refusals),
      cmocka_unit_test(test_url_presigned),   cmocka_unit_test(test_redact),
      cmocka_unit_test(test_uri_encode),      cmocka_unit_test(test_xml),
      cmocka_unit_test(test_state_roundtrip), cmocka_unit_test(test_state_rejects_bad_files),
      cmocka_unit_test(test_receipt),         cmocka_unit_test(test_multipart_etag),
      cmocka_unit_test(test_sizes),           cmocka_unit_test(test_creds_file),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
