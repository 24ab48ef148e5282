#!/usr/bin/env bash
# Checks that scripts/release.sh is reproducible: two clean clones of the
# same commit, at different paths, the first with the usual build cache and
# the second with an empty one (a full, independent build), give
# byte-identical binaries. PLATFORMS defaults to linux/amd64 (.ci/run);
# `make reproduce` checks all five.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=$(git rev-parse HEAD)
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
for i in 1 2; do
  git clone -q . "$tmp/src$i/sigaudit" && git -C "$tmp/src$i/sigaudit" checkout -q "$rev"
  cache=$(go env GOCACHE); [ "$i" = 2 ] && cache="$tmp/cache"
  (cd "$tmp/src$i/sigaudit" && GOCACHE="$cache" PLATFORMS="${PLATFORMS:-linux/amd64}" \
    ./scripts/release.sh v0.0.0-repro >/dev/null)
done
diff "$tmp/src1/sigaudit/dist/SHA256SUMS" "$tmp/src2/sigaudit/dist/SHA256SUMS"
echo "reproducible: $(wc -l < "$tmp/src1/sigaudit/dist/SHA256SUMS") binaries identical"
