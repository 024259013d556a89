# HTTPS: the S3 server runs with a certificate from a private CA made here.
# Without --cacert the certificate is refused (exit 40, no retries, a sentence
# saying what to do); with --cacert the upload goes through, byte-identical.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_upload.sh"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=caseprobe test CA" \
  -keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null || fail "CA"
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$T/srv.key" \
  -out "$T/srv.csr" 2>/dev/null || fail "CSR"
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
  -days 2 -extfile "$T/ext" -out "$T/srv.pem" 2>/dev/null || fail "server certificate"
export S3_TLS_KEY="$T/srv.key" S3_TLS_CERT="$T/srv.pem"
s3_start
URL="https://127.0.0.1:$S3_PORT"
head -c 6000000 /dev/urandom >"$T/t.tar.gz"
SUM=$(sha256sum <"$T/t.tar.gz" | cut -d' ' -f1)

start=$(date +%s)
"$CP_BIN" upload "$T/t.tar.gz" --to "$URL/cases/" >"$T/no.out" 2>"$T/no.err"
assert_eq "$?" 40 "untrusted certificate"
assert_contains "$T/no.err" "its TLS certificate is not trusted"
assert_contains "$T/no.err" "--cacert FILE"
[ $(($(date +%s) - start)) -lt 3 ] || fail "an untrusted certificate was retried"

"$CP_BIN" upload "$T/t.tar.gz" --to "$URL/cases/" --cacert "$T/ca.pem" --part-size 5MiB \
  --json >"$T/ok.json" 2>"$T/ok.err"
rc=$?
[ $rc -eq 0 ] || { cat "$T/ok.err" >&2; fail "upload over https exit $rc"; }
assert_eq "$(json_get "$T/ok.json" 'd["url"]')" "$URL/cases/t.tar.gz" "url"
assert_eq "$(json_get "$T/ok.json" 'd["parts"]')" 2 "parts"
assert_eq "$(curl -sf --cacert "$T/ca.pem" "$URL/cases/t.tar.gz" | sha256sum | cut -d' ' -f1)" \
  "$SUM" "object read back over https"
echo "PASS test_upload_tls"
