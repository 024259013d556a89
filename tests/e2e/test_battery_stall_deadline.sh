#!/usr/bin/env bash
# `caseprobe battery` on a device whose diagnostics service stalls
# (StallService: it accepts and never answers) gives up on caseprobe's own
# deadline (10 s per question, probes/diag.c) with exit 20 "device stopped
# answering", naming the device and the service. libimobiledevice 1.3.0's
# client waited two fixed 30 s timeouts (63 s); the bound asserted here
# (40 s) is far above ours and below any run that still paid them.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_fault.sh"
U=$(fault_udid 721)
fault_profile "$(profile detaching)" "$T/s" "$U" "{'StallService': 'com.apple.mobile.diagnostics_relay'}"
sim_start "$T/s"
"$CP_BIN" list >/dev/null 2>&1 || true
t0=$(date +%s.%N)
rc=0
"$CP_BIN" battery -u "$U" >"$T/out" 2>"$T/err" </dev/null || rc=$?
t1=$(date +%s.%N)
secs=$(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$t0" "$t1")
echo "battery gave up after $secs s (exit $rc)"
assert_eq "$rc" 20 "exit status"
assert_contains "$T/err" "device stopped answering"
assert_contains "$T/err" "$U's diagnostics service sent nothing for 10 s"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 40 else 1)" "$secs" ||
  fail "battery took $secs s: the stalled service was not bounded by our deadline"
assert_contains "$SIM_LOG" "com.apple.mobile.diagnostics_relay stalled (fault: StallService)"
echo ok
