#!/usr/bin/env bash
# Install cchc with its test dependencies into .venv and run the whole test suite.
# Extra arguments go to pytest. Exit code 5 (no tests collected) counts as failure: a suite that runs nothing
# proves nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q -e '.[dev]'
bash scripts/install-system-deps.sh
.venv/bin/ruff check src tests benchmarks
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests (exit code 5): treating as failure" >&2
  exit 1
fi
exit "$rc"
