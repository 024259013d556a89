#!/usr/bin/env bash
# caseprobe-sim, the Trust dialog and the passcode lock as the real tools see
# them: pending -> (control "trust") -> paired, denied, locked, and
# TrustAfterSeconds; StartService refused while locked.
source "$(dirname "$0")/lib.sh"
UP=00008030-000000000000A001 UD=00008030-000000000000A002 UL=00008030-000000000000A003
UA=00008030-000000000000A004
sim_mkprofile "$T/pending" "$UP" "<key>Trust</key><string>pending</string>"
sim_mkprofile "$T/denied" "$UD" "<key>Trust</key><string>denied</string>"
sim_mkprofile "$T/locked" "$UL" "<key>Locked</key><true/>"
sim_mkprofile "$T/after" "$UA" "<key>Trust</key><string>pending</string><key>TrustAfterSeconds</key><integer>2</integer>"
sim_start "$T/pending" "$T/denied" "$T/locked" "$T/after"

sim_ctl status >"$T/st.txt" || fail "status"
assert_contains "$T/st.txt" "$UP attached pending unlocked"
assert_contains "$T/st.txt" "$UD attached denied unlocked"
assert_contains "$T/st.txt" "$UL attached paired locked"
assert_contains "$T/st.txt" "ok 4 device(s)"

# pending: -19 until the simulated tap
ideviceinfo -u "$UP" >"$T/p1.txt" 2>&1 && fail "pending device answered ideviceinfo"
assert_contains "$T/p1.txt" "ERROR: Could not connect to lockdownd: Pairing dialog response pending (-19)"
idevicepair -u "$UP" pair >"$T/p2.txt" 2>&1 && fail "idevicepair pair on pending succeeded"
assert_contains "$T/p2.txt" "ERROR: Please accept the trust dialog on the screen of device $UP, then attempt to pair again."
idevicediagnostics -u "$UP" diagnostics >"$T/p3.txt" 2>&1 && fail "diagnostics on pending"
assert_contains "$T/p3.txt" "ERROR: Could not connect to lockdownd, error code -19"
assert_contains "$SIM_LOG" "sim: $UP: Pair -> PairingDialogResponsePending"
sim_ctl trust "$UP" >"$T/c1.txt" || fail "ctl trust"
assert_contains "$T/c1.txt" "ok simulated tap on Trust"
ideviceinfo -u "$UP" -k DeviceClass >"$T/p4.txt" 2>&1 || fail "ideviceinfo after trust"
assert_eq "$(cat "$T/p4.txt")" "iPhone" "after trust"
sim_ctl status | grep -q "$UP attached paired unlocked" || fail "status after trust"

# denied
ideviceinfo -u "$UD" >"$T/d1.txt" 2>&1 && fail "denied device answered"
assert_contains "$T/d1.txt" "ERROR: Could not connect to lockdownd: User denied pairing (-18)"
idevicepair -u "$UD" pair >"$T/d2.txt" 2>&1 && fail "pair on denied succeeded"
assert_contains "$T/d2.txt" "ERROR: Device $UD said that the user denied the trust dialog."

# control "deny" on a pending device
sim_ctl deny "$UA" >/dev/null || fail "ctl deny"
ideviceinfo -u "$UA" >"$T/a0.txt" 2>&1 && fail "denied-by-control answered"
assert_contains "$T/a0.txt" "User denied pairing (-18)"

# locked: pairing refused with the passcode error (this host never paired)
sim_forget_pairing "$UL"
ideviceinfo -u "$UL" >"$T/l1.txt" 2>&1 && fail "locked device answered"
assert_contains "$T/l1.txt" "ERROR: Could not connect to lockdownd: Password protected (-17)"
idevicepair -u "$UL" pair >"$T/l2.txt" 2>&1 && fail "pair on locked succeeded"
assert_contains "$T/l2.txt" "ERROR: Could not validate with device $UL because a passcode is set. Please enter the passcode on the device and retry."
sim_ctl unlock "$UL" >/dev/null || fail "unlock"
ideviceinfo -u "$UL" -k ProductType >"$T/l3.txt" 2>&1 || fail "ideviceinfo after unlock"
assert_eq "$(cat "$T/l3.txt")" "iPhone12,1" "after unlock"
# paired but locked again: sessions work, services are refused
sim_ctl lock "$UL" >/dev/null || fail "lock"
ideviceinfo -u "$UL" -k SerialNumber >"$T/l4.txt" 2>&1 || fail "session while locked"
assert_eq "$(cat "$T/l4.txt")" "F2LSIMA003" "session while locked"
idevicediagnostics -u "$UL" ioregentry AppleSmartBattery >"$T/l5.txt" 2>&1 && fail "service while locked"
assert_contains "$SIM_LOG" "sim: $UL: StartService com.apple.mobile.diagnostics_relay -> PasswordProtected"
sim_ctl unlock "$UL" >/dev/null
idevicediagnostics -u "$UL" ioregentry AppleSmartBattery >"$T/l6.txt" 2>&1 || fail "service after unlock"
assert_contains "$T/l6.txt" "<key>CycleCount</key>"

# TrustAfterSeconds: the tap happens N s after the first Pair
sim_ctl trust "$UA" >/dev/null   # back to paired, then re-arm via a fresh sim below
sim_stop
sim_start "$T/after"
ideviceinfo -u "$UA" >"$T/a1.txt" 2>&1 && fail "TrustAfterSeconds answered at once"
assert_contains "$T/a1.txt" "Pairing dialog response pending (-19)"
# The tap is due 2 s after the first Pair; ask until it came (lockdown
# answers "pending" until then), at most 30 s.
wait_for 30 "TrustAfterSeconds to let the host pair" ideviceinfo -u "$UA" -k DeviceName
ideviceinfo -u "$UA" -k DeviceName >"$T/a2.txt" 2>&1 || fail "TrustAfterSeconds never trusted"
assert_eq "$(cat "$T/a2.txt")" "Sim iPhone A004" "after TrustAfterSeconds"
assert_contains "$SIM_LOG" "simulated tap on Trust (TrustAfterSeconds 2)"

# control errors
sim_ctl trust 00008030-FFFFFFFFFFFFFFFF >"$T/e1.txt" && fail "unknown UDID accepted"
assert_contains "$T/e1.txt" "error no device"
sim_ctl frobnicate "$UA" >"$T/e2.txt" && fail "unknown command accepted"
assert_contains "$T/e2.txt" "error unknown command"
echo PASS
