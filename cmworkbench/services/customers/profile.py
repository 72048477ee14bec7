"""Customers: look-up, the customer 360 view, editing, reveal of masked data.

Every function takes the acting staff member and checks scope (:mod:`.scope`): a customer
outside it is refused with :class:`OutOfScope` and a clear message, exactly as if searched.
Screens get the frozen dataclasses below, never ORM rows. Phones and ID numbers are masked in
every dataclass; :func:`reveal` is the only way to the clear value, and it is audited.

Search lives in :mod:`.search` and is re-exported here; the timeline in :mod:`.timeline`; the
field rules, optimistic lock and audit trail of an edit in :mod:`.edit` (:class:`CustomerInvalid`
is re-exported);
:func:`reveal` in :mod:`cmworkbench.services.customers.reveal` (re-exported).
"""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import case
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Complaint, Contact, Customer, Holding, Interaction, Staff, Task
from cmworkbench.domain import cadence
from cmworkbench.domain.enums import OPEN_COMPLAINT_STATUSES, ContactRole, TaskStatus
from cmworkbench.domain.masking import mask_id, mask_phone
from cmworkbench.i18n import label, t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import NotFound
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_customer
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.customers.edit import (
    CustomerInvalid,
    apply_changes,
    class_rule,
    validate_changes,
)
from cmworkbench.services.customers.group_directory import refreshed_by_hand
from cmworkbench.services.customers.reveal import reveal
from cmworkbench.services.customers.schemas import (
    ComplaintLine,
    ContactOut,
    Customer360,
    CustomerEdit,
    CustomerHit,
    CustomerProfile,
    HoldingOut,
    NextContact,
    TaskLine,
    TimelineEntry,
)
from cmworkbench.services.customers.search import count_customers, search_customers
from cmworkbench.services.customers.timeline import DEFAULT_LIMIT as TIMELINE_LIMIT
from cmworkbench.services.customers.timeline import customer_timeline
from cmworkbench.services.customers.verification import file_check
from cmworkbench.services.promises import api as promises

__all__ = [
    "ComplaintLine",
    "ContactOut",
    "Customer360",
    "CustomerEdit",
    "CustomerHit",
    "CustomerInvalid",
    "CustomerProfile",
    "HoldingOut",
    "NextContact",
    "TaskLine",
    "TimelineEntry",
    "count_customers",
    "customer_contacts",
    "file_check",
    "get_customer_360",
    "reveal",
    "search_customers",
    "update_customer",
]


DONE = "done"
"""Interaction status of a contact that took place (the cadence counts only these)."""
OPEN_TASKS_SHOWN = 50
CONTACTS_SHOWN = 200
_CONTACT_ROLE_ORDER = case(
    *(
        (col(Contact.role) == role, n)
        for n, role in enumerate(ContactRole)
        if role is not ContactRole.CONTACT
    ),
    else_=len(ContactRole),
)
"""Key persons in the sources' order (decision maker, executor, user, influencer, inside
contact), then the other contacts."""


def get_customer_360(
    *, session: Session, actor: Actor, settings: Settings, customer_no: str
) -> Customer360:
    """The 360 view of ``customer_no`` (``NotFound`` / ``OutOfScope`` with a clear message)."""
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    customer_id = _id(customer)
    return Customer360(
        profile=_profile(session, settings, customer),
        contacts=_contacts(session, customer_id),
        holdings=_holdings(session, customer_id),
        timeline=customer_timeline(session, customer_id, limit=TIMELINE_LIMIT),
        open_tasks=_open_tasks(session, customer_id),
        open_complaints=_open_complaints(session, customer_id),
        promises=promises.owed_to(session, customer_id),
        next_contact=_next_contact(session, settings, customer),
        maturity_lead_days=settings.tasks.maturity_lead_days,
    )


def customer_contacts(*, session: Session, actor: Actor, customer_no: str) -> list[ContactOut]:
    """The contacts of ``customer_no`` (in scope), key persons first, phones masked."""
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    return _contacts(session, _id(customer))


def edit_contact(
    *,
    session: Session,
    actor: Actor,
    customer_no: str,
    contact_id: int,
    role: str,
    key_person: bool,
) -> list[ContactOut]:
    """Set a contact's key-person role (决策人, 执行人, 使用人, 影响人, 内线, or a plain
    contact) and key-person mark; each changed field is audited. Returns the customer's
    contacts as the 360 view lists them. A contact of another customer is not found."""
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    contact = session.get(Contact, contact_id)
    if contact is None or contact.customer_id != customer.id:
        raise NotFound(t("contact.not_found", contact_id=contact_id, customer_no=customer_no))
    if role not in {r.value for r in ContactRole}:
        known = t("input.choice_joiner").join(label("contact_role", r.value) for r in ContactRole)
        raise FieldsInvalid({"role": t("contact.bad_role", role=role, known=known)},
                            label_prefix="contact.field.")  # fmt: skip
    changed = {"role": (contact.role, role), "is_key_person": (contact.is_key_person, key_person)}
    for field, (before, after) in changed.items():
        if before == after:
            continue
        audit.record(session, actor=actor, action="update", object_type="contact",
                     object_id=contact.id, customer_id=customer.id, field_name=field,
                     detail=f"{before} → {after}")  # fmt: skip
    contact.role, contact.is_key_person, contact.updated_at = role, key_person, clock.now()
    session.add(contact)
    session.flush()
    if customer.kind == "group" and any(before != after for before, after in changed.values()):
        refreshed_by_hand(session, actor, customer, "contact")  # the directory was updated
    return _contacts(session, _id(customer))


def update_customer(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    customer_no: str,
    version: int,
    changes: CustomerEdit,
) -> CustomerProfile:
    """Apply ``changes`` if nobody changed the customer since ``version`` was read.

    Every field is checked first (:class:`CustomerInvalid` lists all problems, nothing is
    written); a stale ``version`` is a :class:`Conflict` naming who changed it, nothing
    written; each changed field gets one audit row. Returns the fresh profile.
    """
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    values = validate_changes(
        asdict(changes), class_allowed=class_rule(session, settings, customer)
    )
    apply_changes(session, actor=actor, customer=customer, version=version, values=values)
    promises.customer_changed(session, settings, actor, [customer])  # a file now complete
    return _profile(session, settings, customer)


def _profile(session: Session, settings: Settings, customer: Customer) -> CustomerProfile:
    c = customer
    owner, backup = _staff_pair(session, c.owner_id, c.backup_id)
    days, max_days, overdue = _freshness(settings, c)
    return CustomerProfile(
        customer_no=c.customer_no,
        name=c.name,
        kind=c.kind,
        cls=c.cls,
        tier=c.tier,
        is_vip=c.is_vip,
        is_government=c.is_government,
        is_dual_span=c.is_dual_span,
        is_benchmark=c.is_benchmark,
        industry=c.industry,
        area=c.area,
        address=c.address,
        phone=mask_phone(c.phone),
        phone2=mask_phone(c.phone2),
        id_number=mask_id(c.id_number),
        birthday=c.birthday,
        owner_login=owner.login if owner else None,
        owner_name=owner.name if owner else None,
        backup_login=backup.login if backup else None,
        backup_name=backup.name if backup else None,
        assets_yuan=c.assets_yuan,
        revenue_yuan=c.revenue_yuan,
        staff_count=c.staff_count,
        status=c.status,
        preferred_hours=c.preferred_hours,
        info_verified_at=c.info_verified_at,
        days_since_verified=days,
        freshness_max_days=max_days,
        verification_overdue=overdue,
        version=c.version,
    )


def _staff_pair(
    session: Session, owner_id: int | None, backup_id: int | None
) -> tuple[Staff | None, Staff | None]:
    """The A role (owner) and B role (backup) of a customer, in one query."""
    ids = [i for i in (owner_id, backup_id) if i is not None]
    people = {s.id: s for s in session.exec(select(Staff).where(col(Staff.id).in_(ids))).all()}
    return people.get(owner_id), people.get(backup_id)


def _freshness(settings: Settings, customer: Customer) -> tuple[int | None, int | None, bool]:
    """Days since the basic data was verified, the class's limit, and whether it is past it.

    A-class data is re-verified monthly, B-class every 2 months (telecom handbook); a
    customer never verified is overdue as soon as its class has a rule. Without a rule
    nothing is overdue.
    """
    rule = settings.freshness.get(customer.cls) if customer.cls else None
    verified = customer.info_verified_at
    days = None
    if verified is not None:
        days = (clock.today() - cadence.local_day(verified, clock.branch_tz())).days
    if rule is None:
        return days, None, False
    return days, rule.max_days, days is None or days > rule.max_days


def _contacts(session: Session, customer_id: int) -> list[ContactOut]:
    """Key persons first, then decision makers, influencers and other contacts, by name."""
    rows = session.exec(
        select(Contact)
        .where(col(Contact.customer_id) == customer_id)
        .order_by(col(Contact.is_key_person).desc(), _CONTACT_ROLE_ORDER, col(Contact.name))
        .limit(CONTACTS_SHOWN)
    ).all()
    return [
        ContactOut(
            id=_id(c),
            name=c.name,
            role=c.role,
            title=c.title,
            phone=mask_phone(c.phone or c.phone2),
            birthday=c.birthday,
            preferences=c.preferences,
            notes=c.notes,
            is_key_person=c.is_key_person,
        )
        for c in rows
    ]


def _holdings(session: Session, customer_id: int) -> list[HoldingOut]:
    """Soonest maturity first (a maturity is a contact moment); no maturity date last."""
    matures = col(Holding.matures_on)
    rows = session.exec(
        select(Holding)
        .where(col(Holding.customer_id) == customer_id)
        .order_by(matures.is_(None), matures, col(Holding.product))
    ).all()
    today = clock.today()
    return [
        HoldingOut(
            product=h.product,
            product_kind=h.product_kind,
            opened_on=h.opened_on,
            activated_on=h.activated_on,
            matures_on=h.matures_on,
            promised_on=h.promised_on,
            at_risk=h.at_risk_since is not None,
            days_to_maturity=(h.matures_on - today).days if h.matures_on else None,
            amount_yuan=h.amount_yuan,
        )
        for h in rows
    ]


def _open_tasks(session: Session, customer_id: int) -> list[TaskLine]:
    """Open tasks on the customer, soonest due first, whoever owns them."""
    rows = session.exec(
        select(Task, Staff.name)
        .join(Staff, col(Task.owner_id) == col(Staff.id))
        .where(col(Task.customer_id) == customer_id, col(Task.status) == TaskStatus.OPEN)
        .order_by(col(Task.due_at))
        .limit(OPEN_TASKS_SHOWN)
    ).all()
    return [TaskLine(_id(task), task.kind, task.due_at, task.reason, name) for task, name in rows]


def _open_complaints(session: Session, customer_id: int) -> list[ComplaintLine]:
    """Complaints not yet closed, newest first."""
    rows = session.exec(
        select(Complaint, Staff.name)
        .join(Staff, col(Complaint.owner_id) == col(Staff.id))
        .where(col(Complaint.customer_id) == customer_id)
        .where(col(Complaint.status).in_(OPEN_COMPLAINT_STATUSES))
        .order_by(col(Complaint.received_at).desc())
    ).all()
    return [
        ComplaintLine(c.ticket_no, c.status, c.category, c.severity, c.received_at, name)
        for c, name in rows
    ]


def _next_contact(session: Session, settings: Settings, customer: Customer) -> NextContact | None:
    """The cadence rule's verdict, counted from the last logged contact on a counting channel
    (or from the day the customer joined): due from the ideal day, overdue past the maximum,
    decided by :mod:`cmworkbench.domain.standing` as on Today, in the reports and the team
    board (through :func:`cadence.next_contact`)."""
    found = cadence.applicable_rule(
        cls=customer.cls,
        tier=customer.tier,
        is_vip=customer.is_vip,
        is_government=customer.is_government,
        rules=settings.cadence,
    )
    if found is None:
        return None
    name, rule = found
    last_at = session.exec(
        select(Interaction.happened_at)
        .where(col(Interaction.customer_id) == customer.id, col(Interaction.status) == DONE)
        .where(col(Interaction.kind).in_(rule.channels), col(Interaction.happened_at).is_not(None))
        .order_by(col(Interaction.happened_at).desc())
        .limit(1)
    ).first()
    tz = clock.branch_tz()
    start = cadence.counted_from(last_at, customer.created_at, tz)
    verdict = cadence.next_contact(start, rule, clock.today())
    return NextContact(
        rule=name,
        last_contact_at=last_at,
        due_on=verdict.due_on,
        overdue_on=verdict.overdue_on,
        overdue=verdict.overdue,
        due=verdict.due,
    )


def _id(row: Customer | Contact | Task) -> int:
    assert row.id is not None, "rows read from the database have an id"
    return row.id
