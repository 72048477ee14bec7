"""Leads: prospects who are not customers yet (no customer number), from referrals, walk-ins,
events.

A lead waits in the branch pool (no owner) until a supervisor, the branch head or the
administrator allocates it: by hand (:func:`allocate`, ``cmw leads allocate ID --to LOGIN``) or
by the pool's rule (:func:`allocate_by_rule`, ``cmw leads allocate --auto``: each pooled lead,
the oldest first, to the active manager or phone manager in the allocator's scope with the
fewest open leads, then the smaller book, then by login). The allocated manager has a
first-contact task on Today with the deadline of ``[promises.first_contact]``; they log their
contacts with the lead (:func:`contact_lead`) until it becomes a customer.

A lead **merges** into a customer (:func:`merge`): its contacts become the customer's logged
contacts, its referrals and tasks the customer's, and a product the customer has opened within
a referral's window converts it. The match is made on the ID number, or on the phone and the
name (:func:`match`): such a customer found when the lead is made turns the referral into a
customer's referral; one arriving later (an import of new accounts) merges the lead at once
(:func:`customers_arrived`). A customer with the lead's phone under another name (a family
member's phone, a reused number) is only shown as a possible match: the manager confirms it
(``cmw leads merge ID --customer NO``) or not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, func, or_, true, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import (
    Customer,
    Interaction,
    Lead,
    LeadContact,
    Opportunity,
    Referral,
    Staff,
    Task,
)
from cmworkbench.domain import phone as phones
from cmworkbench.domain.enums import LeadStatus, ReferralStatus, Role, TaskKind, TaskStatus
from cmworkbench.domain.masking import mask_id, mask_phone
from cmworkbench.domain.task_rules import is_held
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.notify import insert_notification
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import (
    BOOK_ROLES,
    own_book_only,
    require_customer,
    require_role,
    require_staff,
    staff_filter,
)
from cmworkbench.services.core.validation import (
    FieldsInvalid,
    choice_problem,
    id_problem,
    text_problem,
)
from cmworkbench.services.pipeline import first_contact
from cmworkbench.services.pipeline.conversion import convert, decide
from cmworkbench.services.pipeline.schemas import CONTACT_KINDS, LeadMove, LeadOut
from cmworkbench.services.tasks.schemas import OUTCOMES

POOL_ROLES = (Role.SUPERVISOR.value, Role.BRANCH_HEAD.value, Role.ADMIN.value)
"""Who sees the pooled leads and allocates them, and leads the managers' referrals."""
NAME_CHARS = 64
NOTE_CHARS = 500
REASON_CHARS = 200
FIELDS = "referral.field."
PURPOSE = "first_contact"
"""The purpose a lead's contacts carry once they are the customer's."""


@dataclass(frozen=True)
class Prospect:
    """A prospect as typed: name, phone (normalised) and ID number (upper case)."""

    name: str
    phone: str
    id_number: str
    typed_phone: str

    @classmethod
    def of(cls, name: str | None, phone: str | None, id_number: str | None) -> Prospect:
        typed = (phone or "").strip()
        return cls(
            (name or "").strip(),
            phones.normalise(typed) if typed else "",
            (id_number or "").strip().upper(),
            typed,
        )

    @property
    def given(self) -> bool:
        return bool(self.name or self.phone or self.id_number)

    def problems(self) -> dict[str, str | None]:
        """What is wrong with it (a name, and a phone or an ID number, are needed)."""
        found: dict[str, str | None] = {
            "name": text_problem(self.name, most=NAME_CHARS, required=True)
        }
        if not self.phone and not self.id_number:
            found["phone"] = t("referral.phone_or_id")
        if self.typed_phone and not phones.is_valid(self.phone):
            found["phone"] = t("referral.bad_phone")
        if self.id_number:
            found["id_number"] = id_problem(self.id_number)
        return found


def kinship(customer: Customer, name: str, phone: str | None, id_number: str | None) -> int:
    """How surely ``customer`` is the person with ``name``, ``phone`` (normalised) and
    ``id_number``: 2 the same ID number, 1 the same phone and name, 0 the phone under another
    name (a family member's, a reused number: only a possible match), -1 not them."""
    if id_number and customer.id_number == id_number:
        return 2
    if phone and phone in (customer.phone, customer.phone2):
        return 1 if customer.name.strip() == name else 0
    return -1


def closest(
    customers: Sequence[Customer], name: str, phone: str | None, id_number: str | None
) -> tuple[Customer | None, bool]:
    """The customer of ``customers`` (in their order) most surely the person, and whether it
    is an exact match (:func:`kinship` 1 or 2); ``None``: nobody is."""
    ranked = [(kinship(c, name, phone, id_number), c) for c in customers]
    best = max((rank for rank, _ in ranked), default=-1)
    if best < 0:
        return None, False
    return next(c for rank, c in ranked if rank == best), best >= 1


def match(
    session: Session, prospect: Prospect, within: ColumnElement[bool] | None = None
) -> tuple[Customer | None, bool]:
    """The customer a prospect is, and whether the match is exact: the same ID number; else
    the same phone and name. A customer with the phone under another name is returned as not
    exact (``None``: nobody). ``within``: among these customers only (the branch's)."""
    keys = []
    if prospect.id_number:
        keys.append(col(Customer.id_number) == prospect.id_number)
    if prospect.phone:
        keys += [col(Customer.phone) == prospect.phone, col(Customer.phone2) == prospect.phone]
    if not keys:
        return None, False
    among = within if within is not None else true()
    found = session.exec(select(Customer).where(or_(*keys), among).order_by(col(Customer.id)))
    return closest(found.all(), prospect.name, prospect.phone, prospect.id_number)


def open_lead(
    session: Session,
    actor: Actor | None,
    prospect: Prospect,
    need: str | None,
    product: str | None,
    source: str,
    possible: Customer | None,
) -> tuple[Lead, bool]:
    """The open lead with the prospect's ID number or phone (``True``: found, the referral is
    added to it), else a new one in the pool (``possible``: a customer with its phone under
    another name, noted for the manager)."""
    keys = []
    if prospect.id_number:
        keys.append(col(Lead.id_number) == prospect.id_number)
    if prospect.phone:
        keys.append(col(Lead.phone) == prospect.phone)
    same = session.exec(
        select(Lead).where(col(Lead.status) == LeadStatus.OPEN, or_(*keys)).order_by(col(Lead.id))
    ).first()
    if same is not None:
        return same, True
    lead = Lead(
        name=prospect.name,
        phone=prospect.phone or None,
        id_number=prospect.id_number or None,
        need=need,
        product=product,
        source=source,
        referrer_id=actor.id if actor is not None and source == "referral" else None,
        owner_id=None,
        status=LeadStatus.OPEN,
        match_customer_id=possible.id if possible is not None else None,
        created_at=clock.now(),
        version=1,
    )
    session.add(lead)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="lead",
        object_id=lead.id,
        detail=f"{source}: {mask_phone(lead.phone) or mask_id(lead.id_number)}",
    )
    return lead, False


# -- scope ------------------------------------------------------------------------------------


def _visible(actor: Actor, work: bool = False) -> ColumnElement[bool]:
    """SQL on :class:`Lead`: the leads ``actor`` may see and allocate: their own; for those
    who lead, their people's and the pool's (a supervisor of no team: none, as for the
    customers' pool). ``work``: contact, merge or drop: not the admin, who leads nobody and
    decides no referral. A referrer sees none (their referrals say enough)."""
    if actor.role in POOL_ROLES:
        if own_book_only(actor) or (work and actor.role == Role.ADMIN):
            return false()
        team = select(Staff.id).where(staff_filter(actor))
        return or_(col(Lead.owner_id).in_(team), col(Lead.owner_id).is_(None))
    if actor.role in BOOK_ROLES:
        return col(Lead.owner_id) == actor.id
    return false()


def _require_pool(actor: Actor) -> None:
    """Supervisors who lead a team, the branch head and the admin allocate leads."""
    require_role(actor, POOL_ROLES, "lead.pool_only")
    if own_book_only(actor):
        raise OutOfScope(t("pool.no_team"))


def _require(
    session: Session, actor: Actor, lead_id: int, *, open_only: bool = True, work: bool = False
) -> Lead:
    lead = session.exec(select(Lead).where(col(Lead.id) == lead_id, _visible(actor, work))).first()
    if lead is None:  # one refusal for "not there" and "not yours"
        raise NotFound(t("lead.not_found", lead_id=lead_id))
    if open_only and lead.status != LeadStatus.OPEN:
        raise Conflict(t("lead.closed", lead_id=lead_id, status=t(f"lead.status.{lead.status}")))
    return lead


# -- lists ------------------------------------------------------------------------------------


def list_leads(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    pool: bool = False,
    status: str | None = LeadStatus.OPEN,
    limit: int | None = None,
) -> list[LeadOut]:
    """The leads ``actor`` may see (``pool``: only those waiting in the pool), oldest first."""
    query = select(Lead.id).where(_visible(actor))
    if pool:
        query = query.where(col(Lead.owner_id).is_(None))
    if status is not None:
        query = query.where(col(Lead.status) == status)
    ids = session.exec(query.order_by(col(Lead.created_at), col(Lead.id)).limit(limit)).all()
    return lead_rows(session, [i for i in ids if i is not None])


def lead_rows(session: Session, ids: Sequence[int]) -> list[LeadOut]:
    """The leads ``ids`` as rows, in that order (phone and ID number masked)."""
    if not ids:
        return []
    owner, referrer = aliased(Staff), aliased(Staff)
    merged, possible = aliased(Customer), aliased(Customer)
    contacts = (
        select(func.count())
        .where(col(LeadContact.lead_id) == col(Lead.id))
        .scalar_subquery()
        .label("contacts")
    )
    rows = session.exec(
        select(Lead, owner, referrer, merged, possible, contacts)  # type: ignore[call-overload]
        .outerjoin(owner, col(owner.id) == col(Lead.owner_id))
        .outerjoin(referrer, col(referrer.id) == col(Lead.referrer_id))
        .outerjoin(merged, col(merged.id) == col(Lead.customer_id))
        .outerjoin(possible, col(possible.id) == col(Lead.match_customer_id))
        .where(col(Lead.id).in_(ids))
    ).all()
    by_id = {}
    for lead, own, ref, into, maybe, n in rows:
        assert lead.id is not None
        by_id[lead.id] = LeadOut(
            id=lead.id,
            name=lead.name,
            phone=mask_phone(lead.phone),
            id_number=mask_id(lead.id_number),
            need=lead.need,
            product=lead.product,
            source=lead.source,
            referrer=ref.login if ref is not None else None,
            owner=own.login if own is not None else None,
            owner_name=own.name if own is not None else None,
            status=lead.status,
            customer_no=into.customer_no if into is not None else None,
            match_customer_no=maybe.customer_no if maybe is not None else None,
            match_name=maybe.name if maybe is not None else None,
            created_at=lead.created_at,
            allocated_at=lead.allocated_at,
            contacts=int(n or 0),
            version=lead.version,
        )
    return [by_id[i] for i in ids if i in by_id]


# -- allocation -------------------------------------------------------------------------------


def allocate(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    lead_ids: Sequence[int],
    to_login: str,
) -> list[LeadMove]:
    """Give the leads ``lead_ids`` to the manager ``to_login`` (in the allocator's scope): the
    referrals reach them, with their first-contact clocks; a lead already with someone moves
    with its open first contact."""
    _require_pool(actor)
    to = require_staff(session=session, actor=actor, login=to_login)
    if to.role not in BOOK_ROLES or not to.active:
        raise InvalidInput(t("lead.not_a_manager", login=to.login))
    leads = [_require(session, actor, lead_id) for lead_id in dict.fromkeys(lead_ids)]
    return [_give(session, settings, actor, lead, to) for lead in leads]


def allocate_by_rule(
    *, session: Session, actor: Actor, settings: Settings, dry_run: bool = False
) -> list[LeadMove]:
    """Each lead in the pool, the oldest first, to the eligible colleague (an active manager
    or phone manager in the allocator's scope) with the fewest open leads, then the smaller
    book, then by login. ``dry_run``: the same plan, nothing written."""
    _require_pool(actor)
    people = session.exec(
        select(Staff)
        .where(staff_filter(actor), col(Staff.active), col(Staff.role).in_(BOOK_ROLES))
        .order_by(col(Staff.login))
    ).all()
    pooled = session.exec(
        select(Lead)
        .where(col(Lead.status) == LeadStatus.OPEN, col(Lead.owner_id).is_(None), _visible(actor))
        .order_by(col(Lead.created_at), col(Lead.id))
    ).all()
    if not people:
        return [LeadMove(lead.id or 0, lead.name, None, None, t("lead.nobody")) for lead in pooled]
    ids = [p.id for p in people if p.id is not None]
    open_leads = Counter(
        dict(
            session.exec(
                select(Lead.owner_id, func.count())
                .where(col(Lead.owner_id).in_(ids), col(Lead.status) == LeadStatus.OPEN)
                .group_by(col(Lead.owner_id))
            ).all()
        )
    )
    books = dict(
        session.exec(
            select(Customer.owner_id, func.count())
            .where(col(Customer.owner_id).in_(ids))
            .group_by(col(Customer.owner_id))
        ).all()
    )
    moves = []
    for lead in pooled:
        to = min(people, key=lambda p: (open_leads[p.id], books.get(p.id, 0), p.login))
        open_leads[to.id] += 1
        if dry_run:
            moves.append(LeadMove(lead.id or 0, lead.name, to.login, to.name))
        else:
            moves.append(_give(session, settings, actor, lead, to))
    return moves


def _give(session: Session, settings: Settings, actor: Actor, lead: Lead, to: Staff) -> LeadMove:
    assert lead.id is not None and to.id is not None
    before = lead.owner_id
    if before != to.id:
        lead.owner_id, lead.allocated_at = to.id, clock.now()
        lead.version += 1
        session.add(lead)
        for referral in session.exec(select(Referral).where(col(Referral.lead_id) == lead.id)):
            if referral.task_id is None:
                referrer = session.get(Staff, referral.referrer_id)
                first_contact.hand_over(
                    session,
                    settings,
                    actor,
                    referral,
                    to,
                    referrer_name=referrer.name if referrer else "",
                    customer_id=None,
                    lead_id=lead.id,
                )
            elif referral.contacted_at is None:
                first_contact.move(session, settings, referral, to)
        audit.record(
            session,
            actor=actor,
            action="allocate",
            object_type="lead",
            object_id=lead.id,
            detail=f"to {to.login}",
        )
    return LeadMove(lead.id, lead.name, to.login, to.name)


# -- working a lead ---------------------------------------------------------------------------


def contact_lead(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    lead_id: int,
    kind: str,
    outcome: str,
    note: str | None = None,
) -> LeadOut:
    """Log a call or visit with a lead (its manager, or whoever leads them): a held one is the
    first contact of its referrals and closes their first-contact tasks."""
    problems = {
        "kind": choice_problem(kind, CONTACT_KINDS),
        "outcome": choice_problem(outcome, OUTCOMES.get(kind, ())),
        "note": text_problem(note, most=NOTE_CHARS, multiline=True),
    }
    found = {field: problem for field, problem in problems.items() if problem}
    if found:
        raise FieldsInvalid(found, label_prefix="lead.field.")
    lead = _require(session, actor, lead_id, work=True)
    assert lead.id is not None
    now = clock.now()
    contact = LeadContact(
        lead_id=lead.id,
        staff_id=actor.id,
        at=now,
        kind=kind,
        outcome=outcome,
        note=(note or "").strip() or None,
    )
    audit.created(
        session,
        contact,
        actor=actor,
        object_type="lead_contact",
        customer_id=None,
        detail=f"{kind} {outcome}",
    )
    if is_held(kind, outcome):
        ids = session.exec(select(Referral.id).where(col(Referral.lead_id) == lead.id)).all()
        first_contact.contacted(session, [i for i in ids if i is not None], now)
        close_first_contacts(session, actor, col(Task.lead_id) == lead.id, f"{kind} {outcome}")
    return lead_rows(session, [lead.id])[0]


def close_first_contacts(
    session: Session, actor: Actor | None, where: ColumnElement[bool], note: str
) -> int:
    """Close the open first-contact tasks ``where`` selects (the lead was reached)."""
    ids = session.exec(
        select(Task.id).where(
            where, col(Task.kind) == TaskKind.FIRST_CONTACT, col(Task.status) == TaskStatus.OPEN
        )
    ).all()
    if not ids:
        return 0
    session.connection().execute(
        update(Task)
        .where(col(Task.id).in_(ids), col(Task.status) == TaskStatus.OPEN)
        .values(
            status=TaskStatus.DONE,
            closed_at=clock.now(),
            closed_by_id=actor.id if actor is not None else None,
            note=note,
            version=Task.version + 1,
        )
    )
    for task_id in ids:
        audit.record(
            session, actor=actor, action="close", object_type="task", object_id=task_id, detail=note
        )
    return len(ids)


def drop_lead(
    *, session: Session, actor: Actor, settings: Settings, lead_id: int, reason: str
) -> LeadOut:
    """Give a lead up, with a reason (not interested, unreachable, a duplicate): its open
    referrals are lost with that reason, its first contacts no longer owed."""
    problem = text_problem(reason, most=REASON_CHARS, required=True)
    if problem:
        raise FieldsInvalid({"reason": problem}, label_prefix="lead.field.")
    lead = _require(session, actor, lead_id, work=True)
    assert lead.id is not None
    now = clock.now()
    lead.status, lead.closed_at, lead.drop_reason = LeadStatus.DROPPED, now, reason.strip()
    lead.version += 1
    session.add(lead)
    lost = reason.strip()[:REASON_CHARS]
    for referral in session.exec(
        select(Referral).where(
            col(Referral.lead_id) == lead.id, col(Referral.status) == ReferralStatus.OPEN
        )
    ).all():
        decide(
            session, actor, referral, ReferralStatus.LOST, "lost", lost, at=now, lost_reason=lost
        )
    session.connection().execute(
        update(Task)
        .where(col(Task.lead_id) == lead.id, col(Task.status) == TaskStatus.OPEN)
        .values(
            status=TaskStatus.CANCELLED,
            closed_at=now,
            closed_by_id=actor.id,
            version=Task.version + 1,
        )
    )
    audit.record(
        session,
        actor=actor,
        action="drop",
        object_type="lead",
        object_id=lead.id,
        detail=reason.strip()[:200],
    )
    return lead_rows(session, [lead.id])[0]


# -- merging ----------------------------------------------------------------------------------


def merge_lead(
    *, session: Session, actor: Actor, settings: Settings, lead_id: int, customer_no: str
) -> LeadOut:
    """Merge a lead into the customer ``customer_no``: its possible match, a customer with
    its ID number or phone, or any customer the actor may see (the manager knows them)."""
    lead = _require(session, actor, lead_id, work=True)
    typed = customer_no.strip().upper()
    customer = session.exec(select(Customer).where(col(Customer.customer_no) == typed)).first()
    matches = customer is not None and (
        customer.id == lead.match_customer_id
        or kinship(customer, lead.name, lead.phone, lead.id_number) >= 0
    )
    if not matches:
        customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    assert customer is not None
    merge(session, actor, lead, customer)
    assert lead.id is not None
    return lead_rows(session, [lead.id])[0]


def merge(session: Session, actor: Actor | None, lead: Lead, customer: Customer) -> None:
    """The lead becomes the customer's history: its contacts their logged contacts, its
    referrals and tasks theirs; a product already opened within a referral's window converts
    it."""
    assert lead.id is not None and customer.id is not None
    for contact in session.exec(
        select(LeadContact).where(
            col(LeadContact.lead_id) == lead.id, col(LeadContact.interaction_id).is_(None)
        )
    ).all():
        held = is_held(contact.kind, contact.outcome)
        row = Interaction(
            customer_id=customer.id,
            staff_id=contact.staff_id,
            kind=contact.kind,
            status="done" if held or contact.kind != "visit" else "cancelled",
            happened_at=contact.at,
            purpose=PURPOSE,
            outcome=contact.outcome,
            note=contact.note,
            created_at=clock.now(),
        )
        session.add(row)
        session.flush()
        contact.interaction_id = row.id
        session.add(contact)
    session.connection().execute(
        update(Referral).where(col(Referral.lead_id) == lead.id).values(customer_id=customer.id)
    )
    session.connection().execute(
        update(Task).where(col(Task.lead_id) == lead.id).values(customer_id=customer.id)
    )
    session.connection().execute(  # its opportunities are the customer's now
        update(Opportunity)
        .where(col(Opportunity.lead_id) == lead.id)
        .values(customer_id=customer.id)
    )
    lead.status, lead.customer_id, lead.closed_at = LeadStatus.MERGED, customer.id, clock.now()
    lead.match_customer_id = None
    lead.version += 1
    session.add(lead)
    audit.record(
        session,
        actor=actor,
        action="merge",
        object_type="lead",
        object_id=lead.id,
        customer_id=customer.id,
        detail=f"into {customer.customer_no}",
    )
    session.flush()
    convert(session, [customer.id])


def customers_arrived(session: Session, customer_ids: Sequence[int]) -> tuple[int, int]:
    """New or changed customers (an import of new accounts): an open lead with one's ID
    number, or phone and name, merges into it; one with only the phone is noted as a possible
    match and its manager (or, in the pool, nobody yet: the allocator sees it) told. Returns
    (merged, possible)."""
    if not customer_ids:
        return 0, 0
    open_leads = session.exec(select(Lead).where(col(Lead.status) == LeadStatus.OPEN)).all()
    if not open_leads:
        return 0, 0
    numbers = {lead.id_number for lead in open_leads if lead.id_number}
    phone_set = {lead.phone for lead in open_leads if lead.phone}
    keys = []
    if numbers:
        keys.append(col(Customer.id_number).in_(numbers))
    if phone_set:
        keys += [col(Customer.phone).in_(phone_set), col(Customer.phone2).in_(phone_set)]
    if not keys:
        return 0, 0
    query = select(Customer).where(or_(*keys)).order_by(col(Customer.id))
    arrived = set(customer_ids)
    if len(arrived) <= 900:
        query = query.where(col(Customer.id).in_(arrived))
    candidates = [c for c in session.exec(query).all() if c.id in arrived]
    merged = possible = 0
    for lead in open_leads:
        maybe, exact = closest(candidates, lead.name, lead.phone, lead.id_number)
        if maybe is not None and exact:
            merge(session, None, lead, maybe)
            merged += 1
        elif maybe is not None and lead.match_customer_id != maybe.id:
            lead.match_customer_id = maybe.id
            lead.version += 1
            session.add(lead)
            possible += 1
            if lead.owner_id is not None and lead.id is not None:
                insert_notification(
                    session,
                    recipient=lead.owner_id,
                    kind="referral",
                    title=t("lead.possible_notice", name=lead.name, customer_no=maybe.customer_no),
                    object_type="lead",
                    object_id=lead.id,
                    key=f"lead-match:{lead.id}:{maybe.id}",
                )
    session.flush()
    return merged, possible
