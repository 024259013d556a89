#!/usr/bin/env bash
# The man page, --help and every subcommand's -h stay in step (like curl's
# test1139 and git's t0450), in both directions and with no skip list:
#  - each command of --help has -h (exit 0, no device) and a man section;
#  - the options (short and long) of a command's -h are exactly those its
#    own man page section names (tests/e2e/cli_opts.py);
#  - the exit codes of --help (generated from formats/cp_err.def) are exactly
#    those of the man page's EXIT STATUS.
# Then exit codes the other tests do not reach: 2 (unknown command, a bad
# number), 12 (several devices, no -u), 17 (pairing record not accepted),
# 19 (service not available) and 51 (output exists).
. "$(dirname "$0")/lib.sh"
man="$CP_SRC/packaging/caseprobe.1"
OPTS="python3 $(dirname "$0")/cli_opts.py"
"$CP_BIN" --help >"$T/help" || fail "--help exit status"
"$CP_BIN" --version | grep -q '^caseprobe [0-9]' || fail "--version"
cmds=$(sed -n '/^Commands:/,/^$/p' "$T/help" | awk 'NF>1 {print $1}')
[ "$(echo "$cmds" | wc -l)" -ge 13 ] || fail "too few commands in --help"
grep '^\.SS ' "$man" | awk '{print $2}' | sort >"$T/man.cmds"
echo "$cmds" | sort >"$T/help.cmds"
diff -u "$T/help.cmds" "$T/man.cmds" >"$T/d" || { cat "$T/d" >&2; fail "commands of --help and the man page differ"; }
unset USBMUXD_SOCKET_ADDRESS
for c in $cmds; do
  USBMUXD_SOCKET_ADDRESS=UNIX:/nonexistent "$CP_BIN" "$c" -h >"$T/h.$c" 2>&1 || fail "$c -h exit status"
  grep -q "usage: caseprobe $c" "$T/h.$c" || fail "$c -h prints no usage"
  $OPTS help "$T/h.$c" >"$T/o.help.$c"
  $OPTS man "$man" "$c" >"$T/o.man.$c" || fail "man page has no section for $c"
  grep -qx -- -h "$T/o.help.$c" || fail "$c -h does not name -h"
  diff -u "$T/o.help.$c" "$T/o.man.$c" >"$T/d" \
    || { cat "$T/d" >&2; fail "options of '$c -h' (-) and its man page section (+) differ"; }
done
# Exit codes, both directions.
sed -n '/^Exit status/,$p' "$T/help" | awk '$1 ~ /^[0-9]+$/ {print $1}' | sort -n >"$T/codes.help"
sed -n '/^\.SH EXIT STATUS/,/^\.SH ENVIRONMENT/p' "$man" | awk '/^\.B [0-9]+$/ {print $2}' | sort -n >"$T/codes.man"
[ "$(wc -l <"$T/codes.help")" -ge 38 ] || fail "too few exit codes in --help"
diff -u "$T/codes.help" "$T/codes.man" >"$T/d" || { cat "$T/d" >&2; fail "exit codes of --help (-) and the man page (+) differ"; }

# runrc NAME EXPECTED ARGS... : runs caseprobe, checks the exit status.
runrc() {
  local name=$1 want=$2
  shift 2
  set +e
  "$CP_BIN" "$@" >"$T/$name.out" 2>"$T/$name.err"
  local rc=$?
  set -e
  [ "$rc" = "$want" ] || { cat "$T/$name.err" >&2; fail "$name: caseprobe $*: exit $rc, expected $want"; }
}
set -e
# 2: an unknown command (with a suggestion), a number that is not one.
runrc unknown 2 frobnicate
assert_contains "$T/unknown.err" "no such command 'frobnicate'"
runrc misspelt 2 colect
assert_contains "$T/misspelt.err" "did you mean 'collect'?"
runrc badwait 2 collect --case C1 --wait=abc
assert_contains "$T/badwait.err" "--wait takes a whole number of seconds"
runrc badwait2 2 info --wait=abc
runrc badonce 2 station --policy p --spool s --once=0
runrc badsecs 2 collect --case C1 --syslog-seconds=5x

# The simulator: two devices (12), one whose pairing is refused (17), one
# that gives no disk usage (19), and an output that exists (51).
U1=00008030-0012AB34CD56EF01
U2=00008030-0012AB34CD56EF02
sim_mkprofile "$T/p1" "$U1"
sim_mkprofile "$T/p2" "$U2"
rm -f "$T/p2/lockdown/com.apple.disk_usage.plist"
sim_start "$T/p1" "$T/p2"
runrc many 12 info
assert_contains "$T/many.err" "Choose one with -u UDID"
runrc manyjson 12 collect --case C1 --scope system --yes --json -o "$T/out"
[ "$(json_get "$T/manyjson.out" 'd["error"]["name"]')" = many_devices ] || fail "collect --json: no JSON error document"
[ -d "$T/out" ] || fail "collect -o did not create its folder"
# 51: syslog -o onto a file that exists.
echo keep >"$T/exists.log"
runrc exists 51 syslog -u "$U1" --seconds 1 -o "$T/exists.log"
assert_eq "$(cat "$T/exists.log")" "keep" "syslog -o kept the existing file"
# 19: a device that gives no disk usage: the storage probe fails with
# service_unavailable (19), named in collect's JSON, and the bundle is partial (35).
runrc nosvc 35 collect -u "$U2" --case C19 --scope storage --yes --json -o "$T/out19"
assert_eq "$(json_get "$T/nosvc.out" 'd["probes"]["storage"]["code"]')" service_unavailable "storage probe code"
# 17: usbmuxd holds a pair record for U1 that the device never accepted
# (saved through usbmuxd's own SavePairRecord, as a stale record would be).
python3 - "$SIM_SOCK" "$U1" <<'PY' >"$T/save.out" || fail "SavePairRecord"
import plistlib, socket, struct, sys
rec = plistlib.dumps({"HostID": "FFFFFFFF-0000-0000-0000-000000000000",
                      "SystemBUID": "00000000-1111-2222-3333-444444444444",
                      "HostCertificate": b"x", "RootCertificate": b"x", "DeviceCertificate": b"x",
                      "HostPrivateKey": b"x", "RootPrivateKey": b"x"})
msg = plistlib.dumps({"MessageType": "SavePairRecord", "PairRecordID": sys.argv[2],
                      "PairRecordData": rec, "ClientVersionString": "t", "ProgName": "t"})
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(struct.pack("<IIII", 16 + len(msg), 1, 8, 1) + msg)
hdr = b""
while len(hdr) < 16:
    hdr += s.recv(16 - len(hdr))
body = b""
while len(body) < struct.unpack("<IIII", hdr)[0] - 16:
    body += s.recv(65536)
assert plistlib.loads(body).get("Number") == 0, body
PY
runrc pairing 17 info -u "$U1"
assert_contains "$T/pairing.err" "tap Trust"
echo PASS
