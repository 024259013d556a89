#!/usr/bin/env bash
# Fault matrix, part 2: a malformed reply at each protocol layer, one trial
# each, and the re-run once the fault is gone (a fault-free copy of the same
# device). Layers: usbmuxd (Connect answered with a broken packet:
# MalformedMux), TLS (junk where the ServerHello belongs: MalformedTLS),
# lockdown (garbage inside the session: MalformedLockdown), AFC, the crash
# mover, diagnostics, installation proxy and syslog relay (MalformedService).
# Allowed outcomes: 21 "device sent a malformed reply"; a layer the agent
# retries or can do without may succeed (0) or finish with that part missing
# (35, bundle verified); a TLS failure is indistinguishable, in
# libimobiledevice 1.3.0, from a device that refuses our pair record (17).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_fault.sh"
B=$(profile detaching)
i=0 profs=() specs=()
add() { # add LABEL FAULTS_PY COMMAND ALLOWED SENTENCE
  i=$((i + 1))
  local u f
  u=$(fault_udid $((300 + i))) f=$(fault_udid $((400 + i)))
  fault_profile "$B" "$T/m$i" "$u" "$2"
  fault_profile "$B" "$T/ok$i" "$f" "{}"
  profs+=("$T/m$i" "$T/ok$i")
  specs+=("$1|$3|$u|$T/m$i|$4|$5|$f|$T/ok$i")
}
MAL="device sent a malformed reply"
add usbmuxd "{'MalformedMux': True}" battery "21" "$MAL"
add tls "{'MalformedTLS': True}" battery "21 17" "caseprobe:"
add lockdown "{'MalformedLockdown': True}" battery "0 21" "$MAL"
add afc "{'MalformedService': 'com.apple.crashreportcopymobile'}" pull "21" "$MAL"
add mover "{'MalformedService': 'com.apple.crashreportmover'}" pull "0 21" "$MAL"
add diagnostics "{'MalformedService': 'com.apple.mobile.diagnostics_relay'}" battery "0 21 35" "caseprobe:"
add instproxy "{'MalformedService': 'com.apple.mobile.installation_proxy'}" collect "21 35" "caseprobe:"
add syslog "{'MalformedService': 'com.apple.syslog_relay'}" collect "0 21 35" "caseprobe:"
add afc-collect "{'MalformedService': 'com.apple.crashreportcopymobile'}" collect "21 35" "caseprobe:"
sim_start "${profs[@]}"
for s in "${specs[@]}"; do
  IFS='|' read -r l m u p allowed sentence fu fp <<<"$s"
  fault_trial "malformed-$l" "malformed $l" "$m" "$u" "$p" "$allowed" "$sentence"
  fault_rerun "malformed-$l" "$m" "$fu" "$fp"
done
fault_report "malformed replies at each layer"
