#!/usr/bin/env bash
# A verifier that cannot be hurt by what it verifies (issue 14): verify and
# inspect on hostile bundles (tests/e2e/hostile_bundles.py builds them) are
# refused with the right exit code in under a second of CPU and at most 64 MB
# of peak memory (measured with /usr/bin/time), FIFOs, devices and folders are
# refused with a sentence (CP_E_NOT_REGULAR = 8) instead of hanging, sparse and
# short members are detected, and every string from the bundle (case_id,
# created, member names) reaches the terminal escaped. Policy files: a FIFO
# (8) and a file others may write (CP_E_INSECURE_FILE = 38) are refused.
source "$(dirname "$0")/lib.sh"

[ -x /usr/bin/time ] || { echo "no /usr/bin/time: cannot measure" >&2; exit 77; }
python3 "$(dirname "$0")/hostile_bundles.py" "$T" || fail "building the hostile bundles"

# Bounds: 1 s of CPU and 64 MB; a sanitizer build (ASan's shadow memory and
# quarantine, several times slower) gets 10 s and 512 MB, which still catch
# an unbounded verifier (2.5 GB and 44 s of CPU on the manifest bomb).
if ldd "$CP_BIN" 2>/dev/null | grep -qE 'libasan|libubsan'; then
  CPU_MAX=10 RSS_MAX_KB=524288
else
  CPU_MAX=1 RSS_MAX_KB=65536
fi

# run_measured EXPECTED_RC LABEL CMD...: runs CMD under /usr/bin/time and
# checks its exit code, its CPU time and its peak RSS against the bounds above
run_measured() {
  local want=$1 label=$2
  shift 2
  /usr/bin/time -o "$T/time.txt" -f "%U %S %M" timeout 30 "$@" >"$T/out.txt" 2>"$T/err.txt"
  local rc=$?
  [ "$rc" -eq "$want" ] || { cat "$T/out.txt" "$T/err.txt" >&2; fail "$label: exit $rc, want $want"; }
  read -r u s m <"$(tail -n1 "$T/time.txt" >"$T/t1" && echo "$T/t1")"
  python3 - "$u" "$s" "$m" "$label" "$CPU_MAX" "$RSS_MAX_KB" <<'PY' || fail "$label: over the limits"
import sys
u, s, m, label = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
cpu_max, rss_max = float(sys.argv[5]), int(sys.argv[6])
print("%s: %.2f s CPU, %d KB peak (bounds %.0f s, %d KB)" % (label, u + s, m, cpu_max, rss_max),
      file=sys.stderr)
sys.exit(0 if u + s < cpu_max and m <= rss_max else 1)
PY
}

for cmd in verify inspect; do
  run_measured 39 "$cmd manifest bomb (36 KB -> 31 MB)" "$CP_BIN" "$cmd" "$T/manifest_bomb.tar.gz"
  grep -q "decompression bomb\|larger than" "$T/err.txt" || fail "$cmd: no sentence for the bomb"
  run_measured 39 "$cmd 10 GB gzip bomb" "$CP_BIN" "$cmd" "$T/gzip_bomb.tar.gz"
  run_measured 39 "$cmd manifest with too many nodes" "$CP_BIN" "$cmd" "$T/many_nodes.tar.gz"
  grep -q "JSON values" "$T/err.txt" || fail "$cmd: node bound not the reason: $(cat "$T/err.txt")"
  run_measured 0 "$cmd [] nesting in JSON members" "$CP_BIN" "$cmd" "$T/nested.tar.gz"
  run_measured 31 "$cmd short member" "$CP_BIN" "$cmd" "$T/short.tar.gz"
  run_measured 0 "$cmd the largest bundle the limits allow" "$CP_BIN" "$cmd" "$T/largest_legit.tar.gz"
done

# --- escapes: nothing from the bundle reaches the terminal raw
check_escaped() { # FILE LABEL
  python3 - "$1" "$2" <<'PY' || fail "$2: raw control characters in the output"
import sys
data = open(sys.argv[1], "rb").read()
bad = [c for c in (b"\x1b", b"\x07", "\u0085".encode(), "\u009b".encode(), "\u202e".encode())
       if c in data]
if bad:
    print("%s: raw %r in output" % (sys.argv[2], bad), file=sys.stderr)
    sys.exit(1)
PY
}
for cmd in verify inspect; do
  "$CP_BIN" "$cmd" "$T/escapes.tar.gz" >"$T/o.txt" 2>"$T/e.txt"
  [ $? -eq 31 ] || fail "$cmd escapes: the extra member must fail verification"
  check_escaped "$T/o.txt" "$cmd stdout"
  check_escaped "$T/e.txt" "$cmd stderr"
  wants=('CASE\x1b]0;owned\x07' '\u202eevil' '2026\x1b[31m-12-07\u202e' 'b\u0085\u009bc.ips')
  [ "$cmd" = inspect ] && wants+=('a\u202egnp.ips') # verify lists only the members that fail
  for want in "${wants[@]}"; do
    grep -qF "$want" "$T/o.txt" || fail "$cmd: '$want' not printed escaped: $(cat "$T/o.txt")"
  done
  "$CP_BIN" "$cmd" --json "$T/escapes.tar.gz" >"$T/o.txt" 2>"$T/e.txt"
  check_escaped "$T/o.txt" "$cmd --json stdout"
  "$CP_BIN" "$cmd" "$T/escape_name.tar.gz" >"$T/o.txt" 2>"$T/e.txt"
  [ $? -eq 33 ] || fail "$cmd: unsafe member name not refused"
  check_escaped "$T/e.txt" "$cmd unsafe-name error"
  grep -qF 'crashes/\x1b[31mred.ips' "$T/e.txt" || fail "$cmd: unsafe name not shown escaped"
done

# --- only regular files: a FIFO, a device, a folder
mkfifo "$T/fifo.tar.gz"
for p in "$T/fifo.tar.gz" /dev/zero "$T"; do
  timeout 10 "$CP_BIN" verify "$p" >/dev/null 2>"$T/e.txt"
  rc=$?
  [ $rc -eq 8 ] || fail "verify $p: exit $rc, want 8 (not a regular file)"
  grep -q "not a regular file" "$T/e.txt" || fail "verify $p: no sentence"
done

# --- sparse members are refused, not hashed as zeros
if (cd "$T" && truncate -s 20M sp.bin && echo end >>sp.bin && tar -S -czf sparse.tar.gz sp.bin); then
  "$CP_BIN" verify "$T/sparse.tar.gz" >/dev/null 2>"$T/e.txt"
  [ $? -ne 0 ] || fail "a sparse member was accepted"
  grep -q "sparse" "$T/e.txt" || fail "sparse member not named as such: $(cat "$T/e.txt")"
fi

# --- policy files: a FIFO and a file others may write are refused
printf '{"classes": {"email": false}}\n' >"$T/policy.json"
chmod 666 "$T/policy.json"
timeout 10 "$CP_BIN" collect --case C --scope all --yes -o "$T" --redaction-policy "$T/policy.json" \
  >/dev/null 2>"$T/e.txt"
rc=$?
[ $rc -eq 38 ] || fail "world-writable policy: exit $rc, want 38 ($(cat "$T/e.txt"))"
grep -q "chmod go-w" "$T/e.txt" || fail "no advice for the insecure policy file"
mkfifo "$T/policy.fifo"
timeout 10 "$CP_BIN" collect --case C --scope all --yes -o "$T" --redaction-policy "$T/policy.fifo" \
  >/dev/null 2>"$T/e.txt"
rc=$?
[ $rc -eq 8 ] || fail "FIFO policy: exit $rc, want 8"
echo ok
