#!/usr/bin/env bash
# The quick start. Builds sigaudit and runs its main jobs offline on real
# python.org material that ships in this repository (testdata/realdata: real
# Sigstore bundles, real .asc files, the public-good trust root, python.org's
# digest table), laid out like python.org/ftp/python/ under mirror/.
#
# Where ../shared/realdata is present (or REALDATA names such a folder with
# artifacts/Python-3.13.5.tar.xz), it also verifies the real 23 MB tarball.
# It never needs the network.
set -euo pipefail
cd "$(dirname "$0")/.."

REALDATA=${REALDATA:-}
if [ -z "$REALDATA" ]; then
  if [ -d ../shared/realdata/sigstore-bundles ]; then REALDATA=../shared/realdata; else REALDATA=testdata/realdata; fi
fi
TARBALL="$REALDATA/artifacts/Python-3.13.5.tar.xz"
[ -f "$TARBALL" ] || TARBALL=""

run() { echo; echo "\$ sigaudit $*"; ./bin/sigaudit "$@"; }
# run_findings allows exit 3 (the job finished and found gaps): that is the
# point of an audit of a partial mirror.
run_findings() { local rc=0; run "$@" || rc=$?; [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || exit "$rc"; }

go build -buildvcs=auto -o bin/sigaudit ./cmd/sigaudit
./bin/sigaudit version

echo; echo "# What PEP 761 guarantees for the lines a packager ships"
run policy 3.12 3.13 3.14

rm -rf mirror
go run scripts/mkmirror.go -realdata "$REALDATA" -artifact "$TARBALL" mirror

echo; echo "# Real python.org bundles, verified offline against the release managers' identities"
if [ -n "$TARBALL" ]; then
  run verify mirror/3.13.5/Python-3.13.5.tar.xz
else
  # No 23 MB tarball here: verify its real bundle over python.org's SHA-256.
  run verify --sha256 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640 \
    mirror/3.13.5/Python-3.13.5.tar.xz
fi
run verify-bundle --bundle mirror/3.14.0/Python-3.14.0.tgz.sigstore \
  --identity hugo@python.org --issuer https://github.com/login/oauth \
  --sha256 "$(awk -F'\t' '$1 ~ /\/3\.14\.0\/Python-3\.14\.0\.tgz$/ {print $2}' testdata/realdata/cpython-release-tracker-sha256.tsv)"

echo; echo "# The whole mirror, digest-only (exit 3 expected: it holds a few real .asc files only)"
run_findings audit --source mirror --api mirror/api.json --digest-only all
