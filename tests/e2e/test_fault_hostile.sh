#!/usr/bin/env bash
# Fault matrix, part 4: a hostile device (Faults.HostileAFC, see
# tests/sim/sim_hostile.c): its crash tree lists names that climb out
# (../, Retired/../../), an absolute path, a NUL inside a name, terminal
# escapes, a newline, a 300-byte name, a file claiming 2^62 bytes of endless
# zeros, and 5,000 names that vanish when stat'ed. `crashes pull` and
# `collect` must skip what is unsafe (saying so), bound what they read,
# finish, keep the real reports, and write nothing outside the output folder
# (nor at the absolute or climbing targets the names point to).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_fault.sh"
B=$(profile detaching)
H1=$(fault_udid 701) H2=$(fault_udid 702)
fault_profile "$B" "$T/h1" "$H1" "{'HostileAFC': True}"
fault_profile "$B" "$T/h2" "$H2" "{'HostileAFC': True}"
rm -f /tmp/cp-hostile-escape.ips /etc/cp-hostile-abs.ips
sim_start "$T/h1" "$T/h2"
# "nul" and "hidden.ips" are safe names the device made up (100 zero bytes)
FC_EXTRA="nul hidden.ips" fault_trial hostile-pull "hostile AFC names" pull "$H1" "$T/h1" "35 33 0" "unsafe file name"
FC_EXTRA="nul hidden.ips" fault_trial hostile-collect "hostile AFC names" collect "$H2" "$T/h2" "35 33 0"
for f in /tmp/cp-hostile-escape.ips /etc/cp-hostile-abs.ips "$T/trial/escape.ips" "$T/escape.ips" "$T/up.ips"; do
  [ ! -e "$f" ] || fail "a hostile name wrote $f"
done
[ -z "$(find "$T" -name 'escape.ips' -o -name 'up.ips' -o -name 'cp-hostile-*')" ] ||
  fail "a hostile name was written: $(find "$T" -name 'escape.ips' -o -name 'up.ips')"
# every real report is in the pull, byte for byte (the checker compared them)
n=$(find "$T/trial/hostile-pull/out/pull" -type f -name '*.ips*' ! -name 'huge.ips' ! -name 'hidden.ips' | wc -l)
assert_eq "$n" 7 "real reports pulled next to the hostile names"
assert_contains "$T/trial/hostile-pull/stderr" "huge.ips"
fault_report "hostile device"
