#!/usr/bin/env bash
# Checks that scripts/release.sh is reproducible: two clean clones of the
# same commit, at different paths and with separate build caches, give
# byte-identical binaries. Slow (two full builds); `make reproduce` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=$(git rev-parse HEAD)
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
for i in 1 2; do
  git clone -q . "$tmp/src$i/sigaudit" && git -C "$tmp/src$i/sigaudit" checkout -q "$rev"
  (cd "$tmp/src$i/sigaudit" && GOCACHE="$tmp/cache$i" PLATFORMS="${PLATFORMS:-linux/amd64 windows/amd64}" \
    ./scripts/release.sh v0.0.0-repro >/dev/null)
done
diff "$tmp/src1/sigaudit/dist/SHA256SUMS" "$tmp/src2/sigaudit/dist/SHA256SUMS"
echo "reproducible: $(wc -l < "$tmp/src1/sigaudit/dist/SHA256SUMS") binaries identical"
