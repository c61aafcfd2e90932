#!/usr/bin/env bash
# Builds the web app into web/dist/app, which the binary embeds: installs
# Node.js and npm from Debian packages when missing, installs the locked
# npm packages when package-lock.json changed since the last install, and
# builds. With "browser" it also makes Chromium and Chinese fonts available
# for the browser tests (from Debian packages; Playwright's own download
# needs the internet).
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/../web"

sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "web: installing Node.js and npm from Debian packages"
  apt_install nodejs npm
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "web: Node.js $(node --version) is too old; the web app's build needs 18 or later" >&2
  exit 1
fi

# Chromium, and fonts with Chinese glyphs for the screenshots of the app
# in Chinese (a bare Debian has none).
if [ "${1:-}" = "browser" ] && { ! command -v chromium >/dev/null || ! fc-list :lang=zh 2>/dev/null | grep -q .; }; then
  echo "web: installing Chromium and CJK fonts from Debian packages for the browser tests"
  apt_install chromium fonts-noto-cjk
fi

# npm ci only when the lockfile differs from the one last installed.
if ! cmp -s package-lock.json node_modules/.package-lock.installed 2>/dev/null; then
  echo "web: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.package-lock.installed
fi
# A module boundary keeps Go's ./... out of the npm packages, some of
# which ship Go files of their own.
[ -f node_modules/go.mod ] || printf 'module node_modules\n' > node_modules/go.mod

echo "web: building"
npm run --silent build
