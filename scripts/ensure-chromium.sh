#!/usr/bin/env bash
# Make sure a Chromium for the Playwright browser tests exists. The tests look for
# JAXDOJO_CHROMIUM (default /usr/bin/chromium) and fail loudly in CI if it is missing.
set -euo pipefail
CHROMIUM="${JAXDOJO_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
else
    echo "NOTE: $CHROMIUM not found and not root: browser tests will be reported as skipped" \
         "(install Debian's 'chromium' package, or set JAXDOJO_CHROMIUM)." >&2
fi
