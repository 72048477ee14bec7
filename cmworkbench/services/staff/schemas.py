"""staff: result types and word lists (no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

UNSET: object = object()
"""An :func:`edit_staff` field left as it is."""


@dataclass(frozen=True)
class StaffDetail:
    """One staff member as the administrator sees them."""

    login: str
    name: str
    role: str
    grade: str | None
    team: str | None
    backup: str | None
    """Login of the A/B partner."""
    phone: str | None
    active: bool
    customers: int


@dataclass(frozen=True)
class Deactivated:
    """What deactivating someone changed."""

    login: str
    keys_revoked: int
    customers_without_backup: int
    """Customers whose B角 this person was: they need a new one."""
    colleagues_without_backup: int


@dataclass(frozen=True)
class TeamOut:
    id: int
    name: str
    supervisor: str | None
    members: int


@dataclass(frozen=True)
class LeaveOut:
    id: int
    login: str
    name: str
    starts_on: date
    ends_on: date
    reason: str | None


@dataclass(frozen=True)
class StaffAttention:
    """A team member their lead should look at this morning, and why (any of the three)."""

    login: str
    name: str
    overdue: int
    """Overdue tasks, when above ``[lead] overdue_over`` (else 0)."""
    log_missing: date | None
    """The last working day whose work log is missing past its cut-off (``None``: in)."""
    on_leave: bool
    cover_login: str | None = None
    """Who covers their work today (AB角, else the supervisor), when on leave."""
    cover_name: str | None = None
    no_backup: int = 0
    """Their customers without a B角 (on leave: nobody stands in for those customers)."""


@dataclass(frozen=True)
class Uncovered:
    """A customer of a colleague on leave who has no B角, as the lead's Today lists it."""

    customer_no: str
    name: str
    cls: str | None
    owner_login: str
    owner_name: str
    due_work: int
    """Open tasks due by today and open tickets of the customer."""


@dataclass(frozen=True)
class TeamAttention:
    """Who of the team needs the lead's eye, and the customers nobody covers today."""

    staff: list[StaffAttention]
    uncovered: list[Uncovered]


@dataclass(frozen=True)
class ManagerLoad:
    """One row of the team board: a manager's work today."""

    login: str
    name: str
    role: str
    due_today: int
    """Open tasks due from now to the end of today (snoozed ones not counted)."""
    overdue: int
    """Open tasks whose due time has passed (snoozed ones not counted)."""
    snoozed: int
    """Open tasks snoozed to a later time."""
    complaints_open: int
    """Open complaint tickets they own."""
    on_leave: bool
    """On leave today (a :class:`StaffLeave` covers the day)."""
    cover_login: str | None
    """Who covers while they are on leave: the backup partner (AB角), else the supervisor."""
    cover_name: str | None
    log_submitted: bool
    """The work log (工作日志) of :attr:`log_day` is submitted."""
    plan_size: int
    """Rows of their day as Today plans it: fixed items and the plan within capacity."""
    done_today: int
    """Tasks of their list closed today."""
    backlog: int
    """Open tasks due by today beyond the day's plan."""
    backlog_oldest_days: int
    """The oldest backlog task's age in days since it fell due (0: no backlog)."""
    log_day: date | None = None
    """The day whose work log the board shows: the last working day before the board's day
    (today's log is written tonight, so on a morning it is never in yet)."""
    log_late: bool = False
    """The log of :attr:`log_day` came after its cut-off (``[worklog] cutoff``): late."""
    market_report: str = "pending"
    """Last month's market report: ``on_time``, ``late``, ``missing`` or ``pending``."""
    promises_owed: int = 0
    """Promises to customers (承诺) they owe."""
    promises_broken: int = 0
    """Of those, past their deadline: broken, still owed."""


@dataclass(frozen=True)
class TeamTask:
    """An open task on a manager's list, as the supervisor sees it."""

    id: int
    kind: str
    customer_no: str | None
    customer_name: str | None
    due_at: datetime
    priority: int
    reason: str | None
    overdue: bool
    version: int


@dataclass(frozen=True)
class StaffOut:
    """A staff member as screens and the CLI show them."""

    login: str
    name: str
    role: str
    team: str | None
    grade: str | None
    active: bool


@dataclass(frozen=True)
class KeyOut:
    """A key granted to a staff member."""

    login: str
    fingerprint: str
    """``SHA256:…`` exactly as ``ssh-keygen -lf`` prints it."""
    key_type: str
    public_key: str
    """``<type> <base64>`` (the comment of the key file is not kept)."""
    granted_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class WorkLogOut:
    """A work log as the editor shows it."""

    day: date
    content: str
    version: int
    """``0`` for a draft never saved; pass it back to :func:`save`."""
    submitted_at: datetime | None
    saved: bool
    """False while this is only the pre-filled draft."""


@dataclass(frozen=True)
class StaffLine:
    """A team member whose log of the day is missing (or who is on leave that day)."""

    login: str
    name: str
    role: str
    on_leave: bool
    """On leave that day: listed apart, not missing."""
    late_at: datetime | None = None
    """Submitted after the day's cut-off, at this moment: not in on time (as of the cut-off
    the log was missing), listed with when it came."""


@dataclass(frozen=True)
class MarketReportOut:
    """A monthly market report (市场信息报告) and where it stands."""

    id: int | None
    """``None``: not submitted."""
    month: str
    login: str
    name: str
    state: str
    """``on_time`` / ``late`` (submitted by or after its deadline), ``missing`` (not
    submitted, deadline passed), ``pending`` (not submitted, not due yet)."""
    due_at: datetime
    submitted_at: datetime | None = None
    content: str = ""
    groups: tuple[str, ...] = ()
    """Customer numbers of the group customers it concerns."""
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    version: int = 0
