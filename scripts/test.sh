#!/usr/bin/env bash
# Install what the tests need (only when it changed) and run the whole test suite.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Prints one checksum for the given files, to tell whether an install is still current.
fingerprint() {
  cat "$@" | sha256sum | cut -d' ' -f1
}

install_python() {
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  local want
  want="$(fingerprint pyproject.toml)"
  if [ "$(cat .venv/.care-installed 2>/dev/null || true)" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
    echo "$want" > .venv/.care-installed
  fi
}

install_node() {
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "scripts/test.sh: installing Node.js and npm from Debian's packages" >&2
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  fi
  if ! command -v npm >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
      echo "scripts/test.sh: npm is required for the end-to-end tests" >&2
      exit 1
    fi
    echo "scripts/test.sh: npm not found; end-to-end tests will be skipped" >&2
    return
  fi
  local want
  want="$(fingerprint package.json package-lock.json)"
  if [ "$(cat node_modules/.care-installed 2>/dev/null || true)" != "$want" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > node_modules/.care-installed
  fi
}

# The browser tests drive Debian's headless Chromium (no browser download); the emoji font
# lets the sandbox's screenshot show the bot's emoji.
install_chromium() {
  if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "scripts/test.sh: installing Chromium from Debian's packages (browser tests)" >&2
    apt-get update -qq && apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
  fi
  if ! command -v chromium >/dev/null 2>&1; then
    echo "scripts/test.sh: chromium not found; browser tests will be skipped" >&2
  fi
}

install_python
install_node
install_chromium
exec .venv/bin/python -m pytest -q "$@"
