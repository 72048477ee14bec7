"""SQLModel tables for the whole product.

Later issues add behaviour, not tables. Conventions:

* Every instant is an aware datetime (``clock.now()``), stored in UTC by SQLModel's
  ``UTCDateTime`` (``timestamptz`` on PostgreSQL) and read back aware in UTC; dates
  (birthdays, due days, leave periods) are branch-local calendar dates.
* Money is whole yuan in 64-bit integers (``*_yuan``, ``BIGINT``: PostgreSQL's ``INTEGER``
  stops at 2.1 billion, less than a large customer's revenue or a branch's deposit goal):
  tiering and reports need no fen, and SQLite has no exact decimal type.
* Enumerations are short strings; the allowed values live in :mod:`cmworkbench.domain.enums`
  and are checked by the services.
* Rows that two people may edit at once carry ``version`` for optimistic locking: an update
  says ``WHERE id = :id AND version = :seen`` and reports a conflict when no row matched.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    UniqueConstraint,
    text,
    true,
)
from sqlmodel import Field, SQLModel

MONEY = BigInteger().with_variant(Integer(), "sqlite")
"""Whole yuan: ``BIGINT`` on PostgreSQL, whose ``INTEGER`` stops at 2,147,483,647; SQLite's
``INTEGER`` is 64-bit already (migration 0022)."""


class Branch(SQLModel, table=True):
    """A branch (支行) or telecom group-customer department."""

    __tablename__ = "branch"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=100)


class Team(SQLModel, table=True):
    """A team of managers led by a supervisor."""

    __tablename__ = "team"
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    name: str = Field(max_length=100)


class Staff(SQLModel, table=True):
    """A member of staff who logs in: manager, phone manager, supervisor, branch head, admin."""

    __tablename__ = "staff"
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=64)
    role: str = Field(max_length=20, index=True)
    grade: str | None = Field(default=None, max_length=20)
    """Manager grade (senior/first/second/trainee): decides which classes they may own."""
    branch_id: int = Field(foreign_key="branch.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    backup_id: int | None = Field(default=None, foreign_key="staff.id")
    """The A/B partner (AB角) who takes over while this person is away."""
    phone: str | None = Field(default=None, max_length=32)
    active: bool = Field(default=True)
    created_at: datetime
    version: int = Field(default=1)


class StaffLeave(SQLModel, table=True):
    """A leave period; the backup partner covers urgent work meanwhile."""

    __tablename__ = "staff_leave"
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    starts_on: date
    ends_on: date
    reason: str | None = Field(default=None, max_length=200)


class SshKey(SQLModel, table=True):
    """A public key granted to one staff member on the service account."""

    __tablename__ = "ssh_key"
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    fingerprint: str = Field(max_length=128, unique=True)
    public_key: str
    granted_at: datetime
    revoked_at: datetime | None = None


class Customer(SQLModel, table=True):
    """A customer: a person (individual) or an organisation (group customer, 集团客户)."""

    __tablename__ = "customer"
    __table_args__ = (
        Index("ix_customer_owner_class", "owner_id", "cls"),
        # covering: whose customers a backup manager (B角) sees, for search and scope
        Index("ix_customer_backup", "backup_id", "owner_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_no: str = Field(max_length=32, unique=True)
    kind: str = Field(max_length=12)
    """``individual`` or ``group``."""
    name: str = Field(max_length=200)
    cls: str | None = Field(default=None, max_length=4)
    """Value class A1/A2/B1/B2/C (groups, and individuals ranked by the same model)."""
    tier: str | None = Field(default=None, max_length=16)
    """Individual asset tier: diamond, gold, mid_high (中高端, ≥ RMB 200,000), mass."""
    is_vip: bool = False
    is_government: bool = False
    """Government-important customer (政府重要客户)."""
    is_dual_span: bool = False
    """Dual-span group (双跨集团)."""
    is_benchmark: bool = False
    """Industry benchmark (行业标杆)."""
    industry: str | None = Field(default=None, max_length=64)
    area: str | None = Field(default=None, max_length=64, index=True)
    address: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=32)
    phone2: str | None = Field(default=None, max_length=32)
    id_number: str | None = Field(default=None, max_length=18)
    """Resident ID number (GB 11643, 18 characters) for individuals."""
    birthday: date | None = None
    owner_id: int | None = Field(default=None, foreign_key="staff.id")
    backup_id: int | None = Field(default=None, foreign_key="staff.id")
    assets_yuan: int | None = Field(default=None, sa_type=MONEY)
    """Individuals: assets under management, whole yuan."""
    revenue_yuan: int | None = Field(default=None, sa_type=MONEY)
    """Groups: annual revenue to us, whole yuan."""
    staff_count: int | None = None
    member_count: int | None = None
    """Groups: members on our service (集团成员数), as the last import gave it; a drop between
    two imports above ``tasks.churn_member_drop`` opens a retention task."""
    status: str = Field(default="active", max_length=12)
    """``active``, ``at_risk`` or ``lost``."""
    preferred_hours: str | None = Field(default=None, max_length=32)
    """When the customer prefers visits, e.g. ``09:00-11:30``."""
    info_verified_at: datetime | None = None
    opened_on: date | None = None
    created_at: datetime
    updated_at: datetime
    version: int = Field(default=1)
    directory_refreshed_at: datetime | None = None
    """Groups: when the internal staff directory (通讯录) was last confirmed or updated."""


class DirectoryRefresh(SQLModel, table=True):
    """A group's staff directory (通讯录) confirmed or updated: who and how."""

    __tablename__ = "directory_refresh"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    """Who refreshed it (an import: the customer's owner, whose group it is)."""
    at: datetime = Field(index=True)
    source: str = Field(max_length=8)
    """``hand`` (confirmed), ``contact`` (a contact edited), ``import`` (its contacts imported)."""


class Verification(SQLModel, table=True):
    """A check of a customer file's fields against the truth (data accuracy): by the manager
    with the customer (``m`` on the 360 view, ``cmw customer verify``) or by an import from
    an authoritative source (``[data_quality] authoritative``). Which fields were checked,
    which were wrong and corrected (old → new, PII masked). Append-only."""

    __tablename__ = "verification"
    __table_args__ = (Index("ix_verification_customer_at", "customer_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    at: datetime = Field(index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    """Who checked (an import: whoever ran it, or none for the service account)."""
    source: str = Field(max_length=40)
    """``hand``, or ``import:NAME`` (the authoritative source)."""
    checked: int
    """Fields checked."""
    confirmed: int
    """Of them, found right (the rest were corrected)."""
    fields: str = Field(max_length=400)
    """The checked fields, comma-separated; a corrected one is marked ``!`` (``phone!``)."""
    detail: str | None = Field(default=None, max_length=1000)
    """The corrections, ``field: old → new`` (phones and ID numbers masked)."""


class CustomerMetric(SQLModel, table=True):
    """Month-end figures of a customer, for churn signals (asset outflow, revenue drop)."""

    __tablename__ = "customer_metric"
    __table_args__ = (UniqueConstraint("customer_id", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    month: str = Field(max_length=7)
    """``YYYY-MM``."""
    assets_yuan: int | None = Field(default=None, sa_type=MONEY)
    revenue_yuan: int | None = Field(default=None, sa_type=MONEY)
    member_count: int | None = None


class Contact(SQLModel, table=True):
    """Contact or key person (关键人) of a customer, mostly of a group customer."""

    __tablename__ = "contact"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str = Field(max_length=64)
    role: str = Field(default="contact", max_length=16)
    """A key person's role (``decision_maker``, ``executor``, ``user``, ``influencer``,
    ``inside_contact``: :class:`~cmworkbench.domain.enums.ContactRole`) or ``contact``."""
    title: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    phone2: str | None = Field(default=None, max_length=32)
    birthday: date | None = None
    preferences: str | None = Field(default=None, max_length=500)
    notes: str | None = None
    is_key_person: bool = False
    updated_at: datetime


class Holding(SQLModel, table=True):
    """A product a customer holds: deposit, wealth product, loan, line, package."""

    __tablename__ = "holding"
    __table_args__ = (Index("ix_holding_matures", "matures_on"),)
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    product: str = Field(max_length=100)
    product_kind: str = Field(max_length=16)
    """``deposit``, ``wealth``, ``loan``, ``telecom`` …"""
    opened_on: date | None = None
    activated_on: date | None = None
    matures_on: date | None = None
    amount_yuan: int | None = Field(default=None, sa_type=MONEY)
    next_check_on: date | None = None
    """Next post-loan check (贷后检查) for loans."""
    promised_on: date | None = None
    """The activation date promised to the customer (承诺开通日期)."""
    at_risk_since: datetime | None = None
    """When the promised activation was marked at risk: the customer must be told 2 working
    days before it slips (a ``delay_notice`` promise)."""


class Interaction(SQLModel, table=True):
    """A call, visit, SMS or on-site contact with a customer, planned or done."""

    __tablename__ = "interaction"
    __table_args__ = (
        Index("ix_interaction_customer_time", "customer_id", "happened_at"),
        Index("ix_interaction_staff_time", "staff_id", "happened_at"),
        # The report's retention figure reads the few contacts with a result (migration 0013).
        Index(
            "ix_interaction_retention",
            "happened_at",
            sqlite_where=text("retention_result IS NOT NULL"),
            postgresql_where=text("retention_result IS NOT NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    staff_id: int = Field(foreign_key="staff.id")
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    kind: str = Field(max_length=10)
    """``call``, ``visit``, ``sms``, ``onsite``."""
    status: str = Field(default="done", max_length=12)
    """``planned``, ``done``, ``cancelled``."""
    planned_at: datetime | None = None
    happened_at: datetime | None = None
    purpose: str | None = Field(default=None, max_length=32)
    outcome: str | None = Field(default=None, max_length=32)
    """``reached``, ``no_answer``, ``call_back``, ``wrong_number``, ``done`` …"""
    next_step: str | None = Field(default=None, max_length=500)
    duration_minutes: int | None = None
    note: str | None = None
    retention_result: str | None = Field(default=None, max_length=12)
    """A held contact for a retention task (挽留): ``retained``, ``at_risk`` or ``lost``."""
    created_at: datetime


class Task(SQLModel, table=True):
    """A piece of work owed to a customer or the branch, generated by a rule or by hand."""

    __tablename__ = "task"
    __table_args__ = (
        # Covering for Today's filters (fixed items, backlog counts; migration 0009).
        Index(
            "ix_task_owner_status_due",
            "owner_id",
            "status",
            "due_at",
            "kind",
            "snoozed_until",
            "deadline_at",
            "rule",
            "created_at",
        ),
        Index("ix_task_customer_status", "customer_id", "status"),
        Index("ix_task_origin", "origin_task_id"),
        # A person's open tasks by the stored score (db.scoring; migration 0010).
        Index("ix_task_owner_priority", "owner_id", "status", "priority", "due_at", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=24)
    """``contact``, ``verify_info``, ``care``, ``after_sale``, ``maturity``, ``post_loan``,
    ``return_call``, ``retention``, ``follow_up``, ``report``, ``manual``."""
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    owner_id: int = Field(foreign_key="staff.id")
    due_at: datetime
    priority: int = Field(default=0)
    reason: str | None = Field(default=None, max_length=200)
    status: str = Field(default="open", max_length=10)
    """``open``, ``done``, ``cancelled``."""
    rule: str | None = Field(default=None, max_length=40)
    idem_key: str | None = Field(default=None, max_length=120, unique=True)
    """Rule + object + period: generating twice creates nothing new."""
    snoozed_until: datetime | None = None
    note: str | None = None
    complaint_id: int | None = Field(default=None, foreign_key="complaint.id")
    created_at: datetime
    closed_at: datetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="staff.id")
    version: int = Field(default=1)
    deadline_at: datetime | None = None
    """The last moment the work keeps its rule: past it the task is overdue (逾期). ``None``:
    overdue once the due day has passed. A contact task is due at the cadence's ideal day and
    has its deadline at the maximum (:mod:`cmworkbench.domain.standing`)."""
    origin_task_id: int | None = Field(default=None, foreign_key="task.id")
    """For a call-back: the task whose call the customer asked to continue at a time."""
    lead_id: int | None = Field(default=None, foreign_key="lead.id")
    """A first contact with a prospect (``first_contact``): the lead it is owed to, while it
    is no customer yet (``customer_id`` is set when the lead merges into one)."""


class Lead(SQLModel, table=True):
    """A prospect who is not a customer yet (no customer number): referred by a colleague,
    walked in, met at an event. It waits in the branch pool (no owner) until allocated, and
    merges into a customer when one with its ID number or phone exists or arrives: its
    contacts become the customer's (:mod:`cmworkbench.services.pipeline.leads`)."""

    __tablename__ = "lead"
    __table_args__ = (
        Index("ix_lead_phone", "phone"),
        Index("ix_lead_id_number", "id_number"),
        Index("ix_lead_owner_status", "owner_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    """Normalised (digits, mobile numbers without +86): what a customer's phone is matched on."""
    id_number: str | None = Field(default=None, max_length=18)
    need: str | None = Field(default=None, max_length=500)
    product: str | None = Field(default=None, max_length=16)
    """The product category of interest (``[referrals] products``)."""
    source: str = Field(max_length=16)
    """``referral``, ``walk_in``, ``event``, ``import``."""
    referrer_id: int | None = Field(default=None, foreign_key="staff.id")
    owner_id: int | None = Field(default=None, foreign_key="staff.id")
    """The manager working it; ``None``: waiting in the branch pool."""
    status: str = Field(default="open", max_length=10)
    """``open``, ``merged`` (into ``customer_id``) or ``dropped`` (with a reason)."""
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    """The customer it merged into."""
    match_customer_id: int | None = Field(default=None, foreign_key="customer.id")
    """A customer with its phone but another name: shown to the manager, merged only when
    they confirm it."""
    created_at: datetime
    allocated_at: datetime | None = None
    closed_at: datetime | None = None
    drop_reason: str | None = Field(default=None, max_length=200)
    version: int = Field(default=1)


class LeadContact(SQLModel, table=True):
    """A contact with a lead before it is a customer; on the merge it becomes the customer's
    logged contact (``interaction_id``)."""

    __tablename__ = "lead_contact"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    staff_id: int = Field(foreign_key="staff.id")
    at: datetime
    kind: str = Field(max_length=10)
    """``call`` or ``visit``."""
    outcome: str = Field(max_length=32)
    note: str | None = Field(default=None, max_length=500)
    interaction_id: int | None = Field(default=None, foreign_key="interaction.id")


class Referral(SQLModel, table=True):
    """A customer or a prospect handed to a manager by a colleague (a teller, lobby staff, another
    manager) for a need and a product category; it converts when a product of that category
    opens for the customer within ``[referrals] window_days`` (or it is marked won), or is
    marked lost with a reason."""

    __tablename__ = "referral"
    __table_args__ = (
        Index("ix_referral_referrer_at", "referrer_id", "at"),
        Index("ix_referral_to_status", "to_id", "status"),
        Index("ix_referral_customer_status", "customer_id", "status"),
        Index("ix_referral_lead", "lead_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    referrer_id: int = Field(foreign_key="staff.id")
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    """The customer referred (a lead's, once it merges)."""
    lead_id: int | None = Field(default=None, foreign_key="lead.id")
    """The prospect referred, when they were no customer."""
    need: str = Field(max_length=500)
    product: str = Field(max_length=16)
    to_id: int | None = Field(default=None, foreign_key="staff.id")
    """The manager it went to (the customer's owner, the lead's when allocated); ``None``:
    waiting in the branch pool."""
    received_at: datetime | None = None
    """When it reached that manager: the first-contact clock starts here."""
    contact_due: datetime | None = None
    """The first-contact deadline (``[promises.first_contact]`` from ``received_at``)."""
    contacted_at: datetime | None = None
    """The manager's first contact with the customer or lead (reached) after it came."""
    window_ends: date
    """The last day a product opened converts it (``at`` + ``[referrals] window_days``)."""
    status: str = Field(default="open", max_length=10)
    """``open``, ``converted`` or ``lost``."""
    outcome_at: datetime | None = None
    outcome_by_id: int | None = Field(default=None, foreign_key="staff.id")
    """Who marked the outcome (``None``: a holding opened, found by the workbench)."""
    holding_id: int | None = Field(default=None, foreign_key="holding.id")
    """The product whose opening converted it."""
    lost_reason: str | None = Field(default=None, max_length=200)
    task_id: int | None = Field(default=None, foreign_key="task.id")
    """The first-contact task on the manager's Today."""
    version: int = Field(default=1)


class Opportunity(SQLModel, table=True):
    """A chance of business with a customer or a lead (商机), moved through the steps of the
    big-customer pipeline (``[pipeline] stages``) by its owner, until won or lost
    (:mod:`cmworkbench.services.pipeline.opportunities`)."""

    __tablename__ = "opportunity"
    __table_args__ = (
        Index("ix_opportunity_owner_status", "owner_id", "status", "stage"),
        Index("ix_opportunity_customer_status", "customer_id", "status"),
        Index("ix_opportunity_proposal", "proposal"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    lead_id: int | None = Field(default=None, foreign_key="lead.id")
    """The prospect it is with, while they are no customer (``customer_id`` set on the merge)."""
    referral_id: int | None = Field(default=None, foreign_key="referral.id")
    """The referral it came from: winning it converts the referral."""
    product: str = Field(max_length=16)
    """The product category (``[referrals] products``)."""
    need: str = Field(max_length=500)
    value_yuan: int = Field(sa_type=MONEY)
    """Expected value, whole yuan."""
    expected_close: date
    stage: str = Field(max_length=24)
    stage_since: datetime
    owner_id: int = Field(foreign_key="staff.id")
    next_step: str | None = Field(default=None, max_length=200)
    next_due: datetime | None = None
    status: str = Field(default="open", max_length=10)
    """``open``, ``won`` or ``lost``."""
    closed_at: datetime | None = None
    close_reason: str | None = Field(default=None, max_length=200)
    cost_yuan: int | None = Field(default=None, sa_type=MONEY)
    """The proposal's cost, whole yuan (asked when it enters the proposal step)."""
    return_yuan: int | None = Field(default=None, sa_type=MONEY)
    """The proposal's expected return, whole yuan."""
    proposal: str | None = Field(default=None, max_length=10)
    """``None`` (no proposal yet), ``clear`` (return at or above the ratio), ``waiting`` (for
    the supervisor), ``approved`` or ``returned`` (with ``proposal_comment``)."""
    proposal_comment: str | None = Field(default=None, max_length=500)
    proposal_at: datetime | None = None
    """When the proposal was made (sent for approval)."""
    decided_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    last_step_at: datetime
    """The last step taken (made, moved, a next step, a proposal): quiet past ``[pipeline]
    stale_days`` it returns to the owner's Today."""
    created_at: datetime
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    version: int = Field(default=1)


class OpportunityEvent(SQLModel, table=True):
    """One entry in an opportunity's history: made, moved (from → to), next step, proposal
    sent, approved, returned, won, lost."""

    __tablename__ = "opportunity_event"
    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: int = Field(foreign_key="opportunity.id", index=True)
    at: datetime = Field(index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=16)
    from_stage: str | None = Field(default=None, max_length=24)
    to_stage: str | None = Field(default=None, max_length=24)
    note: str | None = Field(default=None, max_length=500)


class ReportSnapshot(SQLModel, table=True):
    """The report's sums per owner for one period, as of one instant, taken by the scheduler
    (:mod:`cmworkbench.services.reports.snapshot`): the Dashboard of a large branch reads
    them instead of every customer, task and holding. ``key`` names the configuration and
    the customers' and tasks' owners the sums were taken with: a handover or a changed rule
    makes them unusable at once."""

    __tablename__ = "report_snapshot"
    __table_args__ = (
        Index("ix_report_snapshot_period", "branch_id", "period_start", "period_end"),
    )
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id")
    period_start: date
    period_end: date
    as_of: datetime
    key: str = Field(max_length=64)
    sums: str
    """JSON: figure → ``[[owner id, breakdown, Σ num, Σ den, oldest], …]``."""
    totals: str
    """JSON: the branch's owners, and figure → breakdown → ``[Σ num, Σ den, oldest]`` over
    them all (a branch-wide report reads this only)."""


class Goal(SQLModel, table=True):
    """A sales goal (销售目标): how much of a measure (``[goals] measures``: new customers,
    deposit growth in yuan, products opened, opportunities won …) the branch, a team or a
    manager is to reach in a year, a month or a week. The year's branch goal is set; the rest
    is its breakdown, whose parts always sum to their whole
    (:mod:`cmworkbench.services.goals`). Not the Dashboard's rate ``[targets]``."""

    __tablename__ = "goal"
    __table_args__ = (
        UniqueConstraint("measure", "period", "holder", name="uq_goal_measure_period_holder"),
        Index("ix_goal_period", "period", "measure"),
    )
    id: int | None = Field(default=None, primary_key=True)
    measure: str = Field(max_length=40)
    period: str = Field(max_length=12)
    """``2026`` (the year), ``2026-12`` (a month) or ``2026-12-W49`` (the part of ISO week 49
    in December: a week across two months has a part in each, so the weeks of a month sum to
    it; :func:`cmworkbench.domain.goals.month_weeks`)."""
    holder: str = Field(max_length=24)
    """Whose goal: ``branch:<id>``, ``team:<id>`` or ``staff:<id>``."""
    branch_id: int = Field(foreign_key="branch.id")
    team_id: int | None = Field(default=None, foreign_key="team.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    amount: int = Field(sa_type=MONEY)
    """Whole units of the measure (customers, yuan, products …)."""
    rule: str = Field(max_length=12)
    """How it was reached: ``set`` (the year's, by hand), ``even``, ``book``, ``last_year``
    (a breakdown rule) or ``manual`` (adjusted by hand; its siblings took up the difference)."""
    updated_by_id: int | None = Field(default=None, foreign_key="staff.id")
    updated_at: datetime
    version: int = Field(default=1)


class CreditFile(SQLModel, table=True):
    """A loan's credit file (信贷档案): the investigation's checklist (``[credit] items``), the
    borrower's figures, guarantors and collateral, signed by the manager (submitted) and then
    the risk manager (approved: 双签), and the post-loan checks scheduled from the approval
    (:mod:`cmworkbench.services.credit`). An approved file is read-only: a change is a new
    version (``file_version`` + 1, ``previous_id``) that needs both signatures again."""

    __tablename__ = "credit_file"
    __table_args__ = (
        Index("ix_credit_file_customer", "customer_id", "state"),
        Index("ix_credit_file_risk", "risk_manager_id", "state"),
        Index("ix_credit_file_owner", "owner_id", "state"),
        Index("ix_credit_file_holding", "holding_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    holding_id: int | None = Field(default=None, foreign_key="holding.id")
    """The loan held, for a file on an existing loan; ``None`` for an application."""
    product: str = Field(max_length=100)
    amount_yuan: int = Field(sa_type=MONEY)
    term_months: int
    purpose: str = Field(max_length=200)
    """The loan's stated purpose (贷款用途), checked by the ``loan_purpose`` item."""
    risk_grade: str = Field(max_length=16)
    """A key of ``[credit] check_months``: how often the post-loan checks come."""
    total_assets_yuan: int | None = Field(default=None, sa_type=MONEY)
    total_liabilities_yuan: int | None = Field(default=None, sa_type=MONEY)
    """Net assets are total assets minus total liabilities (bank marketing source)."""
    monthly_sales_yuan: int | None = Field(default=None, sa_type=MONEY)
    settlement: str | None = Field(default=None, max_length=200)
    """How sales are settled (结算方式)."""
    collection: str | None = Field(default=None, max_length=200)
    """How sales are collected (回款方式)."""
    collateral: str | None = Field(default=None, max_length=200)
    collateral_value_yuan: int | None = Field(default=None, sa_type=MONEY)
    state: str = Field(default="draft", max_length=12)
    """``draft``, ``submitted`` (signed by the manager, waiting for the risk manager),
    ``returned`` (with ``return_comment``), ``approved`` (both signatures) or ``superseded``
    (a later version was approved)."""
    file_version: int = Field(default=1)
    previous_id: int | None = Field(default=None, foreign_key="credit_file.id")
    schedule_from: date | None = None
    """The day the loan's first version was approved: the post-loan checks count from it."""
    owner_id: int = Field(foreign_key="staff.id")
    risk_manager_id: int | None = Field(default=None, foreign_key="staff.id")
    """The risk manager it was submitted to (the only one who sees and signs it)."""
    submitted_at: datetime | None = None
    submitted_by_id: int | None = Field(default=None, foreign_key="staff.id")
    """The first signature (the manager's)."""
    signed_at: datetime | None = None
    """The second signature (the risk manager's): the file is approved."""
    returned_at: datetime | None = None
    return_comment: str | None = Field(default=None, max_length=500)
    created_at: datetime
    updated_at: datetime
    version: int = Field(default=1)


class CreditItem(SQLModel, table=True):
    """One investigation item of a credit file (``[credit] items``): who checked it and when,
    what they found, pass or concern (a concern needs a note), and the document it rests on."""

    __tablename__ = "credit_item"
    __table_args__ = (PrimaryKeyConstraint("file_id", "item"),)
    file_id: int = Field(foreign_key="credit_file.id")
    item: str = Field(max_length=24)
    result: str | None = Field(default=None, max_length=8)
    """``None`` (open), ``pass`` or ``concern``."""
    finding: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=500)
    document_ref: str | None = Field(default=None, max_length=100)
    checked_by_id: int | None = Field(default=None, foreign_key="staff.id")
    checked_at: datetime | None = None


class CreditGuarantor(SQLModel, table=True):
    """A guarantor of a credit file with their net assets: together at least ``[credit]
    guarantor_coverage`` × the loan (2×, bank marketing source)."""

    __tablename__ = "credit_guarantor"
    id: int | None = Field(default=None, primary_key=True)
    file_id: int = Field(foreign_key="credit_file.id", index=True)
    name: str = Field(max_length=100)
    id_no: str | None = Field(default=None, max_length=18)
    relation: str | None = Field(default=None, max_length=40)
    net_assets_yuan: int = Field(sa_type=MONEY)
    added_by_id: int | None = Field(default=None, foreign_key="staff.id")
    added_at: datetime


class CreditEvent(SQLModel, table=True):
    """One entry in a credit file's history: made, checked, guarantor, figures, submitted,
    signed, returned, revised (each also audited)."""

    __tablename__ = "credit_event"
    id: int | None = Field(default=None, primary_key=True)
    file_id: int = Field(foreign_key="credit_file.id", index=True)
    at: datetime
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=500)


class PostLoanCheck(SQLModel, table=True):
    """A post-loan check (贷后检查) of an approved credit file, due on a working day counted from
    the approval by ``[credit]`` rule; done by a held visit for it, with its findings. The next
    one is scheduled when it is done."""

    __tablename__ = "post_loan_check"
    __table_args__ = (
        UniqueConstraint("file_id", "seq", name="uq_post_loan_check_seq"),
        Index("ix_post_loan_check_due", "done_at", "due_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    file_id: int = Field(foreign_key="credit_file.id")
    seq: int
    planned_on: date
    """The date the rule gives (the next is counted from it, so a holiday does not push the
    later checks)."""
    due_on: date
    """``planned_on`` or, when that is not a working day, the next working day."""
    done_at: datetime | None = None
    done_by_id: int | None = Field(default=None, foreign_key="staff.id")
    interaction_id: int | None = Field(default=None, foreign_key="interaction.id")
    findings: str | None = Field(default=None, max_length=2000)
    escalated_at: datetime | None = None
    """When its lateness reached the supervisor and the risk manager (once)."""


class InteractionPurpose(SQLModel, table=True):
    """What a logged contact was for: one row per task kind it served (and the task, when it
    was logged from one or ticked in the outcome dialog)."""

    __tablename__ = "interaction_purpose"
    __table_args__ = (
        PrimaryKeyConstraint("interaction_id", "task_kind"),
        Index("ix_interaction_purpose_kind", "task_kind", "interaction_id"),
    )
    interaction_id: int = Field(foreign_key="interaction.id")
    task_kind: str = Field(max_length=24)
    task_id: int | None = Field(default=None, foreign_key="task.id")


class DayPlan(SQLModel, table=True):
    """A person's plan for one day: made when Today is first opened that day, with the
    capacity it was fitted to."""

    __tablename__ = "day_plan"
    __table_args__ = (PrimaryKeyConstraint("staff_id", "day"),)
    staff_id: int = Field(foreign_key="staff.id")
    day: date
    made_at: datetime
    calls: int
    meetings: int


class DayPlanItem(SQLModel, table=True):
    """One task in a day's plan, in its fixed position (``pulled``: taken from the backlog by
    hand after the plan was made)."""

    __tablename__ = "day_plan_item"
    __table_args__ = (
        PrimaryKeyConstraint("staff_id", "day", "task_id"),
        ForeignKeyConstraint(["staff_id", "day"], ["day_plan.staff_id", "day_plan.day"]),
    )
    staff_id: int
    day: date
    task_id: int = Field(foreign_key="task.id")
    position: int
    pulled: bool = False


class VisitPlan(SQLModel, table=True):
    """A manager's weekly visit plan (客户拜访计划表), approved by the supervisor."""

    __tablename__ = "visit_plan"
    __table_args__ = (UniqueConstraint("owner_id", "week"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="staff.id")
    week: str = Field(max_length=8)
    """ISO week, ``2026-W48``."""
    status: str = Field(default="draft", max_length=10)
    """``draft``, ``submitted``, ``approved``, ``returned``."""
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    comment: str | None = None
    approved_snapshot: str | None = None
    """JSON of the items as approved, to show the difference when changed afterwards."""
    version: int = Field(default=1)


class VisitPlanItem(SQLModel, table=True):
    """One planned visit in a weekly plan."""

    __tablename__ = "visit_plan_item"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="visit_plan.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    starts_at: datetime
    ends_at: datetime
    purpose: str = Field(max_length=32)
    checklist: str | None = None
    status: str = Field(default="planned", max_length=12)
    """``planned``, ``done``, ``cancelled``, ``rescheduled``, ``incident``."""
    interaction_id: int | None = Field(default=None, foreign_key="interaction.id")


class OnsiteDay(SQLModel, table=True):
    """An on-site service day (驻点) at a group customer."""

    __tablename__ = "onsite_day"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    day: date
    place: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    consultations_personal: int = 0
    consultations_group: int = 0
    transactions_personal: int = 0
    transactions_group: int = 0
    note: str | None = None


class Complaint(SQLModel, table=True):
    """A complaint ticket (投诉); whoever receives it owns it (首问负责)."""

    __tablename__ = "complaint"
    __table_args__ = (
        Index("ix_complaint_owner_status", "owner_id", "status"),
        Index("ix_complaint_customer", "customer_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ticket_no: str = Field(max_length=32, unique=True)
    customer_id: int = Field(foreign_key="customer.id")
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    channel: str = Field(max_length=16)
    """``phone``, ``visit``, ``counter``, ``online``, ``letter``, ``hotline``."""
    category: str = Field(max_length=12)
    """``fee`` (资费类), ``service`` (服务类), ``business`` (业务类)."""
    kind: str = Field(default="normal", max_length=12)
    """``normal``, ``difficult`` (疑难), ``escalated`` (升级), ``over_level`` (越级)."""
    severity: str = Field(default="normal", max_length=8)
    """``normal`` or ``major`` (重大)."""
    description: str
    owner_id: int = Field(foreign_key="staff.id")
    received_by_id: int = Field(foreign_key="staff.id")
    status: str = Field(default="received", max_length=20)
    """received, in_progress, waiting_customer, waiting_backoffice, resolved,
    return_call_done, closed."""
    triage: str | None = Field(default=None, max_length=10)
    """``now``, ``shortly``, ``cannot_now``."""
    resolution: str | None = None
    rejected_solution: bool = False
    received_at: datetime
    first_response_due: datetime | None = None
    resolution_due: datetime | None = None
    return_call_due: datetime | None = None
    backoffice_due: datetime | None = None
    backoffice_to: str | None = Field(default=None, max_length=64)
    """Who in the back office has the hand-off (the owner stays the owner)."""
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    return_call_at: datetime | None = None
    return_call_result: str | None = None
    satisfaction: int | None = None
    """1 (very dissatisfied) … 5 (very satisfied)."""
    satisfaction_answer: str | None = Field(default=None, max_length=20)
    """The answer as the customer gave it (满意, satisfied, 4): the score is read from it."""
    satisfaction_old_scale: bool = False
    """Recorded before the sources' scale (满意 was 5): kept as it was, counted apart."""
    paused_seconds: int = 0
    """Business time spent waiting for the customer: the SLA clock does not run."""
    paused_since: datetime | None = None
    breached: bool = False
    closed_at: datetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="staff.id")
    reopen_count: int = 0
    """Times reopened: each reopening starts a new resolution clock (a new SLA round)."""
    clock_started_at: datetime | None = None
    """Start of the current resolution clock: ``received_at`` until the ticket is reopened."""
    version: int = Field(default=1)


class ComplaintEvent(SQLModel, table=True):
    """One entry in a complaint's history: who did what, when."""

    __tablename__ = "complaint_event"
    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    at: datetime
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=24)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    note: str | None = None


class Notification(SQLModel, table=True):
    """A message to one staff member (reminder, SLA warning, escalation, approval)."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_recipient", "recipient_id", "read_at"),
        Index("ix_notification_recipient_id", "recipient_id", "id"),
        # what the sweeps told already about the records they read (migration 0016)
        Index("ix_notification_object", "object_type", "object_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(foreign_key="staff.id")
    kind: str = Field(max_length=24)
    title: str = Field(max_length=200)
    body: str | None = None
    object_type: str | None = Field(default=None, max_length=16)
    object_id: int | None = None
    idem_key: str = Field(max_length=160, unique=True)
    """Rule + object + threshold + recipient: a retried job never duplicates."""
    created_at: datetime
    read_at: datetime | None = None


class Promise(SQLModel, table=True):
    """A promise with a clock (承诺): something a manager owes a customer by a deadline on the
    branch calendar, tracked like a complaint SLA (DESIGN.md; ``[promises.*]``)."""

    __tablename__ = "promise"
    __table_args__ = (
        # the sweep and the lists: open promises by deadline, a person's by deadline
        # the sweep reads only the promises with a step due (migration 0016)
        Index("ix_promise_next_step", "next_step_at"),
        Index("ix_promise_owner_state", "owner_id", "state", "due_at"),
        Index("ix_promise_customer_state", "customer_id", "state"),
        Index("ix_promise_complaint", "complaint_id"),
        Index("ix_promise_opportunity", "opportunity_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    owner_id: int = Field(foreign_key="staff.id")
    """Who owes it: whoever made it (首问负责), or the owner of the record it belongs to."""
    made_by_id: int | None = Field(default=None, foreign_key="staff.id")
    """Who recorded it (``None``: the workbench itself, e.g. a new customer's file)."""
    kind: str = Field(max_length=32)
    """The rule's name in ``[promises.*]``: ``callback_same_day``, ``complaint_feedback`` …"""
    what: str = Field(max_length=500)
    """What was promised, in the words of whoever made it."""
    channel: str | None = Field(default=None, max_length=10)
    """For an incoming contact: ``call`` or ``message`` (the customer called or wrote)."""
    made_at: datetime
    due_at: datetime
    clock_start: datetime
    """The clock its warnings run on (:func:`cmworkbench.domain.sla.promise_clock`)."""
    clock_seconds: int
    clock_business: bool
    next_step_at: datetime | None = None
    """When its next warning, escalation or the deadline falls (``None``: none left, or no
    longer owed): the sweep reads only the promises whose moment has come."""
    state: str = Field(default="open", max_length=10)
    """``open``, ``kept`` (done by the deadline), ``broken`` (the deadline passed first; still
    owed until ``done_at``) or ``cancelled`` (with a reason)."""
    done_at: datetime | None = None
    """When the promised thing was done (by the deadline: kept; after it: broken, done late),
    or cancelled."""
    closed_by_id: int | None = Field(default=None, foreign_key="staff.id")
    cancel_reason: str | None = Field(default=None, max_length=200)
    complaint_id: int | None = Field(default=None, foreign_key="complaint.id")
    holding_id: int | None = Field(default=None, foreign_key="holding.id")
    interaction_id: int | None = Field(default=None, foreign_key="interaction.id")
    """The contact it came from (a negotiation round)."""
    opportunity_id: int | None = Field(default=None, foreign_key="opportunity.id")
    """The opportunity a negotiation round was about: its breach shows on the opportunity."""
    done_interaction_id: int | None = Field(default=None, foreign_key="interaction.id")
    """The logged contact that kept it (the reply, the feedback)."""
    idem_key: str | None = Field(default=None, max_length=120, unique=True)
    """For the promises the workbench opens itself: made twice, stored once."""
    version: int = Field(default=1)


class PromiseEvent(SQLModel, table=True):
    """One entry in a promise's history: made, warned, escalated, broken, kept, cancelled."""

    __tablename__ = "promise_event"
    id: int | None = Field(default=None, primary_key=True)
    promise_id: int = Field(foreign_key="promise.id", index=True)
    at: datetime
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=500)


class CalendarYear(SQLModel, table=True):
    """A year's official holidays and make-up working days (调休) entered by the admin
    (``cmw calendar set``): they win over the ``chinese-calendar`` package's."""

    __tablename__ = "calendar_year"
    year: int = Field(primary_key=True)
    holidays: str
    """The public holidays, ISO dates separated by commas."""
    workdays: str
    """The make-up working days (a weekend day worked), ISO dates separated by commas."""
    set_at: datetime
    set_by_id: int | None = Field(default=None, foreign_key="staff.id")


class AuditLog(SQLModel, table=True):
    """Who did what to which record, and every reveal of masked data. Append-only."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_customer_at", "customer_id", "at"),
        Index("ix_audit_staff_at", "staff_id", "at"),
        Index("ix_audit_recorded_at", "recorded_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    """The business time (``clock.now()``: ``--now`` may set it)."""
    recorded_at: datetime | None = None
    """The real time the row was written (``clock.wall_now()``; nothing sets it): what ``cmw
    audit --since`` filters on. Rows from before revision 0007 hold their ``at``."""
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=32)
    object_type: str = Field(max_length=24)
    object_id: int | None = None
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    field_name: str | None = Field(default=None, max_length=40)
    detail: str | None = None


class WorkLog(SQLModel, table=True):
    """A staff member's daily work log (工作日志)."""

    __tablename__ = "work_log"
    __table_args__ = (UniqueConstraint("staff_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    day: date
    content: str = ""
    submitted_at: datetime | None = None
    version: int = Field(default=1)


class MarketReport(SQLModel, table=True):
    """A staff member's monthly competitor/market intelligence report (市场信息报告)."""

    __tablename__ = "market_report"
    __table_args__ = (UniqueConstraint("author_id", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="staff.id")
    month: str = Field(max_length=7)
    """The month it reports on, ``YYYY-MM``."""
    content: str
    submitted_at: datetime
    """First submitted (on time or late is judged on it)."""
    updated_at: datetime
    acknowledged_by_id: int | None = Field(default=None, foreign_key="staff.id")
    acknowledged_at: datetime | None = None
    version: int = Field(default=1)


class MarketReportGroup(SQLModel, table=True):
    """A group customer a market report concerns."""

    __tablename__ = "market_report_group"
    report_id: int = Field(foreign_key="market_report.id", primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", primary_key=True)


class SchedulerLease(SQLModel, table=True):
    """The lease that makes one process the scheduler leader, so jobs never run twice."""

    __tablename__ = "scheduler_lease"
    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=120)
    acquired_at: datetime
    expires_at: datetime


class JobRun(SQLModel, table=True):
    """One run of a scheduled job for one slot (``2026-11-23`` for a daily job, the minute
    for a job every minute): the unique slot makes each run happen once, whichever process
    leads, and ``cmw jobs`` shows the last runs."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job_id", "slot"),)
    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=40)
    slot: str = Field(max_length=32)
    holder: str = Field(max_length=120)
    started_at: datetime
    finished_at: datetime | None = None
    outcome: str = Field(default="running", max_length=12)
    """``running``, ``done``, ``skipped`` (not a working day) or ``failed``."""
    detail: str | None = None


class AppState(SQLModel, table=True):
    """Per-user state kept across restarts: last screen, filters, drafts being typed."""

    __tablename__ = "app_state"
    __table_args__ = (UniqueConstraint("staff_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    key: str = Field(max_length=64)
    value: str
    updated_at: datetime


class ScoreDay(SQLModel, table=True):
    """A day every open task's ``priority`` was scored for (:mod:`cmworkbench.db.scoring`):
    the daily generation records it; a day without a row is scored at the first look."""

    __tablename__ = "score_day"
    day: date = Field(primary_key=True)
    scored_at: datetime


class SearchTerm(SQLModel, table=True):
    """One term of the customer search index (see :mod:`cmworkbench.domain.search_terms`).

    A query is a range scan on (owner, term prefix): the owner leads the key, so a manager's
    search reads their own book's terms only, not the branch's. Backup, class rank and
    recency are copied in, so scope and ranking need no join; the rows of a customer are
    rewritten whenever it (or one of its contacts) changes. Without a rowid on SQLite: the
    primary key B-tree is the table, which halves its size.
    """

    __tablename__ = "search_term"
    __table_args__ = (
        # On PostgreSQL the key carries the ranking columns, so a look-up is an index-only
        # scan (migration 0006); on SQLite the key B-tree is the whole row already.
        PrimaryKeyConstraint(
            "owner_id", "term", "kind", "customer_id", postgresql_include=["cls_rank", "recency"]
        ),
        Index("ix_search_term_customer", "customer_id"),
        {"sqlite_with_rowid": False},
    )
    owner_id: int = Field(default=0, primary_key=True)
    """The customer's owner (0 for a customer nobody owns yet)."""
    term: str = Field(primary_key=True, max_length=200)
    kind: int = Field(primary_key=True)
    customer_id: int = Field(primary_key=True, foreign_key="customer.id", ondelete="CASCADE")
    backup_id: int | None = None
    cls_rank: int = 5
    recency: int = 0
    """Seconds since 1970 of the customer's last change: newer first among equals."""


class SearchDirty(SQLModel, table=True):
    """Customers whose index rows are stale; filled by triggers, drained at commit."""

    __tablename__ = "search_dirty"
    customer_id: int = Field(primary_key=True)
    terms: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    """Whether a term's source changed (name, kind, numbers, key persons); false: only what
    the index copies (owner, backup, class, recency), updated in place (migration 0024)."""
