#!/usr/bin/env bash
# Sysdiagnose under its own consent scope, against the simulator's
# sysdiagnose model (tests/sim/sim_sysdiag.c): `collect --scope sysdiagnose`
# tells the person which buttons to press and waits; the simulated press
# (`--ctl sysdiagnose UDID`) makes the archive appear; caseprobe pulls it and
# brings it in member by member through the redactor. The canary profile's
# planted identifiers are written into the archive's text members and must
# not survive; a SQLite database, a binary plist, an image and a binary file
# are left out and listed with the reason. The check fails when the e-mail
# class is turned off (a test that cannot fail proves nothing). A profile
# whose press never yields an archive gives the time-out sentence.
source "$(dirname "$0")/lib.sh"
C="$(profile canary)"
V="$C/values.txt"
CHECK="$(dirname "$0")/canary_check.py"
[ -f "$V" ] || fail "no $V"
U=$(python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$C/device.plist")
P="$T/sd"
cp -r "$C" "$P"
mkdir -p "$P/sysdiagnose"
python3 - "$V" "$C" "$P/sysdiagnose/sysdiagnose_2026.11.23_10-00-00-0500_iPhone-OS_iPhone_23B85.tar.gz" <<'PY'
# Text members: the canary profile's own text sources (its device log, Wi-Fi
# log, crash reports, accessory plist), which print every planted value in
# the forms real logs use; a sysdiagnose carries exactly such files.
import io, plistlib, sqlite3, sys, tarfile, tempfile, os
vals = [l.rstrip("\n").split("\t")[3] for l in open(sys.argv[1], encoding="utf-8")
        if l.strip() and not l.startswith("#")]
prof = sys.argv[2]
top = "sysdiagnose_2026.11.23_10-00-00-0500_iPhone-OS_iPhone_23B85/"
def add(tf, name, data):
    ti = tarfile.TarInfo(top + name); ti.size = len(data); ti.mtime = 1795000000
    tf.addfile(ti, io.BytesIO(data))
def src(rel):
    d = open(os.path.join(prof, rel), "rb").read()
    assert d, rel
    return d
db = tempfile.mktemp()
con = sqlite3.connect(db); con.execute("create table t(v text)")
con.executemany("insert into t values (?)", [(v,) for v in vals]); con.commit(); con.close()
with tarfile.open(sys.argv[3], "w:gz") as tf:
    add(tf, "logs/system_logs.txt", src("syslog.txt"))
    add(tf, "WiFi/wifi-buf.log", src("crash/WiFi/wifi-buf-2026-11-20__10-09-58.log"))
    add(tf, "crashes_and_spins/ZoesNotes.ips", src("crash/ZoesNotes-2026-11-20-101010.ips"))
    add(tf, "crashes_and_spins/panic-full.ips", src("crash/Panics/panic-full-2026-11-19-030303.000.ips"))
    add(tf, "logs/Accessories/DeviceInfo.plist", src("crash/Accessory/DeviceInfo-2026-11-20.plist"))
    add(tf, "logs/powerlog.PLSQL", open(db, "rb").read())
    add(tf, "logs/prefs.plist", plistlib.dumps({"v": vals}, fmt=plistlib.FMT_BINARY))
    add(tf, "screenshot.png", b"\x89PNG\r\n\x1a\n" + "".join(vals).encode())
    add(tf, "logs/blob.bin", b"\x00\x01\x02" + "".join(vals).encode())
os.unlink(db)
PY

# sd_collect OUT [options]: collect --scope sysdiagnose, pressing the buttons
# (the control command) once caseprobe asked for it
sd_collect() {
  local out=$1
  shift
  mkdir -p "$out"
  "$CP_BIN" collect -u "$U" --case SD-1 --scope sysdiagnose --yes -o "$out" "$@" \
    >"$out.out" 2>"$out.err" &
  local pid=$! i
  for i in $(seq 1 300); do
    grep -q "volume up + volume down + the side button" "$out.err" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "volume up + volume down + the side button" "$out.err" || { cat "$out.err" >&2; fail "no button instructions"; }
  sim_ctl sysdiagnose "$U" >"$out.ctl" || fail "ctl sysdiagnose"
  SD_RC=0
  wait "$pid" || SD_RC=$?
}

sim_start "$P"
# 'all' does not ask for a sysdiagnose (it needs the person's hands)
mkdir -p "$T/all"
"$CP_BIN" collect -u "$U" --case ALL --scope all --yes -o "$T/all" --syslog-seconds 1 >/dev/null 2>&1 || true
sd_collect "$T/o1" --sysdiagnose-seconds 60
[ "$SD_RC" = 0 ] || { cat "$T/o1.err" >&2; fail "collect exit $SD_RC"; }
assert_contains "$T/o1.ctl" "1 archive(s) appeared"
B=$(head -n1 "$T/o1.out")
[ -f "$B" ] || fail "no bundle: '$B'"
python3 "$CHECK" "$B" "$V" >"$T/check.txt" 2>&1 || { cat "$T/check.txt" >&2; fail "canaries survived in the sysdiagnose"; }
python3 - "$B" <<'PY' || fail "bundle content"
import json, sys, tarfile
tf = tarfile.open(sys.argv[1], "r:gz")
names = tf.getnames()
top = "sysdiagnose/sysdiagnose_2026.11.23_10-00-00-0500_iPhone-OS_iPhone_23B85/"
for n in ("logs/system_logs.txt", "WiFi/wifi-buf.log", "crashes_and_spins/ZoesNotes.ips",
          "crashes_and_spins/panic-full.ips", "logs/Accessories/DeviceInfo.plist"):
    assert top + n in names, (n, names)
for n in ("logs/powerlog.PLSQL", "logs/prefs.plist", "screenshot.png", "logs/blob.bin"):
    assert top + n not in names, n
wifi = tf.extractfile(top + "WiFi/wifi-buf.log").read().decode()
assert "ssid=\"<ssid-1>\"" in wifi, wifi[:300]   # redacted, not dropped
m = json.load(tf.extractfile("manifest.json"))
scopes = {r["path"]: r["scope"] for r in m["members"]}
assert scopes[top + "logs/system_logs.txt"] == "sysdiagnose", scopes
idx = json.load(tf.extractfile("sysdiagnose/index.json"))
why = {o["name"].split("/", 1)[1]: o["why"] for o in idx["left_out"]}
assert why == {"logs/powerlog.PLSQL": "sqlite_database", "logs/prefs.plist": "binary_plist",
               "screenshot.png": "image", "logs/blob.bin": "binary"}, why
assert idx["members"] == 5 and idx["left_out_count"] == 4, idx
c = json.load(tf.extractfile("consent.json"))
assert c["granted"] == ["sysdiagnose"], c
PY
# the 'all' bundle made before the press has no sysdiagnose member
Ball=$(ls "$T"/all/*.tar.gz 2>/dev/null | head -1)
[ -n "$Ball" ] || fail "no 'all' bundle"
! tar -tzf "$Ball" | grep -q '^sysdiagnose/' || fail "'all' asked for a sysdiagnose"

# --- the check can fail: e-mail redaction off, a fresh simulator (the archive is new again)
sim_stop
sim_start "$P"
echo '{"classes": {"email": false}}' >"$T/noemail.json"
sd_collect "$T/o2" --sysdiagnose-seconds 60 --redaction-policy "$T/noemail.json"
[ "$SD_RC" = 0 ] || { cat "$T/o2.err" >&2; fail "collect (e-mail off) exit $SD_RC"; }
B2=$(head -n1 "$T/o2.out")
python3 "$CHECK" "$B2" "$V" --expect-survivors email >"$T/check2.txt" 2>&1 \
  || { cat "$T/check2.txt" >&2; fail "e-mail off: the check did not see e-mail survive"; }
grep -q "^SURVIVOR	sysdiagnose/" "$T/check2.txt" || fail "no survivor inside the sysdiagnose members"

# --- time-out: a press that never yields an archive
sim_stop
sim_start "$C"
sd_collect "$T/o3" --sysdiagnose-seconds 3
assert_contains "$T/o3.ctl" "no archive will appear"
[ "$SD_RC" != 0 ] || fail "a sysdiagnose that never came was a success"
assert_contains "$T/o3.err" "caseprobe: sysdiagnose: no new archive appeared within 3 s; press volume up"
assert_not_contains "$T/o3.err" "device stopped answering"
echo PASS
