#!/usr/bin/env bash
# The man page, --help and every subcommand's -h stay in step (like curl's
# test1139 and git's t0450): each command in the table has -h (exit 0, no
# device), a man page section, its long options in the man page, and every
# exit code of --help is in the man page's EXIT STATUS.
. "$(dirname "$0")/lib.sh"
man="$CP_SRC/packaging/caseprobe.1"
"$CP_BIN" --help >"$T/help" || fail "--help exit status"
"$CP_BIN" --version | grep -q '^caseprobe [0-9]' || fail "--version"
cmds=$(sed -n '/^Commands:/,/^$/p' "$T/help" | awk 'NF>1 {print $1}')
[ -n "$cmds" ] || fail "no commands in --help"
unset USBMUXD_SOCKET_ADDRESS
for c in $cmds; do
  USBMUXD_SOCKET_ADDRESS=UNIX:/nonexistent "$CP_BIN" "$c" -h >"$T/h.$c" 2>&1 || fail "$c -h exit status"
  grep -q "usage: caseprobe $c" "$T/h.$c" || fail "$c -h prints no usage"
  grep -q "^\.SS $c" "$man" || fail "man page has no section for $c"
  for opt in $(grep -o -- '--[a-z][a-z-]*' "$T/h.$c" | sort -u); do
    case "$opt" in --help|--json|--udid|--wait|--output|--once|--events|--policy|--spool) continue ;; esac
    grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$man" || fail "man page lacks $c $opt"
  done
done
sed -n '/^Exit status/,$p' "$T/help" | awk '$1 ~ /^[0-9]+$/ {print $1}' >"$T/codes"
[ "$(wc -l <"$T/codes")" -gt 20 ] || fail "too few exit codes in --help"
while read -r code; do
  sed -n '/^\.SH EXIT STATUS/,/^\.SH ENVIRONMENT/p' "$man" | grep -qx "\.B $code" \
    || fail "man page EXIT STATUS lacks $code"
done <"$T/codes"
# An unknown command is a usage error.
set +e
"$CP_BIN" frobnicate >/dev/null 2>"$T/e"
rc=$?
set -e
assert_eq "$rc" 2 "unknown command"
assert_contains "$T/e" "no such command 'frobnicate'"
echo PASS
