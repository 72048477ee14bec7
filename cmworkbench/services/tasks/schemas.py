"""tasks: result types and word lists (no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    """Why the row ranks where it does: ``A1 · 逾期 12 天 · VIP``, ``A1 · 应联系 5 天 · 最迟
    12-18``."""
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
    state: str = "due"
    """Where the task stands on the day shown (:class:`~cmworkbench.domain.standing.State`):
    ``upcoming``, ``due`` (应联系 / 到期) or ``overdue`` (逾期, past its deadline)."""
    deadline_at: datetime | None = None
    """The last moment the task keeps its rule; ``None``: its due day is the last."""
    section: str = "plan"
    """``lead`` (what a supervisor or branch head acts on for their people, first),
    ``fixed`` (a time or a deadline today), ``plan`` (fitted to the day's capacity) or
    ``backlog`` (:data:`SECTIONS`)."""
    item: str = "task"
    """What the row is: a ``task``, a planned ``visit`` of the week's plan, or a ``complaint``
    deadline falling today (those two are not tasks: ``task_id`` is 0, ``ref`` names them);
    on a lead's row the record it opens: a ``ticket``, a waiting ``plan``, a colleague
    (``staff``), a ``customer`` or a ``team``."""
    ref: str = ""
    """The visit plan item's id, or the ticket number; on a lead's row the ticket number,
    ``week login`` of a plan, the colleague's login, the customer number or the team."""
    at: datetime | None = None
    """For a fixed row: its time today (a call-back's, a visit's, a deadline's)."""
    staff_login: str | None = None
    """On a lead's row (section ``lead``): the colleague it concerns (the ticket's owner, the
    plan's author, the manager behind or away)."""
    plan_week: str | None = None
    """On a lead's plan row: the ISO week of the plan waiting (``2026-W48``)."""
    prospect_id: int | None = None
    """A first contact owed to a prospect who is no customer yet (a lead of the pipeline):
    its id; the row's name and phone are the prospect's, and it has no customer number."""
    opportunity_id: int | None = None
    """A follow-up about an opportunity (quiet, or its proposal returned): ``Enter`` opens
    the opportunity rather than the customer."""


SECTIONS = ("lead", "fixed", "plan", "backlog")
"""The parts of a day: a lead's items first, then fixed-time items, the plan, the backlog."""

PULL = 5
"""Tasks one press of ``p`` pulls from the backlog into the day's plan (the screen says so)."""


@dataclass(frozen=True)
class Backlog:
    """What did not fit today: counted and aged by kind, never hidden."""

    total: int
    by_kind: dict[str, tuple[int, int]]
    """Task kind → (how many, the oldest's age in days since it fell due)."""

    @property
    def oldest_days(self) -> int:
        """The oldest backlog task's age in days, whatever its kind (0: no backlog)."""
        return max((oldest for _, oldest in self.by_kind.values()), default=0)


@dataclass(frozen=True)
class TodayPlan:
    """A person's day: the rows to work (fixed, then plan) and the backlog."""

    day: date
    rows: list[TodayRow]
    backlog: Backlog
    calls: int
    """The day's capacity in calls (by role, ``capacity`` in config)."""
    meetings: int
    planned_calls: int
    """Calls the fixed items and the plan use up."""
    planned_meetings: int
    done_today: int
    """Tasks of this person's list closed today."""
    backlog_rows: list[TodayRow] = field(default_factory=list)
    """The backlog's first rows by priority, when asked for (the backlog view)."""


@dataclass(frozen=True)
class DaySummary:
    """A person's day in figures, as their lead sees it on the team board (nothing stored)."""

    day: date
    plan_size: int
    """Rows of the day: the fixed items and the plan (what Today lists above the backlog)."""
    done_today: int
    """Tasks of this person's list closed today."""
    backlog: int
    """Open tasks due by the day that are not in it."""
    backlog_oldest_days: int
    """The oldest backlog task's age in days since it fell due (0: no backlog)."""


@dataclass(frozen=True)
class ContactLogged:
    """A logged contact: its id, the tasks it closed and the task kinds it was for."""

    interaction_id: int
    closed_task_ids: tuple[int, ...] = ()
    purposes: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpenTask:
    """One of a customer's open tasks, as the outcome dialog offers it to tick."""

    task_id: int
    kind: str
    due_at: datetime
    reason: str | None


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
