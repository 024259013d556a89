#!/usr/bin/env bash
# caseprobe-sim, basic protocol: the unmodified libimobiledevice tools see a
# device over the simulated usbmuxd, auto-pair with real certificates, run a
# TLS session and read lockdown domains; broken profiles are refused by name.
source "$(dirname "$0")/lib.sh"
U=00008030-001A2B3C4D5E6F70
P="$T/iphone"
sim_mkprofile "$P" "$U"

# --help documents every knob and control command
"$CP_SIM" --help >"$T/help.txt" || fail "--help failed"
for k in --socket --bandwidth --latency-us --ctl detach attach trust deny lock unlock status \
  SIGUSR1 SIGUSR2 TrustAfterSeconds BandwidthMBps LatencyUs ServiceSSL DetachAfterBytes \
  StallService MalformedService MalformedLockdown; do
  assert_contains "$T/help.txt" "$k"
done

# broken profiles: non-zero exit, message names the file
fixture_cp "$P" "$T/nodev" && rm "$T/nodev/device.plist"
fixture_cp "$P" "$T/badplist" && echo '<plist><dict><key>UDID' >"$T/badplist/device.plist"
fixture_cp "$P" "$T/mismatch" && sed -i "s/<string>$U<\/string><key>WiFi/<string>00008030-0000000000000001<\/string><key>WiFi/" \
  "$T/mismatch/lockdown/global.plist"
for b in nodev badplist mismatch; do
  if "$CP_SIM" --socket "$T/b.sock" "$T/$b" >"$T/$b.out" 2>"$T/$b.err"; then fail "$b accepted"; fi
  assert_not_contains "$T/$b.out" ready
done
assert_contains "$T/nodev.err" "$T/nodev/device.plist: missing"
assert_contains "$T/badplist.err" "$T/badplist/device.plist: not a parsable plist"
assert_contains "$T/mismatch.err" "$T/mismatch/lockdown/global.plist: UniqueDeviceID '00008030-0000000000000001' does not match"

before=$(cd "$P" && find . -type f -o -type l | sort | xargs sha256sum)
sim_start "$P"

idevice_id -l >"$T/ids.txt" || fail "idevice_id -l"
assert_eq "$(cat "$T/ids.txt")" "$U" "idevice_id -l"
idevice_id >"$T/ids2.txt"
assert_contains "$T/ids2.txt" "$U (USB)"
idevice_id "$U" >"$T/name.txt" || fail "idevice_id UDID"
assert_eq "$(cat "$T/name.txt")" "Sim iPhone 6F70" "idevice_id UDID (session-less DeviceName)"

# session-less GetValue: identity subset only, no SerialNumber
ideviceinfo -s >"$T/s.txt" || fail "ideviceinfo -s"
assert_contains "$T/s.txt" "ProductVersion: 16.7.2"
assert_contains "$T/s.txt" "UniqueDeviceID: $U"
assert_not_contains "$T/s.txt" "SerialNumber"
assert_not_contains "$T/s.txt" "ActivationState"
assert_not_contains "$SIM_LOG" "Pair ->"

# a paired profile: the record of a host that paired before is in usbmuxd's
# store from the start; drop it so ideviceinfo pairs as a new host
sim_forget_pairing "$U"
assert_log_soon "sim: $U: pair record of a host that paired before: in usbmuxd's store"
assert_log_soon "DeletePairRecord $U -> deleted"
# ideviceinfo auto-pairs (Pair with certificate checks), then TLS session
ideviceinfo >"$T/info.txt" || fail "ideviceinfo"
assert_contains "$T/info.txt" "SerialNumber: F2LSIM6F70"
assert_contains "$T/info.txt" "ActivationState: Activated"
assert_contains "$T/info.txt" "DeviceName: Sim iPhone 6F70"
assert_contains "$T/info.txt" "ProductType: iPhone12,1"
assert_contains "$T/info.txt" "ProtocolVersion: 2"
pk=$(sed -n 's/^DevicePublicKey: //p' "$T/info.txt" | base64 -d | head -1)
assert_eq "$pk" "-----BEGIN RSA PUBLIC KEY-----" "DevicePublicKey is PKCS#1 PEM"
assert_log_soon "sim: $U: Pair -> Success"
assert_log_soon "sim: $U: SavePairRecord $U"
assert_log_soon "sim: $U: TLS up: TLSv1.3"
assert_log_soon "sim: $U: StopSession -> plaintext"
# keys sorted like a real device
sed -n 's/^\([A-Za-z0-9]*\): .*/\1/p' "$T/info.txt" >"$T/keys.txt"
LC_ALL=C sort -c "$T/keys.txt" || fail "global domain keys not sorted"

# second run reuses the stored pair record: no second Pair
ideviceinfo -k ProductVersion >"$T/pv.txt" || fail "ideviceinfo -k"
assert_eq "$(cat "$T/pv.txt")" "16.7.2" "ideviceinfo -k ProductVersion"
assert_eq "$(grep -c 'Pair -> Success' "$SIM_LOG")" 1 "Pair count"

ideviceinfo -q com.apple.mobile.battery >"$T/bat.txt" || fail "battery"
assert_contains "$T/bat.txt" "BatteryCurrentCapacity: 87"
assert_contains "$T/bat.txt" "BatteryIsCharging: false"
assert_contains "$T/bat.txt" "HasBattery: true"
ideviceinfo -q com.apple.disk_usage >"$T/du.txt" || fail "disk_usage"
assert_contains "$T/du.txt" "TotalDataCapacity: 53687091200"
assert_contains "$T/du.txt" "TotalDiskCapacity: 64000000000"
ideviceinfo -q com.apple.disk_usage -k TotalDataAvailable >"$T/dk.txt"
assert_eq "$(cat "$T/dk.txt")" "21474836480" "disk_usage key"
# unknown key: nothing printed (the tool still exits 0)
ideviceinfo -k NoSuchKey >"$T/nk.txt" 2>&1
assert_eq "$(cat "$T/nk.txt")" "" "unknown key output"

idevicepair validate >"$T/val.txt" 2>&1 || fail "idevicepair validate"
assert_contains "$T/val.txt" "SUCCESS: Validated pairing with device $U"

idevicename >"$T/n1.txt" || fail idevicename
assert_eq "$(cat "$T/n1.txt")" "Sim iPhone 6F70" "idevicename"
idevicename "Renamed Phone" >"$T/n2.txt" || fail "idevicename set"
assert_contains "$T/n2.txt" "device name set to 'Renamed Phone'"
assert_eq "$(idevicename)" "Renamed Phone" "name after SetValue"
assert_eq "$(idevice_id "$U")" "Renamed Phone" "session-less name after SetValue"

# unpair drops the host: the stored record no longer opens a session
idevicepair unpair >"$T/up.txt" 2>&1 || fail "idevicepair unpair"
assert_contains "$T/up.txt" "SUCCESS: Unpaired with device $U"
assert_eq "$(grep -c "DeletePairRecord $U -> deleted" "$SIM_LOG")" 2 "unpair deletes the record"

# the profile folder was never written
after=$(cd "$P" && find . -type f -o -type l | sort | xargs sha256sum)
assert_eq "$after" "$before" "profile unchanged on disk"
idevicedate >"$T/date.txt" || fail "idevicedate"
assert_contains "$T/date.txt" "$(date +%Y)"

# an iOS 9 device: the client caps TLS at 1.0, the device (level 0) still serves
sim_stop
U9=00008030-0000000000099001
sim_mkprofile "$T/ios9" "$U9"
sed -i 's/16.7.2/9.3.6/' "$T/ios9/lockdown/global.plist"
sim_start "$T/ios9"
assert_eq "$(ideviceinfo -k SerialNumber)" "F2LSIM9001" "iOS 9 session"
assert_contains "$SIM_LOG" "sim: $U9: TLS up: TLSv1 "
echo PASS
