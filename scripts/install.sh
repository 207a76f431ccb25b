#!/usr/bin/env bash
# Install newsbot and everything its tests need on a fresh Debian machine (run as root or with sudo).
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Servers the storage, distributed and reliability tests start for themselves (never mocked).
need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# Headless Chromium for the browser tests (tests/browser: Playwright drives Debian's build, never its own
# download) and a font with Arabic glyphs, so that what the tests see is what an Arabic reader sees.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
ls /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf >/dev/null 2>&1 || need_apt+=(fonts-noto-core)
if [ ${#need_apt[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# pip 23 trips over the lxml[html-clean] extra that trafilatura pulls in: upgrade first.
python3 -m pip install -q --upgrade pip
python3 -m pip install -q -e '.[dev,archive]'
