"""The scheduler stopped for a weekend and started again, as a branch runs it: a real
``cmw scheduler`` process on Friday evening, stopped; another on Monday morning (the clock
set by ``CMW_NOW``). Each job missed over the weekend runs once, for now: one generation,
not three; one SLA sweep, not 2 × 1440.

The same scenario with a frozen in-process clock, minute by minute:
``tests/jobs/test_jobs.py::test_after_downtime_each_missed_job_runs_once``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from branch_setup import report, seed
from sqlalchemy import text

from cmworkbench.db.engine import make_engine

pytestmark = pytest.mark.processes

JOBS = ("generate", "monthly", "sla_sweep", "reminders", "digest", "worklog", "backup")


def runs(url: str) -> list[tuple[str, str, str]]:
    """(job, slot, outcome) of every recorded run, oldest first."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT job_id, slot, outcome FROM job_run ORDER BY id"))
            return [(j, s, o) for j, s, o in rows]
    finally:
        engine.dispose()


def stored_jobs(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT COUNT(*) FROM apscheduler_jobs")).scalar_one())
    except Exception:  # the job store's table is created by the first leader
        return 0
    finally:
        engine.dispose()


def scheduler(config: Path, now: str, log: Path) -> subprocess.Popen[bytes]:
    """``cmw scheduler`` with its clock starting at ``now`` (branch time)."""
    env = {**os.environ, "CMW_CONFIG": str(config), "CMW_NOW": now}
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("cmw")), "scheduler"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        env=env,
    )


def until(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0


def test_after_a_weekend_down_each_missed_job_runs_once(tmp_path: Path) -> None:
    branch = seed(tmp_path / "branch.db", managers=1)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[general]\ndatabase_url = "{branch.url}"\n[scheduler]\nlease_seconds = 3\n',
        encoding="utf-8",
    )
    began = time.monotonic()
    friday = scheduler(config, "2026-11-27T17:59:58", tmp_path / "friday.log")
    try:
        assert until(lambda: stored_jobs(branch.url) == len(JOBS), 20), "no jobs were stored"
        # the sweep of 18:00 runs before the branch goes home
        assert until(lambda: any(j == "sla_sweep" for j, _, _ in runs(branch.url)), 20)
    finally:
        stop(friday)  # shut down for the weekend (a clean stop gives the lease up)
    before = len(runs(branch.url))

    monday = scheduler(config, "2026-11-30T08:00:00", tmp_path / "monday.log")
    try:
        caught_up = until(lambda: {j for j, _, _ in runs(branch.url)[before:]} == set(JOBS), 20)
        time.sleep(1.0)  # a second pass of the scheduler loop must not run anything again
    finally:
        stop(monday)
    elapsed = time.monotonic() - began
    after = runs(branch.url)[before:]
    log = (tmp_path / "monday.log").read_text(encoding="utf-8", errors="replace")
    assert caught_up, f"missed jobs did not run: {after}\n{log[-3000:]}"
    assert sorted(j for j, _, _ in after) == sorted(JOBS), after  # each exactly once
    slots = {j: s for j, s, _ in after}
    assert slots["generate"] == "2026-11-30"
    assert slots["sla_sweep"] == "2026-11-30T08:00:00"
    assert all(o in ("done", "skipped") for _, _, o in after), after
    report("weekend_restart", missed_jobs_run=len(after), seconds=round(elapsed, 2))
