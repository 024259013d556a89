#!/usr/bin/env bash
# End-to-end: the spool never holds a bundle that looks whole but is not.
# Three slow devices (generated profiles with big logs behind a 4 MB/s link,
# a 6-second log capture) are collected; the station is killed with SIGKILL while their bundles are half
# written. Then: every file in the spool that `caseprobe verify` accepts is a
# finished bundle at a final name, every partial file is rejected by verify,
# and a restarted station removes exactly those partials (saying so in its
# log and events), refuses to share its spool with a second station, and
# collects the devices again into bundles that verify.
source "$(dirname "$0")/lib.sh"

P="$T/profiles"
mkdir -p "$P"
UDIDS=()
for i in 1 2 3; do
  u=$(printf '00008030-E2E2%012X' "$i")
  "$CP_SIM_GEN" "$P/d$i" --crashes 60 --crash-mb 30 --syslog-mb 30 --seed "$i" --udid "$u" --name "Bench $i" \
    >/dev/null 2>"$T/gen.err" || fail "sim-gen: $(cat "$T/gen.err")"
  UDIDS+=("$u")
done
sed -e 's/^syslog_seconds = .*/syslog_seconds = 6/' \
    -e 's/^max_parallel = .*/max_parallel = 4/' \
    "$CP_SRC/packaging/station-policy.example" >"$T/policy"

sim_start --bandwidth 4 "$P"/*
"$CP_BIN" station --no-syslog --policy "$T/policy" --spool "$T/spool" \
  --events "$T/events1.jsonl" 2>"$T/station1.log" &
ST=$!
# Wait until every device has a partial bundle with bytes in it (the kill
# must land mid-write, not before the first byte).
partials_with_data() {
  [ "$(find "$T/spool/ready" -name '.*.partial-*' -size +0 2>/dev/null | wc -l)" -ge 3 ]
}
wait_for -p "$ST" 60 "three partial bundles with data in them" partials_with_data
kill -KILL "$ST"
wait "$ST" 2>/dev/null
ls -la "$T/spool/ready" >&2

# Nothing verify accepts may be partial; every partial is refused.
partials=()
accepted=0
while IFS= read -r -d '' f; do
  name=$(basename "$f")
  if "$CP_BIN" verify "$f" >/dev/null 2>&1; then
    case "$name" in
      .*) fail "verify accepts the hidden partial file $f" ;;
      *.caseprobe.tar.gz) accepted=$((accepted + 1)) ;;
      *) fail "verify accepts $f, which is not a bundle name" ;;
    esac
    [ "$(dirname "$f")" = "$T/spool/ready" ] || fail "accepted bundle outside ready/: $f"
  fi
  case "$name" in .*.partial-*) partials+=("$f") ;; esac
done < <(find "$T/spool" -type f -print0)
[ "${#partials[@]}" -ge 3 ] || fail "expected the partial files to still be there"
# Anything accepted must also have been announced: written completely.
python3 - "$T/events1.jsonl" "$T/spool/ready" <<'PY' || fail "an accepted bundle was never announced"
import json, os, sys
ready = {json.loads(l)["path"] for l in open(sys.argv[1]) if '"bundle_ready"' in l}
for f in os.listdir(sys.argv[2]):
    if f.endswith(".caseprobe.tar.gz") and not f.startswith("."):
        if os.path.join(sys.argv[2], f) not in ready:
            sys.exit("bundle %s in ready/ without bundle_ready" % f)
PY

# Restart: the partials are removed and reported, then the devices are
# collected again (they are still attached: a new station, a new attach).
"$CP_BIN" station --no-syslog --policy "$T/policy" --spool "$T/spool" \
  --events "$T/events2.jsonl" --once 3 2>"$T/station2.log" &
ST=$!
# A second station on the same spool is refused while this one runs (it
# holds the spool from before its station_started event).
wait_for -p "$ST" 60 "the restarted station to start" grep -q '"event":"station_started"' "$T/events2.jsonl"
rc=0
"$CP_BIN" station --no-syslog --policy "$T/policy" --spool "$T/spool" \
  --events "$T/events3.jsonl" --once 1 2>"$T/station3.log" || rc=$?
assert_eq "$rc" 4 "second station on the same spool"
assert_contains "$T/station3.log" "already used by another station"
rc=0
wait "$ST" || rc=$?
cat "$T/station2.log" >&2
assert_eq "$rc" 0 "restarted station"
for f in "${partials[@]}"; do
  [ ! -e "$f" ] || fail "partial $f survived the restart"
  assert_contains "$T/station2.log" "removed partial file $f"
  assert_contains "$T/events2.jsonl" "\"path\":\"$f\""
done
python3 - "$T/events2.jsonl" "${#partials[@]}" <<'PY' || fail "restart events"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
cleaned = [e for e in ev if e["event"] == "cleaned"]
if len(cleaned) != int(sys.argv[2]):
    sys.exit("cleaned events: %d, partial files: %s" % (len(cleaned), sys.argv[2]))
started = [e for e in ev if e["event"] == "station_started"]
if len(started) != 1 or started[0]["cleaned"] != int(sys.argv[2]):
    sys.exit("station_started: %r" % started)
if sum(e["event"] == "bundle_ready" for e in ev) != 3:
    sys.exit("expected 3 bundles after the restart")
PY
n=0
for b in "$T/spool/ready"/*.caseprobe.tar.gz; do
  "$CP_BIN" verify "$b" >/dev/null 2>"$T/v.err" || fail "verify $b: $(cat "$T/v.err")"
  n=$((n + 1))
done
[ "$n" -ge 3 ] || fail "only $n bundles after the restart"
[ -z "$(find "$T/spool" -name '.*' -type f)" ] || fail "partial files after a clean run"
echo "ok"
