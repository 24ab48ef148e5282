#!/usr/bin/env bash
# Runs every fuzz target for a set time each (default 10m):
#   scripts/fuzz.sh [DURATION]
# New interesting inputs stay in Go's fuzz cache; crashers are written to
# PACKAGE/testdata/fuzz/TARGET/ (commit them with the fix).
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-10m}
for pkg in ./pgp ./sigstore ./timeline ./source ./internal/prehash; do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
    echo "== $pkg $target ($time)"
    go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$time" ${FUZZFLAGS:-}
  done
done
