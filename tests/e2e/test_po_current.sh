#!/usr/bin/env bash
# Every sentence a person reads has its translation: the catalog template is
# rebuilt from the code and the assist page (agent/po/update --check, in a
# temporary folder) and merged into each .po; an untranslated or fuzzy entry
# fails. A new English sentence without its zh-Hans line turns this red.
source "$(dirname "$0")/lib.sh"
command -v xgettext >/dev/null || fail "xgettext is missing (Debian package gettext, in packaging/install-deps)"
git -C "$CP_SRC" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout (agent/po/update lists the files with git grep)"
"$CP_SRC/agent/po/update" --check >"$T/out.txt" 2>&1 || { cat "$T/out.txt" >&2; fail "a sentence has no translation"; }
cat "$T/out.txt"
assert_contains "$T/out.txt" "agent/po/zh_CN.po: "
assert_not_contains "$T/out.txt" "untranslated"
echo "ok"
