"""Driving the scheduler in tests: a leader per test, the clock moved to a job's time, the runs
the lease recorded. Shared by the job tests and the nightly backup tests."""

from __future__ import annotations

from sqlalchemy import Engine, text

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.jobs.leader import Leader

JOBS = (
    "generate",
    "monthly",
    "sla_sweep",
    "reminders",
    "digest",
    "worklog",
    "backup",
    "report_snapshot",
)
"""Every scheduled job, as the branch knows them (``cmworkbench.jobs.definitions``)."""


def leader(engine: Engine, settings: Settings, made: list[Leader], name: str) -> Leader:
    one = Leader(engine, settings, holder=name, synchronous=True)
    made.append(one)
    return one


def runs(engine: Engine, job: str | None = None) -> list[tuple[str, str, str]]:
    """(job, slot, outcome) of every recorded run, oldest first."""
    sql = "SELECT job_id, slot, outcome FROM job_run"
    with engine.connect() as conn:
        rows = conn.execute(text(sql + " ORDER BY id")).all()
    return [(j, s, o) for j, s, o in rows if job is None or j == job]


def at(when: str, *leaders_: Leader) -> None:
    """Move the clock to ``when`` (branch time) and let the leading scheduler run what is due."""
    clock.freeze(when)
    for one in leaders_:
        one.tick()
        one.run_pending()
