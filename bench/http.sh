#!/usr/bin/env bash
# Requests, connections and wall time of a digest-only `sigaudit audit` of
# one release line over HTTP, against a local python.org-like mirror that
# adds a delay to every request (bench/httpbench: Apache-style listings,
# the release_file API, bundles, .asc files, SBOMs, built from the real
# digests table and bundles in testdata/realdata), compared with a
# reference client that makes only the needed requests over as many
# keep-alive connections as sigaudit has jobs, without verifying.
#
#   bench/http.sh [LINE] [JOBS]          (default 3.13, 4)
#
# Environment: DELAY (default 20ms), RUNS (default 3: the fastest run of
# each is reported), BASELINE=REF (also measure the sigaudit of git ref REF,
# e.g. main, built from `git archive`), ARTIFACTS=VERSION (also audit that
# version with its artifacts, served as synthetic bytes of their real size).
# Prints the tables and writes them to bench/HTTP-RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
LINE=${1:-3.13}
JOBS=${2:-4}
DELAY=${DELAY:-20ms}
RUNS=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -trimpath -o "$work/sigaudit" ./cmd/sigaudit
go build -o "$work/httpbench" ./bench/httpbench
exec > >(tee bench/HTTP-RESULTS.md)
echo "# sigaudit over HTTP: requests, connections, wall time"
echo
echo "Measured by \`bench/http.sh $LINE $JOBS\` (DELAY=$DELAY RUNS=$RUNS${BASELINE:+ BASELINE=$BASELINE}${ARTIFACTS:+ ARTIFACTS=$ARTIFACTS}); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
echo

echo "## sigaudit $(git rev-parse --short HEAD) ($(nproc) cores, $(go version | awk '{print $3}'), $(date -u +%Y-%m-%dT%H:%MZ))"
echo
"$work/httpbench" -sigaudit "$work/sigaudit" -line "$LINE" -jobs "$JOBS" -delay "$DELAY" -runs "$RUNS"

if [ -n "${ARTIFACTS:-}" ]; then
  echo
  echo "## with artifacts: audit $ARTIFACTS (synthetic bytes of each artifact's real size)"
  echo
  "$work/httpbench" -sigaudit "$work/sigaudit" -line "$LINE" -select "$ARTIFACTS" -artifacts -jobs "$JOBS" -delay "$DELAY" -runs "$RUNS"
fi

if [ -n "${BASELINE:-}" ]; then
  mkdir "$work/base"
  git archive "$BASELINE" | tar -x -C "$work/base"
  (cd "$work/base" && CGO_ENABLED=0 go build -trimpath -o "$work/sigaudit-base" ./cmd/sigaudit)
  echo
  echo "## baseline: sigaudit at $BASELINE ($(git rev-parse --short "$BASELINE"))"
  echo
  "$work/httpbench" -sigaudit "$work/sigaudit-base" -line "$LINE" -jobs "$JOBS" -delay "$DELAY" -runs "$RUNS"
fi
