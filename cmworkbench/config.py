"""``config.toml`` → typed settings.

The dataclasses below are the single source of every default; ``config.toml`` at the root of
the repository documents them and a test keeps the two equal. A branch overrides what it needs
in its own file (``--config PATH``, ``CMW_CONFIG``, or ``/etc/cmworkbench/config.toml``);
anything it leaves out keeps the default.

Every value is checked on load. A mistake is reported as one line that names the key, e.g.
``config.toml: calendar.timezone: unknown timezone 'Asia/Shanghi'``.

Environment overrides (prefix ``CMW_``): ``CMW_DATABASE_URL``, ``CMW_LANGUAGE``.
"""

from __future__ import annotations

import os
import re
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = ("zh_CN", "en")
ROLES = (
    "manager",
    "phone_manager",
    "supervisor",
    "branch_head",
    "admin",
    "referrer",
    "risk_manager",
)
GROUP_CLASSES = ("A1", "A2", "B1", "B2", "C")
TIERS = ("diamond", "gold", "mid_high", "mass")
POOL_KEEPERS = ("branch_head", "area_supervisor")
SYSTEM_CONFIG = Path("/etc/cmworkbench/config.toml")


class ConfigError(ValueError):
    """A config file that cannot be read or holds a wrong value; the message is one line."""


@dataclass(frozen=True)
class GeneralSettings:
    """Who we are and where the data lives."""

    language: str = "zh_CN"
    """User-interface language: ``zh_CN`` or ``en``."""
    branch_name: str = "示例支行"
    """Name of the branch, shown in the header and on reports."""
    database_url: str = ""
    """Any SQLAlchemy URL (e.g. ``postgresql+psycopg://…``). Empty: SQLite at ``database_path``."""
    database_path: str = "~/.local/share/cmworkbench/cmworkbench.db"
    """SQLite file used when ``database_url`` is empty. ``~`` is the service account's home."""


@dataclass(frozen=True)
class CalendarSettings:
    """The branch's working time; every "working day" and business-hours SLA clock uses it."""

    timezone: str = "Asia/Shanghai"
    """IANA timezone of the branch."""
    hours: list[str] = field(default_factory=lambda: ["08:30-12:00", "13:30-17:30"])
    """Business hours on a working day, as ``HH:MM-HH:MM`` ranges in order."""
    source: str = "official-cn"
    """Public holidays and make-up working days (调休): ``official-cn`` or ``none``."""
    extra_holidays: list[date] = field(default_factory=list)
    """Branch-specific closures (dates)."""
    extra_workdays: list[date] = field(default_factory=list)
    """Branch-specific extra working days (dates)."""


@dataclass(frozen=True)
class CadenceRule:
    """Contact cadence: days since the last *logged* call or visit."""

    ideal_days: int = 30
    """Due once this many days have passed since the last logged contact."""
    max_days: int = 30
    """Overdue once this many days have passed."""
    channels: list[str] = field(default_factory=lambda: ["visit", "call"])
    """Interaction kinds that count as contact: ``visit``, ``call``, ``sms``, ``onsite``."""


@dataclass(frozen=True)
class FreshnessRule:
    """Basic data re-verification (信息更新)."""

    max_days: int = 30
    """Days after which a customer's basic data must be re-verified."""


@dataclass(frozen=True)
class SlaRule:
    """Complaint targets for one severity or customer group."""

    first_response: str = "4h business"
    """Time to first contact with the customer: ``<n>h|m business`` or ``<n>h|m calendar``."""
    resolution: str = "5d business"
    """Time to resolve and reply."""
    return_call: str = "month"
    """Return call (回访) after resolution: ``month`` = within the same calendar month, or a
    duration like the targets above."""
    warn_at: list[float] = field(default_factory=lambda: [0.5, 0.8])
    """Fractions of a target at which the owner is warned."""
    escalate: list[str] = field(default_factory=lambda: ["owner@0.5", "supervisor@1.0"])
    """Who is told when: ``role@fraction`` or ``role@fraction+<n>h``."""


@dataclass(frozen=True)
class PromiseRule:
    """A kind of promise (承诺) a manager owes a customer: when it falls due, who is warned and
    told when (DESIGN.md, "Promises with a clock"; the complaint SLA's steps)."""

    due: str = "same day"
    """``same day`` (the close of business; made after it, the next working day's close),
    ``<n> workdays`` (the close of business on the ``n``-th working day after the day made),
    ``<n> workdays before`` (before a date the promise names: the promised activation) or a
    duration like ``2h calendar`` / ``4h business``."""
    warn_at: list[float] = field(default_factory=lambda: [0.5])
    """Fractions of the time to the deadline at which the owner is warned."""
    escalate: list[str] = field(default_factory=list)
    """Who is told when: ``role@fraction`` or ``role@fraction+<n>h`` (the owner is always told
    when the promise is broken)."""


COMPLIANCE_RULES = (
    "id_number_valid", "phone_valid", "grade_may_own", "key_person_role", "backup_in_team",
    "verified_fresh",
)  # fmt: skip
"""The rules a compliance check may apply (``[data_quality.checks]``; what each tests:
:mod:`cmworkbench.db.file_checks`)."""


@dataclass(frozen=True)
class DataQualitySettings:
    """What a customer file must hold (the new-customer-file promise; the data-quality
    figures)."""

    required: dict[str, list[str]] = field(
        default_factory=lambda: {
            "individual": ["name", "phone", "id_number", "address"],
            "group": ["name", "phone", "industry", "address", "area"],
        }
    )
    """Customer kind (``individual``, ``group``), or kind and class (``group.A1``: replaces
    the kind's list for that class) → the customer fields that must be filled. The defaults
    are fields a manager can fill on the 360 view (``e``); others come by import only."""
    checks: dict[str, str] = field(
        default_factory=lambda: {rule: rule for rule in COMPLIANCE_RULES}
    )
    """The compliance checks (合规): a name (shown in the drill-down; a name equal to its rule
    is shown in the user's language) → its rule, one of :data:`COMPLIANCE_RULES`. A customer
    is compliant when it passes every check; a table given in config replaces this set."""
    authoritative: list[str] = field(default_factory=list)
    """Import sources (``cmw import --source NAME``) whose values are the truth, e.g. the core
    banking system's customer master (``core``): an import of customers from one of them
    counts as a verification of each field of the file it carries (accuracy), a value it
    changes as a correction. Other imports only update the data."""


@dataclass(frozen=True)
class PrivacySettings:
    """Masking, reveal and the idle lock."""

    idle_lock_minutes: int = 5
    """Minutes without a key press before the screen locks itself (0 = never)."""
    reveal_roles: list[str] = field(
        default_factory=lambda: ["manager", "phone_manager", "supervisor", "branch_head"]
    )
    """Roles that may reveal a masked phone or ID number (each reveal is audited)."""
    export_unmasked_roles: list[str] = field(default_factory=lambda: ["branch_head"])
    """Roles that may export phone and ID numbers unmasked (``cmw export --unmasked``); the
    service account (IT on the server) may too. Each such export is audited as a reveal."""


@dataclass(frozen=True)
class TaskRules:
    """The daily task generation: lead times and thresholds of the non-cadence rules."""

    care_lead_days: int = 3
    """Birthdays of key persons and individual customers, and festivals: a care task (关怀)
    appears this many days before."""
    festivals: list[str] = field(
        default_factory=lambda: [
            "2026-09-25 中秋节",
            "2026-10-01 国庆节",
            "2027-01-01 元旦",
            "2027-02-06 春节",
        ]
    )
    """Festival dates as ``YYYY-MM-DD 名称``: a care task for A/B-class and VIP customers."""
    after_sale_start_days: int = 7
    """After-sale return visit (售后回访): the task appears this many days after activation."""
    after_sale_months: int = 2
    """... and is due by this many months after activation (100% within 2 months, handbook)."""
    maturity_lead_days: int = 30
    maturity_due_days: int = 7
    """The maturity call is due this many days before the maturity day (overdue after it)."""
    """A holding maturing within this many days gets a maturity contact task."""
    post_loan_lead_days: int = 7
    """A post-loan check (贷后检查) due within this many days gets a task."""
    churn_asset_drop: float = 0.3
    """A month-on-month drop of assets or revenue above this fraction opens a retention task."""
    churn_member_drop: float = 0.2
    """A group's members (集团成员数) dropping by more than this fraction between two imports
    (members leaving in bulk) opens a retention task."""
    retention_inform_classes: list[str] = field(default_factory=lambda: ["A1", "A2", "B1", "B2"])
    """Classes whose retention tasks reach the owner's supervisor at once (the sources: losses
    of A/B customers are reported to the leader)."""


@dataclass(frozen=True)
class VisitSettings:
    """Weekly visit plans (客户拜访计划表): the planner's defaults and the clash checks."""

    max_per_day: int = 6
    """Most visits a day before the plan warns (a manager holds 5–8 customer meetings a day)."""
    slot_minutes: int = 60
    """Length of a proposed or added visit, minutes."""
    preparation_minutes: int = 10
    """Kept free before each proposed visit (travel, preparation), minutes."""
    checklist: list[str] = field(
        default_factory=lambda: ["预约确认", "客户资料与近期业务", "产品资料/方案", "名片与礼品"]
    )
    """Preparation checklist every new visit starts with (the manager edits it per visit)."""


@dataclass(frozen=True)
class ComplaintSettings:
    """Complaint handling beyond the SLA clocks (those are in ``[sla.*]``)."""

    close_roles: list[str] = field(default_factory=lambda: ["supervisor"])
    """Roles that may close a ticket (after the return call): the supervisor closes (DESIGN.md)."""
    backoffice_deadline: str = "3d business"
    """Default deadline of a back-office hand-off when the owner does not give one."""
    inform_supervisor_classes: list[str] = field(default_factory=lambda: ["A1", "A2"])
    """Customer classes whose complaints reach the supervisor at once (A-class, telecom
    handbook)."""


@dataclass(frozen=True)
class SchedulerSettings:
    """APScheduler jobs and the leader lease."""

    generate_at: str = "06:30"
    """Local time of the daily task generation, on working days."""
    sla_sweep_seconds: int = 60
    """Interval of the complaint SLA sweep."""
    worklog_reminder_at: str = "17:00"
    """Local time of the daily work-log reminder."""
    lease_seconds: int = 30
    """A leader that has not renewed its lease for this long is replaced."""
    in_tui: bool = True
    """Every ``cmw tui`` is a candidate leader while no ``cmw scheduler`` service runs (the
    scheduler runs wherever someone works); off, sessions never run the jobs."""
    misfire_grace_seconds: int = 86400
    """After downtime a job whose latest missed run is less than this long ago runs once
    (``coalesce``): a day, so a daily job missed over a weekend still runs when the server is
    back, for the day it is back."""
    backup_at: str = "02:00"
    """Local time of the nightly backup, every day."""
    backup_dir: str = ""
    """Folder of the nightly backups (``cmworkbench-YYYYMMDD.db``); empty: no nightly backup."""
    backup_keep_days: int = 14
    """Nightly backups older than this many days are deleted."""
    report_snapshot_minutes: int = 10
    """Every this many minutes the management report's sums of the running month and week
    are taken ahead (the trend's past weeks once a day), and the Dashboard reads them while
    they are at most twice as old (:mod:`cmworkbench.services.reports.snapshot`): at a
    million customers the live figures take half a minute. 0: always live."""


@dataclass(frozen=True)
class ReminderSettings:
    """Reminders and digests: lead times, the morning digest, the monthly work."""

    task_lead_minutes: int = 15
    """A task with a time of its own (added by hand, or put aside to a chosen time such as a
    call back) is reminded this many minutes before that time."""
    visit_lead_minutes: int = 15
    """A planned visit of a submitted or approved plan is reminded this many minutes before."""
    digest_at: str = "09:00"
    """Local time of the morning digest of due tasks, on working days."""
    monthly_due_workdays: int = 5
    """The monthly tasks (通讯录更新, 市场信息报告) made on the first working day of a month
    are due this many working days later."""


DIRECTORY_FLAGS = ("government", "dual_span", "benchmark")
"""The flags that may make a group important for its staff directory."""


@dataclass(frozen=True)
class DirectorySettings:
    """Staff directories (通讯录) of important group customers (telecom handbook)."""

    classes: list[str] = field(default_factory=lambda: ["A1", "A2", "B1", "B2"])
    """Group classes whose directory is kept: A and B."""
    flags: list[str] = field(default_factory=lambda: list(DIRECTORY_FLAGS))
    """... and any group with one of these flags (government-important, dual-span, industry
    benchmark), whatever its class."""
    refresh_months: int = 6
    """A directory not refreshed for this many months (never: since the group became a
    customer) gets a refresh task."""
    per_month: int = 2
    """Groups whose directory each manager collects or refreshes a month (the report's
    target)."""


@dataclass(frozen=True)
class WorklogSettings:
    """The daily work log (工作日志): when a day's log stops being on time."""

    cutoff: str = "next_opening"
    """A log submitted by this moment is on time, later it is late: ``next_opening`` (the
    start of business of the next working day, so a log written the next morning before the
    doors open still counts) or a local time ``HH:MM`` of the log's own day (``"20:00"``)."""


@dataclass(frozen=True)
class LeadSettings:
    """What a supervisor's and a branch head's Today lists besides their own book (DESIGN.md:
    the supervisor "watches the team's overdue work")."""

    overdue_over: int = 10
    """A team member with more overdue tasks than this is listed (逾期积压)."""
    no_backup_rows: int = 10
    """Customers without a B角 listed per colleague on leave (the most valuable first; the
    colleague's row counts them all)."""
    pool_rows: int = 10
    """Pooled customers listed for their keeper (the most valuable first; all are counted)."""
    team_figures: list[str] = field(
        default_factory=lambda: ["coverage", "sla_first_response", "sla_resolution"]
    )
    """Figures (``cmw report``'s keys) a team below its target this week is listed for on
    the branch head's Today."""


@dataclass(frozen=True)
class TargetSettings:
    """Targets of the report's figures (``cmw report``, the Dashboard): a figure worse than its
    target is shown red. Rates are fractions (0.95 = 95 %)."""

    coverage: float = 0.95
    """Customers with a cadence contacted within it (not overdue)."""
    freshness: float = 0.9
    """Customers whose basic data was re-verified within their class's ``freshness``."""
    return_visit: float = 1.0
    """After-sale return visits within ``tasks.after_sale_months`` of activation: 100 %
    (telecom handbook)."""
    sla_first_response: float = 0.95
    """Complaints whose first response met its SLA target."""
    sla_resolution: float = 0.95
    """Complaints resolved within their SLA target."""
    promises_kept: float = 0.95
    """Promises to customers (承诺) kept by their deadline."""
    satisfaction: float = 4.5
    """Average satisfaction (1–5) recorded at the complaints' return calls."""
    vip_satisfaction_rate: float = 0.95
    """VIP customers' tickets whose return call found them satisfied (满意 or 完全满意): over
    95% (telecom VIP service standard)."""
    worklog: float = 1.0
    """Work logs submitted on the working days (every working day, both handbooks)."""
    directories: float = 1.0
    """Each manager's groups whose staff directory was refreshed, against ``[directories]
    per_month`` (100%: the month's 2 groups)."""
    workload: float = 1.0
    """Books at most the size of their rule (``[workload]``): above 100% is flagged."""
    data_completeness: float = 1.0
    """Customers whose files hold every required field (``[data_quality.required]``): 100%
    (telecom handbook)."""
    data_accuracy: float = 0.95
    """Fields of A- and B-class files found right when checked: above 95% (telecom handbook)."""
    data_accuracy_c: float = 0.85
    """Fields of C-class files (and of files without a class) found right: above 85%."""
    data_compliance: float = 0.9
    """Customers passing every compliance check (``[data_quality.checks]``): above 90%."""
    referral_contacted: float = 0.95
    """Referrals and allocated leads first contacted by the deadline of
    ``[promises.first_contact]``."""


@dataclass(frozen=True)
class RoleCapacity:
    """What one person of a role can do in a working day."""

    calls: int = 30
    """Calls (a call, with its note, takes about 6 minutes)."""
    meetings: int = 6
    """Meetings: visits and on-site checks (5–8 a day for a customer manager, bank routine)."""


COSTS = ("call", "meeting", "channel", "none")
"""What a task can use up of a day: a call, a meeting, the first channel of the customer's
cadence rule (a visit is a meeting, a call or SMS a call), or nothing (office work)."""


@dataclass(frozen=True)
class CapacitySettings:
    """A day's capacity per role, and what each kind of task uses up (the Today plan)."""

    manager: RoleCapacity = field(default_factory=lambda: RoleCapacity(calls=30, meetings=6))
    """A customer manager's day (7.5 working hours): 6 meetings with travel take about 4.5
    hours, which leaves about 3 hours for 30 calls."""
    phone_manager: RoleCapacity = field(default_factory=lambda: RoleCapacity(calls=80, meetings=0))
    """A phone manager (电话经理) serves C-class books by phone: the whole day, 80 calls."""
    supervisor: RoleCapacity = field(default_factory=lambda: RoleCapacity(calls=10, meetings=2))
    """A supervisor's own customers and what they cover for colleagues on leave."""
    branch_head: RoleCapacity = field(default_factory=lambda: RoleCapacity(calls=5, meetings=2))
    admin: RoleCapacity = field(default_factory=lambda: RoleCapacity(calls=0, meetings=0))
    cost: dict[str, str] = field(
        default_factory=lambda: {
            "contact": "channel",
            "post_loan": "meeting",
            "directory_update": "call",
            "market_report": "none",
        }
    )
    """Task kind → ``call``, ``meeting``, ``channel`` or ``none``; a kind not listed is a call."""

    def of(self, role: str) -> RoleCapacity:
        """The capacity of ``role`` (none for a role without one)."""
        found = getattr(self, role, None)
        return found if isinstance(found, RoleCapacity) else RoleCapacity(calls=0, meetings=0)

    def cost_of(self, kind: str) -> str:
        """What a task of ``kind`` uses up."""
        return self.cost.get(kind, "call")


@dataclass(frozen=True)
class RoleWorkload:
    """One role's book: how many households, and which customers it holds by default."""

    households: int = 150
    classes: list[str] = field(default_factory=list)
    """Customer classes (A1 … C) this role holds by default."""
    tiers: list[str] = field(default_factory=list)
    """Individual tiers (diamond, gold, mid_high, mass) this role holds by default, for
    customers without a class."""

    def holds(self, cls: str | None, tier: str | None) -> bool:
        """Whether a customer of ``cls`` (or, without one, ``tier``) belongs in this book."""
        return cls in self.classes if cls else tier in self.tiers


@dataclass(frozen=True)
class WorkloadSettings:
    """Book sizes by role (DESIGN.md, "A day a manager can work"): the report's workload figure
    compares each book with its rule; allocation from the pool and the demo follow it."""

    manager: RoleWorkload = field(
        default_factory=lambda: RoleWorkload(
            households=150,
            classes=["A1", "A2", "B1", "B2"],
            tiers=["diamond", "gold", "mid_high"],
        )
    )
    """A relationship manager (客户经理): under about 150 households (the sources), A/B classes
    and the upper tiers, served in person."""
    phone_manager: RoleWorkload = field(
        default_factory=lambda: RoleWorkload(households=3000, classes=["C"], tiers=["mass"])
    )
    """A phone manager (电话经理): mass and C-class customers, one-to-many by phone. 80 calls a
    day over the 100 or so working days of C's 150-day cadence is 8,000 calls; with info
    checks, care and maturities besides, about 3,000 households."""

    def of(self, role: str) -> RoleWorkload | None:
        """The workload rule of ``role`` (``None``: the role holds no book)."""
        found = getattr(self, role, None)
        return found if isinstance(found, RoleWorkload) else None


@dataclass(frozen=True)
class VipSettings:
    """Who is a VIP besides the customers flagged by hand (:mod:`cmworkbench.domain.vip`)."""

    tiers: list[str] = field(default_factory=lambda: ["diamond", "gold"])
    """Asset tiers cared for as VIP: their complaints run on the VIP clock, their contacts on
    the VIP rhythm, their tasks rank as VIPs' (telecom VIP standard: diamond and gold)."""


@dataclass(frozen=True)
class PoolSettings:
    """The branch pool: customers without an owner, visible to supervisors, the branch head
    and the administrator, and kept by someone so that nothing generated for them is lost."""

    keeper: str = "branch_head"
    """Whose Today holds the pooled customers' due work: ``branch_head`` (the branch's first
    active branch head), or ``area_supervisor`` (the supervisor of the team named for the
    customer's area in ``area_teams``, else the branch head)."""
    area_teams: dict[str, str] = field(default_factory=dict)
    """Customer area → the team whose supervisor keeps that area's pooled customers."""
    claim: bool = True
    """A manager may claim a pooled customer they served (the first claim wins), found by its
    exact customer number, ID number or phone only; audited."""


@dataclass(frozen=True)
class SessionSettings:
    """The session server (``cmw sessions serve``; :mod:`cmworkbench.launcher`)."""

    socket: str = ""
    """Its socket, e.g. ``/run/cmworkbench/sessions.sock``: while a server listens there, each
    ``cmw tui`` runs as a child of it, sharing the workbench loaded once (about half the
    memory a session needs alone). Empty: every ``cmw tui`` runs alone."""


@dataclass(frozen=True)
class ImportSettings:
    """``cmw import`` (customers, contacts, holdings)."""

    opening_hours_rows: int = 20_000
    """On SQLite an import is one transaction holding the write lock until it is whole, so
    every other save waits for it (and gives up after the busy timeout, 10 s). During business
    hours on a working day a file of more rows than this is refused, with when it may run;
    at about 7,000 rows a second (2 cores), 20,000 rows keep the others' wait near 3 s.
    0: no limit. PostgreSQL writers do not wait for an import: no limit there."""


@dataclass(frozen=True)
class ReferralSettings:
    """Referrals and leads (DESIGN.md, "Growing the book"): tellers and lobby staff refer
    customers and prospects to the managers; a referral converts when a product of its
    category opens for the customer within the window."""

    window_days: int = 90
    """A product of the referred category opened (a holding's ``opened_on``) within this many
    days of the referral converts it; past the window an open referral is not converted."""
    products: list[str] = field(
        default_factory=lambda: [
            "deposit",
            "wealth",
            "fund",
            "insurance",
            "loan",
            "card",
            "telecom",
        ]
    )
    """The categories a referral names: the holdings' ``product_kind`` values."""


@dataclass(frozen=True)
class PipelineSettings:
    """Opportunities (DESIGN.md, "Growing the book"): the big-customer pipeline's steps, the
    proposal rule and when a quiet opportunity comes back to its owner's Today."""

    stages: list[str] = field(
        default_factory=lambda: [
            "select",
            "prepare",
            "approach",
            "needs",
            "assess",
            "solution",
            "close",
            "relationship",
        ]
    )
    """The steps in order (keys). The default is the bank's eight steps (甄选目标客户, 拜访准备,
    接近客户建立信任, 沟通并发掘需求, 风险评估价值评估, 方案设计与展示, 促成成交, 客户关系管理);
    the last is where a won opportunity stays (the relationship after the deal)."""
    names: dict[str, str] = field(default_factory=dict)
    """Own names for the steps (key → name, shown in every language); a key without one shows
    the catalog's name (``enum.opportunity_stage.<key>``), so a telecom branch can use its own."""
    proposal_stage: str = "solution"
    """The step where a proposal is made: entering it asks for the cost and the expected
    return, and a proposal whose return is below ``min_return_ratio`` × cost needs the
    supervisor's approval before the opportunity moves on."""
    min_return_ratio: float = 1.5
    """Expected return over cost (telecom handbook: above 1:1.5) below which the supervisor
    approves the proposal."""
    stale_days: int = 14
    """An open opportunity with no step (a move, a next step, a proposal) for this many days,
    or whose next step is past due, comes back to its owner's Today."""


@dataclass(frozen=True)
class GoalSettings:
    """Sales goals (DESIGN.md, "Growing the book"): the measures a branch sets yearly goals on,
    broken down by month, week, team and manager. Not the Dashboard's rate ``[targets]``."""

    measures: list[str] = field(
        default_factory=lambda: [
            "new_customers",
            "deposit_growth",
            "products_opened",
            "opportunities_won",
            "referrals_converted",
            "visits_done",
        ]
    )
    """The measures with goals (:data:`cmworkbench.domain.goals.UNITS`); ``products_opened``
    may name a category, e.g. ``products_opened.wealth`` (``[referrals] products``)."""
    rule: str = "even"
    """The default breakdown over teams and managers: ``even``, ``book`` (by customers owned)
    or ``last_year`` (by last year's share of the measure)."""


@dataclass(frozen=True)
class CreditSettings:
    """Credit files (DESIGN.md, loans): the investigation's items, the guarantor rule and the
    post-loan checks' schedule (:mod:`cmworkbench.services.credit`)."""

    items: list[str] = field(
        default_factory=lambda: [
            "credit_bureau",
            "blacklist",
            "ledger",
            "legal_standing",
            "operations",
            "credit_standing",
            "assets_liabilities",
            "loan_purpose",
        ]
    )
    """The investigation's items in order (keys): the three internal look-ups (征信系统查询,
    黑名单查询, 分户账查询) and the five external verifications (主体资格, 经营状况, 信用状况,
    资产负债, 贷款用途) of the bank marketing source."""
    names: dict[str, str] = field(default_factory=dict)
    """Own names for the items (key → name, shown in every language); a key without one shows
    the catalog's name (``enum.credit_item.<key>``)."""
    guarantor_coverage: float = 2.0
    """The guarantors' net assets together must be at least this many times the loan (bank
    marketing source: twice); ``0`` turns the rule off (a loan secured otherwise)."""
    first_check_days: int = 30
    """The first post-loan check is due this many days after the approval (on the next working
    day if that is not one)."""
    check_months: dict[str, int] = field(default_factory=lambda: {"low": 6, "medium": 3, "high": 1})
    """Risk grade → months between post-loan checks after the first (higher risk, more often);
    the grades a file may have, in this order."""
    default_grade: str = "medium"


# Core/premium customers are contacted at least monthly (bank routine); VIP diamond/gold at
# least every 2 months (telecom VIP standard); government-important at least yearly (handbook).
_DEFAULT_CADENCE: dict[str, CadenceRule] = {
    "A1": CadenceRule(ideal_days=20, max_days=30),
    "A2": CadenceRule(ideal_days=25, max_days=30),
    "B1": CadenceRule(ideal_days=45, max_days=60),
    "B2": CadenceRule(ideal_days=60, max_days=90),
    "C": CadenceRule(ideal_days=150, max_days=180, channels=["call", "visit", "sms"]),
    "vip": CadenceRule(ideal_days=45, max_days=60),
    "government": CadenceRule(ideal_days=300, max_days=365),
}
# A-class monthly, B-class every 2 months, C-class by phone managers every 6 months (handbook).
_DEFAULT_FRESHNESS: dict[str, FreshnessRule] = {
    "A1": FreshnessRule(30),
    "A2": FreshnessRule(30),
    "B1": FreshnessRule(60),
    "B2": FreshnessRule(60),
    "C": FreshnessRule(180),
}
# Promises with a clock (DESIGN.md; the sources' rules): a customer's call or message answered
# the same day; feedback within 2 working days of a negotiation round; the customer told 2
# working days before a promised activation slips; government-important urgent business in
# 2 h (card) or 6 h (goods), calendar time; a new customer's file complete the day the account
# opens; complaint progress fed back daily (a working day's silence breaks it and the owner is
# told; after 2 the supervisor is).
_DEFAULT_PROMISES: dict[str, PromiseRule] = {
    "callback_same_day": PromiseRule("same day", [0.5]),
    "negotiation_feedback": PromiseRule("2 workdays", [0.5], ["supervisor@1.0"]),
    "delay_notice": PromiseRule("2 workdays before", [0.5], ["supervisor@1.0"]),
    "government_urgent_card": PromiseRule("2h calendar", [0.5, 0.8], ["supervisor@1.0"]),
    "government_urgent_goods": PromiseRule("6h calendar", [0.5, 0.8], ["supervisor@1.0"]),
    "new_customer_file": PromiseRule("same day", [0.5]),
    "complaint_feedback": PromiseRule("1 workdays", [0.5], ["supervisor@2.0"]),
    "first_contact": PromiseRule("1 workdays", []),
}
PROMISE_KINDS = tuple(_DEFAULT_PROMISES)
"""The kinds the workbench opens itself; a branch may configure more for promises typed by
hand (``cmw promises new --kind``)."""
CUSTOMER_KINDS = ("individual", "group")
REQUIRABLE_FIELDS = (
    "name", "phone", "phone2", "id_number", "birthday", "address", "area", "industry",
    "cls", "tier", "staff_count", "member_count", "revenue_yuan", "assets_yuan",
    "preferred_hours", "backup_id",
)  # fmt: skip
"""Customer fields a file may be required to hold (``[data_quality.required]``)."""


# VIP or major complaints: resolved and replied within 24 hours (telecom handbook).
_DEFAULT_SLA: dict[str, SlaRule] = {
    "normal": SlaRule(),
    "major": SlaRule(
        first_response="2h calendar",
        resolution="24h calendar",
        escalate=["owner@0.5", "supervisor@1.0", "branch_head@1.0+4h"],
    ),
    "vip": SlaRule(
        first_response="2h calendar",
        resolution="24h calendar",
        escalate=["owner@0.5", "supervisor@1.0", "branch_head@1.0+4h"],
    ),
}


@dataclass(frozen=True)
class Settings:
    """Everything a branch can configure."""

    general: GeneralSettings = field(default_factory=GeneralSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    tasks: TaskRules = field(default_factory=TaskRules)
    visits: VisitSettings = field(default_factory=VisitSettings)
    complaints: ComplaintSettings = field(default_factory=ComplaintSettings)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    worklog: WorklogSettings = field(default_factory=WorklogSettings)
    lead: LeadSettings = field(default_factory=LeadSettings)
    directories: DirectorySettings = field(default_factory=DirectorySettings)
    targets: TargetSettings = field(default_factory=TargetSettings)
    capacity: CapacitySettings = field(default_factory=CapacitySettings)
    workload: WorkloadSettings = field(default_factory=WorkloadSettings)
    pool: PoolSettings = field(default_factory=PoolSettings)
    referrals: ReferralSettings = field(default_factory=ReferralSettings)
    imports: ImportSettings = field(default_factory=ImportSettings)
    sessions: SessionSettings = field(default_factory=SessionSettings)
    pipeline: PipelineSettings = field(default_factory=PipelineSettings)
    goals: GoalSettings = field(default_factory=GoalSettings)
    credit: CreditSettings = field(default_factory=CreditSettings)
    vip: VipSettings = field(default_factory=VipSettings)
    grades: dict[str, list[str]] = field(
        default_factory=lambda: {
            "senior": ["A1", "A2", "B1", "B2", "C"],
            "first": ["A2", "B1", "B2", "C"],
            "second": ["B1", "B2", "C"],
            "trainee": ["B2", "C"],
        }
    )
    """Manager grade → customer classes that grade may own (A-class books go to seniors)."""
    cadence: dict[str, CadenceRule] = field(default_factory=lambda: dict(_DEFAULT_CADENCE))
    """Contact cadence per class, tier or flag (``A1`` … ``C``, ``vip``, ``government``)."""
    freshness: dict[str, FreshnessRule] = field(default_factory=lambda: dict(_DEFAULT_FRESHNESS))
    """Basic-data re-verification per class."""
    sla: dict[str, SlaRule] = field(default_factory=lambda: dict(_DEFAULT_SLA))
    """Complaint SLA per severity (``normal``, ``major``), for VIP customers (``vip``) and,
    optionally, per customer class (``A1`` … ``C``); the strictest that applies wins."""
    promises: dict[str, PromiseRule] = field(default_factory=lambda: dict(_DEFAULT_PROMISES))
    """Promise kinds (承诺) and their clocks: the eight of :data:`PROMISE_KINDS` always (a
    branch's table changes them), and any more a branch names for promises typed by hand."""
    data_quality: DataQualitySettings = field(default_factory=DataQualitySettings)

    @property
    def database_url(self) -> str:
        """The effective SQLAlchemy URL."""
        if self.general.database_url:
            return self.general.database_url
        return "sqlite:///" + str(Path(self.general.database_path).expanduser())


_DURATION = re.compile(r"^\d+(\.\d+)?[hmd] (business|calendar)$")
_ESCALATE = re.compile(r"^[a-z_]+@\d+(\.\d+)?(\+\d+h)?$")
_DUE_RULE = re.compile(
    r"^(same day|[1-9]\d* workdays?( before)?|\d+(\.\d+)?[hmd] (business|calendar))$"
)
GOAL_UNITS = (
    "new_customers",
    "deposit_growth",
    "products_opened",
    "opportunities_won",
    "won_value",
    "referrals_converted",
    "visits_done",
)
"""The measures a goal may be set on (their units: :data:`cmworkbench.domain.goals.UNITS`)."""
GOAL_RULES = ("even", "book", "last_year")
_KIND_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
SOURCE_NAME = _KIND_NAME
"""What a promise kind or an import source (``cmw import --source``) may be called."""
_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
_CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def load_settings(path: str | Path | None = None, *, env: dict[str, str] | None = None) -> Settings:
    """Read settings from ``path`` (or the usual places) and the ``CMW_`` environment."""
    env = dict(os.environ) if env is None else env
    chosen = Path(path) if path else _default_path(env)
    data: dict[str, Any] = {}
    label = "config.toml"
    if chosen is not None:
        label = str(chosen)
        try:
            data = tomllib.loads(chosen.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{label}: file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{label}: not valid TOML ({exc})") from None
    general = data.setdefault("general", {})
    if not isinstance(general, dict):
        raise ConfigError(f"{label}: general: must be a table")
    if env.get("CMW_DATABASE_URL"):
        general["database_url"] = env["CMW_DATABASE_URL"]
    if env.get("CMW_LANGUAGE"):
        general["language"] = env["CMW_LANGUAGE"]
    settings = _build(Settings, data, "", label)
    _validate(settings, label)
    return settings


def _default_path(env: dict[str, str]) -> Path | None:
    if env.get("CMW_CONFIG"):
        return Path(env["CMW_CONFIG"])
    return SYSTEM_CONFIG if SYSTEM_CONFIG.exists() else None


def _build(cls: type, data: Any, prefix: str, label: str) -> Any:
    """Build dataclass ``cls`` from a TOML table, checking names and types."""
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: {prefix.rstrip('.') or 'top level'}: must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"{label}: {prefix}{unknown[0]}: unknown key")
    values: dict[str, Any] = {}
    for name, f in known.items():
        if name not in data:
            continue
        values[name] = _convert(hints[name], data[name], f"{prefix}{name}", label, f)
    return cls(**values)


def _convert(hint: Any, value: Any, key: str, label: str, f: Any = None) -> Any:
    origin = typing.get_origin(hint)
    if is_dataclass(hint):
        return _build(hint, value, key + ".", label)  # type: ignore[arg-type]
    if origin is dict:
        _, item = typing.get_args(hint)
        if not isinstance(value, dict):
            raise ConfigError(f"{label}: {key}: must be a table")
        merged: dict[str, Any] = {}
        if f is not None and f.default_factory is not MISSING and is_dataclass(item):
            merged.update(f.default_factory())  # keep defaults for keys not overridden
        for sub, raw in value.items():
            merged[sub] = _convert(item, raw, f"{key}.{sub}", label)
        return merged
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(f"{label}: {key}: must be a list")
        return [_convert(item, v, f"{key}[{i}]", label) for i, v in enumerate(value)]
    if origin in (typing.Union, types.UnionType):
        raise ConfigError(f"{label}: {key}: unsupported type")  # pragma: no cover
    if hint is date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ConfigError(f"{label}: {key}: {value!r} is not a date (YYYY-MM-DD)") from None
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
        raise ConfigError(
            f"{label}: {key}: must be {_type_name(hint)}, got {type(value).__name__} {value!r}"
        )
    return value


def _type_name(hint: Any) -> str:
    return {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}.get(
        hint, getattr(hint, "__name__", str(hint))
    )


def _check_credit(c: CreditSettings, fail: typing.Callable[[str, str], typing.NoReturn]) -> None:
    if not c.items:
        fail("credit.items", "must name at least one investigation item")
    for i, item in enumerate(c.items):
        if not _KIND_NAME.match(item) or len(item) > 24:
            fail(f"credit.items[{i}]", f"{item!r} is not an item key like 'blacklist'")
        if item in c.items[:i]:
            fail(f"credit.items[{i}]", f"{item!r} is named twice")
    for key, name in c.names.items():
        if key not in c.items:
            fail(f"credit.names.{key}", "is not one of credit.items")
        if not name.strip() or len(name) > 24:
            fail(f"credit.names.{key}", "must be 1 to 24 characters")
    if not 0 <= c.guarantor_coverage <= 100:
        fail("credit.guarantor_coverage", "must be 0 (no rule) to 100 (2 means twice the loan)")
    if not 0 < c.first_check_days <= 366:
        fail("credit.first_check_days", "must be 1 to 366")
    if not c.check_months:
        fail("credit.check_months", "must name at least one risk grade")
    for grade, months in c.check_months.items():
        if not _KIND_NAME.match(grade) or len(grade) > 16:
            fail(f"credit.check_months.{grade}", "is not a grade key like 'high'")
        if not 0 < months <= 36:
            fail(f"credit.check_months.{grade}", "must be 1 to 36 months")
    if c.default_grade not in c.check_months:
        fail("credit.default_grade", f"{c.default_grade!r} is not one of credit.check_months")


def _validate(s: Settings, label: str) -> None:
    def fail(key: str, why: str) -> typing.NoReturn:
        raise ConfigError(f"{label}: {key}: {why}")

    def class_list(key: str, values: list[str]) -> None:
        """Every one of ``values`` is a customer class, or ``key[i]`` is named."""
        for i, c in enumerate(values):
            if c not in GROUP_CLASSES:
                fail(f"{key}[{i}]", f"{c!r} is not a class ({', '.join(GROUP_CLASSES)})")

    if s.general.language not in LANGUAGES:
        fail("general.language", f"{s.general.language!r} is not one of {', '.join(LANGUAGES)}")
    try:
        ZoneInfo(s.calendar.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a name longer than the file system allows ("File name too long").
        fail("calendar.timezone", f"unknown timezone {s.calendar.timezone!r}")
    for i, span in enumerate(s.calendar.hours):
        if not _HOURS.match(span) or span[:5] >= span[6:]:
            fail(f"calendar.hours[{i}]", f"{span!r} is not a range like 08:30-12:00")
    if s.calendar.source not in ("official-cn", "none"):
        fail("calendar.source", f"{s.calendar.source!r} is not official-cn or none")
    if s.privacy.idle_lock_minutes < 0:
        fail("privacy.idle_lock_minutes", "must be 0 or more")
    for i, role in enumerate(s.privacy.reveal_roles):
        if role not in ROLES:
            fail(f"privacy.reveal_roles[{i}]", f"{role!r} is not a role ({', '.join(ROLES)})")
    for i, role in enumerate(s.privacy.export_unmasked_roles):
        if role not in ROLES:
            fail(
                f"privacy.export_unmasked_roles[{i}]",
                f"{role!r} is not a role ({', '.join(ROLES)})",
            )
    for key in ("generate_at", "worklog_reminder_at", "backup_at"):
        if not _CLOCK_TIME.match(getattr(s.scheduler, key)):
            fail(f"scheduler.{key}", f"{getattr(s.scheduler, key)!r} is not a time like 06:30")
    for key in ("sla_sweep_seconds", "lease_seconds", "misfire_grace_seconds", "backup_keep_days"):
        if getattr(s.scheduler, key) <= 0:
            fail(f"scheduler.{key}", "must be more than 0")
    if not 0 <= s.scheduler.report_snapshot_minutes <= 1440:
        fail("scheduler.report_snapshot_minutes", "must be 0 (always live) to 1440")
    if not _CLOCK_TIME.match(s.reminders.digest_at):
        fail("reminders.digest_at", f"{s.reminders.digest_at!r} is not a time like 09:00")
    class_list("directories.classes", s.directories.classes)
    for i, flag in enumerate(s.directories.flags):
        if flag not in DIRECTORY_FLAGS:
            fail(f"directories.flags[{i}]", f"{flag!r} is not one of {', '.join(DIRECTORY_FLAGS)}")
    for key in ("refresh_months", "per_month"):
        if getattr(s.directories, key) <= 0:
            fail(f"directories.{key}", "must be more than 0")
    for key in ("overdue_over", "no_backup_rows", "pool_rows"):
        if getattr(s.lead, key) < 0:
            fail(f"lead.{key}", "must be 0 or more")
    targets = [f.name for f in fields(TargetSettings)]
    for i, key in enumerate(s.lead.team_figures):
        if key not in targets:
            fail(
                f"lead.team_figures[{i}]",
                f"{key!r} is not a figure with a target ({', '.join(targets)})",
            )
    cutoff = s.worklog.cutoff
    if cutoff != "next_opening" and not _CLOCK_TIME.match(cutoff):
        fail("worklog.cutoff", f"{cutoff!r} is not next_opening or a time like 20:00")
    for key in ("task_lead_minutes", "visit_lead_minutes", "monthly_due_workdays"):
        if getattr(s.reminders, key) <= 0:
            fail(f"reminders.{key}", "must be more than 0")
    for role in ROLES:
        capacity = s.capacity.of(role)
        for key in ("calls", "meetings"):
            if getattr(capacity, key) < 0:
                fail(f"capacity.{role}.{key}", "must be 0 or more")
    for kind, cost in s.capacity.cost.items():
        if cost not in COSTS:
            fail(f"capacity.cost.{kind}", f"{cost!r} is not one of {', '.join(COSTS)}")
    for role in ("manager", "phone_manager"):
        book = s.workload.of(role)
        assert book is not None
        if book.households <= 0:
            fail(f"workload.{role}.households", "must be more than 0")
        for c in book.classes:
            if c not in GROUP_CLASSES:
                known = ", ".join(GROUP_CLASSES)
                fail(f"workload.{role}.classes", f"{c!r} is not a class ({known})")
        for tier in book.tiers:
            if tier not in TIERS:
                fail(f"workload.{role}.tiers", f"{tier!r} is not a tier ({', '.join(TIERS)})")
    for tier in s.vip.tiers:
        if tier not in TIERS:
            fail("vip.tiers", f"{tier!r} is not a tier ({', '.join(TIERS)})")
    if s.referrals.window_days <= 0:
        fail("referrals.window_days", "must be more than 0")
    if not s.referrals.products:
        fail("referrals.products", "must name at least one category")
    for i, product in enumerate(s.referrals.products):
        if not _KIND_NAME.match(product):
            fail(f"referrals.products[{i}]", f"{product!r} is not a category name like 'wealth'")
    stages = s.pipeline.stages
    if len(stages) < 2:
        fail("pipeline.stages", "must name at least two steps")
    for i, stage in enumerate(stages):
        if not _KIND_NAME.match(stage):
            fail(f"pipeline.stages[{i}]", f"{stage!r} is not a step key like 'solution'")
        if stage in stages[:i]:
            fail(f"pipeline.stages[{i}]", f"{stage!r} is named twice")
    for key, name in s.pipeline.names.items():
        if key not in stages:
            fail(f"pipeline.names.{key}", "is not one of pipeline.stages")
        if not name.strip() or len(name) > 24:
            fail(f"pipeline.names.{key}", "must be 1 to 24 characters")
    if s.pipeline.proposal_stage not in stages[:-1]:
        fail("pipeline.proposal_stage", "must be one of pipeline.stages before the last")
    if not 0 < s.pipeline.min_return_ratio <= 100:
        fail("pipeline.min_return_ratio", "must be more than 0 (1.5 means 1:1.5)")
    if s.pipeline.stale_days <= 0:
        fail("pipeline.stale_days", "must be more than 0")
    _check_credit(s.credit, fail)
    if s.sessions.socket and (
        not s.sessions.socket.startswith("/") or len(s.sessions.socket.encode()) > 100
    ):
        fail("sessions.socket", "must be an absolute path of at most 100 bytes (a Unix socket)")
    if s.imports.opening_hours_rows < 0:
        fail("imports.opening_hours_rows", "must be 0 (no limit) or more")
    for i, measure in enumerate(s.goals.measures):
        base, _, category = measure.partition(".")
        if base not in GOAL_UNITS or (category and base != "products_opened"):
            fail(f"goals.measures[{i}]", f"{measure!r} is not a measure ({', '.join(GOAL_UNITS)})")
        if category and category not in s.referrals.products:
            fail(f"goals.measures[{i}]", f"{category!r} is not one of referrals.products")
    if s.goals.rule not in GOAL_RULES:
        fail("goals.rule", f"{s.goals.rule!r} is not one of {', '.join(GOAL_RULES)}")
    if s.pool.keeper not in POOL_KEEPERS:
        fail("pool.keeper", f"{s.pool.keeper!r} is not one of {', '.join(POOL_KEEPERS)}")
    for grade, classes in s.grades.items():
        for c in classes:
            if c not in GROUP_CLASSES:
                fail(f"grades.{grade}", f"{c!r} is not a class ({', '.join(GROUP_CLASSES)})")
    for name, rule in s.cadence.items():
        if not 0 < rule.ideal_days <= rule.max_days:
            fail(f"cadence.{name}", "needs 0 < ideal_days <= max_days")
        for ch in rule.channels:
            if ch not in ("visit", "call", "sms", "onsite"):
                fail(f"cadence.{name}.channels", f"{ch!r} is not visit, call, sms or onsite")
    for key in (
        "care_lead_days",
        "after_sale_start_days",
        "after_sale_months",
        "maturity_lead_days",
        "maturity_due_days",
        "post_loan_lead_days",
    ):
        if getattr(s.tasks, key) < 0:
            fail(f"tasks.{key}", "must be 0 or more")
    if s.tasks.maturity_due_days > s.tasks.maturity_lead_days:
        fail("tasks.maturity_due_days", "must not be more than tasks.maturity_lead_days")
    for i, role in enumerate(s.complaints.close_roles):
        if role not in ROLES:
            fail(f"complaints.close_roles[{i}]", f"{role!r} is not a role ({', '.join(ROLES)})")
    if not _DURATION.match(s.complaints.backoffice_deadline):
        fail("complaints.backoffice_deadline", "is not like '3d business' or '72h calendar'")
    class_list("complaints.inform_supervisor_classes", s.complaints.inform_supervisor_classes)
    for key in ("max_per_day", "slot_minutes"):
        if getattr(s.visits, key) <= 0:
            fail(f"visits.{key}", "must be more than 0")
    if s.visits.preparation_minutes < 0:
        fail("visits.preparation_minutes", "must be 0 or more")
    if not 0 < s.tasks.churn_asset_drop < 1:
        fail("tasks.churn_asset_drop", "must be between 0 and 1")
    if not 0 < s.tasks.churn_member_drop < 1:
        fail("tasks.churn_member_drop", "must be between 0 and 1")
    class_list("tasks.retention_inform_classes", s.tasks.retention_inform_classes)
    for i, festival in enumerate(s.tasks.festivals):
        day, _, name = festival.partition(" ")
        try:
            date.fromisoformat(day)
        except ValueError:
            fail(f"tasks.festivals[{i}]", f"{festival!r} is not like '2027-02-06 春节'")
        if not name.strip():
            fail(f"tasks.festivals[{i}]", f"{festival!r} has no name")
    for key in (
        "coverage",
        "freshness",
        "return_visit",
        "sla_first_response",
        "sla_resolution",
        "promises_kept",
        "worklog",
        "data_completeness",
        "data_accuracy",
        "data_accuracy_c",
        "data_compliance",
        "referral_contacted",
        "vip_satisfaction_rate",
    ):
        if not 0 <= getattr(s.targets, key) <= 1:
            fail(f"targets.{key}", "must be between 0 and 1")
    if s.targets.directories < 0:
        fail("targets.directories", "must be 0 or more")
    if not 1 <= s.targets.satisfaction <= 5:
        fail("targets.satisfaction", "must be between 1 and 5")
    for name, fr in s.freshness.items():
        if fr.max_days <= 0:
            fail(f"freshness.{name}.max_days", "must be more than 0")
    if "normal" not in s.sla:
        fail("sla.normal", "is required: the rule of every complaint no other rule covers")
    for name, sla in s.sla.items():
        if name not in ("normal", "major", "vip", *GROUP_CLASSES):
            fail(
                f"sla.{name}", f"is not normal, major, vip or a class ({', '.join(GROUP_CLASSES)})"
            )
        for key in ("first_response", "resolution"):
            if not _DURATION.match(getattr(sla, key)):
                fail(f"sla.{name}.{key}", f"{getattr(sla, key)!r} is not like '24h calendar'")
        if sla.return_call != "month" and not _DURATION.match(sla.return_call):
            fail(
                f"sla.{name}.return_call",
                f"{sla.return_call!r} is not 'month' or like '5d business'",
            )
        for w in sla.warn_at:
            if not 0 < w < 1:
                fail(f"sla.{name}.warn_at", f"{w} is not between 0 and 1")
        for e in sla.escalate:
            if not _ESCALATE.match(e) or e.split("@")[0] not in (*ROLES, "owner"):
                fail(f"sla.{name}.escalate", f"{e!r} is not like 'supervisor@1.0+4h'")
    for name, promise in s.promises.items():
        if not _KIND_NAME.match(name):
            fail(f"promises.{name}", "is not a name like callback_same_day (a-z, 0-9, _)")
        if not _DUE_RULE.match(promise.due):
            fail(
                f"promises.{name}.due",
                f"{promise.due!r} is not 'same day', '2 workdays', '2 workdays before' or like"
                " '2h calendar'",
            )
        if promise.due.endswith("before") and name != "delay_notice":
            fail(f"promises.{name}.due", "only delay_notice is counted back from a date")
        for w in promise.warn_at:
            if not 0 < w < 1:
                fail(f"promises.{name}.warn_at", f"{w} is not between 0 and 1")
        for e in promise.escalate:
            if not _ESCALATE.match(e) or e.split("@")[0] not in (*ROLES, "owner"):
                fail(f"promises.{name}.escalate", f"{e!r} is not like 'supervisor@1.0+4h'")
    if s.promises["delay_notice"].due.split()[-1] != "before":
        fail("promises.delay_notice.due", "must be counted back from the date: '2 workdays before'")
    for key, names in s.data_quality.required.items():
        kind, _, cls = key.partition(".")
        if kind not in CUSTOMER_KINDS or (cls and cls not in GROUP_CLASSES):
            fail(
                f"data_quality.required.{key}",
                "is not individual, group or one of them with a class (group.A1)",
            )
        for i, name in enumerate(names):
            if name not in REQUIRABLE_FIELDS:
                fail(
                    f"data_quality.required.{key}[{i}]",
                    f"{name!r} is not a customer field ({', '.join(REQUIRABLE_FIELDS)})",
                )
    for check, applied in s.data_quality.checks.items():
        if applied not in COMPLIANCE_RULES:
            fail(
                f"data_quality.checks.{check}",
                f"{applied!r} is not one of {', '.join(COMPLIANCE_RULES)}",
            )
    for i, source in enumerate(s.data_quality.authoritative):
        if not _KIND_NAME.match(source):
            fail(
                f"data_quality.authoritative[{i}]",
                f"{source!r} is not a name like core (a-z, 0-9, _)",
            )
