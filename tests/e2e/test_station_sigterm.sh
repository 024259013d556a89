#!/usr/bin/env bash
# End-to-end: SIGTERM (systemctl stop) lets running collections finish within
# shutdown_grace_seconds, then cancels them cleanly.
# The devices are slow: a 6-second log capture of a big log at 4 MB/s.
#  1. A long grace: two slow devices finish after SIGTERM, both bundles
#     verify, exit 0.
#  2. A 1-second grace, with one device waiting for Trust: the collections
#     are cancelled, exit 50, the waiting device gets a `failed` event with
#     code interrupted, and no partial file stays.
source "$(dirname "$0")/lib.sh"

P="$T/profiles"
mkdir -p "$P"
for i in 1 2; do
  "$CP_SIM_GEN" "$P/d$i" --crashes 40 --crash-mb 12 --syslog-mb 40 --seed "$i" \
    --udid "$(printf '00008030-E2E3%012X' "$i")" --name "Term $i" >/dev/null 2>"$T/gen.err" ||
    fail "sim-gen: $(cat "$T/gen.err")"
done
sim_start --bandwidth 4 "$P"/*

# run_until_collecting GRACE SPOOL EVENTS LOG: starts a station, waits until
# both devices are being written, sends SIGTERM, returns its exit status.
run_with_term() {
  sed -e 's/^syslog_seconds = .*/syslog_seconds = 6/' \
      -e "s/^shutdown_grace_seconds = .*/shutdown_grace_seconds = $1/" \
      "$CP_SRC/packaging/station-policy.example" >"$T/policy-$1"
  "$CP_BIN" station --no-syslog --policy "$T/policy-$1" --spool "$2" --events "$3" 2>"$4" &
  local st=$! np=0
  for _ in $(seq 1 300); do
    np=$(find "$2/ready" -name '.*.partial-*' 2>/dev/null | wc -l)
    [ "$np" -ge "${MIN_PARTIAL:-2}" ] && break
    sleep 0.1
  done
  [ "$np" -ge "${MIN_PARTIAL:-2}" ] || fail "collections did not start"
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

# Part 2: one slow device and one waiting for Trust (the policy lets a
# collection wait 60 s for the tap), behind a fresh simulator.
sim_stop
fixture_cp "$(profile trust-pending)" "$P/tp"
TP=$(python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$P/tp/device.plist")
sim_start --bandwidth 4 "$P/d1" "$P/tp"

rc=0
MIN_PARTIAL=1
run_with_term 1 "$T/spool2" "$T/ev2.jsonl" "$T/log2" || rc=$?
cat "$T/log2" >&2
assert_eq "$rc" 50 "station stopped with a 1 s grace"
# No partial file stays; whatever bundle is there is whole.
[ -z "$(find "$T/spool2" -name '.*' -type f)" ] || { ls -laR "$T/spool2" >&2; fail "a partial file remains after the cancel"; }
for b in "$T/spool2/ready"/*.caseprobe.tar.gz; do
  [ -e "$b" ] || continue
  "$CP_BIN" verify "$b" >/dev/null 2>&1 || fail "verify $b after the cancel"
done
python3 - "$T/ev2.jsonl" "$TP" "$T/spool2/ready" <<'PY' || fail "cancel events"
import json, os, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
tp, ready = sys.argv[2], sys.argv[3]
# The device waiting for Trust: trust_pending, then failed with interrupted.
mine = [e["event"] for e in ev if e.get("udid") == tp]
if "trust_pending" not in mine:
    sys.exit("no trust_pending event: %r" % mine)
f = [e for e in ev if e["event"] == "failed" and e.get("udid") == tp]
if len(f) != 1 or f[0]["code"] != "interrupted" or f[0]["status"] != 50:
    sys.exit("trust-pending device: %r" % f)
# The slow device: cancelled in its log capture, it either ends its bundle
# early (the capture says why it stopped) or reports interrupted; never both.
other = [e for e in ev if e.get("udid") not in (None, tp)]
done = [e for e in other if e["event"] in ("bundle_ready", "failed")]
if len(done) != 1:
    sys.exit("slow device: %r" % done)
if done[0]["event"] == "failed" and done[0]["code"] != "interrupted":
    sys.exit("slow device failed with %r" % done[0])
if done[0]["event"] == "bundle_ready":
    if done[0]["probes"].get("syslog", {}).get("status") != "ok" or not os.path.exists(done[0]["path"]):
        sys.exit("slow device's bundle: %r" % done[0])
stopped = ev[-1]
if stopped["event"] != "station_stopped" or stopped["interrupted"] < 1:
    sys.exit("last event: %r" % stopped)
PY
assert_contains "$T/log2" "cancelling its collection (shutdown)"
echo "ok"
