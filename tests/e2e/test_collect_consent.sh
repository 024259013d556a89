#!/usr/bin/env bash
# collect and consent end to end on the simulator: a refused scope's service is
# never started; no terminal and no --yes refuses before touching the device;
# a granted collection produces a bundle that verify accepts and whose
# consent.json records what was granted and refused.
. "$(dirname "$0")/lib.sh"
sim_start "$(profile iphone-modern)"
mkdir -p "$T/out"

# 1. No terminal, no --yes: refused with the consent code, nothing read.
set +e
"$CP_BIN" collect --case C-1 -o "$T/out" </dev/null >"$T/o1" 2>"$T/e1"
rc=$?
set -e
assert_eq "$rc" 30 "exit code without consent"
assert_contains "$T/e1" "no terminal to ask on"
assert_not_contains "$SIM_LOG" "StartSession"
[ -z "$(ls -A "$T/out")" ] || fail "a refused collection left files: $(ls -A "$T/out")"

# 2. Only battery and system granted: the syslog, crash, apps services never start.
"$CP_BIN" collect --case "C-2" --scope battery,system --yes -o "$T/out" </dev/null >"$T/o2" 2>"$T/e2" \
  || fail "collect failed: $(cat "$T/e2")"
bundle=$(tail -n 1 "$T/o2")
[ -f "$bundle" ] || fail "last line of stdout is not the bundle: $bundle"
case "$bundle" in "$T/out/C-2-"*.caseprobe.tar.gz) ;; *) fail "unexpected bundle name $bundle" ;; esac
assert_contains "$SIM_LOG" "StartService com.apple.mobile.diagnostics_relay"
assert_not_contains "$SIM_LOG" "StartService com.apple.syslog_relay"
# (battery may read the Analytics report through crashreportcopymobile; the
# crash pull itself always starts with the mover, which must not run)
assert_not_contains "$SIM_LOG" "StartService com.apple.crashreportmover"
assert_not_contains "$SIM_LOG" "StartService com.apple.mobile.installation_proxy"
"$CP_BIN" verify "$bundle" >"$T/v2" || fail "verify refused the bundle: $(cat "$T/v2")"
"$CP_BIN" inspect --json "$bundle" >"$T/i2.json" || fail "inspect failed"
mkdir "$T/x" && tar xzf "$bundle" -C "$T/x"
[ -f "$T/x/battery/health.json" ] || fail "battery/health.json missing"
[ -f "$T/x/device/info.json" ] || fail "device/info.json missing"
[ ! -e "$T/x/syslog" ] || fail "syslog collected without consent"
[ ! -e "$T/x/apps" ] || fail "apps collected without consent"
assert_eq "$(json_get "$T/x/consent.json" "sorted(d['granted'])")" "['battery', 'system']" "granted"
assert_eq "$(json_get "$T/x/consent.json" "sorted(d['refused'])")" \
  "['apps', 'crashes', 'storage', 'syslog']" "refused"
assert_eq "$(json_get "$T/x/consent.json" "d['how']")" "flag" "how"
assert_eq "$(json_get "$T/x/manifest.json" "d['case_id']")" "C-2" "case id"
for m in $(json_get "$T/x/manifest.json" "' '.join(x['path'] for x in d['members'])"); do
  want=$(json_get "$T/x/manifest.json" "[x['sha256'] for x in d['members'] if x['path']=='$m'][0]")
  got=$(sha256sum "$T/x/$m" | cut -d' ' -f1)
  assert_eq "$got" "$want" "sha256 of $m"
done
# every JSON member is valid JSON after redaction
for j in $(cd "$T/x" && find . -name '*.json'); do
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/x/$j" || fail "$j is not valid JSON"
done

# 3. Unknown scope: usage error naming it.
set +e
"$CP_BIN" collect --case C-3 --scope battery,gps --yes -o "$T/out" </dev/null 2>"$T/e3"
rc=$?
set -e
assert_eq "$rc" 2 "unknown scope exit"
assert_contains "$T/e3" "gps"
echo "PASS"
