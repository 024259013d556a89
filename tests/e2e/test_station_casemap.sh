#!/usr/bin/env bash
# End-to-end: case ids and once-per-attach. Two devices; the case map names
# one by UDID and the other by serial number. After the first two bundles,
# the map is rewritten and one device is unplugged and plugged back in
# (simulator control socket): it is collected again, once, under the new case
# id (the map was re-read because it changed), and the other device is not
# collected twice.
source "$(dirname "$0")/lib.sh"

P="$T/profiles"
mkdir -p "$P"
fixture_cp "$(profile iphone-modern)" "$P/a"
fixture_cp "$(profile ipad)" "$P/b"
UA=$(python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$P/a/device.plist")
UB=$(python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$P/b/device.plist")
SB=$(python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["SerialNumber"])' "$P/b/lockdown/global.plist")

mkdir -p "$T/etc"
printf '# test map\n%s CASE-A1\n%s,CASE-B1\n' "$UA" "$SB" >"$T/etc/cases.txt"
sed -e 's/^syslog_seconds = .*/syslog_seconds = 1/' \
    -e 's/^map =.*/map = cases.txt/' \
    "$CP_SRC/packaging/station-policy.example" >"$T/etc/policy"

sim_start --bandwidth 0 "$P"/*
"$CP_BIN" station --no-syslog --policy "$T/etc/policy" --spool "$T/spool" \
  --events "$T/events.jsonl" --once 3 2>"$T/station.log" &
ST=$!
ready_count() { [ "$(grep -c '"event":"bundle_ready"' "$T/events.jsonl" 2>/dev/null)" = "$1" ]; }
wait_for -p "$ST" 60 "the first two bundles" ready_count 2
# Rewrite the map (same size on purpose: the change must still be seen).
printf '# test map\n%s CASE-A2\n%s,CASE-B1\n' "$UA" "$SB" >"$T/etc/cases.txt.new"
mv "$T/etc/cases.txt.new" "$T/etc/cases.txt"
"$CP_SIM" --ctl "$SIM_SOCK" detach "$UA" >/dev/null || fail "ctl detach"
# The station must have seen the device leave before it comes back.
wait_for -p "$ST" 30 "the station's detached event" \
  grep -q "\"event\":\"detached\".*$UA\|$UA.*\"event\":\"detached\"" "$T/events.jsonl"
"$CP_SIM" --ctl "$SIM_SOCK" attach "$UA" >/dev/null || fail "ctl attach"
rc=0
timeout 120 tail --pid="$ST" -f /dev/null || fail "station did not finish"
wait "$ST" || rc=$?
cat "$T/station.log" >&2
assert_eq "$rc" 0 "station exit status"

python3 - "$T/events.jsonl" "$UA" "$UB" <<'PY' || fail "case ids"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ua, ub = sys.argv[2], sys.argv[3]
ready = [(e["udid"], e["case_id"]) for e in ev if e["event"] == "bundle_ready"]
if sorted(ready) != sorted([(ua, "CASE-A1"), (ub, "CASE-B1"), (ua, "CASE-A2")]):
    sys.exit("bundles: %r" % ready)
if ready[-1] != (ua, "CASE-A2"):
    sys.exit("the re-attached device was not the last one collected: %r" % ready)
att = [e["udid"] for e in ev if e["event"] == "attached"]
if att.count(ua) != 2 or att.count(ub) != 1:
    sys.exit("attached events: %r" % att)
PY
ls "$T/spool/ready" | grep -q '^CASE-A1-.*\.caseprobe\.tar\.gz$' || fail "no CASE-A1 bundle"
ls "$T/spool/ready" | grep -q '^CASE-A2-.*\.caseprobe\.tar\.gz$' || fail "no CASE-A2 bundle"
ls "$T/spool/ready" | grep -q '^CASE-B1-.*\.caseprobe\.tar\.gz$' || fail "no CASE-B1 bundle"
assert_contains "$T/station.log" "case map $T/etc/cases.txt loaded: 2 devices"
echo "ok"
