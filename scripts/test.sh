#!/usr/bin/env bash
# Install cmworkbench with its development tools into .venv and run every check CI runs:
# ruff (lint and format), mypy, the import-layer contracts, and the pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv >/dev/null 2>&1 || [ -x .venv/bin/python ]
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports
.venv/bin/pytest -q "$@"
