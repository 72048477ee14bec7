"""The after-sale return visit (售后回访): one rule for the daily generation, the closing of
its task and the report's figure. No I/O.

A product activated on day *A* is owed a return visit in its **window**: from
``after_sale_start_days`` after activation (the customer has used it a few days) to
``after_sale_months`` after it (the telecom handbook: 100% within 2 months), both days
included; the months are calendar months kept within the month (31 August + 2 months is
31 October, 31 December + 2 months is the end of February).

The visit is **made** by a held call or visit (:func:`cmworkbench.domain.task_rules.is_held`:
the customer was reached) *for* it: its purpose is the return visit, or it was logged from the
return visit's task (or ticked for it), inside the window. A call about something else, a
call on day 3 before the window opens, an unanswered call: none is the return visit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from cmworkbench.domain.task_rules import SATISFIED_BY, is_held

PURPOSE = "after_sale"
"""The purpose (and task kind) of the return visit."""
KINDS = tuple(sorted(SATISFIED_BY[PURPOSE]))
"""The kinds of contact that can be the return visit: a call or a visit."""


@dataclass(frozen=True)
class Window:
    """The days a return visit counts in, both included."""

    opens: date
    closes: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.opens <= day <= self.closes


def window(activated_on: date, start_days: int, months: int) -> Window:
    """The return visit's window of a product activated on ``activated_on``."""
    return Window(
        activated_on + timedelta(days=start_days), activated_on + relativedelta(months=months)
    )


def made_by(
    kind: str, outcome: str, status: str, purposes: Collection[str], on: date, within: Window
) -> bool:
    """Whether a logged contact (``kind``, ``outcome``, ``status``, for ``purposes``: its own
    purpose and the tasks it was logged for) on day ``on`` is the return visit of ``within``."""
    return kind in KINDS and is_held(kind, outcome, status) and PURPOSE in purposes and on in within
