"""Taking a complaint (投诉): recorded at once, owned by whoever receives it.

Every complaint is recorded the moment it is heard (每诉必录), and whoever receives it owns
it to the end (首问负责: 谁受理、谁跟进、谁回复), so the owner is the receiving actor. Ticket
numbers read like the paper notebooks they replace: ``T`` + the branch-local date + the
day's sequence, ``T202611230001``.

The SLA deadlines (first response, resolution, return call) and the supervisor's notice for
an A-class complaint belong to the complaint-handling issue; a ticket taken here has its due
fields left empty until then.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Complaint, ComplaintEvent
from cmworkbench.domain.enums import ComplaintStatus
from cmworkbench.i18n import t
from cmworkbench.services import audit
from cmworkbench.services.actor import Actor
from cmworkbench.services.errors import Conflict
from cmworkbench.services.scope import require_customer
from cmworkbench.services.validation import FieldsInvalid, choice_problem, text_problem

CATEGORIES = ("fee", "service", "business")
"""资费类, 服务类, 业务类 (telecom handbook)."""
SEVERITIES = ("normal", "major")
CHANNELS = ("phone", "visit", "counter", "online", "letter", "hotline")
TICKET_PREFIX = "T"


def open_complaint(
    *,
    session: Session,
    actor: Actor,
    customer_no: str,
    category: str,
    description: str,
    severity: str = "normal",
    channel: str = "phone",
    settings: Settings | None = None,
) -> str:
    """Record a complaint of a customer in scope, owned by the actor; returns the ticket no.

    The ticket starts ``received`` with a ``receive`` event in its history. SLA due fields
    stay empty (computed by the complaint-handling issue); ``settings`` is accepted for that.
    """
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    assert customer.id is not None, "a customer read from the database has an id"
    _check(category, description, severity, channel)
    now = clock.now()
    complaint = Complaint(
        ticket_no=next_ticket_no(session, clock.today()),
        customer_id=customer.id,
        channel=channel,
        category=category,
        severity=severity,
        description=description.strip(),
        owner_id=actor.id,
        received_by_id=actor.id,
        status=ComplaintStatus.RECEIVED,
        received_at=now,
    )
    try:
        session.add(complaint)
        session.flush()
    except IntegrityError:
        # Two tickets taken in the same instant drew the same number; nothing was kept.
        raise Conflict(t("complaint.ticket_taken")) from None
    _receive_event(session, actor, complaint)
    return complaint.ticket_no


def next_ticket_no(session: Session, day: date) -> str:
    """The next free ticket number of ``day`` (branch-local)."""
    prefix = f"{TICKET_PREFIX}{day:%Y%m%d}"
    last = session.exec(
        select(func.max(Complaint.ticket_no)).where(col(Complaint.ticket_no).like(prefix + "%"))
    ).one()
    tail = last[len(prefix) :] if last else ""
    return f"{prefix}{int(tail) + 1 if tail.isdigit() else 1:04d}"


def _receive_event(session: Session, actor: Actor, complaint: Complaint) -> None:
    assert complaint.id is not None, "flushed"
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            at=complaint.received_at,
            staff_id=actor.id,
            action="receive",
            to_status=ComplaintStatus.RECEIVED,
        )
    )
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="complaint",
        object_id=complaint.id,
        customer_id=complaint.customer_id,
        detail=f"{complaint.ticket_no} {complaint.category} {complaint.severity}",
    )


def _check(category: str, description: str, severity: str, channel: str) -> None:
    problems: dict[str, str] = {}
    if problem := choice_problem(category, CATEGORIES):
        problems["category"] = problem
    if problem := text_problem(description, required=True):
        problems["description"] = problem
    if problem := choice_problem(severity, SEVERITIES):
        problems["severity"] = problem
    if problem := choice_problem(channel, CHANNELS):
        problems["channel"] = problem
    if problems:
        raise FieldsInvalid(problems, label_prefix="complaint.field.")
