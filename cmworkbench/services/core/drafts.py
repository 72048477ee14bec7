"""Drafts: what a person was typing, kept across a dropped connection or a restart.

DESIGN.md: over SSH, when the connection drops the process exits; a complaint or visit
record being typed is kept as a draft. A form saves its fields here as they change and
clears them once saved for real; opened again (by the same person, for the same thing) it
starts from the draft. Drafts live in ``app_state``, one row per person and key, so another
staff member never sees them.
"""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import AppState
from cmworkbench.services.core.schemas import Actor

PREFIX = "draft:"
_MOST = 64 - len(PREFIX)


def _key(name: str) -> str:
    return PREFIX + name[:_MOST]


def _row(session: Session, actor: Actor, name: str) -> AppState | None:
    return session.exec(
        select(AppState).where(col(AppState.staff_id) == actor.id, col(AppState.key) == _key(name))
    ).one_or_none()


def save_draft(*, session: Session, actor: Actor, name: str, fields: dict[str, str]) -> None:
    """Keep ``fields`` as the actor's draft ``name`` (e.g. ``complaint:C001``); an all-empty
    form clears it."""
    row = _row(session, actor, name)
    if not any(v.strip() for v in fields.values()):
        if row is not None:
            session.delete(row)
        return
    value = json.dumps(fields, ensure_ascii=False, sort_keys=True)
    if row is None:
        row = AppState(staff_id=actor.id, key=_key(name), value=value, updated_at=clock.now())
    else:
        row.value, row.updated_at = value, clock.now()
    session.add(row)


def load_draft(*, session: Session, actor: Actor, name: str) -> dict[str, str] | None:
    """The actor's draft ``name``, or ``None``."""
    row = _row(session, actor, name)
    if row is None:
        return None
    try:
        value = json.loads(row.value)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return {str(k): str(v) for k, v in value.items()}


def clear_draft(*, session: Session, actor: Actor, name: str) -> None:
    """Forget the actor's draft ``name`` (the record was saved)."""
    row = _row(session, actor, name)
    if row is not None:
        session.delete(row)
