#!/usr/bin/env bash
# Crash reports in words: `crashes list` names each type as a person says it
# ("app crash", "forced restart", "jetsam (memory)"), never Apple's internal
# name; rows are in time order; --type takes those words (an unknown one is a
# usage error); a forced restart (bug_type 151, ForceReset) is not counted
# as a kernel panic by triage; a pull cut by a pulled cable says how many
# complete reports were kept.
source "$(dirname "$0")/lib.sh"
U=00008030-0031AAAA00000001
sim_mkprofile "$T/p" "$U"
DET=$(profile detaching)
DET_U=$(python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$DET/device.plist")
sim_start "$T/p" "$DET"

"$CP_BIN" crashes list -u "$U" >"$T/l.txt" 2>"$T/l.err" || fail "crashes list exit $?"
cat "$T/l.txt"
assert_contains "$T/l.txt" "app crash"
assert_contains "$T/l.txt" "forced restart"
assert_contains "$T/l.txt" "jetsam (memory)"
for internal in Crash_309 ForceReset Jetsam_298 Crash_1; do assert_not_contains "$T/l.txt" "$internal"; done
# Time order: the TIME column never goes back.
awk 'NR>1 {print $1}' "$T/l.txt" >"$T/times"
sort -c "$T/times" || fail "crashes list is not in time order"
[ "$(wc -l <"$T/times")" -ge 4 ] || fail "too few reports listed"

# --type in words.
"$CP_BIN" crashes list -u "$U" --type forced-restart --json >"$T/fr.json" || fail "--type forced-restart"
assert_eq "$(json_get "$T/fr.json" 'sorted(set(r.get("bug_type") for r in d["reports"]))')" "[151]" "forced restarts"
"$CP_BIN" crashes list -u "$U" --type "app crash" --json >"$T/ac.json" || fail "--type 'app crash'"
assert_eq "$(json_get "$T/ac.json" 'all(r.get("kind") == "crash" for r in d["reports"]) and len(d["reports"]) >= 2')" True "app crashes"
set +e
"$CP_BIN" crashes list -u "$U" --type crsh >/dev/null 2>"$T/bad.err"
rc=$?
set -e
assert_eq "$rc" 2 "unknown --type"
assert_contains "$T/bad.err" "--type 'crsh' is not a report type"

# Triage: the ForceReset report is a forced restart, not a panic.
"$CP_BIN" parse --triage "$CP_CORPUS/ips/pycrashreport_iOS16.2_iPhone11,8_forceReset-full_151.ips" \
  "$CP_CORPUS/ips/applekeystore_iOS26.1_iPhone12,5_panic-full_210.ips" >"$T/tri.json" || fail "parse --triage"
assert_eq "$(json_get "$T/tri.json" 'd["panics"]["count"]')" 1 "panics (the 210 only)"
assert_eq "$(json_get "$T/tri.json" 'd["forced_restarts"]["count"]')" 1 "forced restarts"

# A pull cut by the cable: 18, and the count of complete reports kept.
set +e
"$CP_BIN" crashes pull "$T/det" -u "$DET_U" >"$T/det.out" 2>"$T/det.err"
rc=$?
set -e
assert_eq "$rc" 18 "detaching pull"
assert_contains "$T/det.err" "nothing partial was kept"
kept=$(find "$T/det" -type f ! -name '.caseprobe-pull.json' | wc -l)
grep -qE "^  $kept complete reports? (was|were) kept in $T/det\.$" "$T/det.err" \
  || { cat "$T/det.err" >&2; fail "no count of the $kept kept reports"; }
echo PASS
