#!/usr/bin/env bash
# Install cmworkbench with its development tools into .venv and run every check CI runs:
# ruff (lint and format), mypy, the import-layer contracts, and the pytest suite.
# Arguments go to pytest (e.g. ./scripts/test.sh tests/test_sla.py -x).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv >/dev/null 2>&1 || [ -x .venv/bin/python ]
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports
# The tests that run real processes (scheduler candidates, sshd) time themselves, so they run
# alone first; everything else then runs on two workers (pytest-xdist). Exit code 5 is
# "nothing selected" (e.g. ./scripts/test.sh tests/test_sla.py has no process tests).
.venv/bin/pytest -q -m processes "$@" || [ $? -eq 5 ]
.venv/bin/pytest -q -n 2 -m "not processes" "$@" || [ $? -eq 5 ]
