# tests/e2e/lib_upload.sh: sourced by the upload tests after lib.sh. Starts a
# real S3-compatible server (s3rver, pinned in packaging/npm/package.json and
# installed by packaging/install-deps) on 127.0.0.1 and a port the kernel picks,
# with the bucket "cases"; stops it on exit.
#
# What s3rver 3.7.1 checks, read from its source (lib/middleware/authentication.js,
# lib/routes.js): the access key id must be known (only S3RVER is), so a wrong
# key id is a real 403 InvalidAccessKeyId; presigned V4 URLs are checked for
# their parameters and expiry; SigV4 signatures themselves are NOT verified,
# which s3server.js (beside this file) adds, so a wrong secret is a real 403
# SignatureDoesNotMatch. Content-MD5 and x-amz-content-sha256 are not compared
# with the body (caseprobe compares the returned ETag, s3rver's MD5 of what it
# stored, with its own); ListParts and AbortMultipartUpload are not offered
# (405), so resuming trusts the state file.

S3RVER="$CP_SRC/packaging/npm/node_modules/s3rver/bin/s3rver.js"
S3_PID=""
S3_DIR="$T/s3data"
S3_LOG="$T/s3rver.log"
S3_PORT=""
S3_URL=""
# s3rver knows the key id S3RVER; s3server.js checks signatures against this
# distinctive secret, which the tests assert never appears in any output.
TEST_SECRET="cp-test-secret-4f9a2c7e"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=$TEST_SECRET AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_DEFAULT_REGION

s3_stop() {
  if [ -n "$S3_PID" ]; then
    kill -TERM "$S3_PID" 2>/dev/null
    wait "$S3_PID" 2>/dev/null
    S3_PID=""
  fi
}
trap 's3_stop; cleanup' EXIT

s3_start() {
  command -v node >/dev/null || fail "node is missing: run packaging/install-deps"
  [ -f "$S3RVER" ] || fail "s3rver is missing: run packaging/install-deps (npm install in packaging/npm)"
  mkdir -p "$S3_DIR"
  rm -f "$S3_LOG" # a restart must not read the previous server's port
  node "$CP_SRC/tests/e2e/s3server.js" "$(dirname "$(dirname "$S3RVER")")" "$S3_DIR" cases \
    >"$S3_LOG" 2>&1 &
  S3_PID=$!
  local i
  for i in $(seq 1 200); do
    S3_PORT=$(sed -n 's/.*S3rver listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$S3_LOG" 2>/dev/null | head -n 1)
    if [ -n "$S3_PORT" ]; then
      S3_URL="http://127.0.0.1:$S3_PORT"
      return 0
    fi
    kill -0 "$S3_PID" 2>/dev/null || { cat "$S3_LOG" >&2; fail "s3rver exited before listening"; }
    sleep 0.05
  done
  fail "s3rver not listening after 10 s"
}

# free_port: a port nothing listens on (bound then released by the kernel).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# s3_sha256 KEY: SHA-256 of the object as the server returns it.
s3_sha256() {
  curl -sf "$S3_URL/cases/$1" | sha256sum | cut -d' ' -f1
}

# parts_stored: how many UploadPart requests s3rver has stored so far.
parts_stored() {
  grep -c 'Stored part' "$S3_LOG" || true
}
