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
V=$CP_SRC/tests/sim/profiles/canary/values.txt
[ -f "$V" ] || fail "no $V"

mkdir -p "$T/in" "$T/out"
python3 - "$V" "$CP_CORPUS" "$T" <<'PY' || fail "could not make the inputs"
import os, random, sys
values, corpus, t = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [l.rstrip("\n").split("\t") for l in open(values, encoding="utf-8") if not l.startswith("#")]
ids = {"serial", "udid", "ecid", "imei", "meid", "iccid", "imsi", "phone", "wifi_mac", "bt_mac",
       "ethernet_mac", "device_name"}
with open(f"{t}/ids.tsv", "w", encoding="utf-8") as f:
    for r in rows:
        if r[0] in ids and r[1] == "as is":
            f.write(f"{r[0]}\t{r[3]}\n")
vals = [r[3] for r in rows] + ["TCK-123456", "ticket 4321", "abab", "Apr 1"]
ctx = ["{}", "value {} end", '"key": "{}",', "<string>{}</string>", "<integer>{}</integer>",
       "x{}y", "({})", "url=?q={}&r=1", "'{}'", "SSID = {};", "\\/{}\\/"]
rnd = random.Random(16)
lines = []
for name in ("im_ios_sdk_iphone_idevicesyslog.log", "pvz_ipad_jailbroken_idevicesyslog.txt"):
    lines += open(f"{corpus}/syslog/{name}", encoding="utf-8", errors="replace").read().splitlines()
out = []
for i, line in enumerate(lines[:6000]):
    if i % 3 == 0:  # a value inside the line, in a context
        v = rnd.choice(ctx).format(rnd.choice(vals))
        k = rnd.randrange(len(line) + 1)
        line = line[:k] + v + line[k:]
    out.append(line)
text = "Apr 16 " + "\n".join(out) + "\n"  # "^Apr [0-9]+" matches once, at the start
for ext in ("log", "json", "plist"):
    open(f"{t}/in/planted.{ext}", "w", encoding="utf-8").write(text)
b = bytes(rnd.choice(b"0123456789abcdef:.-@ \n\"<>/ABCDEF+") for _ in range(300000))
open(f"{t}/in/random.txt", "wb").write(b)
PY
find "$CP_CORPUS" -type f ! -name SOURCES.md | while read -r f; do
  cp "$f" "$T/in/corpus-$(basename "$f")"
done
cat >"$T/policy.json" <<'EOF'
{"classes": {"ipv4": false},
 "patterns": [{"name": "ticket", "regex": "TCK-[0-9]{6}"},
              {"name": "after", "regex": "(?<=ticket )[0-9]{4}"},
              {"name": "twice", "regex": "(ab)\\1"},
              {"name": "first", "regex": "^Apr [0-9]+"}]}
EOF

n=0
for f in "$T"/in/*; do
  m=$(basename "$f")
  pols="none"
  case $m in planted.* | random.txt) pols="none policy" ;; esac
  for pol in $pols; do
    popt=()
    [ $pol = none ] || popt=(-p "$T/policy.json")
    ref=$T/out/$m.$pol.ref
    "$D" "${popt[@]}" -i "$T/ids.tsv" "$m" "$f" "$ref" "$ref.json" || fail "redact_dump $m ($pol)"
    for run in "$D2:0" "$D2:7" "$D:99"; do
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
for cls in ticket after twice first serial phone person_name email; do
  grep -q "\"$cls\"" "$T/out/planted.log.policy.ref.json" || fail "planted.log: nothing of class $cls redacted"
done
echo "PASS: $n runs of the PCRE2-only engine (and Vectorscan in other writes) match Vectorscan byte for byte ($total redactions in planted.log)"
