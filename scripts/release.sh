#!/usr/bin/env bash
# Builds static, reproducible sigaudit binaries for every release platform
# into dist/ (or $DIST), with a SHA256SUMS file:
#
#   scripts/release.sh [VERSION]
#
# Reproducible: -trimpath, CGO_ENABLED=0, an empty build id, no symbol table,
# and the version from the argument (default: git describe). Two runs on the
# same commit give byte-identical files (scripts/release_test.sh checks it).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${1:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}
DIST=${DIST:-dist}
PLATFORMS=${PLATFORMS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64"}
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -trimpath" GOTOOLCHAIN=${GOTOOLCHAIN:-local}
rm -rf "$DIST" && mkdir -p "$DIST"
for p in $PLATFORMS; do
  os=${p%/*} arch=${p#*/}
  out="$DIST/sigaudit-$VERSION-$os-$arch"
  [ "$os" = windows ] && out="$out.exe"
  GOOS=$os GOARCH=$arch go build -ldflags "-s -w -buildid= -X github.com/sigaudit/sigaudit/internal/cli.version=$VERSION" \
    -o "$out" ./cmd/sigaudit
done
(cd "$DIST" && sha256sum sigaudit-* > SHA256SUMS)
cat "$DIST/SHA256SUMS"
