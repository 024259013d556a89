#!/usr/bin/env bash
# caseprobe parse on the real corpus: the summary and triage a technician
# reads, JSON lines for tools, warnings on stderr for damaged reports, and
# the exit status for missing or unreadable files. No device or simulator.
source "$(dirname "$0")/lib.sh"

C="$CP_CORPUS"
files=("$C"/ips/* "$C"/crash/*)

"$CP_BIN" parse -h >"$T/help" || fail "parse -h exited $?"
assert_contains "$T/help" "usage: caseprobe parse"
assert_contains "$T/help" "--json"

"$CP_BIN" parse >"$T/out" 2>"$T/err"
assert_eq "$?" 2 "parse with no file"

"$CP_BIN" parse "${files[@]}" >"$T/sum" 2>"$T/err" || fail "parse of the corpus exited $?"
# The corpus holds one kernel panic (bug_type 210) and one forced restart
# (151, ForceReset: the buttons were held), which is not a panic and forms
# its own group.
assert_contains "$T/sum" "14 report(s), 9 group(s):"
assert_contains "$T/sum" "3x iOSCrashingTest EXC_BREAKPOINT from 2022-08-04 01:11:01.2455 +0900 to 2022-09-18 15:28:37.00 +0900"
assert_contains "$T/sum" "panics: 1"
assert_contains "$T/sum" "forced restarts: 1"
assert_contains "$T/sum" "btn_rst"
assert_contains "$T/sum" "jetsam events: 1 (largest: AppStore x1)"
assert_contains "$T/sum" "code 0x8badf00d"
[ ! -s "$T/err" ] || fail "complete corpus files gave warnings: $(cat "$T/err")"

"$CP_BIN" parse --json "${files[@]}" >"$T/jl" 2>"$T/err" || fail "parse --json exited $?"
assert_eq "$(wc -l <"$T/jl")" 14 "JSON lines"
python3 - "$T/jl" <<'PY' || fail "JSON lines content"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
by = {r["file"].rsplit("/", 1)[1]: r for r in recs}
r = by["sanfer_iOS18.5_iPad13,16_app_crash_309.ips"]
assert (r["bug_type"], r["process"], r["os_version"], r["os_build"], r["device_model"]) == \
    (309, "SanferEventsApp", "18.5", "22F76", "iPad13,16"), r
assert r["time"] == 1753164599 and r["timestamp"] == "2025-07-22 07:09:59.00 +0100"
r = by["icdab_iOS14.2b_iPhone12,1_JetsamEvent_298.ips"]
assert r["kind"] == "jetsam" and r["jetsam"]["largest_process"] == "AppStore", r
r = by["icdab_iOS11.2.6_iPad6,11_watchdog_8badf00d.crash"]
assert r["bug_type"] is None and r["termination_code"] == "0x8badf00d", r
assert all(isinstance(r["warnings"], list) and r["signature"] for r in recs)
PY

"$CP_BIN" parse --triage "${files[@]}" >"$T/tri.json" 2>"$T/err" || fail "parse --triage exited $?"
assert_eq "$(json_get "$T/tri.json" 'd["total"], d["panics"]["count"], d["jetsam"]["count"], d["groups"][0]["count"], d["groups"][0]["process"]')" \
  "(14, 1, 1, 3, 'iOSCrashingTest')" "triage document"
assert_eq "$(json_get "$T/tri.json" 'd["forced_restarts"]["count"]')" 1 "forced restarts in triage"
"$CP_BIN" parse --json --triage "${files[0]}" >"$T/out" 2>"$T/err"
assert_eq "$?" 2 "--json with --triage"

# A listing reads only the first 16 KiB: still a record, with a warning.
head -c 16384 "$C/ips/applekeystore_iOS26.1_iPhone12,5_panic-full_210.ips" >"$T/cut.ips"
"$CP_BIN" parse --json "$T/cut.ips" >"$T/cut.json" 2>"$T/err" || fail "truncated file exited $?"
assert_contains "$T/err" "warning"
assert_eq "$(json_get "$T/cut.json" 'd["bug_type"], d["os_version"], d["device_model"]')" \
  "(210, '26.1', 'iPhone12,5')" "truncated panic"

# Missing and unreadable files: the others are still printed, the status says why.
"$CP_BIN" parse --json "$T/nope.ips" "$C/crash/macsym_iOS15.5_iPhone14,2.crash" >"$T/out" 2>"$T/err"
assert_eq "$?" 6 "missing file"
assert_eq "$(wc -l <"$T/out")" 1 "records printed beside a missing file"
assert_contains "$T/err" "nope.ips"
mkdir "$T/dir.ips"
"$CP_BIN" parse "$T/dir.ips" >"$T/out" 2>"$T/err"
assert_eq "$?" 4 "a folder instead of a file"
echo "ok"
