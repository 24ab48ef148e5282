#!/usr/bin/env bash
# Builds sigaudit and runs it on the real python.org material in ../shared/realdata.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/sigaudit ./cmd/sigaudit
./bin/sigaudit policy
