#!/usr/bin/env bash
# crashes list and crashes pull draw a progress line on stderr when it is a
# terminal (a pty from script(1)), and nothing at all when it is not: a log
# or a pipe gets the rows and the summary only.
source "$(dirname "$0")/lib.sh"
command -v script >/dev/null || skip "script(1) (bsdutils) is not installed: no pty to draw on"
P=$(profile iphone-modern)
sim_start "$P"
u=$(python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$P/device.plist")
n=$(find "$P/crash" -type f | wc -l)

# on a terminal: the line (label, bar) is drawn with carriage returns, then cleared
script -qec "'$CP_BIN' crashes list -u '$u'" /dev/null >"$T/tty.list" 2>&1 ||
  fail "list on a pty exit $? ($(tail -c 300 "$T/tty.list"))"
grep -aq $'\rlisting    \[' "$T/tty.list" || fail "no progress line on a terminal: $(head -c 300 "$T/tty.list" | od -c | head -5)"
grep -aq "$n reports" "$T/tty.list" || fail "list on a pty: no '$n reports' summary"
script -qec "'$CP_BIN' crashes pull '$T/pull1' -u '$u'" /dev/null >"$T/tty.pull" 2>&1 ||
  fail "pull on a pty exit $?"
grep -aq $'\rpulling    \[' "$T/tty.pull" || fail "no progress line while pulling on a terminal"

# not a terminal: no progress at all, and no carriage return
"$CP_BIN" crashes list -u "$u" >"$T/list.out" 2>"$T/list.err" || fail "list exit $?"
assert_eq "$(grep -c . "$T/list.out")" "$((n + 1))" "rows and header on stdout"
assert_not_contains "$T/list.err" "listing"
grep -q $'\r' "$T/list.err" "$T/list.out" && fail "a carriage return reached a file"
"$CP_BIN" crashes pull "$T/pull2" -u "$u" >"$T/pull.out" 2>"$T/pull.err" || fail "pull exit $?"
assert_not_contains "$T/pull.err" "pulling"
grep -q $'\r' "$T/pull.err" "$T/pull.out" && fail "a carriage return reached a file (pull)"
echo "ok"
