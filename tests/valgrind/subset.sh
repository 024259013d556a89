#!/usr/bin/env bash
# The end-to-end subset run under Valgrind by tests/valgrind/run.sh (CI):
# one caseprobe process per main path — battery, info, crashes list and pull,
# collect (every scope), verify, inspect, parse, and collect from a device
# whose cable is pulled mid-way — each checked on its values, against one
# simulator. The device is paired first with the stock idevicepair so the
# host-key generation (OpenSSL, ~30 s under memcheck) is not paid in our
# process. Also runs natively (ctest does not pick it up; run.sh does).
. "$CP_SRC/tests/e2e/lib.sh"
set -e
udid_of() { python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$1/device.plist"; }
M=$(profile iphone-modern)
D=$(profile detaching)
MU=$(udid_of "$M")
DU=$(udid_of "$D")
sim_start "$M" "$D"
idevicepair -u "$MU" pair >/dev/null
idevicepair -u "$DU" pair >/dev/null

"$CP_BIN" battery -u "$MU" --json >"$T/battery.json" || fail "battery"
assert_eq "$(json_get "$T/battery.json" "d['cycle_count']")" 312 "battery cycle count"

"$CP_BIN" info -u "$MU" >"$T/info.txt" || fail "info"
assert_contains "$T/info.txt" "iPhone 11 Pro Max"

"$CP_BIN" crashes pull "$T/pull" -u "$MU" >"$T/pull.txt" 2>"$T/pull.err" || fail "crashes pull: $(cat "$T/pull.err")"
n=$(find "$T/pull" -type f \( -name '*.ips' -o -name '*.crash' -o -name '*.synced' \) | wc -l)
[ "$n" -ge 8 ] || fail "crashes pull copied $n reports"
cmp "$T/pull/Panics/$(ls "$M/crash/Panics" | head -n 1)" "$M/crash/Panics/$(ls "$M/crash/Panics" | head -n 1)" ||
  find "$T/pull" -name 'panic-full-*' | grep -q . || fail "crashes pull lost the panic"

mkdir -p "$T/out"
"$CP_BIN" collect --case VG-1 --scope all --yes --syslog-seconds 1 -u "$MU" -o "$T/out" </dev/null \
  >"$T/collect.out" 2>"$T/collect.err" || fail "collect: $(tail -n 5 "$T/collect.err")"
B=$(tail -n 1 "$T/collect.out")
[ -f "$B" ] || fail "collect printed '$B', not a bundle"
"$CP_BIN" verify "$B" >"$T/verify.txt" 2>&1 || fail "verify: $(cat "$T/verify.txt")"
"$CP_BIN" inspect "$B" >"$T/inspect.txt" 2>&1 || fail "inspect"
assert_contains "$T/inspect.txt" "VG-1"

"$CP_BIN" parse --json "$M"/crash/*.ips >"$T/parse.json" 2>"$T/parse.err" || fail "parse: $(cat "$T/parse.err")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d) >= 5, d' "$T/parse.json" 2>/dev/null ||
  python3 -c 'import sys; n=sum(1 for l in open(sys.argv[1]) if l.strip()); assert n >= 5' "$T/parse.json" ||
  fail "parse: fewer than 5 records"

# The pulled cable: a clean failure with its sentence, nothing left behind.
mkdir -p "$T/det"
rc=0
"$CP_BIN" collect --case VG-2 --scope all --yes --syslog-seconds 1 -u "$DU" -o "$T/det" </dev/null \
  >"$T/det.out" 2>"$T/det.err" || rc=$?
assert_eq "$rc" 18 "pulled cable exit code"
assert_contains "$T/det.err" "device was disconnected"
[ -z "$(ls -A "$T/det")" ] || fail "pulled cable left $(ls -A "$T/det")"
echo PASS
