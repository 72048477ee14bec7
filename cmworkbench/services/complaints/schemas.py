"""complaints: result types and word lists (no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

CATEGORIES = ("fee", "service", "business")
"""资费类, 服务类, 业务类 (telecom handbook)."""


SEVERITIES = ("normal", "major")


CHANNELS = ("phone", "visit", "counter", "online", "letter", "hotline")


@dataclass(frozen=True)
class DeadlineToday:
    """A ticket's deadline falling today, as Today lists it among the fixed-time items."""

    ticket_no: str
    owner_id: int
    which: str
    """``first_response``, ``resolution`` or ``return_call``."""
    due_at: datetime
    customer_no: str
    customer_name: str


@dataclass(frozen=True)
class ComplaintRow:
    """One ticket in a list, with the clock that runs next."""

    id: int
    ticket_no: str
    customer_no: str
    customer_name: str
    customer_class: str | None
    owner_login: str
    owner_name: str
    status: str
    category: str
    kind: str
    severity: str
    received_at: datetime
    clock: str | None
    """The next deadline's clock (``first_response``, ``resolution``, ``return_call``)."""
    due_at: datetime | None
    left: timedelta | None
    """Time left on that clock in its own kind of time (business time for business rules);
    negative once breached."""
    business: bool
    """Whether ``left`` counts business time."""
    paused: bool
    """Waiting for the customer: the clock stands still."""
    breached: bool
    version: int


@dataclass(frozen=True)
class LeadTicket:
    """A ticket on a lead's Today, with why it needs them (``close``, ``breached``,
    ``escalated``, ``rejected``, ``informed``) and since when."""

    row: ComplaintRow
    why: str
    since: datetime
    """When it started to need the lead: the return call, the missed deadline, the
    escalation; else when the ticket was received."""
    return_call_at: datetime | None = None
    satisfaction_answer: str | None = None


@dataclass(frozen=True)
class EventOut:
    """One line of a ticket's history."""

    at: datetime
    staff_name: str | None
    """``None``: the workbench itself (the SLA sweep)."""
    action: str
    from_status: str | None
    to_status: str | None
    note: str | None


@dataclass(frozen=True)
class ComplaintDetail:
    """Everything about one ticket, its deadlines and its history."""

    row: ComplaintRow
    contact_name: str | None
    channel: str
    description: str
    triage: str | None
    resolution: str | None
    rejected_solution: bool
    sla_rule: str
    first_response_due: datetime | None
    resolution_due: datetime | None
    return_call_due: datetime | None
    backoffice_due: datetime | None
    backoffice_to: str | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    return_call_at: datetime | None
    return_call_result: str | None
    satisfaction: int | None
    closed_at: datetime | None
    closed_by_name: str | None
    reopen_count: int
    actions: list[str]
    """What the actor may do to the ticket now, in the order of the lifecycle."""
    refusals: dict[str, str]
    """Every other action, with why the actor may not take it now (the service's words)."""
    events: list[EventOut] = field(default_factory=list)
    satisfaction_answer: str | None = None
    """The return call's answer as the customer gave it (满意, satisfied, 4)."""
    satisfaction_old_scale: bool = False
    """The score was recorded on the scale before the sources' (满意 was 5)."""


@dataclass(frozen=True)
class Change:
    """One action on a ticket with what it needs (see :data:`REQUIRED`)."""

    action: str
    note: str = ""
    triage: str | None = None
    resolution: str | None = None
    backoffice_to: str | None = None
    backoffice_due: datetime | None = None
    result: str | None = None
    satisfaction: str | int | None = None
    to_login: str | None = None


@dataclass(frozen=True)
class SweepOut:
    """What one sweep did."""

    checked: int
    notified: int
    breached: int
    backoffice_late: int


REQUIRED: dict[str, tuple[str, ...]] = {
    "respond": ("triage",),
    "wait_customer": ("note",),
    "hand_off": ("backoffice_to",),
    "resume": (),
    "resolve": ("resolution",),
    "solution_rejected": ("note",),
    "return_call": ("result",),
    "close": ("satisfaction",),
    "reopen": ("note",),
    "reassign": ("to_login",),
    "note": ("note",),
}
"""The fields each action needs (``close`` takes the return call's satisfaction if given)."""
