"""Taking a complaint (每诉必录): recorded the moment it is heard, owned by whoever receives it
to the end (首问负责: 谁受理、谁跟进、谁回复). Ticket numbers read like the paper notebooks they
replace: ``T`` + the branch-local date + the day's sequence, ``T202611230001``."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Complaint, Contact
from cmworkbench.domain import complaint_flow as flow
from cmworkbench.domain.enums import ComplaintStatus as S
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import t
from cmworkbench.services.complaints import sla as clocks
from cmworkbench.services.complaints.access import event_time
from cmworkbench.services.complaints.events import add_event, tell_supervisors
from cmworkbench.services.complaints.schemas import (
    CATEGORIES,
    CHANNELS,
    SEVERITIES,
)
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import (
    OutOfScope,
    Retryable,
)
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import (
    require_customer,
)
from cmworkbench.services.core.validation import FieldsInvalid, choice_problem, text_problem
from cmworkbench.services.promises import api as promises

TICKET_PREFIX = "T"


TOLD_KINDS = frozenset({"difficult", "escalated", "over_level"})
"""Complaints the supervisor is told of when taken, whatever the customer's class (the
sources: difficult, escalating and over-level complaints go to the leader)."""


def open_complaint(
    *,
    session: Session,
    actor: Actor,
    customer_no: str,
    category: str,
    description: str,
    severity: str = "normal",
    channel: str = "phone",
    kind: str = "normal",
    contact: str | None = None,
    settings: Settings | None = None,
) -> str:
    """Record a complaint of a customer in scope, owned by the actor; returns the ticket no.

    The ticket starts ``received`` with a ``receive`` event and its SLA deadlines. For a
    customer in ``complaints.inform_supervisor_classes`` (A-class) the supervisor is told at
    once (telecom handbook), and so for a difficult, escalating or over-level complaint
    (:data:`TOLD_KINDS`) of any customer.
    """
    settings = settings or Settings()
    if actor.role == Role.ADMIN:
        # The receiver owns the ticket to the end (首问负责), and IT handles none.
        raise OutOfScope(t("complaint.admin"))
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    assert customer.id is not None, "a customer read from the database has an id"
    _check(category, description, severity, channel, kind)
    contact_id = _contact_id(session, customer.id, contact)
    now = event_time()
    complaint = Complaint(
        # A placeholder until the row is written: the number is drawn after the INSERT, which
        # takes SQLite's write lock, so no other writer can draw the same one meanwhile.
        ticket_no=f"~{uuid.uuid4().hex[:24]}",
        customer_id=customer.id,
        contact_id=contact_id,
        channel=channel,
        category=category,
        kind=kind,
        severity=severity,
        description=description.strip(),
        owner_id=actor.id,
        received_by_id=actor.id,
        status=S.RECEIVED,
        received_at=now,
    )
    clocks.refresh_dues(complaint, customer, settings, clocks.calendar(settings))
    session.add(complaint)
    session.flush()
    complaint.ticket_no = next_ticket_no(session, clock.today())
    try:
        session.flush()
    except IntegrityError:
        # Two tickets drew the same number (a server without SQLite's single writer lock);
        # nothing was kept, and the workbench runs the unit of work again.
        raise Retryable(t("complaint.ticket_taken")) from None
    assert complaint.id is not None
    add_event(session, complaint, actor, "receive", None, S.RECEIVED, None, now)
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="complaint",
        object_id=complaint.id,
        customer_id=complaint.customer_id,
        detail=f"{complaint.ticket_no} {complaint.category} {complaint.severity}",
    )
    promises.ticket_opened(session, settings, actor, complaint)  # progress feedback owed
    if customer.cls in settings.complaints.inform_supervisor_classes:
        tell_supervisors(session, actor, complaint, "a_class", now)
    elif kind in TOLD_KINDS:  # a hard complaint reaches the leader, whatever the class
        tell_supervisors(session, actor, complaint, "hard_kind", now)
    return complaint.ticket_no


def ticket_number(day: date, sequence: int) -> str:
    """The ticket number of the ``sequence``-th complaint received on ``day`` (branch-local):
    ``T202611230001``. The demo numbers its tickets the same way."""
    return f"{TICKET_PREFIX}{day:%Y%m%d}{sequence:04d}"


def next_ticket_no(session: Session, day: date) -> str:
    """The next free ticket number of ``day`` (branch-local)."""
    prefix = f"{TICKET_PREFIX}{day:%Y%m%d}"
    last = session.exec(
        select(func.max(Complaint.ticket_no)).where(col(Complaint.ticket_no).like(prefix + "%"))
    ).one()
    tail = last[len(prefix) :] if last else ""
    return ticket_number(day, int(tail) + 1 if tail.isdigit() else 1)


def _contact_id(session: Session, customer_id: int, name: str | None) -> int | None:
    if not name or not name.strip():
        return None
    found = session.exec(
        select(Contact.id).where(
            col(Contact.customer_id) == customer_id, col(Contact.name) == name.strip()
        )
    ).first()
    if found is None:
        raise FieldsInvalid(
            {"contact": t("complaint.no_such_contact", name=name)}, label_prefix="complaint.field."
        )
    return found


def _check(category: str, description: str, severity: str, channel: str, kind: str) -> None:
    problems: dict[str, str] = {}
    if problem := choice_problem(category, CATEGORIES):
        problems["category"] = problem
    if problem := text_problem(description, required=True, multiline=True):
        problems["description"] = problem
    if problem := choice_problem(severity, SEVERITIES):
        problems["severity"] = problem
    if problem := choice_problem(channel, CHANNELS):
        problems["channel"] = problem
    if problem := choice_problem(kind, flow.KINDS):
        problems["kind"] = problem
    if problems:
        raise FieldsInvalid(problems, label_prefix="complaint.field.")
