#!/usr/bin/env bash
# collect ends with three lines a technician reads (battery, crashes, what
# was refused) before the bundle path, which stays the last line of stdout;
# -o creates its folder; inspect shows the battery health. Expected figures
# come from the profile sim_mkprofile writes (tests/e2e/lib.sh): capacity
# 2790 of 3110 mAh = 89.7 %, 321 cycles (an iPhone 11 is rated for 500, so
# no service); reports: two bug_type 309 app crashes and one legacy .crash
# (3 app crashes), one ForceReset (151: a forced restart, not a panic), one
# JetsamEvent (298).
source "$(dirname "$0")/lib.sh"
U=00008030-0041AAAA00000001
sim_mkprofile "$T/p" "$U"
sim_start "$T/p"
"$CP_BIN" collect -u "$U" --case SUM-1 --scope system,battery,crashes --yes -o "$T/new" \
  >"$T/out" 2>"$T/err" || fail "collect exit $?"
cat "$T/err"
[ -d "$T/new" ] || fail "-o did not create its folder"
bundle=$(tail -n 1 "$T/out")
[ -f "$bundle" ] || fail "last line of stdout is not the bundle: $bundle"
tail -n 3 "$T/err" >"$T/sum"
assert_eq "$(sed -n 1p "$T/sum")" "Battery:  health 89.7 %, 321 cycles: OK, no service needed" "battery line"
assert_eq "$(sed -n 2p "$T/sum")" "Crashes:  5 reports: 3 app crashes, 1 forced restart, 1 jetsam (memory) event" "crashes line"
assert_eq "$(sed -n 3p "$T/sum")" "Refused:  syslog, apps, storage" "refused line"
"$CP_BIN" inspect "$bundle" >"$T/insp" 2>&1 || fail "inspect"
assert_contains "$T/insp" "health 89.7 %, 321 cycles: OK, no service needed"
echo PASS
