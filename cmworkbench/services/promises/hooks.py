"""Where promises come from and how they are kept without extra typing: the other
capabilities call these inside their own unit of work (through :mod:`.api`).

- a logged contact held with the customer keeps the reply, feedback and delay-notice
  promises made before it (:data:`~.schemas.KEPT_BY_CONTACT`); one with purpose
  ``negotiation`` with a group customer opens the 2-working-day feedback promise;
- every open complaint carries a feedback promise (``complaint_feedback``): any contact with
  the customer about the ticket (a step that reaches the customer, or a logged contact with
  them while the ticket is open) keeps it and opens the next, until the ticket is resolved;
- a holding's promised activation marked at risk opens the delay notice, due 2 working days
  before the promised date;
- a new customer whose file lacks a required field (``[data_quality.required]``) opens the
  file-complete promise, kept when the last missing field is filled.

Decision: a logged contact with a customer who has an open ticket counts as that ticket's
progress feedback, whatever else it was for: a manager who calls a complaining customer
speaks of the complaint, and the sources count the customer hearing from us.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Complaint, Customer, Holding, Promise, PromiseEvent
from cmworkbench.domain.enums import ComplaintStatus as S
from cmworkbench.domain.file_quality import empty, required_fields
from cmworkbench.i18n import t
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.promises import clocks
from cmworkbench.services.promises.schemas import KEPT_BY_CONTACT

FEEDBACK = "complaint_feedback"
NEGOTIATION = "negotiation"
"""The purpose of a logged contact that was a negotiation round with a group customer."""
BEFORE_RESOLVED = (S.RECEIVED, S.IN_PROGRESS, S.WAITING_CUSTOMER, S.WAITING_BACKOFFICE)
"""A ticket in these statuses owes the customer progress feedback."""


def contact_logged(
    session: Session,
    settings: Settings,
    *,
    actor: Actor,
    customer: Customer,
    interaction_id: int,
    at: datetime,
    held: bool,
    purpose: str | None,
) -> list[int]:
    """A contact with ``customer`` was logged: if held, it keeps the promises it answers
    (made before it); a negotiation round with a group customer opens its feedback promise.
    Returns the ids kept."""
    assert customer.id is not None
    kept: list[int] = []
    if held:
        query = (
            select(Promise)
            .where(clocks.owed())
            .where(
                col(Promise.customer_id) == customer.id,
                col(Promise.kind).in_(KEPT_BY_CONTACT),
                col(Promise.made_at) <= at,
            )
        )
        for p in session.exec(query).all():
            if p.kind == FEEDBACK and p.complaint_id is not None:
                ticket = session.get(Complaint, p.complaint_id)
                if ticket is not None and _feedback_given(session, settings, actor, ticket, at):
                    kept.append(p.id or 0)
                continue
            if clocks.keep(session, p, actor, at=at, interaction_id=interaction_id):
                kept.append(p.id or 0)
    if held and purpose == NEGOTIATION and customer.kind == "group":
        clocks.open_promise(
            session,
            settings,
            actor=actor,
            customer_id=customer.id,
            owner_id=actor.id,
            kind="negotiation_feedback",
            what=t("promise.what.negotiation"),
            made_at=at,
            interaction_id=interaction_id,
        )
    return kept


def ticket_opened(session: Session, settings: Settings, actor: Actor | None, c: Complaint) -> None:
    """A new ticket owes the customer feedback from the moment it was received."""
    _open_feedback(session, settings, actor, c, c.received_at)


def ticket_contact(
    session: Session, settings: Settings, actor: Actor | None, c: Complaint, at: datetime
) -> None:
    """A step of the ticket reached the customer at ``at`` (the first response, a reply, the
    resolution): the feedback owed is given; a ticket not yet resolved owes the next."""
    _feedback_given(session, settings, actor, c, at)


def ticket_reopened(
    session: Session, settings: Settings, actor: Actor | None, c: Complaint, at: datetime
) -> None:
    """A reopened ticket (or a rejected solution) owes feedback again from ``at``."""
    _open_feedback(session, settings, actor, c, at)


def ticket_reassigned(session: Session, c: Complaint) -> None:
    """The ticket has a new owner: the feedback it owes is theirs now."""
    session.refresh(c)
    session.connection().execute(
        update(Promise)
        .where(col(Promise.complaint_id) == c.id, clocks.owed())
        .values(owner_id=c.owner_id)
    )


def _feedback_given(
    session: Session, settings: Settings, actor: Actor | None, c: Complaint, at: datetime
) -> bool:
    """Keep the ticket's owed feedback promises made before ``at``; open the next one while
    the ticket is before resolution. True when one was kept."""
    kept = False
    owed = (
        select(Promise)
        .where(clocks.owed())
        .where(col(Promise.complaint_id) == c.id, col(Promise.kind) == FEEDBACK)
    )
    for p in session.exec(owed.where(col(Promise.made_at) <= at)).all():
        kept = clocks.keep(session, p, actor, at=at) or kept
    session.refresh(c)
    if c.status in BEFORE_RESOLVED:
        _open_feedback(session, settings, actor, c, at)
    else:
        for p in session.exec(owed).all():
            clocks.cancel(session, p, actor, t("promise.reason.ticket_resolved"))
    return kept


def _open_feedback(
    session: Session, settings: Settings, actor: Actor | None, c: Complaint, at: datetime
) -> None:
    assert c.id is not None
    clocks.open_promise(
        session,
        settings,
        actor=actor,
        customer_id=c.customer_id,
        owner_id=c.owner_id,
        kind=FEEDBACK,
        what=t("promise.what.complaint_feedback", ticket=c.ticket_no),
        made_at=at,
        complaint_id=c.id,
        # the ticket's n-th feedback owed: opened once however many processes open it (the
        # sweep's catch-up and a response at once), and never confused with the one just
        # kept in the same second
        idem_key=f"cfb:{c.id}:{_feedback_count(session, c.id)}",
    )


def _feedback_count(session: Session, complaint_id: int) -> int:
    """How many feedback promises the ticket has had (the next one's number)."""
    return len(
        session.exec(
            select(Promise.id).where(
                col(Promise.complaint_id) == complaint_id, col(Promise.kind) == FEEDBACK
            )
        ).all()
    )


def ensure_feedback(session: Session, settings: Settings) -> int:
    """Open the feedback promise of every ticket before resolution that owes none (tickets
    older than promises, or loaded in bulk by ``cmw demo``): from the latest step that
    reached the customer, else from receipt. Returns how many were opened."""
    owed = select(Promise.complaint_id).where(clocks.owed()).where(col(Promise.kind) == FEEDBACK)
    missing = session.exec(
        select(Complaint)
        .where(col(Complaint.status).in_(BEFORE_RESOLVED))
        .where(col(Complaint.id).not_in(owed.where(col(Promise.complaint_id).is_not(None))))
    ).all()
    for c in missing:
        start = max(at for at in (c.received_at, c.first_response_at, c.clock_started_at) if at)
        _open_feedback(session, settings, None, c, start)
    return len(missing)


def holding_at_risk(
    session: Session, settings: Settings, actor: Actor, holding: Holding, customer: Customer
) -> Promise:
    """The holding's promised activation is at risk: tell the customer 2 working days before
    the promised date. One promise per holding and promised date: marked again, the one
    already made is returned."""
    assert holding.promised_on is not None and customer.id is not None
    key = f"delay:{holding.id}:{holding.promised_on.isoformat()}"
    made = clocks.open_promise(
        session,
        settings,
        actor=actor,
        customer_id=customer.id,
        owner_id=actor.id,
        kind="delay_notice",
        what=t("promise.what.delay_notice", product=holding.product, day=holding.promised_on),
        before=holding.promised_on,
        holding_id=holding.id,
        idem_key=key,
    )
    return made or session.exec(select(Promise).where(col(Promise.idem_key) == key)).one()


def missing_fields(settings: Settings, customer: Customer) -> list[str]:
    """The required fields (``[data_quality.required]``) of ``customer``'s file left empty."""
    names = required_fields(settings.data_quality.required, customer.kind, customer.cls)
    return [name for name in names if empty(getattr(customer, name, None))]


def customer_created(
    session: Session, settings: Settings, actor: Actor | None, customer: Customer
) -> Promise | None:
    """A new customer whose file lacks required fields: their owner owes a complete file by
    the close of business (``new_customer_file``). None when complete, or unowned."""
    missing = missing_fields(settings, customer)
    if not missing or customer.owner_id is None or customer.id is None:
        return None
    return clocks.open_promise(
        session,
        settings,
        actor=actor,
        customer_id=customer.id,
        owner_id=customer.owner_id,
        kind="new_customer_file",
        what=t("promise.what.new_customer_file", fields=", ".join(missing)),
        idem_key=f"file:{customer.id}",
    )


def customer_changed(
    session: Session, settings: Settings, actor: Actor | None, customers: Sequence[Customer]
) -> int:
    """Files edited or imported: a new-customer-file promise owed on a file now complete is
    kept. Returns how many."""
    ids = [c.id for c in customers if c.id is not None]
    if not ids:
        return 0
    owed = (
        select(Promise)
        .where(clocks.owed())
        .where(col(Promise.customer_id).in_(ids), col(Promise.kind) == "new_customer_file")
    )
    by_id = {c.id: c for c in customers}
    kept = 0
    for p in session.exec(owed).all():
        if not missing_fields(settings, by_id[p.customer_id]):
            kept += clocks.keep(session, p, actor)
    return kept


CHUNK = 5_000


def imported(
    session: Session,
    settings: Settings,
    actor: Actor | None,
    new_ids: Sequence[int],
    changed_ids: Sequence[int],
) -> int:
    """After a customer import: each new account (a customer the file added whose account
    opened on or after the last working day: the nightly feed of new accounts) whose file
    lacks required fields owes a complete file today; a file the import completed keeps its
    promise. Returns the promises opened.

    Decision: a customer added without an opening date, or opened earlier, is not a new
    account but an existing one loaded (the first import of a branch's book): no promise,
    or a first load would owe a million files by tonight. The data-quality figures show
    those files."""
    cal = clocks.calendar(settings)
    since = cal.previous_workday(clock.today())
    opened = 0
    for start in range(0, len(new_ids), CHUNK):
        chunk = new_ids[start : start + CHUNK]
        for customer in session.exec(
            select(Customer).where(col(Customer.id).in_(chunk), col(Customer.opened_on) >= since)
        ).all():
            opened += customer_created(session, settings, actor, customer) is not None
    for start in range(0, len(changed_ids), CHUNK):
        chunk = changed_ids[start : start + CHUNK]
        owed = (
            select(Promise.customer_id)
            .where(clocks.owed())
            .where(col(Promise.customer_id).in_(chunk), col(Promise.kind) == "new_customer_file")
        )
        files = session.exec(select(Customer).where(col(Customer.id).in_(owed))).all()
        customer_changed(session, settings, actor, files)
    return opened


def history(session: Session, promise_id: int) -> list[PromiseEvent]:
    return list(
        session.exec(
            select(PromiseEvent)
            .where(col(PromiseEvent.promise_id) == promise_id)
            .order_by(col(PromiseEvent.at), col(PromiseEvent.id))
        ).all()
    )
