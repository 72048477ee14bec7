#!/usr/bin/env bash
# Install cmworkbench with its development tools into .venv and run every check CI runs:
# ruff (lint and format), mypy, the import-layer contracts, and the pytest suite.
# Arguments go to pytest (e.g. ./scripts/test.sh tests/domain/test_sla.py -x).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv >/dev/null 2>&1 || [ -x .venv/bin/python ]
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports
# Three kinds of tests (markers in pyproject.toml). Exit code 5 is "nothing selected" (e.g.
# ./scripts/test.sh tests/domain/test_sla.py has no process tests).
# - processes: many real processes loading the machine (the reliability suite); run alone.
# - paced: real processes that mostly wait (scheduler candidates for 60 s, sshd, the workbench
#   typed into on a pty); they run in the background while everything else runs on two
#   workers (pytest-xdist). Under load is where keys typed ahead would be lost: a fair test.
# - slow: long repetitions, run by hand (`.venv/bin/pytest -m slow -n 2 tests/typing`).
ok() { [ "$1" -eq 0 ] || [ "$1" -eq 5 ]; }
.venv/bin/pytest -q -m processes "$@" || ok $?
paced_log=$(mktemp)
paced_tmp=$(mktemp -d)
.venv/bin/pytest -q -p no:cacheprovider --basetemp="$paced_tmp/t" -m paced "$@" >"$paced_log" 2>&1 &
paced_pid=$!
rest=0
.venv/bin/pytest -q -n 2 -m "not processes and not paced" "$@" || rest=$?
paced=0
wait "$paced_pid" || paced=$?
echo "-- the paced tests, run meanwhile:"
cat "$paced_log"
rm -rf "$paced_log" "$paced_tmp"
# Each on its own line: under set -e a failure on the left of && does not stop the script, so
# a red main or paced phase went on to the PostgreSQL phase and the script ended green.
ok "$rest" || exit "$rest"
ok "$paced" || exit "$paced"
# Third phase, on PostgreSQL (CMW_TEST_PG_URL: a server and a role that may create databases;
# .ci/run starts one): the service and job tests again, each on a database of its own (see
# tests/conftest.py). Without arguments only; a developer without PostgreSQL runs SQLite only.
# The TUI (Pilot) tests, and the tests about SQLite itself, run on SQLite only.
POSTGRESQL_TESTS=(
    tests/db/test_migrations.py tests/domain/test_sla.py tests/jobs/test_jobs.py
    tests/services/complaints tests/services/core/test_audit.py
    tests/services/customers tests/services/goals tests/services/imports
    tests/services/notifications
    tests/services/pipeline tests/services/promises tests/cli/test_cli_opportunities.py
    tests/services/credit tests/cli/test_cli_credit.py
    tests/services/ops/test_backup_postgres.py tests/services/ops/test_demo_postgres.py
    tests/services/reports tests/services/staff tests/services/tasks tests/services/visits
    tests/cli/test_cli_complaints.py tests/cli/test_cli_tasks.py tests/cli/test_login_postgres.py
    tests/screens/test_team.py
)
if [ $# -eq 0 ] && [ -n "${CMW_TEST_PG_URL:-}" ]; then
    CMW_TEST_DATABASE=postgresql .venv/bin/pytest -q -n 2 -m "not processes and not paced" \
        "${POSTGRESQL_TESTS[@]}"
elif [ $# -eq 0 ] && [ -n "${CMW_REQUIRE_POSTGRESQL:-}" ]; then
    echo "test.sh: CMW_REQUIRE_POSTGRESQL is set but CMW_TEST_PG_URL is not: no PostgreSQL phase" >&2
    exit 1
fi
