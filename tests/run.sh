#!/usr/bin/env bash
# The whole test command: lint, strict types, then the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
ruff check .
ruff format --check .
mypy --strict
python3 -m pytest -q "$@"
