# Upload through a presigned URL (SigV4 query signing, made here by a short
# node script following the AWS algorithm): one PUT, no credentials in the
# environment; the query string (the signature) appears in no output and no
# receipt. An expired URL is refused with exit 41.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_upload.sh"

cat >"$T/presign.js" <<'JS'
// presign.js HOST PATH EXPIRES_S AGE_S: a SigV4 presigned PUT URL for S3.
const crypto = require('crypto');
const [host, path, expires, age] = process.argv.slice(2);
const key = 'S3RVER', secret = process.env.AWS_SECRET_ACCESS_KEY, region = 'us-east-1';
const when = new Date(Date.now() - Number(age) * 1000);
const amzDate = when.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
const day = amzDate.slice(0, 8);
const scope = `${day}/${region}/s3/aws4_request`;
const enc = s => encodeURIComponent(s).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const q = {
  'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Credential': `${key}/${scope}`,
  'X-Amz-Date': amzDate, 'X-Amz-Expires': expires, 'X-Amz-SignedHeaders': 'host',
};
const cq = Object.keys(q).sort().map(k => `${enc(k)}=${enc(q[k])}`).join('&');
const creq = ['PUT', path, cq, `host:${host}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
const hash = s => crypto.createHash('sha256').update(s).digest('hex');
const hmac = (k, s) => crypto.createHmac('sha256', k).update(s).digest();
const sts = ['AWS4-HMAC-SHA256', amzDate, scope, hash(creq)].join('\n');
let k = hmac('AWS4' + secret, day);
for (const part of [region, 's3', 'aws4_request']) k = hmac(k, part);
const sig = crypto.createHmac('sha256', k).update(sts).digest('hex');
console.log(`http://${host}${path}?${cq}&X-Amz-Signature=${sig}`);
JS

s3_start
head -c 2500000 /dev/urandom >"$T/p.tar.gz"
SUM=$(sha256sum <"$T/p.tar.gz" | cut -d' ' -f1)
URL=$(node "$T/presign.js" "127.0.0.1:$S3_PORT" /cases/presigned.tar.gz 600 0) || fail "presign"
SIG=${URL##*X-Amz-Signature=}
[ ${#SIG} -eq 64 ] || fail "no signature in $URL"

# No credentials in the environment: the URL alone must do (s3server.js checks
# its signature).
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$CP_BIN" upload "$T/p.tar.gz" --to "$URL" \
  --json >"$T/p.json" 2>"$T/p.err"
rc=$?
[ $rc -eq 0 ] || { cat "$T/p.err" >&2; fail "presigned upload exit $rc"; }
assert_eq "$(s3_sha256 presigned.tar.gz)" "$SUM" "presigned object read back"
assert_eq "$(json_get "$T/p.json" 'd["url"]')" "$S3_URL/cases/presigned.tar.gz" "url without query"
assert_eq "$(json_get "$T/p.json" 'd["parts"]')" 0 "single PUT"
assert_eq "$(json_get "$T/p.tar.gz.receipt.json" 'd["sha256"]')" "$SUM" "receipt sha256"
grep -q "/presigned.tar.gz?X-Amz-Algorithm" "$S3_LOG" || fail "the server did not see a presigned request"
for f in "$T/p.json" "$T/p.err" "$T/p.tar.gz.receipt.json"; do
  assert_not_contains "$f" "$SIG"
  assert_not_contains "$f" "X-Amz-Credential"
done

# An expired URL (signed two hours ago for one minute): AccessDenied, exit 41,
# and the message names the object without the query.
OLD=$(node "$T/presign.js" "127.0.0.1:$S3_PORT" /cases/late.tar.gz 60 7200) || fail "presign"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$CP_BIN" upload "$T/p.tar.gz" --to "$OLD" \
  >"$T/old.out" 2>"$T/old.err"
assert_eq "$?" 41 "expired presigned URL"
assert_contains "$T/old.err" "AccessDenied for the upload to $S3_URL/cases/late.tar.gz (HTTP 403: Request has expired)"
assert_not_contains "$T/old.err" "${OLD##*X-Amz-Signature=}"
assert_not_contains "$T/old.err" "X-Amz"

# A tampered signature is refused.
BAD="${URL%X-Amz-Signature=*}X-Amz-Signature=$(printf '%064d' 0)"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$CP_BIN" upload "$T/p.tar.gz" --to "$BAD" \
  2>"$T/bad.err"
assert_eq "$?" 41 "tampered presigned URL"
assert_contains "$T/bad.err" "SignatureDoesNotMatch"

# A presigned URL must name the object.
"$CP_BIN" upload "$T/p.tar.gz" --to "$S3_URL/cases/?X-Amz-Signature=00" 2>"$T/nokey.err"
assert_eq "$?" 2 "presigned URL without a key"
echo "PASS test_upload_presigned"
