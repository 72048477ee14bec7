"""Tasks added by hand: a piece of work a manager owes a customer ("call back Thursday 10:00").

Generated tasks (cadence, maturity, care moments …) come from the daily job; this module is
the manual path used from the customer 360 screen. The task belongs to whoever adds it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Task
from cmworkbench.domain.enums import TaskKind, TaskStatus
from cmworkbench.i18n import t
from cmworkbench.services import audit
from cmworkbench.services.actor import Actor
from cmworkbench.services.scope import require_customer
from cmworkbench.services.validation import FieldsInvalid, choice_problem, text_problem

REASON_CHARS = 200
"""Column size of ``task.reason``: the line task lists show."""


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
    session.add(row)
    session.flush()
    assert row.id is not None
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="task",
        object_id=row.id,
        customer_id=customer.id,
        detail=f"{kind} {row.due_at.isoformat(timespec='minutes')}",
    )
    return row.id


def _check(due_at: datetime, note: str, kind: str) -> None:
    problems: dict[str, str] = {}
    if due_at.tzinfo is None or due_at.utcoffset() is None:
        problems["due_at"] = t("input.naive_time")
    if problem := text_problem(note, required=True):
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
