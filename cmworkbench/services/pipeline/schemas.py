"""What the pipeline services return (screens and the CLI import these, never the services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

REFERRAL_STATES = ("open", "converted", "lost", "lapsed")
"""As shown: ``lapsed`` is an open referral whose window has passed (not converted)."""

LEAD_STATES = ("open", "merged", "dropped")
CONTACT_KINDS = ("call", "visit")


@dataclass(frozen=True)
class ReferralOut:
    """One referral as lists show it. For the referrer who made it the customer's or lead's
    name is masked (``张**``), and no phone or customer number is shown: they see what came
    of it, not the file."""

    id: int
    at: datetime
    referrer: str
    """The referrer's login."""
    referrer_name: str
    customer_no: str | None
    lead_id: int | None
    name: str
    need: str
    product: str
    to: str | None
    """The login of the manager it went to (``None``: waiting in the pool)."""
    to_name: str | None
    contact_due: datetime | None
    contacted_at: datetime | None
    window_ends: date
    state: str
    """One of :data:`REFERRAL_STATES`."""
    outcome_at: datetime | None
    lost_reason: str | None
    version: int

    @property
    def contacted_in_time(self) -> bool | None:
        """Contacted by the deadline (``None``: not due yet, or not received yet)."""
        if self.contact_due is None:
            return None
        if self.contacted_at is not None:
            return self.contacted_at <= self.contact_due
        return None


@dataclass(frozen=True)
class LeadOut:
    """One lead (a prospect without a customer number)."""

    id: int
    name: str
    phone: str
    """Masked (``138****5678``)."""
    id_number: str
    """Masked."""
    need: str | None
    product: str | None
    source: str
    referrer: str | None
    owner: str | None
    """The manager working it (``None``: in the pool)."""
    owner_name: str | None
    status: str
    customer_no: str | None
    """The customer it merged into."""
    match_customer_no: str | None
    """A customer with the same phone but another name, awaiting the manager's word."""
    match_name: str | None
    created_at: datetime
    allocated_at: datetime | None
    contacts: int
    version: int


@dataclass(frozen=True)
class ReferralMade:
    """What a referral did: the referral, and how the prospect was matched."""

    referral: ReferralOut
    matched: str
    """``customer`` (an existing customer: to their owner), ``lead`` (a new lead in the
    pool), ``lead_again`` (added to the open lead with that phone or ID number), or
    ``possible`` (a new lead; a customer has its phone under another name: the manager
    confirms the match)."""


@dataclass(frozen=True)
class LeadMove:
    """One lead and the manager an allocation gives it to (``None``: it stays, and why)."""

    lead_id: int
    name: str
    to_login: str | None
    to_name: str | None
    reason: str = ""


@dataclass(frozen=True)
class ReferrerLine:
    """One referrer's (or one team's, or the branch's) referrals in a period."""

    key: str
    """The referrer's login, the team's name, or ``*`` for the whole."""
    name: str
    team: str | None
    referrals: int
    received: int
    """Of them, reached a manager (not waiting in the pool)."""
    contacted_in_time: int
    contact_decided: int
    """Of the received, contacted or past the first-contact deadline: the contact rate's
    denominator (a deadline still ahead decides nothing yet)."""
    converted: int
    decided: int
    """Converted, lost, or past the window: the conversion rate's denominator."""

    @property
    def conversion(self) -> float | None:
        return self.converted / self.decided if self.decided else None

    @property
    def contact_rate(self) -> float | None:
        return self.contacted_in_time / self.contact_decided if self.contact_decided else None


@dataclass(frozen=True)
class ReferralBoard:
    """Who brings business (the supervisor's daily look): per referrer, per team, and per
    manager who received them, over a period."""

    start: date
    end: date
    referrers: tuple[ReferrerLine, ...]
    teams: tuple[ReferrerLine, ...]
    managers: tuple[ReferrerLine, ...]
    total: ReferrerLine


OPPORTUNITY_STATES = ("open", "won", "lost")
PROPOSAL_STATES = ("clear", "waiting", "approved", "returned")
"""A proposal: ``clear`` (its return at or above the ratio: no approval needed), ``waiting``
for the supervisor, ``approved``, or ``returned`` with a comment."""


@dataclass(frozen=True)
class OpportunityOut:
    """One opportunity as lists, the pipeline view and ``--json`` show it."""

    id: int
    customer_no: str | None
    lead_id: int | None
    name: str
    """The customer's or the prospect's name."""
    product: str
    need: str
    value: int
    """Expected value, whole yuan."""
    expected_close: date
    stage: str
    stage_label: str
    stage_since: datetime
    owner: str
    """The owner's login."""
    owner_name: str
    next_step: str | None
    next_due: datetime | None
    status: str
    """One of :data:`OPPORTUNITY_STATES`."""
    closed_at: datetime | None
    close_reason: str | None
    cost: int | None
    expected_return: int | None
    ratio: str
    """``1:1.20`` (empty without a proposal)."""
    proposal: str | None
    """One of :data:`PROPOSAL_STATES`, or ``None``."""
    proposal_comment: str | None
    referral_id: int | None
    last_step_at: datetime
    quiet: bool
    """Open with no step for ``[pipeline] stale_days``, or its next step past due."""
    feedback_breached: int
    """Negotiation feedback promises about it that were broken (owed past their deadline)."""
    version: int


@dataclass(frozen=True)
class OpportunityEventOut:
    """One step in an opportunity's history."""

    at: datetime
    who: str | None
    """The colleague's name (``None``: the workbench)."""
    action: str
    from_stage: str | None
    to_stage: str | None
    note: str | None


@dataclass(frozen=True)
class FeedbackPromise:
    """A negotiation round's feedback promise, as the opportunity shows it."""

    id: int
    made_at: datetime
    due_at: datetime
    state: str
    """``open``, ``kept``, ``broken`` or ``cancelled``."""
    done_at: datetime | None


@dataclass(frozen=True)
class OpportunityDetail:
    """An opportunity with its history and its negotiation feedback promises."""

    opportunity: OpportunityOut
    events: tuple[OpportunityEventOut, ...]
    promises: tuple[FeedbackPromise, ...]
    can_decide: bool
    """The actor may approve or return its waiting proposal (the owner's supervisor)."""


@dataclass(frozen=True)
class StageGroup:
    """One step of the pipeline view: its open opportunities, how many and their value."""

    stage: str
    label: str
    count: int
    value: int
    rows: tuple[OpportunityOut, ...]


@dataclass(frozen=True)
class PipelineView:
    """The pipeline as its view shows it: each open step with its opportunities, and the
    proposals waiting for the actor's decision."""

    stages: tuple[StageGroup, ...]
    waiting: tuple[OpportunityOut, ...]

    @property
    def count(self) -> int:
        return sum(g.count for g in self.stages)

    @property
    def value(self) -> int:
        return sum(g.value for g in self.stages)
