#!/usr/bin/env bash
# Install CARE bot into .venv (only when it changed) and run it in the foreground.
# Settings come from the environment or a .env file (see config/example.env).
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
exec .venv/bin/python bot.py
