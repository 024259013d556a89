#!/usr/bin/env bash
# caseprobe apps and syslog against the shipped profiles: the user apps of
# apps.plist with their versions; a bounded syslog capture whose lines are
# the profile's syslog.txt lines (NUL separators dropped), to a file or stdout.
source "$(dirname "$0")/lib.sh"
X="python3 $(dirname "$0")/cli_expect.py"
PROFS="iphone-modern iphone7-legacy ipad"
dirs=()
for p in $PROFS; do dirs+=("$(profile "$p")"); done
sim_start "${dirs[@]}"
udid_of() { python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$(profile "$1")/device.plist"; }

for p in $PROFS; do
  u=$(udid_of "$p")
  "$CP_BIN" apps -u "$u" --json >"$T/$p.apps.json" 2>"$T/$p.apps.err" || fail "$p: apps exit $?"
  $X apps "$(profile "$p")" "$T/$p.apps.json" || fail "$p: apps"
  "$CP_BIN" syslog -u "$u" --seconds 2 -o "$T/$p.log" --json >"$T/$p.sl.json" 2>"$T/$p.sl.err" ||
    fail "$p: syslog exit $?"
  lines=$(json_get "$T/$p.sl.json" 'd["lines"]')
  [ "$lines" -gt 0 ] || fail "$p: empty capture"
  assert_eq "$(wc -l <"$T/$p.log")" "$lines" "$p: lines in file"
  assert_eq "$(tr -d -c '\000' <"$T/$p.log" | wc -c)" "0" "$p: NUL bytes in the capture"
  # The capture is the device's log, in order, from its first line.
  python3 - "$(profile "$p")/syslog.txt" "$T/$p.log" <<'PY' || fail "$p: capture differs from syslog.txt"
import sys
src = open(sys.argv[1], "rb").read().split(b"\n")
got = open(sys.argv[2], "rb").read().split(b"\n")[:-1]
assert got and got == src[:len(got)], (got[:2], src[:2])
PY
done

# stdout form, bounded by bytes.
u=$(udid_of iphone-modern)
"$CP_BIN" syslog -u "$u" -s 3 --max-bytes 1000 >"$T/out.log" 2>"$T/out.err" || fail "syslog stdout"
# whole lines only: the longest run of the log's lines that fits in 1000 bytes
python3 - "$(profile iphone-modern)/syslog.txt" "$T/out.log" <<'PY' || fail "byte cap"
import sys
src, got = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
want = src[:src.rfind(b"\n", 0, 1000) + 1]
assert got == want, (len(got), len(want))
PY
"$CP_BIN" apps -u "$u" >"$T/apps.txt" 2>&1 || fail "apps text"
assert_contains "$T/apps.txt" "com.burbn.instagram"
"$CP_BIN" syslog -u "$u" --json >/dev/null 2>&1
assert_eq "$?" "2" "--json without -o"
echo ok
