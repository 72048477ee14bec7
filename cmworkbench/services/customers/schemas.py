"""customers: result types and word lists (no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from cmworkbench.services.promises.schemas import PromiseOut


@dataclass(frozen=True)
class CustomerProfile:
    """The profile part of the 360 view (masked)."""

    customer_no: str
    name: str
    kind: str
    cls: str | None
    tier: str | None
    is_vip: bool
    is_government: bool
    is_dual_span: bool
    is_benchmark: bool
    industry: str | None
    area: str | None
    address: str | None
    phone: str
    """Masked, e.g. ``138****5678``."""
    phone2: str
    id_number: str
    """Masked, e.g. ``1101**********1234``; empty for groups."""
    birthday: date | None
    owner_login: str | None
    owner_name: str | None
    backup_login: str | None
    backup_name: str | None
    assets_yuan: int | None
    revenue_yuan: int | None
    staff_count: int | None
    status: str
    preferred_hours: str | None
    info_verified_at: datetime | None
    days_since_verified: int | None
    freshness_max_days: int | None
    """The class's re-verification rule (``freshness`` in config), if any."""
    verification_overdue: bool
    """True when ``days_since_verified`` is past the rule (or never verified)."""
    version: int
    """For optimistic locking: pass it back to :func:`update_customer`."""


@dataclass(frozen=True)
class ContactOut:
    """A contact / key person (phones masked)."""

    id: int
    name: str
    role: str
    title: str | None
    phone: str
    birthday: date | None
    preferences: str | None
    notes: str | None
    is_key_person: bool


@dataclass(frozen=True)
class HoldingOut:
    """A product held, with its maturity."""

    product: str
    product_kind: str
    opened_on: date | None
    activated_on: date | None
    matures_on: date | None
    days_to_maturity: int | None
    amount_yuan: int | None
    promised_on: date | None = None
    """The activation date promised to the customer."""
    at_risk: bool = False
    """The promised activation is marked at risk (the customer must be told in time)."""


@dataclass(frozen=True)
class TaskLine:
    """An open task on this customer."""

    id: int
    kind: str
    due_at: datetime
    reason: str | None
    owner_name: str


@dataclass(frozen=True)
class ComplaintLine:
    """An open complaint of this customer."""

    ticket_no: str
    status: str
    category: str
    severity: str
    received_at: datetime
    owner_name: str


@dataclass(frozen=True)
class NextContact:
    """The next contact the cadence rule asks for."""

    rule: str
    """Which cadence rule applied (``A1``, ``vip``, ``government``…)."""
    last_contact_at: datetime | None
    due_on: date
    """Past ``ideal_days``: the contact is due."""
    overdue_on: date
    """Past ``max_days``: overdue."""
    overdue: bool
    due: bool = False
    """Past ``due_on``: the contact is due (``overdue`` implies it)."""


@dataclass(frozen=True)
class Customer360:
    """Everything that matters about one customer, on one screen."""

    profile: CustomerProfile
    contacts: list[ContactOut] = field(default_factory=list)
    holdings: list[HoldingOut] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    """Newest first."""
    open_tasks: list[TaskLine] = field(default_factory=list)
    open_complaints: list[ComplaintLine] = field(default_factory=list)
    promises: list[PromiseOut] = field(default_factory=list)
    """Promises owed to the customer (承诺), soonest deadline first."""
    next_contact: NextContact | None = None
    maturity_lead_days: int = 30
    """A holding maturing within this many days is highlighted (``tasks.maturity_lead_days``:
    the window in which it gets its maturity call)."""


@dataclass(frozen=True)
class CustomerEdit:
    """The fields a manager may edit; ``None`` means "leave as it is"."""

    name: str | None = None
    cls: str | None = None
    phone: str | None = None
    phone2: str | None = None
    id_number: str | None = None
    address: str | None = None
    area: str | None = None
    industry: str | None = None
    preferred_hours: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class FileField:
    """A field a verification asks: its value as shown (PII masked), and whether it holds one."""

    name: str
    shown: str
    filled: bool


@dataclass(frozen=True)
class FileCheck:
    """What a verification of a customer's file asks (:mod:`..verification`)."""

    customer_no: str
    name: str
    version: int
    fields: tuple[FileField, ...]


@dataclass(frozen=True)
class VerificationOut:
    """A verification recorded: the fields checked, those corrected, what was corrected."""

    customer_no: str
    at: datetime
    checked: tuple[str, ...]
    corrected: tuple[str, ...]
    detail: str | None


@dataclass(frozen=True)
class CustomerHit:
    """One search result row."""

    customer_no: str
    name: str
    kind: str
    cls: str | None
    tier: str | None
    owner_login: str | None
    owner_name: str | None
    phone: str
    """Masked."""
    matched: str
    """What matched: ``name``, ``pinyin``, ``initials``, ``contact``, ``phone``, ``id``,
    ``customer_no``."""
    rank: int
    """0 exact, 1 prefix, 2 substring."""


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the customer's history: an interaction, a visit or a complaint event."""

    at: datetime
    kind: str
    """``call``, ``visit``, ``sms``, ``onsite``, ``complaint``."""
    summary: str
    staff_name: str | None


@dataclass(frozen=True)
class ExportResult:
    """What was written: the file, how many customers, masked or not."""

    path: Path
    count: int
    masked: bool


@dataclass(frozen=True)
class HandoverLine:
    """One customer in the handover report."""

    customer_no: str
    name: str
    cls: str | None
    area: str | None
    tasks: int
    visits: int
    complaints: int


@dataclass(frozen=True)
class HandoverReport:
    """What moved (or, in a dry run, would move) from one manager to another."""

    from_login: str
    from_name: str
    to_login: str
    to_name: str
    at: datetime
    done: bool
    """False for a dry run."""
    customers: int
    by_class: dict[str, int]
    tasks: int
    visits: int
    complaints: int
    backups_changed: int
    """Customers whose B角 becomes someone else: the receiver's A/B partner, or nobody."""
    lines: list[HandoverLine] = field(default_factory=list)


REVEALABLE = ("phone", "phone2", "id_number")
"""The masked customer fields :func:`reveal` may show in clear."""


@dataclass(frozen=True)
class PoolCustomer:
    """A customer in the branch pool (no owner), with who keeps its work meanwhile."""

    customer_no: str
    name: str
    kind: str
    cls: str | None
    tier: str | None
    area: str | None
    industry: str | None
    since: datetime
    """When the customer last changed (for a customer left by a manager: when it was left)."""
    keeper: str | None
    """The login whose Today holds the customer's due work (``[pool]``)."""
    open_tasks: int


@dataclass(frozen=True)
class PoolMove:
    """One pooled customer and where an assignment or allocation puts it."""

    customer_no: str
    name: str
    cls: str | None
    tier: str | None
    area: str | None
    industry: str | None
    to_login: str | None
    """``None``: it stays in the pool (:attr:`reason` says why)."""
    to_name: str | None
    reason: str = ""


@dataclass(frozen=True)
class PoolCandidate:
    """A colleague a pooled customer may be given to, with their book against its rule."""

    login: str
    name: str
    role: str
    book: int
    households: int
