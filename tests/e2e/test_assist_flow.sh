# The customer's flow in real headless Chromium (tests/browser/assist_flow.js),
# keyboard only on a 360 px window, against the simulator and the local S3
# server: a request signed by a trusted key with a presigned upload URL; the
# page shows the phone and "Requested by Example Support - verified"; scopes
# toggled; a member previewed without any identifier of the device; collected,
# sent, receipt shown. The uploaded object passes `caseprobe verify`, its
# consent.json says "page" and the language, and nothing stays in the
# temporary folder. axe-core: 0 violations on every step. Runs in English and
# in zh-Hans; screenshots go to build/artifacts/assist/LANG/.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_upload.sh"

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
  echo "SKIP: Chromium is not installed (packaging/install-deps installs it); the browser test cannot run"
  exit 77
fi
export CHROMIUM
NPM="$CP_SRC/packaging/npm/node_modules"
[ -d "$NPM/puppeteer-core" ] && [ -f "$NPM/axe-core/axe.min.js" ] ||
  fail "puppeteer-core or axe-core missing: run packaging/install-deps"
B="$CP_BIN"
ART="${CP_BUILD:-$(dirname "$CP_BIN")}/artifacts/assist"

# The device's identifiers, read from the simulator profile: none may appear
# in a previewed member or the summary.
PROFILE=$(profile iphone-modern)
IDS=$(python3 - "$PROFILE/lockdown/global.plist" <<'PY'
import plistlib, sys
d = plistlib.load(open(sys.argv[1], "rb"))
print(",".join(str(d[k]) for k in ("UniqueDeviceID", "SerialNumber", "UniqueChipID", "WiFiAddress")))
PY
) || fail "read the profile's identifiers"

cat >"$T/presign.js" <<'JS'
// presign.js HOST PATH EXPIRES_S: a SigV4 presigned PUT URL (as in test_upload_presigned.sh).
const crypto = require('crypto');
const [host, path, expires] = process.argv.slice(2);
const key = 'S3RVER', secret = process.env.AWS_SECRET_ACCESS_KEY, region = 'us-east-1';
const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
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

cd "$T" || fail "cd"
sim_start "$PROFILE"
s3_start
"$B" request keygen --key org.key --pub org.pub >/dev/null 2>&1 || fail "keygen"
mkdir keys && cp org.pub keys/example.pem

APID=""
trap '[ -z "$APID" ] || kill $APID 2>/dev/null; s3_stop; cleanup' EXIT

run_lang() { # LANG
  local lang=$1 obj="case-$1.caseprobe.tar.gz"
  local url
  url=$(node "$T/presign.js" "127.0.0.1:$S3_PORT" "/cases/$obj" 900) || fail "presign"
  rm -f "req-$lang.json"
  "$B" request new --case "4242-$lang" --org "Example Support" \
    --scope "battery:Your battery drains quickly; we check its health." \
    --scope "crashes:An app closes by itself; crash reports show why." \
    --upload "$url" --expires 1d --key org.key -o "req-$lang.json" 2>/dev/null || fail "request new"
  mkdir -p "tmp-$lang" "$ART/$lang"
  rm -f "$ART/$lang"/*.png
  TMPDIR="$T/tmp-$lang" CASEPROBE_ORG_KEYS="$T/keys" "$B" assist --no-browser \
    --case-request "req-$lang.json" -o "$T" >"a-$lang.out" 2>"a-$lang.err" &
  APID=$!
  for _ in $(seq 1 100); do [ -s "a-$lang.out" ] && break; sleep 0.05; done
  local page
  page=$(head -n 1 "a-$lang.out")
  [ -n "$page" ] || fail "assist printed no address: $(cat "a-$lang.err")"
  node "$CP_SRC/tests/browser/assist_flow.js" "$page" "$ART/$lang" "$lang" "$IDS" "flow-$lang.json" \
    2>"flow-$lang.err" || {
    cat "flow-$lang.err" >&2
    cat "a-$lang.err" >&2
    fail "browser flow ($lang)"
  }
  # The page said finished: assist exits by itself and leaves nothing behind.
  for _ in $(seq 1 100); do kill -0 $APID 2>/dev/null || break; sleep 0.1; done
  kill -0 $APID 2>/dev/null && fail "assist still running after the page finished"
  wait $APID
  assert_eq "$?" 0 "assist exit ($lang)"
  APID=""
  if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "a-$lang.err"; then
    cat "a-$lang.err" >&2
    fail "sanitizer report from assist ($lang)"
  fi
  [ -z "$(ls -A "tmp-$lang")" ] || fail "left in the temporary folder: $(ls -R "tmp-$lang")"
  python3 - "flow-$lang.json" "$lang" <<'PY' || fail "flow result ($lang)"
import json, sys
d = json.load(open(sys.argv[1]))
word = {"en": "verified", "zh-Hans": "已验证"}[sys.argv[2]]
assert "Example Support" in d["requested_by"] and word in d["requested_by"], d["requested_by"]
if sys.argv[2] == "zh-Hans":
    assert "收据" in d["done"] or "回执" in d["done"], d["done"]
assert sorted(d["preselected"]) == ["battery", "crashes"], d["preselected"]
assert sorted(d["chosen"]) == ["battery", "system"], d["chosen"]
assert all(v == [] for v in d["violations"].values()), d["violations"]
for step in ("phone", "request", "scopes", "review", "preview", "sent"):
    assert step in d["steps"], (step, d["steps"])
PY
  # The object on the server: the bundle, verified, consent given on the page.
  curl -sf "$S3_URL/cases/$obj" -o "got-$lang.tar.gz" || fail "object $obj not on the server"
  "$B" verify "got-$lang.tar.gz" >"verify-$lang.out" 2>&1 || fail "verify: $(cat "verify-$lang.out")"
  local sum receipt
  sum=$(sha256sum <"got-$lang.tar.gz" | cut -c1-12 | tr a-f A-F)
  receipt=$(json_get "flow-$lang.json" 'd["receipt"]')
  assert_eq "$receipt" "${sum:0:4}-${sum:4:4}-${sum:8:4}" "receipt number = the object's SHA-256 prefix"
  mkdir -p "x-$lang" && tar -xzf "got-$lang.tar.gz" -C "x-$lang" || fail "untar"
  assert_eq "$(json_get "x-$lang/consent.json" 'd["how"]')" page "consent how"
  assert_eq "$(json_get "x-$lang/consent.json" 'd["language"]')" "$lang" "consent language"
  assert_eq "$(json_get "x-$lang/consent.json" '",".join(d["granted"])')" "system,battery" "granted"
  for id in ${IDS//,/ }; do
    if grep -rqF -- "$id" "x-$lang"; then fail "identifier $id in the uploaded bundle"; fi
  done
  ls "$ART/$lang"/*.png >/dev/null 2>&1 || fail "no screenshots kept"
}

run_lang en
run_lang zh-Hans
echo "PASS: assist flow in Chromium (en, zh-Hans), screenshots in $ART"
