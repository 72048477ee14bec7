"""The one priority score that orders the call list, and the reason shown for each rank.

    score = class weight + kind weight + flag weights + churn weight
            + days since due (1 a day, at most 30) + standing

* class weight: A1 50, A2 40, B1 30, B2 20, C 10 (individuals without a class by tier:
  diamond 40, gold 30, mid/high-end 20, mass 10);
* kind weight: what is at stake if the task slips (a complaint's return call and a churn
  signal first, a birthday last);
* flags: VIP +15, government-important +15, industry benchmark +5, dual-span +5;
* churn: a customer marked at risk +20;
* days since due: from the due day on (0 on the due day itself), for due and overdue work;
* standing (:mod:`cmworkbench.domain.standing`): overdue, past the deadline (逾期), +10; due
  but not past the deadline (应联系 / 到期) +5; not yet due 0.

A contact task is due at the cadence's ideal day and overdue only past its maximum: an A1
customer last called on 11-18 reads on 12-13 ``A1 · 应联系 5 天 · 最迟 12-18``, not overdue. The
score of the day is stored in ``task.priority`` and kept true as tasks and customers change
(:mod:`cmworkbench.db.scoring`, the same weights as SQL), so a plan reads its first rows by
index. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cmworkbench.domain import vip
from cmworkbench.domain.standing import State, standing

CLASS_WEIGHT = {"A1": 50, "A2": 40, "B1": 30, "B2": 20, "C": 10}
TIER_WEIGHT = {"diamond": 40, "gold": 30, "mid_high": 20, "mass": 10}
KIND_WEIGHT = {
    "return_call": 25,
    "retention": 25,
    "first_contact": 20,
    "post_loan": 20,
    "maturity": 15,
    "after_sale": 15,
    "contact": 10,
    "follow_up": 10,
    "verify_info": 5,
    "care": 5,
    "manual": 10,
}
FLAG_WEIGHT = {"vip": 15, "government": 15, "benchmark": 5, "dual_span": 5}
AT_RISK_WEIGHT = 20
OVERDUE_WEIGHT, DUE_TODAY_WEIGHT = 10, 5
"""Past the deadline (逾期); due (应联系 / 到期) on the day shown but not past the deadline."""
MAX_OVERDUE_DAYS = 30
"""The days since due count up to this many."""


@dataclass(frozen=True)
class TaskFacts:
    """What the score and the reason are computed from."""

    kind: str
    due_on: date
    cls: str | None = None
    tier: str | None = None
    is_vip: bool = False
    is_government: bool = False
    is_benchmark: bool = False
    is_dual_span: bool = False
    status: str = "active"
    """The customer's status: ``active``, ``at_risk`` or ``lost``."""
    deadline_on: date | None = None
    """The task's last day (a contact: the cadence's maximum); ``None``: the due day."""


def value_weight(cls: str | None, tier: str | None) -> int:
    """The customer's weight by class, or by tier for individuals without a class."""
    if cls in CLASS_WEIGHT:
        return CLASS_WEIGHT[cls]
    return TIER_WEIGHT.get(tier or "", 5)


def flags(f: TaskFacts) -> list[str]:
    """The customer's priority flags, strongest first."""
    present = {
        "vip": vip.is_vip(f.is_vip, f.tier),
        "government": f.is_government,
        "benchmark": f.is_benchmark,
        "dual_span": f.is_dual_span,
    }
    return [name for name in FLAG_WEIGHT if present[name]]


def score(f: TaskFacts, today: date) -> int:
    """The priority of a task on ``today``: higher comes first."""
    where = standing(f.due_on, f.deadline_on, today)
    total = value_weight(f.cls, f.tier) + KIND_WEIGHT.get(f.kind, 10)
    total += sum(FLAG_WEIGHT[name] for name in flags(f))
    total += AT_RISK_WEIGHT if f.status == "at_risk" else 0
    if where.state is not State.UPCOMING:
        total += min((today - f.due_on).days, MAX_OVERDUE_DAYS)
        total += OVERDUE_WEIGHT if where.overdue else DUE_TODAY_WEIGHT
    return total


def reason_parts(f: TaskFacts, today: date) -> list[tuple[str, dict[str, object]]]:
    """Why a row ranks where it does, as catalog keys with their fields, e.g.
    ``A1 · 12 days overdue · VIP`` or ``A1 · due for 5 days · latest 12-18`` (the caller
    translates)."""
    parts: list[tuple[str, dict[str, object]]] = []
    label = f.cls or f.tier
    if label:
        parts.append(("priority.value", {"value": label}))
    parts.extend(standing_parts(f.due_on, f.deadline_on, today))
    parts.extend((f"priority.flag.{name}", {}) for name in flags(f))
    if f.status == "at_risk":
        parts.append(("priority.at_risk", {}))
    return parts


def standing_parts(
    due_on: date, deadline_on: date | None, today: date
) -> list[tuple[str, dict[str, object]]]:
    """Where the work stands, as catalog keys: ``逾期 3 天``; ``应联系 5 天 · 最迟 12-18``;
    ``今天到期``; ``3 天后到期``. The last day is named only when it is not the due day."""
    where = standing(due_on, deadline_on, today)
    if where.state is State.OVERDUE:
        return [("priority.overdue", {"days": where.days})]
    if where.state is State.UPCOMING:
        return [("priority.due_in", {"days": where.days})]
    parts: list[tuple[str, dict[str, object]]] = [
        ("priority.due_for", {"days": where.days}) if where.days else ("priority.due_today", {})
    ]
    if where.deadline_on == today and where.deadline_on != due_on:
        parts.append(("priority.latest_today", {}))
    elif where.deadline_on > today:
        parts.append(("priority.latest", {"day": f"{where.deadline_on:%m-%d}"}))
    return parts
