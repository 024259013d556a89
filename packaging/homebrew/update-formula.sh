#!/bin/sh
# Writes a release's tarball url and sha256 into the Homebrew formula.
# usage: packaging/homebrew/update-formula.sh TARBALL URL
#   TARBALL  the file `cpack --config CPackSourceConfig.cmake` made
#   URL      where the release publishes it
set -eu
[ $# -eq 2 ] || { echo "usage: $0 TARBALL URL" >&2; exit 2; }
f=$(dirname "$0")/caseprobe.rb
sum=$(sha256sum "$1" | cut -d' ' -f1)
sed -i.bak -e "s|^  url \".*\"|  url \"$2\"|" -e "s|^  sha256 \".*\"|  sha256 \"$sum\"|" "$f"
rm -f "$f.bak"
echo "caseprobe.rb: url $2, sha256 $sum"
