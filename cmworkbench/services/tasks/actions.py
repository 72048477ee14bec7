"""Tasks: adding one by hand, working one from the Today list, and closing them.

Generated tasks (cadence, maturity, care moments …) come from the daily job; :func:`add_task`
is the manual path ("call back Thursday 10:00"), owned by whoever adds it.

Working a task (:func:`log_task_call`, :func:`log_task_visit`, :func:`snooze_task`,
:func:`complete_task`) is allowed on the actor's own tasks and on those they cover for a
colleague on leave (:func:`cmworkbench.services.tasks.today.covered_staff`); every change is
audited and checked against the version the screen read (a concurrent change is a
:class:`Conflict`, never silently overwritten). Logged work closes the tasks it satisfies
(:func:`.closing.close_satisfied_tasks`, table in :mod:`cmworkbench.domain.task_rules`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Task
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import InteractionKind, TaskKind, TaskStatus
from cmworkbench.i18n import label, t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, InvalidInput, NotFound
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_customer
from cmworkbench.services.core.validation import FieldsInvalid, choice_problem, text_problem
from cmworkbench.services.tasks.closing import audit_task, close_task, update_task
from cmworkbench.services.tasks.contacts import record_contact, served_tasks
from cmworkbench.services.tasks.schemas import TaskChange
from cmworkbench.services.tasks.today import covered_staff

REASON_CHARS = 200
"""Column size of ``task.reason``: the line task lists show."""

NO_ANSWER_SNOOZE = timedelta(hours=3)
"""An unanswered call puts the task aside this long, then it comes back on the list: calling
again at another time of the day raises the chance of reaching the customer."""

WRONG_NUMBER_NOTE = "wrong number"
"""The note a task is closed with when the number on file is wrong (stored, not shown
translated: the audit log and the note are records, not screen text)."""


def add_task(
    *,
    session: Session,
    actor: Actor,
    customer_no: str,
    due_at: datetime,
    note: str,
    kind: str = TaskKind.MANUAL,
    settings: Settings | None = None,
) -> int:
    """Add an open task on a customer in scope, owned by the actor; returns the task id.

    ``due_at`` must be an aware instant (a naive one could mean any timezone). ``note`` is
    required; its first line (cut to 200 characters) becomes the task's reason, shown in
    lists. ``settings`` is accepted for the uniform service call and not needed yet.
    """
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    _check(due_at, note, kind)
    text = note.strip()
    row = Task(
        kind=kind,
        customer_id=customer.id,
        owner_id=actor.id,
        due_at=due_at.astimezone(UTC),
        priority=0,
        reason=_reason(text),
        status=TaskStatus.OPEN,
        note=text,
        created_at=clock.now(),
    )
    row_id = audit.created(
        session,
        row,
        actor=actor,
        object_type="task",
        customer_id=customer.id,
        detail=f"{kind} {row.due_at.isoformat(timespec='minutes')}",
    )
    return row_id


def _check(due_at: datetime, note: str, kind: str) -> None:
    problems: dict[str, str] = {}
    if due_at.tzinfo is None or due_at.utcoffset() is None:
        problems["due_at"] = t("input.naive_time")
    if problem := text_problem(note, required=True, multiline=True):
        problems["note"] = problem
    if problem := choice_problem(kind, tuple(k.value for k in TaskKind)):
        problems["kind"] = problem
    if problems:
        raise FieldsInvalid(problems, label_prefix="task.field.")


def _reason(text: str) -> str:
    first_line = text.splitlines()[0]
    if len(first_line) <= REASON_CHARS:
        return first_line
    return first_line[: REASON_CHARS - 1] + "…"


# -- working a task from the Today list ------------------------------------------------------


def require_task(*, session: Session, actor: Actor, task_id: int) -> Task:
    """The open task ``task_id`` if it is the actor's own or one they cover today."""
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(t("task.not_found", task_id=task_id))
    if task.owner_id != actor.id:
        covered = covered_staff(session=session, actor=actor, day=clock.today())
        if task.owner_id not in covered:  # the same refusal as for a task that is not there
            raise NotFound(t("task.not_found", task_id=task_id))
    if task.status != TaskStatus.OPEN:
        raise Conflict(t("task.not_open", task_id=task_id))
    return task


def _customer_of(session: Session, task: Task) -> Customer:
    customer = session.get(Customer, task.customer_id) if task.customer_id else None
    if customer is None:
        raise InvalidInput(t("task.no_customer", task_id=task.id))
    return customer


def _log_on_task(
    session: Session,
    actor: Actor,
    settings: Settings,
    task: Task,
    kind: str,
    outcome: str,
    note: str | None,
    also: Sequence[int],
    retention: str | None = None,
) -> tuple[int, list[int]]:
    """Log the contact the task asked for, also for the customer's open tasks ``also`` (ticked
    in the outcome dialog) and, for a call-back, for the task it continues; returns the
    interaction and the tasks it closed."""
    customer = _customer_of(session, task)
    others = [task_id for task_id in also if task_id != task.id]
    origin = task.origin_task_id
    if origin is not None and origin not in others:
        origin_task = session.get(Task, origin)
        if origin_task is not None and origin_task.status == TaskStatus.OPEN:
            others.insert(0, origin)
    served = [task, *served_tasks(session, customer, others, kind, settings)]
    logged = record_contact(
        session,
        actor=actor,
        settings=settings,
        customer=customer,
        kind=kind,
        outcome=outcome,
        note=note,
        served=served,
        retention=retention,
    )
    session.refresh(task)
    return logged.interaction_id, list(logged.closed_task_ids)


def _change(task: Task, interaction_id: int | None, closed: list[int]) -> TaskChange:
    assert task.id is not None
    return TaskChange(task.id, task.status, task.snoozed_until, interaction_id, tuple(closed))


def log_task_call(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    task_id: int,
    outcome: str,
    note: str | None = None,
    call_back_at: datetime | None = None,
    version: int | None = None,
    also: Sequence[int] = (),
    retention: str | None = None,
) -> TaskChange:
    """Log the outcome of the call a task asked for (and, ``also``, for other open tasks of
    the customer ticked in the dialog); ``retention``: how a retention talk ended (required
    when the call reached the customer for a retention task).

    ``reached`` closes the task and the ticked ones it can (and the cadence task);
    ``no_answer`` puts the task aside for :data:`NO_ANSWER_SNOOZE`; ``call_back`` makes a
    call-back task at ``call_back_at`` (required, in the future), a fixed-time item of that
    day reminded like a visit, which continues this task (it leaves the list meanwhile; a
    call-back asked again on a call-back moves it); ``wrong_number`` closes it with the note
    "wrong number".
    """
    task = require_task(session=session, actor=actor, task_id=task_id)
    if outcome == "call_back" and _future_problem(call_back_at):
        raise FieldsInvalid(
            {"call_back_at": _future_problem(call_back_at) or ""}, label_prefix="task.field."
        )
    if version is not None and version != task.version:
        raise Conflict(t("task.conflict", task_id=task_id))
    interaction_id, closed = _log_on_task(
        session, actor, settings, task, InteractionKind.CALL, outcome, note, also, retention
    )
    if task.status == TaskStatus.OPEN:
        if outcome == "no_answer":
            _snooze(session, actor, task, clock.now() + NO_ANSWER_SNOOZE, None)
        elif outcome == "call_back" and call_back_at is not None:
            _call_back(session, actor, task, call_back_at.astimezone(UTC), note)
        elif outcome == "wrong_number":
            close_task(session, actor, task, WRONG_NUMBER_NOTE, None)
            closed.append(task_id)
    return _change(task, interaction_id, closed)


def log_task_visit(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    task_id: int,
    outcome: str,
    note: str | None = None,
    version: int | None = None,
    also: Sequence[int] = (),
    retention: str | None = None,
) -> TaskChange:
    """Log the outcome of the visit a task asked for (and, ``also``, for ticked tasks): a
    held visit (``done``, ``incident``) closes them (``post_loan`` only by a visit); a visit
    that did not take place (``cancelled``, ``rescheduled``) keeps them open. ``retention``:
    as for a call."""
    task = require_task(session=session, actor=actor, task_id=task_id)
    if version is not None and version != task.version:
        raise Conflict(t("task.conflict", task_id=task_id))
    interaction_id, closed = _log_on_task(
        session, actor, settings, task, InteractionKind.VISIT, outcome, note, also, retention
    )
    return _change(task, interaction_id, closed)


def _call_back(session: Session, actor: Actor, task: Task, at: datetime, note: str | None) -> None:
    """The customer asked to be called at ``at``: a call-back task then, continuing ``task``
    (which leaves the list while it is open), or, on a call-back, the same one moved."""
    if task.kind == TaskKind.CALL_BACK:
        update_task(session, task, None, due_at=at, deadline_at=at, snoozed_until=None)
        audit_task(session, actor, task, "snooze", at.isoformat(timespec="minutes"))
        return
    reason = _reason(t("task.call_back_reason", what=task.reason or label("task_kind", task.kind)))
    row = Task(
        kind=TaskKind.CALL_BACK,
        customer_id=task.customer_id,
        owner_id=task.owner_id,
        due_at=at,
        deadline_at=at,
        priority=task.priority,
        reason=reason,
        status=TaskStatus.OPEN,
        note=(note or "").strip() or None,
        origin_task_id=task.id,
        created_at=clock.now(),
    )
    audit.created(
        session,
        row,
        actor=actor,
        object_type="task",
        customer_id=task.customer_id,
        detail=f"call_back {at.isoformat(timespec='minutes')} for #{task.id}",
    )


def _future_problem(moment: datetime | None) -> str | None:
    if moment is None:
        return t("input.required")
    if moment.tzinfo is None or moment.utcoffset() is None:
        return t("input.naive_time")
    if moment <= clock.now():
        return t("task.not_future")
    return None


def snooze_until(settings: Settings, *, until: datetime | None, workdays: int | None) -> datetime:
    """When a snooze ends: ``until`` itself, or the opening of the ``workdays``-th next working
    day of the branch calendar (weekends and holidays skipped, make-up days 调休 honoured)."""
    if (until is None) == (workdays is None):
        raise InvalidInput(t("task.snooze_how"))
    if workdays is not None:
        if workdays < 1:
            raise FieldsInvalid({"workdays": t("task.snooze_workdays")}, label_prefix="task.field.")
        calendar = BranchCalendar.from_settings(settings.calendar)
        return calendar.opening(calendar.add_workdays(clock.today(), workdays)).astimezone(UTC)
    if problem := _future_problem(until):
        raise FieldsInvalid({"until": problem}, label_prefix="task.field.")
    assert until is not None
    return until.astimezone(UTC)


def _snooze(
    session: Session, actor: Actor, task: Task, until: datetime, version: int | None
) -> None:
    update_task(session, task, version, snoozed_until=until)
    audit_task(session, actor, task, "snooze", until.isoformat(timespec="minutes"))


def snooze_task(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    task_id: int,
    until: datetime | None = None,
    workdays: int | None = None,
    version: int | None = None,
) -> TaskChange:
    """Put a task aside until ``until`` or the opening of the ``workdays``-th next working day;
    it leaves the Today list meanwhile."""
    task = require_task(session=session, actor=actor, task_id=task_id)
    moment = snooze_until(settings, until=until, workdays=workdays)
    _snooze(session, actor, task, moment, version)
    return _change(task, None, [])


def complete_task(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    task_id: int,
    note: str,
    version: int | None = None,
) -> TaskChange:
    """Close a task by hand; the note (what was done) is required."""
    task = require_task(session=session, actor=actor, task_id=task_id)
    if problem := text_problem(note, required=True, multiline=True):
        raise FieldsInvalid({"note": problem}, label_prefix="task.field.")
    close_task(session, actor, task, note.strip(), version)
    return _change(task, None, [task_id])
