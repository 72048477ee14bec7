"""What runs when: the scheduled jobs, their triggers in branch time, and their slots.

- ``generate``: daily at ``scheduler.generate_at`` (06:30), working days: the day's tasks
  (``cmw generate``); also prunes job runs older than 30 days.
- ``monthly``: daily at ``scheduler.generate_at``, working days; on the month's first working
  day, the directory-refresh and market-report tasks and last month's on-site summary.
- ``sla_sweep``: every ``scheduler.sla_sweep_seconds`` (60 s): complaint warnings,
  escalations and breaches, then the promises' (one engine: ``services/core/escalation``).
- ``reminders``: every minute: tasks and visits starting within their lead time.
- ``digest``: daily at ``reminders.digest_at`` (09:00), working days: each manager's tasks
  due today.
- ``worklog``: daily at ``scheduler.worklog_reminder_at`` (17:00), working days: the work
  log not yet submitted.
- ``report_snapshot``: every ``scheduler.report_snapshot_minutes`` (10; 0: none): the
  management report's sums taken ahead for the Dashboard (``services/reports/snapshot``),
  read outside the run's unit of work so no writer waits for them.
- ``backup``: daily at ``scheduler.backup_at`` (02:00), every day: when ``scheduler.backup_dir``
  is set, ``cmworkbench-YYYYMMDD.db`` there (``cmw backup``), and the backups older than
  ``scheduler.backup_keep_days`` deleted.

A *slot* names one run: the branch-local date for a daily job, the interval's start for a
repeating one. The leader records each run under its (job, slot), so a run happens once
whichever process leads, and after downtime the missed runs of a job collapse into one
(APScheduler's ``coalesce``) that runs for the current slot.

SLA sweeps and reminders run every day: a complaint's calendar-hour clock (VIP, major) runs
on Sundays too, and the rules themselves know business hours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine
from sqlmodel import Session

from cmworkbench.config import Settings

Runner = Callable[[Session, Settings], str]
"""A job's work in the leader's unit of work; returns a line saying what it did."""


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job."""

    id: str
    trigger: BaseTrigger
    slot: Callable[[datetime], str]
    """The run's slot for a branch-local instant."""
    workdays_only: bool
    run: Callable[..., str]
    """The work (a :data:`Runner`; with ``prepare``, also given what it prepared)."""
    prepare: Callable[[Engine, Settings], Any] | None = None
    """Long reading done first, outside the run's unit of work (whose claim holds the write
    lock until it commits); its result is handed to ``run``."""


def _daily(at: str, tz: tzinfo) -> CronTrigger:
    hour, minute = (int(part) for part in at.split(":"))
    return CronTrigger(hour=hour, minute=minute, timezone=tz)


ANCHOR = datetime(2026, 1, 1)
"""Repeating jobs fire at whole multiples of their interval from this local midnight (every
minute at :00), the same in every process, so a slot is the same whichever leader runs it."""


def _repeating(seconds: int, tz: tzinfo) -> IntervalTrigger:
    return IntervalTrigger(seconds=seconds, start_date=ANCHOR.replace(tzinfo=tz), timezone=tz)


def _by_day(at: str) -> Callable[[datetime], str]:
    """The slot of a daily job at ``at`` (:func:`~cmworkbench.services.ops.lease.daily_slot`,
    which ``cmw generate`` by hand records too)."""

    def slot(moment: datetime) -> str:
        from cmworkbench.services.ops.lease import daily_slot

        return daily_slot(at, moment)

    return slot


def _every(seconds: int) -> Callable[[datetime], str]:
    def slot(moment: datetime) -> str:
        start = int(moment.timestamp()) // seconds * seconds
        return datetime.fromtimestamp(start, moment.tzinfo).strftime("%Y-%m-%dT%H:%M:%S")

    return slot


def specs(settings: Settings, tz: tzinfo) -> list[JobSpec]:
    """Every job with its trigger from ``settings`` in the branch timezone ``tz``."""
    sweep = settings.scheduler.sla_sweep_seconds
    generate_at = settings.scheduler.generate_at
    digest_at = settings.reminders.digest_at
    worklog_at = settings.scheduler.worklog_reminder_at
    backup_at = settings.scheduler.backup_at
    jobs = [
        JobSpec("generate", _daily(generate_at, tz), _by_day(generate_at), True, _generate),
        JobSpec("monthly", _daily(generate_at, tz), _by_day(generate_at), True, _monthly),
        JobSpec("sla_sweep", _repeating(sweep, tz), _every(sweep), False, _sweep),
        JobSpec("reminders", _repeating(60, tz), _every(60), False, _remind),
        JobSpec("digest", _daily(digest_at, tz), _by_day(digest_at), True, _digest),
        JobSpec("worklog", _daily(worklog_at, tz), _by_day(worklog_at), True, _worklog),
        JobSpec("backup", _daily(backup_at, tz), _by_day(backup_at), False, _backup),
    ]
    snapshot = settings.scheduler.report_snapshot_minutes * 60
    if snapshot:
        jobs.append(
            JobSpec(
                "report_snapshot",
                _repeating(snapshot, tz),
                _every(snapshot),
                False,
                _store_snapshot,
                prepare=_take_snapshot,
            )
        )
    return jobs


# -- the work: each calls the services, lazily (the TUI starts before the ORM loads) ------


def _generate(session: Session, settings: Settings) -> str:
    from cmworkbench.services.ops.lease import prune_runs
    from cmworkbench.services.tasks.generate import generate

    result = generate(session.connection(), settings)
    pruned = prune_runs(session)
    return f"created {result.total_created}, closed {result.closed}, pruned {pruned} runs"


def _monthly(session: Session, settings: Settings) -> str:
    from cmworkbench.services.tasks.reminders import monthly_rules

    return f"created {monthly_rules(session=session, settings=settings)}"


def _sweep(session: Session, settings: Settings) -> str:
    from cmworkbench.services.complaints.sla import sweep
    from cmworkbench.services.credit.api import escalate_overdue as post_loan
    from cmworkbench.services.promises.sweep import sweep as promises

    out = sweep(session=session, settings=settings)
    kept = promises(session=session, settings=settings)
    late = post_loan(session=session, settings=settings)
    return (
        f"checked {out.checked}, notified {out.notified}, breached {out.breached};"
        f" promises checked {kept.checked}, notified {kept.notified}, broken {kept.broken};"
        f" post-loan checks late: told {late}"
    )


def _remind(session: Session, settings: Settings) -> str:
    from cmworkbench.services.tasks.reminders import task_reminders, visit_reminders

    tasks = task_reminders(session=session, settings=settings)
    visits = visit_reminders(session=session, settings=settings)
    return f"tasks {tasks}, visits {visits}"


def _digest(session: Session, settings: Settings) -> str:
    from cmworkbench.services.tasks.reminders import daily_digest

    return f"notified {daily_digest(session=session, settings=settings)}"


def _worklog(session: Session, settings: Settings) -> str:
    from cmworkbench.services.tasks.reminders import worklog_reminders

    return f"notified {worklog_reminders(session=session, settings=settings)}"


def _take_snapshot(engine: Engine, settings: Settings) -> Any:
    from cmworkbench.services.reports.snapshot import take

    return take(engine, settings)


def _store_snapshot(session: Session, settings: Settings, taken: Any) -> str:
    from cmworkbench.services.reports.snapshot import store

    return f"stored {store(session, taken)} periods"


def _backup(session: Session, settings: Settings) -> str:
    from pathlib import Path

    from cmworkbench.services.ops.backup import nightly

    if not settings.scheduler.backup_dir:
        return "no backup_dir set: nothing to do"
    # The backup reads through a connection of its own (the unit of work holds this one,
    # with the run's claim not yet committed): in WAL mode it copies the last committed
    # state while this transaction stays open, without waiting for it.
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    directory = Path(settings.scheduler.backup_dir)
    return nightly(engine, directory, settings.scheduler.backup_keep_days)
