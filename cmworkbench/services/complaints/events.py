"""A ticket's history and who is told: one event row per change, and the supervisor informed of
an A-class complaint at once and of every step after it (telecom handbook), and of a rejected
solution (DESIGN.md)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from cmworkbench.config import Settings
from cmworkbench.db.models import Complaint, ComplaintEvent, Customer, Staff
from cmworkbench.i18n import label, t
from cmworkbench.services.complaints import sla as clocks
from cmworkbench.services.core.notify import leads_of
from cmworkbench.services.core.schemas import Actor


def add_event(
    session: Session,
    c: Complaint,
    actor: Actor | None,
    action: str,
    from_status: str | None,
    to_status: str | None,
    note: str | None,
    at: datetime,
) -> None:
    """One entry in the ticket's history (``actor=None``: the service account)."""
    assert c.id is not None
    session.add(
        ComplaintEvent(
            complaint_id=c.id,
            at=at,
            staff_id=actor.id if actor is not None else None,
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
    )
    session.flush()


def tell_supervisors(
    session: Session,
    actor: Actor,
    c: Complaint,
    why: str,
    now: datetime,
    *,
    event: bool = True,
    action: str = "",
) -> None:
    """Tell the owner's supervisor (or, without one, the branch head): an A-class complaint
    at once and every step after it (telecom handbook: informed at once and kept updated),
    a rejected solution (DESIGN.md). With ``event`` one event names who was told."""
    owner = session.get(Staff, c.owner_id)
    assert owner is not None and c.id is not None
    told = []
    for person in leads_of(session, owner):
        assert person.id is not None
        if person.id == actor.id:
            continue  # the supervisor's own step
        step = label("complaint_action", action)
        title = t(f"complaint.notify.{why}", ticket=c.ticket_no, owner=owner.name, action=step)
        key = f"{why}:{c.id}:{c.reopen_count}:{c.version}:{person.id}"
        if clocks.notify(
            session, recipient=person.id, kind=f"complaint_{why}", title=title, complaint=c, key=key
        ):
            told.append(person.name)
    if told and event:
        note = t(f"complaint.informed.{why}", who="、".join(told))
        add_event(session, c, actor, "inform_supervisor", None, None, note, now)


def informs_supervisor(session: Session, settings: Settings, c: Complaint) -> bool:
    customer = session.get(Customer, c.customer_id)
    return bool(customer and customer.cls in settings.complaints.inform_supervisor_classes)
