#!/usr/bin/env bash
# caseprobe-sim answers pipelined AFC requests in order, and its link model
# charges latency as time in flight, as a device's cable does:
# - 20 GET_FILE_INFOs one at a time pay 20 round trips; the same 20 sent at
#   once (all in flight on one connection) come back in order, each right,
#   in about one round trip (bench_afc --stats; 50 ms latency so the margin
#   is wide: one at a time needs >= 1 s by the model, in flight is asserted
#   under a quarter of that);
# - a strict one-at-a-time client (idevicecrashreport -k) still gets every
#   file byte for byte, and `caseprobe crashes pull` (pipelined) the same.
# (Connections of one device sharing its bandwidth: test_sim_link.sh.)
source "$(dirname "$0")/lib.sh"
U=00008030-00000000000C0F01
P="$T/p"
sim_mkprofile "$P" "$U"
BENCH_AFC="$CP_BUILD/bench/bench_afc"
[ -x "$BENCH_AFC" ] || fail "no $BENCH_AFC"
ge() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)" "$1" "$2"; }

sim_start --bandwidth 40 --latency-us 50000 "$P"
"$BENCH_AFC" "$U" --stats 20 . >"$T/stats.txt" 2>"$T/stats.err" || fail "bench_afc --stats: $(cat "$T/stats.err")"
cat "$T/stats.txt"
read -r one fly < <(sed -n 's/^stats 20: one at a time \([0-9.]*\) s, in flight \([0-9.]*\) s$/\1 \2/p' "$T/stats.txt")
[ -n "${one:-}" ] && [ -n "${fly:-}" ] || fail "bench_afc printed no times"
ge "$one" 0.95 || fail "20 requests one at a time took $one s: latency is not charged per round trip"
ge "$(python3 -c "print($one / 4)")" "$fly" ||
  fail "20 requests in flight took $fly s (one at a time: $one s): the simulator serves them one round trip each"

# a strict client still works, and the pipelined pull gets the same bytes
mkdir "$T/k"
idevicecrashreport -k -u "$U" "$T/k" >"$T/k.txt" 2>&1 || fail "idevicecrashreport -k: $(tail -3 "$T/k.txt")"
assert_contains "$T/k.txt" "Done."
"$CP_BIN" crashes pull "$T/c" -u "$U" --json >"$T/c.json" 2>"$T/c.err" || fail "crashes pull: $(cat "$T/c.err")"
n=0
while read -r f; do
  g=${f%.synced}
  cmp -s "$T/c/$f" "$T/k/$g" || fail "$f: crashes pull and idevicecrashreport -k differ"
  n=$((n + 1))
done < <(cd "$T/c" && find . -type f ! -name '.caseprobe*' ! -name index.json | sed 's|^\./||')
[ "$n" -ge 5 ] || fail "only $n files pulled"
echo "ok: pipelined requests answered in order in $fly s (one at a time $one s); $n files identical"
