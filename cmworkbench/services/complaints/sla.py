"""The SLA clocks of complaint tickets, and the sweep that warns and escalates.

A ticket runs up to three clocks, one after the other (rules in ``[sla.*]``, the arithmetic
in :mod:`cmworkbench.domain.sla`):

- ``first_response`` from receipt until the first contact with the customer;
- ``resolution`` from receipt (or the latest reopening) until resolved and replied; it does
  not run while the ticket waits for the customer (``paused_seconds`` holds the pauses so
  far, measured in the resolution target's own kind of time);
- ``return_call`` from resolution until the return call (回访): within the month by default.

A back-office hand-off has its own deadline (``backoffice_due``); the owner is told when it
passes.

The sweep (:func:`sweep`; ``cmw complaints sweep``, and the scheduler every
``scheduler.sla_sweep_seconds``) turns crossed thresholds into notifications: the rule's
``warn_at`` fractions warn the owner, its ``escalate`` steps tell the supervisor or the
branch head, and at a breach the owner is told too and the ticket is marked for good. Each
notification has an idempotency key (ticket, round, clock, step, recipient), so a sweep run
twice, or retried after a crash, never tells anyone twice. Each first notice of a step is
also an event in the ticket's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import ColumnElement, or_, true, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings, SlaRule
from cmworkbench.db.models import Complaint, ComplaintEvent, Customer, Notification, Staff
from cmworkbench.domain import sla, vip
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import ComplaintStatus as S
from cmworkbench.i18n import label, t
from cmworkbench.services.complaints.schemas import SweepOut
from cmworkbench.services.core.escalation import Recipients, Watched, due_notices, step_level
from cmworkbench.services.core.notify import insert_notification
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import customer_filter

CLOCKS = ("first_response", "resolution", "return_call")


@dataclass(frozen=True)
class Clock:
    """One running (or paused) SLA clock of a ticket."""

    name: str
    """``first_response``, ``resolution`` or ``return_call``."""
    target: sla.Target
    start: datetime
    paused: timedelta
    """Pauses so far, in the target's kind of time (only the resolution clock pauses)."""
    paused_since: datetime | None
    """Set while the ticket waits for the customer: the clock stands still from then."""
    due: datetime
    """The deadline if the clock ran on from now (while paused: as of the pause)."""

    def fraction(self, now: datetime, cal: BranchCalendar) -> float:
        """Share of the target used at ``now`` (frozen while paused)."""
        at = self.paused_since or now
        return sla.elapsed_fraction(self.start, at, self.target, cal, self.paused)

    def left(self, now: datetime, cal: BranchCalendar) -> timedelta:
        """Time left in the target's own kind of time; negative once breached."""
        at = self.paused_since or now
        return sla.remaining(self.start, at, self.target, cal, self.paused)


def calendar(settings: Settings) -> BranchCalendar:
    """The branch calendar every SLA clock runs on."""
    return BranchCalendar.from_settings(settings.calendar)


class CustomerFlags(Protocol):
    """What the SLA rule of a ticket needs of its customer (a :class:`Customer` fits)."""

    @property
    def is_vip(self) -> bool: ...

    @property
    def tier(self) -> str | None: ...

    @property
    def cls(self) -> str | None: ...


@dataclass(frozen=True)
class Flags:
    """The customer columns the sweep reads instead of whole customer rows."""

    is_vip: bool
    tier: str | None
    cls: str | None


def rule_for(
    severity: str, customer: CustomerFlags, settings: Settings, cal: BranchCalendar | None = None
) -> tuple[str, SlaRule]:
    """The SLA rule of a ticket (:func:`~cmworkbench.domain.sla.choose_rule`): the strictest
    of ``major``, ``vip`` (a VIP: :func:`cmworkbench.domain.vip.is_vip`, flag or tier) and
    the customer's class rule that apply, else ``normal``."""
    vip_customer = vip.is_vip(customer.is_vip, customer.tier)
    return sla.choose_rule(
        severity, vip_customer, settings.sla, cal or calendar(settings), cls=customer.cls
    )


def _targets(rule: SlaRule, cal: BranchCalendar) -> tuple[sla.Target, sla.Target]:
    return sla.parse_duration(rule.first_response, cal), sla.parse_duration(rule.resolution, cal)


def _return_call(resolved_at: datetime, rule: SlaRule, cal: BranchCalendar) -> Clock:
    if rule.return_call == "month":
        due = sla.return_call_due(resolved_at, cal)
        target = sla.Target(due - resolved_at, business=False)
    else:
        target = sla.parse_duration(rule.return_call, cal)
        due = sla.due(resolved_at, target, cal)
    return Clock("return_call", target, resolved_at, timedelta(), None, due)


def open_clocks(
    c: Complaint, customer: CustomerFlags, settings: Settings, cal: BranchCalendar
) -> list[Clock]:
    """The clocks of ``c`` not yet met, earliest deadline first."""
    _, rule = rule_for(c.severity, customer, settings, cal)
    first, resolution = _targets(rule, cal)
    clocks: list[Clock] = []
    if c.status == S.CLOSED:
        return clocks
    if c.first_response_at is None:
        due = sla.due(c.received_at, first, cal)
        clocks.append(Clock("first_response", first, c.received_at, timedelta(), None, due))
    if c.resolved_at is None:
        start = c.clock_started_at or c.received_at
        paused = timedelta(seconds=c.paused_seconds)
        due = sla.due(start, resolution, cal, paused)
        clocks.append(Clock("resolution", resolution, start, paused, c.paused_since, due))
    elif c.return_call_at is None:
        clocks.append(_return_call(c.resolved_at, rule, cal))
    return sorted(clocks, key=lambda k: k.due)


def refresh_dues(
    c: Complaint, customer: CustomerFlags, settings: Settings, cal: BranchCalendar
) -> None:
    """Write the deadlines of ``c`` into its ``*_due`` columns (kept for met clocks too, so a
    ticket shows when each step was due)."""
    _, rule = rule_for(c.severity, customer, settings, cal)
    first, resolution = _targets(rule, cal)
    c.first_response_due = sla.due(c.received_at, first, cal)
    start = c.clock_started_at or c.received_at
    c.resolution_due = sla.due(start, resolution, cal, timedelta(seconds=c.paused_seconds))
    c.return_call_due = _return_call(c.resolved_at, rule, cal).due if c.resolved_at else None


def pause_seconds(
    c: Complaint, customer: CustomerFlags, now: datetime, settings: Settings, cal: BranchCalendar
) -> int:
    """The pause that ends at ``now`` (the ticket waited for the customer since
    ``paused_since``), in the resolution target's kind of time, whole seconds."""
    if c.paused_since is None:
        return 0
    _, resolution = _targets(rule_for(c.severity, customer, settings, cal)[1], cal)
    return int(sla.pause_length([(c.paused_since, now)], resolution, cal).total_seconds())


def refresh_all(*, session: Session, settings: Settings, open_only: bool = False) -> int:
    """Recompute every ticket's deadlines and breach mark from its history (after a bulk
    load such as ``cmw demo``, or a change of the ``[sla.*]`` rules; ``open_only``: the open
    tickets, after a change of the calendar). Returns the count."""
    now, cal = clock.now(), calendar(settings)
    query = select(Complaint, Customer).join(
        Customer, col(Customer.id) == col(Complaint.customer_id)
    )
    if open_only:
        query = query.where(col(Complaint.status) != S.CLOSED)
    rows = session.exec(query).all()
    for c, customer in rows:
        refresh_dues(c, customer, settings, cal)
        late = [
            (c.first_response_at or now, c.first_response_due),
            (c.resolved_at or (None if c.paused_since else now), c.resolution_due),
        ]
        if c.resolved_at and c.status != S.CLOSED:
            late.append((c.return_call_at or now, c.return_call_due))
        c.breached = any(done and due and done > due for done, due in late)
        session.add(c)
    session.flush()
    return len(rows)


@dataclass
class _Ticket:
    complaint: Complaint
    customer: Flags
    who: Watched
    owner_name: str


def _in_scope(actor: Actor | None) -> ColumnElement[bool]:
    """The tickets a sweep by ``actor`` reaches (all of them for the system itself)."""
    if actor is None:
        return true()
    in_scope = select(col(Customer.id)).where(customer_filter(actor))
    return or_(col(Complaint.owner_id) == actor.id, col(Complaint.customer_id).in_(in_scope))


def sweep(*, session: Session, settings: Settings, actor: Actor | None = None) -> SweepOut:
    """Warn, escalate and mark breaches for every open ticket as of ``clock.now()``.

    The scheduler and the service account sweep every ticket (``actor`` ``None``); a person
    who sweeps by hand sweeps the tickets they own and those of the customers in their scope
    (:func:`~cmworkbench.services.core.scope.customer_filter`), never another book's.
    """
    now = clock.now()
    cal = calendar(settings)
    # the customer's flag, tier and class, not whole customer rows (loading those was a third
    # of a sweep's time at 2,000 open tickets); the few owners are shared rows
    customer = (
        col(Customer.is_vip), col(Customer.tier), col(Customer.cls), col(Customer.backup_id)
    )  # fmt: skip
    rows = session.execute(
        sa_select(Complaint, *customer, Staff)
        .join(Customer, col(Customer.id) == col(Complaint.customer_id))
        .join(Staff, col(Staff.id) == col(Complaint.owner_id))
        .where(col(Complaint.status) != S.CLOSED, _in_scope(actor))
    ).all()
    tickets = [
        _Ticket(
            c,
            Flags(bool(flagged), tier, cls),
            Watched(c.owner_id, owner.team_id, owner.branch_id, b_role),
            owner.name,
        )
        for c, flagged, tier, cls, b_role, owner in rows
    ]
    people = Recipients(session, clock.today())
    # Notices already sent about open tickets: most steps of a sweep were told before, and
    # skipping them here saves an INSERT … ON CONFLICT DO NOTHING each (measured: 4 of 5
    # seconds' worth at 2,000 open tickets).
    known = set(
        session.exec(
            select(Notification.idem_key)
            .join(Complaint, col(Complaint.id) == col(Notification.object_id))
            .where(col(Notification.object_type) == "complaint")
            .where(col(Complaint.status) != S.CLOSED)
        ).all()
    )
    notified = breached = late = 0
    for ticket in tickets:
        c = ticket.complaint
        assert c.id is not None
        _, rule = rule_for(c.severity, ticket.customer, settings, cal)
        for k in open_clocks(c, ticket.customer, settings, cal):
            fraction = k.fraction(now, cal)
            key = f"sla:{c.id}:{c.reopen_count}:{k.name}"
            for step, recipient, full in due_notices(
                fraction, rule.warn_at, rule.escalate, k.target, ticket.who, people, key, known
            ):
                if not _notify(session, ticket, k, step, recipient, full):
                    continue
                notified += 1
                if step == "owner@breach":
                    breached += 1
                    _event(session, c, now, "breach", clock_label(k.name))
                else:
                    note = _step_note(k.name, step, people.name(recipient))
                    _event(session, c, now, step_level(step), note)
            if fraction + 1e-9 >= 1.0 and not c.breached:
                session.connection().execute(
                    update(Complaint).where(col(Complaint.id) == c.id).values(breached=True)
                )
        if c.status == S.WAITING_BACKOFFICE and c.backoffice_due and c.backoffice_due <= now:
            key = f"bo:{c.id}:{c.backoffice_due.timestamp():.0f}:{c.owner_id}"
            if key in known:
                continue
            title = t("complaint.notify.backoffice_late", ticket=c.ticket_no, to=c.backoffice_to)
            if notify(
                session,
                recipient=people.of("owner", ticket.who)[0],
                kind="complaint_backoffice",
                title=title,
                complaint=c,
                key=key,
            ):
                late += 1
                _event(session, c, now, "backoffice_late", c.backoffice_to)
    return SweepOut(len(tickets), notified, breached, late)


def _step_note(clock_name: str, step: str, who: str) -> str:
    """The history line of a warning or escalation: "resolution: 80% used → 王芳"."""
    point = sla.step_point(step)
    name = clock_label(clock_name)
    if point < 1.0:
        return t("complaint.event.warn", clock=name, pct=round(point * 100), who=who)
    late = step.partition("+")[2]
    return t("complaint.event.escalate", clock=name, late=f" +{late}" if late else "", who=who)


def _notify(
    session: Session,
    ticket: _Ticket,
    k: Clock,
    step: str,
    recipient: int,
    key: str,
) -> bool:
    c = ticket.complaint
    clock_name = clock_label(k.name)
    due = k.due.astimezone(clock.branch_tz()).strftime("%m-%d %H:%M")
    if step == "owner@breach":
        title = t("complaint.notify.breach", ticket=c.ticket_no, clock=clock_name, due=due)
    elif sla.step_point(step) < 1.0:
        pct = round(sla.step_point(step) * 100)
        title = t("complaint.notify.warn", ticket=c.ticket_no, clock=clock_name, pct=pct, due=due)
    else:
        title = t(
            "complaint.notify.escalate",
            ticket=c.ticket_no,
            clock=clock_name,
            owner=ticket.owner_name,
            due=due,
        )
    kind = f"sla_{step_level(step)}"
    return notify(session, recipient=recipient, kind=kind, title=title, complaint=c, key=key)


def notify(
    session: Session, *, recipient: int, kind: str, title: str, complaint: Complaint, key: str
) -> bool:
    """One idempotent notification about a ticket (the sweep's warnings and escalations, an
    A-class complaint, a rejected solution): :func:`insert_notification`."""
    return insert_notification(
        session,
        recipient=recipient,
        kind=kind,
        title=title,
        object_type="complaint",
        object_id=complaint.id,
        key=key,
    )


def _event(session: Session, c: Complaint, at: datetime, action: str, note: str | None) -> None:
    assert c.id is not None
    session.add(ComplaintEvent(complaint_id=c.id, at=at, staff_id=None, action=action, note=note))


def clock_label(name: str) -> str:
    """The clock's name for people (``first_response`` → "first response")."""
    return label("complaint_clock", name)
