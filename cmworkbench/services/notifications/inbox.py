"""A staff member's notifications (通知): SLA warnings, escalations, reminders, approvals.

Jobs and services write :class:`~cmworkbench.db.models.Notification` rows for one recipient
each; this module is how people read them. Everyone sees their own rows only, whatever their
role: a supervisor does not read the notices sent to the team.

:func:`inbox` lists them newest first, each with what opening it shows (:class:`Target`): the
ticket of a complaint notice, the customer of a task, the week and customer of a planned
visit; a notice about a ticket since closed or a task since done is marked stale
(:attr:`~.schemas.Target.stale`): history, not news. :func:`since` is the cheap poll a
running TUI makes every few seconds: the unread rows newer than the last one seen, found by
an index range scan on ``ix_notification_recipient``
(``recipient_id = ? AND read_at IS NULL AND id > ?``), so its cost does not grow with the
years of notices already read. :func:`mark_read` stamps ``read_at``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, update
from sqlmodel import Session, col, func, select

from cmworkbench import clock
from cmworkbench.db.models import (
    Complaint,
    Customer,
    Notification,
    Promise,
    Staff,
    Task,
    VisitPlan,
    VisitPlanItem,
)
from cmworkbench.domain.enums import ComplaintStatus, TaskStatus
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.notifications.schemas import NotificationOut, Target

POLL_LIMIT = 100
"""At most this many rows per poll; a bigger burst (a sweep after a long night) comes over the
next polls, oldest first."""


def _own(actor: Actor) -> ColumnElement[bool]:
    """The actor's own rows: nobody reads another person's notifications."""
    return col(Notification.recipient_id) == actor.id


def inbox(
    *, session: Session, actor: Actor, unread_only: bool = False, limit: int = 50
) -> list[NotificationOut]:
    """The actor's newest ``limit`` notifications (``unread_only``: unread ones), newest first."""
    query = select(Notification).where(_own(actor))
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    rows = session.exec(query.order_by(col(Notification.id).desc()).limit(limit)).all()
    return _out(session, rows)


def unread_count(*, session: Session, actor: Actor) -> int:
    """How many of the actor's notifications are unread (counted from the index alone)."""
    query = (
        select(func.count())
        .select_from(Notification)
        .where(_own(actor), col(Notification.read_at).is_(None))
    )
    return int(session.exec(query).one())


def since(
    *, session: Session, actor: Actor, after_id: int, limit: int = POLL_LIMIT
) -> list[NotificationOut]:
    """The actor's unread notifications with an id above ``after_id``, oldest first.

    The poll of a running TUI: with ``read_at IS NULL`` the whole condition is one range of
    ``ix_notification_recipient`` (recipient, read_at, then the row id SQLite keeps in every
    index), already in id order. A notice read before the poll came round (in the CLI, in
    another session) is not news any more and is left out.
    """
    rows = session.exec(
        select(Notification)
        .where(
            _own(actor),
            col(Notification.read_at).is_(None),
            col(Notification.id) > after_id,
        )
        .order_by(col(Notification.id))
        .limit(limit)
    ).all()
    return _out(session, rows)


def latest_id(*, session: Session, actor: Actor) -> int:
    """The id of the actor's newest notification (0 if none): where polling starts."""
    query = select(func.max(Notification.id)).where(_own(actor))
    return int(session.exec(query).one() or 0)


def mark_read(*, session: Session, actor: Actor, ids: Sequence[int] | None = None) -> int:
    """Mark the actor's unread notifications ``ids`` (``None``: all of them) read now.

    Rows of other recipients are never touched, whatever ``ids`` holds. Returns how many rows
    changed (already read ones do not count).
    """
    if ids is not None and not ids:
        return 0
    query = update(Notification).where(_own(actor), col(Notification.read_at).is_(None))
    if ids is not None:
        query = query.where(col(Notification.id).in_(list(ids)))
    result = session.connection().execute(query.values(read_at=clock.now()))
    return int(result.rowcount)


# -- targets ------------------------------------------------------------------------------


def _out(session: Session, rows: Sequence[Notification]) -> list[NotificationOut]:
    targets = _targets(session, rows)
    out = []
    for row in rows:
        assert row.id is not None
        key = (row.object_type or "", row.object_id or 0)
        out.append(
            NotificationOut(
                id=row.id,
                kind=row.kind,
                title=row.title,
                body=row.body,
                object_type=row.object_type,
                object_id=row.object_id,
                created_at=row.created_at,
                read_at=row.read_at,
                target=targets.get(key),
            )
        )
    return out


def _targets(session: Session, rows: Iterable[Notification]) -> dict[tuple[str, int], Target]:
    """The target of every row, one query per kind of object (never one per row)."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        if row.object_type and row.object_id is not None:
            wanted.setdefault(row.object_type, set()).add(row.object_id)
    found: list[Target] = []
    if ids := wanted.get("complaint"):
        found += _complaints(session, ids)
    if ids := wanted.get("task"):
        found += _tasks(session, ids)
    if ids := wanted.get("visit"):
        found += _visits(session, ids)
    if ids := wanted.get("promise"):
        found += _promises(session, ids)
    return {(target.object_type, target.object_id): target for target in found}


def _complaints(session: Session, ids: set[int]) -> list[Target]:
    rows = session.exec(
        select(Complaint.id, Complaint.ticket_no, Complaint.status).where(
            col(Complaint.id).in_(ids)
        )
    ).all()
    return [
        Target("complaint", i, ticket_no=ticket, stale=status == ComplaintStatus.CLOSED)
        for i, ticket, status in rows
        if i is not None
    ]


def _tasks(session: Session, ids: set[int]) -> list[Target]:
    rows = session.exec(
        select(Task.id, Customer.customer_no, Task.status)
        .outerjoin(Customer, col(Customer.id) == col(Task.customer_id))
        .where(col(Task.id).in_(ids))
    ).all()
    return [
        Target("task", i, customer_no=no, stale=status != TaskStatus.OPEN)
        for i, no, status in rows
        if i is not None
    ]


def _promises(session: Session, ids: set[int]) -> list[Target]:
    """A promise opens its customer; kept or cancelled, the notice is history."""
    rows = session.exec(
        select(Promise.id, Customer.customer_no, Promise.done_at, Promise.state)
        .join(Customer, col(Customer.id) == col(Promise.customer_id))
        .where(col(Promise.id).in_(ids))
    ).all()
    return [
        Target("promise", i, customer_no=no, stale=done is not None or state == "cancelled")
        for i, no, done, state in rows
        if i is not None
    ]


def _visits(session: Session, ids: set[int]) -> list[Target]:
    rows = session.exec(
        select(VisitPlanItem.id, VisitPlan.week, Customer.customer_no, Staff.login)
        .join(VisitPlan, col(VisitPlan.id) == col(VisitPlanItem.plan_id))
        .join(Customer, col(Customer.id) == col(VisitPlanItem.customer_id))
        .join(Staff, col(Staff.id) == col(VisitPlan.owner_id))
        .where(col(VisitPlanItem.id).in_(ids))
    ).all()
    return [
        Target("visit", i, customer_no=no, week=week, owner_login=login)
        for i, week, no, login in rows
        if i is not None
    ]
