"""The scheduler lease: which one of many processes runs the scheduled jobs.

Every ``cmw tui`` process (and ``cmw scheduler``) wants to run the jobs; only the holder of
the lease row does. The holder renews the lease well before it expires; a process that
finds the lease expired takes it over. Taking and renewing are one guarded UPDATE (or the
first INSERT), so two processes can never both believe they hold it: the database decides.
On SQLite the second writer waits for the first's write lock; on PostgreSQL (read committed)
the second guarded UPDATE waits for the first's row lock and then re-checks its WHERE on the
committed row, so it finds the lease taken and changes nothing (tests/test_jobs.py races two).

A job run checks the lease inside its own transaction too (:func:`holds`), and each run is
recorded under a unique (job, slot) (:func:`claim_run`), so a run is done once even when a
leader stalls past its lease and a new one has started.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, func, inspect, select, text, update
from sqlmodel import Session

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import JobRun, SchedulerLease
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.services.core.calendar_years import load as load_calendar
from cmworkbench.services.core.notify import conflict_insert
from cmworkbench.services.ops.schemas import LeaseOut, RunOut

NAME = "scheduler"
"""The lease of the jobs: its holder runs them."""
SERVICE = "scheduler-service"
"""The lease ``cmw scheduler`` renews while it runs, held or not the jobs' lease: while it is
live, the sessions (``cmw tui``) leave the jobs to the service (one scheduler per branch)."""
JOBS_TABLE = "apscheduler_jobs"
"""APScheduler's job store table (created by APScheduler when a leader first starts)."""
KEEP_DAYS = 30
"""Job runs older than this are pruned by the daily job."""


def acquire(session: Session, holder: str, seconds: int, name: str = NAME) -> bool:
    """Take the lease for ``seconds`` if it is free, expired or already ours (renewal);
    True when ``holder`` holds it afterwards."""
    now = clock.now()
    expires = now + timedelta(seconds=seconds)
    table = SchedulerLease.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    renewed = conn.execute(
        update(table)
        .where(table.c.name == name, table.c.holder == holder)
        .values(expires_at=expires)
    )
    if renewed.rowcount:
        return True
    taken = conn.execute(
        update(table)
        .where(table.c.name == name, table.c.expires_at <= now)
        .values(holder=holder, acquired_at=now, expires_at=expires)
    )
    if taken.rowcount:
        return True
    values = {"name": name, "holder": holder, "acquired_at": now, "expires_at": expires}
    created = conn.execute(
        _insert(conn, table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["name"])
        # an INSERT's row count is kept only when asked for (psycopg reports -1 otherwise)
        .execution_options(preserve_rowcount=True)
    )
    return created.rowcount == 1


def holds(session: Session, holder: str, name: str = NAME) -> bool:
    """Whether ``holder`` holds a live lease now (checked by every job run)."""
    lease = current(session, name)
    return lease is not None and lease.holder == holder and lease.live(clock.now())


def release(session: Session, holder: str, name: str = NAME) -> None:
    """Give the lease up at once (a clean shutdown), so another process need not wait."""
    table = SchedulerLease.__table__  # type: ignore[attr-defined]
    session.connection().execute(
        update(table)
        .where(table.c.name == name, table.c.holder == holder)
        .values(expires_at=clock.now())
    )


def current(session: Session, name: str = NAME) -> LeaseOut | None:
    """The lease as it stands (expired or not), or ``None`` before anyone took it."""
    row = session.get(SchedulerLease, name)
    if row is None:
        return None
    return LeaseOut(row.holder, row.acquired_at, row.expires_at)


BY_HAND = "cmw (by hand)"
"""The holder a run done by hand is recorded under."""


def claim_run(session: Session, job_id: str, slot: str, holder: str) -> int | None:
    """Record that ``holder`` runs ``job_id`` for ``slot``; the run's id, or ``None`` when
    that slot was run already (by this or another process)."""
    values = {
        "job_id": job_id,
        "slot": slot,
        "holder": holder,
        "started_at": clock.now(),
        "outcome": "running",
    }
    conn = session.connection()
    table = JobRun.__table__  # type: ignore[attr-defined]
    result = conn.execute(
        _insert(conn, table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["job_id", "slot"])
        .returning(table.c.id)
    )
    found = result.scalar_one_or_none()
    return int(found) if found is not None else None


def _insert(conn: Connection, table: Table) -> Any:
    """INSERT with ON CONFLICT (the lease and the run claims need it: no fallback)."""
    statement = conflict_insert(conn, table)
    if statement is None:
        raise NotImplementedError(f"database {conn.dialect.name!r} is not supported")
    return statement


def finish_run(session: Session, run_id: int, outcome: str, detail: str | None = None) -> None:
    """Close a run: ``done``, ``skipped`` or ``failed``, with what it did."""
    table = JobRun.__table__  # type: ignore[attr-defined]
    session.connection().execute(
        update(table)
        .where(table.c.id == run_id)
        .values(outcome=outcome, detail=detail, finished_at=clock.now())
    )


def last_runs(session: Session) -> dict[str, RunOut]:
    """The newest run of each job (one index range per job: the unique (job, slot) key)."""
    table = JobRun.__table__  # type: ignore[attr-defined]
    newest = select(func.max(table.c.id)).group_by(table.c.job_id)
    rows = session.connection().execute(select(table).where(table.c.id.in_(newest))).all()
    return {
        row.job_id: RunOut(
            row.job_id,
            row.slot,
            row.holder,
            _aware(row.started_at),
            _aware(row.finished_at) if row.finished_at else None,
            row.outcome,
            row.detail,
        )
        for row in rows
    }


def prune_runs(session: Session, days: int = KEEP_DAYS) -> int:
    """Forget runs older than ``days`` (the table would otherwise grow by a row a minute)."""
    table = JobRun.__table__  # type: ignore[attr-defined]
    cutoff = clock.now() - timedelta(days=days)
    return int(
        session.connection().execute(delete(table).where(table.c.started_at < cutoff)).rowcount
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# -- what the leader process calls: each is one unit of work on its own -----------------


def take(engine: Engine, holder: str, seconds: int, *, service: bool = False) -> bool:
    """Take or renew the lease (:func:`acquire`) in a unit of work of its own.

    ``service`` (``cmw scheduler``): say the service runs (:data:`SERVICE`) first. A session
    (not ``service``) that finds the service running gives the lease up if it held it and
    takes nothing: the service takes it on its next renewal, with no moment where both run
    jobs (a job run checks the lease in its own transaction, see :func:`holds`)."""
    with unit_of_work(engine) as session:
        if service:
            acquire(session, holder, seconds, SERVICE)
        elif service_running(session):
            release(session, holder)
            return False
        return acquire(session, holder, seconds)


def service_running(session: Session) -> bool:
    """Whether a ``cmw scheduler`` service has renewed :data:`SERVICE` within its lease."""
    lease = current(session, SERVICE)
    return lease is not None and lease.live(clock.now())


def service_runs(engine: Engine) -> bool:
    """:func:`service_running` in a read of its own (a session deciding whether to be a
    candidate at all: it then loads no scheduler)."""
    with unit_of_work(engine) as session:
        return service_running(session)


def give_up(engine: Engine, holder: str, *, service: bool = False) -> None:
    """Release the lease (:func:`release`) in a unit of work of its own; ``service``: the
    service's presence too, so the sessions take the jobs over at once."""
    with unit_of_work(engine) as session:
        release(session, holder)
        if service:
            release(session, holder, SERVICE)


def run_scheduled(
    engine: Engine,
    settings: Settings,
    *,
    holder: str,
    job_id: str,
    slot: str,
    workdays_only: bool,
    work: Callable[..., str],
    prepare: Callable[[Engine, Settings], Any] | None = None,
) -> str | None:
    """Run one job for one slot, once: only while ``holder`` holds the lease, only if the
    slot was not run yet, and (``workdays_only``) only on a working day of the branch
    calendar (the slot's day). The claim, the work and the outcome commit together: a
    failed run leaves no trace but the log, and the next trigger tries again. Returns the
    outcome, or ``None`` when the run was not this process's to do.

    ``prepare`` (a long read) runs first, outside the unit of work, once a look shows the run
    is ours to do; ``work`` is then given its result too."""
    if prepare is not None:
        with unit_of_work(engine) as session:
            if not holds(session, holder) or _ran(session, job_id, slot):
                return None
        prepared = prepare(engine, settings)
        return run_scheduled(
            engine,
            settings,
            holder=holder,
            job_id=job_id,
            slot=slot,
            workdays_only=workdays_only,
            work=lambda session, config: work(session, config, prepared),
        )
    with unit_of_work(engine) as session:
        if not holds(session, holder):
            return None
        run_id = claim_run(session, job_id, slot, holder)
        if run_id is None:
            return None
        day = date.fromisoformat(slot[:10])  # a slot starts with its branch-local date
        load_calendar(session.connection())  # the years the admin entered since the last run
        if workdays_only and not BranchCalendar.from_settings(settings.calendar).is_workday(day):
            finish_run(session, run_id, "skipped", "not a working day")
            return "skipped"
        detail = work(session, settings)
        finish_run(session, run_id, "done", detail)
        return "done"


def record_by_hand(engine: Engine, job_id: str, slot: str, detail: str) -> bool:
    """Record a job's work done by hand for ``slot`` (``cmw generate`` for today), so the
    scheduler does not run it again as a missed run: at a million customers a second day's
    generation holds the write lock for most of a minute. False when the slot had a run
    already (the scheduler's, or an earlier one by hand)."""
    with unit_of_work(engine) as session:
        run_id = claim_run(session, job_id, slot, BY_HAND)
        if run_id is None:
            return False
        finish_run(session, run_id, "done", detail)
        return True


def daily_slot(at: str, moment: datetime | None = None) -> str:
    """The slot of a daily job at ``at`` (``06:30``) for a branch-local ``moment`` (default
    now): the date of the latest fire time at or before it. A run missed yesterday and caught
    up this morning before ``at`` is yesterday's run (a Sunday's is skipped), not a run that
    takes today's place."""
    moment = clock.now_local() if moment is None else moment
    hour, minute = (int(part) for part in at.split(":"))
    day = moment.date()
    if (moment.hour, moment.minute) < (hour, minute):
        day -= timedelta(days=1)
    return day.isoformat()


def _ran(session: Session, job_id: str, slot: str) -> bool:
    """Whether ``job_id`` was run (or claimed) for ``slot``."""
    table = JobRun.__table__  # type: ignore[attr-defined]
    found = (
        session.connection()
        .execute(select(table.c.id).where(table.c.job_id == job_id, table.c.slot == slot))
        .first()
    )
    return found is not None


def lease_and_runs(engine: Engine) -> tuple[LeaseOut | None, dict[str, RunOut]]:
    """The lease as it stands and the newest run of each job (``cmw jobs``)."""
    with unit_of_work(engine) as session:
        return current(session), last_runs(session)


def stored_next_runs(engine: Engine) -> dict[str, datetime]:
    """The next run time of each job as the scheduler's job store holds it (empty before a
    leader ever ran). Read as plain rows: no job is unpickled."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(JOBS_TABLE):
            return {}
        rows = conn.execute(text(f"SELECT id, next_run_time FROM {JOBS_TABLE}")).all()
    return {
        str(job_id): datetime.fromtimestamp(float(stamp), UTC)
        for job_id, stamp in rows
        if stamp is not None
    }
