"""The report's sums taken ahead, so the Dashboard of a large branch opens at once.

At a million customers the month's figures read every customer, task and holding: about 33
seconds of statements for the branch, and the 8-week trend as much again. The scheduler's
``report_snapshot`` job (every ``[scheduler] report_snapshot_minutes``) takes them for the
running month and each week of the trend, per owner and breakdown — exactly what
:func:`~cmworkbench.services.reports.report.report` sums per group, so any scope (a manager's
book, a team, the branch) is served from the same rows — and stores them as of that instant
(:class:`~cmworkbench.db.models.ReportSnapshot`).

A report or a trend uses a snapshot only when it was taken with the same configuration
and the same owners (``key``: the settings, and a checksum of every customer's owner: a
handover, whose tasks go with the customers, an import that adds or moves customers, or a
changed rule makes it unusable at once) and, for a period still running, at most twice the
interval ago (a closed week's, today). Otherwise the figures are computed live. The
Dashboard says the time its figures stand at, and the records behind a figure are read as
of that same instant (``as_of``), so the list still sums to the figure; a file corrected
since shows as corrected.

The sums are read through a connection of their own, outside the job's unit of work: the
job's claim holds the write lock until it commits, and nobody may wait half a minute for it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, delete, text
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import ReportSnapshot, Staff
from cmworkbench.services.reports.figures import FIGURES
from cmworkbench.services.reports.query import dialect_for, query_for
from cmworkbench.services.reports.report import Sums, period_sums, trend_periods, weeks_sums
from cmworkbench.services.reports.schemas import month_of

KEEP_DAYS = 70
"""Snapshots of periods that ended longer ago than this are deleted (the trend's 8 weeks)."""


@dataclass(frozen=True)
class Taken:
    """The sums of one run of the job, before they are stored."""

    branch_id: int
    as_of: datetime
    key: str
    periods: dict[tuple[date, date], dict[str, Sums]]
    owners: tuple[int, ...] = ()
    """Every owner of the branch the sums cover (a branch-wide report's scope)."""


def snapshot_key(session: Session, settings: Settings) -> str:
    """The configuration and the owners the sums depend on, as one short string."""
    owners = (
        session.connection()
        .execute(
            text(
                "SELECT COUNT(*), COALESCE(SUM(COALESCE(owner_id, 0) * (id % 10007 + 1)), 0)"
                " FROM customer"
            )
        )
        .one()
    )
    digest = hashlib.sha256(repr(settings).encode())
    digest.update(repr(tuple(int(v) for v in owners)).encode())
    return digest.hexdigest()[:32]


def take(engine: Engine, settings: Settings) -> list[Taken]:
    """The sums of every branch per owner, as of now, read in one transaction of their own:
    the running month and the running week each time, the trend's past weeks once a day (or
    again when the owners or the rules changed: they are closed, and eight weeks of a
    million customers take minutes)."""
    today = clock.today()
    weeks = trend_periods(today)
    current = [month_of(today), weeks[-1]]
    taken = []
    with Session(engine) as session:
        as_of = clock.now()
        key = snapshot_key(session, settings)
        dialect = dialect_for(session)
        midnight = _midnight(today)
        done = {
            (branch_id, start, end)
            for branch_id, start, end in session.exec(
                select(
                    col(ReportSnapshot.branch_id),
                    col(ReportSnapshot.period_start),
                    col(ReportSnapshot.period_end),
                ).where(col(ReportSnapshot.key) == key, col(ReportSnapshot.as_of) >= midnight)
            ).all()
        }
        branches: dict[int, list[int]] = {}
        for branch_id, staff_id in session.exec(select(Staff.branch_id, Staff.id)).all():
            branches.setdefault(branch_id, []).append(int(staff_id or 0))
        for branch_id, owners in sorted(branches.items()):
            sums: dict[tuple[date, date], dict[str, Sums]] = {}
            for start, end in current:
                query = query_for(settings, start, end, dialect, now=as_of)
                sums[(start, end)] = {
                    f.key: period_sums(session, query, f, owners) for f in FIGURES
                }
            past = [w for w in weeks[:-1] if (branch_id, *w) not in done]
            if past:
                queries = [query_for(settings, s, e, dialect, now=as_of) for s, e in past]
                by_figure = {f.key: weeks_sums(session, queries, f, owners) for f in FIGURES}
                for n, period in enumerate(past):
                    sums[period] = {key_: weekly[n] for key_, weekly in by_figure.items()}
            taken.append(Taken(branch_id, as_of, key, sums, tuple(sorted(owners))))
    return taken


def store(session: Session, taken: list[Taken]) -> int:
    """Replace each period's snapshot with the one taken; delete the old periods'. Returns
    the snapshots stored."""
    stored = 0
    oldest = clock.today() - timedelta(days=KEEP_DAYS)
    session.exec(delete(ReportSnapshot).where(col(ReportSnapshot.period_end) < oldest))  # type: ignore[call-overload]
    for one in taken:
        for (start, end), sums in one.periods.items():
            session.exec(
                delete(ReportSnapshot).where(  # type: ignore[call-overload]
                    col(ReportSnapshot.branch_id) == one.branch_id,
                    col(ReportSnapshot.period_start) == start,
                    col(ReportSnapshot.period_end) == end,
                )
            )
            session.add(
                ReportSnapshot(
                    branch_id=one.branch_id,
                    period_start=start,
                    period_end=end,
                    as_of=one.as_of,
                    key=one.key,
                    sums=_dumps(sums),
                    totals=_dumps_totals(one.owners, sums),
                )
            )
            stored += 1
    return stored


def usable(
    session: Session,
    settings: Settings,
    branch_id: int,
    periods: list[tuple[date, date]],
    owners: list[int],
    *,
    whole_only: bool = False,
) -> tuple[datetime, list[dict[str, Sums]]] | None:
    """The sums of every one of ``periods`` for ``owners`` from snapshots with today's
    configuration and owners — a period still running taken at most twice the interval ago,
    a closed one today — and the instant the latest stands at; else ``None`` (computed
    live). ``whole_only``: only the sum over all ``owners`` is wanted (the trend, a report
    without a breakdown); for the whole branch that is its totals, credited to one of its
    owners."""
    minutes = settings.scheduler.report_snapshot_minutes
    if not minutes or not periods or not owners:
        return None
    today = clock.today()
    recent = clock.now() - timedelta(minutes=2 * minutes)
    table = ReportSnapshot.__table__  # type: ignore[attr-defined]
    found = (
        session.connection()
        .execute(
            core_select(
                table.c.id,
                table.c.period_start,
                table.c.period_end,
                table.c.as_of,
                table.c.key,
                table.c.totals,
            ).where(
                table.c.branch_id == branch_id,
                table.c.period_start.in_([start for start, _ in periods]),
                table.c.as_of >= min(recent, _midnight(today)),
            )
        )
        .all()
    )
    by_period = {(row.period_start, row.period_end): row for row in found}
    chosen = []
    for start, end in periods:
        one = by_period.get((start, end))
        if one is None or (end >= today and one.as_of < recent):
            return None
        chosen.append(one)
    if len({row.key for row in chosen}) != 1 or chosen[0].key != snapshot_key(session, settings):
        return None
    as_of = max(row.as_of for row in chosen)
    whole = json.loads(chosen[0].totals)
    if whole_only and sorted(owners) == whole["owners"]:
        credited = min(owners)
        return as_of, [_loads_totals(row.totals, credited) for row in chosen]
    ids = [row.id for row in chosen]
    query = core_select(table.c.id, table.c.sums).where(table.c.id.in_(ids))
    blobs: dict[int, str] = {int(i): str(b) for i, b in session.connection().execute(query)}
    return as_of, [_loads(blobs[row.id]) for row in chosen]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.branch_tz())


def _dumps(sums: dict[str, Sums]) -> str:
    return json.dumps(
        {
            figure: [[owner, grp, *values] for (owner, grp), values in by_owner.items()]
            for figure, by_owner in sums.items()
        },
        separators=(",", ":"),
    )


def _loads(blob: str) -> dict[str, Sums]:
    return {
        figure: {(int(o), str(g)): (float(n), float(d), m) for o, g, n, d, m in rows}
        for figure, rows in json.loads(blob).items()
    }


def _dumps_totals(owners: tuple[int, ...], sums: dict[str, Sums]) -> str:
    """The branch's sums per breakdown (every owner's added up), with the owners."""
    figures: dict[str, dict[str, list[float | None]]] = {}
    for figure, by_owner in sums.items():
        parts = figures.setdefault(figure, {})
        for (_owner, grp), (num, den, oldest) in by_owner.items():
            part = parts.setdefault(grp, [0.0, 0.0, None])
            part[0] = (part[0] or 0.0) + num
            part[1] = (part[1] or 0.0) + den
            if oldest is not None:
                part[2] = oldest if part[2] is None else max(part[2], oldest)
    return json.dumps({"owners": list(owners), "figures": figures}, separators=(",", ":"))


def _loads_totals(blob: str, owner: int) -> dict[str, Sums]:
    return {
        figure: {(owner, grp): (float(n), float(d), m) for grp, (n, d, m) in parts.items()}
        for figure, parts in json.loads(blob)["figures"].items()
    }
