#!/usr/bin/env bash
# Measures every acceptance figure of issue 18 ("Performance II") on this
# machine, ratios always from the same run, and writes bench/RESULTS.md:
#
#  1. verify of both methods on the real Python-3.13.5.tar.xz (22.9 MB)
#     against openssl dgst -sha512, gpg + cosign, and sha256sum;
#  2. verify with a SHA-256-signed .asc + bundle against the bundle alone
#     (the real tarball signed with a generated key, --digest-algo SHA256,
#     made the 3.13 line's key through a policy file);
#  3. fixed cost: sigaudit version, --version, policy 3.13 (many runs);
#  4. whole 3.7+ history, digest-only audit from a local directory: CPU
#     (user+sys), wall, peak RSS;
#  5. the same mix at ~1,000 and ~12,000 artifacts: RSS and time per
#     artifact;
#  6. HTTP: bench/http.sh (requests, connections, wall vs a reference
#     client), its output copied in.
#
#   bench/run.sh [RUNS]        (default 11; fixed cost uses 5x RUNS)
#
# Environment: REALDATA (default ../shared/realdata), BASELINE=REF also
# measures the sigaudit of git ref REF (built from `git archive`) for 1-3,
# SKIP_HTTP=1 skips 6, COSIGN_VERSION (default v2.6.5).
#
# Installs what it needs: gpg and GNU time from Debian, cosign with
# 'go install' from the Go module proxy (the cosign figure is left out,
# and RESULTS.md says so, if that fails). Timing: bench/timeit runs the
# commands of one figure in rotating order, RUNS rounds, and reports
# median and fastest wall, median CPU (user+sys of the child) and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-11}
REALDATA=${REALDATA:-../shared/realdata}
TARBALL=$REALDATA/artifacts/Python-3.13.5.tar.xz
COSIGN_VERSION=${COSIGN_VERSION:-v2.6.5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

need() { command -v "$1" >/dev/null 2>&1; }
if ! need gpg || ! [ -x /usr/bin/time ] || ! need openssl; then
  apt-get update -qq && apt-get install -y -qq gnupg time openssl >/dev/null
fi
export PATH="$(go env GOPATH)/bin:$PATH"
if ! need cosign; then
  GOFLAGS= go install "github.com/sigstore/cosign/v2/cmd/cosign@${COSIGN_VERSION}" || true
fi
have_cosign=0
need cosign && have_cosign=1

load() { awk '{print $1", "$2", "$3}' /proc/loadavg; }
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/sigaudit" ./cmd/sigaudit
go build -o "$work/timeit" ./bench/timeit
SIGAUDIT=$work/sigaudit
T=$work/timeit
if [ -n "${BASELINE:-}" ]; then
  mkdir "$work/base"
  git archive "$BASELINE" | tar -x -C "$work/base"
  (cd "$work/base" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/sigaudit-base" ./cmd/sigaudit)
fi

# col FILE LABEL N: field N of LABEL's line in a timeit output.
col() { awk -F'\t' -v l="$2" -v n="$3" '$1 == l {print $n}' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k/1024}'; }
ms() { awk -v s="$1" 'BEGIN {printf "%.1f", s*1000}'; }
verdict() { awk -v x="$1" -v lim="$2" 'BEGIN {print (x <= lim ? "met" : "not met")}'; }
row() { # FILE LABEL: "| label | median wall (fastest) | median CPU | RSS |"
  echo "| $2 | $(col "$1" "$2" 2) s ($(col "$1" "$2" 3)) | $(col "$1" "$2" 4) s | $(mib "$(col "$1" "$2" 6)") MiB |"
}

# --- 1. the real tarball -------------------------------------------------
mkdir -p "$work/real/3.13.5"
cp "$TARBALL" "$work/real/3.13.5/"
cp testdata/realdata/asc/Python-3.13.5.tar.xz.asc testdata/realdata/sigstore-bundles/Python-3.13.5.tar.xz.sigstore "$work/real/3.13.5/"
A=$work/real/3.13.5/Python-3.13.5.tar.xz
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --import pgp/keys/thomas-wouters.asc 2>/dev/null
cat > "$work/peers.sh" <<EOF
#!/usr/bin/env bash
set -e
export GNUPGHOME=$GNUPGHOME
gpg --batch --quiet --verify "$A.asc" "$A" 2>/dev/null
if [ "$have_cosign" = 1 ]; then
  cosign verify-blob --offline --new-bundle-format --trusted-root testdata/realdata/trusted_root.json \
    --bundle "$A.sigstore" --certificate-identity thomas@python.org \
    --certificate-oidc-issuer https://accounts.google.com "$A" 2>/dev/null
fi
EOF
chmod +x "$work/peers.sh"
load1=$(load)
$T -n "$RUNS" -label sigaudit -label peers -label openssl -label sha256sum \
  -- "$SIGAUDIT" verify "$A" ::: "$work/peers.sh" ::: openssl dgst -sha512 "$A" ::: sha256sum "$A" > "$work/r1"
if [ -n "${BASELINE:-}" ]; then
  $T -n "$RUNS" -label base -label new -label openssl \
    -- "$work/sigaudit-base" verify "$A" ::: "$SIGAUDIT" verify "$A" ::: openssl dgst -sha512 "$A" > "$work/r1b"
fi

# --- 2. SHA-256-signed .asc + bundle vs bundle alone ---------------------
mkdir -p "$work/s256/3.13.5" "$work/bundle/3.13.5"
ln "$A" "$work/s256/3.13.5/"
ln "$A" "$work/bundle/3.13.5/"
cp "$A.sigstore" "$work/s256/3.13.5/"
cp "$A.sigstore" "$work/bundle/3.13.5/"
gpg --batch --quiet --passphrase '' --quick-gen-key 'Bench RM <bench@example.org>' ed25519 sign never 2>/dev/null
FPR=$(gpg --batch --with-colons --list-keys bench@example.org | awk -F: '/^fpr/ {print $10; exit}')
S=$work/s256/3.13.5/Python-3.13.5.tar.xz
gpg --batch --quiet --yes --pinentry-mode loopback --passphrase '' --digest-algo SHA256 --armor --detach-sign -o "$S.asc" "$S"
gpg --batch --armor --export "$FPR" > "$work/bench-key.asc"
cat > "$work/policy.yaml" <<YAML
managers: [{id: bench, name: Bench RM, pgp: ["$FPR"]}]
lines:
  - {line: "3.13", pep: 719, manager: bench, identity: thomas@python.org, issuer: https://accounts.google.com,
     first_stable: "2024-10-07", end_of_life: "2029-10", sigstore_from: {source: 3.13.0}}
YAML
"$SIGAUDIT" verify --policy "$work/policy.yaml" --keyring "$work/bench-key.asc" "$S" >/dev/null \
  || { echo "SHA-256 .asc + bundle does not verify" >&2; exit 1; }
P2=(verify --policy "$work/policy.yaml" --keyring "$work/bench-key.asc")
load2=$(load)
# The bundle alone exits 3 (pgp-missing: the policy expects PGP).
$T -n "$RUNS" -ok 0,3 -label asc256+bundle -label bundle \
  -- "$SIGAUDIT" "${P2[@]}" "$S" ::: "$SIGAUDIT" "${P2[@]}" "$work/bundle/3.13.5/Python-3.13.5.tar.xz" > "$work/r2"
if [ -n "${BASELINE:-}" ]; then
  $T -n "$RUNS" -ok 0,3 -label asc256+bundle -label bundle \
    -- "$work/sigaudit-base" "${P2[@]}" "$S" ::: "$work/sigaudit-base" "${P2[@]}" "$work/bundle/3.13.5/Python-3.13.5.tar.xz" > "$work/r2b"
fi

# --- 3. fixed cost ---------------------------------------------------------
load3=$(load)
FR=$((RUNS * 5))
if [ -n "${BASELINE:-}" ]; then
  $T -n "$FR" -label "version (base)" -label "version" -label "--version (base)" -label "--version" -label "policy 3.13 (base)" -label "policy 3.13" \
    -- "$work/sigaudit-base" version ::: "$SIGAUDIT" version ::: "$work/sigaudit-base" --version ::: "$SIGAUDIT" --version \
    ::: "$work/sigaudit-base" policy 3.13 ::: "$SIGAUDIT" policy 3.13 > "$work/r3"
else
  $T -n "$FR" -label "version" -label "--version" -label "policy 3.13" \
    -- "$SIGAUDIT" version ::: "$SIGAUDIT" --version ::: "$SIGAUDIT" policy 3.13 > "$work/r3"
fi

# --- 4, 5. local digest-only audits ---------------------------------------
go run ./bench/mkscaled -realdata "$REALDATA" "$work/hist" > "$work/hist.n"
go run ./bench/mkscaled -realdata "$REALDATA" -lines 3.10,3.11,3.12,3.13 "$work/s1" > "$work/s1.n"
go run ./bench/mkscaled -realdata "$REALDATA" -lines 3.10,3.11,3.12,3.13 -copies 13 "$work/s13" > "$work/s13.n"
AR=$(( RUNS < 3 ? RUNS : 3 ))
audit() { echo "$SIGAUDIT" audit --source "$1" --api "$1/api.json" --digest-only --format json all; }
load4=$(load)
# shellcheck disable=SC2046
$T -n "$AR" -warmup 0 -ok 0,3 -label history -- $(audit "$work/hist") > "$work/r4"
load5=$(load)
# shellcheck disable=SC2046
$T -n "$AR" -warmup 0 -ok 0,3 -label small -label large -- $(audit "$work/s1") ::: $(audit "$work/s13") > "$work/r5"

# --- 6. HTTP ---------------------------------------------------------------
load6=$(load)
if [ -z "${SKIP_HTTP:-}" ]; then
  # http.sh also writes bench/HTTP-RESULTS.md (its own record): keep that
  # file as it was, the figures go into RESULTS.md.
  [ -f bench/HTTP-RESULTS.md ] && cp bench/HTTP-RESULTS.md "$work/http-results.md"
  RUNS=3 ARTIFACTS=3.13.5 bench/http.sh 3.13 4 > "$work/http.txt" 2>&1 || echo "(bench/http.sh failed)" >> "$work/http.txt"
  [ -f "$work/http-results.md" ] && cp "$work/http-results.md" bench/HTTP-RESULTS.md
fi

# --- RESULTS.md --------------------------------------------------------------
r1a_w=$(col "$work/r1" sigaudit 2) r1a_c=$(col "$work/r1" sigaudit 4)
r1b_w=$(col "$work/r1" peers 2) r1o_w=$(col "$work/r1" openssl 2) r1s_w=$(col "$work/r1" sha256sum 2)
r1a_f=$(col "$work/r1" sigaudit 3) r1o_f=$(col "$work/r1" openssl 3) r1s_f=$(col "$work/r1" sha256sum 3) r1b_f=$(col "$work/r1" peers 3)
r2a_w=$(col "$work/r2" asc256+bundle 2) r2b_w=$(col "$work/r2" bundle 2)
r2a_c=$(col "$work/r2" asc256+bundle 4) r2b_c=$(col "$work/r2" bundle 4)
h_w=$(col "$work/r4" history 2) h_c=$(col "$work/r4" history 4) h_m=$(col "$work/r4" history 6)
n1=$(cat "$work/s1.n") n13=$(cat "$work/s13.n") nh=$(cat "$work/hist.n")
s_w=$(col "$work/r5" small 2) l_w=$(col "$work/r5" large 2)
s_c=$(col "$work/r5" small 4) l_c=$(col "$work/r5" large 4)
s_m=$(col "$work/r5" small 6) l_m=$(col "$work/r5" large 6)
per() { awk -v t="$1" -v n="$2" 'BEGIN {printf "%.3f", t/n*1000}'; }
{
  echo "# sigaudit benchmark (issue 18)"
  echo
  echo "Measured by \`bench/run.sh $RUNS\`${BASELINE:+ with BASELINE=$BASELINE} on $(date -u +%Y-%m-%dT%H:%MZ), sigaudit $(git rev-parse --short HEAD),"
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(go version | awk '{print $3}'),"
  echo "$(gpg --version | head -1), $(openssl version | awk '{print $1, $2}'), cosign $( [ $have_cosign = 1 ] && cosign version 2>/dev/null | awk '/GitVersion/ {print $2}' || echo 'not installed: the peers column is gpg alone')."
  echo "Load average (1, 5, 15 min) when each part started: 1: $load1; 2: $load2; 3: $load3; 4: $load4; 5: $load5; 6: $load6."
  echo "Timing by \`bench/timeit\` (commands of one figure in rotating order; median wall, fastest in"
  echo "brackets, median CPU = user+sys of the child, peak RSS). Ratios are of medians from the same run."
  echo
  echo "## Acceptance"
  echo
  echo "| figure | measured | limit | |"
  echo "|---|---|---|---|"
  echo "| verify (PGP + Sigstore) / openssl dgst -sha512, 22.9 MB | $(ratio "$r1a_w" "$r1o_w") (fastest $(ratio "$r1a_f" "$r1o_f")) | 1.3 | $(verdict "$(ratio "$r1a_w" "$r1o_w")" 1.3) |"
  echo "| verify / (gpg + cosign) | $(ratio "$r1a_w" "$r1b_w") (fastest $(ratio "$r1a_f" "$r1b_f"))$( [ $have_cosign = 1 ] || echo ' (gpg alone)') | 0.5 | $(verdict "$(ratio "$r1a_w" "$r1b_w")" 0.5) |"
  echo "| verify / sha256sum | $(ratio "$r1a_w" "$r1s_w") (fastest $(ratio "$r1a_f" "$r1s_f")) | 1.0 | $(verdict "$(ratio "$r1a_w" "$r1s_w")" 1.0) |"
  echo "| verify peak RSS | $(mib "$(col "$work/r1" sigaudit 6)") MiB | 40 MiB | $(verdict "$(mib "$(col "$work/r1" sigaudit 6)")" 40) |"
  echo "| SHA-256 .asc + bundle / bundle alone, wall | $(ratio "$r2a_w" "$r2b_w") | 1.15 | $(verdict "$(ratio "$r2a_w" "$r2b_w")" 1.15) |"
  echo "| SHA-256 .asc + bundle / bundle alone, CPU | $(ratio "$r2a_c" "$r2b_c") | 1.15 | $(verdict "$(ratio "$r2a_c" "$r2b_c")" 1.15) |"
  echo "| whole history ($nh artifacts) CPU (user+sys) | $h_c s | 2.5 s | $(verdict "$h_c" 2.5) |"
  echo "| whole history wall / CPU | $(ratio "$h_w" "$h_c") ($h_w s wall) | 0.65 | $(verdict "$(ratio "$h_w" "$h_c")" 0.65) |"
  echo "| whole history peak RSS | $(mib "$h_m") MiB | 40 MiB | $(verdict "$(mib "$h_m")" 40) |"
  echo "| RSS at $n13 artifacts - at $n1 | $(awk -v a="$l_m" -v b="$s_m" 'BEGIN {printf "%.1f", (a-b)/1024}') MiB ($(mib "$l_m") vs $(mib "$s_m")) | 16 MiB | $(verdict "$(awk -v a="$l_m" -v b="$s_m" 'BEGIN {printf "%.1f", (a-b)/1024}')" 16) |"
  echo "| wall per artifact, $n13 / $n1 | $(ratio "$(per "$l_w" "$n13")" "$(per "$s_w" "$n1")") ($(per "$l_w" "$n13") vs $(per "$s_w" "$n1") ms) | 1.15 | $(verdict "$(ratio "$(per "$l_w" "$n13")" "$(per "$s_w" "$n1")")" 1.15) |"
  echo "| CPU per artifact, $n13 / $n1 | $(ratio "$(per "$l_c" "$n13")" "$(per "$s_c" "$n1")") ($(per "$l_c" "$n13") vs $(per "$s_c" "$n1") ms) | (1.15) | $(verdict "$(ratio "$(per "$l_c" "$n13")" "$(per "$s_c" "$n1")")" 1.15) |"
  echo
  echo "HTTP figures: section 6 below (bench/http.sh, its own verdicts)."
  echo
  echo "## 1. verify on the real Python-3.13.5.tar.xz (22.9 MB), PGP + Sigstore"
  echo
  echo "\`timeit -n $RUNS -- sigaudit verify A ::: peers.sh ::: openssl dgst -sha512 A ::: sha256sum A\`, where peers.sh is"
  echo "\`gpg --verify A.asc A\` then \`cosign verify-blob --offline --new-bundle-format --trusted-root testdata/realdata/trusted_root.json --bundle A.sigstore --certificate-identity thomas@python.org --certificate-oidc-issuer https://accounts.google.com A\`."
  echo
  echo "| command | wall, median (fastest) | CPU, median | peak RSS |"
  echo "|---|---|---|---|"
  for l in sigaudit peers openssl sha256sum; do row "$work/r1" "$l"; done
  if [ -n "${BASELINE:-}" ]; then
    echo
    echo "Against $BASELINE, same run:"
    echo
    echo "| command | wall, median (fastest) | CPU, median | peak RSS |"
    echo "|---|---|---|---|"
    for l in base new openssl; do row "$work/r1b" "$l"; done
  fi
  echo
  echo "## 2. SHA-256-signed .asc + bundle vs the bundle alone"
  echo
  echo "The real tarball signed with a generated ed25519 key (\`gpg --digest-algo SHA256 --detach-sign\`), made"
  echo "the 3.13 line's key by a policy file: \`sigaudit verify --policy policy.yaml --keyring key.asc\` on a"
  echo "directory with the .asc and the real bundle, and on one with the bundle alone (exit 3, pgp-missing)."
  echo
  echo "| command | wall, median (fastest) | CPU, median | peak RSS |"
  echo "|---|---|---|---|"
  for l in asc256+bundle bundle; do row "$work/r2" "$l"; done
  if [ -n "${BASELINE:-}" ]; then
    echo
    echo "$BASELINE, same figure: wall ratio $(ratio "$(col "$work/r2b" asc256+bundle 2)" "$(col "$work/r2b" bundle 2)"), CPU ratio $(ratio "$(col "$work/r2b" asc256+bundle 4)" "$(col "$work/r2b" bundle 4)")."
  fi
  echo
  echo "## 3. Fixed cost"
  echo
  echo "\`timeit -n $FR\` over \`sigaudit version\`, \`sigaudit --version\`, \`sigaudit policy 3.13\`:"
  echo
  echo "| command | wall, median (fastest) | CPU, median | peak RSS |"
  echo "|---|---|---|---|"
  tail -n +2 "$work/r3" | while IFS=$'\t' read -r l _; do row "$work/r3" "$l"; done
  echo
  echo "## 4. Whole 3.7+ history, digest-only audit from a local directory"
  echo
  echo "\`go run ./bench/mkscaled DIR\` ($nh artifacts, internal/mirror.BuildHistory: python.org's own bundle where"
  echo "realdata has it, else a real bundle of the same line, the API giving its digest), then"
  echo "\`timeit -n $AR -- sigaudit audit --source DIR --api DIR/api.json --digest-only --format json all\`:"
  echo
  echo "| command | wall, median (fastest) | CPU, median | peak RSS |"
  echo "|---|---|---|---|"
  row "$work/r4" history
  echo
  echo "## 5. Flat in artifact count"
  echo
  echo "Lines 3.10-3.13 once ($n1 artifacts: \`mkscaled -lines 3.10,3.11,3.12,3.13\`) and 13 times ($n13:"
  echo "\`-copies 13\`, copy k of X.Y.Z renamed X.Y.(Z+30k)), the same audit command:"
  echo
  echo "| tree | wall, median (fastest) | CPU, median | peak RSS |"
  echo "|---|---|---|---|"
  row "$work/r5" small
  row "$work/r5" large
  echo
  echo "## 6. HTTP (bench/http.sh 3.13 4, RUNS=3, ARTIFACTS=3.13.5)"
  echo
  if [ -z "${SKIP_HTTP:-}" ]; then
    sed 's/^## /### /' "$work/http.txt"
  else
    echo "Skipped (SKIP_HTTP)."
  fi
} > bench/RESULTS.md
cat bench/RESULTS.md
