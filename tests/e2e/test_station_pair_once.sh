#!/usr/bin/env bash
# The station pairs a device once and reuses the pairing (issue 12: a new
# pairing costs 0.25-0.45 s of CPU on RSA key generation). A device this host
# never paired with is collected, unplugged and plugged in again: the second
# collect opens its session with the pair record the first one left in
# usbmuxd, so the simulator sees exactly one successful Pair, and both
# bundles verify.
source "$(dirname "$0")/lib.sh"
U=00008030-000000000000B0A1
sim_mkprofile "$T/dev" "$U" "<key>Trust</key><string>pending</string><key>TrustAfterSeconds</key><integer>1</integer>"
sim_start "$T/dev"
sed -e 's/^syslog_seconds = .*/syslog_seconds = 1/' \
  "$CP_SRC/packaging/station-policy.example" >"$T/policy"

"$CP_BIN" station --no-syslog --policy "$T/policy" --spool "$T/spool" \
  --events "$T/events.jsonl" --once 2 2>"$T/station.log" &
ST=$!
ready_count() { [ "$(grep -c '"event":"bundle_ready"' "$T/events.jsonl" 2>/dev/null)" -ge "$1" ]; }
wait_for -p "$ST" 120 "the first bundle" ready_count 1
assert_contains "$SIM_LOG" "sim: $U: Pair -> Success"
sim_ctl detach "$U" >/dev/null || fail "detach"
sim_ctl attach "$U" >/dev/null || fail "attach"
rc=0
wait "$ST" || rc=$?
cat "$T/station.log" >&2
assert_eq "$rc" 0 "station --once 2"
ready_count 2 || fail "the second attach was not collected"
pairs=$(grep -c "sim: $U: Pair -> Success" "$SIM_LOG")
assert_eq "$pairs" 1 "successful Pair requests for two collects of one device"
n=0
for b in "$T/spool/ready/"*.caseprobe.tar.gz; do
  "$CP_BIN" verify "$b" >/dev/null 2>"$T/verify.err" || fail "verify $b: $(cat "$T/verify.err")"
  n=$((n + 1))
done
assert_eq "$n" 2 "bundles in the spool"
echo "ok"
