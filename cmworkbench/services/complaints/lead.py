"""The tickets a lead has to act on or watch this morning (issue 23: the supervisor's and the
branch head's Today), each with why, most pressing first.

For the people a lead leads (a supervisor: the team; the branch head: the managers of teams
without a supervisor), every open ticket that needs them:

* ``close``: the return call is done (回访) and the lead may close (``complaints.close_roles``);
* ``escalated``: the SLA sweep escalated it to the lead (a ``sla_escalate`` notice to them);
* ``breached``: a deadline passed (oldest breach first);
* ``rejected``: the customer rejected the solution (the supervisor is told, DESIGN.md);
* ``informed``: an A-class complaint or a difficult, escalating or over-level one, which the
  lead was told of when it was taken and is kept informed of until it is closed.

Across the rest of the branch (the branch head), only what reached them: breached tickets and
those escalated to them. A ticket is listed once, for its most pressing reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Complaint, Customer, Notification, Staff
from cmworkbench.domain.enums import ComplaintStatus as S
from cmworkbench.services.complaints import sla as clocks
from cmworkbench.services.complaints.intake import TOLD_KINDS
from cmworkbench.services.complaints.queries import DEADLINE_CLOCKS, row_of
from cmworkbench.services.complaints.schemas import LeadTicket
from cmworkbench.services.core.schemas import Actor

WHY_ORDER = ("close", "escalated", "breached", "rejected", "informed")
"""The reasons, most pressing first: what only the lead can do, then what is late."""


def lead_tickets(
    session: Session,
    actor: Actor,
    settings: Settings,
    led: Sequence[int],
    branch: Sequence[int] = (),
) -> list[LeadTicket]:
    """The open tickets of the owners ``led`` that need the lead ``actor`` (every reason),
    and those of the owners ``branch`` that are breached or were escalated to them; by reason
    (:data:`WHY_ORDER`), then the longest waiting first."""
    now = clock.now()
    escalated = _escalated_to(session, actor)
    past_due = [
        and_(col(getattr(Complaint, due)) < now, col(getattr(Complaint, met)).is_(None))
        for _, due, met in DEADLINE_CLOCKS
    ]
    late = or_(col(Complaint.breached), *past_due, col(Complaint.id).in_(escalated))
    needs_lead = or_(
        late,
        col(Complaint.status) == S.RETURN_CALL_DONE,
        col(Complaint.rejected_solution),
        col(Complaint.kind).in_(TOLD_KINDS),
        col(Complaint.severity) == "major",
        col(Customer.cls).in_(settings.complaints.inform_supervisor_classes),
    )
    wanted = []
    if led:
        wanted.append(and_(col(Complaint.owner_id).in_(list(led)), needs_lead))
    if branch:
        wanted.append(and_(col(Complaint.owner_id).in_(list(branch)), late))
    if not wanted:
        return []
    query = (
        select(Complaint, Customer, Staff)
        .join(Customer, col(Customer.id) == col(Complaint.customer_id))
        .join(Staff, col(Staff.id) == col(Complaint.owner_id))
        .where(col(Complaint.status) != S.CLOSED, or_(*wanted))
    )
    cal = clocks.calendar(settings)
    closers = settings.complaints.close_roles
    informed = settings.complaints.inform_supervisor_classes
    found = []
    for c, customer, owner in session.exec(query).all():
        row = row_of(c, customer, owner, settings=settings, cal=cal, now=now)
        mine = c.owner_id in led
        why, since = None, c.received_at
        if mine and c.status == S.RETURN_CALL_DONE and actor.role in closers:
            why, since = "close", c.return_call_at or c.received_at
        elif c.id in escalated:
            why, since = "escalated", escalated[c.id]
        elif row.breached:
            why, since = "breached", _breached_since(c, row.due_at, now)
        elif mine and c.rejected_solution:
            why = "rejected"
        elif mine and (customer.cls in informed or c.kind in TOLD_KINDS or c.severity == "major"):
            why = "informed"
        if why is not None:
            found.append(LeadTicket(row=row, why=why, since=since, return_call_at=c.return_call_at,
                                    satisfaction_answer=c.satisfaction_answer))  # fmt: skip
    return sorted(found, key=lambda t: (WHY_ORDER.index(t.why), t.since, t.row.ticket_no))


def _escalated_to(session: Session, actor: Actor) -> dict[int, datetime]:
    """Ticket id → when the sweep first escalated it to ``actor`` (open tickets only)."""
    rows = session.exec(
        select(Notification.object_id, Notification.created_at)
        .join(Complaint, col(Complaint.id) == col(Notification.object_id))
        .where(
            col(Notification.recipient_id) == actor.id,
            col(Notification.object_type) == "complaint",
            col(Notification.kind) == "sla_escalate",
            col(Complaint.status) != S.CLOSED,
        )
    ).all()
    first: dict[int, datetime] = {}
    for ticket_id, at in rows:
        if ticket_id is not None and (ticket_id not in first or at < first[ticket_id]):
            first[ticket_id] = at
    return first


def _breached_since(c: Complaint, running_due: datetime | None, now: datetime) -> datetime:
    """When the ticket's first missed deadline passed (the running clock's, else now)."""
    missed = [
        due
        for _, due_field, met_field in DEADLINE_CLOCKS
        if (due := getattr(c, due_field)) is not None
        and getattr(c, met_field) is None
        and due < now
    ]
    if running_due is not None and running_due < now:
        missed.append(running_due)
    return min(missed, default=now)
