"""Closing tasks: the one way a task's row changes (guarded on the version read), and the
tasks logged work satisfies (:func:`close_satisfied_tasks`, table in
:mod:`cmworkbench.domain.task_rules`). Used by the actions on a task (:mod:`.actions`), by a
logged contact (:mod:`.contacts`) and by a verification of a customer's data."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlmodel import Session, col, select, update
from sqlmodel.sql.expression import SelectOfScalar

from cmworkbench import clock
from cmworkbench.db.models import Task
from cmworkbench.domain.enums import TaskKind, TaskStatus
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.tasks.made import monthly_key


def update_task(session: Session, task: Task, version: int | None, **values: object) -> None:
    """Write ``values`` if the task is still at ``version`` (the one read, if not given)."""
    seen = task.version if version is None else version
    result = session.exec(
        update(Task)
        .where(col(Task.id) == task.id, col(Task.version) == seen)
        .values(**values, version=col(Task.version) + 1)
    )
    if result.rowcount == 0:
        raise Conflict(t("task.conflict", task_id=task.id))
    session.refresh(task)


def close_task(session: Session, actor: Actor, task: Task, note: str, version: int | None) -> None:
    """Mark the task done with ``note``, audited."""
    update_task(
        session,
        task,
        version,
        status=TaskStatus.DONE,
        closed_at=clock.now(),
        closed_by_id=actor.id,
        note=note,
    )
    audit_task(session, actor, task, "close", note)


def audit_task(session: Session, actor: Actor, task: Task, action: str, detail: str) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="task",
        object_id=task.id,
        customer_id=task.customer_id,
        detail=detail,
    )


def open_tasks_of(customer_id: int, kinds: Collection[str]) -> SelectOfScalar[Task]:
    """The query of the customer's open tasks of ``kinds``, whoever owns them."""
    return select(Task).where(
        col(Task.customer_id) == customer_id,
        col(Task.status) == TaskStatus.OPEN,
        col(Task.kind).in_(kinds),
    )


def close_satisfied_tasks(
    session: Session, *, actor: Actor, customer_id: int, kinds: frozenset[str], note: str
) -> list[int]:
    """Close the customer's open tasks of ``kinds`` (whoever owns them): the work they ask for
    was done. Returns the ids closed."""
    if not kinds:
        return []
    query = open_tasks_of(customer_id, kinds)
    closed = []
    for task in session.exec(query).all():
        close_task(session, actor, task, note, None)
        assert task.id is not None
        closed.append(task.id)
    return closed


def close_verify_tasks(session: Session, *, actor: Actor, customer_id: int) -> list[int]:
    """Basic data re-verified (信息更新): the customer's open ``verify_info`` tasks are done."""
    kinds = frozenset({TaskKind.VERIFY_INFO.value})
    return close_satisfied_tasks(
        session, actor=actor, customer_id=customer_id, kinds=kinds, note="closed by verification"
    )


def close_directory_tasks(session: Session, *, actor: Actor, customer_id: int) -> list[int]:
    """A group's staff directory (通讯录) refreshed: its open refresh tasks are done."""
    kinds = frozenset({TaskKind.DIRECTORY_UPDATE.value})
    return close_satisfied_tasks(
        session, actor=actor, customer_id=customer_id, kinds=kinds, note="directory refreshed"
    )


def close_directory_tasks_of(session: Session, customer_ids: Sequence[int]) -> int:
    """The same for the groups of an import of contacts, in one statement per 500 (an import
    is audited as a whole; the tasks' note says why they closed)."""
    closed = 0
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        result = session.connection().execute(
            update(Task)
            .where(
                col(Task.customer_id).in_(ids[start : start + 500]),
                col(Task.kind) == TaskKind.DIRECTORY_UPDATE,
                col(Task.status) == TaskStatus.OPEN,
            )
            .values(
                status=TaskStatus.DONE,
                closed_at=clock.now(),
                note="directory refreshed (import)",
                version=col(Task.version) + 1,
            )
        )
        closed += int(result.rowcount or 0)
    return closed


def close_monthly_task(session: Session, *, actor: Actor, kind: str, month: str) -> list[int]:
    """The actor's monthly task of ``kind`` made in ``month`` (``YYYY-MM``) was done (the
    market report submitted): closed, if open."""
    task = session.exec(
        select(Task).where(
            col(Task.idem_key) == monthly_key(kind, actor.id, month),
            col(Task.status) == TaskStatus.OPEN,
        )
    ).one_or_none()
    if task is None:
        return []
    close_task(session, actor, task, f"{kind} submitted", None)
    assert task.id is not None
    return [task.id]
