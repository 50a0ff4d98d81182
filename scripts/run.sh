#!/usr/bin/env bash
# Install cchc into .venv and start the demo province on http://127.0.0.1:8000 (embedded SQLite).
# Extra arguments go to `cchc demo` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q -e .
exec .venv/bin/cchc demo "$@"
