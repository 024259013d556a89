#!/usr/bin/env bash
# caseprobe-sim, injected faults and several devices at once: a cable pull
# after N bytes (DetachAfterBytes) mid crash-report, a stalled service, a
# garbage service reply, garbage from lockdown; listeners see the events;
# SIGUSR1/SIGUSR2 and the control socket pull and replug every device.
source "$(dirname "$0")/lib.sh"
UA=00008030-00000000000F0001 UB=00008030-00000000000F0002
UC=00008030-00000000000F0003 UD=00008030-00000000000F0004
sim_mkprofile "$T/a" "$UA" "<key>Faults</key><dict><key>DetachAfterBytes</key><integer>300000</integer></dict>"
head -c 2000000 /dev/urandom >"$T/a/crash/Big.ips"
sim_mkprofile "$T/b" "$UB" "<key>Faults</key><dict><key>StallService</key><string>com.apple.syslog_relay</string></dict>"
sim_mkprofile "$T/c" "$UC" "<key>Faults</key><dict><key>MalformedService</key><string>com.apple.mobile.diagnostics_relay</string></dict>"
sim_mkprofile "$T/d" "$UD" "<key>Faults</key><dict><key>MalformedLockdown</key><true/></dict>"
sim_start "$T/a" "$T/b" "$T/c" "$T/d"
sim_pyclient
sim_listen "$T/events.txt"
trap 'kill $SIM_LISTEN_PID 2>/dev/null; cleanup' EXIT
# The listener must be subscribed before the first pairing, or its Paired
# event is never seen.
wait_for -p "$SIM_LISTEN_PID" 30 "the usbmux listener to subscribe" grep -q "^Result 0" "$T/events.txt"

# several devices at once (A pairs anew, so listeners see a Paired event)
sim_forget_pairing "$UA"
idevice_id -l | sort >"$T/ids.txt"
assert_eq "$(cat "$T/ids.txt")" "$(printf '%s\n' "$UA" "$UB" "$UC" "$UD")" "idevice_id -l lists all four"
for u in "$UA" "$UB" "$UC"; do
  assert_eq "$(ideviceinfo -u "$u" -k DeviceName)" "Sim iPhone ${u: -4}" "DeviceName of $u"
done
wait_for 30 "the Attached event of device 4" grep -q "Attached 4" "$T/events.txt"
assert_contains "$T/events.txt" "Result 0"
assert_contains "$T/events.txt" "Attached 1 $UA"
assert_contains "$T/events.txt" "Attached 4 $UD"
assert_contains "$T/events.txt" "Paired 1"

# DetachAfterBytes: idevicecrashreport loses the device mid-file
mkdir "$T/out"
idevicecrashreport -u "$UA" -k "$T/out" >"$T/cr.txt" 2>&1
assert_contains "$SIM_LOG" "sim: $UA: detached (fault: DetachAfterBytes)"
assert_contains "$T/cr.txt" "File size mismatch. Skipping..."
assert_contains "$T/cr.txt" "Failed to read information for"
got=$(stat -c %s "$T/out/Big.ips" 2>/dev/null || echo 0)
[ "$got" -lt 2000000 ] || fail "Big.ips arrived whole ($got bytes) despite the cable pull"
wait_for 30 "the Detached event of device 1" grep -q "^Detached 1" "$T/events.txt"
assert_contains "$T/events.txt" "Detached 1"
idevice_id -l | sort >"$T/ids2.txt"
assert_not_contains "$T/ids2.txt" "$UA"
assert_contains "$T/ids2.txt" "$UB"
sim_ctl status >"$T/st.txt"
assert_contains "$T/st.txt" "$UA detached paired unlocked"
# replug: the fault fires once per run, the whole tree now arrives
sim_ctl attach "$UA" >/dev/null || fail "attach"
replugged() { [ "$(grep -c "^Attached 1" "$T/events.txt")" -ge 2 ]; }
wait_for 30 "an Attached event after the replug" replugged
[ "$(grep -c "^Attached 1" "$T/events.txt")" -ge 2 ] || fail "no Attached event after replug"
mkdir "$T/out2"
idevicecrashreport -u "$UA" -k "$T/out2" >"$T/cr2.txt" 2>&1 || fail "crashreport after replug"
cmp -s "$T/out2/Big.ips" "$T/a/crash/Big.ips" || fail "Big.ips after replug differs"

# StallService: the syslog port accepts and never speaks
timeout -s INT 3 idevicesyslog -u "$UB" >"$T/sl.txt" 2>&1
assert_contains "$SIM_LOG" "sim: $UB: com.apple.syslog_relay stalled (fault: StallService)"
assert_contains "$T/sl.txt" "[connected]"
assert_not_contains "$T/sl.txt" "<Notice>"

# MalformedService: the diagnostics reply is garbage, the tool fails
idevicediagnostics -u "$UC" diagnostics >"$T/dg.txt" 2>&1 && fail "garbage diagnostics reply accepted"
assert_contains "$SIM_LOG" "sim: $UC: com.apple.mobile.diagnostics_relay -> garbage (fault: MalformedService)"
assert_not_contains "$T/dg.txt" "GasGauge"

# MalformedLockdown: the first in-session reply is garbage: no value printed
ideviceinfo -u "$UD" -k SerialNumber >"$T/md.txt" 2>&1
assert_eq "$(cat "$T/md.txt")" "" "ideviceinfo output with garbage lockdown reply"
assert_contains "$SIM_LOG" "sim: $UD: lockdown GetValue -> garbage (fault: MalformedLockdown)"
# session-less requests are unaffected
assert_eq "$(idevice_id "$UD")" "Sim iPhone 0004" "session-less name on MalformedLockdown device"

# SIGUSR1 pulls every cable, SIGUSR2 plugs them back
kill -USR1 "$SIM_PID"
no_devices() { [ -z "$(idevice_id -l)" ]; }
wait_for 30 "no devices listed after SIGUSR1" no_devices
assert_eq "$(idevice_id -l)" "" "no devices after SIGUSR1"
assert_contains "$SIM_LOG" "sim: $UD: detached (SIGUSR1)"
kill -USR2 "$SIM_PID"
four_devices() { [ "$(idevice_id -l | wc -l)" -eq 4 ]; }
wait_for 30 "four devices listed after SIGUSR2" four_devices
assert_eq "$(idevice_id -l | wc -l)" 4 "four devices after SIGUSR2"
sim_ctl detach all >/dev/null || fail "detach all"
assert_eq "$(idevice_id -l)" "" "detach all"
sim_ctl attach all >/dev/null || fail "attach all"
assert_eq "$(idevice_id -l | wc -l)" 4 "attach all"
wait_for 30 "the Detached event of device 4" grep -q "^Detached 4" "$T/events.txt"
assert_contains "$T/events.txt" "Detached 4"
echo PASS
