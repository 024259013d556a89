#!/usr/bin/env bash
# The privacy promise, proved with a canary: the `canary` profile plants the
# owner's identifiers in every source (lockdown, IORegistry, crash reports of
# every kind, a Wi-Fi log, a plist, syslog, app names) in every form logs
# print them (tests/sim/profiles/canary/values.txt, written by its
# make-canary.py). `caseprobe collect --scope all` must leave none of them in
# any member of the bundle, report.html and manifest.json included; every
# planted class must be counted in redaction.json; one serial keeps one
# pseudonym across members; redacted members still parse. Then the same
# check must FAIL when the e-mail class is turned off by policy (a test that
# cannot fail proves nothing), and that bundle must say e-mail was off.
# Issue 14: device identifier classes cannot be turned off; real syslog and
# crash reports from tests/corpus carry planted values in the encodings real
# devices and apps write (canary_real.py), for a Latin and a Chinese name.
# ctest runs it twice: caseprobe, and caseprobe-pcre2 (the PCRE2-only
# redactor of the Windows build; e2e_test_canary_pcre2).
source "$(dirname "$0")/lib.sh"

# CP_EXPECT_REDACTOR=pcre2 (ctest's e2e_test_canary_pcre2): the binary must
# really redact with that engine, or this run proves nothing new.
if [ -n "${CP_EXPECT_REDACTOR:-}" ]; then
  "$CP_BIN" --version | grep -q "^  redactor  *$CP_EXPECT_REDACTOR " ||
    fail "$CP_BIN does not redact with $CP_EXPECT_REDACTOR: $("$CP_BIN" --version | grep redactor)"
fi

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
# ... and the class turned off is never silent (issue 14): consent.json,
# redaction.json and the report's findings say so, verify and inspect print it
python3 - "$B" <<'PY' || fail "the class turned off is not recorded in the bundle"
import json, sys, tarfile
with tarfile.open(sys.argv[1], "r:gz") as tf:
    consent = json.load(tf.extractfile("consent.json"))
    red = json.load(tf.extractfile("redaction.json"))
assert consent.get("redaction_classes_off") == ["email"], consent
assert red.get("classes_off") == ["email"], red
PY
"$CP_BIN" verify "$B" >"$T/v.txt" 2>&1 || fail "verify of the email-off bundle failed"
grep -q "classes turned off by policy: email" "$T/v.txt" || fail "verify does not say e-mail is off"
"$CP_BIN" inspect "$B" >"$T/i.txt" 2>&1 || fail "inspect failed"
grep -q "TURNED OFF by policy: *email" "$T/i.txt" || fail "inspect does not say e-mail is off"

# --- 3b. the device's own identifiers cannot be turned off, by any route
for cls in udid serial imei device_name person_name wifi_mac; do
  printf '{"classes": {"%s": false}}\n' "$cls" >"$T/off.json"
  mkdir -p "$T/off-$cls"
  "$CP_BIN" collect --case CANARY --scope all --yes -o "$T/off-$cls" --syslog-seconds 1 \
    --redaction-policy "$T/off.json" >/dev/null 2>"$T/off.err"
  rc=$?
  [ $rc -eq 34 ] || fail "a policy turning $cls off: exit $rc, want 34 (refused)"
  grep -q "cannot be turned off" "$T/off.err" || fail "no sentence for $cls: $(cat "$T/off.err")"
  [ -z "$(ls "$T/off-$cls")" ] || fail "a bundle was written although $cls could not be off"
done

# --- 3c. real data nobody here wrote (issue 14): the canary device with real
# syslog captures and real crash reports from tests/corpus around the
# values, planted in the forms devices and apps really write them (percent,
# character references, syslog vis and octal, host names, regrouped digits,
# e-mail escapes, Wi-Fi log forms, crashReporterKey, crash file names that
# carry the device name); then a device with a Chinese name.
sim_stop
for variant in latin cjk; do
  python3 "$(dirname "$0")/canary_real.py" "$P" "$CP_CORPUS" "$T/real-$variant" \
    "$T/real-$variant.txt" $([ $variant = cjk ] && echo --cjk) || fail "building the $variant profile"
  [ "$(grep -vc '^#' "$T/real-$variant.txt")" -ge 20 ] || fail "too few planted forms in $variant"
  sim_start "$T/real-$variant"
  collect "$T/out-$variant"
  python3 "$CHECK" "$B" "$T/real-$variant.txt" >"$T/check-$variant.txt" 2>&1
  rc=$?
  cat "$T/check-$variant.txt" >&2
  [ "$rc" -eq 0 ] || fail "$variant: real-data forms survived redaction (listed above)"
  # the bundle agrees with itself: member names, index rows and manifest
  python3 - "$B" <<'PY' || fail "$variant: member names disagree across the bundle"
import json, sys, tarfile
with tarfile.open(sys.argv[1], "r:gz") as tf:
    names = [m.name for m in tf.getmembers() if m.isreg()]
    man = json.load(tf.extractfile("manifest.json"))
    idx = tf.extractfile("crashes/index.json").read().decode() if "crashes/index.json" in names else ""
listed = {m["path"] for m in man["members"]}
missing = [n for n in names if n not in listed and n not in ("manifest.json", "manifest.sig")]
assert not missing, "members not in the manifest: %r" % missing
for n in names:
    if n.startswith("crashes/") and "<device-name" in n:
        base = n.split("/")[-1]
        assert base in idx, "crash member %r not named so in crashes/index.json" % n
PY
  sim_stop
done

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
