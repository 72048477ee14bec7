"""The management report (per manager, team or branch) and its drill-down, for the CLI
(``cmw report``) and the Dashboard.

What a report covers is the actor's scope (:func:`subject`): a manager their own book, a
supervisor their team, a branch head or the administrator the branch; ``team`` or
``staff_login`` narrow it and are refused outside it. ``name`` is the breakdown: ``manager``
(one group per manager), ``team`` (one per team) or ``branch`` (one group, the whole scope);
``report.total`` is always the whole scope. A manager may ask for ``manager`` only, a
supervisor for ``manager`` or ``team``.

The figures are the table :data:`~cmworkbench.services.reports.figures.FIGURES`: each is
``Σ num / Σ den`` over the rows of one SQL statement, summed per owner by the database (one
``GROUP BY`` per figure, no record loaded), then per group here; :func:`drill` lists the same
rows, so the drill-down list sums to the figure. Records belong to whoever owns them *now*
(a customer handed over takes its history along). The period is branch-local dates,
inclusive; it ends now at the latest, so a report of the running month is "so far".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.dialect import dialect_of
from cmworkbench.db.models import Staff, Team
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import label, t
from cmworkbench.services.core.errors import InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import own_book_only, sees_no_book
from cmworkbench.services.reports.figures import BY_KEY, FIGURES, ROW_COLUMNS, FigureDef
from cmworkbench.services.reports.query import (
    Query,
    dialect_for,
    owners_sql,
    query_for,
    weekly_query,
)
from cmworkbench.services.reports.schemas import (
    NAMES,
    SUM_UNITS,
    DrillRow,
    Figure,
    FigurePart,
    Report,
    ReportGroup,
    TeamBelow,
    TrendPoint,
)

BOOK_ROLES = (Role.MANAGER.value, Role.PHONE_MANAGER.value)


@dataclass(frozen=True)
class Member:
    """A colleague whose records the report covers."""

    id: int
    login: str
    name: str
    role: str
    team: str | None


@dataclass(frozen=True)
class Subject:
    """Whose records: the colleagues, and a name for them."""

    label: str
    members: tuple[Member, ...]

    @property
    def owner_ids(self) -> list[int]:
        return [m.id for m in self.members]


# -- scope ----------------------------------------------------------------------------------


def subject(
    *, session: Session, actor: Actor, team: str | None = None, staff_login: str | None = None
) -> Subject:
    """The colleagues a report of ``actor`` covers, narrowed to ``team`` or ``staff_login``;
    refused outside the actor's scope (a manager: themselves; a supervisor: their team)."""
    if sees_no_book(actor):  # a teller: the referral board is theirs, not the books' report
        raise OutOfScope(t("report.no_book", role=label("role", actor.role)))
    if team and staff_login:
        raise InvalidInput(t("report.team_or_staff"))
    query = (
        select(Staff, Team.name)
        .join(Team, isouter=True)
        .where(  # type: ignore[arg-type]
            col(Staff.branch_id) == actor.branch_id
        )
    )
    if own_book_only(actor):
        query = query.where(col(Staff.id) == actor.id)
        if team:
            raise OutOfScope(t("report.own_only", team=team))
    elif actor.role == Role.SUPERVISOR:
        query = query.where(col(Staff.team_id) == actor.team_id)
    if staff_login:
        found = session.exec(select(Staff).where(col(Staff.login) == staff_login.strip())).first()
        if found is None:
            raise NotFound(t("cli.unknown_login", login=staff_login))
        query = query.where(col(Staff.id) == found.id)
    if team:
        known = session.exec(
            select(Team.id).where(col(Team.branch_id) == actor.branch_id, Team.name == team)
        ).first()
        if known is None:
            raise NotFound(t("report.unknown_team", team=team))
        query = query.where(col(Staff.team_id) == known)
    rows = session.exec(query.order_by(col(Staff.login))).all()
    members = tuple(Member(s.id or 0, s.login, s.name, s.role, name) for s, name in rows)
    if not members:
        raise OutOfScope(t("report.out_of_scope", who=staff_login or team or ""))
    if staff_login:
        who = members[0].name
    elif team or (actor.role == Role.SUPERVISOR and actor.team_id is not None):
        who = team or members[0].team or ""
    elif own_book_only(actor):
        who = actor.name
    else:
        who = t("report.branch_scope")
    return Subject(who, members)


def _check_name(actor: Actor, name: str) -> None:
    if name not in NAMES:
        raise InvalidInput(t("report.bad_name", name=name, choices=", ".join(NAMES)))
    if name == "manager":
        return
    allowed = not own_book_only(actor) and (name == "team" or actor.role != Role.SUPERVISOR)
    if not allowed:
        raise OutOfScope(t("report.name_refused", name=name, role=label("role", actor.role)))


def figure_def(key: str) -> FigureDef:
    """The definition of figure ``key``, or a clear refusal naming the figures."""
    if key not in BY_KEY:
        raise InvalidInput(t("report.unknown_figure", figure=key, choices=", ".join(BY_KEY)))
    return BY_KEY[key]


# -- figures ---------------------------------------------------------------------------------

ONE_OFF = {"compiled_cache": None}
"""A figure's statement is compiled for its run and not kept in the engine's statement cache:
each is a few hundred lines of SQL with its CTEs, the Dashboard's 30 figures and their 8-week
trend held about 30 MiB in every session that opened it, and compiling one costs far less
than running it."""

Sums = dict[tuple[int, str], tuple[float, float, float | None]]
"""(owner id, breakdown) → (Σ num, Σ den, the largest of the figure's ``oldest`` column)."""
Sums_by_figure = dict[str, Sums]


def _sums_sql(query: Query, figure: FigureDef, owners: list[int]) -> str:
    d = query.dialect
    oldest = f"MAX({figure.oldest})" if figure.oldest else "NULL"
    return (
        f"{query.ctes} SELECT owner_id, COALESCE(grp, ''), {d.total.format('num')},"
        f" {d.total.format('den')}, {oldest}"
        f" FROM ({figure.select(query, owners_sql(owners))}){d.alias} GROUP BY owner_id, grp"
    )


def period_sums(session: Session, query: Query, figure: FigureDef, owners: list[int]) -> Sums:
    """``figure``'s sums per owner and breakdown over ``query``'s period."""
    sql = _sums_sql(query, figure, owners)
    result = session.connection().execute(text(sql), query.params, execution_options=ONE_OFF)
    return {
        (int(o), str(g)): (float(n), float(d), None if m is None else float(m))
        for o, g, n, d, m in result
    }


def report_statements(
    *,
    settings: Settings,
    start: date,
    end: date,
    owner_ids: list[int],
    dialect: str = "sqlite",
) -> list[tuple[str, dict[str, Any]]]:
    """The statements :func:`report` runs for ``owner_ids`` over ``start``–``end`` on the
    database ``dialect``, one per figure, with their named parameters: what
    ``bench/report.py`` runs on a bare connection as the floor."""
    query = query_for(settings, start, end, dialect_of(dialect))
    return [(_sums_sql(query, f, owner_ids), query.params) for f in FIGURES]


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _value(figure: FigureDef, num: float, den: float) -> float | None:
    """The figure's value from its sums: the ratio, or for a sum (yuan, a count) the sum."""
    return num if figure.unit in SUM_UNITS else _ratio(num, den)


OwnerSums = dict[int, list[tuple[str, tuple[float, float, float | None]]]]
"""Owner id → (breakdown, its sums) of one figure: a group's figure is read by its owners."""


def by_owner(sums: Sums) -> OwnerSums:
    """``sums`` by owner (a branch of three thousand managers makes each group's figure a
    look-up per owner instead of a pass over every owner's sums)."""
    out: OwnerSums = defaultdict(list)
    for (owner, grp), values in sums.items():
        out[owner].append((grp, values))
    return out


def _figure(settings: Settings, figure: FigureDef, index: OwnerSums, owners: set[int]) -> Figure:
    parts: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    waits: list[float] = []
    for owner in sorted(owners):
        for grp, (num, den, oldest) in index.get(owner, ()):
            parts[grp][0] += num
            parts[grp][1] += den
            if oldest is not None:
                waits.append(oldest)
    num = sum(p[0] for p in parts.values())
    den = sum(p[1] for p in parts.values())
    value = _value(figure, num, den)
    target = _target_of(settings, figure)
    below = _below(figure, value, target)
    judged = [_part(settings, figure, k, n, d) for k, (n, d) in _in_order(settings, figure, parts)]
    if figure.part_target is not None:
        # Each breakdown value against its own target; the figure's is theirs weighted by
        # the records (the target this mix of classes is held to), and it is below target
        # when any part is.
        if den:
            target = sum((p.target or 0.0) * p.denominator for p in judged) / den
        below = any(p.below_target for p in judged)
    return Figure(
        key=figure.key,
        numerator=num,
        denominator=den,
        value=value,
        unit=figure.unit,
        target=target,
        below_target=below,
        parts=tuple(p for p in judged if p.key),
        oldest_days=max(waits, default=None),
    )


def _in_order(
    settings: Settings, figure: FigureDef, parts: dict[str, list[float]]
) -> list[tuple[str, list[float]]]:
    """The breakdown values in the figure's order (the pipeline's steps), else sorted."""
    order = figure.part_order(settings) if figure.part_order else []
    rank = {key: i for i, key in enumerate(order)}
    return sorted(parts.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))


def _target_of(settings: Settings, figure: FigureDef) -> float | None:
    """The figure's target in ``[targets]``, if it has one."""
    return getattr(settings.targets, figure.target) if figure.target else None


def _part(settings: Settings, figure: FigureDef, key: str, num: float, den: float) -> FigurePart:
    if figure.part_target is None:
        return FigurePart(key, num, den, _value(figure, num, den))
    target = figure.part_target(settings.targets, key)
    below = _below(figure, _ratio(num, den), target)
    return FigurePart(key, num, den, _ratio(num, den), target, below)


def _below(figure: FigureDef, value: float | None, target: float | None) -> bool:
    if value is None or target is None:
        return False
    # Rounding noise must not turn 95.0% into "below 95%".
    return value < target - 1e-9 if figure.higher_is_better else value > target + 1e-9


def _groups(name: str, subj: Subject) -> list[tuple[str, str, str, set[int]]]:
    """(kind, key, name, owner ids) of each group of the breakdown ``name``."""
    if name == "manager":
        return [
            ("manager", m.login, m.name, {m.id})
            for m in subj.members
            if m.role in BOOK_ROLES or len(subj.members) == 1
        ]
    if name == "team":
        teams: dict[str, set[int]] = defaultdict(set)
        for m in subj.members:
            if m.team or m.role in BOOK_ROLES:  # a branch head or admin is in no team
                teams[m.team or ""].add(m.id)
        return [
            ("team", key, key or t("report.no_team"), ids) for key, ids in sorted(teams.items())
        ]
    return [("branch", subj.label, subj.label, set(subj.owner_ids))]


def report(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    name: str,
    start: date,
    end: date,
    team: str | None = None,
    staff_login: str | None = None,
) -> Report:
    """The figures of ``name`` (``manager``, ``team`` or ``branch``) over ``start``–``end``."""
    _check_name(actor, name)
    subj = subject(session=session, actor=actor, team=team, staff_login=staff_login)
    query = query_for(settings, start, end, dialect_for(session))
    owners = subj.owner_ids
    whole = name == "branch"  # one group, the whole scope
    taken = _snapshot(session, settings, actor, [(start, end)], owners, whole_only=whole)
    if taken is not None:  # the scheduler's sums of this period, as of their instant
        as_of, (sums,) = taken
    else:
        as_of = query.as_of
        sums = {f.key: period_sums(session, query, f, owners) for f in FIGURES}

    indexed = {f.key: by_owner(sums[f.key]) for f in FIGURES}

    def group(kind: str, key: str, title: str, ids: set[int]) -> ReportGroup:
        figures = tuple(_figure(settings, f, indexed[f.key], ids) for f in FIGURES)
        return ReportGroup(kind, key, title, figures)

    total = group("branch", subj.label, subj.label, set(owners))
    groups = tuple(group(*g) for g in _groups(name, subj))
    return Report(name, start, end, as_of, subj.label, total, groups, taken is not None)


def _snapshot(
    session: Session,
    settings: Settings,
    actor: Actor,
    periods: list[tuple[date, date]],
    owners: list[int],
    *,
    whole_only: bool,
) -> tuple[datetime, list[Sums_by_figure]] | None:
    """The scheduler's sums of ``periods`` for ``owners`` when they can stand for the live
    ones (``whole_only``: summed over them all is all that is wanted)."""
    from cmworkbench.services.reports import snapshot

    if actor.branch_id is None:
        return None
    return snapshot.usable(
        session, settings, actor.branch_id, periods, owners, whole_only=whole_only
    )


def trend_periods(last: date, weeks: int = 8) -> list[tuple[date, date]]:
    """The ISO weeks (Monday to Sunday) of the ``weeks`` weeks up to the week of ``last``,
    oldest first."""
    monday = last - timedelta(days=last.weekday())
    periods = []
    for back in range(weeks - 1, -1, -1):
        start = monday - timedelta(weeks=back)
        periods.append((start, start + timedelta(days=6)))
    return periods


def drill(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    figure_key: str,
    start: date,
    end: date,
    team: str | None = None,
    staff_login: str | None = None,
    limit: int | None = None,
    as_of: datetime | None = None,
) -> list[DrillRow]:
    """The records behind one figure: numerator and denominator rows, misses first (a
    ``limit`` shows the first rows only; without it the list sums to the figure). ``as_of``:
    the records as they stood then (the instant of the report the figure came from: a
    snapshot's, :mod:`.snapshot`); never later than now."""
    figure = figure_def(figure_key)
    subj = subject(session=session, actor=actor, team=team, staff_login=staff_login)
    d = dialect_for(session)
    now = clock.now() if as_of is None else min(as_of, clock.now())
    query = query_for(settings, start, end, d, now=now)
    by_id = {m.id: m for m in subj.members}
    sql = (
        f"{query.ctes} SELECT {', '.join(ROW_COLUMNS)}"
        f" FROM ({figure.select(query, owners_sql(by_id))}){d.alias}"
        f" ORDER BY {figure.worst_first + ', ' if figure.worst_first else ''}"
        f"num * 1.0 / {d.greatest.format('den', '1')} "
        + ("DESC" if not figure.higher_is_better else "ASC")
        + ", day, ref"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = []
    for owner, grp, ref, name, day, num, den, detail in session.connection().execute(
        text(sql), query.params, execution_options=ONE_OFF
    ):
        member = by_id[int(owner)]
        rows.append(
            DrillRow(
                figure_key,
                member.login,
                member.name,
                grp or "",
                str(ref),
                name or "",
                str(day or ""),
                float(num or 0),
                float(den or 0),
                str(detail or ""),
            )
        )
    return rows


def _week_sums(
    session: Session, settings: Settings, figure: FigureDef, owners: list[int], query: Query
) -> tuple[float, float, bool]:
    """(Σ num, Σ den, below target) of ``figure`` over one period, the whole scope, summed
    and judged as the report does."""
    sums = period_sums(session, query, figure, owners)
    return _judged_sums(settings, figure, sums, set(owners))


def _judged_sums(
    settings: Settings, figure: FigureDef, sums: Sums, owners: set[int]
) -> tuple[float, float, bool]:
    """(Σ num, Σ den, below target) of ``sums`` over ``owners``, judged as the report does."""
    fig = _figure(settings, figure, by_owner(sums), owners)
    return fig.numerator, fig.denominator, fig.below_target


def _weekly_sums(
    session: Session, queries: Sequence[Query], figure: FigureDef, owners: list[int]
) -> list[tuple[float, float]]:
    """(Σ num, Σ den) of ``figure`` in each of the consecutive periods, the whole scope, in
    one pass."""
    row = _weekly_rows(session, queries, figure, owners, per_owner=False).one()
    return [(float(row[2 * n]), float(row[2 * n + 1])) for n in range(len(queries))]


def _weekly_rows(
    session: Session,
    queries: Sequence[Query],
    figure: FigureDef,
    owners: list[int],
    *,
    per_owner: bool,
) -> Any:
    """The ``weekly`` statement's sums, ``num_0, den_0, num_1, …``: one row for the whole
    scope, or (``per_owner``) one per owner, the owner's id first."""
    assert figure.weekly is not None
    weeks, query = len(queries), weekly_query(queries)
    d = query.dialect
    totals = ", ".join(
        f"{d.total.format(f'num_{n}')}, {d.total.format(f'den_{n}')}" for n in range(weeks)
    )
    rows = figure.select_weekly(query, owners_sql(owners), weeks)
    owner, by = ("owner_id, ", " GROUP BY owner_id") if per_owner else ("", "")
    sql = f"{query.ctes} SELECT {owner}{totals} FROM ({rows}){d.alias}{by}"
    return session.connection().execute(text(sql), query.params, execution_options=ONE_OFF)


def weeks_sums(
    session: Session, queries: Sequence[Query], figure: FigureDef, owners: list[int]
) -> list[Sums]:
    """``figure``'s sums per owner (and breakdown, for a figure read week by week) in each of
    the consecutive periods of ``queries``: one pass for a figure with a ``weekly``
    statement (its breakdown is not kept: its weeks are judged as a whole)."""
    if figure.weekly is None:
        return [period_sums(session, query, figure, owners) for query in queries]
    weeks = len(queries)
    result = _weekly_rows(session, queries, figure, owners, per_owner=True)
    out: list[Sums] = [{} for _ in range(weeks)]
    for row in result:
        for n in range(weeks):
            out[n][(int(row[0]), "")] = (float(row[1 + 2 * n]), float(row[2 + 2 * n]), None)
    return out


def _judged(
    settings: Settings, figure: FigureDef, sums: list[tuple[float, float]]
) -> list[tuple[float, float, bool]]:
    """Each period's sums with whether they are below the figure's target."""
    target = _target_of(settings, figure)
    return [(num, den, _below(figure, _value(figure, num, den), target)) for num, den in sums]


def weekly_trend(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    figure_key: str | None = None,
    weeks: int = 8,
    end: date | None = None,
    team: str | None = None,
    staff_login: str | None = None,
) -> dict[str, list[TrendPoint]]:
    """Each figure (or ``figure_key`` only) per ISO week over the ``weeks`` weeks up to the
    week of ``end`` (default today), oldest first; the running week is "so far"."""
    figures = [figure_def(figure_key)] if figure_key else list(FIGURES)
    if not 1 <= weeks <= 53:
        raise InvalidInput(t("report.bad_weeks", weeks=weeks))
    subj = subject(session=session, actor=actor, team=team, staff_login=staff_login)
    dialect = dialect_for(session)
    last = min(end or clock.today(), clock.today())
    owners = subj.owner_ids
    periods = trend_periods(last, weeks)
    taken = _snapshot(session, settings, actor, periods, owners, whole_only=True)
    if taken is not None:  # the scheduler's sums of every week, as of one instant
        ids = set(owners)
        values = {
            f.key: [_judged_sums(settings, f, week[f.key], ids) for week in taken[1]]
            for f in figures
        }
    else:
        # A figure that reads every customer or holding does all weeks in one pass; the
        # others read a few records per week through their indexes.
        queries = [query_for(settings, start, stop, dialect) for start, stop in periods]
        values = {
            f.key: _judged(settings, f, _weekly_sums(session, queries, f, owners))
            if f.weekly
            else [_week_sums(session, settings, f, owners, query) for query in queries]
            for f in figures
        }
    trend: dict[str, list[TrendPoint]] = {}
    for f in figures:
        points = []
        for (start, stop), (num, den, below) in zip(periods, values[f.key], strict=True):
            iso = start.isocalendar()
            week = f"{iso.year}-W{iso.week:02d}"
            points.append(TrendPoint(week, start, stop, _value(f, num, den), below))
        trend[f.key] = points
    return trend


BELOW_KEPT = 64
"""Answers of :func:`teams_below_target` kept per process (a few leads, a few days)."""

_kept_below: dict[tuple[object, ...], list[TeamBelow]] = {}


def forget_kept() -> None:
    """Drop the answers kept by :func:`teams_below_target` (a test's new database)."""
    _kept_below.clear()


def teams_below_target(
    *, session: Session, actor: Actor, settings: Settings, keys: Sequence[str], start: date,
    end: date,
) -> list[TeamBelow]:  # fmt: skip
    """The teams of the actor's scope whose figures ``keys`` are worse than their targets
    over ``start``–``end``: the same sums as the report's team breakdown (the Dashboard's
    figures), only for those figures. A period not begun yet has none.

    A period of whole past days (``end`` before today) does not change during the day: its
    answer is kept in the process for the rest of the day (the branch head's Today reads it
    at every reload; at a million customers the three default figures take about 3 s)."""
    past = end < clock.today()
    database = str(session.get_bind().engine.url)
    key = (
        database,
        actor.id,
        actor.team_id,
        start,
        end,
        tuple(keys),
        settings.targets,
        clock.today(),
    )
    if past and key in _kept_below:
        return list(_kept_below[key])
    subj = subject(session=session, actor=actor)
    try:
        query = query_for(settings, start, end, dialect_for(session))
    except InvalidInput:  # the period starts now: nothing to judge yet
        return []
    owners = subj.owner_ids
    below = []
    for figure_key in keys:
        figure = figure_def(figure_key)
        sums = by_owner(period_sums(session, query, figure, owners))
        for _kind, team, name, ids in _groups("team", subj):
            found = _figure(settings, figure, sums, ids)
            if found.below_target and found.value is not None and found.target is not None:
                below.append(
                    TeamBelow(team, name, figure_key, found.value, found.target, found.unit)
                )
    if past:
        if len(_kept_below) >= BELOW_KEPT:
            _kept_below.clear()
        _kept_below[key] = list(below)
    return below
