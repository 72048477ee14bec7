"""Who may see a complaint ticket and take which action on it, decided here, not in the screens.

- see a ticket: its owner, anyone who may see its customer (the backup partner, AB角), the
  owner's supervisor and the branch head; anyone else is told it is not there, exactly as for
  a ticket that does not exist;
- move it (respond, wait, hand off, resolve, record the return call, reopen, note): the same
  people; the owner does it day to day, the others cover;
- reassign it: a supervisor (within the team) or the branch head;
- close it: a role in ``complaints.close_roles`` (the supervisor by default), and only once the
  return call is recorded.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Complaint, Customer, Staff
from cmworkbench.domain import complaint_flow as flow
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import label, t
from cmworkbench.services.core.errors import (
    InvalidInput,
    NotFound,
    OutOfScope,
    ServiceError,
)
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import (
    customer_filter,
    visible_owner_ids,
)

SUPERVISING = (Role.SUPERVISOR, Role.BRANCH_HEAD)
"""Who sees and works the team's tickets besides their owners."""


def visible_ticket(session: Session, actor: Actor, ticket: str) -> Complaint:
    """The ticket (number or id) if the actor may see it; else a clear refusal."""
    key = ticket.strip().upper()
    is_id = key.isdecimal()  # isdigit() also takes ¹ and ①, which int() refuses
    if is_id and len(key) > 18:  # no id is that long (and SQL integers are 64-bit)
        raise NotFound(t("complaint.not_found", ticket=ticket))
    query = select(Complaint)
    query = query.where(col(Complaint.id) == int(key) if is_id else col(Complaint.ticket_no) == key)
    c = session.exec(query).one_or_none()
    if c is None:
        raise NotFound(t("complaint.not_found", ticket=ticket))
    if c.owner_id == actor.id:
        return c
    if actor.role in SUPERVISING or actor.role == Role.ADMIN:
        if c.owner_id in visible_owner_ids(session=session, actor=actor).owner_ids:
            return c
    elif session.exec(
        select(col(Customer.id)).where(col(Customer.id) == c.customer_id, customer_filter(actor))
    ).first():
        return c
    # The same refusal as for a ticket that does not exist, naming what was typed: never
    # another team's ticket number (an id typed would otherwise reveal it).
    raise NotFound(t("complaint.not_found", ticket=ticket))


def refusal(
    actor: Actor, settings: Settings, c: Complaint, action: str
) -> tuple[type[ServiceError], str] | None:
    """Why the actor may not take ``action`` on ``c`` now (the error to raise and its
    message), or ``None`` when it is allowed. Seeing the ticket is checked before."""
    if actor.role == Role.ADMIN:
        return OutOfScope, t("complaint.admin")
    if action == "close" and actor.role not in settings.complaints.close_roles:
        roles = "、".join(label("role", r) for r in settings.complaints.close_roles)
        return OutOfScope, t("complaint.close_role", roles=roles)
    if action == "reassign" and actor.role not in SUPERVISING:
        return OutOfScope, t("complaint.reassign_role")
    if action not in flow.actions_for(c.status):
        return InvalidInput, t(
            "complaint.not_now",
            ticket=c.ticket_no,
            action=label("complaint_action", action),
            status=label("complaint_status", c.status),
        )
    if action == "close" and c.return_call_at is None:
        return InvalidInput, t("complaint.close_needs_return_call", ticket=c.ticket_no)
    return None


def reassign_target(session: Session, actor: Actor, login: str) -> Staff:
    staff = session.exec(select(Staff).where(col(Staff.login) == login.strip())).one_or_none()
    if staff is None or not staff.active:
        raise NotFound(t("complaint.no_such_staff", login=login))
    scope = visible_owner_ids(session=session, actor=actor)
    if staff.id not in scope.owner_ids or staff.role == Role.ADMIN:
        raise OutOfScope(t("complaint.staff_out_of_scope", name=staff.name))
    return staff


def event_time() -> datetime:
    """Now, to the whole second: a ticket's times are read and typed in minutes and seconds,
    and a deadline five working days from 08:30:00 is Friday 17:30:00, not Monday 08:30."""
    return clock.now().replace(microsecond=0)
