"""The audit log: who did what to which record, and every reveal of masked data.

:func:`record` is the one place that writes audit rows; every write service calls it inside
its own unit of work, so the change and its audit row commit (or roll back) together. The log
is append-only: nothing here updates or deletes a row.

Details never hold clear PII: callers pass masked values (see :mod:`cmworkbench.domain.masking`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import AuditLog, Staff
from cmworkbench.services.actor import Actor
from cmworkbench.services.scope import require_customer


@dataclass(frozen=True)
class AuditEntry:
    """One audit row as people read it: who, what, which field, when."""

    at: datetime
    staff_login: str | None
    """``None`` for the system (scheduled jobs, imports)."""
    staff_name: str | None
    action: str
    """``create``, ``update``, ``verify``, ``reveal`` …"""
    object_type: str
    object_id: int | None
    field_name: str | None
    detail: str | None
    """What changed, e.g. ``138****5678 → 139****0000`` (PII masked)."""


def created(
    session: Session,
    row: Any,
    *,
    actor: Actor,
    object_type: str,
    customer_id: int | None,
    detail: str,
) -> int:
    """Add a new ``row``, flush it for its id, audit its creation; returns the id."""
    session.add(row)
    session.flush()
    assert row.id is not None
    record(
        session,
        actor=actor,
        action="create",
        object_type=object_type,
        object_id=row.id,
        customer_id=customer_id,
        detail=detail,
    )
    return int(row.id)


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: int | None = None,
    customer_id: int | None = None,
    field_name: str | None = None,
    detail: str | None = None,
) -> None:
    """Add one audit row at ``clock.now()`` (committed with the caller's unit of work)."""
    session.add(
        AuditLog(
            at=clock.now(),
            staff_id=actor.id if actor is not None else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            customer_id=customer_id,
            field_name=field_name,
            detail=detail,
        )
    )
    session.flush()


def entries_for_customer(
    *, session: Session, actor: Actor, customer_no: str, limit: int = 50
) -> list[AuditEntry]:
    """The newest ``limit`` audit entries about a customer in the actor's scope."""
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    assert customer.id is not None
    return latest_for_customer(session, customer.id, limit=limit)


def latest_for_customer(
    session: Session,
    customer_id: int,
    *,
    limit: int = 1,
    actions: Collection[str] | None = None,
) -> list[AuditEntry]:
    """The newest audit entries about ``customer_id`` (only ``actions``, if given), newest
    first. No scope check: for services that have already made it."""
    query = (
        select(AuditLog, Staff)
        .join(Staff, col(AuditLog.staff_id) == col(Staff.id), isouter=True)
        .where(col(AuditLog.customer_id) == customer_id)
    )
    if actions is not None:
        query = query.where(col(AuditLog.action).in_(tuple(actions)))
    rows = session.exec(
        query.order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc()).limit(max(0, limit))
    ).all()
    return [
        AuditEntry(
            at=row.at,
            staff_login=staff.login if staff is not None else None,
            staff_name=staff.name if staff is not None else None,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            field_name=row.field_name,
            detail=row.detail,
        )
        for row, staff in rows
    ]
