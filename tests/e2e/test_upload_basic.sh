# caseprobe upload against a real S3 server (s3rver): a 1 MB bundle in one PUT
# and a 40 MB bundle in 8 parts of 5 MiB; the objects read back are
# byte-identical, the receipts say what was sent, no secret is printed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_upload.sh"

"$CP_BIN" upload -h >"$T/help" || fail "upload -h failed"
assert_contains "$T/help" "--to URL"
"$CP_BIN" upload "$T/none" >/dev/null 2>"$T/usage.err"
assert_eq "$?" 2 "upload without --to"

s3_start
head -c 1000000 /dev/urandom >"$T/small.tar.gz"
head -c 40000000 /dev/urandom >"$T/big.tar.gz"
SMALL=$(sha256sum <"$T/small.tar.gz" | cut -d' ' -f1)
BIG=$(sha256sum <"$T/big.tar.gz" | cut -d' ' -f1)

# Single PUT, key from the file name.
"$CP_BIN" upload "$T/small.tar.gz" --to "$S3_URL/cases/" >"$T/small.out" 2>"$T/small.err"
rc=$?
[ $rc -eq 0 ] || { cat "$T/small.err" >&2; fail "small upload exit $rc"; }
assert_eq "$(s3_sha256 small.tar.gz)" "$SMALL" "small object read back"
assert_contains "$T/small.out" "to      $S3_URL/cases/small.tar.gz"
R="$T/small.tar.gz.receipt.json"
assert_eq "$(json_get "$R" 'd["sha256"]')" "$SMALL" "receipt sha256"
assert_eq "$(json_get "$R" 'd["size"]')" 1000000 "receipt size"
assert_eq "$(json_get "$R" 'd["parts"]')" 0 "receipt parts"
assert_eq "$(json_get "$R" 'd["url"]')" "$S3_URL/cases/small.tar.gz" "receipt url"
assert_eq "$(json_get "$R" 'd["etag"]')" "$(md5sum <"$T/small.tar.gz" | cut -d' ' -f1)" "etag = md5"
[ ! -e "$T/small.tar.gz.upload-state" ] || fail "a single PUT left a state file"
# The whole file's SHA-256 travels as metadata.
curl -sfI "$S3_URL/cases/small.tar.gz" >"$T/small.head"
assert_contains "$T/small.head" "x-amz-meta-sha256: $SMALL"

# Multipart, explicit key with a space and a folder (encoded on the wire).
"$CP_BIN" upload "$T/big.tar.gz" --to "$S3_URL/cases/case%2042/big.tar.gz" --part-size 5MiB \
  --json >"$T/big.json" 2>"$T/big.err"
rc=$?
[ $rc -eq 0 ] || { cat "$T/big.err" >&2; fail "big upload exit $rc"; }
assert_eq "$(s3_sha256 'case%2042/big.tar.gz')" "$BIG" "big object read back"
assert_eq "$(json_get "$T/big.json" 'd["parts"]')" 8 "parts of 40 MB in 5 MiB"
assert_eq "$(json_get "$T/big.json" 'd["resumed_parts"]')" 0 "resumed parts"
assert_eq "$(json_get "$T/big.json" 'd["sha256"]')" "$BIG" "json sha256"
assert_eq "$(json_get "$T/big.json" 'd["url"]')" "$S3_URL/cases/case%2042/big.tar.gz" "json url"
assert_eq "$(parts_stored)" 8 "parts stored by the server"
R="$T/big.tar.gz.receipt.json"
assert_eq "$(json_get "$R" 'd["parts"]')" 8 "receipt parts"
assert_eq "$(json_get "$R" 'd["size"]')" 40000000 "receipt size"
[ ! -e "$T/big.tar.gz.upload-state" ] || fail "the state file was not removed after completion"
[ -f "$T/big.tar.gz" ] || fail "the bundle was removed"
curl -sfI "$S3_URL/cases/case%2042/big.tar.gz" >"$T/big.head"
assert_contains "$T/big.head" "x-amz-meta-sha256: $BIG"

# A session token travels as x-amz-security-token, signed (s3server.js
# refuses unsigned x-amz-* headers), and is never printed.
AWS_SESSION_TOKEN="cp-test-token-77aa" "$CP_BIN" upload "$T/small.tar.gz" \
  --to "$S3_URL/cases/token.tar.gz" >"$T/token.out" 2>"$T/token.err"
assert_eq "$?" 0 "upload with a session token"
assert_eq "$(s3_sha256 token.tar.gz)" "$SMALL" "object uploaded with a session token"
assert_not_contains "$T/token.out" "cp-test-token-77aa"
assert_not_contains "$T/token.err" "cp-test-token-77aa"

# A part size under S3's 5 MiB minimum is refused before any request.
"$CP_BIN" upload "$T/big.tar.gz" --to "$S3_URL/cases/" --part-size 1MiB 2>"$T/ps.err"
assert_eq "$?" 2 "part size 1 MiB"
assert_contains "$T/ps.err" "5 MiB"

# The secret never shows in anything written.
for f in "$T"/*.out "$T"/*.err "$T"/*.json "$T"/*.receipt.json; do
  assert_not_contains "$f" "$TEST_SECRET"
done
echo "PASS test_upload_basic"
