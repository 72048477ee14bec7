"""Notifications (站内提醒) written by rules: SLA warnings, reminders, digests.

Every notification a rule writes carries an idempotency key (``Notification.idem_key``, rule +
object + threshold or period + recipient), so a job run twice, retried after a crash, or run by
two processes at once never tells anyone twice. On SQLite and PostgreSQL that is one
``INSERT … ON CONFLICT (idem_key) DO NOTHING``; the unique index decides, not a prior read.
Tasks made by a rule (``Task.idem_key``) are inserted the same way (:func:`insert_once`).
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import Notification, Staff
from cmworkbench.domain.enums import Role

TITLE_CHARS = 200
"""Column size of ``notification.title``: longer titles are cut."""


def leads_of(session: Session, owner: Staff) -> list[Staff]:
    """Who leads ``owner``: the active supervisor(s) of their team, or, for an owner in no
    team or a team without one, the branch head(s) of their branch."""
    query = select(Staff).where(col(Staff.active), col(Staff.branch_id) == owner.branch_id)
    supervisors = query.where(
        col(Staff.role) == Role.SUPERVISOR, col(Staff.team_id) == owner.team_id
    ).order_by(col(Staff.id))
    # an owner in no team has no supervisor (not every supervisor in no team)
    found = session.exec(supervisors).all() if owner.team_id is not None else []
    branch_heads = query.where(col(Staff.role) == Role.BRANCH_HEAD).order_by(col(Staff.id))
    return list(found or session.exec(branch_heads).all())


def tell_leads(
    session: Session,
    owner: Staff,
    *,
    kind: str,
    title: str,
    object_type: str,
    object_id: int,
    key: str,
    body: str | None = None,
    skip: int | None = None,
) -> int:
    """Notify who leads ``owner`` (:func:`leads_of`), but never ``owner`` or ``skip`` (the
    person acting); the key gets the recipient appended, so each is told once. Returns how
    many were told."""
    told = 0
    for lead in leads_of(session, owner):
        if lead.id is None or lead.id in (owner.id, skip):
            continue
        told += insert_notification(
            session,
            recipient=lead.id,
            kind=kind,
            title=title,
            object_type=object_type,
            object_id=object_id,
            key=f"{key}:{lead.id}",
            body=body,
        )
    return told


def insert_notification(
    session: Session,
    *,
    recipient: int,
    kind: str,
    title: str,
    object_type: str | None,
    object_id: int | None,
    key: str,
    body: str | None = None,
) -> bool:
    """Insert one notification unless one with idempotency ``key`` exists; True when inserted."""
    values = {
        "recipient_id": recipient,
        "kind": kind,
        "title": title[:TITLE_CHARS],
        "body": body,
        "object_type": object_type,
        "object_id": object_id,
        "idem_key": key,
        "created_at": clock.now(),
    }
    return insert_once(session, Notification, values)


def insert_once(session: Session, table: Any, values: dict[str, Any]) -> bool:
    """Insert one row of ``table`` (a notification, task or promise: a table with an
    ``idem_key``) unless a row with its ``idem_key`` exists; True when inserted. Concurrent
    callers race on the unique index, not on a read."""
    conn = session.connection()
    statement = _insert_once_statement(conn.dialect.name, table)
    if statement is None:  # pragma: no cover - other databases: check, then insert
        key = values["idem_key"]
        exists = session.exec(select(table.id).where(col(table.idem_key) == key))
        if exists.first() is not None:
            return False
        conn.execute(insert(table).values(**values))
        return True
    # One statement per table, the values bound at execution: a sweep sending two thousand
    # notices builds and compiles it once, not two thousand times.
    return conn.execute(statement, values).rowcount == 1


@functools.cache
def _insert_once_statement(dialect: str, table: Any) -> Any | None:
    statement = _conflict_insert(dialect, table)
    if statement is None:
        return None
    return (
        statement.on_conflict_do_nothing(index_elements=["idem_key"])
        # an INSERT's row count is kept only when asked for (psycopg reports -1 otherwise)
        .execution_options(preserve_rowcount=True)
    )


def conflict_insert(conn: Connection, table: Any) -> Any | None:
    """An INSERT that can say ``ON CONFLICT … DO NOTHING`` on the databases the workbench
    runs on (SQLite, PostgreSQL); ``None`` on any other."""
    return _conflict_insert(conn.dialect.name, table)


def _conflict_insert(dialect: str, table: Any) -> Any | None:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    return None
