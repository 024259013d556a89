#!/usr/bin/env bash
# A command line that reads well with real device names: `list` numbers the
# devices and its columns line up in display cells for names with ’, accents
# and Chinese characters (each CJK character is 2 cells); -u takes a unique
# UDID prefix or a device's name; CASEPROBE_UDID is the default -u; and a
# device whose lockdown reply lacks a value is named, never called a file.
source "$(dirname "$0")/lib.sh"
UA=00008030-0021AAAA00000001
UB=00008030-0021BBBB00000002
UC=00008101-0021CCCC00000003
sim_mkprofile "$T/a" "$UA"
sim_mkprofile "$T/b" "$UB"
sim_mkprofile "$T/c" "$UC"
setname() {
  python3 - "$1/lockdown/global.plist" "$2" <<'PY' || fail "setname"
import plistlib, sys
p = sys.argv[1]
d = plistlib.load(open(p, "rb"))
d["DeviceName"] = sys.argv[2]
plistlib.dump(d, open(p, "wb"))
PY
}
setname "$T/a" "Jonas’s iPhone"
setname "$T/b" "张伟的iPhone"
setname "$T/c" "Zoë’s very long iPhone name that will not fit"
# C lacks its battery and disk-usage lockdown domains (values the device does not report).
rm -f "$T/c/lockdown/com.apple.mobile.battery.plist" "$T/c/lockdown/com.apple.disk_usage.plist"
sim_start "$T/a" "$T/b" "$T/c" "$(profile canary)"

"$CP_BIN" list >"$T/list.txt" 2>"$T/list.err" || fail "list exit $?"
cat "$T/list.txt"
assert_contains "$T/list.txt" "Jonas’s iPhone"
assert_contains "$T/list.txt" "张伟的iPhone"
assert_contains "$T/list.txt" "Zoë Quillby’s iPhone"
# Numbered 1..4, and every column starts at the same display cell on every
# line: measured with Python's unicodedata East Asian Width (W/F = 2 cells).
python3 - "$T/list.txt" <<'PY' || fail "list columns do not align"
import sys, unicodedata
def cells(s):
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert lines[0].lstrip().startswith("#"), lines[0]
assert [l.split()[0] for l in lines[1:]] == ["1", "2", "3", "4"], lines
def starts(line, heads):
    # the display cell where each header's column starts on this line
    return None
head = lines[0]
cols = [head.index(h) for h in ("UDID", "NAME", "MODEL", "IOS", "TRUST")]  # header is ASCII: index == cell
for l in lines[1:]:
    # cut the line at each column start measured in cells
    pos, acc, marks = 0, 0, {}
    for i, ch in enumerate(l):
        if acc in cols and acc not in marks:
            marks[acc] = i
        acc += cells(ch)
    for c in cols:
        assert c in marks, ("no character starts at cell %d" % c, l)
        i = marks[c]
        assert i == 0 or l[i - 2:i] == "  ", ("column at cell %d not preceded by 2 spaces" % c, l)
        assert l[i] != " ", ("column at cell %d starts with a space" % c, l)
long = [l for l in lines if "Zoë’s" in l][0]
assert "…" in long, long
PY
assert_contains "$T/list.txt" "Zoë’s very long iPhone name t…"
assert_not_contains "$T/list.txt" "not_paired"

# -u: a unique prefix, a name, CASEPROBE_UDID; an ambiguous prefix is exit 12.
"$CP_BIN" info -u 00008030-0021AAAA --json >"$T/p.json" 2>"$T/p.err" || fail "info -u prefix: $(cat "$T/p.err")"
assert_eq "$(json_get "$T/p.json" 'd["udid"]')" "$UA" "-u prefix"
"$CP_BIN" info -u "张伟的iPhone" --json >"$T/n.json" 2>"$T/n.err" || fail "info -u name: $(cat "$T/n.err")"
assert_eq "$(json_get "$T/n.json" 'd["udid"]')" "$UB" "-u name"
"$CP_BIN" info -u "jonas’s iphone" --json >"$T/n2.json" 2>"$T/n2.err" || fail "info -u name (case)"
assert_eq "$(json_get "$T/n2.json" 'd["udid"]')" "$UA" "-u name, any case"
# The number list shows picks the same device.
n=$(grep -F "$UB" "$T/list.txt" | awk '{print $1}')
"$CP_BIN" info -u "$n" --json >"$T/num.json" 2>"$T/num.err" || fail "info -u $n: $(cat "$T/num.err")"
assert_eq "$(json_get "$T/num.json" 'd["udid"]')" "$UB" "-u NUMBER"
CASEPROBE_UDID=00008030-0021BBBB "$CP_BIN" info --json >"$T/e.json" 2>"$T/e.err" || fail "CASEPROBE_UDID: $(cat "$T/e.err")"
assert_eq "$(json_get "$T/e.json" 'd["udid"]')" "$UB" "CASEPROBE_UDID"
set +e
"$CP_BIN" info -u 00008030-0021 >/dev/null 2>"$T/amb.err"
rc=$?
"$CP_BIN" info -u "Nobody's iPhone" >/dev/null 2>"$T/none.err"
rc2=$?
set -e
assert_eq "$rc" 12 "ambiguous prefix"
assert_contains "$T/amb.err" "matches 2 attached devices"
assert_eq "$rc2" 13 "unknown name"
assert_contains "$T/none.err" "no attached device has the UDID, UDID prefix or name 'Nobody's iPhone'"

# A device whose replies lack values: info names the device, never a file.
"$CP_BIN" info -u "$UC" >"$T/c.txt" 2>"$T/c.err" || fail "info on a device lacking values: exit $?"
cat "$T/c.txt" "$T/c.err"
assert_not_contains "$T/c.err" "file not found"
assert_not_contains "$T/c.err" "Check the file name"
assert_contains "$T/c.txt" "Charge:      not reported by Zoë’s very long iPhone name that will not fit"
assert_contains "$T/c.txt" "Battery:     health 89.7 %, 321 cycles: OK, no service needed"
"$CP_BIN" battery -u "$UC" --json >"$T/cb.json" 2>"$T/cb.err" || true
assert_not_contains "$T/cb.err" "file not found"
echo PASS
