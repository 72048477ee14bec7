"""tasks: result types and word lists (no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cmworkbench.domain.enums import InteractionKind


@dataclass(frozen=True)
class TodayRow:
    """One task on the Today list, as the screen and ``cmw tasks`` show it."""

    task_id: int
    version: int
    """The task's version when read: actions on the row are refused if it changed since."""
    kind: str
    due_at: datetime
    score: int
    reason: str
    """Why the row ranks where it does: ``A1 · 逾期 12 天 · VIP``."""
    task_reason: str | None
    """What the task itself says (the rule's or the manager's line)."""
    customer_no: str | None
    customer_name: str | None
    customer_value: str | None
    """Class (``A1``) or, for individuals without one, the asset tier."""
    flags: tuple[str, ...]
    phone: str
    """The customer's phone, masked (``138****5678``)."""
    owner_id: int
    covered_for: str | None
    """The name of the colleague on leave whose task this is; ``None`` for one's own."""


@dataclass(frozen=True)
class TaskChange:
    """What an action did to a task, for the screen to say so."""

    task_id: int
    status: str
    """The task's status afterwards: ``open`` or ``done``."""
    snoozed_until: datetime | None
    interaction_id: int | None = None
    """The interaction logged by the action, if any."""
    closed_task_ids: tuple[int, ...] = ()
    """Every task the action closed (the task itself, and others the work satisfied)."""


OUTCOMES: dict[str, tuple[str, ...]] = {
    InteractionKind.CALL: ("reached", "no_answer", "call_back", "wrong_number"),
    InteractionKind.VISIT: ("done", "cancelled", "rescheduled", "incident"),
    InteractionKind.SMS: ("sent",),
}
"""The outcomes each kind of contact may have (one key per outcome on the call list)."""


@dataclass(frozen=True)
class GenerationResult:
    """What one run of the generation did."""

    day: date
    created: dict[str, int]
    """New tasks per kind."""
    closed: int
    seconds: float

    @property
    def total_created(self) -> int:
        """All new tasks."""
        return sum(self.created.values())
