#!/usr/bin/env bash
# Builds sigaudit and runs it on the real python.org material in ../shared/realdata:
# lays it out like python.org/ftp/python/ under mirror/, verifies the real
# Python-3.13.5.tar.xz (PGP + Sigstore), then audits the whole mirror.
set -euo pipefail
cd "$(dirname "$0")/.."
REALDATA=${REALDATA:-../shared/realdata}
go build -o bin/sigaudit ./cmd/sigaudit
rm -rf mirror
go run scripts/mkmirror.go -realdata "$REALDATA" -artifact "$REALDATA/artifacts/Python-3.13.5.tar.xz" mirror
echo
echo '$ sigaudit verify mirror/3.13.5/Python-3.13.5.tar.xz'
./bin/sigaudit verify mirror/3.13.5/Python-3.13.5.tar.xz
echo
echo '$ sigaudit audit --source mirror --api mirror/api.json --digest-only all'
# Exit 3 is expected here: the mirror holds only three real .asc files, so
# most PGP-guaranteed artifacts show a gap.
rc=0
./bin/sigaudit audit --source mirror --api mirror/api.json --digest-only all || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]
