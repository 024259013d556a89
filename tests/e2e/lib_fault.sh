# tests/e2e/lib_fault.sh: the fault-injection matrix's trial runner, sourced
# (after lib.sh) by tests/e2e/test_fault_*.sh. One trial = one caseprobe
# command against a simulated device carrying a fault, checked on every rule
# of issue 8:
#   * the exit code is one the fault allows, with its sentence on stderr;
#   * no bundle at the final path unless complete and `caseprobe verify` passes
#     (crashes pull: every file left is byte-identical to the device's);
#   * nothing written outside the output folder (the trial's cwd, TMPDIR and
#     HOME stay empty);
#   * bounded memory: max RSS from /usr/bin/time -v under FAULT_RSS_KB;
#   * no hang: each command is cut after FAULT_TIMEOUT seconds;
#   * a re-run once the fault is gone succeeds (fault_rerun).
# Every trial adds one row to $T/fault.table; fault_report prints the table
# and fails the test when any row failed.
# RSS bound: 64 MiB, or 512 MiB for a sanitizer build (ASan's shadow memory
# and quarantine put ~110 MB under a collect that needs ~23 MB)
if ldd "$CP_BIN" 2>/dev/null | grep -qE 'libasan|libubsan'; then
  FAULT_RSS_KB=${FAULT_RSS_KB:-524288}
else
  FAULT_RSS_KB=${FAULT_RSS_KB:-65536}
fi
FAULT_TIMEOUT=${FAULT_TIMEOUT:-120}
FAULT_SYSLOG_S=${FAULT_SYSLOG_S:-1}
: >"$T/fault.table"
FAULT_FAILED=0

udid_of() { python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$1/device.plist"; }

# fault_profile BASE DIR UDID [FAULTS_PY] : copies profile BASE to DIR with a
# new UDID; FAULTS_PY is a Python dict literal that replaces device.plist's
# Faults ({} = none).
fault_profile() {
  fixture_cp "$1" "$2"
  python3 - "$2" "$3" "${4:-None}" <<'PY'
import plistlib, sys
d, udid, faults = sys.argv[1], sys.argv[2], eval(sys.argv[3])
p = d + "/device.plist"; dev = plistlib.load(open(p, "rb")); dev["UDID"] = udid
if faults is not None:
    dev.pop("Faults", None)
    if faults: dev["Faults"] = faults
plistlib.dump(dev, open(p, "wb"))
g = d + "/lockdown/global.plist"; gl = plistlib.load(open(g, "rb")); gl["UniqueDeviceID"] = udid
plistlib.dump(gl, open(g, "wb"))
PY
}

# fault_udid N : a distinct modern UDID for trial device N
fault_udid() { printf '00008030-00FA%012X' "$1"; }

# fault_cmd MODE UDID OUT : the command of a trial (collect | pull | battery)
fault_cmd() {
  case $1 in
  collect) echo "collect --case FAULT --scope all --yes --syslog-seconds $FAULT_SYSLOG_S -u $2 -o $3" ;;
  pull) echo "crashes pull $3/pull -u $2" ;;
  battery) echo "battery -u $2" ;;
  esac
}

# fault_trial LABEL FAULT MODE UDID PROFILE_DIR ALLOWED_RCS [SENTENCE]
# Runs the trial and records its row. ALLOWED_RCS: space-separated exit codes;
# SENTENCE (fixed text) must be on stderr when the exit code is not 0. Sets
# FT_RC and FT_DIR (the trial's folder).
fault_trial() {
  local label=$1 fault=$2 mode=$3 udid=$4 prof=$5 allowed=$6 sentence=${7:-} d why="" rc
  d="$T/trial/$label"
  local out=${FT_OUT:-$d/out} # FT_OUT: another output folder (disk full)
  FT_DIR=$d
  mkdir -p "$d/cwd" "$d/tmp" "$d/home" "$d/out" "$out"
  # shellcheck disable=SC2046
  (cd "$d/cwd" && HOME="$d/home" TMPDIR="$d/tmp" timeout -k 5 "$FAULT_TIMEOUT" \
    /usr/bin/time -v -o "$d/time" "$CP_BIN" $(fault_cmd "$mode" "$udid" "$out") \
    </dev/null >"$d/stdout" 2>"$d/stderr")
  rc=$?
  FT_RC=$rc
  local rss secs
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$d/time" 2>/dev/null)
  secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$d/time" 2>/dev/null)
  case " $allowed " in *" $rc "*) ;; *) why="exit $rc not in {$allowed}" ;; esac
  [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || why="hung (cut after ${FAULT_TIMEOUT}s)"
  if [ "$rc" -ne 0 ] && [ -n "$sentence" ] && ! grep -qF -- "$sentence" "$d/stderr"; then
    why="${why:+$why; }no '$sentence' on stderr"
  fi
  grep -qE "Sanitizer|runtime error|Segmentation|Aborted" "$d/stderr" && why="${why:+$why; }crash report on stderr"
  local left bundle="-"
  left=$(cd "$d" && { find cwd tmp home -mindepth 1; ls -A | grep -vxE 'cwd|tmp|home|out|stdout|stderr|time'; } |
    head -n 3 | tr '\n' ' ')
  [ -z "$left" ] || why="${why:+$why; }wrote outside the output folder: $left"
  fault_check_out "$mode" "$out" "$rc" "$prof" || why="${why:+$why; }$FC_WHY"
  bundle=$FC_STATE
  [ -z "$rss" ] || [ "$rss" -le "$FAULT_RSS_KB" ] || why="${why:+$why; }max RSS ${rss} KB"
  local said
  said=$(grep -v '^\s*$' "$d/stderr" | grep -v '^  ' | tail -n 1 | cut -c1-58)
  [ "$rc" -ne 0 ] || said="-"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$fault" "$mode" "$rc" "${said:--}" "$bundle" \
    "$((${rss:-0} / 1024))" "${why:-ok}" >>"$T/fault.table"
  if [ -n "$why" ]; then
    FAULT_FAILED=$((FAULT_FAILED + 1))
    echo "trial $label ($fault, $mode): $why" >&2
    sed 's/^/    /' "$d/stderr" | tail -n 8 >&2
  fi
  return 0
}

# fault_check_out MODE OUT RC PROFILE : the output folder holds nothing that
# looks whole but is not. Sets FC_STATE (what is there) and FC_WHY.
fault_check_out() {
  local mode=$1 out=$2 rc=$3 prof=$4 n
  FC_WHY="" FC_STATE="none"
  case $mode in
  collect)
    n=$(find "$out" -mindepth 1 | wc -l)
    # a bundle may exist only after success or a partial success (35: some
    # parts missing, listed in the bundle), and then it must verify
    if [ "$rc" -eq 0 ] || { [ "$rc" -eq 35 ] && [ "$n" -gt 0 ]; }; then
      local b
      b=$(find "$out" -maxdepth 1 -name '*.tar.gz' | head -n 1)
      if [ "$n" -ne 1 ] || [ -z "$b" ]; then
        FC_WHY="success but the folder holds $n entries"
      elif ! "$CP_BIN" verify "$b" >/dev/null 2>&1; then
        FC_WHY="bundle does not verify"
      elif ! python3 -c '
import sys, tarfile
for m in tarfile.open(sys.argv[1]).getmembers():
    p = m.name.split("/")
    if m.name.startswith("/") or ".." in p or not m.isfile() or any(ord(c) < 32 for c in m.name):
        sys.exit("unsafe member %r" % m.name)' "$b"; then
        FC_WHY="bundle holds an unsafe member name"
      else
        FC_STATE="verified"
      fi
    elif [ "$n" -ne 0 ]; then
      FC_WHY="failure left $(ls -A "$out" | head -n 3 | tr '\n' ' ')"
      FC_STATE="LEFT"
    fi
    ;;
  pull)
    # every regular file present must be byte-identical to the device's copy
    local bad
    [ -d "$out/pull" ] || { [ "$rc" -ne 0 ] && return 0; FC_WHY="no pull folder"; return 1; }
    bad=$(python3 - "$out/pull" "$prof/crash" "$rc" <<'PY'
import filecmp, os, sys
out, dev, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
extra = set(os.environ.get("FC_EXTRA", "").split())  # names the device made up
got = bad = 0
for d, _, fs in os.walk(out):
    for f in fs:
        p = os.path.join(d, f); rel = os.path.relpath(p, out)
        if os.path.islink(p) or rel == "index.json" or rel.startswith(".caseprobe"):
            continue
        q = os.path.join(dev, rel)
        if rel in extra and open(p, "rb").read() == bytes(100):
            continue
        if not os.path.isfile(q) or not filecmp.cmp(p, q, shallow=False):
            print("partial/odd file %s" % rel); bad += 1
        got += 1
want = sum(1 for d, _, fs in os.walk(dev) for f in fs if not os.path.islink(os.path.join(d, f)))
if rc == 0 and got != want:
    print("success with %d of %d reports" % (got, want))
print("STATE %d/%d" % (got, want))
PY
)
    FC_STATE=$(echo "$bad" | sed -n 's/^STATE //p')
    FC_WHY=$(echo "$bad" | grep -v '^STATE' | head -n 2 | tr '\n' ' ')
    ;;
  *) FC_STATE="-" ;;
  esac
  [ -z "$FC_WHY" ]
}

# fault_rerun LABEL MODE UDID PROFILE : once the fault is gone, the same
# command succeeds (and its bundle verifies / its pull is whole).
fault_rerun() {
  fault_trial "$1-rerun" "none (re-run)" "$2" "$3" "$4" 0
}

# fault_report TITLE : prints the table; exits 1 when any trial failed
fault_report() {
  echo "== $1"
  {
    printf 'trial\tfault\tcommand\texit\tsentence (last stderr line)\toutput\tRSS MB\tresult\n'
    cat "$T/fault.table"
  } | column -t -s "$(printf '\t')"
  local n
  n=$(wc -l <"$T/fault.table")
  if [ "$FAULT_FAILED" -ne 0 ]; then
    fail "$FAULT_FAILED of $n trials failed"
  fi
  echo "PASS ($n trials)"
}
