#!/bin/bash
# test_gen_profile.sh: caseprobe-sim-gen writes a complete profile with the
# requested number and total size of crash reports and syslog size; every
# .ips header line is valid JSON whose name/timestamp match the file name;
# the same seed gives identical output, another seed a different one; bad
# arguments, a missing base and a non-empty OUTDIR fail with a clear message.
. "$(dirname "$0")/lib.sh"
[ -x "$CP_SIM_GEN" ] || fail "no $CP_SIM_GEN"
BASE=$(profile iphone-modern)

"$CP_SIM_GEN" "$T/a" --crashes 200 --crash-mb 5 --syslog-mb 2 --seed 42 2>"$T/a.err" ||
  fail "gen failed: $(cat "$T/a.err")"

# everything of the base but crash/ and syslog.txt is copied as is
for f in device.plist lockdown/global.plist lockdown/com.apple.mobile.battery.plist \
  diagnostics/ioreg/AppleSmartBattery.plist diagnostics/All.plist apps.plist; do
  cmp -s "$BASE/$f" "$T/a/$f" || fail "$f differs from the base"
done

python3 - "$T/a" <<'PY' || fail "generated crash tree check failed"
import json, os, re, sys
root = sys.argv[1]
crash = os.path.join(root, 'crash')
files, total, dirs = [], 0, set()
for dp, dn, fn in os.walk(crash):
    for f in fn:
        p = os.path.join(dp, f)
        files.append(p)
        total += os.path.getsize(p)
        dirs.add(os.path.relpath(dp, crash))
assert len(files) == 200, len(files)
assert abs(total - 5_000_000) <= 5_000_000 * 0.02, total
assert {'.', 'Retired'} <= dirs, dirs
ids, names = set(), set()
for p in files:
    b = os.path.basename(p)
    assert re.search(r'-\d{4}-\d\d-\d\d-\d{6}', b), b
    if '.ips' not in b:
        continue
    with open(p, 'rb') as fh:
        h = json.loads(fh.readline())
        body = fh.read().decode('utf-8', 'surrogateescape')
    if body.startswith('{\n'):
        json.loads(body)  # 309/298/151/210 bodies stay valid JSON
    elif h['bug_type'] == '211':
        recs = [json.loads(l) for l in body.splitlines() if l]
        assert recs[-1] == {'_marker': '<end-of-file>'}, (p, recs[-1])
        if b.startswith('Analytics-'):  # the battery probe's record survives cuts
            assert recs[-2]['message']['last_value_MaximumCapacityPercent'] == 92, p
    for k in ('bug_type', 'timestamp', 'os_version', 'incident_id'):
        assert k in h, (p, k)
    ts = h['timestamp']
    assert ts[:10] + '-' + ts[11:13] + ts[14:16] + ts[17:19] in b, (b, ts)
    if 'name' in h:
        assert b.startswith(h['name']), (b, h['name'])
        names.add(h['name'])
    assert h['os_version'] == 'iPhone OS 26.1 (23B85)', h['os_version']
    ids.add(h['incident_id'])
n_ips = sum('.ips' in os.path.basename(p) for p in files)
assert len(ids) == n_ips, ('incident ids repeat', len(ids), n_ips)
assert len(names) >= 10, names
s = os.path.getsize(os.path.join(root, 'syslog.txt'))
assert 2_000_000 <= s <= 2_000_000 + 10_000, s
lines = open(os.path.join(root, 'syslog.txt'), encoding='utf-8', errors='replace').read().split('\n')
stamped = [l for l in lines if re.match(r'[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d Annas-iPhone ', l)]
assert len(stamped) > 5000, len(stamped)
assert stamped[0][:15] != stamped[-1][:15], 'syslog clock does not advance'
PY

"$CP_SIM_GEN" "$T/b" --crashes 200 --crash-mb 5 --syslog-mb 2 --seed 42 2>/dev/null || fail "gen b"
diff -r "$T/a" "$T/b" >/dev/null || fail "same seed gave different output"
"$CP_SIM_GEN" "$T/c" --crashes 200 --crash-mb 5 --seed 43 2>/dev/null || fail "gen c"
diff -r "$T/a/crash" "$T/c/crash" >/dev/null && fail "different seeds gave the same crash tree"
cmp -s "$BASE/syslog.txt" "$T/c/syslog.txt" || fail "without --syslog-mb the base syslog is copied"

# --from another base, --udid and --name
"$CP_SIM_GEN" "$T/d" --crashes 30 --crash-mb 1 --from "$(profile iphone7-legacy)" \
  --udid 0123456789abcdef0123456789abcdef01234567 --name "Gen Device" 2>/dev/null || fail "gen d"
assert_eq "$(find "$T/d/crash" -type f | wc -l)" 30 "legacy-based count"
assert_contains "$T/d/device.plist" "0123456789abcdef0123456789abcdef01234567"
assert_contains "$T/d/lockdown/global.plist" "<string>0123456789abcdef0123456789abcdef01234567</string>"
assert_contains "$T/d/lockdown/global.plist" "<string>Gen Device</string>"
plistutil -i "$T/d/lockdown/global.plist" -o /dev/null || fail "rewritten global.plist does not parse"
ls "$T/d/crash" | grep -q '\.crash$' || fail "legacy base gave no .crash copies"

# zero reports is a valid (empty) crash tree
"$CP_SIM_GEN" "$T/e" --crashes 0 --crash-mb 0 2>/dev/null || fail "gen e"
assert_eq "$(find "$T/e/crash" -type f | wc -l)" 0 "empty tree"

# errors: exit status and message
"$CP_SIM_GEN" "$T/a" --crashes 1 --crash-mb 1 2>"$T/err" && fail "non-empty OUTDIR accepted"
assert_contains "$T/err" "is not empty"
"$CP_SIM_GEN" "$T/f" --crashes 1 --crash-mb 1 --from "$T/nope" 2>"$T/err" && fail "missing base accepted"
assert_contains "$T/err" "missing or not a profile folder"
: >"$T/plainfile"
"$CP_SIM_GEN" "$T/plainfile/x" --crashes 1 --crash-mb 1 2>"$T/err" && fail "OUTDIR under a file accepted"
assert_contains "$T/err" "cannot create"
mkdir -p "$T/ro" && chmod 555 "$T/ro"
if [ "$(id -u)" != 0 ]; then
  "$CP_SIM_GEN" "$T/ro/x" --crashes 1 --crash-mb 1 2>"$T/err" && fail "unwritable OUTDIR accepted"
  assert_contains "$T/err" "cannot create"
else
  skip_part "running as root, who may write a mode-555 folder: the unwritable OUTDIR case was not run"
fi
"$CP_SIM_GEN" "$T/g" --crashes 1 2>"$T/err"
assert_eq "$?" 2 "missing --crash-mb exit status"
assert_contains "$T/err" "required"
"$CP_SIM_GEN" "$T/g" --crashes x --crash-mb 1 2>"$T/err"
assert_eq "$?" 2 "bad --crashes exit status"
"$CP_SIM_GEN" --help >"$T/help" || fail "--help"
assert_contains "$T/help" "--crash-mb M"
assert_contains "$T/help" "1 MB = 1,000,000 bytes"
echo "ok"
