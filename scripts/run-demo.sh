#!/usr/bin/env bash
# Install cmworkbench into .venv and open the workbench on a demo database (SQLite, demo data,
# scheduler in-process), logged in as a demo customer manager.
# Options: CUSTOMERS=N (default 20000), SEED=S (default 7), DEMO_DB=path.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv >/dev/null 2>&1 || [ -x .venv/bin/python ]
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e .
  touch .venv/.installed
fi
mkdir -p demo
db="${DEMO_DB:-demo/demo.db}"
url="sqlite:///$db"
.venv/bin/cmw --db "$url" init >/dev/null
if [ ! -f "$db.built" ]; then
  .venv/bin/cmw --db "$url" demo --customers "${CUSTOMERS:-20000}" --seed "${SEED:-7}"
  # What the scheduler does at 06:30 on a working day: the day's call list and tasks.
  .venv/bin/cmw --db "$url" generate
  touch "$db.built"
fi
exec .venv/bin/cmw --db "$url" tui "$@"
