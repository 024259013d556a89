#!/usr/bin/env bash
# report.html, as collect writes it into a bundle, in English and Simplified
# Chinese, checked in real headless Chromium with axe-core: 0 violations
# (WCAG 2 A/AA and best practices, with the <details> folded and open), no
# sideways scrolling at 360 px or at 200 % zoom, a print rendering; and the
# page answers first (model, battery verdict and reasons, crashes by kind,
# what was refused) in the language asked for.
# Screenshots (360 px and desktop) and print PDFs are kept as test artifacts
# in $CP_BUILD/test-artifacts/report/.
# Needs Debian's chromium and packaging/npm's puppeteer-core + axe-core
# (packaging/install-deps); exits 77 saying which is missing otherwise.
. "$(dirname "$0")/lib.sh"

CHROMIUM=${CP_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
NM="$CP_SRC/packaging/npm/node_modules"
skip() { echo "SKIP: $*"; exit 77; }
[ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] || skip "no chromium (Debian package 'chromium'; packaging/install-deps)"
command -v node >/dev/null 2>&1 || skip "no node (packaging/install-deps)"
[ -f "$NM/puppeteer-core/package.json" ] || skip "no puppeteer-core in packaging/npm (run packaging/install-deps)"
[ -f "$NM/axe-core/axe.min.js" ] || skip "no axe-core in packaging/npm (run packaging/install-deps)"

ART="${CP_BUILD:-$T}/test-artifacts/report"
rm -rf "$ART"
mkdir -p "$ART"

# A worn battery (service verdict with reasons) and a refused scope, so every
# answer the page gives is on it.
sim_start "$(profile worn-battery)"
for lang in en zh-Hans; do
  mkdir -p "$T/$lang"
  LANG=C LC_ALL= LANGUAGE= "$CP_BIN" collect --case "A11Y-$lang" --lang "$lang" \
    --scope system,battery,crashes,apps,storage --yes -o "$T/$lang" </dev/null \
    >"$T/$lang.out" 2>"$T/$lang.err" || fail "collect --lang $lang: $(cat "$T/$lang.err")"
  b=$(tail -n 1 "$T/$lang.out")
  [ -f "$b" ] || fail "no bundle for $lang"
  tar xzf "$b" -C "$T/$lang" report.html consent.json || fail "report.html or consent.json missing ($lang)"
  cp "$T/$lang/report.html" "$ART/report-$lang.html"
done

# The page answers first, in the language asked for. Expected words are the
# translations a reader would look for, written here, not read from the code.
python3 - "$T" <<'PY' || fail "report content"
import json, re, sys
t = sys.argv[1]
def page(lang):
    return open(f"{t}/{lang}/report.html", encoding="utf-8").read()
en, zh = page("en"), page("zh-Hans")
assert en.startswith('<!DOCTYPE html>\n<html lang="en">'), en[:60]
assert zh.startswith('<!DOCTYPE html>\n<html lang="zh-Hans">'), zh[:60]
for html, words in ((en, ["Summary", "Service recommended", "Device log", "iOS"]),
                    (zh, ["摘要", "建议维修", "设备日志", "电池"])):
    body = html[html.index("<main>"):]
    first = body[:body.index('<section aria-labelledby="h-battery"')]
    for w in words:
        assert w in first, f"{w!r} not in the summary"
    assert "<udid-1>" not in html and "&lt;udid-1&gt;" not in first, "identifier rows before the details"
    assert "<details>" in html
    for bad in ("<script", "http://", "https://", "src=", "<link"):
        assert bad not in html, bad
# the worn battery: a reason in words
assert "below the 80 % at which a battery should be serviced" in en or "charge cycles, more than" in en
assert "Service recommended" not in zh and "Summary" not in zh
for lang in ("en", "zh-Hans"):
    c = json.load(open(f"{t}/{lang}/consent.json"))
    assert c["language"] == lang, c
    assert c["refused"] == ["syslog"], c
en_c = json.load(open(f"{t}/en/consent.json")); zh_c = json.load(open(f"{t}/zh-Hans/consent.json"))
assert en_c["text_sha256"] != zh_c["text_sha256"], "same hash for two languages"
PY

node "$CP_SRC/tests/browser/report_a11y.js" "$CHROMIUM" "$ART" \
  "en=$ART/report-en.html" "zh-Hans=$ART/report-zh-Hans.html" >"$T/axe.out" 2>&1
rc=$?
cat "$T/axe.out"
[ "$rc" -eq 0 ] || fail "report.html accessibility (rc $rc)"
grep -q "^en: lang=en axe violations=0$" "$T/axe.out" || fail "no clean axe run for en"
grep -q "^zh-Hans: lang=zh-Hans axe violations=0$" "$T/axe.out" || fail "no clean axe run for zh-Hans"
for f in en-360.png zh-Hans-360.png en-desktop.png zh-Hans-desktop.png en.pdf zh-Hans.pdf; do
  [ -s "$ART/$f" ] || fail "artifact $f missing"
done
echo "artifacts in $ART"
echo ok
