#!/usr/bin/env bash
# caseprobe-sim with every shipped profile (tests/sim/profiles) at once: all
# load, all are listed, and each shows its character to the stock tools
# (modern, legacy iPhone 7 with AppleARMPMUCharger, iPad, pending, locked,
# detaching). Crash trees arrive byte-identical.
source "$(dirname "$0")/lib.sh"
names="iphone-modern iphone7-legacy ipad worn-battery trust-pending locked detaching"
dirs=()
for n in $names; do
  [ -f "$(profile "$n")/device.plist" ] || fail "shipped profile $n missing"
  dirs+=("$(profile "$n")")
done
udid() { python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$(profile "$1")/device.plist"; }
for n in $names; do
  eval "U_${n//-/_}=$(udid "$n")"
done
before=$(cd "$CP_SRC/tests/sim/profiles" && find . -type f -o -type l | sort | xargs -d '\n' sha256sum)
sim_start "${dirs[@]}"

idevice_id -l | sort >"$T/ids.txt"
assert_eq "$(wc -l <"$T/ids.txt")" 7 "seven devices listed"
for n in $names; do
  v="U_${n//-/_}"
  assert_contains "$T/ids.txt" "${!v}"
done

# modern iPhone: full info, battery, crash tree byte-identical
U=$U_iphone_modern
assert_eq "$(ideviceinfo -u "$U" -k DeviceName)" "Anna's iPhone" "modern DeviceName"
assert_eq "$(ideviceinfo -u "$U" -k ProductVersion)" "26.1" "modern ProductVersion"
ideviceinfo -u "$U" -q com.apple.mobile.battery >"$T/bat.txt" || fail "battery"
assert_contains "$T/bat.txt" "BatteryCurrentCapacity:"
idevicediagnostics -u "$U" ioregentry AppleSmartBattery >"$T/sb.txt" 2>&1 || fail "ioregentry"
assert_contains "$T/sb.txt" "<key>DesignCapacity</key>"
assert_contains "$T/sb.txt" "<integer>3969</integer>"
ideviceinstaller -u "$U" -l >"$T/apps.txt" 2>&1 || fail "ideviceinstaller"
[ "$(tail -n +2 "$T/apps.txt" | wc -l)" -eq 10 ] || fail "expected 10 user apps"
mkdir "$T/crash"
idevicecrashreport -u "$U" -k "$T/crash" >"$T/cr.txt" 2>&1 || fail "crashreport"
assert_contains "$T/cr.txt" "Done."
assert_not_contains "$T/cr.txt" "mismatch"
src="$(profile iphone-modern)/crash"
nfiles=0
while read -r f; do
  dst="${f%.synced}"
  [ -f "$T/crash/$dst" ] || fail "missing $dst"
  assert_eq "$(sha256sum <"$T/crash/$dst")" "$(sha256sum <"$src/$f")" "sha256 $f"
  nfiles=$((nfiles + 1))
done < <(cd "$src" && find . -type f | sed 's|^\./||')
assert_eq "$(cd "$T/crash" && find . -type f | wc -l)" "$nfiles" "file count"

# iPhone 7, iOS 13: 40-hex UDID, the older charger entry
U=$U_iphone7_legacy
assert_eq "$(ideviceinfo -u "$U" -k ProductVersion)" "13.3.1" "legacy ProductVersion"
assert_eq "$(idevice_id "$U")" "iPhone7_1331" "legacy name"
idevicediagnostics -u "$U" ioregentry AppleARMPMUCharger >"$T/ch.txt" 2>&1 || fail "AppleARMPMUCharger"
assert_contains "$T/ch.txt" "<integer>612</integer>"
idevicediagnostics -u "$U" ioregentry AppleSmartBattery >/dev/null 2>&1 && fail "legacy has no AppleSmartBattery"

assert_eq "$(ideviceinfo -u "$U_ipad" -k DeviceClass)" "iPad" "iPad class"
ideviceinfo -u "$U_trust_pending" >"$T/tp.txt" 2>&1 && fail "pending answered"
assert_contains "$T/tp.txt" "Pairing dialog response pending (-19)"
# locked, paired before: lockdown answers (as a real device does), services are refused
ideviceinfo -u "$U_locked" -k ProductType >"$T/lkp.txt" 2>&1 || fail "locked, paired before: lockdown did not answer"
idevicediagnostics -u "$U_locked" ioregentry AppleSmartBattery >"$T/lkd.txt" 2>&1 && fail "locked: a service answered"
# locked and never paired: pairing is refused until the phone is unlocked
sim_forget_pairing "$U_locked"
ideviceinfo -u "$U_locked" >"$T/lk.txt" 2>&1 && fail "locked answered"
assert_contains "$T/lk.txt" "Password protected (-17)"
mkdir "$T/det"
idevicecrashreport -u "$U_detaching" -k "$T/det" >"$T/det.txt" 2>&1
assert_contains "$SIM_LOG" "sim: $U_detaching: detached (fault: DetachAfterBytes)"
idevice_id -l >"$T/ids2.txt"
assert_not_contains "$T/ids2.txt" "$U_detaching"
assert_eq "$(wc -l <"$T/ids2.txt")" 6 "six left after the detaching one"

after=$(cd "$CP_SRC/tests/sim/profiles" && find . -type f -o -type l | sort | xargs -d '\n' sha256sum)
[ "$after" = "$before" ] || fail "shipped profiles changed on disk"
echo PASS
