#!/usr/bin/env bash
# Benchmarks sigaudit against the tools it replaces, measured in the same run:
#   (a) sigaudit verify (PGP + Sigstore, one read of the artifact)
#   (b) gpg --verify followed by cosign verify-blob --offline
#   (c) sha256sum alone
# on the real Python-3.13.5.tar.xz (22.9 MB) and on a generated 1 GB file
# (generated PGP key; Sigstore cannot be produced offline for it, so (a) and
# (b) are PGP-only there, and sigaudit still computes SHA-256 as it always
# does). Several runs each, medians, ratios a/b and a/c, peak RSS (GNU time).
# Also times a digest-only audit of a synthetic 3,000-artifact local mirror.
# Writes bench/RESULTS.md.
#
#   bench/run.sh [RUNS]        (default 5)
#
# Installs what it needs: gpg and GNU time from Debian, cosign with
# 'go install' from the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
REALDATA=${REALDATA:-../shared/realdata}
TARBALL=$REALDATA/artifacts/Python-3.13.5.tar.xz
COSIGN_VERSION=${COSIGN_VERSION:-latest}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

need() { command -v "$1" >/dev/null 2>&1; }
if ! need gpg || ! [ -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq gnupg time >/dev/null
fi
export PATH="$(go env GOPATH)/bin:$PATH"
if ! need cosign; then
  GOFLAGS= go install "github.com/sigstore/cosign/v2/cmd/cosign@${COSIGN_VERSION}"
fi

go build -trimpath -ldflags='-s -w' -o "$work/sigaudit" ./cmd/sigaudit
SIGAUDIT=$work/sigaudit

# Real tarball and its signatures.
mkdir -p "$work/real/3.13.5"
cp "$TARBALL" "$work/real/3.13.5/"
cp testdata/realdata/asc/Python-3.13.5.tar.xz.asc testdata/realdata/sigstore-bundles/Python-3.13.5.tar.xz.sigstore "$work/real/3.13.5/"
A=$work/real/3.13.5/Python-3.13.5.tar.xz
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --import pgp/keys/thomas-wouters.asc 2>/dev/null

# Generated 1 GB file, signed by a generated key; a policy file makes its
# line (3.99) PGP-only with that key.
G=$work/gen/3.99.0/Python-3.99.0.tar.xz
mkdir -p "$(dirname "$G")"
head -c 1073741824 /dev/urandom > "$G"
gpg --batch --quiet --passphrase '' --quick-gen-key 'Bench RM <bench@example.org>' rsa4096 sign never 2>/dev/null
FPR=$(gpg --batch --with-colons --list-keys bench@example.org | awk -F: '/^fpr/ {print $10; exit}')
gpg --batch --quiet --yes --pinentry-mode loopback --passphrase '' --digest-algo SHA512 --armor --detach-sign -o "$G.asc" "$G"
gpg --batch --armor --export "$FPR" > "$work/bench-key.asc"
cat > "$work/policy.yaml" <<YAML
managers: [{id: bench, name: Bench RM, pgp: [$FPR]}]
lines: [{line: "3.99", manager: bench, identity: bench@example.org, issuer: https://accounts.google.com, first_stable: "2020-01-01", end_of_life: "2099-01"}]
YAML

# measure NAME CMD...: RUNS runs, prints "median_seconds peak_rss_kb".
measure() {
  local name=$1; shift
  local times=() rss=0
  "$@" >/dev/null 2>&1 || { echo "benchmark command failed: $*" >&2; exit 1; }  # warm-up
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %M' -o "$work/t" "$@" >/dev/null 2>&1
    read -r t m < "$work/t"
    times+=("$t")
    (( m > rss )) && rss=$m
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  echo "$med $rss"
}
peers_real() {
  gpg --batch --verify "$A.asc" "$A" && \
  cosign verify-blob --offline --new-bundle-format --trusted-root testdata/realdata/trusted_root.json \
    --bundle "$A.sigstore" --certificate-identity thomas@python.org \
    --certificate-oidc-issuer https://accounts.google.com "$A"
}
peers_gen() { gpg --batch --verify "$G.asc" "$G"; }
export -f peers_real peers_gen
export A G

read -r a_t a_m < <(measure sigaudit "$SIGAUDIT" verify "$A")
read -r b_t b_m < <(measure peers bash -c peers_real)
read -r c_t c_m < <(measure sha256sum sha256sum "$A")
read -r ga_t ga_m < <(measure sigaudit "$SIGAUDIT" verify --policy "$work/policy.yaml" --keyring "$work/bench-key.asc" "$G")
read -r gb_t gb_m < <(measure gpg bash -c peers_gen)
read -r gc_t gc_m < <(measure sha256sum sha256sum "$G")

# Digest-only audit of a synthetic 3,000-artifact mirror (real bundles).
go test ./internal/cli -run '^$' -bench 'AuditDigestOnly3000' -benchtime 3x > "$work/audit.txt"
audit_ns=$(awk '/BenchmarkAuditDigestOnly3000/ {print $3}' "$work/audit.txt")
audit_s=$(awk -v n="$audit_ns" 'BEGIN {printf "%.2f", n/1e9}')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k/1024}'; }
{
  echo "# sigaudit benchmark"
  echo
  echo "Measured by \`bench/run.sh $RUNS\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(go version | awk '{print $3}'),"
  echo "$(gpg --version | head -1), cosign $(cosign version 2>/dev/null | awk '/GitVersion/ {print $2}'). Median of $RUNS runs; peak RSS from GNU time."
  echo
  echo "| input | (a) sigaudit verify | (b) gpg + cosign | (c) sha256sum | a/b | a/c | RSS a | RSS b | RSS c |"
  echo "|---|---|---|---|---|---|---|---|---|"
  echo "| Python-3.13.5.tar.xz (22.9 MB), PGP + Sigstore | ${a_t} s | ${b_t} s | ${c_t} s | $(ratio "$a_t" "$b_t") | $(ratio "$a_t" "$c_t") | $(mib "$a_m") MiB | $(mib "$b_m") MiB | $(mib "$c_m") MiB |"
  echo "| generated 1 GiB, PGP (+ SHA-256) | ${ga_t} s | ${gb_t} s (gpg) | ${gc_t} s | $(ratio "$ga_t" "$gb_t") | $(ratio "$ga_t" "$gc_t") | $(mib "$ga_m") MiB | $(mib "$gb_m") MiB | $(mib "$gc_m") MiB |"
  echo
  echo "Digest-only audit of 3,000 artifacts from a local mirror (each a real python.org bundle"
  echo "verified in full against the embedded trust root, 4 jobs): **${audit_s} s**."
} > bench/RESULTS.md
cat bench/RESULTS.md
