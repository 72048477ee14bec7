"""Follow-ups a record puts on someone's Today under a key of its own (``Task.idem_key``:
``proposal_returned:12:…``, ``credit_returned:7:…``), closed when the record moves on: the
opportunity takes a step, the file is submitted again."""

from __future__ import annotations

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import Task
from cmworkbench.domain.enums import TaskStatus
from cmworkbench.services.core.schemas import Actor


def close_keyed(session: Session, actor: Actor | None, prefix: str) -> None:
    """Close every open task whose key starts with ``prefix``, by ``actor`` (``None``: the
    system), now."""
    query = select(Task).where(
        col(Task.idem_key).startswith(prefix), col(Task.status) == TaskStatus.OPEN
    )
    for task in session.exec(query).all():
        task.status, task.closed_at = TaskStatus.DONE, clock.now()
        task.closed_by_id = actor.id if actor is not None else None
        task.version += 1
        session.add(task)
