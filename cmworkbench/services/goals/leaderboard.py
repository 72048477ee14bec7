"""The morning leaderboard (晨会排行榜): who stands where against their month's goal, read
aloud at the branch's morning meeting (ten minutes, one 80×24 screen), and the records behind
a manager's line.

The rules, decided here:

* **Yesterday** is the last working day before the meeting's day on the branch calendar
  (holidays and make-up days 调休 included): a Monday's is the Friday. Its result counts that
  day and the days off after it up to the day before the meeting, within the month shown, so
  a Saturday's deposit is read out on Monday and nothing falls between two meetings.
* **The month** is yesterday's month, from its first day up to the day before the meeting
  (the first meeting of a month reads the month just closed); its goal is the month's goal
  of the holder (``2026-11``, :mod:`.setting`).
* **The share of goal** is what was reached over the goal, not capped (150 % is 150 %). With no
  measure chosen it is the plain average of the shares of the measures that have a goal above
  0 for the holder in that month (a manager with goals on three measures: the mean of three
  shares), each counted at most :data:`AVERAGE_CAP` (200 %) in the average: a measure whose
  month goal is one or two (an opportunity won) would otherwise decide the whole board; a
  holder with no such goal has no share and no rank. Shares are exact fractions
  (integers from the database), so the same data rank the same on SQLite and PostgreSQL.
* **Rank** by the share, highest first; equal shares share a rank (1, 2, 2, 4). Within a
  shared rank the order is stable: by the month's amount reached of the measure when one is
  chosen (larger first), then by login (a team: by name). Those without a goal come last, by
  login, without a rank.
* **Change since yesterday**: the same computation for the previous meeting (the previous
  working day) gave a rank; the change is that rank minus today's (↑2: two places up).
* **Referrers** (role ``referrer``, active, of the branch): by the referrals they made that
  converted this month up to yesterday (``outcome_at`` in the month, as the
  ``referrals_converted`` measure counts a manager's), then by the referrals they made in the
  month (``at``), then by login; the same two counts share a rank.
* **Scope**: everyone in the branch reads the whole leaderboard (it is read aloud), except a
  referrer, who has no book and sees the referrers' ranking only. The actor's own line (and
  their team's) is marked ``mine``. The records behind a line (:func:`leaderboard_drill`) are
  customers' records: a manager drills their own, a supervisor their team's, the branch head
  and the admin anyone's in the branch (the report's scope).

Managers are the branch's active managers and phone managers (as the goals are shared over
them); a team's result is the sum of its managers' (a record counts for its owner now,
:mod:`.actuals`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Goal, Referral, Staff
from cmworkbench.domain import goals as rules
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import ReferralStatus, Role
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import own_book_only, sees_no_book
from cmworkbench.services.core.validation import FieldsInvalid, choice_problem
from cmworkbench.services.goals import drill
from cmworkbench.services.goals.actuals import per_staff
from cmworkbench.services.goals.schemas import (
    GoalRecord,
    Leaderboard,
    LeaderLine,
    MeasureResult,
    ReferrerRank,
)
from cmworkbench.services.goals.setting import Person, branch_people

DRILL_LIMIT = 1000
"""Records listed per measure in a drill-down."""


@dataclass(frozen=True)
class Span:
    """The days one meeting's leaderboard counts (see the module)."""

    day: date
    yesterday: date
    through: date
    first: date

    @property
    def month(self) -> str:
        return self.first.strftime("%Y-%m")


def span_of(calendar: BranchCalendar, day: date) -> Span:
    """The meeting of ``day``: yesterday (the last working day before it), and the month of
    yesterday up to the day before ``day``."""
    yesterday = calendar.previous_workday(day)
    first, last = rules.month_days(yesterday.strftime("%Y-%m"))
    return Span(day, yesterday, min(day - timedelta(days=1), last), first)


@dataclass(frozen=True)
class _Entry:
    """One holder's standing before it is ranked."""

    holder: str
    """``staff:12``, ``team:3``."""
    key: str
    """What people know it by: the login, the team's name (the last tie-break)."""
    share: Fraction | None
    amount: int
    """The month's amount reached of the one measure chosen (0 with none: not comparable)."""


def _measure_problem(settings: Settings, measure: str | None) -> None:
    if measure is not None and (problem := choice_problem(measure, settings.goals.measures)):
        raise FieldsInvalid({"measure": problem}, label_prefix="goal.field.")


def _goals(
    session: Session, branch_id: int, measures: Sequence[str], months: Iterable[str]
) -> dict[tuple[str, str, str], int]:
    """(measure, month, holder) → the month's goal."""
    rows = session.exec(
        select(Goal.measure, Goal.period, Goal.holder, Goal.amount).where(
            col(Goal.branch_id) == branch_id,
            col(Goal.measure).in_(measures),
            col(Goal.period).in_(set(months)),
        )
    ).all()
    return {(m, p, h): int(a) for m, p, h, a in rows}


AVERAGE_CAP = Fraction(2)
"""The most one measure's share counts in the average over several (200 %)."""


def _mean(parts: list[Fraction]) -> Fraction | None:
    return sum(parts, Fraction(0)) / len(parts) if parts else None


def _as_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def ranked(entries: Sequence[_Entry]) -> list[tuple[_Entry, int | None]]:
    """``entries`` in the leaderboard's order with their ranks (see the module)."""
    with_share = sorted(
        (e for e in entries if e.share is not None),
        key=lambda e: (-(e.share or 0), -e.amount, e.key),
    )
    out: list[tuple[_Entry, int | None]] = []
    for i, entry in enumerate(with_share):
        tied = out and out[-1][0].share == entry.share
        out.append((entry, out[-1][1] if tied else i + 1))
    rest = sorted((e for e in entries if e.share is None), key=lambda e: e.key)
    return out + [(e, None) for e in rest]


class _Results:
    """Each measure's actuals per manager over a meeting's month and its yesterday."""

    def __init__(
        self,
        session: Session,
        settings: Settings,
        measures: Sequence[str],
        span: Span,
        *,
        yesterday: bool = True,
    ) -> None:
        def read(first: date) -> dict[str, dict[int, int]]:
            return {
                m: per_staff(session, settings, m, first=first, last=span.through) for m in measures
            }

        self.month = read(span.first)
        self.yesterday = read(span.yesterday) if yesterday else {m: {} for m in measures}
        """Empty for the previous meeting: only its ranks are read."""


def _lines(
    holders: dict[str, list[int]],
    names: dict[str, tuple[str, str, str | None]],
    measures: Sequence[str],
    goals: dict[tuple[str, str, str], int],
    month: str,
    results: _Results,
) -> dict[str, tuple[_Entry, Fraction | None, tuple[MeasureResult, ...]]]:
    """Per holder (``staff:12`` → its managers' ids): its entry to rank, yesterday's share
    gained, and its measures."""
    out = {}
    for holder, ids in holders.items():
        shares, gained, lines, amount = [], [], [], 0
        for m in measures:
            goal = goals.get((m, month, holder), 0)
            reached = sum(results.month[m].get(i, 0) for i in ids)
            yesterday = sum(results.yesterday[m].get(i, 0) for i in ids)
            amount += reached
            share = Fraction(reached, goal) if goal > 0 else None
            if share is not None:
                shares.append(share if len(measures) == 1 else min(share, AVERAGE_CAP))
                gained.append(Fraction(yesterday, goal))
            lines.append(MeasureResult(m, goal, reached, yesterday, _as_float(share)))
        entry = _Entry(holder, names[holder][0], _mean(shares), amount if len(measures) == 1 else 0)
        out[holder] = (entry, _mean(gained), tuple(lines))
    return out


def _standings(
    holders: dict[str, list[int]],
    names: dict[str, tuple[str, str, str | None]],
    measures: Sequence[str],
    goals: dict[tuple[str, str, str], int],
    spans: tuple[Span, Span],
    results: tuple[_Results, _Results],
    mine: Callable[[str], bool],
) -> tuple[LeaderLine, ...]:
    """The ranked lines of ``holders`` (``names``: holder → key, name, team), with the change
    from the previous meeting."""
    today = _lines(holders, names, measures, goals, spans[0].month, results[0])
    before = _lines(holders, names, measures, goals, spans[1].month, results[1])
    previous = {e.holder: (rank, e.share) for e, rank in ranked([v[0] for v in before.values()])}
    out = []
    for entry, rank in ranked([v[0] for v in today.values()]):
        _, gained, measured = today[entry.holder]
        previous_rank, previous_share = previous[entry.holder]
        change = previous_rank - rank if previous_rank is not None and rank is not None else None
        _, name, team = names[entry.holder]
        out.append(
            LeaderLine(
                key=entry.key,
                name=name,
                team=team,
                rank=rank,
                share=_as_float(entry.share),
                gained=_as_float(gained),
                previous_rank=previous_rank,
                previous_share=_as_float(previous_share),
                change=change,
                measures=measured,
                mine=mine(entry.holder),
            )
        )
    return tuple(out)


def _referrers(
    session: Session, actor: Actor, spans: tuple[Span, Span]
) -> tuple[ReferrerRank, ...]:
    people = branch_people(session, actor.branch_id, (Role.REFERRER.value,))
    ids = [p.id for p in people]

    def standing(span: Span) -> list[tuple[Person, int, int, int]]:
        converted, made = _referral_counts(session, ids, span)
        rows = sorted(people, key=lambda p: (-converted.get(p.id, 0), -made.get(p.id, 0), p.login))
        out: list[tuple[Person, int, int, int]] = []
        for i, p in enumerate(rows):
            counts = (converted.get(p.id, 0), made.get(p.id, 0))
            tied = out and out[-1][1:3] == counts
            out.append((p, *counts, out[-1][3] if tied else i + 1))
        return out

    before = {p.id: rank for p, _, _, rank in standing(spans[1])}
    return tuple(
        ReferrerRank(
            login=p.login,
            name=p.name,
            team=p.team,
            rank=rank,
            converted=converted,
            made=made,
            previous_rank=before.get(p.id),
            change=before[p.id] - rank if p.id in before else None,
            mine=p.id == actor.id,
        )
        for p, converted, made, rank in standing(spans[0])
    )


def _referral_counts(
    session: Session, ids: list[int], span: Span
) -> tuple[dict[int, int], dict[int, int]]:
    """Per referrer: referrals converted in the span, referrals made in the span."""
    if not ids:
        return {}, {}
    start, _ = clock.day_bounds(span.first)
    _, end = clock.day_bounds(span.through)
    by = col(Referral.referrer_id)
    converted = session.exec(
        select(by, func.count())
        .where(
            by.in_(ids),
            col(Referral.status) == ReferralStatus.CONVERTED.value,
            col(Referral.outcome_at) >= start,
            col(Referral.outcome_at) < end,
        )
        .group_by(by)
    ).all()
    made = session.exec(
        select(by, func.count())
        .where(by.in_(ids), col(Referral.at) >= start, col(Referral.at) < end)
        .group_by(by)
    ).all()
    return {int(i): int(n) for i, n in converted}, {int(i): int(n) for i, n in made}


def leaderboard(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    day: date | None = None,
    measure: str | None = None,
) -> Leaderboard:
    """The morning leaderboard of ``day`` (default: today), ranked by the share of the month's
    goal of ``measure`` (default: the average over the measures with a goal, see the module):
    the managers, the teams, the referrers, each with the change since the previous meeting."""
    _measure_problem(settings, measure)
    calendar = BranchCalendar.from_settings(settings.calendar)
    now = span_of(calendar, day or clock.today())
    spans = (now, span_of(calendar, now.yesterday))
    referrers = _referrers(session, actor, spans)
    managers: tuple[LeaderLine, ...] = ()
    teams: tuple[LeaderLine, ...] = ()
    if not sees_no_book(actor):
        managers, teams = _books(session, actor, settings, [measure] if measure else None, spans)
    return Leaderboard(
        day=now.day,
        yesterday=now.yesterday,
        through=now.through,
        month=now.month,
        first=now.first,
        measure=measure,
        previous_day=spans[1].day,
        managers=managers,
        teams=teams,
        referrers=referrers,
    )


def _books(
    session: Session,
    actor: Actor,
    settings: Settings,
    chosen: list[str] | None,
    spans: tuple[Span, Span],
) -> tuple[tuple[LeaderLine, ...], tuple[LeaderLine, ...]]:
    """The managers' and the teams' lines."""
    measures = chosen or list(settings.goals.measures)
    people = branch_people(session, actor.branch_id)
    goals = _goals(session, actor.branch_id, measures, (s.month for s in spans))
    results = (
        _Results(session, settings, measures, spans[0]),
        _Results(session, settings, measures, spans[1], yesterday=False),
    )
    staff = {f"staff:{p.id}": [p.id] for p in people}
    staff_names = {f"staff:{p.id}": (p.login, p.name, p.team) for p in people}
    managers = _standings(
        staff, staff_names, measures, goals, spans, results, lambda h: h == f"staff:{actor.id}"
    )
    members: dict[str, list[int]] = {}
    team_names: dict[str, tuple[str, str, str | None]] = {}
    for p in people:
        if p.team_id is not None and p.team is not None:
            members.setdefault(f"team:{p.team_id}", []).append(p.id)
            team_names[f"team:{p.team_id}"] = (p.team, p.team, p.team)
    teams = _standings(
        members,
        team_names,
        measures,
        goals,
        spans,
        results,
        lambda h: h == f"team:{actor.team_id}",
    )
    return managers, teams


def leaderboard_drill(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    measure: str | None,
    login: str,
    day: date | None = None,
) -> list[GoalRecord]:
    """The records behind ``login``'s month result on the leaderboard of ``day``: of
    ``measure``, or (``None``) of every measure with a goal for them that month (every measure
    when they have none); by measure, then day. A manager drills their own, a supervisor their
    team's, the branch head and the admin anyone's in the branch."""
    _measure_problem(settings, measure)
    staff = _drillable(session, actor, login)
    span = span_of(BranchCalendar.from_settings(settings.calendar), day or clock.today())
    measures = [measure] if measure else _with_goal(session, settings, staff, span.month)
    out: list[GoalRecord] = []
    for m in measures:
        found = drill.records_of(
            session, settings, m, staff.id or 0, span.first, span.through, DRILL_LIMIT
        )
        out.extend(found)
    return out


def _drillable(session: Session, actor: Actor, login: str) -> Staff:
    staff = session.exec(select(Staff).where(col(Staff.login) == login.strip())).one_or_none()
    if staff is None:
        raise NotFound(t("cli.unknown_login", login=login))
    allowed = (
        not sees_no_book(actor)
        and staff.branch_id == actor.branch_id
        and (
            (staff.id == actor.id)
            if own_book_only(actor)
            else actor.role != Role.SUPERVISOR or staff.team_id == actor.team_id
        )
    )
    if not allowed:
        raise OutOfScope(t("goal.drill_out_of_scope", login=staff.login))
    return staff


def _with_goal(session: Session, settings: Settings, staff: Staff, month: str) -> list[str]:
    measures = list(settings.goals.measures)
    found: set[Any] = set(
        session.exec(
            select(Goal.measure).where(
                col(Goal.holder) == f"staff:{staff.id}",
                col(Goal.period) == month,
                col(Goal.amount) > 0,
            )
        ).all()
    )
    return [m for m in measures if m in found] or measures
