# The page's phone step and the wait for Trust: with a phone whose Trust
# dialog is still waiting (simulator profile trust-pending), the page sees the
# phone, collecting waits and says "tap Trust", and cancel stops the wait and
# leaves nothing behind. Without usbmuxd, the state says so.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl missing"; exit 77; }
B="$CP_BIN"
cd "$T" || fail "cd"
mkdir tmp
start_assist() {
  TMPDIR="$T/tmp" "$B" assist --no-browser --case T1 --page-timeout 300 >a.out 2>a.err &
  APID=$!
  for _ in $(seq 1 1200); do [ -s a.out ] && break; sleep 0.05; done
  URL=$(head -n 1 a.out)
  [ -n "$URL" ] || fail "no address: $(cat a.err)"
  ORIGIN=$(echo "$URL" | sed 's|^\(http://127.0.0.1:[0-9]*\)/.*|\1|')
}
trap 'kill $APID 2>/dev/null; cleanup' EXIT
state() { curl -s "${URL}api/state" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
wait_for() { # PYEXPR WANT
  local v=""
  for _ in $(seq 1 200); do
    v=$(state "$1")
    [ "$v" = "$2" ] && return 0
    sleep 0.1
  done
  fail "$1 = '$v', expected '$2'"
}
post() { curl -s -o "$T/post.json" -w '%{http_code}' -X POST -H "Origin: $ORIGIN" -d "${2:-{\}}" "$URL$1"; }
stop_assist() {
  post api/close >/dev/null
  wait $APID
  APID=""
}

# No usbmuxd at all.
USBMUXD_SOCKET_ADDRESS=UNIX:$T/none.sock start_assist
wait_for 'd["device"]["state"]' usbmuxd
stop_assist
sim_start "$(profile trust-pending)"
start_assist
wait_for 'd["device"]["state"] in ("not_paired", "trust_pending")' True
wait_for 'd["device"]["model"].startswith("iPhone")' True
# The page carries the plain instruction for this state.
curl -s "$URL" >page.html
assert_contains page.html "tap Trust"
assert_eq "$(post api/collect '{"scopes":["battery"],"lang":"en"}')" 202 "collect"
wait_for 'd["phase"]' collecting
wait_for '(d.get("progress") or {}).get("waiting")' trust
assert_eq "$(post api/cancel)" 200 "cancel during the wait"
wait_for 'd["phase"]' cancelled
[ -z "$(ls -A tmp)" ] || fail "cancel left: $(ls -R tmp)"
stop_assist
if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" a.err; then cat a.err >&2; fail "sanitizer report"; fi
echo "PASS: phone states, the wait for Trust, cancel during it"
