"""Due or overdue: one meaning everywhere (DESIGN.md, "A day a manager can work").

A piece of work (a task, a customer's next contact) has a *due* day, from which it is owed
(应联系 / 到期), and a *deadline* day, the last day that still keeps its rule. Past the deadline
it is overdue (逾期). For a contact the due day is the cadence's ideal day and the deadline its
maximum (``cadence.*.ideal_days`` / ``max_days``); for a deadline-type task (a post-loan check,
an after-sale return visit, a complaint's return call) the two are the same day.

Today, the customer 360 view, task JSON, the reports and the team board all ask
:func:`standing` (or :func:`is_overdue`), so one customer is overdue or not everywhere alike.
Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class State(StrEnum):
    UPCOMING = "upcoming"
    """Not owed yet: before the due day."""
    DUE = "due"
    """Owed (应联系 / 到期): on or after the due day, not past the deadline."""
    OVERDUE = "overdue"
    """Past the deadline (逾期)."""


@dataclass(frozen=True)
class Standing:
    """Where a piece of work stands on a day."""

    state: State
    due_on: date
    deadline_on: date
    days: int
    """Upcoming: days until due. Due: days since the due day (0: due today). Overdue: days past
    the deadline."""

    @property
    def overdue(self) -> bool:
        return self.state is State.OVERDUE


def is_overdue(deadline_on: date, today: date) -> bool:
    """Whether work whose last day is ``deadline_on`` is overdue on ``today``."""
    return today > deadline_on


def standing(due_on: date, deadline_on: date | None, today: date) -> Standing:
    """Where work due on ``due_on`` with its last day ``deadline_on`` (``None``: the due day
    itself) stands on ``today``."""
    last = max(deadline_on or due_on, due_on)
    if is_overdue(last, today):
        return Standing(State.OVERDUE, due_on, last, (today - last).days)
    if today >= due_on:
        return Standing(State.DUE, due_on, last, (today - due_on).days)
    return Standing(State.UPCOMING, due_on, last, (due_on - today).days)
