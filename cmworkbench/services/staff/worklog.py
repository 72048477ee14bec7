"""The daily work log (工作日志): written every working day, truthfully, and submitted to the
supervisor before leaving (bank routine).

A staff member has one log per branch-local day. Until they save one, :func:`draft_for_day`
offers a draft pre-filled with what they logged that day (calls and visits, complaint steps,
tasks closed), so the log starts from the records and not from memory. Saving is guarded by
``version`` (two sessions of the same person never overwrite each other silently); submitting
stamps ``submitted_at``. A submitted log may still be corrected the same day: it stays
submitted and the change is audited. A supervisor (branch head: the branch) sees who has not
submitted; staff on leave that day are listed apart, not as missing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.clock import day_bounds
from cmworkbench.config import Settings
from cmworkbench.db.models import Complaint, ComplaintEvent, Customer, Interaction, Task, WorkLog
from cmworkbench.domain.enums import TaskStatus
from cmworkbench.i18n import label, t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, InvalidInput, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import sees_no_book
from cmworkbench.services.core.validation import FieldsInvalid, text_problem
from cmworkbench.services.staff.board import (
    log_cutoff,
    on_leave_ids,
    require_lead,
    submitted_times,
    team_members,
)
from cmworkbench.services.staff.schemas import StaffLine, WorkLogOut

CONTENT_CHARS = 4000
"""The longest log a person may save."""


def draft_for_day(*, session: Session, actor: Actor, day: date | None = None) -> WorkLogOut:
    """The actor's log of ``day`` (default today); if none is saved, a pre-filled draft."""
    _keeps_a_log(actor)
    day = day or clock.today()
    row = _row(session, actor, day)
    if row is not None:
        return _out(row)
    return WorkLogOut(day, prefill(session, actor, day), 0, None, saved=False)


def _keeps_a_log(actor: Actor) -> None:
    """A referrer (a teller, lobby staff) keeps no work log here: they have no book, and
    nobody reads one (their app has no work log)."""
    if sees_no_book(actor):
        raise OutOfScope(t("worklog.no_book", role=label("role", actor.role)))


def prefill(session: Session, actor: Actor, day: date) -> str:
    """Readable lines of what ``actor`` logged on ``day``: contacts, complaint steps, tasks."""
    start, end = day_bounds(day)
    sections = [
        (t("worklog.section.contacts"), _contact_lines(session, actor, start, end)),
        (t("worklog.section.complaints"), _complaint_lines(session, actor, start, end)),
        (t("worklog.section.tasks"), _task_lines(session, actor, start, end)),
    ]
    parts = [t("worklog.heading", day=day.isoformat(), name=actor.name)]
    for title, lines in sections:
        parts.append(f"\n{title}")
        if lines:
            parts.extend(f"- {line}" for line in lines)
        else:
            parts.append(t("worklog.none"))
    parts.append(f"\n{t('worklog.section.notes')}\n")
    return "\n".join(parts)


def _hm(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(clock.branch_tz()).strftime("%H:%M")


def _contact_lines(session: Session, actor: Actor, start: datetime, end: datetime) -> list[str]:
    rows = session.exec(
        select(Interaction, Customer.name)
        .join(Customer, col(Interaction.customer_id) == col(Customer.id))
        .where(
            col(Interaction.staff_id) == actor.id,
            col(Interaction.happened_at) >= start,
            col(Interaction.happened_at) < end,
            col(Interaction.status) == "done",
        )
        .order_by(col(Interaction.happened_at), col(Interaction.id))
    ).all()
    return [
        t(
            "worklog.line.contact",
            at=_hm(row.happened_at),
            customer=name,
            kind=label("interaction", row.kind),
            outcome=label("outcome", row.outcome) if row.outcome else "—",
        )
        for row, name in rows
    ]


def _complaint_lines(session: Session, actor: Actor, start: datetime, end: datetime) -> list[str]:
    rows = session.exec(
        select(ComplaintEvent, Complaint.ticket_no, Customer.name)
        .join(Complaint, col(ComplaintEvent.complaint_id) == col(Complaint.id))
        .join(Customer, col(Complaint.customer_id) == col(Customer.id))
        .where(
            col(ComplaintEvent.staff_id) == actor.id,
            col(ComplaintEvent.at) >= start,
            col(ComplaintEvent.at) < end,
        )
        .order_by(col(ComplaintEvent.at), col(ComplaintEvent.id))
    ).all()
    return [
        t(
            "worklog.line.complaint",
            at=_hm(event.at),
            ticket=ticket,
            customer=name,
            action=label("complaint_action", event.action),
        )
        for event, ticket, name in rows
    ]


def _task_lines(session: Session, actor: Actor, start: datetime, end: datetime) -> list[str]:
    # Through the owner's index (owner, status, due): a day's closed tasks are few.
    rows = session.exec(
        select(Task, Customer.name)
        .join(Customer, col(Task.customer_id) == col(Customer.id), isouter=True)
        .where(
            col(Task.owner_id) == actor.id,
            col(Task.status) == TaskStatus.DONE,
            col(Task.closed_at) >= start,
            col(Task.closed_at) < end,
        )
        .order_by(col(Task.closed_at), col(Task.id))
    ).all()
    return [
        t(
            "worklog.line.task",
            at=_hm(task.closed_at),
            customer=name or "—",
            kind=label("task_kind", task.kind),
            reason=task.reason or "",
        ).rstrip(" ·")
        for task, name in rows
    ]


def save(*, session: Session, actor: Actor, day: date, content: str, version: int) -> WorkLogOut:
    """Save the actor's log of ``day``; ``version`` is what the editor read (0: a draft)."""
    _keeps_a_log(actor)
    text = content.strip()
    if problem := text_problem(text, most=CONTENT_CHARS, required=True, multiline=True):
        raise FieldsInvalid({"content": problem}, label_prefix="worklog.field.")
    if day > clock.today():
        raise InvalidInput(t("worklog.future_day", day=day.isoformat()))
    row = _row(session, actor, day)
    if row is None:
        if version != 0:
            raise Conflict(t("worklog.conflict", day=day.isoformat()))
        return _insert(session, actor, day, text)
    if row.version != version:
        raise Conflict(t("worklog.conflict", day=day.isoformat()))
    if row.submitted_at is not None and day != clock.today():
        raise InvalidInput(t("worklog.closed_day", day=day.isoformat()))
    _bump(session, row, version, content=text)
    audit.record(
        session,
        actor=actor,
        action="update",
        object_type="work_log",
        object_id=row.id,
        detail=f"{day.isoformat()} {len(text)}"
        + (" after_submit" if row.submitted_at is not None else ""),
    )
    return _out(row)


def _insert(session: Session, actor: Actor, day: date, text: str) -> WorkLogOut:
    row = WorkLog(staff_id=actor.id, day=day, content=text)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # saved meanwhile from another session of the same person
        raise Conflict(t("worklog.conflict", day=day.isoformat())) from None
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="work_log",
        object_id=row.id,
        detail=f"{day.isoformat()} {len(text)}",
    )
    return _out(row)


def submit(*, session: Session, actor: Actor, day: date, version: int) -> WorkLogOut:
    """Submit the saved log of ``day`` to the supervisor (submitting twice changes nothing)."""
    _keeps_a_log(actor)
    row = _row(session, actor, day)
    if row is None:
        raise InvalidInput(t("worklog.save_first", day=day.isoformat()))
    if row.version != version:
        raise Conflict(t("worklog.conflict", day=day.isoformat()))
    if row.submitted_at is not None:
        return _out(row)
    if not row.content.strip():
        raise FieldsInvalid({"content": t("input.required")}, label_prefix="worklog.field.")
    _bump(session, row, version, submitted_at=clock.now())
    audit.record(
        session,
        actor=actor,
        action="submit",
        object_type="work_log",
        object_id=row.id,
        detail=day.isoformat(),
    )
    return _out(row)


def _bump(session: Session, row: WorkLog, version: int, **values: object) -> None:
    """``UPDATE … WHERE version = :seen``: a concurrent save makes this a :class:`Conflict`."""
    changed = session.connection().execute(
        update(WorkLog)
        .where(col(WorkLog.id) == row.id, col(WorkLog.version) == version)
        .values(version=version + 1, **values)
    )
    if changed.rowcount != 1:
        raise Conflict(t("worklog.conflict", day=row.day.isoformat()))
    session.refresh(row)


def missing_for_team(
    *, session: Session, actor: Actor, day: date | None = None, settings: Settings | None = None
) -> list[StaffLine]:
    """Managers of the lead's team (branch head: branch) whose log of ``day`` was not
    submitted by its cut-off (``[worklog] cutoff``): those missing first (a late log with when
    it came), then those on leave that day."""
    require_lead(actor, "worklog.lead_only")
    day = day or clock.today()
    cutoff = log_cutoff(settings or Settings(), day)
    members = team_members(session, actor)
    ids = [m.id for m in members if m.id is not None]
    times = submitted_times(session, ids, day)
    away = on_leave_ids(session, ids, day)
    lines = [
        StaffLine(m.login, m.name, m.role, on_leave=m.id in away, late_at=times.get(m.id))
        for m in members
        if m.id is not None and (m.id not in times or times[m.id] > cutoff)
    ]
    return sorted(lines, key=lambda line: (line.on_leave, line.login))


def _row(session: Session, actor: Actor, day: date) -> WorkLog | None:
    return session.exec(
        select(WorkLog).where(col(WorkLog.staff_id) == actor.id, col(WorkLog.day) == day)
    ).one_or_none()


def _out(row: WorkLog) -> WorkLogOut:
    return WorkLogOut(row.day, row.content, row.version, row.submitted_at, saved=True)
