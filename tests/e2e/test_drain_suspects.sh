#!/usr/bin/env bash
# Battery-drain suspects: a profile whose crash folder holds known resource
# reports (CPU 202, wakeups 142, disk writes 145), jetsam events (298) and a
# crash loop; `caseprobe battery` must rank them in the order written below
# by hand (count first, then CPU < wakeups < disk writes < jetsam < crash loop,
# then the worst figure), with the device's own figures, and `collect` must
# put the same ranking in the findings.
source "$(dirname "$0")/lib.sh"
U=00008030-00D2A1B2C3D4E5F6
P="$T/drain"
sim_mkprofile "$P" "$U"
rm -rf "$P/crash" "$P/crash_pending"
mkdir -p "$P/crash/Retired"
C="$CP_CORPUS/ips"
cpu="$C/icdab_iOS14.2b_iPhone12,1_apfs_defragd_cpu_resource_202.ips"
jet="$C/icdab_iOS14.2b_iPhone12,1_JetsamEvent_298.ips"
app="$C/macsym_iOS16.0_iPhone14,2_app_crash_309.ips"
for f in "$cpu" "$jet" "$app"; do [ -s "$f" ] || fail "corpus file missing: $f"; done

# A real CPU report as the device wrote it (apfs_defragd, 90 s used), and
# three of Maps made from it with 60, 120 and 75 s used.
cp "$cpu" "$P/crash/apfs_defragd.cpu_resource-2020-10-19-234902.ips"
n=0
for used in 60 120 75; do
  n=$((n + 1))
  sed -e 's/apfs_defragd/Maps/g' -e "s/^CPU used: .*/CPU used:         ${used}s/" \
    -e "1s/2020-10-19 23:49:02/2020-10-1$n 23:49:02/" "$cpu" \
    >"$P/crash/Maps.cpu_resource-2020-10-1$n-234902.ips"
done
grep -q '^CPU used:         120s' "$P/crash/Maps.cpu_resource-2020-10-12-234902.ips" || fail "sed"

# Wakeups (142): 45001 over 143.27 s = 314 per s; 30000 over 300 s = 100 per s.
wake() { # NAME CAUSED DURATION
  cat <<EOF
{"bug_type":"142","timestamp":"2020-10-18 10:00:00.00 +0100","os_version":"iPhone OS 14.2 (18B5072f)","incident_id":"5D6A1E2B-0000-4000-8000-00000000014$2","app_name":"$1","name":"$1"}
Date/Time:        2020-10-18 09:57:36.000 +0100
OS Version:       iPhone OS 14.2 (Build 18B5072f)
Report Version:   32
Command:          $1
PID:              812

Event:            wakeups
Action taken:     none
Wakeups:          $2 wakeups over the last $3 seconds, exceeding limit of 150 wakeups per second over 300 seconds
Wakeups limit:    45000
Limit duration:   300s
Wakeups caused:   $2
Duration:         ${3}s
EOF
}
wake WeatherWidget 45001 143.27 >"$P/crash/WeatherWidget.wakeups_resource-2020-10-18-100000.ips"
wake WeatherWidget 30000 300 >"$P/crash/Retired/WeatherWidget.wakeups_resource-2020-10-17-100000.ips"
# Disk writes (145): 1073.75 MB.
cat >"$P/crash/photoanalysisd.diskwrites_resource-2020-10-18-120000.ips" <<'EOF'
{"bug_type":"145","timestamp":"2020-10-18 12:00:00.00 +0100","os_version":"iPhone OS 14.2 (18B5072f)","incident_id":"5D6A1E2B-0000-4000-8000-000000000145","app_name":"photoanalysisd","name":"photoanalysisd"}
Date/Time:        2020-10-17 15:10:00.000 +0100
OS Version:       iPhone OS 14.2 (Build 18B5072f)
Report Version:   32
Command:          photoanalysisd
PID:              377

Event:            disk writes
Action taken:     none
Writes:           1073.75 MB of file backed memory dirtied over 1270 seconds (845.38 KB per second average), exceeding limit of 12.43 KB per second over 86400 seconds
Writes limit:     1073.74 MB
Limit duration:   86400s
Writes caused:    1073.75 MB
Duration:         1270.12s
EOF
# Two jetsam events whose largest process is AppStore (2 processes killed each).
cp "$jet" "$P/crash/JetsamEvent-2020-10-15-172958.ips"
cp "$jet" "$P/crash/Retired/JetsamEvent-2020-10-14-172958.ips"
# A crash loop: four crashes of iOSCrashingTest; one crash of another app is not a loop.
for i in 1 2 3 4; do cp "$app" "$P/crash/iOSCrashingTest-2022-09-20-10101$i.ips"; done
sed 's/iOSCrashingTest/OnceCrashed/g' "$app" >"$P/crash/OnceCrashed-2022-09-20-101010.ips"

sim_start "$P"
"$CP_BIN" battery -u "$U" --json >"$T/bat.json" 2>"$T/bat.err" || fail "battery --json exit $?"
order=$(json_get "$T/bat.json" '" ".join(s["process"]+":"+s["kind"]+":"+str(s["count"]) for s in d["drain"]["suspects"])')
assert_eq "$order" "iOSCrashingTest:crash_loop:4 Maps:cpu:3 WeatherWidget:wakeups:2 AppStore:jetsam:2 apfs_defragd:cpu:1 photoanalysisd:disk_writes:1" "drain order"
# worst figures: the device's own numbers
assert_eq "$(json_get "$T/bat.json" '(lambda w: "%s %s" % (w["value"], w["unit"]))(d["drain"]["suspects"][1]["worst"])')" "120.0 s" "Maps worst"
assert_eq "$(json_get "$T/bat.json" '(lambda w: "%s %s" % (w["value"], w["unit"]))(d["drain"]["suspects"][2]["worst"])')" "314.1 per_s" "wakeups worst"
assert_eq "$(json_get "$T/bat.json" '(lambda w: "%s %s" % (w["value"], w["unit"]))(d["drain"]["suspects"][3]["worst"])')" "2.0 count" "jetsam worst"
assert_eq "$(json_get "$T/bat.json" '(lambda w: "%s %s" % (w["value"], w["unit"]))(d["drain"]["suspects"][5]["worst"])')" "1073.75 MB" "disk worst"
assert_eq "$(json_get "$T/bat.json" '(lambda w: "%s %s" % (w["value"], w["unit"]))(d["drain"]["suspects"][0]["worst"])')" "4.0 count" "loop worst"
assert_eq "$(json_get "$T/bat.json" 'd["drain"]["since"]')" "2020-10-11T22:49:02Z" "since"
assert_eq "$(json_get "$T/bat.json" 'd["drain"]["suspects"][1]["last"]')" "2020-10-13T22:49:02Z" "Maps last"
assert_not_contains "$T/bat.json" "OnceCrashed"

"$CP_BIN" battery -u "$U" >"$T/bat.txt" 2>&1 || fail "battery exit $?"
assert_contains "$T/bat.txt" "Verdict:"
assert_contains "$T/bat.txt" "flagged by the device for heavy CPU / wakeups / disk writes"
assert_contains "$T/bat.txt" "1. iOSCrashingTest"
assert_contains "$T/bat.txt" "2. Maps                     heavy CPU            3 reports  worst 120 s of CPU"
assert_contains "$T/bat.txt" "3. WeatherWidget            many wakeups         2 reports  worst 314 wakeups/s"
assert_contains "$T/bat.txt" "6. photoanalysisd           heavy disk writes    1 report   worst 1074 MB written"
! grep -qiE "mAh used|energy|%/h" "$T/bat.txt" || fail "an invented energy figure"

# The bundle carries the same ranking (crashes/index.json, through the
# redactor; collect also hands it to the report as findings "drain").
mkdir -p "$T/out"
"$CP_BIN" collect -u "$U" --case DRAIN-1 --scope crashes --yes -o "$T/out" >"$T/collect.out" \
  2>"$T/collect.err" || { cat "$T/collect.err" >&2; fail "collect exit"; }
B=$(head -n1 "$T/collect.out")
[ -f "$B" ] || fail "collect printed '$B', not a file"
order2=$(python3 - "$B" <<'PY'
import json, sys, tarfile
with tarfile.open(sys.argv[1], "r:gz") as tf:
    d = json.load(tf.extractfile("crashes/index.json"))
print(" ".join(s["process"] + ":" + s["kind"] for s in d["drain"]["suspects"]))
PY
) || fail "reading the bundle"
assert_eq "$order2" "iOSCrashingTest:crash_loop Maps:cpu WeatherWidget:wakeups AppStore:jetsam apfs_defragd:cpu photoanalysisd:disk_writes" "bundle drain order"
echo PASS
