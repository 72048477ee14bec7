"""notifications: result types and word lists (no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cmworkbench.i18n import t


@dataclass(frozen=True)
class Target:
    """What opening a notification shows: a ticket, a customer's task, a planned visit."""

    object_type: str
    """``complaint``, ``task``, ``visit`` or ``promise``."""
    object_id: int
    ticket_no: str | None = None
    """A complaint's ticket number."""
    customer_no: str | None = None
    """The customer of a task (if it has one), a visit or a promise."""
    week: str | None = None
    """The ISO week (``2026-W48``) of a visit's plan."""
    owner_login: str | None = None
    """Whose plan a visit is on (a supervisor may be told about a team member's visit)."""
    stale: bool = False
    """What the notice is about needs nothing any more: the ticket is closed, the task done
    or given up. The notice is history, not news (the inbox says so)."""


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

    @property
    def stale(self) -> bool:
        """About a record that needs nothing any more (:attr:`Target.stale`)."""
        return self.target is not None and self.target.stale

    @property
    def shown_title(self) -> str:
        """The title as lists show it: a stale notice says so first ("已办结 · …")."""
        return t("notice.stale", title=self.title) if self.stale else self.title
