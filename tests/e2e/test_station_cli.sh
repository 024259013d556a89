#!/usr/bin/env bash
# End-to-end: `caseprobe station`'s command line and policy checks, which
# all happen before any device is looked at: -h, usage errors (2), a broken
# policy (34, naming the file and line), an unknown scope (34), a spool that
# cannot be made (4). None of these may create a bundle or touch the spool.
source "$(dirname "$0")/lib.sh"

"$CP_BIN" station -h >"$T/help" 2>&1 || fail "station -h failed"
assert_contains "$T/help" "--policy FILE"
assert_contains "$T/help" "--once N"
assert_contains "$T/help" "shutdown_grace_seconds"

rc=0; "$CP_BIN" station --spool "$T/s" 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "station without --policy"
assert_contains "$T/err" "--policy and --spool are required"

rc=0; "$CP_BIN" station --policy "$CP_SRC/packaging/station-policy.example" --spool "$T/s" --once 0 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "--once 0"

# A typo in a key, three lines down in [station]: 34, with file and line.
cat >"$T/bad.conf" <<'POL'
[consent]
scopes = system, battery
text = I agree.
[station]
max_paralel = 4
POL
rc=0; "$CP_BIN" station --no-syslog --policy "$T/bad.conf" --spool "$T/s" 2>"$T/err" || rc=$?
assert_eq "$rc" 34 "policy with an unknown key"
assert_contains "$T/err" "bad.conf line 5: unknown key 'max_paralel' in [station]"
assert_contains "$T/err" "station-policy.example"
[ ! -e "$T/s" ] || fail "a refused policy created the spool"

# A bad value names its line too.
sed 's/^max_paralel = 4/max_parallel = many/' "$T/bad.conf" >"$T/bad2.conf"
rc=0; "$CP_BIN" station --no-syslog --policy "$T/bad2.conf" --spool "$T/s" 2>"$T/err" || rc=$?
assert_eq "$rc" 34 "policy with a bad number"
assert_contains "$T/err" "bad2.conf line 5: max_parallel must be a whole number from 1 to 64, not 'many'"

# A scope the probes do not know.
printf '[consent]\nscopes = system, bluetooth\ntext = ok\n' >"$T/scope.conf"
rc=0; "$CP_BIN" station --no-syslog --policy "$T/scope.conf" --spool "$T/s" 2>"$T/err" || rc=$?
assert_eq "$rc" 34 "policy with an unknown scope"
assert_contains "$T/err" "no such scope 'bluetooth'"

# A redaction class the redactor does not know (a typo) is caught at start.
printf '[consent]\nscopes = system\ntext = ok\n[redaction]\nemial = off\n' >"$T/class.conf"
rc=0; "$CP_BIN" station --no-syslog --policy "$T/class.conf" --spool "$T/s" 2>"$T/err" || rc=$?
assert_eq "$rc" 34 "policy with an unknown redaction class"
assert_contains "$T/err" "class.conf: [redaction]/[patterns]:"
assert_contains "$T/err" "emial"

# A signing key that does not exist is caught at start, not per device.
printf '[consent]\nscopes = system\ntext = ok\n[signing]\nkey = nokey.pem\n' >"$T/key.conf"
rc=0; "$CP_BIN" station --no-syslog --policy "$T/key.conf" --spool "$T/s" 2>"$T/err" || rc=$?
assert_eq "$rc" 34 "policy with a missing key"
assert_contains "$T/err" "$T/nokey.pem cannot be read"

# The policy file itself missing: 6.
rc=0; "$CP_BIN" station --no-syslog --policy "$T/none.conf" --spool "$T/s" 2>"$T/err" || rc=$?
assert_eq "$rc" 6 "missing policy file"

# A spool path that is a file: 4, and the file is left alone.
echo keep >"$T/file"
rc=0; "$CP_BIN" station --no-syslog --policy "$CP_SRC/packaging/station-policy.example" --spool "$T/file" 2>"$T/err" || rc=$?
assert_eq "$rc" 4 "spool is a file"
assert_eq "$(cat "$T/file")" keep "the file named as spool"
echo "ok"
