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

# A throwaway PostgreSQL: the end-to-end modules named in README ("Tests") and the storage
# tests run on it too. Debian's postgresql package, installed if missing; initdb refuses root,
# so tests/support/postgres.py runs the server as the postgres user, on 127.0.0.1 and a free
# port, in a temporary folder that is removed afterwards.
have_postgres() {
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1
}

install_postgres() {
  if ! have_postgres && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "scripts/test.sh: installing PostgreSQL from Debian's packages" >&2
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  fi
  if ! have_postgres; then
    if [ "${CI:-}" = "true" ]; then
      echo "scripts/test.sh: PostgreSQL is required for the PostgreSQL tests" >&2
      exit 1
    fi
    echo "scripts/test.sh: PostgreSQL not found; its tests will be skipped" >&2
  fi
}

PG_DIR=""
stop_postgres() {
  if [ -n "$PG_DIR" ]; then
    .venv/bin/python -m tests.support.postgres stop "$PG_DIR/server" || true
    rm -rf "$PG_DIR"
  fi
}

start_postgres() {
  if ! have_postgres || [ -n "${CARE_TEST_POSTGRES_URL:-}" ]; then
    return
  fi
  PG_DIR="$(mktemp -d /tmp/care-pg.XXXXXX)"
  chmod 755 "$PG_DIR"
  trap stop_postgres EXIT
  CARE_TEST_POSTGRES_URL="$(.venv/bin/python -m tests.support.postgres start "$PG_DIR/server")"
  export CARE_TEST_POSTGRES_URL
}

install_python
install_node
install_chromium
install_postgres
start_postgres
.venv/bin/python -m pytest -q "$@"
