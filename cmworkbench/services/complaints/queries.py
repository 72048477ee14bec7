"""Reading complaint tickets: the lists (nearest running deadline first), one ticket in full
with its deadlines, history and the actions the actor may take, the team's notices, and the
message of a change made meanwhile by someone else."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Complaint, ComplaintEvent, Contact, Customer, Notification, Staff
from cmworkbench.domain import complaint_flow as flow
from cmworkbench.domain.enums import ComplaintStatus as S
from cmworkbench.i18n import label, t
from cmworkbench.services.complaints import sla as clocks
from cmworkbench.services.complaints.access import SUPERVISING, refusal, visible_ticket
from cmworkbench.services.complaints.schemas import (
    ComplaintDetail,
    ComplaintRow,
    DeadlineToday,
    EventOut,
)
from cmworkbench.services.core.cover import cover_on
from cmworkbench.services.core.errors import (
    Conflict,
)
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import (
    require_role,
    visible_owner_ids,
)


def list_complaints(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    team: bool = False,
    breached_only: bool = False,
    include_closed: bool = False,
) -> list[ComplaintRow]:
    """The actor's tickets and those they cover for a colleague on leave today (``team``: the
    team's for a supervisor, the branch's for the branch head; refused for anyone else), the
    nearest running deadline first; paused and clock-less tickets after them, oldest first."""
    query = rows_query()
    if team:
        require_role(actor, SUPERVISING, "complaint.team_lead_only")
        scope = visible_owner_ids(session=session, actor=actor)
        query = query.where(col(Complaint.owner_id).in_(scope.owner_ids))
    else:  # one's own, and those of colleagues on leave one covers today (AB角)
        covered = covered_ticket_ids(session, actor, clock.today())
        mine = col(Complaint.owner_id) == actor.id
        query = query.where(or_(mine, col(Complaint.id).in_(covered)) if covered else mine)
    if not include_closed:
        query = query.where(col(Complaint.status) != S.CLOSED)
    if breached_only:
        query = query.where(col(Complaint.breached))
    now, cal = clock.now(), clocks.calendar(settings)
    rows = [row_of(*found, settings=settings, cal=cal, now=now) for found in session.exec(query)]
    return sorted(rows, key=_urgency)


def _urgency(row: ComplaintRow) -> tuple[int, float]:
    if row.due_at is not None and not row.paused:
        return (0, row.due_at.timestamp())
    return (1, row.received_at.timestamp())


def complaint_detail(
    *, session: Session, actor: Actor, settings: Settings, ticket: str
) -> ComplaintDetail:
    """One ticket in scope, with its deadlines, history and the actions the actor may take."""
    complaint = visible_ticket(session, actor, ticket)
    return detail_of(session, actor, settings, complaint)


def notices(*, session: Session, actor: Actor, limit: int = 20) -> list[tuple[datetime, str]]:
    """The actor's newest complaint notifications (warnings, escalations, A-class notices),
    newest first, as (when, text)."""
    rows = session.exec(
        select(Notification.created_at, Notification.title)
        .where(
            col(Notification.recipient_id) == actor.id,
            col(Notification.object_type) == "complaint",
        )
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(limit)
    ).all()
    return [(at, title) for at, title in rows]


def as_json(detail: ComplaintDetail) -> dict[str, object]:
    """The ticket as JSON-ready values: instants as ISO text, deadlines in ``*_due``."""

    def iso(value: datetime | None) -> str | None:
        if value is None:
            return None
        return value.astimezone(clock.branch_tz()).isoformat(timespec="seconds")

    row = detail.row
    return {
        "id": row.id,
        "ticket_no": row.ticket_no,
        "status": row.status,
        "customer_no": row.customer_no,
        "customer_name": row.customer_name,
        "owner": row.owner_login,
        "contact": detail.contact_name,
        "channel": detail.channel,
        "category": row.category,
        "kind": row.kind,
        "severity": row.severity,
        "sla_rule": detail.sla_rule,
        "description": detail.description,
        "triage": detail.triage,
        "resolution": detail.resolution,
        "rejected_solution": detail.rejected_solution,
        "breached": row.breached,
        "paused": row.paused,
        "received_at": iso(row.received_at),
        "first_response_due": iso(detail.first_response_due),
        "resolution_due": iso(detail.resolution_due),
        "return_call_due": iso(detail.return_call_due),
        "backoffice_due": iso(detail.backoffice_due),
        "backoffice_to": detail.backoffice_to,
        "next_clock": row.clock,
        "next_due": iso(row.due_at),
        "left_seconds": int(row.left.total_seconds()) if row.left is not None else None,
        "first_response_at": iso(detail.first_response_at),
        "resolved_at": iso(detail.resolved_at),
        "return_call_at": iso(detail.return_call_at),
        "return_call_result": detail.return_call_result,
        "satisfaction": detail.satisfaction,
        "satisfaction_answer": detail.satisfaction_answer,
        "satisfaction_old_scale": detail.satisfaction_old_scale,
        "closed_at": iso(detail.closed_at),
        "closed_by": detail.closed_by_name,
        "reopen_count": detail.reopen_count,
        "version": row.version,
        "actions": detail.actions,
        "events": [
            {
                "at": iso(e.at),
                "by": e.staff_name,
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "note": e.note,
            }
            for e in detail.events
        ],
    }


def rows_query() -> Any:
    return (
        select(Complaint, Customer, Staff)
        .join(Customer, col(Customer.id) == col(Complaint.customer_id))
        .join(Staff, col(Staff.id) == col(Complaint.owner_id))
    )


def row_of(
    c: Complaint,
    customer: Customer,
    owner: Staff,
    *,
    settings: Settings,
    cal: Any,
    now: datetime,
) -> ComplaintRow:
    assert c.id is not None
    running = clocks.open_clocks(c, customer, settings, cal)
    nearest = running[0] if running else None
    return ComplaintRow(
        id=c.id,
        ticket_no=c.ticket_no,
        customer_no=customer.customer_no,
        customer_name=customer.name,
        customer_class=customer.cls,
        owner_login=owner.login,
        owner_name=owner.name,
        status=c.status,
        category=c.category,
        kind=c.kind,
        severity=c.severity,
        received_at=c.received_at,
        clock=nearest.name if nearest else None,
        due_at=nearest.due if nearest else None,
        left=nearest.left(now, cal) if nearest else None,
        business=nearest.target.business if nearest else False,
        paused=bool(nearest and nearest.paused_since is not None),
        breached=c.breached or bool(nearest and nearest.left(now, cal) < timedelta()),
        version=c.version,
    )


def detail_of(session: Session, actor: Actor, settings: Settings, c: Complaint) -> ComplaintDetail:
    c, customer, owner = session.exec(rows_query().where(col(Complaint.id) == c.id)).one()
    assert c.id is not None
    cal = clocks.calendar(settings)
    row = row_of(c, customer, owner, settings=settings, cal=cal, now=clock.now())
    contact = session.get(Contact, c.contact_id) if c.contact_id else None
    closer = session.get(Staff, c.closed_by_id) if c.closed_by_id else None
    events = session.exec(
        select(ComplaintEvent, Staff.name)
        .join(Staff, col(Staff.id) == col(ComplaintEvent.staff_id), isouter=True)
        .where(col(ComplaintEvent.complaint_id) == c.id)
        .order_by(col(ComplaintEvent.at), col(ComplaintEvent.id))
    ).all()
    rule, _ = clocks.rule_for(c.severity, customer, settings, cal)
    refusals = {
        action: refused[1]
        for action in flow.STEPS
        if (refused := refusal(actor, settings, c, action)) is not None
    }
    return ComplaintDetail(
        row=row,
        contact_name=contact.name if contact else None,
        channel=c.channel,
        description=c.description,
        triage=c.triage,
        resolution=c.resolution,
        rejected_solution=c.rejected_solution,
        sla_rule=rule,
        first_response_due=c.first_response_due,
        resolution_due=c.resolution_due,
        return_call_due=c.return_call_due,
        backoffice_due=c.backoffice_due,
        backoffice_to=c.backoffice_to,
        first_response_at=c.first_response_at,
        resolved_at=c.resolved_at,
        return_call_at=c.return_call_at,
        return_call_result=c.return_call_result,
        satisfaction=c.satisfaction,
        satisfaction_answer=c.satisfaction_answer,
        satisfaction_old_scale=c.satisfaction_old_scale,
        closed_at=c.closed_at,
        closed_by_name=closer.name if closer else None,
        reopen_count=c.reopen_count,
        actions=[action for action in flow.STEPS if action not in refusals],
        refusals=refusals,
        events=[
            EventOut(e.at, name, e.action, e.from_status, e.to_status, e.note) for e, name in events
        ],
    )


def conflict(session: Session, c: Complaint) -> Conflict:
    """Who changed the ticket last, and when: the refusal of a stale change."""
    last = session.exec(
        select(ComplaintEvent, Staff.name)
        .join(Staff, col(Staff.id) == col(ComplaintEvent.staff_id), isouter=True)
        .where(col(ComplaintEvent.complaint_id) == c.id)
        .order_by(col(ComplaintEvent.id).desc())
        .limit(1)
    ).first()
    if last is None:
        return Conflict(t("complaint.changed_unknown", ticket=c.ticket_no))
    event, name = last
    at = event.at.astimezone(clock.branch_tz()).strftime("%H:%M")
    return Conflict(
        t(
            "complaint.changed",
            ticket=c.ticket_no,
            who=name or t("complaint.system"),
            at=at,
            action=label("complaint_action", event.action),
        )
    )


DEADLINE_CLOCKS = (
    ("first_response", "first_response_due", "first_response_at"),
    ("resolution", "resolution_due", "resolved_at"),
    ("return_call", "return_call_due", "return_call_at"),
)
"""The deadlines of a ticket, each with the moment that meets it."""


def deadlines_on(
    session: Session, owner_ids: list[int], day: date, cover_for: Actor | None = None
) -> list[DeadlineToday]:
    """The owners' open tickets with a deadline not yet met falling on ``day``, soonest first:
    fixed-time items of their Today (the Complaints screen has the rest); with ``cover_for``,
    also the tickets of colleagues on leave that person covers that day."""
    start, end = clock.day_bounds(day)
    mine = col(Complaint.owner_id).in_(owner_ids)
    covered = covered_ticket_ids(session, cover_for, day) if cover_for is not None else []
    query = (
        select(Complaint, Customer.customer_no, Customer.name)
        .join(Customer, col(Customer.id) == col(Complaint.customer_id))
        .where(or_(mine, col(Complaint.id).in_(covered)), col(Complaint.status) != S.CLOSED)
    )
    found: list[DeadlineToday] = []
    for c, customer_no, name in session.exec(query).all():
        for which, due_field, met_field in DEADLINE_CLOCKS:
            due = getattr(c, due_field)
            if due is not None and getattr(c, met_field) is None and start <= due < end:
                found.append(DeadlineToday(c.ticket_no, c.owner_id, which, due, customer_no, name))
    return sorted(found, key=lambda d: (d.due_at, d.ticket_no))


def covered_ticket_ids(session: Session, actor: Actor, day: date) -> list[int]:
    """The open tickets of colleagues on leave on ``day`` that ``actor`` covers: as the
    customer's B角, or as the supervisor when nobody else can (:mod:`~..core.cover`)."""
    cover = cover_on(session, actor.branch_id, day)
    away = cover.away()
    if not away:
        return []
    rows = session.exec(
        select(Complaint.id, Complaint.owner_id, Customer.backup_id)
        .join(Customer, col(Customer.id) == col(Complaint.customer_id))
        .where(col(Complaint.owner_id).in_(away), col(Complaint.status) != S.CLOSED)
    ).all()
    return [
        ticket_id
        for ticket_id, owner_id, backup_id in rows
        if ticket_id is not None and cover.of_ticket(owner_id, backup_id) == actor.id
    ]
