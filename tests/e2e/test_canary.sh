#!/usr/bin/env bash
# The privacy promise, proved with a canary: the `canary` profile plants the
# owner's identifiers in every source (lockdown, IORegistry, crash reports of
# every kind, a Wi-Fi log, a plist, syslog, app names) in every form logs
# print them (tests/sim/profiles/canary/values.txt, written by its
# make-canary.py). `caseprobe collect --scope all` must leave none of them in
# any member of the bundle, report.html and manifest.json included; every
# planted class must be counted in redaction.json; one serial keeps one
# pseudonym across members; redacted members still parse. Then the same
# check must FAIL when the e-mail class is turned off by policy: a test that
# cannot fail proves nothing.
source "$(dirname "$0")/lib.sh"

P=$(profile canary)
V="$P/values.txt"
CHECK="$(dirname "$0")/canary_check.py"
[ -f "$V" ] || fail "no $V"

sim_start "$P"

collect() { # collect OUTDIR [extra options]
  local out=$1
  shift
  mkdir -p "$out"
  "$CP_BIN" collect --case CANARY --scope all --yes -o "$out" --syslog-seconds 2 "$@" \
    >"$out.out" 2>"$out.err" || {
    cat "$out.err" >&2
    fail "collect $* failed"
  }
  B=$(head -n1 "$out.out")
  [ -f "$B" ] || fail "collect printed '$B', not a file"
}

# --- 1. nothing planted survives, in any member, in any form
collect "$T/all"
python3 "$CHECK" "$B" "$V" >"$T/check.txt" 2>&1
rc=$?
cat "$T/check.txt" >&2
[ "$rc" -eq 0 ] || fail "planted values survived redaction (listed above)"
grep -E "^SURVIVOR	(report\.html|manifest\.json)" "$T/check.txt" && fail "report/manifest leak"

# --- 2. the bundle's structure and the report
python3 - "$B" "$V" <<'PY' || fail "structure / redaction report / pseudonym check"
import io, json, plistlib, re, sys, tarfile
bundle, vpath = sys.argv[1], sys.argv[2]
with tarfile.open(bundle, "r:gz") as tf:
    data = {m.name: tf.extractfile(m).read() for m in tf.getmembers() if m.isreg()}
problems = []
# every planted class is counted, in the members where it was planted
rep = json.loads(data["redaction.json"])
classes = sorted({l.split("\t")[0] for l in open(vpath, encoding="utf-8")
                  if l.strip() and not l.startswith("#")})
for c in classes:
    n = rep["classes"].get(c, {}).get("count", 0)
    if n <= 0:
        problems.append("redaction.json counts no %s" % c)
# members still parse after redaction
for name, b in data.items():
    try:
        if name.endswith(".json"):
            json.loads(b)
        elif name.endswith(".ips"):
            lines = b.decode().split("\n", 1)
            json.loads(lines[0])
            if lines[1].lstrip().startswith("{"):
                json.loads(lines[1])
        elif name.endswith(".plist"):
            plistlib.loads(b)
    except Exception as e:
        problems.append("%s no longer parses: %s" % (name, e))
# one value, one pseudonym, across members
info = json.loads(data["device/info.json"])
ser, udid = info["serial_number"], info["udid"]
if not re.fullmatch(r"<serial-\d+>", ser or ""):
    problems.append("serial_number is %r, not a serial pseudonym" % ser)
if not re.fullmatch(r"<udid-\d+>", udid or ""):
    problems.append("udid is %r, not a udid pseudonym" % udid)
syslog = data["syslog/syslog.txt"].decode()
crash = [n for n in data if n.startswith("crashes/ZoesNotes-")][0]
for what, p in (("serial", ser), ("udid", udid)):
    for m in ("syslog/syslog.txt", crash, "crashes/Retired/ZoesNotes-2026-11-02-081500.ips",
              "crashes/Accessory/DeviceInfo-2026-11-20.plist"):
        txt = data[m].decode().replace("&lt;", "<").replace("&gt;", ">")
        if p not in txt:
            problems.append("%s %s of device/info.json is not in %s" % (what, p, m))
# the device name's pseudonym in info.json is the one syslog's line 1 carries
if info["name"] not in syslog:
    problems.append("device name pseudonym %r not in syslog" % info["name"])
for p in problems:
    print("PROBLEM:", p)
sys.exit(1 if problems else 0)
PY

# --- 3. the check can fail: with e-mail redaction off, e-mails survive
printf '{"classes": {"email": false}}\n' >"$T/policy.json"
collect "$T/noemail" --redaction-policy "$T/policy.json"
python3 "$CHECK" "$B" "$V" --expect-survivors email >"$T/check2.txt" 2>&1
rc=$?
cat "$T/check2.txt" >&2
[ "$rc" -eq 0 ] || fail "with e-mail redaction off, the canary check found no e-mail survivor"
grep -q "^SURVIVOR	.*	email	" "$T/check2.txt" || fail "no e-mail survivor listed"

# --- 4. a probe that fails says why in report.html: its message must be
# redacted too (device errors name the device by its UDID). The same device
# with a garbled installation_proxy: the apps probe fails, the bundle is kept.
sim_stop
fixture_cp "$P" "$T/canary-faulty"
python3 - "$T/canary-faulty/device.plist" <<'PY' || fail "fault profile"
import plistlib, sys
d = plistlib.load(open(sys.argv[1], "rb"))
d["Faults"] = {"MalformedService": "com.apple.mobile.installation_proxy"}
plistlib.dump(d, open(sys.argv[1], "wb"))
PY
sim_start "$T/canary-faulty"
mkdir -p "$T/faulty"
"$CP_BIN" collect --case CANARY --scope all --yes -o "$T/faulty" --syslog-seconds 1 \
  >"$T/faulty.out" 2>"$T/faulty.err"
B=$(head -n1 "$T/faulty.out")
[ -f "$B" ] || { cat "$T/faulty.err" >&2; fail "no bundle when one probe failed"; }
python3 - "$B" <<'PY' || fail "the failed apps probe is not in report.html"
import sys, tarfile
with tarfile.open(sys.argv[1], "r:gz") as tf:
    html = tf.extractfile("report.html").read().decode()
assert "failed" in html and "apps" in html, "no failed apps probe in the report"
PY
python3 "$CHECK" "$B" "$V" >"$T/check3.txt" 2>&1
rc=$?
cat "$T/check3.txt" >&2
[ "$rc" -eq 0 ] || fail "planted values survived in the bundle of a partial collection"
echo ok
