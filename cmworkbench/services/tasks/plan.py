"""Today's plan (DESIGN.md, "A day a manager can work"): what a person works today, within the
day's capacity, and the backlog beside it, counted and aged, never hidden.

The day has three parts (:data:`~cmworkbench.services.tasks.schemas.SECTIONS`):

* **fixed**: what has a time or a deadline today: call-backs and tasks added by hand for a time
  today, tasks whose last day is today, the visits still to make in the week's submitted or
  approved plan, and complaint deadlines falling today;
* **plan**: the highest-priority open tasks due by today that fit the capacity left after the
  fixed items (``capacity.<role>``: calls and meetings; ``capacity.cost``: what each kind of
  task uses up). The plan is made when the list is first opened that day and kept
  (``day_plan``): rows leave it as they are done, the rest never reorder; ``p`` pulls the next
  items from the backlog into it (:func:`pull`);
* **backlog**: every other open task due by today, by kind with the oldest's age.

Only a person's own look at today keeps a plan (Today, ``cmw today``, ``cmw tasks``:
:func:`today_plan`, :func:`today_list`, :func:`backlog_rows`). A day other than today is
computed and never stored. A lead looking at a colleague's day (the team board,
:func:`day_summary`, which passes ``keep=False``) reads the colleague's kept plan if there is
one and otherwise computes it without keeping it, so the plan a person works is the one made
when *they* first looked.

What is not reached today is still open tomorrow, a day older: tomorrow's plan is made afresh
and the reason shows the age (``应联系 6 天``). A task snoozed past now, and a task continued
by an open call-back, are left out until then.

The candidates are read as light rows (ids, kinds, the customer's class and flags, and the
priority score of :mod:`cmworkbench.domain.priority` for the day), in bounded parts: the fixed
items and office work, the kept plan's ids (or, for a new plan, each owner's first
:data:`RANKED_READ` by the score stored for the day, from ``ix_task_owner_priority``:
:mod:`cmworkbench.db.scoring`), and the backlog counted by one ``GROUP BY``. Only the rows
shown are read in full. A day whose scores are not stored (another day, or today before
anyone's first look when the generation has not run) is ranked in SQL instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, not_, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.sqltypes import UTCDateTime

from cmworkbench import clock
from cmworkbench.clock import day_bounds
from cmworkbench.config import CapacitySettings, Settings
from cmworkbench.db import scoring
from cmworkbench.db.models import Customer, DayPlan, DayPlanItem, Lead, Task
from cmworkbench.domain.cadence import applicable_rule
from cmworkbench.domain.enums import TaskKind, TaskStatus
from cmworkbench.i18n import label, t
from cmworkbench.services.complaints.api import deadlines_on
from cmworkbench.services.complaints.schemas import DeadlineToday
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.promises import api as promises
from cmworkbench.services.promises.schemas import PromiseOut
from cmworkbench.services.tasks.schemas import PULL, Backlog, DaySummary, TodayPlan, TodayRow
from cmworkbench.services.tasks.today import REASON_JOINER, covered_staff, row_of
from cmworkbench.services.visits.api import day_visits
from cmworkbench.services.visits.schemas import DayVisit

BACKLOG_ROWS = 300
"""The backlog list shows its first rows by priority (every one is counted)."""

DUE_DAY_IS_DEADLINE = frozenset({"after_sale", "post_loan", "return_call", "care"})
"""Kinds without a separate deadline whose due day is a deadline all the same (the end of the
after-sale window, the check date, the end of the return call's month, the birthday itself):
due today, they are fixed items. An info check or a manual task due today is not: it is
planned by priority like the rest, and is overdue tomorrow."""

SCHEDULED_RULES = (
    "cadence.", "freshness.", "care.", "after_sale", "maturity", "post_loan", "return_call",
    "churn", "monthly.", "directory",
)  # fmt: skip
"""Rule names (prefixes) of the tasks the scheduled generation makes (daily, ``rules_sql``;
monthly, ``reminders``). A task made after the day's plan by anything else (a visit's next
step, a returned visit plan) was made by a person's action that day, and joins the plan at its
end; a task the generation makes later in the day (a late run) waits in the backlog."""

TIMED_KINDS = frozenset({TaskKind.CALL_BACK, TaskKind.MANUAL})
"""Kinds whose due time is a time a person chose (a call-back, a task added for 10:00)."""


@dataclass(frozen=True)
class Candidate:
    """One open task due by the day, as the plan weighs it."""

    task_id: int
    kind: str
    owner_id: int
    due_at: datetime
    deadline_at: datetime | None
    score: int
    cost: str
    """``call``, ``meeting`` or ``none``."""
    fixed_at: datetime | None
    """Its time today, when it has one (a call-back); ``None`` otherwise."""
    last_day: bool
    """Its deadline falls on the day."""

    @property
    def fixed(self) -> bool:
        return self.fixed_at is not None or self.last_day


@dataclass(frozen=True)
class Day:
    """Who and which day: the owners whose due work the day holds (the actor, and colleagues on
    leave they cover), and the settings the plan is made with."""

    actor: Actor
    day: date
    covered: dict[int, str]
    settings: Settings
    stored: bool = False
    """``task.priority`` holds the scores of this day (:mod:`cmworkbench.db.scoring`): the
    ranked reads use its index."""

    @property
    def owners(self) -> list[int]:
        return [self.actor.id, *self.covered]


@dataclass(frozen=True)
class Parts:
    """The day split in its parts: fixed and planned as candidates (no row read in full
    yet), the backlog counted (its rows are read on demand, :func:`_ranked`)."""

    day: Day
    fixed: list[Candidate]
    visits: list[DayVisit]
    """The person's own visits of the day (fixed items too; each uses a meeting)."""
    planned: list[Candidate]
    backlog: Backlog

    @property
    def in_day(self) -> list[int]:
        return [c.task_id for c in [*self.fixed, *self.planned]]


# -- the day's parts -------------------------------------------------------------------------


def today_plan(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    day: date | None = None,
    kind: str | None = None,
    keep: bool = True,
    with_backlog: bool = False,
) -> TodayPlan:
    """The actor's day: fixed items, then the plan (made and kept at the first look of the
    day), and the backlog counted by kind. ``kind`` keeps one kind of row only; ``keep=False``
    never stores the plan (see the module doc: only today's own look keeps it);
    ``with_backlog`` also reads the backlog's first rows (:func:`backlog_rows`) from the same
    reading of the day."""
    settings = settings or Settings()
    parts = _parts(session, actor, settings, day or clock.today(), keep=keep)
    the_day, fixed, planned = parts.day, parts.fixed, parts.planned
    capacity = settings.capacity.of(actor.role)
    rows = [
        *_fixed_rows(session, parts),
        *_task_rows(session, the_day, planned, "plan"),
    ]
    used = _used([*fixed, *planned])
    used["meeting"] += len(parts.visits)
    return TodayPlan(
        day=the_day.day,
        rows=[row for row in rows if kind is None or row.kind == kind],
        backlog=parts.backlog,
        calls=capacity.calls,
        meetings=capacity.meetings,
        planned_calls=used["call"],
        planned_meetings=used["meeting"],
        done_today=_done_today(session, the_day),
        backlog_rows=_backlog_rows(session, parts, kind) if with_backlog else [],
    )


def day_summary(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    day: date | None = None,
) -> DaySummary:
    """``actor``'s day in figures, as a lead sees it on the team board: the rows of their day
    (fixed items and plan, as :func:`today_plan` lists them), the tasks done today and the
    backlog with its oldest's age. ``actor`` is the person looked at, not the lead: their
    capacity, their leave coverage, their kept plan if they have opened Today already. Nothing
    is stored: the plan of someone who has not looked yet is computed (``keep=False``), and
    their own first look makes it afresh. Only counts are read: no row is read in full."""
    settings = settings or Settings()
    parts = _parts(session, actor, settings, day or clock.today(), keep=False)
    the_day = parts.day
    # The same fixed items as _fixed_rows: the person's own visits, the complaint deadlines
    # of their tickets and those they cover, and the promises they owe by tonight.
    visits = len(parts.visits)
    deadlines = len(deadlines_on(session, [actor.id], the_day.day, actor))
    deadlines += len(promises.due_on(session, actor, the_day.day))
    return DaySummary(
        day=the_day.day,
        plan_size=len(parts.fixed) + visits + deadlines + len(parts.planned),
        done_today=_done_today(session, the_day),
        backlog=parts.backlog.total,
        backlog_oldest_days=parts.backlog.oldest_days,
    )


def backlog_rows(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    day: date | None = None,
    kind: str | None = None,
    limit: int = BACKLOG_ROWS,
) -> list[TodayRow]:
    """The backlog's first ``limit`` rows by priority (``kind``: of that kind only)."""
    settings = settings or Settings()
    return _backlog_rows(
        session, _parts(session, actor, settings, day or clock.today()), kind, limit
    )


def _backlog_rows(
    session: Session, parts: Parts, kind: str | None, limit: int = BACKLOG_ROWS
) -> list[TodayRow]:
    backlog = _ranked(session, parts.day, exclude=parts.in_day, kind=kind, limit=limit)
    return _task_rows(session, parts.day, backlog, "backlog")


def pull(
    *, session: Session, actor: Actor, settings: Settings | None = None, count: int = PULL
) -> int:
    """Move the next ``count`` tasks of the backlog (by priority) into today's plan, after
    the rows already there; returns how many moved (fewer when the backlog runs out). Tasks
    that joined the plan during the day (:data:`SCHEDULED_RULES`) are stored first, so the
    pulled ones come after them and nothing moves."""
    settings = settings or Settings()
    parts = _parts(session, actor, settings, clock.today())
    day = parts.day.day
    if session.get(DayPlan, (actor.id, day)) is None:  # no plan today (the admin): no pull
        return 0
    stored = set(_plan_items(session, actor.id, day))
    joined = [c for c in parts.planned if c.task_id not in stored]
    taken = _ranked(session, parts.day, exclude=parts.in_day, limit=count)
    _append(session, actor.id, day, [(c, False) for c in joined] + [(c, True) for c in taken])
    return len(taken)


def _append(
    session: Session, staff_id: int, day: date, rows: Sequence[tuple[Candidate, bool]]
) -> None:
    """Store ``rows`` (a task, and whether it was pulled from the backlog by hand) after the
    plan's last row, in order: nothing already on the list moves."""
    last = session.exec(
        select(func.max(DayPlanItem.position)).where(
            col(DayPlanItem.staff_id) == staff_id, col(DayPlanItem.day) == day
        )
    ).one()
    session.add_all(
        DayPlanItem(staff_id=staff_id, day=day, task_id=c.task_id, position=n, pulled=pulled)
        for n, (c, pulled) in enumerate(rows, start=(last or 0) + 1)
    )


def today_list(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    day: date | None = None,
    kind: str | None = None,
    limit: int | None = None,
) -> list[TodayRow]:
    """Every open task of the day as rows, in the order of the day: fixed (timed, then on
    their last day), the plan, then the backlog by priority; each row says its ``section``.
    Visits and complaint deadlines are not tasks and are left out (:func:`today_plan` has
    them). ``kind`` keeps one kind; ``limit`` the first rows. ``cmw tasks`` prints this."""
    settings = settings or Settings()
    parts = _parts(session, actor, settings, day or clock.today())
    fixed = sorted(parts.fixed, key=lambda c: (c.fixed_at is None, c.fixed_at or c.due_at))
    rows: list[TodayRow] = []
    for section, chosen in (("fixed", fixed), ("plan", parts.planned)):
        chosen = [c for c in chosen if kind is None or c.kind == kind]
        if limit is not None:
            chosen = chosen[: max(limit - len(rows), 0)]
        rows += _task_rows(session, parts.day, chosen, section)
    left = None if limit is None else max(limit - len(rows), 0)
    backlog = _ranked(session, parts.day, exclude=parts.in_day, kind=kind, limit=left)
    return rows + _task_rows(session, parts.day, backlog, "backlog")


def today_counts(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    day: date | None = None,
) -> dict[str, int]:
    """How many open tasks of each kind the day holds, plan and backlog together."""
    settings = settings or Settings()
    the_day = _day(session, actor, settings, day or clock.today())
    return {kind: count for kind, (count, _age) in _counted(session, the_day, ()).items()}


def _parts(
    session: Session, actor: Actor, settings: Settings, day: date, *, keep: bool = True
) -> Parts:
    """The actor's day in its parts: fixed, planned (kept at today's first look unless
    ``keep`` is off) and the backlog counted. Each read is bounded: the fixed items, the
    plan's ids or the first :data:`RANKED_READ` by priority, and a ``GROUP BY`` for the
    backlog; no read ranks every due task in Python."""
    the_day = _day(session, actor, settings, day, keep=keep)
    # One read for the fixed items and the office work (no capacity used): both join the day.
    office = and_(col(Task.kind).in_(_none_kinds(the_day)), not_(_fixed_clause(the_day)))
    both = _read(session, the_day, [or_(_fixed_clause(the_day), office)])
    fixed = [c for c in both if c.fixed]
    visits = day_visits(session, [actor.id], day)
    office_work = [c for c in both if not c.fixed]
    planned = _planned(session, the_day, fixed, len(visits), office_work, keep=keep)
    in_day = [c.task_id for c in [*fixed, *planned]]
    by_kind = _counted(session, the_day, in_day)
    backlog = Backlog(total=sum(n for n, _ in by_kind.values()), by_kind=by_kind)
    return Parts(the_day, fixed, visits, planned, backlog)


# -- reading the candidates ------------------------------------------------------------------


def _day(
    session: Session, actor: Actor, settings: Settings, day: date, *, keep: bool = False
) -> Day:
    """The day. A person's own look at today (``keep``: it keeps a plan, so it writes
    anyway) makes sure today's scores are stored: scored in full if the generation has not
    scored them today, once a day, by whoever looks first. Any other read only uses them if
    they are there, and ranks in SQL otherwise: a read never writes."""
    conn = session.connection()
    if keep and day == clock.today():
        scoring.ensure_scored(conn, day)
        stored = True
    else:
        stored = scoring.scored_for(conn) == day
    return Day(actor, day, covered_staff(session=session, actor=actor, day=day), settings, stored)


def _due(
    the_day: Day, owners: Sequence[int] | None = None, due_at: Any = None
) -> list[ColumnElement[bool]]:
    """Open tasks of the day's owners (or of ``owners``) due by its end, not snoozed past now,
    and not continued by an open call-back (shown as the call-back, at its time;
    ``ix_task_origin``). ``due_at``: the due column as the query should name it."""
    child = aliased(Task)  # not correlated with the outer task: one list, read once
    continued = select(child.origin_task_id).where(
        # "> 0", not "IS NOT NULL": SQLite reads ix_task_origin for a range, not for IS NOT
        # NULL (that scanned the whole task table: 0.1 s a read at a million customers).
        col(child.origin_task_id) > 0,
        col(child.status) == TaskStatus.OPEN,
    )
    whose = the_day.owners if owners is None else list(owners)
    return [
        col(Task.owner_id) == whose[0] if len(whose) == 1 else col(Task.owner_id).in_(whose),
        col(Task.status) == TaskStatus.OPEN,
        (col(Task.due_at) if due_at is None else due_at) < day_bounds(the_day.day)[1],
        or_(col(Task.snoozed_until).is_(None), col(Task.snoozed_until) <= clock.now()),
        col(Task.id).not_in(continued),
    ]


def _fixed_clause(the_day: Day) -> ColumnElement[bool]:
    """SQL: the task is a fixed item of the day (:attr:`Candidate.fixed`): a time a person
    chose today, or its last day today."""
    start, end = day_bounds(the_day.day)
    timed = and_(col(Task.kind).in_(TIMED_KINDS), col(Task.rule).is_(None))
    deadline_kind = and_(col(Task.kind).in_(DUE_DAY_IS_DEADLINE), col(Task.deadline_at).is_(None))
    return or_(
        and_(col(Task.due_at) >= start, or_(timed, deadline_kind)),
        and_(
            col(Task.deadline_at).is_not(None),  # so that NOT of this is never NULL
            col(Task.deadline_at) >= start,
            col(Task.deadline_at) < end,
        ),
    )


def _none_kinds(the_day: Day) -> list[str]:
    """Kinds that use up nothing of the day (office work): all of them join the plan."""
    return [k for k, cost in the_day.settings.capacity.cost.items() if cost == "none"]


def _ranked(
    session: Session,
    the_day: Day,
    *,
    exclude: Sequence[int] = (),
    kind: str | None = None,
    limit: int | None = None,
) -> list[Candidate]:
    """The day's tasks that are not fixed, by priority, without ``exclude`` (the day's rows):
    the first ``limit`` (``None``: all, for ``cmw tasks``). The score is computed in SQL and
    only ``limit`` rows leave the database."""
    where = [not_(_fixed_clause(the_day))]
    if exclude:
        where.append(col(Task.id).not_in(list(exclude)))
    if kind is not None:
        where.append(col(Task.kind) == kind)
    return _ranked_read(session, the_day, where, limit)


def _counted(session: Session, the_day: Day, exclude: Sequence[int]) -> dict[str, tuple[int, int]]:
    """Task kind → (how many, the oldest's age in days since it fell due), over the day's due
    tasks without ``exclude`` (one ``GROUP BY``)."""
    where = _due(the_day)
    if exclude:
        where.append(col(Task.id).not_in(list(exclude)))
    query = (
        sa_select(col(Task.kind), func.count(), func.min(col(Task.due_at)))
        .where(*where)
        .group_by(col(Task.kind))
    )
    tz = clock.branch_tz()
    counted = {}
    for kind, count, oldest in session.execute(query).all():
        due_on = oldest.astimezone(tz).date()  # MIN keeps the column's type: aware, UTC
        counted[kind] = (int(count), max((the_day.day - due_on).days, 0))
    return counted


def _read(
    session: Session,
    the_day: Day,
    where: Sequence[ColumnElement[bool]],
    *,
    limit: int | None = None,
) -> list[Candidate]:
    """The day's due tasks that also meet ``where``, highest priority first, as light rows
    (no ORM objects; the score in SQL from the domain's weights, :func:`scoring.score`)."""
    return _query(session, the_day, [*_due(the_day), *where], stored=False, limit=limit)


def _ranked_read(
    session: Session, the_day: Day, where: Sequence[ColumnElement[bool]], limit: int | None
) -> list[Candidate]:
    """The first ``limit`` of the day's due tasks that meet ``where``, by priority: for the
    scored day, each owner's first rows from ``ix_task_owner_priority`` (a range scan that
    stops at ``limit``), merged; for another day, or without a limit, ranked in SQL."""
    if not the_day.stored or limit is None:
        return _read(session, the_day, where, limit=limit)
    found: list[Candidate] = []
    # SQLite would rather take the due day's range on ix_task_owner_status_due and sort the
    # whole book; a unary "+" keeps that term off the index (SQLite's own advice), so the
    # book is read in score order from ix_task_owner_priority and the read stops at ``limit``.
    sqlite = session.get_bind().dialect.name == "sqlite"
    due_at = literal_column("+task.due_at", UTCDateTime()) if sqlite else None
    for owner in the_day.owners:
        due = _due(the_day, owners=[owner], due_at=due_at)
        found += _query(session, the_day, [*due, *where], stored=True, limit=limit)
    found.sort(key=lambda c: (-c.score, c.due_at, c.task_id))
    return found[:limit]


def _query(
    session: Session,
    the_day: Day,
    where: Sequence[ColumnElement[bool]],
    *,
    stored: bool,
    limit: int | None,
) -> list[Candidate]:
    """Light rows of the tasks that meet ``where``, ordered by the stored score (``stored``:
    an index order) or by the score computed for the day."""
    day = the_day.day
    start, end = day_bounds(day)
    score = scoring.score(day)
    first: Any = col(Task.priority) if stored else score
    columns: list[Any] = [
        Task.id,
        Task.kind,
        Task.owner_id,
        Task.due_at,
        Task.deadline_at,
        Task.rule,
        Customer.cls,
        Customer.tier,
        Customer.is_vip,
        Customer.is_government,
        score.label("score"),
    ]
    query = (
        sa_select(*columns)
        .join(Customer, col(Customer.id) == col(Task.customer_id), isouter=True)
        .where(*where)
        .order_by(first.desc(), col(Task.due_at), col(Task.id))
        .limit(limit)
    )

    cost = _coster(the_day.settings)
    found = []
    for (
        task_id,
        kind,
        owner,
        due_at,
        deadline_at,
        rule,
        cls,
        tier,
        vip,
        gov,
        points,
    ) in session.execute(query).all():
        timed = kind in TIMED_KINDS and rule is None and start <= due_at < end
        last = deadline_at
        if last is None and kind in DUE_DAY_IS_DEADLINE:
            last = due_at
        found.append(
            Candidate(
                task_id=task_id,
                kind=kind,
                owner_id=owner,
                due_at=due_at,
                deadline_at=deadline_at,
                score=int(points),
                cost=cost(kind, cls, tier, bool(vip), bool(gov)),
                fixed_at=due_at if timed else None,
                last_day=last is not None and start <= last < end,
            )
        )
    return found


def _coster(settings: Settings):  # type: ignore[no-untyped-def]
    """What a task uses up of the day, by kind (and, for a contact, the customer's rule)."""
    capacity: CapacitySettings = settings.capacity

    @cache
    def cost(kind: str, cls: str | None, tier: str | None, vip: bool, gov: bool) -> str:
        chosen = capacity.cost_of(kind)
        if chosen != "channel":
            return chosen
        rule = applicable_rule(
            cls=cls, tier=tier, is_vip=vip, is_government=gov, rules=settings.cadence
        )
        channels = rule[1].channels if rule else ["call", "visit"]
        return "call" if {"call", "sms"} & set(channels) else "meeting"

    return cost


# -- the plan ----------------------------------------------------------------------------------

RANKED_READ = 300
"""A new plan is filled from the first this many tasks by priority (at least three times the
day's capacity): what fits the calls and meetings among them; the rest is the backlog."""


def _plan_items(session: Session, staff_id: int, day: date) -> list[int]:
    return list(
        session.exec(
            select(DayPlanItem.task_id)
            .where(col(DayPlanItem.staff_id) == staff_id, col(DayPlanItem.day) == day)
            .order_by(col(DayPlanItem.position))
        ).all()
    )


def _planned(
    session: Session,
    the_day: Day,
    fixed: list[Candidate],
    visits: int,
    office: list[Candidate],
    *,
    keep: bool = True,
) -> list[Candidate]:
    """The day's plan: kept if made already (without what has left the day: done, snoozed,
    given away; with what a person added since, :data:`SCHEDULED_RULES`), else made now and,
    for today and when ``keep`` is on, kept. Another day's plan, or a plan looked at by
    someone else, is never stored."""
    actor, day = the_day.actor, the_day.day
    kept = session.get(DayPlan, (actor.id, day))
    not_fixed = not_(_fixed_clause(the_day))
    mine_today = keep and day == clock.today()
    if kept is not None:
        items = _plan_items(session, actor.id, day)
        read = {c.task_id: c for c in _read(session, the_day, [col(Task.id).in_(items)])}
        scheduled = or_(*[col(Task.rule).startswith(p, autoescape=True) for p in SCHEDULED_RULES])
        new = _read(
            session,
            the_day,
            [
                not_fixed,
                col(Task.created_at) > kept.made_at,
                col(Task.id).not_in(items),
                or_(col(Task.rule).is_(None), not_(scheduled)),
            ],
        )
        rows = [read[i] for i in items if i in read and not read[i].fixed] + new
        if mine_today and _predates_generation(session, kept):
            left = _left(the_day, fixed, visits)
            rows += _top_up(session, the_day, kept, items, new, left, not_fixed)
        return rows
    left = _left(the_day, fixed, visits)
    planned = [*office, *_fitting(session, the_day, left, [not_fixed])]
    planned.sort(key=lambda c: (-c.score, c.due_at, c.task_id))
    if mine_today:
        capacity = the_day.settings.capacity.of(actor.role)
        session.add(
            DayPlan(
                staff_id=actor.id,
                day=day,
                made_at=clock.now(),
                calls=capacity.calls,
                meetings=capacity.meetings,
            )
        )
        session.flush()
        session.add_all(
            DayPlanItem(staff_id=actor.id, day=day, task_id=c.task_id, position=n, pulled=False)
            for n, c in enumerate(planned, start=1)
        )
    return planned


def _left(the_day: Day, fixed: Sequence[Candidate], visits: int) -> dict[str, int]:
    """The day's capacity (calls, meetings) less what its fixed-time items take."""
    capacity = the_day.settings.capacity.of(the_day.actor.role)
    left = {"call": capacity.calls, "meeting": capacity.meetings}
    for c in fixed:
        if c.cost in left:
            left[c.cost] -= 1
    left["meeting"] -= visits
    return left


def _fitting(
    session: Session, the_day: Day, left: dict[str, int], where: list[ColumnElement[bool]]
) -> list[Candidate]:
    """The highest-ranked tasks (of ``where``) that fit what is ``left``, which they use up."""
    capacity = the_day.settings.capacity.of(the_day.actor.role)
    some = max(RANKED_READ, 3 * (capacity.calls + capacity.meetings))
    kinds = col(Task.kind).not_in(_none_kinds(the_day))
    fitting = []
    for c in _ranked_read(session, the_day, [*where, kinds], some):
        if left.get(c.cost, 0) > 0:
            left[c.cost] -= 1
            fitting.append(c)
    return fitting


def _predates_generation(session: Session, kept: DayPlan) -> bool:
    """Whether the day's tasks were generated after the plan was made: the morning's
    generation ran late (the server was down at 06:30 and the scheduler caught up)."""
    generated = scoring.scored_at(session.connection(), kept.day)
    return generated is not None and generated > kept.made_at


def _top_up(
    session: Session,
    the_day: Day,
    kept: DayPlan,
    items: Sequence[int],
    new: Sequence[Candidate],
    left: dict[str, int],
    not_fixed: ColumnElement[bool],
) -> list[Candidate]:
    """A plan made before the day's generation ran holds only the work there was: what of the
    generated work fits the capacity its rows leave joins it at the end, stored, so nothing
    on the list moves (a late generation's work waits only for capacity the day has not got).
    Every row ever in the plan counts, done ones too: capacity used is used. The work a person
    added during the day (``new``) is stored first, as a pull does, so it keeps its place."""
    cost = _coster(the_day.settings)
    facts = (Task.kind, Customer.cls, Customer.tier, Customer.is_vip, Customer.is_government)
    query = (
        sa_select(*(col(column) for column in facts))
        .join(Customer, col(Customer.id) == col(Task.customer_id), isouter=True)
        .where(col(Task.id).in_(items))
    )
    spent = [cost(kind, cls, tier, bool(vip), bool(gov)) for kind, cls, tier, vip, gov in
             session.execute(query).all()] + [c.cost for c in new]  # fmt: skip
    for used in spent:
        if used in left:
            left[used] -= 1
    if max(left.values()) <= 0:
        return []
    stored = [*items, *(c.task_id for c in new)]
    late = [not_fixed, col(Task.created_at) > kept.made_at, col(Task.id).not_in(stored)]
    joined = _fitting(session, the_day, left, late)
    if joined:
        _append(session, kept.staff_id, kept.day, [(c, False) for c in [*new, *joined]])
    return joined


def _used(candidates: Iterable[Candidate]) -> dict[str, int]:
    used = {"call": 0, "meeting": 0, "none": 0}
    for c in candidates:
        used[c.cost] = used.get(c.cost, 0) + 1
    return used


def _done_today(session: Session, the_day: Day) -> int:
    start, end = day_bounds(the_day.day)
    return int(
        session.exec(
            select(func.count()).where(
                col(Task.owner_id).in_(the_day.owners),
                col(Task.status) == TaskStatus.DONE,
                col(Task.closed_at) >= start,
                col(Task.closed_at) < end,
            )
        ).one()
    )


# -- rows ----------------------------------------------------------------------------------------


def _task_rows(
    session: Session, the_day: Day, candidates: Sequence[Candidate], section: str
) -> list[TodayRow]:
    """The rows of ``candidates``, in their order, read in full (one query)."""
    if not candidates:
        return []
    ids = [c.task_id for c in candidates]
    query = (
        select(Task, Customer, Lead)
        .join(Customer, col(Task.customer_id) == col(Customer.id), isouter=True)
        .join(Lead, col(Task.lead_id) == col(Lead.id), isouter=True)
        .where(col(Task.id).in_(ids))
    )
    read = {task.id: (task, customer, lead) for task, customer, lead in session.exec(query).all()}
    rows = []
    for c in candidates:
        task, customer, lead = read[c.task_id]
        row = row_of(task, customer, the_day.day, the_day.covered, lead)
        rows.append(replace(row, section=section, at=c.fixed_at))
    return rows


def _fixed_rows(session: Session, parts: Parts) -> list[TodayRow]:
    """Call-backs and timed tasks by time, then visits by time, complaint deadlines by time,
    then tasks on their last day by priority."""
    the_day, fixed = parts.day, parts.fixed
    timed = sorted((c for c in fixed if c.fixed_at is not None), key=lambda c: c.fixed_at)  # type: ignore[arg-type, return-value]
    last_day = [c for c in fixed if c.fixed_at is None]
    rows = _task_rows(session, the_day, timed, "fixed")
    rows += [_visit_row(v) for v in parts.visits]
    actor = the_day.actor
    rows += [_deadline_row(d) for d in deadlines_on(session, [actor.id], the_day.day, actor)]
    rows += [_promise_row(p) for p in promises.due_on(session, actor, the_day.day)]
    rows.sort(key=lambda row: row.at or row.due_at)
    return rows + _task_rows(session, the_day, last_day, "fixed")


def _visit_row(visit: DayVisit) -> TodayRow:
    what = [t("tui.today.visit_planned"), label("visit_purpose", visit.purpose)]
    return _item_row("visit", str(visit.item_id), visit.starts_at, what, visit)


def _deadline_row(deadline: DeadlineToday) -> TodayRow:
    what = [deadline.ticket_no, t(f"tui.today.complaint_deadline.{deadline.which}")]
    return _item_row("complaint", deadline.ticket_no, deadline.due_at, what, deadline)


def _promise_row(p: PromiseOut) -> TodayRow:
    """A promise owed by tonight (or already broken): fixed at its deadline."""
    what = [label("promise_kind", p.kind), p.what]
    if p.state == "broken":
        what.insert(0, t("tui.today.promise_broken"))
    row = _item_row("promise", str(p.id), p.promise_due, what, p)
    return replace(row, state="overdue" if p.state == "broken" else "due")


def _item_row(
    item: str, ref: str, at: datetime, what: list[str], of: DayVisit | DeadlineToday | PromiseOut
) -> TodayRow:
    """A fixed row that is no task (``task_id`` 0): a planned visit, a complaint deadline, a
    promise."""
    return TodayRow(
        task_id=0,
        version=0,
        kind=item,
        due_at=at,
        score=0,
        reason=REASON_JOINER.join(what),
        task_reason=None,
        customer_no=of.customer_no,
        customer_name=of.customer_name,
        customer_value=None,
        flags=(),
        phone="",
        owner_id=of.owner_id,
        covered_for=None,
        section="fixed",
        item=item,
        ref=ref,
        at=at,
    )
