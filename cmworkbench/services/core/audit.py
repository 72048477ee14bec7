"""The audit log: who did what to which record, and every reveal of masked data.

:func:`record` is the one place that writes audit rows; every write service calls it inside
its own unit of work, so the change and its audit row commit (or roll back) together. The log
is append-only: nothing here updates or deletes a row.

Details never hold clear PII: callers pass masked values (see :mod:`cmworkbench.domain.masking`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import AuditLog, Customer, Staff
from cmworkbench.domain.enums import Role
from cmworkbench.services.core.schemas import Actor, AuditEntry
from cmworkbench.services.core.scope import (
    customer_filter,
    require_customer,
    require_staff,
    sees_no_book,
)


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
    """Add one audit row at ``clock.now()``, recorded at the real time (committed with the
    caller's unit of work)."""
    session.add(
        AuditLog(
            at=clock.now(),
            recorded_at=clock.wall_now(),
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
    query = _entries_query().where(col(AuditLog.customer_id) == customer_id)
    if actions is not None:
        query = query.where(col(AuditLog.action).in_(tuple(actions)))
    rows = session.exec(
        query.order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc()).limit(max(0, limit))
    ).all()
    return _entries(rows)


def search(
    *,
    session: Session,
    actor: Actor,
    customer_no: str | None = None,
    staff_login: str | None = None,
    since: date | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """The newest ``limit`` audit entries the actor may read, newest first.

    An admin and a branch head read the branch's log; a supervisor the entries by their
    team or about customers in their scope; a manager their own entries and those about
    their customers. ``customer_no`` (refused out of scope), ``staff_login`` (who acted) and
    ``since`` (a branch-local day, inclusive, of the real time the entry was recorded: a
    command run with ``--now`` in the past is still found) narrow it down.
    """
    query = _entries_query().where(_scope_clause(actor))
    if customer_no is not None:
        customer = require_customer(session=session, actor=actor, customer_no=customer_no)
        query = query.where(col(AuditLog.customer_id) == customer.id)
    if staff_login is not None:
        staff = require_staff(session=session, actor=actor, login=staff_login)
        query = query.where(col(AuditLog.staff_id) == staff.id)
    if since is not None:
        query = query.where(col(AuditLog.recorded_at) >= clock.day_bounds(since)[0])
    rows = session.exec(
        query.order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc()).limit(max(0, limit))
    ).all()
    return _entries(rows)


def _scope_clause(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on :class:`AuditLog`: the entries ``actor`` may read."""
    about_visible = col(AuditLog.customer_id).in_(
        select(col(Customer.id)).where(customer_filter(actor))
    )
    if sees_no_book(actor):  # a referrer: what they did, nothing about anyone's customers
        return col(AuditLog.staff_id) == actor.id
    if actor.role in (Role.MANAGER, Role.PHONE_MANAGER):
        return or_(col(AuditLog.staff_id) == actor.id, about_visible)
    if actor.role == Role.SUPERVISOR:
        team = select(col(Staff.id)).where(col(Staff.team_id) == actor.team_id)
        by_team = (
            col(AuditLog.staff_id).in_(team)
            if actor.team_id is not None
            else col(AuditLog.staff_id) == actor.id
        )
        return or_(by_team, about_visible)
    branch = select(col(Staff.id)).where(col(Staff.branch_id) == actor.branch_id)
    system = and_(col(AuditLog.staff_id).is_(None), col(AuditLog.customer_id).is_(None))
    return or_(col(AuditLog.staff_id).in_(branch), about_visible, system)


def _entries_query() -> Any:
    """Audit rows with who acted and the customer number (outer joins: either may be null)."""
    return (
        select(AuditLog, Staff, Customer.customer_no)
        .join(Staff, col(AuditLog.staff_id) == col(Staff.id), isouter=True)
        .join(Customer, col(AuditLog.customer_id) == col(Customer.id), isouter=True)
    )


def _entries(rows: Sequence[Any]) -> list[AuditEntry]:
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
            recorded_at=row.recorded_at,
            customer_no=customer_no,
            id=row.id,
        )
        for row, staff, customer_no in rows
    ]
