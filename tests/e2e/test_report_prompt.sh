#!/usr/bin/env bash
# The terminal consent prompt as a person meets it, on a real pseudo-terminal:
# 1. no phone connected: the no-device error and not one question;
# 2. LANG=zh_CN.UTF-8 (even with no such locale installed): the text and the
#    questions in Simplified Chinese by plain scope name, answered 是/否;
#    consent.json records zh-Hans and the SHA-256 of exactly the text shown;
# 3. --lang en overrides the locale.
. "$(dirname "$0")/lib.sh"

# run_pty OUT ANSWERS ENV... -- ARGS...: runs caseprobe on a pty, typing each
# answer when a question ends in "[y/n] "; writes the transcript to OUT and
# exits with caseprobe's code.
run_pty() {
  python3 - "$@" <<'PY'
import os, pty, sys, select, time
out, answers = sys.argv[1], sys.argv[2].split(",") if sys.argv[2] else []
i = sys.argv.index("--")
env = dict(os.environ)
for kv in sys.argv[3:i]:
    k, v = kv.split("=", 1)
    env[k] = v
args = [os.environ["CP_BIN"]] + sys.argv[i + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execve(args[0], args, env)
buf = b""
deadline = time.time() + 120
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        if buf.rstrip(b" ").endswith(b"[y/n]") or buf.endswith("（是/否） ".encode()):
            os.write(fd, (answers.pop(0) if answers else "n").encode() + b"\n")
_, status = os.waitpid(pid, 0)
open(out, "wb").write(buf.replace(b"\r\n", b"\n"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
}

# 1. No phone: usbmuxd (the simulator) runs, the cable is pulled: the
# no-device error, and neither the consent text nor a question was shown.
sim_start "$(profile iphone-modern)"
"$CP_SIM" --ctl "$SIM_SOCK.ctl" detach all >/dev/null || fail "detach"
set +e
run_pty "$T/p1" "" LANG=C -- collect --case P-1 -o "$T"
rc=$?
set -e
assert_eq "$rc" 11 "exit without a phone (no device)"
grep -q "\[y/n\]" "$T/p1" && fail "questions asked without a phone: $(cat "$T/p1")"
grep -q "caseprobe will read" "$T/p1" && fail "consent text shown without a phone"
"$CP_SIM" --ctl "$SIM_SOCK.ctl" attach all >/dev/null || fail "attach"

mkdir -p "$T/zh" "$T/en"
# 2. Chinese from the locale; answers: system 是, battery 是, crashes 否,
# syslog n, apps 否, storage y
run_pty "$T/p2" "是,是,否,n,否,y" LANG=zh_CN.UTF-8 LANGUAGE= LC_ALL= -- \
  collect --case P-2 -o "$T/zh" --syslog-seconds 1 || fail "collect in Chinese: $(cat "$T/p2")"
python3 - "$T/p2" "$T/zh" <<'PY' || fail "Chinese prompt"
import glob, hashlib, json, sys, tarfile
t = open(sys.argv[1], encoding="utf-8").read()
for q in ("是否收集“手机型号和 iOS 版本”？", "是否收集“电池健康”？", "是否收集“崩溃报告”？",
          "是否收集“设备日志”？", "是否收集“已安装的应用”？", "是否收集“存储空间”？"):
    assert q in t, f"question {q} not asked: {t[:400]}"
assert "Collect" not in t and "crashes?" not in t, t[:400]
# the text shown is everything before the first question, minus the blank line
shown = t[: t.index("是否收集")]
assert shown.endswith("\n\n"), repr(shown[-20:])
shown = shown[:-1]
assert "caseprobe 将从已连接的手机读取以下内容" in shown, shown
b = glob.glob(sys.argv[2] + "/P-2-*.caseprobe.tar.gz")[0]
with tarfile.open(b) as tf:
    c = json.load(tf.extractfile("consent.json"))
    html = tf.extractfile("report.html").read().decode()
assert c["language"] == "zh-Hans", c
assert c["how"] == "prompt", c
assert sorted(c["granted"]) == ["battery", "storage", "system"], c
assert sorted(c["refused"]) == ["apps", "crashes", "syslog"], c
assert c["text_sha256"] == hashlib.sha256(shown.encode()).hexdigest(), "hash is not of the text shown"
assert '<html lang="zh-Hans">' in html
PY

# 3. --lang en wins over a Chinese locale
run_pty "$T/p3" "y,n,n,n,n,n" LANG=zh_CN.UTF-8 -- \
  collect --case P-3 --lang en -o "$T/en" || fail "collect --lang en: $(cat "$T/p3")"
grep -q 'Collect "Battery health"? \[y/n\]' "$T/p3" || fail "no English plain-name question: $(cat "$T/p3")"
grep -q "是否收集" "$T/p3" && fail "Chinese question despite --lang en"
b=$(ls "$T/en"/P-3-*.caseprobe.tar.gz)
tar xzf "$b" -C "$T/en" consent.json
assert_eq "$(json_get "$T/en/consent.json" "d['language']")" en "consent language with --lang en"

# 4. an unknown language is a usage error, before anything is asked
set +e
"$CP_BIN" collect --case P-4 --lang klingon --scope battery --yes -o "$T" </dev/null 2>"$T/e4"
rc=$?
set -e
assert_eq "$rc" 2 "exit for --lang klingon"
assert_contains "$T/e4" "zh-Hans"
echo ok
