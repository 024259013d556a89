# caseprobe assist without a case request (the page asks for the case
# number): collect, preview, cancel -> everything collected is deleted; collect
# again, save to a file -> the saved bundle verifies and records consent given
# "on the page"; closing the page ends assist with nothing left in its
# temporary folder. Driven over HTTP as the page's script does.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl missing"; exit 77; }
B="$CP_BIN"
cd "$T" || fail "cd"
sim_start "$(profile iphone-modern)"
mkdir tmp out
# --page-timeout is only a safety net here (the test closes the page itself):
# generous, so a loaded machine's slow steps between requests never end assist.
TMPDIR="$T/tmp" "$B" assist --no-browser -o "$T/out" --page-timeout 300 >a.out 2>a.err &
APID=$!
trap 'kill $APID 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 1200); do [ -s a.out ] && break; sleep 0.05; done
URL=$(head -n 1 a.out)
[ -n "$URL" ] || fail "no address: $(cat a.err)"
ORIGIN=$(echo "$URL" | sed 's|^\(http://127.0.0.1:[0-9]*\)/.*|\1|')
post() { curl -s -o "$T/post.json" -w '%{http_code}' -X POST -H "Origin: $ORIGIN" \
  -H 'Content-Type: application/json' -d "${2:-{\}}" "$URL$1"; }
phase() { curl -s "${URL}api/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["phase"])'; }
wait_phase() { # WANT
  local p=""
  for _ in $(seq 1 300); do
    p=$(phase)
    [ "$p" = "$1" ] && return 0
    sleep 0.1
  done
  fail "phase '$p', expected '$1': $(curl -s "${URL}api/state")"
}

# No request and no case number: refused with a sentence.
assert_eq "$(post api/collect '{"scopes":["battery"]}')" 400 "collect without a case number"
assert_contains post.json "case number"
assert_eq "$(post api/collect '{"scopes":[]}')" 400 "collect nothing"
assert_eq "$(post api/collect '{"scopes":["camera"],"case_id":"C1"}')" 400 "unknown scope"

assert_eq "$(post api/collect '{"scopes":["battery","system"],"case_id":"C1","lang":"en"}')" 202 "collect"
wait_phase collected
[ -n "$(ls -A tmp)" ] || fail "nothing in the temporary folder after collecting"
assert_eq "$(curl -s -o m.txt -w '%{http_code}' "${URL}api/member?name=consent.json")" 200 "preview"
assert_contains m.txt '"how": "page"'
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "${URL}api/member?name=..%2Fetc%2Fpasswd")" 404 "not a member"
assert_eq "$(post api/cancel)" 200 "cancel"
wait_phase cancelled
[ -z "$(ls -A tmp)" ] || fail "cancel left: $(ls -R tmp)"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "${URL}report")" 409 "summary after cancel"

# Again, then save to a file.
assert_eq "$(post api/collect '{"scopes":["battery"],"case_id":"C2","lang":"zh-Hans"}')" 202 "collect again"
wait_phase collected
assert_eq "$(post api/send)" 403 "send without a signed request"
assert_eq "$(post api/save)" 200 "save"
SAVED=$(ls out/*.caseprobe.tar.gz) || fail "nothing saved in out/"
"$B" verify "$SAVED" >v.out 2>&1 || fail "saved bundle does not verify: $(cat v.out)"
mkdir x && tar -xzf "$SAVED" -C x
assert_eq "$(json_get x/consent.json 'd["how"]')" page "consent how"
assert_eq "$(json_get x/consent.json 'd["language"]')" zh-Hans "consent language"
assert_eq "$(json_get x/consent.json '",".join(d["granted"])')" battery "granted"
assert_eq "$(json_get x/consent.json 'd["case_id"]')" C2 "case id from the page"
assert_eq "$(post api/close)" 200 "close"
for _ in $(seq 1 100); do kill -0 $APID 2>/dev/null || break; sleep 0.1; done
kill -0 $APID 2>/dev/null && fail "assist still running after close"
wait $APID
assert_eq "$?" 0 "assist exit"
[ -z "$(ls -A tmp)" ] || fail "assist left files: $(ls -R tmp)"
[ -f "$SAVED" ] || fail "the saved bundle was deleted"
if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" a.err; then cat a.err >&2; fail "sanitizer report from assist"; fi
echo "PASS: cancel deletes, save keeps, close cleans up"
