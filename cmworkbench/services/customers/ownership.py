"""Who owns a customer, and what follows when that changes: one function for every move.

A customer's owner (A角) changes by a handover (``cmw handover``, the team board) or by an
import that names another manager. Either way the same things follow, in the caller's
transaction (:func:`move_customers`):

- the **B角** becomes the new owner's A/B partner (``Staff.backup_id``), or nobody if they
  have none (or the partner is deactivated): AB角 are pairs of colleagues, so the old owner's
  partner, in another team perhaps, must not keep seeing the customer while the new owner's
  partner sees nothing (DESIGN.md: "A manager sees their own customers plus those they back
  up");
- the previous owner's **open tasks** for those customers, their **planned visits** from now
  on (into the new owner's plan of the same week, which goes back to the supervisor if it was
  approved) and their **open complaint tickets** (with an event in the ticket's history);
- one audit row per customer (a handover; an import audits its own field changes) and one per
  ticket.

A customer without an owner (the branch pool) that gets one takes the owner, the B角 and its
open tasks, which the pool's keeper held meanwhile (:mod:`.pool`). New customers get their
owner's partner as B角 too (:func:`partners`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Select, func, insert, literal, or_, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import (
    AuditLog,
    Complaint,
    Customer,
    Staff,
    Task,
    VisitPlan,
    VisitPlanItem,
)
from cmworkbench.domain.enums import OPEN_COMPLAINT_STATUSES, TaskStatus
from cmworkbench.domain.grades import classes_outside_grade
from cmworkbench.i18n import t
from cmworkbench.services.complaints.api import add_event
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.visits.api import find_plan, touch


@dataclass(frozen=True)
class Moved:
    """What a move changed."""

    customers: int
    tasks: int
    visits: int
    complaints: int
    backups_changed: int
    """Customers whose B角 is now someone else (the new owner's partner, or nobody)."""


def partners(conn: Connection) -> dict[int, int]:
    """Staff id → their active A/B partner's id (nobody is their own partner): the B角 a
    customer of theirs gets."""
    partner = Staff.__table__.alias("partner")  # type: ignore[attr-defined]
    rows = conn.execute(
        core_select(col(Staff.id), partner.c.id)
        .join(partner, partner.c.id == col(Staff.backup_id))
        .where(partner.c.active, partner.c.id != col(Staff.id))
    )
    return {int(a): int(b) for a, b in rows}


def partner_of(session: Session, owner: Staff) -> int | None:
    """The B角 a customer of ``owner`` gets (see :func:`partners`)."""
    if owner.backup_id is None or owner.backup_id == owner.id:
        return None
    partner = session.get(Staff, owner.backup_id)
    return partner.id if partner is not None and partner.active else None


def chosen_customers(ids: Sequence[int]) -> list[ColumnElement[bool]]:
    """The WHERE clauses choosing the customers ``ids`` (for :func:`move_customers`)."""
    return [col(Customer.id).in_(tuple(ids))]


def count_moves(
    session: Session, giver_id: int | None, chosen: list[ColumnElement[bool]], now: datetime
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Per customer: the open tasks, planned visits and open tickets that would follow (from
    the pool, ``giver_id`` ``None``: the open tasks its keeper held)."""
    ids = select(Customer.id).where(*chosen)
    if giver_id is None:
        return _per_customer(session, _open_tasks(None, ids)), {}, {}
    return (
        _per_customer(session, _open_tasks(giver_id, ids)),
        _per_customer(session, _planned_visits(giver_id, ids, now)),
        _per_customer(session, _open_tickets(giver_id, ids)),
    )


def backups_changing(
    session: Session, chosen: list[ColumnElement[bool]], new_backup: int | None
) -> int:
    """How many of the chosen customers would get another B角."""
    differs = (
        col(Customer.backup_id).is_not(None)
        if new_backup is None
        else or_(col(Customer.backup_id).is_(None), col(Customer.backup_id) != new_backup)
    )
    query = select(func.count()).select_from(Customer).where(*chosen, differs)
    return int(session.exec(query).one())


def move_customers(
    session: Session,
    *,
    actor: Actor | None,
    giver: Staff | None,
    receiver: Staff,
    chosen: list[ColumnElement[bool]],
    now: datetime,
    audit_customers: bool = True,
) -> Moved:
    """Give the customers ``chosen`` (all owned by ``giver``, or by nobody when ``giver`` is
    ``None``) to ``receiver``, with everything that follows (see the module doc)."""
    new_backup = partner_of(session, receiver)
    tasks, visits, tickets = count_moves(session, giver.id if giver else None, chosen, now)
    backups = backups_changing(session, chosen, new_backup)
    conn = session.connection()
    actor_id = actor.id if actor is not None else None
    if audit_customers:  # one audit row per customer, by the database from the same selection
        detail = f"{giver.login if giver else '-'} → {receiver.login}"
        conn.execute(
            insert(AuditLog).from_select(
                [
                    "at",
                    "recorded_at",
                    "staff_id",
                    "action",
                    "object_type",
                    "object_id",
                    "customer_id",
                    "detail",
                ],
                core_select(
                    literal(now, AuditLog.__table__.c.at.type),  # type: ignore[attr-defined]
                    literal(clock.wall_now(), AuditLog.__table__.c.at.type),  # type: ignore[attr-defined]
                    literal(actor_id, AuditLog.__table__.c.staff_id.type),  # type: ignore[attr-defined]
                    literal("handover"),
                    literal("customer"),
                    col(Customer.id),
                    col(Customer.id),
                    literal(detail),
                ).where(*chosen),
            )
        )
    ids = select(Customer.id).where(*chosen)
    _move_open_work(session, actor, giver, receiver, ids, now)
    return _owned(session, chosen, receiver.id, new_backup, now, (tasks, visits, tickets), backups)


def move_to_pool(
    session: Session,
    *,
    actor: Actor | None,
    giver: Staff,
    chosen: list[ColumnElement[bool]],
    now: datetime,
    keepers: dict[str, int],
) -> Moved:
    """The customers ``chosen`` (all ``giver``'s) leave for the branch pool: no owner, no B角;
    ``giver``'s open tasks, planned visits and open tickets for them go to the pool's keeper
    of each customer's area (``keepers``: area → staff id, ``*`` for the rest), so nothing is
    dropped. One audit row per customer."""
    assert giver.id is not None
    tasks, visits, tickets = count_moves(session, giver.id, chosen, now)
    backups = backups_changing(session, chosen, None)
    conn = session.connection()
    areas = conn.execute(core_select(col(Customer.id), col(Customer.area)).where(*chosen)).all()
    by_keeper: dict[int, list[int]] = {}
    for customer_id, area in areas:
        keeper_id = keepers.get(area or "", keepers["*"])
        by_keeper.setdefault(keeper_id, []).append(int(customer_id or 0))
    for keeper_id, ids in by_keeper.items():
        keeper = session.get(Staff, keeper_id)
        assert keeper is not None
        some = select(Customer.id).where(col(Customer.id).in_(ids))
        _move_open_work(session, actor, giver, keeper, some, now)
    for ids in by_keeper.values():
        for customer_id in ids:
            audit.record(
                session,
                actor=actor,
                action="handover",
                object_type="customer",
                object_id=customer_id,
                customer_id=customer_id,
                detail=f"{giver.login} → pool",
            )
    return _owned(session, chosen, None, None, now, (tasks, visits, tickets), backups)


def _owned(
    session: Session,
    chosen: list[ColumnElement[bool]],
    owner: int | None,
    backup: int | None,
    now: datetime,
    work: tuple[dict[int, int], dict[int, int], dict[int, int]],
    backups: int,
) -> Moved:
    """The customers ``chosen`` now belong to ``owner`` (``None``: the pool) with ``backup``
    as B角; what moved with them (``work``: tasks, visits, tickets per customer)."""
    moved = (
        session.connection()
        .execute(
            update(Customer)
            .where(*chosen)
            .values(owner_id=owner, backup_id=backup, version=Customer.version + 1, updated_at=now)
        )
        .rowcount
    )
    tasks, visits, tickets = work
    return Moved(
        customers=int(moved),
        tasks=sum(tasks.values()),
        visits=sum(visits.values()),
        complaints=sum(tickets.values()),
        backups_changed=backups,
    )


def _move_open_work(
    session: Session,
    actor: Actor | None,
    giver: Staff | None,
    receiver: Staff,
    ids: Select,  # type: ignore[type-arg]
    now: datetime,
) -> None:
    """``giver``'s open tasks, planned visits and open tickets of the customers ``ids`` go to
    ``receiver``; from the pool (``giver`` ``None``) the open tasks its keeper held."""
    assert receiver.id is not None
    giver_id = giver.id if giver is not None else None
    session.connection().execute(
        update(Task)
        .where(*_open_task_clauses(giver_id, ids))
        .values(owner_id=receiver.id, version=Task.version + 1)
    )
    if giver is not None:
        assert giver.id is not None
        _move_visits(session, giver.id, receiver.id, ids, now)
        _move_tickets(session, actor, giver, receiver, ids, now)


def check_grade(
    receiver: Staff, by_class: Mapping[str, int], grades: Mapping[str, Sequence[str]]
) -> None:
    """Refuse (nothing moved) to give ``receiver`` classes their grade may not own (DESIGN.md:
    A-class books go to senior managers), naming them."""
    listed = classes_outside_grade(receiver.grade, dict(by_class), grades)
    if listed:
        assert receiver.grade is not None
        raise InvalidInput(
            t(
                "handover.grade",
                login=receiver.login,
                grade=receiver.grade,
                classes=listed,
                allowed=", ".join(grades[receiver.grade]),
            )
        )


def _open_task_clauses(giver_id: int | None, ids: Select) -> list[ColumnElement[bool]]:  # type: ignore[type-arg]
    """The giver's open tasks of the customers ``ids`` (``None``: whoever holds them)."""
    clauses = [col(Task.status) == TaskStatus.OPEN, col(Task.customer_id).in_(ids)]
    if giver_id is not None:
        clauses.append(col(Task.owner_id) == giver_id)
    return clauses


def _open_tasks(giver_id: int | None, ids: Select) -> Select:  # type: ignore[type-arg]
    return (
        select(col(Task.customer_id), func.count())
        .where(*_open_task_clauses(giver_id, ids))
        .group_by(col(Task.customer_id))
    )


def _visit_clauses(giver_id: int, ids: Select, now: datetime) -> list[ColumnElement[bool]]:  # type: ignore[type-arg]
    return [
        col(VisitPlan.owner_id) == giver_id,
        col(VisitPlanItem.status) == "planned",
        col(VisitPlanItem.starts_at) >= now,
        col(VisitPlanItem.customer_id).in_(ids),
    ]


def _planned_visits(giver_id: int, ids: Select, now: datetime) -> Select:  # type: ignore[type-arg]
    return (
        select(col(VisitPlanItem.customer_id), func.count())
        .join(VisitPlan, col(VisitPlan.id) == VisitPlanItem.plan_id)
        .where(*_visit_clauses(giver_id, ids, now))
        .group_by(col(VisitPlanItem.customer_id))
    )


def _open_ticket_clauses(giver_id: int, ids: Select) -> list[ColumnElement[bool]]:  # type: ignore[type-arg]
    return [
        col(Complaint.owner_id) == giver_id,
        col(Complaint.status).in_(OPEN_COMPLAINT_STATUSES),
        col(Complaint.customer_id).in_(ids),
    ]


def _open_tickets(giver_id: int, ids: Select) -> Select:  # type: ignore[type-arg]
    return (
        select(col(Complaint.customer_id), func.count())
        .where(*_open_ticket_clauses(giver_id, ids))
        .group_by(col(Complaint.customer_id))
    )


def _per_customer(session: Session, query: Select) -> dict[int, int]:  # type: ignore[type-arg]
    return {int(cid): int(n) for cid, n in session.connection().execute(query).all()}


def _move_visits(
    session: Session,
    giver_id: int,
    receiver_id: int,
    ids: Select,  # type: ignore[type-arg]
    now: datetime,
) -> None:
    """Each planned visit goes into the receiver's plan of its week (started if need be)."""
    rows = session.exec(
        select(VisitPlanItem, VisitPlan)
        .join(VisitPlan, col(VisitPlan.id) == VisitPlanItem.plan_id)
        .where(*_visit_clauses(giver_id, ids, now))
    ).all()
    sources: dict[int, VisitPlan] = {}
    targets: dict[str, VisitPlan] = {}
    for item, plan in rows:
        target = targets.get(plan.week) or find_plan(session, receiver_id, plan.week)
        if target is None:
            target = VisitPlan(owner_id=receiver_id, week=plan.week)
            session.add(target)
            session.flush()
        targets[plan.week] = target
        assert plan.id is not None and target.id is not None
        sources[plan.id] = plan
        item.plan_id = target.id
        session.add(item)
    session.flush()
    for plan in sources.values():
        touch(session, plan, reopen=False)
    for plan in targets.values():
        touch(session, plan)  # an approved plan that gained visits goes back for approval


def _move_tickets(
    session: Session,
    actor: Actor | None,
    giver: Staff,
    receiver: Staff,
    ids: Select,  # type: ignore[type-arg]
    now: datetime,
) -> None:
    assert giver.id is not None
    tickets = session.exec(select(Complaint).where(*_open_ticket_clauses(giver.id, ids))).all()
    note = t("handover.ticket_note", giver=giver.name, receiver=receiver.name)
    for ticket in tickets:
        ticket.owner_id = receiver.id  # type: ignore[assignment]
        ticket.version += 1
        session.add(ticket)
        add_event(session, ticket, actor, "reassign", ticket.status, ticket.status, note, now)
        audit.record(
            session,
            actor=actor,
            action="handover",
            object_type="complaint",
            object_id=ticket.id,
            customer_id=ticket.customer_id,
            detail=f"{giver.login} → {receiver.login}",
        )
