"""notifications: result types and word lists (no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Target:
    """What opening a notification shows: a ticket, a customer's task, a planned visit."""

    object_type: str
    """``complaint``, ``task`` or ``visit``."""
    object_id: int
    ticket_no: str | None = None
    """A complaint's ticket number."""
    customer_no: str | None = None
    """The customer of a task (if it has one) or of a visit."""
    week: str | None = None
    """The ISO week (``2026-W48``) of a visit's plan."""
    owner_login: str | None = None
    """Whose plan a visit is on (a supervisor may be told about a team member's visit)."""


@dataclass(frozen=True)
class NotificationOut:
    """One notification as the inbox and the toasts show it."""

    id: int
    kind: str
    """``sla_warn``, ``sla_escalate``, ``sla_breach``, ``complaint_a_class`` …; its label is
    ``enum.notification_kind.<kind>``."""
    title: str
    body: str | None
    object_type: str | None
    object_id: int | None
    created_at: datetime
    read_at: datetime | None
    target: Target | None
    """What ``Enter`` opens; ``None`` for a notice about nothing in particular (a reminder, a
    digest) or about a record that no longer exists."""

    @property
    def unread(self) -> bool:
        """Not opened or marked read yet."""
        return self.read_at is None
