#!/usr/bin/env bash
# End-to-end: SIGTERM (systemctl stop) lets running collections finish within
# shutdown_grace_seconds, then cancels them cleanly.
#  1. A long grace: two slow devices finish after SIGTERM, both bundles
#     verify, exit 0.
#  2. A 1-second grace: the collections are cancelled, exit 50, each device
#     gets a `failed` event with code interrupted, and no partial file stays.
source "$(dirname "$0")/lib.sh"

P="$T/profiles"
mkdir -p "$P"
for i in 1 2; do
  "$CP_SIM_GEN" "$P/d$i" --crashes 40 --crash-mb 12 --seed "$i" \
    --udid "$(printf '00008030-E2E3%012X' "$i")" --name "Term $i" >/dev/null 2>"$T/gen.err" ||
    fail "sim-gen: $(cat "$T/gen.err")"
done
sim_start --bandwidth 4 "$P"/*

# run_until_collecting GRACE SPOOL EVENTS LOG: starts a station, waits until
# both devices are being written, sends SIGTERM, returns its exit status.
run_with_term() {
  sed -e 's/^syslog_seconds = .*/syslog_seconds = 1/' \
      -e "s/^shutdown_grace_seconds = .*/shutdown_grace_seconds = $1/" \
      "$CP_SRC/packaging/station-policy.example" >"$T/policy-$1"
  "$CP_BIN" station --no-syslog --policy "$T/policy-$1" --spool "$2" --events "$3" 2>"$4" &
  local st=$! np=0
  for _ in $(seq 1 300); do
    np=$(find "$2/ready" -name '.*.partial-*' 2>/dev/null | wc -l)
    [ "$np" -ge 2 ] && break
    sleep 0.1
  done
  [ "$np" -ge 2 ] || fail "collections did not start"
  kill -TERM "$st"
  local rc=0
  wait "$st" || rc=$?
  return "$rc"
}

rc=0
run_with_term 120 "$T/spool1" "$T/ev1.jsonl" "$T/log1" || rc=$?
cat "$T/log1" >&2
assert_eq "$rc" 0 "station stopped with a long grace"
n=0
for b in "$T/spool1/ready"/*.caseprobe.tar.gz; do
  "$CP_BIN" verify "$b" >/dev/null 2>&1 || fail "verify $b"
  n=$((n + 1))
done
assert_eq "$n" 2 "bundles finished during the grace period"
assert_contains "$T/ev1.jsonl" '"event":"stopping","time"'
assert_contains "$T/log1" "stopping (signal): 2 collection(s) running get 120 s to finish"

# Replug the devices so the next station sees new attaches.
"$CP_SIM" --ctl "$SIM_SOCK" detach all >/dev/null || fail "ctl detach"
"$CP_SIM" --ctl "$SIM_SOCK" attach all >/dev/null || fail "ctl attach"

rc=0
run_with_term 1 "$T/spool2" "$T/ev2.jsonl" "$T/log2" || rc=$?
cat "$T/log2" >&2
assert_eq "$rc" 50 "station stopped with a 1 s grace"
[ -z "$(find "$T/spool2" -type f -name '*.tar.gz*')" ] || { ls -laR "$T/spool2" >&2; fail "a bundle or partial file remains after the cancel"; }
python3 - "$T/ev2.jsonl" <<'PY' || fail "cancel events"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
f = [e for e in ev if e["event"] == "failed"]
if len(f) != 2 or any(e["code"] != "interrupted" or e["status"] != 50 for e in f):
    sys.exit("failed events: %r" % f)
if ev[-1]["event"] != "station_stopped" or ev[-1]["interrupted"] != 2:
    sys.exit("last event: %r" % ev[-1])
PY
echo "ok"
