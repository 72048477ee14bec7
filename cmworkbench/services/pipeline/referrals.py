"""Referrals (转介): a teller, lobby staff or another manager hands a customer or a prospect to
a manager for a need and a product category; the supervisor sees who brings business.

* :func:`refer` (``cmw referrals new``, the referrer's screen): an existing customer, named by
  their exact customer number, goes to their owner (a customer in the pool: to the pool's
  keeper, whose Today holds the pooled customers' work); a prospect (name, phone and/or ID
  number) is matched first (:func:`~.leads.match`): the customer with that ID number, or with
  that phone and name, is referred as a customer; anyone else becomes a lead in the branch
  pool (a customer with that phone under another name is noted as a possible match, which the
  manager confirms). The first contact is owed by the deadline of ``[promises.first_contact]``
  (:mod:`.first_contact`).
* A referral converts when, within ``[referrals] window_days``, a product of its category
  opens for the customer (a holding's ``opened_on``, from an import or a lead merged into a
  customer who has one: :func:`convert`), or the manager marks it won; the manager may mark
  it lost, with a reason (:func:`mark_outcome`). Past the window, an open referral is lapsed.
* :func:`list_referrals`: within the actor's scope. A referrer sees only their own, and the
  name masked (``张**``) and no customer number: what came of it, not the file.

Every change is audited.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, false, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Lead, Referral, Staff, Task
from cmworkbench.domain.cadence import local_day
from cmworkbench.domain.enums import LeadSource, ReferralStatus, Role
from cmworkbench.domain.masking import mask_name
from cmworkbench.i18n import label, t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, InvalidInput, NotFound
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import (
    branch_customers,
    own_book_only,
    require_role,
    staff_filter,
)
from cmworkbench.services.core.validation import FieldsInvalid, choice_problem, text_problem
from cmworkbench.services.customers import api as customers
from cmworkbench.services.pipeline import first_contact, leads
from cmworkbench.services.pipeline.conversion import convert, decide
from cmworkbench.services.pipeline.schemas import ReferralMade, ReferralOut

REFERRING_ROLES = (
    Role.REFERRER.value,
    Role.MANAGER.value,
    Role.PHONE_MANAGER.value,
    Role.SUPERVISOR.value,
    Role.BRANCH_HEAD.value,
)
"""Who refers: tellers and lobby staff, and any colleague who serves customers (IT does not)."""
NEED_CHARS = 500
REASON_CHARS = 200
FIELDS = "referral.field."


def refer(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    need: str,
    product: str,
    customer_no: str | None = None,
    name: str | None = None,
    phone_number: str | None = None,
    id_number: str | None = None,
) -> ReferralMade:
    """Refer a customer (``customer_no``) or a prospect (``name`` with ``phone_number`` and/or
    ``id_number``) for ``need`` and a ``product`` category; see the module. Every problem is
    reported at once and nothing is written."""
    require_role(actor, REFERRING_ROLES, "referral.role")
    problems: dict[str, str | None] = {
        "need": text_problem(need, most=NEED_CHARS, required=True, multiline=True),
        "product": choice_problem(product, settings.referrals.products),
    }
    typed_no = (customer_no or "").strip()
    prospect = leads.Prospect.of(name, phone_number, id_number)
    if typed_no and prospect.given:
        problems["customer"] = t("referral.customer_or_prospect")
    elif not typed_no:
        problems.update(prospect.problems())
    found = {field: problem for field, problem in problems.items() if problem}
    if found:
        raise FieldsInvalid(found, label_prefix=FIELDS)
    need_text = need.strip()
    if typed_no:
        customer = session.exec(
            select(Customer).where(
                col(Customer.customer_no) == typed_no.upper(), branch_customers(actor)
            )
        ).one_or_none()
        if customer is None:  # an exact look-up in the branch only: no hint of what else exists
            raise NotFound(t("scope.customer_not_found", customer_no=typed_no))
        return ReferralMade(
            _customer_referral(session, actor, settings, customer, need_text, product), "customer"
        )
    customer, exact = leads.match(session, prospect, within=branch_customers(actor))
    if customer is not None and exact:
        out = _customer_referral(session, actor, settings, customer, need_text, product)
        return ReferralMade(out, "customer")
    lead, again = leads.open_lead(
        session, actor, prospect, need_text, product, LeadSource.REFERRAL, customer
    )
    referral = _new(session, actor, settings, need_text, product, lead_id=lead.id)
    if lead.owner_id is not None:  # an open lead already being worked: to its manager
        owner = session.get(Staff, lead.owner_id)
        assert owner is not None
        first_contact.hand_over(
            session,
            settings,
            actor,
            referral,
            owner,
            referrer_name=actor.name,
            customer_id=None,
            lead_id=lead.id,
        )
    matched = "lead_again" if again else ("possible" if customer is not None else "lead")
    return ReferralMade(_out_one(session, actor, referral.id), matched)


def _customer_referral(
    session: Session,
    actor: Actor,
    settings: Settings,
    customer: Customer,
    need: str,
    product: str,
) -> ReferralOut:
    """A customer referred: to their owner, or to the pool's keeper for a pooled customer."""
    assert customer.id is not None
    if customer.owner_id == actor.id:
        raise InvalidInput(t("referral.own_customer", customer_no=customer.customer_no))
    since = clock.now() - timedelta(days=settings.referrals.window_days)
    twice = session.exec(
        select(Referral.id).where(
            col(Referral.customer_id) == customer.id,
            col(Referral.referrer_id) == actor.id,
            col(Referral.product) == product,
            col(Referral.status) == ReferralStatus.OPEN,
            col(Referral.at) >= since,
        )
    ).first()
    if twice is not None:
        raise Conflict(t("referral.twice", product=label("product_kind", product)))
    to_id = customer.owner_id
    if to_id is None:
        keepers = customers.pool_keepers(session.connection(), settings)
        to_id = keepers.get(customer.area or "", keepers.get(customers.EVERY_AREA))
    referral = _new(session, actor, settings, need, product, customer_id=customer.id)
    to = session.get(Staff, to_id) if to_id is not None else None
    if to is not None:
        first_contact.hand_over(
            session,
            settings,
            actor,
            referral,
            to,
            referrer_name=actor.name,
            customer_id=customer.id,
            lead_id=None,
        )
    convert(session, [customer.id])
    return _out_one(session, actor, referral.id)


def _new(
    session: Session,
    actor: Actor,
    settings: Settings,
    need: str,
    product: str,
    *,
    customer_id: int | None = None,
    lead_id: int | None = None,
) -> Referral:
    now = clock.now()
    window = timedelta(days=settings.referrals.window_days)
    referral = Referral(
        at=now,
        referrer_id=actor.id,
        customer_id=customer_id,
        lead_id=lead_id,
        need=need,
        product=product,
        window_ends=local_day(now, clock.branch_tz()) + window,
        status=ReferralStatus.OPEN,
        version=1,
    )
    audit.created(
        session,
        referral,
        actor=actor,
        object_type="referral",
        customer_id=customer_id,
        detail=f"{product}: {need}"[:200],
    )
    return referral


def mark_outcome(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    referral_id: int,
    outcome: str,
    reason: str | None = None,
    version: int | None = None,
) -> ReferralOut:
    """The manager's word on a referral: ``won`` (converted) or ``lost`` (a reason is
    required). By the manager it went to, or whoever leads them."""
    problems: dict[str, str | None] = {"outcome": choice_problem(outcome, ("won", "lost"))}
    if outcome == "lost":
        problems["reason"] = text_problem(reason, most=REASON_CHARS, required=True)
    found = {field: problem for field, problem in problems.items() if problem}
    if found:
        raise FieldsInvalid(found, label_prefix=FIELDS)
    referral = _require(session, actor, referral_id, write=True)
    if version is not None and version != referral.version:
        raise Conflict(t("referral.conflict", referral_id=referral_id))
    if referral.status != ReferralStatus.OPEN:
        raise Conflict(t("referral.decided", referral_id=referral_id))
    status = ReferralStatus.CONVERTED if outcome == "won" else ReferralStatus.LOST
    lost = (reason or "").strip() or None if outcome == "lost" else None
    decide(session, actor, referral, status, outcome, lost, lost_reason=lost)
    if referral.task_id is not None:  # decided: its first contact is no longer owed
        note = f"referral {outcome}"
        leads.close_first_contacts(session, actor, col(Task.id) == referral.task_id, note)
    session.flush()
    return _out_one(session, actor, referral_id)


# -- reading ----------------------------------------------------------------------------------


def _require(session: Session, actor: Actor, referral_id: int, *, write: bool) -> Referral:
    """The referral if ``actor`` may see it (``write``: may decide its outcome: the manager it
    went to, or whoever leads them); one refusal for "not there" and "not yours"."""
    referral = session.get(Referral, referral_id)
    seen = (
        referral is not None
        and session.exec(
            select(Referral.id).where(col(Referral.id) == referral_id, visible(actor, write))
        ).first()
    )
    if referral is None or not seen:
        raise NotFound(t("referral.not_found", referral_id=referral_id))
    return referral


def visible(actor: Actor, write: bool = False) -> ColumnElement[bool]:
    """SQL on :class:`Referral`: what ``actor`` may see (``write``: decide)."""
    if actor.role == Role.ADMIN and write:
        return false()
    if actor.role == Role.REFERRER:
        return false() if write else col(Referral.referrer_id) == actor.id
    mine = col(Referral.to_id) == actor.id
    if actor.role in leads.POOL_ROLES and not own_book_only(actor):  # not a supervisor of no team
        team = select(Staff.id).where(staff_filter(actor))
        pool = col(Referral.to_id).is_(None)
        led = or_(col(Referral.to_id).in_(team), pool)
        return led if write else or_(led, col(Referral.referrer_id).in_(team))
    return mine if write else or_(mine, col(Referral.referrer_id) == actor.id)


def list_referrals(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    state: str | None = None,
    since: date | None = None,
    limit: int | None = None,
) -> list[ReferralOut]:
    """The referrals ``actor`` may see, newest first (``state``: one of the shown states)."""
    rows = _rows(session, actor, visible(actor), since=since, limit=None if state else limit)
    if state is not None:
        rows = [r for r in rows if r.state == state][:limit]
    return rows


def _out_one(session: Session, actor: Actor, referral_id: int | None) -> ReferralOut:
    assert referral_id is not None
    return _rows(session, actor, col(Referral.id) == referral_id)[0]


def _rows(
    session: Session,
    actor: Actor,
    where: ColumnElement[bool],
    *,
    since: date | None = None,
    limit: int | None = None,
) -> list[ReferralOut]:
    referrer, to = aliased(Staff), aliased(Staff)
    query = (
        select(Referral, referrer, to, Customer, Lead)  # type: ignore[call-overload]
        .join(referrer, col(referrer.id) == col(Referral.referrer_id))
        .outerjoin(to, col(to.id) == col(Referral.to_id))
        .outerjoin(Customer, col(Customer.id) == col(Referral.customer_id))
        .outerjoin(Lead, col(Lead.id) == col(Referral.lead_id))
        .where(where)
        .order_by(col(Referral.at).desc(), col(Referral.id).desc())
    )
    if since is not None:
        start, _ = clock.day_bounds(since)
        query = query.where(col(Referral.at) >= start)
    if limit is not None:
        query = query.limit(limit)
    today = clock.today()
    found = []
    for r, by, to_staff, customer, lead in session.exec(query).all():
        assert r.id is not None
        name = customer.name if customer is not None else (lead.name if lead is not None else "")
        number = customer.customer_no if customer is not None else None
        if _masked_for(actor, r):
            name = mask_name(name)
        if actor.role == Role.REFERRER:
            number = None  # a prospect matched to a customer: the number is not theirs to learn
        state = r.status
        if state == ReferralStatus.OPEN and r.window_ends < today:
            state = "lapsed"
        found.append(
            ReferralOut(
                id=r.id,
                at=r.at,
                referrer=by.login,
                referrer_name=by.name,
                customer_no=number,
                lead_id=r.lead_id,
                name=name,
                need=r.need,
                product=r.product,
                to=to_staff.login if to_staff is not None else None,
                to_name=to_staff.name if to_staff is not None else None,
                contact_due=r.contact_due,
                contacted_at=r.contacted_at,
                window_ends=r.window_ends,
                state=state,
                outcome_at=r.outcome_at,
                lost_reason=r.lost_reason,
                version=r.version,
            )
        )
    return found


def _masked_for(actor: Actor, referral: Referral) -> bool:
    """A referrer, and a colleague who referred to someone else, see the name masked: they
    know what came of it, not whose file it is."""
    if actor.role == Role.REFERRER:
        return True
    if actor.role in (Role.MANAGER, Role.PHONE_MANAGER):
        return referral.to_id != actor.id
    return False
