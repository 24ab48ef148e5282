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
#   bench/run.sh [RUNS]        (default 11)
#
# Installs what it needs: gpg and GNU time from Debian, cosign with
# 'go install' from the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-11}
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

CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/sigaudit" ./cmd/sigaudit
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

# once CMD...: one run; prints "wall_seconds peak_rss_kb". Wall time is
# taken around GNU time with bash's microsecond clock (GNU time's own %e
# has 10 ms steps, too coarse at this scale); RSS comes from GNU time.
once() {
  local s e
  s=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$work/t" "$@" >/dev/null 2>&1 || { echo "benchmark command failed: $*" >&2; exit 1; }
  e=$EPOCHREALTIME
  echo "$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.4f", e - s}') $(cat "$work/t")"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.3f", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
minimum() { printf '%s\n' "$@" | sort -n | awk 'NR==1 {printf "%.3f", $1}'; }

# bench_set PREFIX CMD_A CMD_B CMD_C: RUNS rounds, each running (a), (b),
# (c) once, in a rotating order, so that drift on a shared machine hits
# all three alike. Sets PREFIX_{a,b,c}_t (median seconds), PREFIX_{a,b,c}_min
# (fastest run) and PREFIX_{a,b,c}_m (peak RSS, kB). Each command is one string, split on spaces (the paths have
# none).
bench_set() {
  local prefix=$1; shift
  local names=(a b c) cmds=("$@") i j k t m
  declare -A times rss
  # shellcheck disable=SC2086
  for k in 0 1 2; do once ${cmds[$k]} >/dev/null; rss[$k]=0; times[$k]=""; done  # warm-up
  for i in $(seq "$RUNS"); do
    # Rotate the order each round, so that no command always follows the
    # same one (cosign's 85 MiB leave the page cache and memory reclaim
    # busy for whatever runs next).
    for j in 0 1 2; do
      k=$(( (i + j) % 3 ))
      read -r t m < <(once ${cmds[$k]})
      times[$k]+="$t "
      (( m > rss[$k] )) && rss[$k]=$m
    done
  done
  for k in 0 1 2; do
    printf -v "${prefix}_${names[$k]}_t" '%s' "$(median ${times[$k]})"
    printf -v "${prefix}_${names[$k]}_min" '%s' "$(minimum ${times[$k]})"
    printf -v "${prefix}_${names[$k]}_m" '%s' "${rss[$k]}"
  done
}
real_b() { gpg --batch --verify "$A.asc" "$A" && \
  cosign verify-blob --offline --new-bundle-format --trusted-root testdata/realdata/trusted_root.json \
    --bundle "$A.sigstore" --certificate-identity thomas@python.org \
    --certificate-oidc-issuer https://accounts.google.com "$A"; }
gen_b() { gpg --batch --verify "$G.asc" "$G"; }
export -f real_b gen_b
export A G

# (a) and (c) run directly; (b) is two programs chained by a shell, as in
# a Dockerfile's RUN.
bench_set r "$SIGAUDIT verify $A" "bash -c real_b" "sha256sum $A"
bench_set g "$SIGAUDIT verify --policy $work/policy.yaml --keyring $work/bench-key.asc $G" "bash -c gen_b" "sha256sum $G"
a_t=$r_a_t b_t=$r_b_t c_t=$r_c_t a_m=$r_a_m b_m=$r_b_m c_m=$r_c_m
ga_t=$g_a_t gb_t=$g_b_t gc_t=$g_c_t ga_m=$g_a_m gb_m=$g_b_m gc_m=$g_c_m

# Digest-only audit of a synthetic 3,000-artifact mirror: generated keys and
# bundles, and again with a real python.org bundle behind every artifact.
go test ./internal/cli -run '^$' -bench 'AuditDigestOnly3000' -benchtime 3x > "$work/audit.txt"
secs() { awk -v b="$1" '$1 ~ "^"b"-" {printf "%.2f", $3/1e9}' "$work/audit.txt"; }
audit_s=$(secs BenchmarkAuditDigestOnly3000)
audit_real_s=$(secs BenchmarkAuditDigestOnly3000RealBundles)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k/1024}'; }
{
  echo "# sigaudit benchmark"
  echo
  echo "Measured by \`bench/run.sh $RUNS\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(go version | awk '{print $3}'),"
  echo "$(gpg --version | head -1), cosign $(cosign version 2>/dev/null | awk '/GitVersion/ {print $2}'). $RUNS rounds of (a), (b), (c) in rotating order;"
  echo "median wall time, with the fastest run in brackets (this is a shared VM: the medians move"
  echo "between runs, the fastest runs much less); ratios of medians, then of fastest runs; peak RSS"
  echo "from GNU time."
  echo
  echo "| input | (a) sigaudit verify | (b) gpg + cosign | (c) sha256sum | a/b | a/c | RSS a | RSS b | RSS c |"
  echo "|---|---|---|---|---|---|---|---|---|"
  echo "| Python-3.13.5.tar.xz (22.9 MB), PGP + Sigstore | ${a_t} s (${r_a_min}) | ${b_t} s (${r_b_min}) | ${c_t} s (${r_c_min}) | $(ratio "$a_t" "$b_t") ($(ratio "$r_a_min" "$r_b_min")) | $(ratio "$a_t" "$c_t") ($(ratio "$r_a_min" "$r_c_min")) | $(mib "$a_m") MiB | $(mib "$b_m") MiB | $(mib "$c_m") MiB |"
  echo "| generated 1 GiB, PGP (+ SHA-256) | ${ga_t} s (${g_a_min}) | ${gb_t} s (${g_b_min}) (gpg) | ${gc_t} s (${g_c_min}) | $(ratio "$ga_t" "$gb_t") ($(ratio "$g_a_min" "$g_b_min")) | $(ratio "$ga_t" "$gc_t") ($(ratio "$g_a_min" "$g_c_min")) | $(mib "$ga_m") MiB | $(mib "$gb_m") MiB | $(mib "$gc_m") MiB |"
  echo
  echo "Digest-only audit of 3,000 artifacts from a local mirror, 4 jobs, every bundle verified in"
  echo "full: **${audit_s} s** with generated keys and bundles (a generated Sigstore: CA, CT log,"
  echo "transparency log; a bundle, a leaf certificate and a PGP signature per artifact), and"
  echo "**${audit_real_s} s** with python.org's real v0.3 bundle (inclusion proof and checkpoint)"
  echo "behind every artifact, against the embedded public-good trust root."
} > bench/RESULTS.md
cat bench/RESULTS.md
