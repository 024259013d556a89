#!/usr/bin/env bash
# caseprobe info and battery against every shipped profile that can be read
# (paired, unlocked): each figure is checked against the profile's own
# plists by cli_expect.py (cycle count = IORegistry CycleCount, health = the
# Analytics figure or the capacities' ratio, verdict from 80 % and the rating).
source "$(dirname "$0")/lib.sh"
X="python3 $(dirname "$0")/cli_expect.py"
GOOD="iphone-modern iphone7-legacy ipad worn-battery detaching"
dirs=()
for p in $GOOD; do dirs+=("$(profile "$p")"); done
sim_start "${dirs[@]}"

udid_of() { python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$(profile "$1")/device.plist"; }

for p in $GOOD; do
  u=$(udid_of "$p")
  "$CP_BIN" info -u "$u" --json >"$T/$p.info.json" 2>"$T/$p.info.err" || fail "$p: info exit $?"
  $X info "$(profile "$p")" "$T/$p.info.json" || fail "$p: info values"
  "$CP_BIN" info -u "$u" >"$T/$p.info.txt" 2>&1 || fail "$p: info (text)"
  assert_contains "$T/$p.info.txt" "$(json_get "$T/$p.info.json" 'd["marketing_name"]')"
  assert_contains "$T/$p.info.txt" "iOS:         $(json_get "$T/$p.info.json" 'd["ios_version"]')"

  "$CP_BIN" battery -u "$u" --json >"$T/$p.bat.json" 2>"$T/$p.bat.err" || fail "$p: battery exit $?"
  $X battery "$(profile "$p")" "$T/$p.bat.json" || fail "$p: battery values"
  # battery also walks the crash reports (drain suspects): the detaching
  # profile's cable pull fires there; plug it back for the text run
  [ "$p" != detaching ] || sim_ctl attach all >/dev/null
  "$CP_BIN" battery -u "$u" >"$T/$p.bat.txt" 2>&1 || fail "$p: battery (text)"
  assert_contains "$T/$p.bat.txt" "Cycle count"
  assert_contains "$T/$p.bat.txt" "Verdict:"
done

# The worn battery is a service case, with both reasons worded.
assert_eq "$(json_get "$T/worn-battery.bat.json" 'd["verdict"]')" "service" "worn verdict"
assert_contains "$T/worn-battery.bat.txt" "SERVICE RECOMMENDED"
assert_contains "$T/worn-battery.bat.txt" "is below 80 % of design capacity"
# The iPhone 7 reads its gauge from AppleARMPMUCharger.
assert_eq "$(json_get "$T/iphone7-legacy.bat.json" 'd["sources"]["design_capacity_mah"]')" \
  "ioreg:AppleARMPMUCharger:DesignCapacity" "legacy source"
# The modern phone's health is Settings' figure from its Analytics report.
assert_contains "$T/iphone-modern.bat.txt" "[analytics:Analytics-"

# Several devices and no -u: the documented sentence and exit 12.
"$CP_BIN" info >"$T/many.out" 2>"$T/many.err"
assert_eq "$?" "12" "info without -u on 5 devices"
assert_contains "$T/many.err" "Choose one with -u UDID"
echo "ok"
