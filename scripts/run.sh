#!/usr/bin/env bash
# Install CARE bot into .venv (only when it changed) and run it in the foreground.
# Settings come from the environment or a .env file (see config/example.env).
# With no Slack settings at all (no SLACK_BOT_TOKEN in the environment or in .env), it starts
# the sandbox instead: CARE bot in a browser at http://127.0.0.1:PORT, against a local
# stand-in for Slack (it then also needs Node.js and npm, installed here when missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat .venv/.care-runtime 2>/dev/null || true)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
  echo "$want" > .venv/.care-runtime
fi

# True when a Slack bot token is set in the environment or in .env.
has_slack_settings() {
  [ -n "${SLACK_BOT_TOKEN:-}" ] && return 0
  [ -f .env ] && grep -qE '^[[:space:]]*(export[[:space:]]+)?SLACK_BOT_TOKEN[[:space:]]*=[[:space:]]*[^[:space:]#]' .env
}

install_node() {
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "scripts/run.sh: installing Node.js and npm from Debian's packages" >&2
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "scripts/run.sh: the sandbox needs Node.js 20+ and npm; install them (or put your Slack settings in .env)" >&2
    exit 2
  fi
  local want
  want="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
  if [ "$(cat node_modules/.care-installed 2>/dev/null || true)" != "$want" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > node_modules/.care-installed
  fi
}

if has_slack_settings; then
  exec .venv/bin/python bot.py
fi
echo "scripts/run.sh: no Slack settings (SLACK_BOT_TOKEN) found, so starting the sandbox" >&2
install_node
exec .venv/bin/python -m care_bot.sandbox
