#!/usr/bin/env bash
# Debian's Chromium for the portal's browser tests (tests/test_portal_browser.py drives it with Playwright),
# installed with apt when it is missing, so `make test` needs nothing by hand. Playwright's own browser downloads
# are never used.
set -euo pipefail

chromium=/usr/bin/chromium
[ -x "$chromium" ] && exit 0
command -v apt-get >/dev/null || { echo "browser.sh: missing $chromium: install Chromium with your package manager" >&2; exit 1; }
sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo -n)
echo "browser.sh: installing chromium with apt" >&2
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
[ -x "$chromium" ] || { echo "browser.sh: apt installed chromium, but $chromium is not there" >&2; exit 1; }
