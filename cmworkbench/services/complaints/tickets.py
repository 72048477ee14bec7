"""Complaint tickets (投诉): take one, move it through its lifecycle, list and show them.

Every complaint is recorded the moment it is heard (每诉必录), and whoever receives it owns
it to the end (首问负责: 谁受理、谁跟进、谁回复): the owner is the receiving actor until a
supervisor reassigns it. Ticket numbers read like the paper notebooks they replace: ``T`` +
the branch-local date + the day's sequence, ``T202611230001``.

Who may do what (decided here, not in the screens):

- see a ticket: its owner, anyone who may see its customer (the backup partner, AB角), the
  owner's supervisor and the branch head;
- move it (respond, wait, hand off, resolve, record the return call, reopen, note): the same
  people; the owner does it day to day, the others cover;
- reassign it: a supervisor (within the team) or the branch head;
- close it: a role in ``complaints.close_roles`` (the supervisor by default), and only once
  the return call is recorded; the close records the customer's satisfaction.

Every change is one event row (who, what, when, from and to status, the note) and one audit
row, and bumps the ticket's version: a change made against an older version is refused with
the name of whoever changed it and when, and nothing is saved (optimistic locking).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Complaint, ComplaintEvent, Contact, Customer, Notification, Staff
from cmworkbench.domain import complaint_flow as flow
from cmworkbench.domain import sla
from cmworkbench.domain.enums import ComplaintStatus as S
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import label, t
from cmworkbench.services.complaints import sla as clocks
from cmworkbench.services.complaints.schemas import (
    CATEGORIES,
    CHANNELS,
    REQUIRED,
    SEVERITIES,
    Change,
    ComplaintDetail,
    ComplaintRow,
    EventOut,
)
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    OutOfScope,
    Retryable,
    ServiceError,
)
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import (
    customer_filter,
    require_customer,
    require_role,
    visible_owner_ids,
)
from cmworkbench.services.core.validation import FieldsInvalid, choice_problem, text_problem

TICKET_PREFIX = "T"
_SUPERVISING = (Role.SUPERVISOR, Role.BRANCH_HEAD)


def open_complaint(
    *,
    session: Session,
    actor: Actor,
    customer_no: str,
    category: str,
    description: str,
    severity: str = "normal",
    channel: str = "phone",
    kind: str = "normal",
    contact: str | None = None,
    settings: Settings | None = None,
) -> str:
    """Record a complaint of a customer in scope, owned by the actor; returns the ticket no.

    The ticket starts ``received`` with a ``receive`` event and its SLA deadlines. For a
    customer in ``complaints.inform_supervisor_classes`` (A-class) the supervisor is told at
    once (telecom handbook).
    """
    settings = settings or Settings()
    if actor.role == Role.ADMIN:
        # The receiver owns the ticket to the end (首问负责), and IT handles none.
        raise OutOfScope(t("complaint.admin"))
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    assert customer.id is not None, "a customer read from the database has an id"
    _check(category, description, severity, channel, kind)
    contact_id = _contact_id(session, customer.id, contact)
    now = _now()
    complaint = Complaint(
        # A placeholder until the row is written: the number is drawn after the INSERT, which
        # takes SQLite's write lock, so no other writer can draw the same one meanwhile.
        ticket_no=f"~{uuid.uuid4().hex[:24]}",
        customer_id=customer.id,
        contact_id=contact_id,
        channel=channel,
        category=category,
        kind=kind,
        severity=severity,
        description=description.strip(),
        owner_id=actor.id,
        received_by_id=actor.id,
        status=S.RECEIVED,
        received_at=now,
    )
    clocks.refresh_dues(complaint, customer, settings, clocks.calendar(settings))
    session.add(complaint)
    session.flush()
    complaint.ticket_no = next_ticket_no(session, clock.today())
    try:
        session.flush()
    except IntegrityError:
        # Two tickets drew the same number (a server without SQLite's single writer lock);
        # nothing was kept, and the workbench runs the unit of work again.
        raise Retryable(t("complaint.ticket_taken")) from None
    assert complaint.id is not None
    add_event(session, complaint, actor, "receive", None, S.RECEIVED, None, now)
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="complaint",
        object_id=complaint.id,
        customer_id=complaint.customer_id,
        detail=f"{complaint.ticket_no} {complaint.category} {complaint.severity}",
    )
    if customer.cls in settings.complaints.inform_supervisor_classes:
        _tell_supervisors(session, actor, complaint, "a_class", now)
    return complaint.ticket_no


def next_ticket_no(session: Session, day: date) -> str:
    """The next free ticket number of ``day`` (branch-local)."""
    prefix = f"{TICKET_PREFIX}{day:%Y%m%d}"
    last = session.exec(
        select(func.max(Complaint.ticket_no)).where(col(Complaint.ticket_no).like(prefix + "%"))
    ).one()
    tail = last[len(prefix) :] if last else ""
    return f"{prefix}{int(tail) + 1 if tail.isdigit() else 1:04d}"


def list_complaints(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    team: bool = False,
    breached_only: bool = False,
    include_closed: bool = False,
) -> list[ComplaintRow]:
    """The actor's tickets (``team``: the team's for a supervisor, the branch's for the
    branch head; refused for anyone else), the nearest running deadline first; paused and
    clock-less tickets after them, oldest first."""
    query = _rows_query()
    if team:
        require_role(actor, _SUPERVISING, "complaint.team_lead_only")
        scope = visible_owner_ids(session=session, actor=actor)
        query = query.where(col(Complaint.owner_id).in_(scope.owner_ids))
    else:
        query = query.where(col(Complaint.owner_id) == actor.id)
    if not include_closed:
        query = query.where(col(Complaint.status) != S.CLOSED)
    if breached_only:
        query = query.where(col(Complaint.breached))
    now, cal = clock.now(), clocks.calendar(settings)
    rows = [_row(*found, settings=settings, cal=cal, now=now) for found in session.exec(query)]
    return sorted(rows, key=_urgency)


def _urgency(row: ComplaintRow) -> tuple[int, float]:
    if row.due_at is not None and not row.paused:
        return (0, row.due_at.timestamp())
    return (1, row.received_at.timestamp())


def complaint_detail(
    *, session: Session, actor: Actor, settings: Settings, ticket: str
) -> ComplaintDetail:
    """One ticket in scope, with its deadlines, history and the actions the actor may take."""
    complaint = _visible(session, actor, ticket)
    return _detail(session, actor, settings, complaint)


def act(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    ticket: str,
    change: Change,
    version: int | None = None,
) -> ComplaintDetail:
    """Apply ``change`` to the ticket, as the actor; ``version`` is the version the actor
    saw (a newer one is a conflict). Returns the ticket as it is afterwards."""
    c = _visible(session, actor, ticket)
    assert c.id is not None
    if version is not None and version != c.version:
        raise _conflict(session, c)
    if change.action not in flow.STEPS:
        raise InvalidInput(t("complaint.no_such_action", action=change.action))
    refused = _refusal(actor, settings, c, change.action)
    if refused is not None:
        error, message = refused
        raise error(message)
    after = flow.next_status(change.action, c.status)
    _require(change)
    now = _now()
    customer = session.get(Customer, c.customer_id)
    assert customer is not None, "a ticket's customer exists (foreign key)"
    values, note = _apply(session, actor, settings, c, change, after, now, customer)
    before = c.status
    changed = session.connection().execute(
        update(Complaint)
        .where(col(Complaint.id) == c.id, col(Complaint.version) == c.version)
        .values(**values, version=c.version + 1)
    )
    if changed.rowcount != 1:
        session.expire(c)
        raise _conflict(session, c)
    session.expire(c)
    to_status = after if after != before else None
    add_event(session, c, actor, change.action, before if to_status else None, to_status, note, now)
    audit.record(
        session,
        actor=actor,
        action=change.action,
        object_type="complaint",
        object_id=c.id,
        customer_id=c.customer_id,
        detail=f"{c.ticket_no} {before} → {after}",
    )
    if change.action == "solution_rejected":
        _tell_supervisors(session, actor, c, "rejected", now)
    elif change.action != "note" and _informs_supervisor(session, settings, c):
        _tell_supervisors(session, actor, c, "update", now, event=False, action=change.action)
    return _detail(session, actor, settings, c)


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


# --- the transitions -------------------------------------------------------------------


def _apply(
    session: Session,
    actor: Actor,
    settings: Settings,
    c: Complaint,
    change: Change,
    after: S,
    now: datetime,
    customer: Customer,
) -> tuple[dict[str, object], str | None]:
    """The column values ``change`` writes, and the event's note."""
    cal = clocks.calendar(settings)
    values: dict[str, object] = {"status": after}
    note = change.note.strip() or None
    action = change.action
    if action in flow.FIRST_RESPONSE_ACTIONS and c.first_response_at is None:
        values["first_response_at"] = now
        if c.first_response_due is not None and now > c.first_response_due:
            values["breached"] = True
    if c.status == S.WAITING_CUSTOMER and after != S.WAITING_CUSTOMER:
        # the pause ends: the resolution clock runs again, later by the time it stood still
        values["paused_seconds"] = c.paused_seconds + clocks.pause_seconds(
            c, customer, now, settings, cal
        )
        values["paused_since"] = None
    if action == "respond":
        values["triage"] = _choice("triage", change.triage, flow.TRIAGES)
        note = note or label("triage", change.triage)
    elif action == "wait_customer":
        values["paused_since"] = now
    elif action == "hand_off":
        due = change.backoffice_due or sla.due(
            now, sla.parse_duration(settings.complaints.backoffice_deadline, cal), cal
        )
        if due <= now:
            raise FieldsInvalid(
                {"backoffice_due": t("complaint.due_past")}, label_prefix="complaint.field."
            )
        values["backoffice_to"] = (change.backoffice_to or "").strip()[:64]
        values["backoffice_due"] = due
        when = due.astimezone(clock.branch_tz()).strftime("%Y-%m-%d %H:%M")
        note = t("complaint.handed_off", to=values["backoffice_to"], due=when) + (
            f" · {note}" if note else ""
        )
    elif action == "resume":
        values["backoffice_due"] = None
    elif action == "resolve":
        values["resolution"] = (change.resolution or "").strip()
        values["resolved_at"] = now
        values["backoffice_due"] = None
        values["rejected_solution"] = False
        if c.triage is None:
            values["triage"] = "now"
        note = note or values["resolution"]  # type: ignore[assignment]
    elif action == "solution_rejected":
        values["rejected_solution"] = True
        values["resolved_at"] = None
    elif action == "return_call":
        values["return_call_result"] = (change.result or "").strip()
        values["return_call_at"] = now
        if change.satisfaction not in (None, ""):
            values["satisfaction"] = _satisfaction(change.satisfaction)
        note = note or values["return_call_result"]  # type: ignore[assignment]
    elif action == "close":
        values["satisfaction"] = _satisfaction(change.satisfaction or c.satisfaction or "")
        values["closed_at"] = now
        values["closed_by_id"] = actor.id
        note = note or t("complaint.closed_with", satisfaction=values["satisfaction"])
    elif action == "reopen":
        values.update(
            reopen_count=c.reopen_count + 1,
            clock_started_at=now,
            paused_seconds=0,
            paused_since=None,
            resolved_at=None,
            return_call_at=None,
            closed_at=None,
            closed_by_id=None,
            return_call_result=None,
            satisfaction=None,
            rejected_solution=False,
        )
    elif action == "reassign":
        target = _reassign_target(session, actor, change.to_login or "")
        if target.id == c.owner_id:
            raise InvalidInput(t("complaint.same_owner", name=target.name))
        values["owner_id"] = target.id
        old = session.get(Staff, c.owner_id)
        note = f"{old.name if old else '?'} → {target.name}" + (f" · {note}" if note else "")
    # the deadlines follow the new state (a pause ended, a resolution, a new round)
    probe = Complaint.model_validate({**c.model_dump(), **values})
    clocks.refresh_dues(probe, customer, settings, cal)
    for due_field in ("first_response_due", "resolution_due", "return_call_due"):
        values[due_field] = getattr(probe, due_field)
    if action == "resolve" and probe.resolution_due and now > probe.resolution_due:
        values["breached"] = True
    return values, note


def _require(change: Change) -> None:
    problems = {}
    for name in REQUIRED[change.action]:
        value = getattr(change, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if name == "satisfaction":
                continue  # checked when closing: the return call may have recorded it
            problems[name] = t("input.required")
    if problems:
        raise FieldsInvalid(problems, label_prefix="complaint.field.")


def _choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str:
    if problem := choice_problem(value or "", allowed):
        raise FieldsInvalid({name: problem}, label_prefix="complaint.field.")
    return value or ""


def _satisfaction(value: str | int) -> int:
    try:
        return flow.parse_satisfaction(value)
    except ValueError:
        raise FieldsInvalid(
            {"satisfaction": t("complaint.bad_satisfaction", value=value or '""')},
            label_prefix="complaint.field.",
        ) from None


def _refusal(
    actor: Actor, settings: Settings, c: Complaint, action: str
) -> tuple[type[ServiceError], str] | None:
    """Why the actor may not take ``action`` on ``c`` now (the error to raise and its
    message), or ``None`` when it is allowed. Seeing the ticket is checked before."""
    if actor.role == Role.ADMIN:
        return OutOfScope, t("complaint.admin")
    if action == "close" and actor.role not in settings.complaints.close_roles:
        roles = "、".join(label("role", r) for r in settings.complaints.close_roles)
        return OutOfScope, t("complaint.close_role", roles=roles)
    if action == "reassign" and actor.role not in _SUPERVISING:
        return OutOfScope, t("complaint.reassign_role")
    if action not in flow.actions_for(c.status):
        return InvalidInput, t(
            "complaint.not_now",
            ticket=c.ticket_no,
            action=label("complaint_action", action),
            status=label("complaint_status", c.status),
        )
    if action == "close" and c.return_call_at is None:
        return InvalidInput, t("complaint.close_needs_return_call", ticket=c.ticket_no)
    return None


def _reassign_target(session: Session, actor: Actor, login: str) -> Staff:
    staff = session.exec(select(Staff).where(col(Staff.login) == login.strip())).one_or_none()
    if staff is None or not staff.active:
        raise NotFound(t("complaint.no_such_staff", login=login))
    scope = visible_owner_ids(session=session, actor=actor)
    if staff.id not in scope.owner_ids or staff.role == Role.ADMIN:
        raise OutOfScope(t("complaint.staff_out_of_scope", name=staff.name))
    return staff


def _tell_supervisors(
    session: Session,
    actor: Actor,
    c: Complaint,
    why: str,
    now: datetime,
    *,
    event: bool = True,
    action: str = "",
) -> None:
    """Tell the owner's supervisor (or, without one, the branch head): an A-class complaint
    at once and every step after it (telecom handbook: informed at once and kept updated),
    a rejected solution (DESIGN.md). With ``event`` one event names who was told."""
    owner = session.get(Staff, c.owner_id)
    assert owner is not None and c.id is not None
    query = select(Staff).where(col(Staff.active), col(Staff.branch_id) == owner.branch_id)
    supervisors = query.where(
        col(Staff.role) == Role.SUPERVISOR, col(Staff.team_id) == owner.team_id
    )
    found = (
        # an owner in no team has no supervisor (not every supervisor in no team)
        (session.exec(supervisors).all() if owner.team_id is not None else [])
        or session.exec(query.where(col(Staff.role) == Role.BRANCH_HEAD)).all()
    )
    told = []
    for person in found:
        assert person.id is not None
        if person.id == actor.id:
            continue  # the supervisor's own step
        step = label("complaint_action", action)
        title = t(f"complaint.notify.{why}", ticket=c.ticket_no, owner=owner.name, action=step)
        key = f"{why}:{c.id}:{c.reopen_count}:{c.version}:{person.id}"
        if clocks.notify(
            session, recipient=person.id, kind=f"complaint_{why}", title=title, complaint=c, key=key
        ):
            told.append(person.name)
    if told and event:
        note = t(f"complaint.informed.{why}", who="、".join(told))
        add_event(session, c, actor, "inform_supervisor", None, None, note, now)


# --- reading ----------------------------------------------------------------------------


def _rows_query() -> Any:
    return (
        select(Complaint, Customer, Staff)
        .join(Customer, col(Customer.id) == col(Complaint.customer_id))
        .join(Staff, col(Staff.id) == col(Complaint.owner_id))
    )


def _row(
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


def _visible(session: Session, actor: Actor, ticket: str) -> Complaint:
    """The ticket (number or id) if the actor may see it; else a clear refusal."""
    key = ticket.strip().upper()
    if key.isdigit() and len(key) > 18:  # no id is that long (and SQL integers are 64-bit)
        raise NotFound(t("complaint.not_found", ticket=ticket))
    query = select(Complaint)
    query = query.where(
        col(Complaint.id) == int(key) if key.isdigit() else col(Complaint.ticket_no) == key
    )
    c = session.exec(query).one_or_none()
    if c is None:
        raise NotFound(t("complaint.not_found", ticket=ticket))
    if c.owner_id == actor.id:
        return c
    if actor.role in _SUPERVISING or actor.role == Role.ADMIN:
        if c.owner_id in visible_owner_ids(session=session, actor=actor).owner_ids:
            return c
    elif session.exec(
        select(col(Customer.id)).where(col(Customer.id) == c.customer_id, customer_filter(actor))
    ).first():
        return c
    # The same refusal as for a ticket that does not exist, naming what was typed: never
    # another team's ticket number (an id typed would otherwise reveal it).
    raise NotFound(t("complaint.not_found", ticket=ticket))


def _now() -> datetime:
    """Now, to the whole second: a ticket's times are read and typed in minutes and seconds,
    and a deadline five working days from 08:30:00 is Friday 17:30:00, not Monday 08:30."""
    return clock.now().replace(microsecond=0)


def _informs_supervisor(session: Session, settings: Settings, c: Complaint) -> bool:
    customer = session.get(Customer, c.customer_id)
    return bool(customer and customer.cls in settings.complaints.inform_supervisor_classes)


def _detail(session: Session, actor: Actor, settings: Settings, c: Complaint) -> ComplaintDetail:
    c, customer, owner = session.exec(_rows_query().where(col(Complaint.id) == c.id)).one()
    assert c.id is not None
    cal = clocks.calendar(settings)
    row = _row(c, customer, owner, settings=settings, cal=cal, now=clock.now())
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
        if (refused := _refusal(actor, settings, c, action)) is not None
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
        closed_at=c.closed_at,
        closed_by_name=closer.name if closer else None,
        reopen_count=c.reopen_count,
        actions=[action for action in flow.STEPS if action not in refusals],
        refusals=refusals,
        events=[
            EventOut(e.at, name, e.action, e.from_status, e.to_status, e.note) for e, name in events
        ],
    )


def _conflict(session: Session, c: Complaint) -> Conflict:
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


def add_event(
    session: Session,
    c: Complaint,
    actor: Actor | None,
    action: str,
    from_status: str | None,
    to_status: str | None,
    note: str | None,
    at: datetime,
) -> None:
    """One entry in the ticket's history (``actor=None``: the service account)."""
    assert c.id is not None
    session.add(
        ComplaintEvent(
            complaint_id=c.id,
            at=at,
            staff_id=actor.id if actor is not None else None,
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
    )
    session.flush()


def _contact_id(session: Session, customer_id: int, name: str | None) -> int | None:
    if not name or not name.strip():
        return None
    found = session.exec(
        select(Contact.id).where(
            col(Contact.customer_id) == customer_id, col(Contact.name) == name.strip()
        )
    ).first()
    if found is None:
        raise FieldsInvalid(
            {"contact": t("complaint.no_such_contact", name=name)}, label_prefix="complaint.field."
        )
    return found


def _check(category: str, description: str, severity: str, channel: str, kind: str) -> None:
    problems: dict[str, str] = {}
    if problem := choice_problem(category, CATEGORIES):
        problems["category"] = problem
    if problem := text_problem(description, required=True, multiline=True):
        problems["description"] = problem
    if problem := choice_problem(severity, SEVERITIES):
        problems["severity"] = problem
    if problem := choice_problem(channel, CHANNELS):
        problems["channel"] = problem
    if problem := choice_problem(kind, flow.KINDS):
        problems["kind"] = problem
    if problems:
        raise FieldsInvalid(problems, label_prefix="complaint.field.")
