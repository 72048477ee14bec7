"""The records behind a manager's actual of one measure (the leaderboard's drill-down): the
ids :func:`.actuals.records` counts, read back as the customer, what counted, its day and
what it adds, so the records of a measure sum to its actual."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Holding, Interaction, Lead, Opportunity, Referral
from cmworkbench.domain import goals as rules
from cmworkbench.i18n import label, t
from cmworkbench.services.goals.actuals import records
from cmworkbench.services.goals.schemas import GoalRecord


def _local(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(clock.branch_tz()).date()


def records_of(
    session: Session,
    settings: Settings,
    measure: str,
    staff_id: int,
    first: date,
    last: date,
    limit: int,
) -> list[GoalRecord]:
    """The records of ``measure`` that count for ``staff_id`` from ``first`` to ``last``, by
    day (then by record)."""
    ids = records(session, settings, measure, [staff_id], first, last, limit)
    if not ids:
        return []
    base = rules.base_measure(measure)
    read = _READERS[base]
    found = [GoalRecord(measure, *row) for row in read(session, ids, base)]
    return sorted(found, key=lambda r: (r.day or first, r.ref))


def _customers(session: Session, ids: list[int], base: str) -> list[tuple[Any, ...]]:
    rows = session.exec(select(Customer).where(col(Customer.id).in_(ids))).all()
    what = t("goal.drill.opened")
    return [(c.customer_no, c.customer_no, c.name, what, c.opened_on, 1) for c in rows]


def _holdings(session: Session, ids: list[int], base: str) -> list[tuple[Any, ...]]:
    rows = session.exec(
        select(Holding, Customer)
        .join(Customer, col(Customer.id) == col(Holding.customer_id))
        .where(col(Holding.id).in_(ids))
    ).all()
    return [
        (
            f"#{h.id}",
            c.customer_no,
            c.name,
            f"{label('product_kind', h.product_kind)} {h.product}",
            h.opened_on,
            (h.amount_yuan or 0) if base == "deposit_growth" else 1,
        )
        for h, c in rows
    ]


def _opportunities(session: Session, ids: list[int], base: str) -> list[tuple[Any, ...]]:
    rows = session.exec(
        select(Opportunity, Customer, Lead)  # type: ignore[call-overload]
        .outerjoin(Customer, col(Customer.id) == col(Opportunity.customer_id))
        .outerjoin(Lead, col(Lead.id) == col(Opportunity.lead_id))
        .where(col(Opportunity.id).in_(ids))
    ).all()
    return [
        (
            f"#{o.id}",
            c.customer_no if c else "",
            c.name if c else (lead.name if lead else ""),
            t("goal.drill.won", product=label("product_kind", o.product)),
            _local(o.closed_at),
            o.value_yuan if base == "won_value" else 1,
        )
        for o, c, lead in rows
    ]


def _referrals(session: Session, ids: list[int], base: str) -> list[tuple[Any, ...]]:
    rows = session.exec(
        select(Referral, Customer, Lead)  # type: ignore[call-overload]
        .outerjoin(Customer, col(Customer.id) == col(Referral.customer_id))
        .outerjoin(Lead, col(Lead.id) == col(Referral.lead_id))
        .where(col(Referral.id).in_(ids))
    ).all()
    return [
        (
            f"#{r.id}",
            c.customer_no if c else "",
            c.name if c else (lead.name if lead else ""),
            t("goal.drill.converted", product=label("product_kind", r.product)),
            _local(r.outcome_at),
            1,
        )
        for r, c, lead in rows
    ]


def _visits(session: Session, ids: list[int], base: str) -> list[tuple[Any, ...]]:
    rows = session.exec(
        select(Interaction, Customer)
        .join(Customer, col(Customer.id) == col(Interaction.customer_id))
        .where(col(Interaction.id).in_(ids))
    ).all()
    return [
        (
            f"#{i.id}",
            c.customer_no,
            c.name,
            t("goal.drill.visit", purpose=label("purpose", i.purpose)).strip(),
            _local(i.happened_at),
            1,
        )
        for i, c in rows
    ]


_READERS = {
    "new_customers": _customers,
    "deposit_growth": _holdings,
    "products_opened": _holdings,
    "opportunities_won": _opportunities,
    "won_value": _opportunities,
    "referrals_converted": _referrals,
    "visits_done": _visits,
}
"""How each measure's records are read back (the tables :mod:`.actuals` counts in)."""
