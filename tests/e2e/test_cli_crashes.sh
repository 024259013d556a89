#!/usr/bin/env bash
# caseprobe crashes list|pull against every readable shipped profile:
# the count equals the files in the profile's crash tree, pulled files are
# byte-identical (sha256) to the profile's, the device's tree is untouched
# (second list and idevicecrashreport -k agree), a second pull skips
# everything, filters select the same rows as filtering the full list, and
# --delete removes exactly what it pulled.
source "$(dirname "$0")/lib.sh"
X="python3 $(dirname "$0")/cli_expect.py"
GOOD="iphone-modern iphone7-legacy ipad worn-battery"
dirs=()
for p in $GOOD; do dirs+=("$(profile "$p")"); done
sim_start "${dirs[@]}"
udid_of() { python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$(profile "$1")/device.plist"; }
count_kept() { # idevicecrashreport -k: the files the device still serves
  mkdir -p "$2"
  idevicecrashreport -k -u "$1" "$2" >"$2.log" 2>&1 || fail "idevicecrashreport -k failed"
  grep -c '^Copy: ' "$2.log"
}

for p in $GOOD; do
  u=$(udid_of "$p")
  P=$(profile "$p")
  "$CP_BIN" crashes list -u "$u" --json >"$T/$p.l1.json" 2>"$T/$p.l1.err" || fail "$p: list exit $?"
  $X crash-list "$P" "$T/$p.l1.json" || fail "$p: list values"
  n=$(json_get "$T/$p.l1.json" 'd["count"]')
  [ "$n" -gt 0 ] || fail "$p: no reports"

  "$CP_BIN" crashes pull "$T/$p.pull" -u "$u" --json >"$T/$p.p1.json" 2>"$T/$p.p1.err" ||
    fail "$p: pull exit $?"
  $X pull "$P" "$T/$p.p1.json" "$T/$p.pull" all || fail "$p: pulled files"
  assert_eq "$(json_get "$T/$p.p1.json" 'd["count"]')" "$n" "$p: pulled count"
  [ -s "$T/$p.pull/index.json" ] || fail "$p: no index.json"
  assert_eq "$(json_get "$T/$p.pull/index.json" 'len(d["reports"])')" "$n" "$p: index rows"
  json_get "$T/$p.pull/index.json" 'd["triage"]["total"]' >/dev/null || fail "$p: no triage"

  # The device still has everything: our list and the reference tool agree.
  "$CP_BIN" crashes list -u "$u" --json >"$T/$p.l2.json" || fail "$p: second list"
  assert_eq "$(json_get "$T/$p.l2.json" 'd["count"]')" "$n" "$p: count after pull"
  assert_eq "$(count_kept "$u" "$T/$p.k1")" "$n" "$p: idevicecrashreport -k after pull"

  # A second pull into the same folder reads nothing again.
  "$CP_BIN" crashes pull "$T/$p.pull" -u "$u" --json >"$T/$p.p2.json" || fail "$p: second pull"
  assert_eq "$(json_get "$T/$p.p2.json" 'd["count"]')" "0" "$p: re-pulled"
  assert_eq "$(json_get "$T/$p.p2.json" 'len(d["skipped"])')" "$n" "$p: skipped"
done

# Filters select what filtering the full list selects.
p=iphone-modern u=$(udid_of $p)
"$CP_BIN" crashes list -u "$u" --process iOSCrashingTest --json >"$T/f1.json" || fail "filter process"
assert_eq "$(json_get "$T/f1.json" 'd["count"]')" \
  "$(json_get "$T/$p.l1.json" 'sum(1 for r in d["reports"] if r.get("process")=="iOSCrashingTest")')" "process filter"
"$CP_BIN" crashes list -u "$u" --type 309 --json >"$T/f2.json" || fail "filter type"
assert_eq "$(json_get "$T/f2.json" 'd["count"]')" \
  "$(json_get "$T/$p.l1.json" 'sum(1 for r in d["reports"] if r.get("bug_type")==309)')" "type filter"
since=$(json_get "$T/$p.l1.json" 'sorted(r.get("time") or r["mtime"] for r in d["reports"])[len(d["reports"])//2]')
"$CP_BIN" crashes list -u "$u" --since "$since" --json >"$T/f3.json" || fail "filter since"
assert_eq "$(json_get "$T/f3.json" 'd["count"]')" \
  "$(json_get "$T/$p.l1.json" "sum(1 for r in d['reports'] if (r.get('time') or r['mtime']) >= $since)")" "since filter"
"$CP_BIN" crashes list -u "$u" --since yesterday >/dev/null 2>&1
assert_eq "$?" "2" "bad --since is a usage error"

# --delete removes exactly the pulled (filtered) files, nothing else.
before=$(json_get "$T/$p.l1.json" 'd["count"]')
"$CP_BIN" crashes pull "$T/del" -u "$u" --process iOSCrashingTest --delete --json >"$T/d.json" ||
  fail "pull --delete exit $?"
$X pull "$(profile $p)" "$T/d.json" "$T/del" || fail "deleted pull files"
nd=$(json_get "$T/d.json" 'd["count"]')
[ "$nd" -gt 0 ] || fail "--delete pulled nothing"
assert_eq "$(json_get "$T/d.json" 'all(r["removed"] for r in d["pulled"])')" "True" "all removed"
"$CP_BIN" crashes list -u "$u" --json >"$T/l3.json" || fail "list after delete"
assert_eq "$(json_get "$T/l3.json" 'd["count"]')" "$((before - nd))" "count after delete"
assert_eq "$(json_get "$T/l3.json" 'sum(1 for r in d["reports"] if r.get("process")=="iOSCrashingTest")')" "0" "deleted rows gone"
assert_eq "$(count_kept "$u" "$T/k2")" "$((before - nd))" "idevicecrashreport -k after delete"

# Human output and the progress-free summary line.
"$CP_BIN" crashes list -u "$(udid_of ipad)" >"$T/h.txt" 2>&1 || fail "list text"
assert_contains "$T/h.txt" "PROCESS"
"$CP_BIN" crashes pull "$T/h" -u "$(udid_of ipad)" >"$T/h2.txt" 2>&1 || fail "pull text"
assert_contains "$T/h2.txt" "Pulled $(json_get "$T/ipad.l1.json" 'd["count"]') reports"
echo ok
