# Case requests end to end: `caseprobe request keygen/new/verify`, then
# `caseprobe assist --case-request` refusing a tampered, expired, unknown-key
# or malformed request with a sentence and its exit code (36 / 37) before
# anything is read from the device: the simulator's log shows no connection.
. "$(dirname "$0")/lib.sh"

B="$CP_BIN"
cd "$T" || fail "cd"
"$B" request keygen --key org.key --pub org.pub >fp.out 2>kg.err || fail "keygen: $(cat kg.err)"
[ "$(stat -c %a org.key)" = 600 ] || fail "private key mode $(stat -c %a org.key), expected 600"
"$B" request keygen --key org.key --pub org2.pub >/dev/null 2>kg2.err
assert_eq "$?" 51 "keygen over an existing key"
"$B" request keygen --key other.key --pub other.pub >/dev/null 2>&1 || fail "keygen other"

"$B" request new --case 12345 --org "Example Support" --scope "battery:the battery drains" \
  --scope "crashes:an app closes" --upload "http://127.0.0.1:9/cases/x?X-Amz-Signature=ab" \
  --expires 7d --key org.key -o req.json 2>new.err || fail "request new: $(cat new.err)"
"$B" request verify req.json --trust-key org.pub >v.out 2>v.err || fail "verify: $(cat v.err)"
assert_contains v.out "Requested by Example Support - verified"
"$B" request verify req.json --trust-key org.pub --json >v.json || fail "verify --json"
python3 - v.json <<'PY' || fail "verify --json fields"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["case_id"] == "12345" and d["org"] == "Example Support" and d["signed"] is True, d
assert [s["scope"] for s in d["scopes"]] == ["battery", "crashes"], d
assert d["upload"] is True, d
PY
# The keys folder works like --trust-key (and is where installs put keys).
mkdir keys && cp org.pub keys/example.pem
CASEPROBE_ORG_KEYS="$T/keys" "$B" request verify req.json >/dev/null 2>&1 || fail "keys folder"
"$B" request verify req.json --keys-dir "$T/keys" >/dev/null 2>&1 || fail "--keys-dir"

# Refusals: unknown key (no key trusted; another organisation's key), tampered
# (the organisation's name changed), expired, malformed, unknown scope.
"$B" request verify req.json --keys-dir "$T/nokeys" >u.out 2>u.err
assert_eq "$?" 36 "unknown key"
assert_contains u.err "does not trust"
"$B" request verify req.json --keys-dir "$T/nokeys" --trust-key other.pub >/dev/null 2>&1
assert_eq "$?" 36 "another organisation's key"
sed 's/Example Support/Evil Support/' req.json >tampered.json
"$B" request verify tampered.json --trust-key org.pub >/dev/null 2>t.err
assert_eq "$?" 36 "tampered request"
assert_contains t.err "changed after it was signed"
"$B" request new --case 1 --org "Example Support" --scope "battery:x" --expires 1s --key org.key \
  -o expired.json 2>/dev/null || fail "new expired"
sleep 1.2
"$B" request verify expired.json --trust-key org.pub >/dev/null 2>e.err
assert_eq "$?" 37 "expired request"
assert_contains e.err "expired"
echo '{"format": "caseprobe-case-request", "version": 1' >broken.json
"$B" request verify broken.json --trust-key org.pub >/dev/null 2>b.err
assert_eq "$?" 36 "malformed request"
"$B" request new --case 1 --org O --scope "camera:x" --key org.key -o cam.json >/dev/null 2>&1
assert_eq "$?" 2 "unknown scope at the support side"
"$B" request new --case 1 --org O --scope "battery:x" --key org.key -o req.json >/dev/null 2>&1
assert_eq "$?" 51 "request new over an existing file"
# Unsigned: loads (for saving a file), flagged as such.
"$B" request new --case 7 --org "Example Support" --scope "battery:x" --unsigned -o unsigned.json \
  2>/dev/null || fail "new --unsigned"
"$B" request verify unsigned.json --keys-dir "$T/nokeys" >us.out || fail "verify unsigned"
assert_contains us.out "not to upload"

# assist refuses each bad request before looking at the device.
sim_start "$(profile iphone-modern)"
for f in tampered.json expired.json broken.json; do
  timeout 20 "$B" assist --no-browser --case-request "$f" --trust-key org.pub --keys-dir "$T/nokeys" \
    >"a-$f.out" 2>"a-$f.err"
  rc=$?
  case $f in expired.json) want=37 ;; *) want=36 ;; esac
  assert_eq "$rc" "$want" "assist with $f"
  [ ! -s "a-$f.out" ] || fail "assist printed a page address for $f"
  assert_contains "a-$f.err" "nothing was read from the device"
done
timeout 20 "$B" assist --no-browser --case-request req.json --keys-dir "$T/nokeys" \
  >a-unknown.out 2>a-unknown.err
assert_eq "$?" 36 "assist with an unknown key"
assert_contains a-unknown.err "does not trust"
sleep 0.3
if grep -qE "Connect port|StartService|StartSession" "$SIM_LOG"; then
  fail "the device was contacted after a refused request: $(grep -m3 -E 'Connect port|StartService' "$SIM_LOG")"
fi
echo "PASS: request keygen/new/verify and refusals (36/37) with nothing read"
