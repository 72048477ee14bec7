"""A complaint ticket through its lifecycle: one action at a time (respond, wait for the
customer, hand off to the back office, resume, resolve, the customer rejects the solution,
return call, close, reopen, reassign, note), each a small handler in :data:`HANDLERS` that says
what the action writes; :func:`act` checks, applies and records it.

Every change is one event row (who, what, when, from and to status, the note) and one audit
row, and bumps the ticket's version: a change made against an older version is refused with
the name of whoever changed it and when, and nothing is saved (optimistic locking).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Complaint, Customer, Staff
from cmworkbench.domain import complaint_flow as flow
from cmworkbench.domain import sla
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import ComplaintStatus as S
from cmworkbench.i18n import label, t
from cmworkbench.services.complaints import sla as clocks
from cmworkbench.services.complaints.access import (
    event_time,
    reassign_target,
    refusal,
    visible_ticket,
)
from cmworkbench.services.complaints.events import add_event, informs_supervisor, tell_supervisors
from cmworkbench.services.complaints.queries import conflict, detail_of
from cmworkbench.services.complaints.schemas import (
    REQUIRED,
    Change,
    ComplaintDetail,
)
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import (
    InvalidInput,
)
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.validation import FieldsInvalid, choice_problem
from cmworkbench.services.promises import api as promises


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
    c = visible_ticket(session, actor, ticket)
    assert c.id is not None
    if version is not None and version != c.version:
        raise conflict(session, c)
    if change.action not in flow.STEPS:
        raise InvalidInput(t("complaint.no_such_action", action=change.action))
    refused = refusal(actor, settings, c, change.action)
    if refused is not None:
        error, message = refused
        raise error(message)
    after = flow.next_status(change.action, c.status)
    _require(change)
    now = event_time()
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
        raise conflict(session, c)
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
    if change.action in flow.FEEDBACK_ACTIONS:
        promises.ticket_contact(session, settings, actor, c, now)
    elif change.action in flow.REOPENING_ACTIONS:
        promises.ticket_reopened(session, settings, actor, c, now)
    elif change.action == "reassign":
        promises.ticket_reassigned(session, c)
    if change.action == "solution_rejected":
        tell_supervisors(session, actor, c, "rejected", now)
    elif change.action != "note" and informs_supervisor(session, settings, c):
        tell_supervisors(session, actor, c, "update", now, event=False, action=change.action)
    return detail_of(session, actor, settings, c)


@dataclass
class _Step:
    """One action being applied: what it acts on, and what it writes (``values``, the column
    values; ``note``, the event's note)."""

    session: Session
    actor: Actor
    settings: Settings
    ticket: Complaint
    change: Change
    now: datetime
    cal: BranchCalendar
    values: dict[str, object]
    note: str | None


def _respond(step: _Step) -> None:
    step.values["triage"] = _choice("triage", step.change.triage, flow.TRIAGES)
    step.note = step.note or label("triage", step.change.triage)


def _wait_customer(step: _Step) -> None:
    step.values["paused_since"] = step.now


def _hand_off(step: _Step) -> None:
    settings, now = step.settings, step.now
    due = step.change.backoffice_due or sla.due(
        now, sla.parse_duration(settings.complaints.backoffice_deadline, step.cal), step.cal
    )
    if due <= now:
        raise FieldsInvalid(
            {"backoffice_due": t("complaint.due_past")}, label_prefix="complaint.field."
        )
    to = (step.change.backoffice_to or "").strip()[:64]
    step.values.update(backoffice_to=to, backoffice_due=due)
    when = due.astimezone(clock.branch_tz()).strftime("%Y-%m-%d %H:%M")
    note = step.note
    step.note = t("complaint.handed_off", to=to, due=when) + (f" · {note}" if note else "")


def _resume(step: _Step) -> None:
    step.values["backoffice_due"] = None


def _resolve(step: _Step) -> None:
    resolution = (step.change.resolution or "").strip()
    step.values.update(
        resolution=resolution, resolved_at=step.now, backoffice_due=None, rejected_solution=False
    )
    if step.ticket.triage is None:
        step.values["triage"] = "now"
    step.note = step.note or resolution


def _solution_rejected(step: _Step) -> None:
    step.values.update(rejected_solution=True, resolved_at=None)


def _return_call(step: _Step) -> None:
    result = (step.change.result or "").strip()
    step.values.update(return_call_result=result, return_call_at=step.now)
    if step.change.satisfaction not in (None, ""):
        step.values.update(_satisfaction_values(step.change.satisfaction or ""))
    step.note = step.note or result


def _close(step: _Step) -> None:
    given = step.change.satisfaction
    if given not in (None, ""):
        step.values.update(_satisfaction_values(given or ""))
        satisfaction = step.values["satisfaction"]
    else:  # recorded at the return call (on whatever scale it was)
        satisfaction = _satisfaction(step.ticket.satisfaction or "")
    step.values.update(closed_at=step.now, closed_by_id=step.actor.id)
    step.note = step.note or t("complaint.closed_with", satisfaction=satisfaction)


def _reopen(step: _Step) -> None:
    step.values.update(
        reopen_count=step.ticket.reopen_count + 1,
        clock_started_at=step.now,
        paused_seconds=0,
        paused_since=None,
        resolved_at=None,
        return_call_at=None,
        closed_at=None,
        closed_by_id=None,
        return_call_result=None,
        satisfaction=None,
        satisfaction_answer=None,
        satisfaction_old_scale=False,
        rejected_solution=False,
    )


def _reassign(step: _Step) -> None:
    target = reassign_target(step.session, step.actor, step.change.to_login or "")
    if target.id == step.ticket.owner_id:
        raise InvalidInput(t("complaint.same_owner", name=target.name))
    step.values["owner_id"] = target.id
    old = step.session.get(Staff, step.ticket.owner_id)
    note = step.note
    step.note = f"{old.name if old else '?'} → {target.name}" + (f" · {note}" if note else "")


HANDLERS: dict[str, Callable[[_Step], None]] = {
    "respond": _respond,
    "wait_customer": _wait_customer,
    "hand_off": _hand_off,
    "resume": _resume,
    "resolve": _resolve,
    "solution_rejected": _solution_rejected,
    "return_call": _return_call,
    "close": _close,
    "reopen": _reopen,
    "reassign": _reassign,
}
"""What each action writes beyond the new status (``note`` writes nothing but its event)."""


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
    step = _Step(session, actor, settings, c, change, now, cal, {"status": after}, None)
    step.note = change.note.strip() or None
    if change.action in flow.FIRST_RESPONSE_ACTIONS and c.first_response_at is None:
        step.values["first_response_at"] = now
        if c.first_response_due is not None and now > c.first_response_due:
            step.values["breached"] = True
    if c.status == S.WAITING_CUSTOMER and after != S.WAITING_CUSTOMER:
        # the pause ends: the resolution clock runs again, later by the time it stood still
        step.values["paused_seconds"] = c.paused_seconds + clocks.pause_seconds(
            c, customer, now, settings, cal
        )
        step.values["paused_since"] = None
    handler = HANDLERS.get(change.action)
    if handler is not None:
        handler(step)
    values = step.values
    # the deadlines follow the new state (a pause ended, a resolution, a new round)
    probe = Complaint.model_validate({**c.model_dump(), **values})
    clocks.refresh_dues(probe, customer, settings, cal)
    for due_field in ("first_response_due", "resolution_due", "return_call_due"):
        values[due_field] = getattr(probe, due_field)
    if change.action == "resolve" and probe.resolution_due and now > probe.resolution_due:
        values["breached"] = True
    return values, step.note


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


def _satisfaction_values(value: str | int) -> dict[str, object]:
    """The score of an answer, the answer as given beside it, on the sources' scale."""
    answer = str(value).strip()[:20]
    return {
        "satisfaction": _satisfaction(value),
        "satisfaction_answer": answer,
        "satisfaction_old_scale": False,
    }


def _satisfaction(value: str | int) -> int:
    try:
        return flow.parse_satisfaction(value)
    except ValueError:
        raise FieldsInvalid(
            {"satisfaction": t("complaint.bad_satisfaction", value=value or '""')},
            label_prefix="complaint.field.",
        ) from None
