#!/usr/bin/env bash
# Fault matrix, part 1: the cable pulled at random byte offsets during
# `caseprobe collect` and `caseprobe crashes pull`. Each trial device is a
# copy of the `detaching` profile with its own UDID and
# Faults.DetachAfterBytes = a seeded random offset within the bytes the
# command makes the device send; the simulator cuts the stream at exactly that
# byte. Every trial is checked by lib_fault.sh (exit 18 with its sentence, or
# 0 when the offset lay past the last byte the command needed; no partial
# bundle; nothing outside the output folder; bounded RSS), then the device is
# plugged back in and the same command must succeed.
# CP_FAULT_TRIALS offsets per command (default 6; the report uses 100),
# CP_FAULT_SEED (default 8).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_fault.sh"
N=${CP_FAULT_TRIALS:-6}
SEED=${CP_FAULT_SEED:-8}
BASE=$(profile detaching)
# Bytes the device sends on service connections: collect ~ 600 KB (crash tree
# 570,186 B + syslog, diagnostics, apps), pull ~ 580 KB. Offsets up to 110 %
# so some trials see no fault at all.
read -r -a OFFS <<<"$(python3 -c '
import random, sys
r = random.Random(int(sys.argv[1])); n = int(sys.argv[2])
print(" ".join(str(r.randint(1, 660000)) for _ in range(2 * n)))' "$SEED" "$N")"

batch=16 i=0
while [ "$i" -lt $((2 * N)) ]; do
  end=$((i + batch)); [ "$end" -le $((2 * N)) ] || end=$((2 * N))
  profs=() udids=() modes=() labels=()
  for j in $(seq "$i" $((end - 1))); do
    u=$(fault_udid $((j + 1)))
    if [ "$j" -lt "$N" ]; then m=collect; else m=pull; fi
    fault_profile "$BASE" "$T/p$j" "$u" "{'DetachAfterBytes': ${OFFS[$j]}}"
    profs+=("$T/p$j") udids+=("$u") modes+=("$m") labels+=("$(printf '%s-%03d' "$m" "$j")")
  done
  sim_start "${profs[@]}"
  for k in "${!profs[@]}"; do
    j=$((i + k))
    fault_trial "${labels[$k]}" "detach@${OFFS[$j]}" "${modes[$k]}" "${udids[$k]}" "${profs[$k]}" \
      "18 0" "device was disconnected"
    fired=no
    grep -qF "${udids[$k]}: detached (fault: DetachAfterBytes)" "$SIM_LOG" && fired=yes
    if [ "$fired" = no ] && [ "$FT_RC" -ne 0 ]; then
      echo "trial ${labels[$k]}: exit $FT_RC without a detach" >&2
      FAULT_FAILED=$((FAULT_FAILED + 1))
    fi
    if [ "$fired" = no ]; then
      # the offset lay past the command's last byte: it succeeded with the
      # fault armed, and a re-run would only walk into the still-armed fault
      printf '%s\t%s\t%s\t-\t-\t-\t-\t%s\n' "${labels[$k]}-rerun" "none (re-run)" "${modes[$k]}" \
        "not needed: offset past the last byte" >>"$T/fault.table"
      continue
    fi
    sim_ctl attach "${udids[$k]}" >/dev/null 2>&1 || true
    fault_rerun "${labels[$k]}" "${modes[$k]}" "${udids[$k]}" "${profs[$k]}"
  done
  sim_stop
  [ -z "${SIM_BROKEN:-}" ] || fail "simulator broken"
  i=$end
done
fault_report "cable pulled at random offsets (seed $SEED, $N per command)"
