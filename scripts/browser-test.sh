#!/bin/sh
# browser-test.sh [SCREENSHOT_DIR]: render the HTML report of the whole
# 3.7+ history and the timeline SVG in headless Chromium (Debian's package,
# installed here if missing) and check them: no console errors, no network
# request, the DOM's numbers equal the JSON summary, a filter leaves the
# right rows, screenshots saved (report.png, timeline.png).
set -eu
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
	echo "browser-test: installing chromium (apt-get)" >&2
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
SIGAUDIT_BROWSER_TEST=1 SIGAUDIT_SCREENSHOTS="$(cd "$out" && pwd)" go test -count=1 -run '^TestBrowser$' -v ./report
echo "browser-test: screenshots in $out" >&2
