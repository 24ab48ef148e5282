#!/usr/bin/env bash
# What can be tested of the container image without docker: the static
# binary runs with an empty environment in an empty root (no /etc, no
# certificates, no home), as the image's scratch stage has it.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -buildid=" -o "$tmp/root/sigaudit" ./cmd/sigaudit
if file "$tmp/root/sigaudit" 2>/dev/null | grep -q 'dynamically linked'; then
  echo "static_test: binary is dynamically linked" >&2; exit 1
fi
if [ "$(id -u)" = 0 ] && CHROOT=$(command -v chroot || echo /usr/sbin/chroot) && [ -x "$CHROOT" ]; then
  env -i "$CHROOT" "$tmp/root" /sigaudit version
  env -i "$CHROOT" "$tmp/root" /sigaudit policy 3.13 >/dev/null
  # a job that needs the embedded trust root and keyring, in the empty root
  mkdir -p "$tmp/root/w"
  cp testdata/realdata/sigstore-bundles/Python-3.13.5.tar.xz.sigstore testdata/realdata/asc/Python-3.13.5.tar.xz.asc "$tmp/root/w/"
  env -i "$CHROOT" "$tmp/root" /sigaudit verify --sha256 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640 /w/Python-3.13.5.tar.xz \
    | grep -q 'verified'
  echo "static_test: runs in an empty root with an empty environment"
else
  env -i "$tmp/root/sigaudit" version
  echo "static_test: not root: ran with an empty environment only (no chroot)"
fi
