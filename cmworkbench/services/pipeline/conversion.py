"""A referral converts when a product of its category opens for the customer within the
window (``[referrals] window_days``): from the day referred to the window's last day, by a
holding's ``opened_on``. Checked when holdings are imported, when a referral is made for a
customer who has one already, and when a lead merges into a customer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import Holding, Referral
from cmworkbench.domain.cadence import local_day
from cmworkbench.domain.enums import ReferralStatus
from cmworkbench.services.core import audit
from cmworkbench.services.core.schemas import Actor


def convert(session: Session, customer_ids: Iterable[int] | None = None) -> int:
    """Convert the open referrals of ``customer_ids`` (``None``: every customer) for which a
    product of the referred category opened within the window: from the day referred to the
    window's last day. Returns how many converted."""
    query = select(Referral).where(
        col(Referral.status) == ReferralStatus.OPEN, col(Referral.customer_id).is_not(None)
    )
    ids = None if customer_ids is None else sorted(set(customer_ids))
    found: list[Referral] = []
    if ids is None:
        found = list(session.exec(query).all())
    else:
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            found += session.exec(query.where(col(Referral.customer_id).in_(chunk))).all()
    if not found:
        return 0
    holdings: dict[tuple[int, str], list[Holding]] = {}
    customer_set = sorted({r.customer_id for r in found if r.customer_id is not None})
    for start in range(0, len(customer_set), 900):
        chunk = customer_set[start : start + 900]
        rows = session.exec(
            select(Holding)
            .where(col(Holding.customer_id).in_(chunk), col(Holding.opened_on).is_not(None))
            .order_by(col(Holding.opened_on), col(Holding.id))
        ).all()
        for h in rows:
            holdings.setdefault((h.customer_id, h.product_kind), []).append(h)
    converted = 0
    now, tz = clock.now(), clock.branch_tz()
    for referral in found:
        assert referral.customer_id is not None
        since = local_day(referral.at, tz)
        opened = next(
            (
                h
                for h in holdings.get((referral.customer_id, referral.product), [])
                if h.opened_on is not None and since <= h.opened_on <= referral.window_ends
            ),
            None,
        )
        if opened is None:
            continue
        detail = f"{opened.product} opened {opened.opened_on}"
        decide(session, None, referral, ReferralStatus.CONVERTED, "convert", detail, at=now)
        referral.holding_id = opened.id
        converted += 1
    session.flush()
    return converted


def decide(
    session: Session,
    actor: Actor | None,
    referral: Referral,
    status: str,
    action: str,
    detail: str | None,
    *,
    at: datetime | None = None,
    lost_reason: str | None = None,
) -> None:
    """Write a referral's outcome (``converted`` or ``lost``), by ``actor`` (``None``: found by
    the workbench, a product opened), with its audit row."""
    referral.status = status
    referral.outcome_at = at or clock.now()
    referral.outcome_by_id = actor.id if actor is not None else None
    referral.lost_reason = lost_reason
    referral.version += 1
    session.add(referral)
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="referral",
        object_id=referral.id,
        customer_id=referral.customer_id,
        detail=detail,
    )
