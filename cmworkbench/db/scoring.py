"""The priority score in SQL, and its upkeep in ``task.priority``.

:func:`cmworkbench.domain.priority.score` is the one definition; this module writes it as SQL
(:func:`score`) so a book of tens of thousands of due tasks is ranked by an index, not sorted
row by row: ``task.priority`` holds every open task's score for the day it was last scored,
and ``ix_task_owner_priority`` (owner, status, priority, due, id; migration 0010) gives a
person's first rows by priority in a range scan that stops at the rows shown.

The stored score is kept true for the day:

* the daily generation scores every open task for its day (:func:`rescore`) and records the
  day in ``score_day``; a day whose scores are not stored yet (the generation did not run, a
  new install, a restored backup) is scored in full by the first look at a plan
  (:func:`ensure_scored`: about 10 s for a million open tasks, once);
* a task inserted or changed in a unit of work is scored before it commits
  (``db.engine.unit_of_work``, :func:`rescore_tasks`);
* a customer changed (class, tier, flags, churn) has their open tasks scored again in the
  same unit of work, from the queue the search index keeps (``db.search.drain``,
  :func:`rescore_customers`).

Whole days since due count from the branch-local start of the due day, compared as instants,
so SQLite and PostgreSQL give the same numbers (no date arithmetic in SQL).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    case,
    cast,
    delete,
    func,
    literal,
    select,
    update,
)
from sqlmodel import col

from cmworkbench import clock
from cmworkbench.clock import day_bounds
from cmworkbench.db.models import Customer, ScoreDay, Task
from cmworkbench.db.vip import vip_clause
from cmworkbench.domain import priority

OPEN = "open"


def _flag(condition: Any, weight: int) -> ColumnElement[int]:
    return case((condition, literal(weight)), else_=literal(0))


def customer_weight() -> ColumnElement[int]:
    """SQL over ``customer``: value (class, or tier without one), flags and churn: the part of
    the score that depends on the customer as they are now."""
    w = priority.FLAG_WEIGHT
    by_tier = case(
        *((col(Customer.tier) == k, literal(v)) for k, v in priority.TIER_WEIGHT.items()),
        else_=literal(priority.value_weight(None, None)),
    )
    value = case(
        *((col(Customer.cls) == k, literal(v)) for k, v in priority.CLASS_WEIGHT.items()),
        else_=by_tier,
    )
    vip = vip_clause()
    return (
        value
        + _flag(vip, w["vip"])
        + _flag(col(Customer.is_government), w["government"])
        + _flag(col(Customer.is_benchmark), w["benchmark"])
        + _flag(col(Customer.is_dual_span), w["dual_span"])
        + _flag(col(Customer.status) == "at_risk", priority.AT_RISK_WEIGHT)
    )


NO_CUSTOMER_WEIGHT = priority.value_weight(None, None)
"""The customer part of a task without a customer (a report, a task added by hand)."""


def task_weight(day: date) -> ColumnElement[int]:
    """SQL over ``task``: the kind, and where the task stands on ``day``: not yet due 0; due
    the days since its due day (at most :data:`~cmworkbench.domain.priority.MAX_OVERDUE_DAYS`)
    and the standing's weight (overdue past its last moment, otherwise due)."""
    kind = case(
        *((col(Task.kind) == k, literal(v)) for k, v in priority.KIND_WEIGHT.items()),
        else_=literal(priority.KIND_WEIGHT.get("", 10)),
    )
    start, end = day_bounds(day)
    bounds = [day_bounds(day - timedelta(days=n))[0] for n in range(priority.MAX_OVERDUE_DAYS)]
    days = case(
        *(
            (col(Task.due_at) < bound, literal(n + 1))
            for n, bound in reversed(list(enumerate(bounds)))
        ),
        else_=literal(0),
    )
    last_moment = func.coalesce(col(Task.deadline_at), col(Task.due_at))
    standing = case(
        (last_moment < start, literal(priority.OVERDUE_WEIGHT)),
        else_=literal(priority.DUE_TODAY_WEIGHT),
    )
    return kind + case((col(Task.due_at) < end, days + standing), else_=literal(0))


def score(day: date) -> ColumnElement[int]:
    """SQL: the task's score on ``day``, for a query that joins ``customer`` (outer)."""
    return cast(
        func.coalesce(customer_weight(), literal(NO_CUSTOMER_WEIGHT)) + task_weight(day), Integer
    )


def _stored_score(day: date) -> ColumnElement[int]:
    """SQL: the task's score on ``day`` for an ``UPDATE task`` (the customer read by a
    correlated sub-query)."""
    of_customer = (
        select(customer_weight()).where(col(Customer.id) == col(Task.customer_id)).scalar_subquery()
    )
    return func.coalesce(of_customer, literal(NO_CUSTOMER_WEIGHT)) + task_weight(day)


def _rescore(conn: Connection, day: date, where: Sequence[ColumnElement[bool]]) -> int:
    new = _stored_score(day)
    query = (
        update(Task)
        .where(col(Task.status) == OPEN, *where)
        .values(priority=new)
        .execution_options(synchronize_session=False)
    )
    return int(conn.execute(query).rowcount or 0)


def rescore(conn: Connection, day: date | None = None) -> int:
    """Score every open task for ``day`` (default: today) and record the day as scored;
    returns how many tasks were scored."""
    day = day or clock.today()
    scored = _rescore(conn, day, [])
    _mark(conn, day)
    return scored


def rescore_tasks(conn: Connection, task_ids: Sequence[int], day: date | None = None) -> int:
    """Score ``task_ids`` (those still open) for ``day`` (default: today)."""
    return _rescore_by(conn, col(Task.id), task_ids, day)


def rescore_customers(
    conn: Connection, customer_ids: Sequence[int], day: date | None = None
) -> int:
    """Score the open tasks of ``customer_ids`` for ``day`` (default: today)."""
    return _rescore_by(conn, col(Task.customer_id), customer_ids, day)


def rescore_keyed(conn: Connection, idem_keys: Sequence[str], day: date | None = None) -> int:
    """Score the open tasks of ``idem_keys`` for ``day`` (default: today): tasks inserted by a
    statement of their own rather than through the ORM (whose flush scores them)."""
    return _rescore_by(conn, col(Task.idem_key), idem_keys, day)


def _rescore_by(conn: Connection, column: Any, ids: Sequence[int | str], day: date | None) -> int:
    """Score the open tasks whose ``column`` is one of ``ids``, 500 ids a statement."""
    chosen = sorted(set(ids), key=str)
    done = 0
    for start in range(0, len(chosen), 500):
        done += _rescore(conn, day or clock.today(), [column.in_(chosen[start : start + 500])])
    return done


def scored_for(conn: Connection) -> date | None:
    """The day ``task.priority`` was last scored for in full (``None``: never). Tasks hold
    one day's scores: the last one scored, the only row :func:`_mark` leaves (a database
    of a release before it holds a row a day: the latest is the one)."""
    query = select(col(ScoreDay.day)).order_by(col(ScoreDay.scored_at).desc()).limit(1)
    return conn.execute(query).scalar()


def scored_at(conn: Connection, day: date) -> datetime | None:
    """When the tasks were last scored in full for ``day`` (the morning's generation does it;
    ``None``: not yet)."""
    query = select(col(ScoreDay.scored_at)).where(col(ScoreDay.day) == day)
    return conn.execute(query).scalar()


def ensure_scored(conn: Connection, day: date | None = None) -> int:
    """Score every open task for ``day`` unless they hold its scores already (the generation
    scores them each working morning; a day it did not run is scored by the first look at a
    plan). Returns how many tasks were scored (0: none needed it)."""
    day = day or clock.today()
    if scored_for(conn) == day:
        return 0
    _claim(conn)
    if scored_for(conn) == day:  # scored by another look while this one waited
        return 0
    return rescore(conn, day)


def _claim(conn: Connection) -> None:
    """Hold the right to score until the transaction ends, so that fifty sessions opening
    Today at once on a morning the generation did not score score it once, not fifty times
    in a row (4.6 s each at a million tasks, every other writer waiting). SQLite: a write
    that changes nothing takes the database's write lock; PostgreSQL: a transaction-level
    advisory lock."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_SCORING_LOCK)))
    else:
        conn.execute(delete(ScoreDay).where(literal(False)))


_SCORING_LOCK = 0x636D7773  # "cmws": the advisory lock's key


def _mark(conn: Connection, day: date) -> None:
    """Record ``day`` as the one the tasks hold the scores of, the only row left. Not the
    latest ``scored_at`` among several days: a clock set forward once (a ``--now`` tried on
    the live database, a test run with the real clock) left a later instant on another
    day's row, and every look at today's plan then scored a million tasks again (4.6 s
    holding the write lock, each time, for each session)."""
    # The dialects' INSERT … ON CONFLICT, imported here: the ORM's first load (Today's first
    # data) should not also load a dialect it does not run on.
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    conn.execute(delete(ScoreDay).where(col(ScoreDay.day) != day))
    values: dict[str, Any] = {"day": day, "scored_at": clock.now().astimezone(UTC)}
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(
        insert(ScoreDay)
        .values(**values)
        .on_conflict_do_update(index_elements=["day"], set_={"scored_at": values["scored_at"]})
    )
