#!/usr/bin/env bash
# A device with more crash reports than one bundle may hold (10,100 against
# CP_CRASH_BUNDLE_MAX = 10,000; `caseprobe verify` reads at most 12,000
# members): collect keeps the newest 10,000, one failure row says how many
# older ones were left out and why, and the bundle verifies. Before the cap
# the bundle was written whole, refused by collect's own check and removed:
# such a device could not be collected at all.
source "$(dirname "$0")/lib.sh"
U="00008030-00000000BE$(printf '%06d' 10100)"
"$CP_SIM_GEN" "$T/p" --crashes 10100 --crash-mb 12 --udid "$U" >/dev/null 2>"$T/gen.err" ||
  fail "generating the profile: $(head -c 400 "$T/gen.err")"
n=$(find "$T/p/crash" -type f | wc -l)
[ "$n" -eq 10100 ] || fail "fixture: the profile holds $n reports, not 10100"
# The device's files get distinct times, oldest first, so "the newest 10,000"
# is one exact set: every file but the 100 oldest.
python3 - "$T/p/crash" "$T/oldest.txt" <<'PY' || fail "setting the reports' times"
import os, sys
files = sorted(os.path.relpath(os.path.join(d, f), sys.argv[1])
               for d, _, fs in os.walk(sys.argv[1]) for f in fs)
for i, rel in enumerate(files):
    t = 1700000000 + 60 * i
    os.utime(os.path.join(sys.argv[1], rel), (t, t))
open(sys.argv[2], "w").write("\n".join(files[:100]) + "\n")
PY
sim_start "$T/p"
rc=0
"$CP_BIN" collect --case MANY --scope crashes --yes -u "$U" -o "$T/out" --json >"$T/c.json" 2>"$T/c.err" || rc=$?
case $rc in 0 | 35 | 39) ;; *) fail "collect exited $rc: $(head -c 600 "$T/c.err")" ;; esac
B=$(ls "$T"/out/*.tar.gz 2>/dev/null | head -n 1)
[ -n "$B" ] || fail "collect made no bundle (exit $rc): $(head -c 600 "$T/c.err")"
"$CP_BIN" verify "$B" >"$T/verify.txt" 2>&1 || fail "the bundle does not verify: $(head -c 400 "$T/verify.txt")"
mkdir -p "$T/x" && tar -xzf "$B" -C "$T/x" crashes/index.json || fail "no crashes/index.json"
tar -tzf "$B" | sed -n 's|^crashes/||p' | grep -v '^index.json$' | sort >"$T/kept.txt"
python3 - "$T/x/crashes/index.json" "$T/kept.txt" "$T/oldest.txt" <<'PY' || fail "the bundle did not keep exactly the newest 10,000 reports"
import json, sys
d = json.load(open(sys.argv[1]))
kept = set(open(sys.argv[2]).read().split())
oldest = set(open(sys.argv[3]).read().split())
assert d["count"] == 10000, d["count"]
assert len(kept) == 10000, len(kept)
assert not (kept & oldest), sorted(kept & oldest)[:3]
rows = [f for f in d["failed"] if f["code_name"] == "too_large"]
assert len(rows) == 1 and rows[0]["error"].startswith("100 older report(s) were left out"), d["failed"]
print("kept the newest %d; %s" % (len(kept), rows[0]["error"]))
PY
echo ok
