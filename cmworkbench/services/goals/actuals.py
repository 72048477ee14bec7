"""What was reached against a goal, from the data the workbench has (imports from the core
systems keep it current). Per manager, over a period (a year, a month, a week's part in a
month, or any span of days):

* ``new_customers``: customers opened (``customer.opened_on``) in the period, by their owner;
* ``deposit_growth``: yuan of deposits opened in the period (``holding.amount_yuan`` of the
  ``deposit`` holdings by ``opened_on``), by the customer's owner;
* ``products_opened`` (``products_opened.<category>``): holdings opened, by the customer's
  owner;
* ``opportunities_won`` / ``won_value``: opportunities won in the period (their owner), and
  their value in yuan;
* ``referrals_converted``: referrals converted in the period, by the manager who received
  them;
* ``visits_done``: visits held in the period (logged done), by who made them.

Decision: a record counts for its owner now (a handed-over book takes its history), as the
report's figures do. :func:`records` lists what an actual counts (the drill-down).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from cmworkbench.clock import day_bounds
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Holding, Interaction, Opportunity, Referral
from cmworkbench.domain import goals as rules

_WEEK = re.compile(r"^(20\d\d-\d\d)-W(\d\d)$")


def period_days(period: str) -> tuple[date, date]:
    """The first and last day of ``2026``, ``2026-12`` or ``2026-12-W49`` (the part of ISO week
    49 in December)."""
    if len(period) == 4:
        year = int(period)
        return date(year, 1, 1), date(year, 12, 31)
    found = _WEEK.match(period)
    if found is None:
        return rules.month_days(period)
    first, last = rules.month_days(found[1])
    week = int(found[2])
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    inside = [d for d in days if d.isocalendar()[1] == week]
    if not inside:
        raise ValueError(f"no week {week} in {found[1]}")
    return inside[0], inside[-1]


@dataclass(frozen=True)
class _Source:
    """Where one measure's actuals are read: the statement's owner and amount columns and its
    conditions, for a span of days."""

    owner: Any
    amount: Any
    table: Any
    joins: tuple[tuple[Any, Any], ...]
    where: tuple[Any, ...]
    record_id: Any


def _source(settings: Settings, measure: str, first: date, last: date) -> _Source:
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    base, _, category = measure.partition(".")
    on_customer = ((Customer, col(Customer.id) == col(Holding.customer_id)),)
    opened = and_(col(Holding.opened_on) >= first, col(Holding.opened_on) <= last)
    if base == "new_customers":
        when = and_(col(Customer.opened_on) >= first, col(Customer.opened_on) <= last)
        return _Source(Customer.owner_id, func.count(), Customer, (), (when,), Customer.id)
    if base == "deposit_growth":
        where = (opened, col(Holding.product_kind) == "deposit")
        amount = func.coalesce(func.sum(Holding.amount_yuan), 0)
        return _Source(Customer.owner_id, amount, Holding, on_customer, where, Holding.id)
    if base == "products_opened":
        where = (opened, *((col(Holding.product_kind) == category,) if category else ()))
        return _Source(Customer.owner_id, func.count(), Holding, on_customer, where, Holding.id)
    if base in ("opportunities_won", "won_value"):
        won = and_(
            col(Opportunity.status) == "won",
            col(Opportunity.closed_at) >= start,
            col(Opportunity.closed_at) < end,
        )
        value: Any = (
            func.count() if base == "opportunities_won" else func.sum(Opportunity.value_yuan)
        )
        return _Source(Opportunity.owner_id, value, Opportunity, (), (won,), Opportunity.id)
    if base == "referrals_converted":
        converted = and_(
            col(Referral.status) == "converted",
            col(Referral.outcome_at) >= start,
            col(Referral.outcome_at) < end,
        )
        return _Source(Referral.to_id, func.count(), Referral, (), (converted,), Referral.id)
    if base == "visits_done":
        held = and_(
            col(Interaction.kind) == "visit",
            col(Interaction.status) == "done",
            col(Interaction.outcome) == "done",
            col(Interaction.happened_at) >= start,
            col(Interaction.happened_at) < end,
        )
        return _Source(Interaction.staff_id, func.count(), Interaction, (), (held,), Interaction.id)
    raise ValueError(f"unknown measure {measure!r}")  # config validation names the measures


def per_staff(
    session: Session,
    settings: Settings,
    measure: str,
    period: str | None = None,
    *,
    first: date | None = None,
    last: date | None = None,
) -> dict[int, int]:
    """``measure``'s actual per manager (staff id → amount) over ``period`` or the days
    ``first`` … ``last``; managers with none are absent."""
    if period is not None:
        first, last = period_days(period)
    assert first is not None and last is not None
    src = _source(settings, measure, first, last)
    query = select(src.owner, src.amount).select_from(src.table)
    for table, on in src.joins:
        query = query.join(table, on)
    query = query.where(*src.where, src.owner.is_not(None)).group_by(src.owner)
    return {int(owner): int(amount or 0) for owner, amount in session.exec(query).all()}


def records(
    session: Session,
    settings: Settings,
    measure: str,
    staff_ids: list[int],
    first: date,
    last: date,
    limit: int = 1000,
) -> list[int]:
    """The ids of the records an actual counts (customers, holdings, opportunities,
    referrals, visits), for the drill-down."""
    src = _source(settings, measure, first, last)
    query = select(src.record_id).select_from(src.table)
    for table, on in src.joins:
        query = query.join(table, on)
    query = query.where(*src.where, src.owner.in_(staff_ids)).order_by(src.record_id).limit(limit)
    return [int(i) for i in session.exec(query).all()]
