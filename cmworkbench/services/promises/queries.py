"""Promises as other screens read them: the fixed rows of a person's Today, the broken ones
on a lead's team board."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from cmworkbench import clock
from cmworkbench.db.models import Customer, Promise
from cmworkbench.services.core.cover import cover_on
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.promises import clocks
from cmworkbench.services.promises.book import late, promise_rows, row_out
from cmworkbench.services.promises.schemas import PromiseOut


def due_on(session: Session, actor: Actor, day: date) -> list[PromiseOut]:
    """The promises ``actor`` owes that fall due by the end of ``day``, or already broken and
    not done: fixed-time rows of their Today, soonest deadline first; with those of a
    colleague on leave that ``actor`` covers (the customer's B角 who is their partner, else
    their lead: :mod:`~cmworkbench.services.core.cover`, as for tickets)."""
    _, end = clock.day_bounds(day)
    owed = (
        promise_rows()
        .where(clocks.owed())
        .where(col(Promise.due_at) < end)
        .order_by(col(Promise.due_at), col(Promise.id))
    )
    found = promise_rows_out(session, owed.where(col(Promise.owner_id) == actor.id))
    cover = cover_on(session, actor.branch_id, day)
    away = cover.away()
    if away:
        theirs = session.execute(
            owed.add_columns(col(Customer.backup_id)).where(col(Promise.owner_id).in_(away))
        ).all()
        found += [
            row_out(*row[:-1])
            for row in theirs
            if cover.of_ticket(row[0].owner_id, row[-1]) == actor.id
        ]
        found.sort(key=lambda p: (p.promise_due, p.id))
    return found


def owed_to(session: Session, customer_id: int) -> list[PromiseOut]:
    """The promises owed to one customer (its 360 view), soonest deadline first."""
    query = (
        promise_rows()
        .where(col(Promise.customer_id) == customer_id)
        .where(clocks.owed())
        .order_by(col(Promise.due_at), col(Promise.id))
    )
    return promise_rows_out(session, query)


def promise_rows_out(session: Session, query) -> list[PromiseOut]:  # type: ignore[no-untyped-def]
    return [row_out(*row) for row in session.execute(query).all()]


def owed_by(session: Session, owner_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Per owner: (promises owed, of them broken) — the team board's column."""
    if not owner_ids:
        return {}
    broken = func.sum(case((late(), 1), else_=0))
    rows = session.execute(
        sa_select(col(Promise.owner_id), func.count(), broken)
        .where(col(Promise.owner_id).in_(owner_ids))
        .where(clocks.owed())
        .group_by(col(Promise.owner_id))
    ).all()
    return {owner: (int(n), int(b or 0)) for owner, n, b in rows}
