"""The big-customer pipeline's pure rules: the steps in order, what a move needs, the
proposal's return over cost, and money as people type it. No I/O: the steps and the ratio
come from ``[pipeline]`` (:class:`~cmworkbench.config.PipelineSettings`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from cmworkbench.config import PipelineSettings
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.i18n import label, language

MOST_YUAN = 100_000_000_000
"""No opportunity is worth a hundred billion yuan: a figure above it is a typing slip."""

_MONEY = re.compile(r"^(\d+(?:\.\d+)?)\s*(万|w|W|亿)?$")
_UNITS = {None: 1, "万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000}


def parse_yuan(text: str) -> int | None:
    """Whole yuan from what a manager types: ``1200000``, ``1,200,000``, ``120万``, ``1.5亿``
    (``None``: not an amount). Commas and spaces between digits are ignored; a fraction of a
    yuan is rounded."""
    cleaned = text.strip().replace(",", "").replace("，", "").replace("¥", "").replace("元", "")
    match = _MONEY.match(cleaned)
    if match is None:
        return None
    try:
        amount = Decimal(match[1]) * _UNITS[match[2]]
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    return int(amount.to_integral_value())


def short_yuan(yuan: int | None) -> str:
    """An amount as a manager says it: ``120万``, ``1,250.5万`` (en: ``1.2M``, ``850k``)."""
    if yuan is None:
        return ""

    def trimmed(value: float) -> str:
        return f"{value:,.2f}".rstrip("0").rstrip(".")

    if language() == "zh_CN":
        return trimmed(yuan / 10_000) + "万" if yuan >= 10_000 else f"{yuan:,}"
    if yuan >= 1_000_000:
        return trimmed(yuan / 1_000_000) + "M"
    return trimmed(yuan / 1_000) + "k" if yuan >= 1_000 else f"{yuan:,}"


def stage_label(pipeline: PipelineSettings, stage: str) -> str:
    """A step's name: the branch's own (``[pipeline.names]``) or the catalog's."""
    return pipeline.names.get(stage) or label("opportunity_stage", stage)


def open_stages(pipeline: PipelineSettings) -> list[str]:
    """The steps an open opportunity can be at: all but the last (a won one's)."""
    return pipeline.stages[:-1]


def next_stage(pipeline: PipelineSettings, stage: str) -> str | None:
    """The step after ``stage`` an open opportunity moves to (``None``: the next is the won
    step, reached by winning it)."""
    stages = open_stages(pipeline)
    if stage not in stages:
        return None
    i = stages.index(stage)
    return stages[i + 1] if i + 1 < len(stages) else None


def index(pipeline: PipelineSettings, stage: str) -> int:
    """Where ``stage`` stands (a stage no longer configured counts as the first)."""
    return pipeline.stages.index(stage) if stage in pipeline.stages else 0


@dataclass(frozen=True)
class Move:
    """What moving from one step to another means for the proposal."""

    enters_proposal: bool
    """It reaches or passes the proposal step from before it: cost and return are asked."""
    passes_proposal: bool
    """It goes past the proposal step: the proposal must be clear or approved."""
    back_before_proposal: bool
    """It goes back before the proposal step: a new proposal will be needed."""


def move(pipeline: PipelineSettings, from_stage: str, to_stage: str) -> Move:
    """What the move from ``from_stage`` to ``to_stage`` asks (see :class:`Move`)."""
    p = index(pipeline, pipeline.proposal_stage)
    a, b = index(pipeline, from_stage), index(pipeline, to_stage)
    return Move(enters_proposal=a < p <= b, passes_proposal=b > p, back_before_proposal=b < p <= a)


def ratio(cost: int, expected_return: int) -> float | None:
    """Expected return over cost (``None``: no cost, nothing to weigh)."""
    return None if cost <= 0 else expected_return / cost


def needs_approval(pipeline: PipelineSettings, cost: int, expected_return: int) -> bool:
    """A proposal whose expected return is below ``min_return_ratio`` × cost needs the
    supervisor's approval (1:1.2 does, 1:1.5 does not). A proposal without a cost is clear."""
    found = ratio(cost, expected_return)
    return found is not None and found < pipeline.min_return_ratio


def ratio_text(cost: int | None, expected_return: int | None) -> str:
    """``1:1.20`` as the handbook writes it (empty when there is no proposal)."""
    if cost is None or expected_return is None:
        return ""
    found = ratio(cost, expected_return)
    return "—" if found is None else f"1:{found:.2f}"


def by_next_workday(calendar: BranchCalendar, today: date) -> datetime:
    """The close of the next working day: when a next step given without a time is due, and
    when a returned proposal is to be answered (decision: a working day to revise it, as the
    first contact of a referral; past it the follow-up is overdue on Today)."""
    return calendar.closing(calendar.add_workdays(today, 1))


QUIET_KEY = "opportunity_quiet:{id}:{since}"
"""``Task.idem_key`` of a quiet opportunity's follow-up: one per quiet spell."""
RETURNED_KEY = "proposal_returned:{id}:{version}"
"""``Task.idem_key`` of the follow-up a returned proposal puts on its owner's Today."""
FOLLOW_UP_RULES = ("opportunity_quiet", "proposal_returned")


def opportunity_of_task(rule: str | None, idem_key: str | None) -> int | None:
    """The opportunity a follow-up task is about (a quiet spell, a returned proposal), read
    from its key; ``None`` for any other task."""
    if rule not in FOLLOW_UP_RULES or not idem_key:
        return None
    _, _, rest = idem_key.partition(":")
    number = rest.partition(":")[0]
    return int(number) if number.isdigit() else None
