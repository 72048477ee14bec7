"""Customer handover (客户移交): a book, or part of it, moves from one manager to another.

Used when a manager leaves, changes post, or books are rebalanced. The branch head (or the
administrator) chooses the customers by their current manager, optionally narrowed by class,
area or customer numbers, and the receiving manager. In one transaction:

- each customer's owner becomes the receiver (guarded on the old owner, so a customer someone
  else moved meanwhile is not taken back); where the receiver was the customer's B角, the
  receiver's own A/B partner becomes the B角 (A and B are never one person);
- the leaving manager's **open tasks** for those customers, their **planned visits** from now
  on (moved into the receiver's plan of the same week, which goes back to the supervisor if
  it was approved) and their **open complaint tickets** (with an event in the ticket's history)
  follow the customers;
- one audit entry per customer, plus one per ticket; the receiver, the receiver's supervisor
  and the leaving manager get a notice.

Refused with the reason, and nothing moved: a receiver whose grade may not own a class in the
selection (DESIGN.md: A-class books go to senior managers), a receiver who is not an active
manager of the branch, a customer number that is not in the leaving manager's book, an empty
selection. ``dry_run`` returns the same report without changing anything.

``to_login`` ``pool`` (:data:`~cmworkbench.services.customers.pool.POOL`) puts the customers in
the branch pool instead, their open work with the pool's keeper (:func:`_to_pool`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import (
    Customer,
    Staff,
)
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.core.notify import insert_notification
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_role, require_staff
from cmworkbench.services.customers.ownership import (
    backups_changing,
    check_grade,
    count_moves,
    move_customers,
    move_to_pool,
    partner_of,
)
from cmworkbench.services.customers.pool import POOL, pool_keepers
from cmworkbench.services.customers.schemas import HandoverLine, HandoverReport

HANDOVER_ROLES = (Role.BRANCH_HEAD.value, Role.ADMIN.value)
"""Who may move customers between books (the service account on the CLI may too)."""

BOOK_ROLES = (Role.MANAGER.value, Role.PHONE_MANAGER.value)


def handover(
    *,
    session: Session,
    actor: Actor | None,
    grades: Mapping[str, Sequence[str]],
    from_login: str,
    to_login: str,
    classes: Sequence[str] = (),
    areas: Sequence[str] = (),
    customer_nos: Sequence[str] = (),
    dry_run: bool = False,
    settings: Settings | None = None,
) -> HandoverReport:
    """Move the chosen customers of ``from_login`` (and their open work) to ``to_login``, or
    to the branch pool (``to_login`` :data:`POOL`: see :func:`_to_pool`)."""
    require_role(actor, HANDOVER_ROLES, "handover.not_allowed")
    giver = _person(session, actor, from_login)
    to_pool = to_login.strip().lower() == POOL
    receiver = giver if to_pool else _person(session, actor, to_login)
    assert giver.id is not None and receiver.id is not None
    if not to_pool:
        if giver.id == receiver.id:
            raise InvalidInput(t("handover.same", login=giver.login))
        if not receiver.active or receiver.role not in BOOK_ROLES:
            raise InvalidInput(t("handover.not_a_manager", login=receiver.login))
        if receiver.branch_id != giver.branch_id:
            raise InvalidInput(t("handover.other_branch", login=receiver.login))

    chosen = _chosen(giver.id, classes, areas, customer_nos)
    wanted = {no.strip().upper() for no in customer_nos if no.strip()}
    rows = (
        session.connection()
        .execute(
            core_select(
                col(Customer.id),
                col(Customer.customer_no),
                col(Customer.name),
                col(Customer.cls),
                col(Customer.area),
            )
            .where(*chosen)
            .order_by(col(Customer.customer_no))
        )
        .all()
    )
    missing = sorted(wanted - {r[1] for r in rows})
    if missing:
        raise InvalidInput(
            t("handover.not_in_book", customers=", ".join(missing[:10]), login=giver.login)
        )
    if not rows:
        raise InvalidInput(t("handover.nothing", login=giver.login))
    by_class = Counter(r[3] or "-" for r in rows)  # "-": no class yet, any grade may own
    if to_pool:
        return _to_pool(session, actor, settings or Settings(), giver, chosen, rows, dry_run)
    check_grade(receiver, by_class, grades)
    now = clock.now()
    new_backup = partner_of(session, receiver)
    report = _report(session, giver, receiver.login, receiver.name, chosen, rows, new_backup, now)
    report = replace(report, done=not dry_run)
    if dry_run:
        return report
    moved = move_customers(
        session, actor=actor, giver=giver, receiver=receiver, chosen=chosen, now=now
    )
    assert moved.customers == len(rows), "the selection changed inside one transaction"
    _notify(session, report, giver, receiver)
    return report


def _report(
    session: Session,
    giver: Staff,
    to_login: str,
    to_name: str,
    chosen: list[ColumnElement[bool]],
    rows: Sequence[Any],
    new_backup: int | None,
    now: datetime,
) -> HandoverReport:
    """What a handover of ``rows`` (id, number, name, class, area) moves, line by line
    (``done`` off: the caller says when it is done)."""
    assert giver.id is not None
    tasks, visits, tickets = count_moves(session, giver.id, chosen, now)
    lines = [
        HandoverLine(no, name, cls, area, tasks.get(c, 0), visits.get(c, 0), tickets.get(c, 0))
        for c, no, name, cls, area in ((int(r[0] or 0), *r[1:]) for r in rows)
    ]
    by_class = Counter(r[3] or "-" for r in rows)
    return HandoverReport(
        from_login=giver.login,
        from_name=giver.name,
        to_login=to_login,
        to_name=to_name,
        at=now,
        done=False,
        customers=len(rows),
        by_class=dict(sorted(by_class.items())),
        tasks=sum(tasks.values()),
        visits=sum(visits.values()),
        complaints=sum(tickets.values()),
        backups_changed=backups_changing(session, chosen, new_backup),
        lines=lines,
    )


def _to_pool(
    session: Session,
    actor: Actor | None,
    settings: Settings,
    giver: Staff,
    chosen: list[ColumnElement[bool]],
    rows: Sequence[Any],
    dry_run: bool,
) -> HandoverReport:
    """The customers leave ``giver``'s book for the branch pool (a manager who leaves and
    whose book nobody takes yet): no owner, no B角; their open tasks, planned visits and open
    tickets go to the pool's keeper of each customer's area, so nothing is dropped. Refused,
    nothing moved, when the pool has no keeper (no active branch head)."""
    assert giver.id is not None
    keepers = pool_keepers(session.connection(), settings)
    if not keepers:
        raise InvalidInput(t("handover.pool_no_keeper"))
    now = clock.now()
    report = _report(session, giver, POOL, t("handover.pool"), chosen, rows, None, now)
    report = replace(report, done=not dry_run)
    if dry_run:
        return report
    moved = move_to_pool(session, actor=actor, giver=giver, chosen=chosen, now=now, keepers=keepers)
    assert moved.customers == len(rows), "the selection changed inside one transaction"
    return report


def _chosen(
    giver_id: int, classes: Sequence[str], areas: Sequence[str], customer_nos: Sequence[str]
) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [col(Customer.owner_id) == giver_id]
    if classes:
        clauses.append(col(Customer.cls).in_(tuple(c.strip().upper() for c in classes)))
    if areas:
        clauses.append(col(Customer.area).in_(tuple(a.strip() for a in areas)))
    nos = tuple(no.strip().upper() for no in customer_nos if no.strip())
    if nos:
        clauses.append(col(Customer.customer_no).in_(nos))
    return clauses


def _person(session: Session, actor: Actor | None, login: str) -> Staff:
    return require_staff(session=session, actor=actor, login=login)


def _notify(session: Session, report: HandoverReport, giver: Staff, receiver: Staff) -> None:
    key = f"handover:{giver.id}:{receiver.id}:{report.at.isoformat()}"
    title = t(
        "handover.notice",
        count=report.customers,
        giver=giver.name,
        receiver=receiver.name,
        tasks=report.tasks,
        visits=report.visits,
        complaints=report.complaints,
    )
    recipients = {receiver.id}
    if giver.active:
        recipients.add(giver.id)
    if receiver.team_id is not None:
        recipients.update(
            session.exec(
                select(Staff.id).where(
                    Staff.team_id == receiver.team_id,
                    Staff.role == Role.SUPERVISOR,
                    col(Staff.active),
                )
            ).all()
        )
    for recipient in sorted(r for r in recipients if r is not None):
        insert_notification(
            session,
            recipient=recipient,
            kind="handover",
            title=title,
            object_type="staff",
            object_id=receiver.id,
            key=f"{key}:{recipient}",
        )
