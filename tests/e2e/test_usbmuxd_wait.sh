#!/usr/bin/env bash
# usbmuxd absent is a state to wait in, not an exit: on Linux usbmuxd is
# started by udev when an Apple device is plugged in and stops with the last
# one. `caseprobe station` started with no usbmuxd waits (saying so once, in
# its log and as a usbmuxd_absent event), then collects when the simulator
# appears (usbmuxd_back, attached, bundle_ready). `list --watch` notices
# usbmuxd leaving (the device detached, usbmuxd_absent once) and coming back.
source "$(dirname "$0")/lib.sh"
export USBMUXD_SOCKET_ADDRESS="UNIX:$SIM_SOCK" # nothing there yet

sed -e 's/^syslog_seconds = .*/syslog_seconds = 1/' \
  -e 's/^wait_trust_seconds = .*/wait_trust_seconds = 0/' \
  "$CP_SRC/packaging/station-policy.example" >"$T/policy"
grep -q '^syslog_seconds = 1' "$T/policy" || fail "policy edit"

# wait_for FILE TEXT SECONDS
wait_for() {
  local i
  for i in $(seq 1 $(($3 * 10))); do
    grep -qF -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

"$CP_BIN" station --no-syslog --policy "$T/policy" --spool "$T/spool" \
  --events "$T/events.jsonl" --once 1 2>"$T/station.log" &
ST=$!
wait_for "$T/events.jsonl" '"event":"usbmuxd_absent"' 20 || fail "no usbmuxd_absent event"
sleep 2 # several polls without usbmuxd
kill -0 "$ST" 2>/dev/null || { wait "$ST"; fail "station exited ($?) instead of waiting"; }
assert_eq "$(grep -c '"event":"usbmuxd_absent"' "$T/events.jsonl")" 1 "usbmuxd_absent said once"
assert_contains "$T/events.jsonl" "\"socket\":\"UNIX:$SIM_SOCK\""
assert_contains "$T/station.log" "usbmuxd does not answer at UNIX:$SIM_SOCK: waiting for it"
assert_eq "$(grep -c 'waiting for it' "$T/station.log")" 1 "the log says it once"

sim_start "$(profile iphone-modern)"
wait_for "$T/events.jsonl" '"event":"bundle_ready"' 120 || fail "no bundle after usbmuxd appeared"
rc=0
wait "$ST" || rc=$?
assert_eq "$rc" 0 "station exit status (--once 1)"
python3 - "$T/events.jsonl" <<'PY' || fail "event order"
import json, sys
ev = [json.loads(l)["event"] for l in open(sys.argv[1])]
want = ["usbmuxd_absent", "usbmuxd_back", "attached", "bundle_ready"]
pos = [ev.index(w) for w in want]
assert pos == sorted(pos), (ev, pos)
PY
ls "$T"/spool/*.tar.gz >/dev/null 2>&1 || ls -R "$T/spool" | grep -q caseprobe || fail "no bundle in the spool"

# list --watch: usbmuxd leaves and comes back
"$CP_BIN" list --watch --json >"$T/watch.jsonl" 2>"$T/watch.err" &
LW=$!
wait_for "$T/watch.jsonl" '"event":"attached"' 20 || fail "list --watch: no attached"
sim_stop
wait_for "$T/watch.jsonl" '"event":"usbmuxd_absent"' 20 || fail "list --watch: no usbmuxd_absent"
wait_for "$T/watch.jsonl" '"event":"detached"' 5 || fail "list --watch: no detached"
sleep 2
kill -0 "$LW" 2>/dev/null || fail "list --watch exited when usbmuxd left"
assert_eq "$(grep -c '"event":"usbmuxd_absent"' "$T/watch.jsonl")" 1 "usbmuxd_absent once (watch)"
assert_eq "$(grep -c '"event":"detached"' "$T/watch.jsonl")" 1 "one detached (no double)"
sim_start "$(profile iphone-modern)"
wait_for "$T/watch.jsonl" '"event":"usbmuxd_back"' 20 || fail "list --watch: no usbmuxd_back"
for i in $(seq 1 100); do
  [ "$(grep -c '"event":"attached"' "$T/watch.jsonl")" = 2 ] && break
  sleep 0.1
done
assert_eq "$(grep -c '"event":"attached"' "$T/watch.jsonl")" 2 "attached again after usbmuxd_back"
kill -INT "$LW"
rc=0
wait "$LW" || rc=$?
assert_eq "$rc" 0 "list --watch exit after Ctrl-C"

# the human form says it in words, naming the socket
sim_stop
"$CP_BIN" list --watch >"$T/watch.txt" 2>&1 &
LW=$!
wait_for "$T/watch.txt" "waiting" 20 || fail "list --watch (text): no waiting line"
kill -INT "$LW"
wait "$LW"
assert_contains "$T/watch.txt" "usbmuxd does not answer at UNIX:$SIM_SOCK; waiting for it"
echo PASS
