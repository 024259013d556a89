#!/usr/bin/env bash
# Fault matrix, part 3: a stalled service (it accepts the connection and
# never sends a byte: StallService). The agent must give up with exit 20
# "device stopped answering" (or finish without that part: 35, bundle
# verified) well before the trial's 120 s limit, never hang; then a copy of
# the device without the fault succeeds. One trial per service a command
# waits on: AFC (crashes pull), the crash mover (crashes pull), diagnostics
# (battery).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_fault.sh"
B=$(profile detaching)
i=0 profs=() specs=()
add() { # add LABEL SERVICE COMMAND ALLOWED
  i=$((i + 1))
  local u f
  u=$(fault_udid $((500 + i))) f=$(fault_udid $((600 + i)))
  fault_profile "$B" "$T/s$i" "$u" "{'StallService': '$2'}"
  fault_profile "$B" "$T/ok$i" "$f" "{}"
  profs+=("$T/s$i" "$T/ok$i")
  specs+=("$1|$3|$u|$T/s$i|$4|$f|$T/ok$i")
}
add afc com.apple.crashreportcopymobile pull "20"
add mover com.apple.crashreportmover pull "0 20"
add diagnostics com.apple.mobile.diagnostics_relay battery "20 35 0"
sim_start "${profs[@]}"
# the three stalls wait on the agent's timeouts at once
for s in "${specs[@]}"; do
  IFS='|' read -r l m u p allowed fu fp <<<"$s"
  (fault_trial "stall-$l" "stall $l" "$m" "$u" "$p" "$allowed" "device stopped answering"
   echo "$FAULT_FAILED" >"$T/stall-$l.failed") &
done
wait
for s in "${specs[@]}"; do
  IFS='|' read -r l m u p allowed fu fp <<<"$s"
  FAULT_FAILED=$((FAULT_FAILED + $(cat "$T/stall-$l.failed")))
  secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$T/trial/stall-$l/time")
  echo "stall-$l: gave up after $secs" >&2
  fault_rerun "stall-$l" "$m" "$fu" "$fp"
done
fault_report "stalled services"
