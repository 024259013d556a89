#!/usr/bin/env bash
# caseprobe's own lockdown session and TLS (probes/lockdown.c, stream.c)
# against the simulator: one lockdown connection and one StartSession per
# run, the session's TLS up (session-only values such as SerialNumber come
# back), and services the device runs over TLS (ServiceSSL: crash mover,
# crash AFC, diagnostics, syslog relay) read byte for byte through our own
# handshake; `list` shows the trust state through the same session. With
# strace: no 100 ms sleep of libimobiledevice 1.3.0's handshake remains on
# the pull path (the old client slept exactly that whenever the device's TLS
# answer was not there yet; how often that happens here depends on
# scheduling, so the deterministic guard is unit_test_lockdown, which answers
# late on purpose and counts every sleep).
source "$(dirname "$0")/lib.sh"
# ok NAME CMD... : runs CMD with stdout in $T/NAME.out, stderr in $T/NAME.err; exit 0 or fail
ok() {
  local name=$1 rc=0
  shift
  "$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
  [ "$rc" = 0 ] || { cat "$T/$name.err" >&2; fail "$name: exit $rc"; }
}
U=00008030-00000000005E5510
SSL='<key>ServiceSSL</key><array><string>com.apple.crashreportmover</string><string>com.apple.crashreportcopymobile</string><string>com.apple.mobile.diagnostics_relay</string><string>com.apple.syslog_relay</string></array>'
sim_mkprofile "$T/tls" "$U" "$SSL"
sim_start "$T/tls"
# The simulated usbmuxd makes a paired profile's record on the first
# ReadPairRecord (two RSA keys): ask once here, without libusbmuxd's 5 s
# limit, so a loaded machine does not turn the counted run into a pairing.
sim_pair_record ReadPairRecord "$U" || fail "ReadPairRecord $U: no record for a paired profile"

# info: one lockdown connection, one session, TLS up, a session-only value.
ok info "$CP_BIN" info -u "$U" --json
assert_eq "$(json_get "$T/info.out" 'd["serial_number"]')" "F2LSIM5510" "SerialNumber (session only)"
assert_eq "$(grep -c "$U: Connect port 62078 -> lockdownd" "$SIM_LOG")" "1" "lockdown connections of one run"
assert_eq "$(grep -c "$U: StartSession -> Success" "$SIM_LOG")" "1" "sessions of one run"
assert_contains "$SIM_LOG" "$U: TLS up: TLSv1.3"
assert_contains "$SIM_LOG" "$U: StopSession -> plaintext"

# Services over TLS: mover + AFC (pull), diagnostics (battery), syslog.
ok pull "$CP_BIN" crashes pull "$T/pull" -u "$U" --json
for s in com.apple.crashreportmover com.apple.crashreportcopymobile; do
  grep -q "$U: StartService $s -> port [0-9]* (SSL)" "$SIM_LOG" || fail "$s was not started with SSL"
done
assert_pulled_tree "$T/tls/crash" "$T/pull" 4
ok battery "$CP_BIN" battery -u "$U" --json
assert_eq "$(json_get "$T/battery.out" 'd["cycle_count"]')" "321" "CycleCount over a TLS diagnostics relay"
grep -q "$U: StartService com.apple.mobile.diagnostics_relay -> port [0-9]* (SSL)" "$SIM_LOG" ||
  fail "diagnostics_relay was not started with SSL"
ok syslog "$CP_BIN" syslog -u "$U" --seconds 2 -o "$T/sys.log"
grep -q "$U: StartService com.apple.syslog_relay -> port [0-9]* (SSL)" "$SIM_LOG" ||
  fail "syslog_relay was not started with SSL"
assert_eq "$(wc -l <"$T/sys.log")" "$(wc -l <"$T/tls/syslog.txt")" "syslog lines over TLS"
cmp -s "$T/sys.log" "$T/tls/syslog.txt" || fail "syslog over TLS differs from syslog.txt"

# list: the trust state through our session, never pairing.
ok list "$CP_BIN" list --json
assert_eq "$(json_get "$T/list.out" '[x["trust"] for x in d["devices"] if x["udid"] == "'"$U"'"][0]')" "trusted" "list trust"

# No fixed 100 ms handshake sleep on the pull path (strace sees every sleep).
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
  # (LeakSanitizer cannot run under ptrace: a sanitizer build checks leaks elsewhere)
  ok strace env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -e trace=nanosleep,clock_nanosleep -o "$T/st.txt" \
    "$CP_BIN" crashes pull "$T/pull2" -u "$U"
  if grep -E "nanosleep\(.*tv_sec=0, tv_nsec=100000000" "$T/st.txt" >&2; then
    fail "a 100 ms sleep (libimobiledevice's TLS handshake) is still on the pull path"
  fi
  grep -q "StartService com.apple.crashreportcopymobile -> port [0-9]* (SSL)" "$SIM_LOG" || fail "no TLS service under strace"
else
  skip_part "strace is missing or not permitted: the no-sleep check did not run"
fi
echo PASS
