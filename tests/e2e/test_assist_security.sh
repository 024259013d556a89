# caseprobe assist refuses whatever is not its own page: a request without
# the token, with a wrong token, with a foreign Host (DNS rebinding), a POST
# without or with a foreign Origin; it sends no CORS headers; it listens on
# loopback addresses only; it stops when the page is gone; and an unsigned
# request can never upload.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl missing"; exit 77; }
B="$CP_BIN"
cd "$T" || fail "cd"
sim_start "$(profile iphone-modern)"
"$B" request new --case 77 --org "Example Support" --scope "battery:x" \
  --upload "http://127.0.0.1:9/cases/x?X-Amz-Signature=ab" --unsigned -o unsigned.json 2>/dev/null ||
  fail "request new"

# --page-timeout 15: long enough that a loaded machine's gaps between this
# test's requests never look like a page gone away, short enough to wait for.
"$B" assist --no-browser --case-request unsigned.json --page-timeout 15 -o "$T" >a.out 2>a.err &
APID=$!
trap 'kill $APID 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 1200); do [ -s a.out ] && break; sleep 0.05; done
URL=$(head -n 1 a.out)
case "$URL" in http://127.0.0.1:*/*/) ;; *) fail "no page address on stdout: '$URL'" ;; esac
PORT=$(echo "$URL" | sed 's|http://127.0.0.1:\([0-9]*\)/.*|\1|')
TOKEN=$(echo "$URL" | sed 's|http://127.0.0.1:[0-9]*/\([0-9a-f]*\)/|\1|')
[ ${#TOKEN} -ge 32 ] || fail "token too short: $TOKEN"
BASE="http://127.0.0.1:$PORT"

code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }

assert_eq "$(code "$URL")" 200 "the page with its token"
assert_contains body "<html"
assert_eq "$(code "$URL"api/state)" 200 "state with its token"
# No token, a wrong token, a token prefix.
assert_eq "$(code "$BASE/")" 403 "no token"
assert_eq "$(code "$BASE/api/state")" 403 "no token (api)"
assert_eq "$(code "$BASE/0123456789abcdef0123456789abcdef/api/state")" 403 "wrong token"
assert_eq "$(code "$BASE/${TOKEN%?}/api/state")" 403 "token prefix"
assert_contains body "Refused"
# DNS rebinding: the right token under a foreign name.
assert_eq "$(code -H 'Host: evil.example' "$URL"api/state)" 403 "Host: evil.example"
assert_eq "$(code -H "Host: evil.example:$PORT" "$URL"api/state)" 403 "Host: evil.example:PORT"
assert_eq "$(code -H "Host: localhost:$PORT" "$URL"api/state)" 200 "Host: localhost:PORT"
# State changes: token AND our Origin.
assert_eq "$(code -X POST -d '{"scopes":["battery"]}' "$URL"api/collect)" 403 "POST without Origin"
assert_eq "$(code -X POST -H 'Origin: http://evil.example' -d '{"scopes":["battery"]}' \
  "$URL"api/collect)" 403 "POST with a foreign Origin"
assert_eq "$(code -X POST -H 'Origin: null' -d '{}' "$URL"api/cancel)" 403 "POST with Origin null"
assert_eq "$(code -X POST -H "Origin: $BASE" -d '{}' "$BASE/api/cancel")" 403 "POST without token"
assert_eq "$(code -X PUT -H "Origin: $BASE" "$URL"api/state)" 405 "PUT"
# No CORS, even when asked.
curl -s -D hdr -o /dev/null -H 'Origin: http://evil.example' "$URL"api/state
if grep -qi '^access-control-' hdr; then fail "CORS header sent: $(grep -i '^access-control-' hdr)"; fi
assert_contains hdr "Content-Security-Policy"
grep -qi '^Referrer-Policy: no-referrer' hdr || fail "no Referrer-Policy: no-referrer"
# Listening on loopback only: every socket of the process is 127.0.0.1 or ::1.
if command -v ss >/dev/null; then
  ss -ltnp 2>/dev/null | grep "pid=$APID," >listen.txt || true
  [ -s listen.txt ] || fail "ss shows no listening socket for assist"
  while read -r line; do
    case "$line" in *" 127.0.0.1:$PORT "* | *" [::1]:$PORT "*) ;; *) fail "listens beyond loopback: $line" ;; esac
  done <listen.txt
fi
# An unsigned request never uploads, even with a URL in it.
assert_eq "$(code -X POST -H "Origin: $BASE" -d '{}' "$URL"api/send)" 403 "send with an unsigned request"
# The page went away (no request for 15 s): assist ends by itself.
for _ in $(seq 1 600); do kill -0 $APID 2>/dev/null || break; sleep 0.1; done
kill -0 $APID 2>/dev/null && fail "assist still running 60 s after the page went away"
wait $APID
assert_eq "$?" 0 "assist exit"
assert_contains a.err "the page went away"

# Without --no-browser the page opens through xdg-open (a stand-in here that
# records its one argument): nothing on stdout, the address it got works.
mkdir -p bin
cat >bin/xdg-open <<'SH'
#!/bin/sh
printf '%s\n' "$#" "$1" >"$(dirname "$0")/opened"
SH
chmod +x bin/xdg-open
PATH="$T/bin:$PATH" "$B" assist --page-timeout 15 >b.out 2>b.err &
APID=$!
for _ in $(seq 1 1200); do [ -s bin/opened ] && break; sleep 0.05; done
[ -s bin/opened ] || fail "xdg-open was not run: $(cat b.err)"
assert_eq "$(sed -n 1p bin/opened)" 1 "xdg-open argument count"
OPENED=$(sed -n 2p bin/opened)
assert_eq "$(code "$OPENED"api/state)" 200 "the address xdg-open was given"
[ ! -s b.out ] || fail "assist printed on stdout although the browser opened: $(cat b.out)"
wait $APID
assert_eq "$?" 0 "assist exit after the opened page went away"
if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" a.err; then cat a.err >&2; fail "sanitizer report from assist"; fi
echo "PASS: assist refuses foreign requests"
