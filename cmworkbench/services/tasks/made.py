"""Tasks made by a rule outside the daily generation (the monthly tasks of
:mod:`.reminders`, a retention task opened by an import in :mod:`.retention`): inserted once
by their idempotency key, as the generation's are, and scored at once by the one score."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from cmworkbench import clock
from cmworkbench.db.models import Task
from cmworkbench.db.scoring import rescore_keyed
from cmworkbench.domain.enums import TaskStatus
from cmworkbench.services.core.notify import insert_once


def monthly_key(kind: str, staff_id: int, month: str) -> str:
    """The key of ``staff_id``'s monthly task of ``kind`` made in ``month`` (``YYYY-MM``)."""
    return f"monthly:{kind}:{staff_id}:{month}"


def insert_rule_task(
    session: Session,
    *,
    kind: str,
    customer_id: int | None,
    owner_id: int,
    due_at: datetime,
    reason: str,
    rule: str,
    key: str,
) -> bool:
    """Insert the task unless one with ``key`` exists, and score it; True when inserted."""
    values = {
        "kind": kind,
        "customer_id": customer_id,
        "owner_id": owner_id,
        "due_at": due_at.astimezone(UTC),
        "priority": 0,  # scored below, by the one score (db.scoring)
        "reason": reason,
        "status": TaskStatus.OPEN.value,
        "rule": rule,
        "idem_key": key,
        "created_at": clock.now(),
        "version": 1,
    }
    if not insert_once(session, Task, values):
        return False
    rescore_keyed(session.connection(), [key])
    return True
