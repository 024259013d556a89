#!/usr/bin/env bash
# The two scan engines of the redactor find exactly the same spans
# (formats/redact/README.md): Vectorscan (redact_dump) and PCRE2 alone, the
# Windows build's engine (redact_dump_pcre2). Every file of tests/corpus,
# corpus syslog with the canary profile's planted values (every form of
# tests/sim/profiles/canary/values.txt, its identifiers as the device's
# own) as text, .json and .plist members, and random bytes, each with no
# policy and with a policy of user patterns (one Vectorscan takes, one with
# a look-behind and one with a back-reference it refuses, one anchored at
# the start) for the planted and random ones: the bytes out and
# redaction.json must be identical, for one whole write and for random
# write sizes.
source "$(dirname "$0")/lib.sh"

D=$CP_BUILD/tests/redact_dump
D2=$CP_BUILD/tests/redact_dump_pcre2
[ -x "$D" ] || fail "no $D (build first)"
[ -x "$D2" ] || skip "no $D2: this build has no Vectorscan engine to compare with"
# each binary must really run the engine it is named for
"$D" --engine | grep -q '^vectorscan ' || fail "redact_dump runs $("$D" --engine), not Vectorscan"
"$D2" --engine | grep -q '^pcre2 ' || fail "redact_dump_pcre2 runs $("$D2" --engine), not PCRE2 alone"
V=$CP_SRC/tests/sim/profiles/canary/values.txt
[ -f "$V" ] || fail "no $V"

mkdir -p "$T/in" "$T/out"
python3 "$CP_SRC/tests/e2e/redact_planted.py" "$V" "$CP_CORPUS" "$T/in" ||
  fail "could not make the inputs"
mv "$T/in/ids.tsv" "$T/ids.tsv"
find "$CP_CORPUS" -type f ! -name SOURCES.md | while read -r f; do
  cp "$f" "$T/in/corpus-$(basename "$f")"
done
cat >"$T/policy.json" <<'EOF'
{"classes": {"ipv4": false},
 "patterns": [{"name": "ticket", "regex": "TCK-[0-9]{6}"},
              {"name": "after", "regex": "(?<=ticket )[0-9]{4}"},
              {"name": "twice", "regex": "(ab)\\1"},
              {"name": "first", "regex": "^Apr [0-9]+"},
              {"name": "daemon", "regex": "(?i)(?-i:bluetoothd)\\[[0-9]+\\]"}]}
EOF

# without e-mail the container UUID rule is the longest one, and its value
# lies far left of its trigger: a report the PCRE2 engine makes late must
# still be placed (paths.log; cp_rx_scan_settled)
echo '{"classes": {"email": false}}' >"$T/noemail.json"

n=0
for f in "$T"/in/*; do
  m=$(basename "$f")
  pols="none" seeds="0 7"
  case $m in
  planted.* | random.txt) pols="none policy" ;;
  paths.log) pols="noemail" seeds="0 7 9 11 13 17" ;;
  esac
  for pol in $pols; do
    popt=()
    [ "$pol" = none ] || popt=(-p "$T/$pol.json")
    ref=$T/out/$m.$pol.ref
    "$D" "${popt[@]}" -i "$T/ids.tsv" "$m" "$f" "$ref" "$ref.json" || fail "redact_dump $m ($pol)"
    runs=("$D:99")
    for seed in $seeds; do runs+=("$D2:$seed"); done
    for run in "${runs[@]}"; do
      bin=${run%:*} seed=${run#*:}
      o=$T/out/$m.$pol.$(basename "$bin").$seed
      "$bin" "${popt[@]}" -i "$T/ids.tsv" -c "$seed" "$m" "$f" "$o" "$o.json" ||
        fail "$(basename "$bin") $m ($pol, seed $seed)"
      cmp -s "$ref" "$o" || {
        diff <(tr -c '[:print:]\n' '?' <"$ref") <(tr -c '[:print:]\n' '?' <"$o") | head -20 >&2
        fail "$m ($pol): $(basename "$bin") with writes from seed $seed redacts other bytes than Vectorscan in one write"
      }
      cmp -s "$ref.json" "$o.json" || {
        diff "$ref.json" "$o.json" | head -20 >&2
        fail "$m ($pol): $(basename "$bin") seed $seed: another redaction report"
      }
      n=$((n + 1))
    done
  done
done
# the comparison must see redactions, or it proves nothing
total=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$T/out/planted.log.policy.ref.json")
[ "$total" -gt 1000 ] || fail "planted.log: only $total redactions; the inputs plant too little"
for cls in ticket after twice first daemon serial phone person_name email; do
  grep -q "\"$cls\"" "$T/out/planted.log.policy.ref.json" || fail "planted.log: nothing of class $cls redacted"
done
echo "PASS: $n runs of the PCRE2-only engine (and Vectorscan in other writes) match Vectorscan byte for byte ($total redactions in planted.log)"
