#!/usr/bin/env bash
# The syslog capture streams with no fixed cap of its own: a byte limit ends
# it at a line end (never half a line), and the bundle says how the capture
# ended: findings "syslog" {bytes, truncated, why} in report.html's data and
# the same block in manifest.json (seconds_limit: the window asked for, not
# a cut; bytes_limit: cut, truncated true).
source "$(dirname "$0")/lib.sh"
U=00008030-00000000005E1001
sim_mkprofile "$T/p" "$U"
# a log larger than the old 64 MiB default would be slow here: what matters
# is that a 3 MB log arrives whole in the window with no byte limit
python3 - "$T/p/syslog.txt" <<'PY'
import sys
base = open(sys.argv[1], "rb").read().splitlines(keepends=True)
with open(sys.argv[1], "wb") as f:
    n = 0
    while n < 3_000_000:
        for l in base:
            f.write(l); n += len(l)
PY
sim_start --bandwidth 400 "$T/p"

# caseprobe syslog --max-bytes: whole lines only, within the limit
"$CP_BIN" syslog -u "$U" --seconds 5 --max-bytes 100000 -o "$T/cut.log" --json >"$T/cut.json" 2>"$T/cut.err" ||
  { cat "$T/cut.err" >&2; fail "syslog --max-bytes"; }
python3 - "$T/p/syslog.txt" "$T/cut.log" "$T/cut.json" <<'PY' || fail "byte-limited capture"
import json, sys
src, got, s = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), json.load(open(sys.argv[3]))
assert got == src[:src.rfind(b"\n", 0, 100000) + 1], len(got)
assert s["bytes"] == len(got) and s["truncated"] is True and s["why"] == "bytes_limit", s
PY

# collect: no byte limit, the seconds bound it; the whole 3 MB log arrives
mkdir "$T/out"
"$CP_BIN" collect --case SL-1 --scope syslog --yes --syslog-seconds 4 -o "$T/out" >/dev/null 2>"$T/c.err" </dev/null ||
  { cat "$T/c.err" >&2; fail "collect"; }
python3 - "$T/out" "$T/p/syslog.txt" <<'PY' || fail "collect's syslog block"
import glob, json, re, sys, tarfile
b = tarfile.open(glob.glob(sys.argv[1] + "/*.caseprobe.tar.gz")[0])
m = json.load(b.extractfile("manifest.json"))
log = b.extractfile("syslog/syslog.txt").read()
src = open(sys.argv[2], "rb").read()
assert len(log) == len(src) and log.endswith(b"\n"), (len(log), len(src))
s = m["syslog"]
assert s == {"bytes": len(log), "truncated": False, "why": "seconds_limit"}, s
PY
echo PASS
