#!/usr/bin/env bash
# -h on every device command works with no device and no usbmuxd, prints the
# usage on stdout with the common options; a bad option is exit 2.
source "$(dirname "$0")/lib.sh"
export USBMUXD_SOCKET_ADDRESS="UNIX:$T/none.sock"
for c in list info battery "crashes" syslog apps; do
  "$CP_BIN" $c -h >"$T/h.out" 2>"$T/h.err" || fail "$c -h exit $?"
  assert_contains "$T/h.out" "usage: caseprobe $c"
  assert_contains "$T/h.out" "--json"
  [ -s "$T/h.err" ] && fail "$c -h wrote to stderr"
  "$CP_BIN" $c --no-such-option >"$T/b.out" 2>"$T/b.err"
  assert_eq "$?" "2" "$c bad option"
  assert_contains "$T/b.err" "usage: caseprobe $c"
done
for c in info battery syslog apps; do assert_contains <("$CP_BIN" $c -h) "-u, --udid UDID"; done
"$CP_BIN" crashes -h | grep -q -- "--delete" || fail "crashes -h lacks --delete"
"$CP_BIN" crashes frobnicate >/dev/null 2>&1
assert_eq "$?" "2" "unknown crashes verb"
"$CP_BIN" crashes list --delete >/dev/null 2>&1
assert_eq "$?" "2" "list --delete"
echo ok
