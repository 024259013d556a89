#!/usr/bin/env bash
# The repository stands alone (no device, no simulator, a few seconds). Fails
# when any tracked file names the team's shelf outside the repository (the
# sibling folder or its environment variable), when a relative link or a
# backquoted repository path in a tracked markdown file does not resolve
# inside the repository, when a folder a fuzz target's .seeds file lists is
# missing or empty, or when a fixture the tests read (corpus files named in
# the unit and end-to-end tests, shipped profiles, files under $CP_SRC) is
# missing. .ci/run proves the rest: the whole suite from a fresh clone with
# no sibling folders.
source "$(dirname "$0")/lib.sh"

cd "$CP_SRC" || fail "no source folder $CP_SRC"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z >"$T/files" || fail "git ls-files"
else # an exported tree (release tarball): every file but build output
  find . -path ./.git -prune -o -path './build*' -prune -o -type f -printf '%P\0' >"$T/files"
fi
[ -s "$T/files" ] || fail "no files listed in $CP_SRC"

python3 - "$CP_SRC" "$T/files" <<'PY' || fail "the repository does not stand alone (see above)"
import glob, os, re, subprocess, sys

root = os.path.realpath(sys.argv[1])
files = [f for f in open(sys.argv[2], "rb").read().decode().split("\0") if f]
problems = []

def inside(p):
    rp = os.path.realpath(p)
    return rp == root or rp.startswith(root + os.sep)

# 1. Nothing names the shelf beside the checkout. The patterns are built from
#    pieces so that this file does not match itself.
shelf = re.compile(r"\.\./" + "shared" + r"|CP_" + "SHARED" + r"|(?<![\w.-])" + "shared" +
                   r"/(?:DESIGN|protocol|STYLE)\.md|(?<![\w.-])" + "shared" + r"/notes/")
for f in files:
    try:
        text = open(os.path.join(root, f), encoding="utf-8", errors="replace").read()
    except OSError as e:
        problems.append("%s: unreadable (%s)" % (f, e))
        continue
    for n, line in enumerate(text.splitlines(), 1):
        if shelf.search(line):
            problems.append("%s:%d names a folder outside the repository: %s" % (f, n, line.strip()[:120]))

# 2. Markdown: relative links, and backquoted paths that start with a
#    top-level folder of the repository, resolve inside it.
tops = {f.split("/")[0] for f in files if "/" in f}
link = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
tick = re.compile(r"`([^`\s]+)`")
for f in files:
    if not f.endswith(".md"):
        continue
    here = os.path.dirname(os.path.join(root, f))
    text = open(os.path.join(root, f), encoding="utf-8").read()
    text_nocode = re.sub(r"```.*?```", "", text, flags=re.S)
    for n, line in enumerate(text_nocode.splitlines(), 1):
        for target in link.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue
            path = target.split("#")[0]
            p = os.path.join(root, path.lstrip("/")) if path.startswith("/") else os.path.join(here, path)
            if not (os.path.exists(p) and inside(p)):
                problems.append("%s:%d: link '%s' does not resolve inside the repository" % (f, n, target))
        for t in tick.findall(line):
            t = t.rstrip(".,:;")
            if t.split("/")[0] not in tops or "/" not in t or re.search(r"[<>*{}$?|\[\]]", t):
                continue
            if t.split("/")[0] == "build" or t.split("/")[0].startswith("build-"):
                continue
            cands = [os.path.join(root, t), os.path.join(here, t)]
            if not any(os.path.exists(c) and inside(c) for c in cands):
                problems.append("%s:%d: path `%s` does not exist in the repository" % (f, n, t))

# 3. Fuzz seed folders listed in tests/fuzz/*.seeds exist and hold files.
corpus = os.path.join(root, "tests", "corpus")
for f in files:
    if f.startswith("tests/fuzz/") and f.endswith(".seeds"):
        for d in open(os.path.join(root, f)).read().split():
            p = os.path.join(corpus, d)
            if not os.path.isdir(p) or not any(os.scandir(p)):
                problems.append("%s: seed folder tests/corpus/%s is missing or empty" % (f, d))

# 4. Fixtures the tests read: corpus paths named in test sources, shipped
#    profiles, and files under $CP_SRC named by the end-to-end tests.
tests = [f for f in files if re.match(r"tests/(unit|e2e|valgrind|bench|fuzz)/", f)
         and f.endswith((".c", ".sh", ".py")) or f in ("tests/bench/run", "tests/run-all")]
folders = sorted(d for d in os.listdir(corpus) if os.path.isdir(os.path.join(corpus, d)))
c_slurp = re.compile(r'slurp\(\s*"([^"\n]+)"')
c_row = re.compile(r'\{\s*"((?:%s)/[^"\n]+)"' % "|".join(map(re.escape, folders)))
sh_prof = re.compile(r'\bprofile\s+"?([a-z0-9-]+)"?\s*\)')
sh_src = re.compile(r'\$\{?CP_SRC\}?/([A-Za-z0-9_.,+/-]+)')
def ignored(path):
    # made by packaging/install-deps or a build (git-ignored), not a fixture
    try:
        return subprocess.run(["git", "-C", root, "check-ignore", "-q", "--no-index", path],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return False

checked = 0
for f in tests:
    text = open(os.path.join(root, f), encoding="utf-8", errors="replace").read()
    if f.endswith(".c"):
        if "CP_CORPUS_DIR" not in text:
            continue
        text = re.sub(r'"\s*\n\s*"', "", text)  # join adjacent string literals
        # corpus files are named in slurp("...") calls and in table rows {"ips/...", ...}
        names = c_slurp.findall(text) + c_row.findall(text)
        if "/battery/%s" in text:  # test_battery_health.c reads relative to battery/
            names = ["battery/" + n for n in names]
        for n in names:
            checked += 1
            if not os.path.isfile(os.path.join(corpus, n)):
                problems.append("%s reads tests/corpus/%s, which is missing" % (f, n))
    else:
        # CP_CORPUS paths, and c- or C-variable paths where the script sets c/C to
        # "$CP_CORPUS[/sub]" (elsewhere $C may be a profile, not the corpus).
        alias = re.search(r'\b([cC])="?\$\{?CP_CORPUS\}?(/[A-Za-z0-9_.-]+)?"?\s*$', text, re.M)
        names = re.findall(r'\$\{?CP_CORPUS\}?/([A-Za-z0-9_.,+/()*-]+)', text)
        if alias:
            sub = (alias.group(2) or "").strip("/")
            names += [(sub + "/" if sub else "") + n for n in
                      re.findall(r'\$\{?%s\}?/([A-Za-z0-9_.,+/()*-]+)' % alias.group(1), text)]
        for n in names:
            checked += 1
            n = n.rstrip("/")
            if not glob.glob(os.path.join(corpus, n)):
                problems.append("%s reads tests/corpus/%s, which is missing" % (f, n))
        for n in sh_prof.findall(text):
            checked += 1
            if not os.path.isdir(os.path.join(root, "tests/sim/profiles", n)):
                problems.append("%s uses profile '%s', which is not shipped" % (f, n))
        for n in sh_src.findall(text):
            checked += 1
            if not os.path.exists(os.path.join(root, n.rstrip("/"))) and not ignored(n):
                problems.append("%s reads $CP_SRC/%s, which is missing" % (f, n))
if checked < 30:
    problems.append("only %d fixture references found in the tests: the scan is broken" % checked)

for p in problems:
    print("  " + p)
print("standalone: %d tracked files, %d fixture references checked, %d problem(s)"
      % (len(files), checked, len(problems)))
sys.exit(1 if problems else 0)
PY
echo "test_repo_standalone: ok"
