#!/usr/bin/env bash
# Installs the Debian packages and npm modules samtal needs, only those that are missing.
# Idempotent: a second run installs nothing and takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
  libglib2.0-dev libjson-glib-dev libsoup-3.0-dev libsqlite3-dev libsodium-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-nice gstreamer1.0-tools libnice-dev libsrtp2-dev libssl-dev
  tzdata openssl iproute2 procps ca-certificates
  nodejs npm chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Debian's npm package is not needed where Node.js already ships its own npm.
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}")
fi
if command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
fi
read -r -a missing <<< "${missing[*]:-}"

if [ "${#missing[@]}" -gt 0 ]; then
  echo "samtal: installing missing packages: ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "samtal: need root to install packages (run as root, or install them yourself)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Browser-test modules (playwright-core drives Debian's chromium; axe-core checks accessibility).
if [ -f tests/e2e/package.json ]; then
  if [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/axe-core ] \
     || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
    echo "samtal: installing browser-test modules"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
