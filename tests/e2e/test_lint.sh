#!/usr/bin/env bash
# The tree stays clean under cppcheck (tests/lint/run-lint.sh). The suite must
# not depend on a lint tool being there, so without cppcheck this says so and
# reports itself skipped (exit 77); packaging/install-deps installs it.
src="${CP_SRC:-$(dirname "$0")/../..}"
if ! command -v cppcheck >/dev/null; then
  echo "SKIP: cppcheck not installed (packaging/install-deps installs it)"
  exit 77
fi
exec bash "$src/tests/lint/run-lint.sh"
