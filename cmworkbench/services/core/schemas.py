"""core: result types and word lists (no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AuditEntry:
    """One audit row as people read it: who, what, which field, when."""

    at: datetime
    staff_login: str | None
    """``None`` for the system (scheduled jobs, imports)."""
    staff_name: str | None
    action: str
    """``create``, ``update``, ``verify``, ``reveal`` …"""
    object_type: str
    object_id: int | None
    field_name: str | None
    detail: str | None
    """What changed, e.g. ``138****5678 → 139****0000`` (PII masked)."""
    recorded_at: datetime | None = None
    """When the row was really written (``at`` is the business time, which ``--now`` sets)."""
    customer_no: str | None = None
    """The customer the entry is about, if any."""
    id: int | None = None
    """The audit row's own id."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: every service checks scope against this."""

    id: int
    login: str
    name: str
    role: str
    branch_id: int
    team_id: int | None = None
