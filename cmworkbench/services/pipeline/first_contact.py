"""A referral's first contact: the deadline, the task on the manager's Today, and marking it
done when the manager reaches the customer or lead.

The deadline is the rule ``[promises.first_contact]`` (``1 workdays`` by default: the close of
business of the next working day) from the moment the referral reaches a manager: at once for
a customer with an owner, at the allocation for a lead from the pool. It is kept on the
referral (``contact_due``) and is the deadline of a ``first_contact`` task, due at once, on the
manager's Today; "contacted in time" is the referral's ``contacted_at`` by it. A lead has no
customer file, so no promise row can carry its clock: the task and the referral do, the same
for a customer's referral and a lead's, and the report counts them alike.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Referral, Staff, Task
from cmworkbench.domain import sla
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import TaskKind, TaskStatus
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.notify import insert_notification
from cmworkbench.services.core.schemas import Actor

RULE = "first_contact"
REASON_CHARS = 200


def deadline(settings: Settings, received: datetime, cal: BranchCalendar | None = None) -> datetime:
    """The first-contact deadline of a referral that reached a manager at ``received`` (on
    ``cal``, the branch calendar, when the caller has it built already)."""
    rule = settings.promises.get(RULE)
    due = rule.due if rule is not None else "1 workdays"
    cal = cal or BranchCalendar.from_settings(settings.calendar)
    return sla.promise_clock(due, received, cal).due


def reason(referrer: str, need: str) -> str:
    """The task's line on Today: who referred, and what for."""
    return t("referral.task_reason", referrer=referrer, need=need.splitlines()[0])[:REASON_CHARS]


def hand_over(
    session: Session,
    settings: Settings,
    actor: Actor | None,
    referral: Referral,
    to: Staff,
    *,
    referrer_name: str,
    customer_id: int | None,
    lead_id: int | None,
) -> Task:
    """The referral reaches ``to``: its clock starts now and a first-contact task, due at the
    deadline, goes on their Today; they are told in their inbox."""
    assert referral.id is not None and to.id is not None
    now = clock.now()
    due = deadline(settings, now)
    referral.to_id, referral.received_at, referral.contact_due = to.id, now, due
    task = Task(
        kind=TaskKind.FIRST_CONTACT,
        customer_id=customer_id,
        lead_id=lead_id,
        owner_id=to.id,
        due_at=now,  # on Today at once; overdue (逾期) past the deadline
        deadline_at=due,
        priority=0,
        reason=reason(referrer_name, referral.need),
        status=TaskStatus.OPEN,
        rule=RULE,
        note=referral.need,
        created_at=now,
    )
    session.add(task)
    session.flush()
    assert task.id is not None
    referral.task_id = task.id
    referral.version += 1
    session.add(referral)
    audit.record(
        session,
        actor=actor,
        action="refer",
        object_type="referral",
        object_id=referral.id,
        customer_id=customer_id,
        detail=f"to {to.login}, first contact by {due.isoformat(timespec='minutes')}",
    )
    insert_notification(
        session,
        recipient=to.id,
        kind="referral",
        title=t("referral.notice", referrer=referrer_name, need=referral.need.splitlines()[0]),
        object_type="referral",
        object_id=referral.id,
        key=f"referral:{referral.id}:{to.id}",
    )
    return task


def move(session: Session, settings: Settings, referral: Referral, to: Staff) -> None:
    """A lead given to another manager before its first contact: the open task follows, with
    a fresh clock (the new manager has had no time yet)."""
    assert to.id is not None
    now = clock.now()
    due = deadline(settings, now)
    referral.to_id, referral.received_at, referral.contact_due = to.id, now, due
    referral.version += 1
    session.add(referral)
    if referral.task_id is not None:
        session.connection().execute(
            update(Task)
            .where(col(Task.id) == referral.task_id, col(Task.status) == TaskStatus.OPEN)
            .values(owner_id=to.id, due_at=now, deadline_at=due, version=Task.version + 1)
        )


def contacted(session: Session, referral_ids: list[int], at: datetime) -> int:
    """Mark the referrals first contacted at ``at`` (those not contacted yet); how many."""
    if not referral_ids:
        return 0
    result = session.connection().execute(
        update(Referral)
        .where(col(Referral.id).in_(referral_ids), col(Referral.contacted_at).is_(None))
        .values(contacted_at=at, version=Referral.version + 1)
    )
    return int(result.rowcount or 0)


def customer_reached(session: Session, customer_id: int, at: datetime) -> int:
    """A held contact with a customer at ``at``: the referrals of theirs that had reached a
    manager by then and were not contacted yet are contacted now."""
    ids = session.exec(
        select(Referral.id).where(
            col(Referral.customer_id) == customer_id,
            col(Referral.contacted_at).is_(None),
            col(Referral.received_at) <= at,
        )
    ).all()
    return contacted(session, [i for i in ids if i is not None], at)
