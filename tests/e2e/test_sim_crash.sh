#!/usr/bin/env bash
# caseprobe-sim, crash logs: idevicecrashreport copies the profile's crash/
# tree byte-identical over AFC (links as links, .synced stripped), the crash
# mover brings crash_pending/ in first, and moving (no -k) removes from the
# simulator's overlay only: the profile on disk never changes.
source "$(dirname "$0")/lib.sh"
U=00008030-00000000000C0001
P="$T/iphone"
sim_mkprofile "$P" "$U"
# a big file (6 MiB, random) and a nested folder
head -c 6291456 /dev/urandom >"$P/crash/Retired/Big-2024-01-01-000000.ips"
mkdir -p "$P/crash/Analytics/Sub"
printf 'tiny\n' >"$P/crash/Analytics/Sub/t.ips"
touch -d '2021-03-04 05:06:07' "$P/crash/Retired/Old.crash"
before=$(cd "$P" && find . -type f -o -type l | sort | xargs sha256sum)
sim_start "$P"

mkdir "$T/k"
idevicecrashreport -k "$T/k" >"$T/k.txt" 2>&1 || { cat "$T/k.txt"; fail "idevicecrashreport -k"; }
assert_contains "$T/k.txt" "Copy: /App-2022-09-20-101010.ips"
assert_contains "$T/k.txt" "Link: /LatestCrash.ips"
assert_contains "$T/k.txt" "Copy: /Retired/Big-2024-01-01-000000.ips"
assert_contains "$T/k.txt" "Copy: /Analytics/Sub/t.ips"
assert_contains "$T/k.txt" "Copy: /Pending-2025-01-01-000000.ips"
assert_contains "$T/k.txt" "Done."
assert_not_contains "$T/k.txt" "mismatch"
assert_contains "$SIM_LOG" "sim: $U: StartService com.apple.crashreportmover -> port"
assert_contains "$SIM_LOG" "sim: $U: crashreportmover: moved 1 pending file(s), ping"
assert_contains "$SIM_LOG" "sim: $U: StartService com.apple.crashreportcopymobile -> port"
assert_not_contains "$SIM_LOG" "AFC REMOVE_PATH"

# byte-identical: every profile file (crash/ plus the moved pending one)
while read -r f; do
  src="$P/crash/$f"
  [ -f "$src" ] || src="$P/crash/$f.synced"
  [ -f "$src" ] || src="$P/crash_pending/$f"
  [ -f "$src" ] || fail "no source for $f"
  a=$(sha256sum <"$src" | cut -d' ' -f1)
  b=$(sha256sum <"$T/k/$f" | cut -d' ' -f1)
  assert_eq "$b" "$a" "sha256 of $f"
done < <(cd "$T/k" && find . -type f | sed 's|^\./||')
[ "$(cd "$T/k" && find . -type f | wc -l)" -eq 7 ] || fail "expected 7 files, got $(cd "$T/k" && find . -type f | wc -l)"
assert_eq "$(readlink "$T/k/LatestCrash.ips")" "App-2022-09-20-101010.ips" "symlink target"
[ -f "$T/k/JetsamEvent-2020-10-15-172958.ips" ] || fail ".synced suffix not stripped"

# second run without -k moves everything: REMOVE_PATH lands in the overlay
mkdir "$T/m"
idevicecrashreport "$T/m" >"$T/m.txt" 2>&1 || fail "idevicecrashreport (move)"
assert_contains "$T/m.txt" "Move: /Retired/Old.crash"
assert_contains "$T/m.txt" "Done."
assert_contains "$SIM_LOG" "AFC REMOVE_PATH ./Retired/Old.crash -> removed (overlay)"
assert_contains "$SIM_LOG" "AFC REMOVE_PATH ./Retired -> removed (overlay)"
[ "$(cd "$T/m" && find . -type f | wc -l)" -eq 7 ] || fail "move run did not get 7 files"
cmp -s "$T/m/Retired/Big-2024-01-01-000000.ips" "$P/crash/Retired/Big-2024-01-01-000000.ips" || fail "big file differs"

# third run: the device is empty now
mkdir "$T/e"
idevicecrashreport "$T/e" >"$T/e.txt" 2>&1 || fail "idevicecrashreport (empty)"
assert_contains "$T/e.txt" "Done."
assert_not_contains "$T/e.txt" "Move:"
assert_eq "$(cd "$T/e" && find . -mindepth 1 | wc -l)" 0 "empty device"

# the profile folder is untouched; a fresh simulator sees everything again
after=$(cd "$P" && find . -type f -o -type l | sort | xargs sha256sum)
assert_eq "$after" "$before" "profile unchanged on disk"
sim_stop
sim_start "$P"
mkdir "$T/again"
idevicecrashreport -k "$T/again" >"$T/again.txt" 2>&1 || fail "after restart"
[ "$(cd "$T/again" && find . -type f | wc -l)" -eq 7 ] || fail "restart did not restore the tree"
echo PASS
