# What a person sees when an upload cannot happen: wrong credentials (exit 41),
# no server (retries, then exit 40, bundle kept), a missing bucket (exit 42 with
# S3's error code), a credentials file others can read (refused), and that the
# secret never appears in any message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_upload.sh"

s3_start
head -c 300000 /dev/urandom >"$T/b.tar.gz"
SUM=$(sha256sum <"$T/b.tar.gz" | cut -d' ' -f1)

# Wrong access key id: s3rver answers 403 InvalidAccessKeyId, as S3 does.
AWS_ACCESS_KEY_ID=AKIAWRONGWRONGWRONG "$CP_BIN" upload "$T/b.tar.gz" --to "$S3_URL/cases/" \
  >"$T/auth.out" 2>"$T/auth.err"
assert_eq "$?" 41 "wrong access key"
assert_contains "$T/auth.err" "upload credentials refused: InvalidAccessKeyId"
assert_contains "$T/auth.err" "Check the access key and secret"
assert_not_contains "$T/auth.err" "$TEST_SECRET"
[ ! -e "$T/b.tar.gz.receipt.json" ] || fail "receipt written after a refusal"
curl -sf -o /dev/null "$S3_URL/cases/b.tar.gz" && fail "the object exists after a refusal"

# Wrong secret: s3server.js verifies the SigV4 signature as S3 does.
AWS_SECRET_ACCESS_KEY=not-the-secret "$CP_BIN" upload "$T/b.tar.gz" --to "$S3_URL/cases/" \
  >"$T/sig.out" 2>"$T/sig.err"
assert_eq "$?" 41 "wrong secret"
assert_contains "$T/sig.err" "upload credentials refused: SignatureDoesNotMatch for the upload to $S3_URL/cases/b.tar.gz (HTTP 403"
assert_not_contains "$T/sig.err" "not-the-secret"
curl -sf -o /dev/null "$S3_URL/cases/b.tar.gz" && fail "the object exists after a bad signature"

# Multipart start refused the same way.
head -c 6000000 /dev/urandom >"$T/m.tar.gz"
AWS_ACCESS_KEY_ID=AKIAWRONGWRONGWRONG "$CP_BIN" upload "$T/m.tar.gz" --to "$S3_URL/cases/" \
  --part-size 5MiB 2>"$T/auth2.err"
assert_eq "$?" 41 "wrong access key, multipart"
[ ! -e "$T/m.tar.gz.upload-state" ] || fail "state file left after a refused start"

AWS_SECRET_ACCESS_KEY=not-the-secret "$CP_BIN" upload "$T/m.tar.gz" --to "$S3_URL/cases/" \
  --part-size 5MiB 2>"$T/sig2.err"
assert_eq "$?" 41 "wrong secret, multipart"
assert_contains "$T/sig2.err" "SignatureDoesNotMatch for the start of the multipart upload"

# No credentials at all.
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$CP_BIN" upload "$T/b.tar.gz" \
  --to "$S3_URL/cases/" 2>"$T/nocred.err"
assert_eq "$?" 41 "no credentials"
assert_contains "$T/nocred.err" "no credentials for $S3_URL/cases/b.tar.gz"

# Server down: nothing listens on the port. 4 tries, 0.5+1+2 s apart.
PORT=$(free_port)
start=$(date +%s.%N)
"$CP_BIN" upload "$T/b.tar.gz" --to "http://127.0.0.1:$PORT/cases/" >"$T/down.out" 2>"$T/down.err"
rc=$?
secs=$(python3 -c "import sys; print(round($(date +%s.%N) - $start, 1))")
assert_eq "$rc" 40 "server down"
assert_contains "$T/down.err" "cannot reach the upload server: 127.0.0.1:$PORT"
assert_contains "$T/down.err" "4 tries"
assert_contains "$T/down.err" "the bundle was kept"
python3 -c "import sys; sys.exit(0 if 3.0 <= $secs < 15 else 1)" || fail "4 tries took $secs s, expected about 3.5"
assert_eq "$(sha256sum <"$T/b.tar.gz" | cut -d' ' -f1)" "$SUM" "bundle kept unchanged"
"$CP_BIN" upload "$T/b.tar.gz" --to "http://127.0.0.1:$PORT/cases/" --tries 1 2>"$T/down1.err"
assert_eq "$?" 40 "server down, one try"
assert_contains "$T/down1.err" "1 try"

# A bucket that does not exist: 42 with S3's own code.
"$CP_BIN" upload "$T/b.tar.gz" --to "$S3_URL/nosuchbucket/" 2>"$T/bucket.err"
assert_eq "$?" 42 "missing bucket"
assert_contains "$T/bucket.err" "upload failed: NoSuchBucket"

# Credentials file: refused when others can read it, used at mode 600.
printf '# test credentials\naccess_key_id = S3RVER\nsecret_access_key = %s\nregion=us-east-1\n' \
  "$TEST_SECRET" >"$T/creds"
chmod 644 "$T/creds"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$CP_BIN" upload "$T/b.tar.gz" \
  --to "$S3_URL/cases/" --credentials "$T/creds" 2>"$T/perm.err"
assert_eq "$?" 41 "world-readable credentials file"
assert_contains "$T/perm.err" "chmod 600"
chmod 640 "$T/creds"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$CP_BIN" upload "$T/b.tar.gz" \
  --to "$S3_URL/cases/fromfile.tar.gz" --credentials "$T/creds" >"$T/file.out" 2>"$T/file.err"
assert_eq "$?" 0 "group-readable credentials file"
assert_contains "$T/file.err" "warning: the credentials file"
chmod 600 "$T/creds"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$CP_BIN" upload "$T/b.tar.gz" \
  --to "$S3_URL/cases/fromfile.tar.gz" --credentials "$T/creds" >"$T/file.out" 2>"$T/file.err"
assert_eq "$?" 0 "credentials file at 600"
assert_not_contains "$T/file.err" "warning"
assert_eq "$(s3_sha256 fromfile.tar.gz)" "$SUM" "object uploaded with the file's credentials"

# Bad URLs are usage errors and never echo a password.
"$CP_BIN" upload "$T/b.tar.gz" --to "http://user:hunter2@127.0.0.1:$S3_PORT/cases/" 2>"$T/url.err"
assert_eq "$?" 2 "URL with a password"
assert_not_contains "$T/url.err" "hunter2"
"$CP_BIN" upload "$T/b.tar.gz" --to "ftp://127.0.0.1/cases/" 2>/dev/null
assert_eq "$?" 2 "ftp URL"
"$CP_BIN" upload "$T/missing.tar.gz" --to "$S3_URL/cases/" 2>/dev/null
assert_eq "$?" 6 "missing bundle"

for f in "$T"/*.err "$T"/*.out; do assert_not_contains "$f" "$TEST_SECRET"; done
echo "PASS test_upload_errors"
