"""The one priority score that orders the call list, and the reason shown for each rank.

    score = class weight + kind weight + flag weights + churn weight
            + days overdue (1 a day, at most 30) + deadline proximity

* class weight: A1 50, A2 40, B1 30, B2 20, C 10 (individuals without a class by tier:
  diamond 40, gold 30, mid/high-end 20, mass 10);
* kind weight: what is at stake if the task slips (a complaint's return call and a churn
  signal first, a birthday last);
* flags: VIP +15, government-important +15, industry benchmark +5, dual-span +5;
* churn: a customer marked at risk +20;
* deadline proximity: overdue +10, due today +5.

The same numbers serve the SQL of the daily generation (stored in ``task.priority``) and the
listing, which recomputes the score for the day it shows. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CLASS_WEIGHT = {"A1": 50, "A2": 40, "B1": 30, "B2": 20, "C": 10}
TIER_WEIGHT = {"diamond": 40, "gold": 30, "mid_high": 20, "mass": 10}
KIND_WEIGHT = {
    "return_call": 25,
    "retention": 25,
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
MAX_OVERDUE_DAYS = 30


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


def value_weight(cls: str | None, tier: str | None) -> int:
    """The customer's weight by class, or by tier for individuals without a class."""
    if cls in CLASS_WEIGHT:
        return CLASS_WEIGHT[cls]
    return TIER_WEIGHT.get(tier or "", 5)


def flags(f: TaskFacts) -> list[str]:
    """The customer's priority flags, strongest first."""
    present = {
        "vip": f.is_vip or f.tier in ("diamond", "gold"),
        "government": f.is_government,
        "benchmark": f.is_benchmark,
        "dual_span": f.is_dual_span,
    }
    return [name for name in FLAG_WEIGHT if present[name]]


def score(f: TaskFacts, today: date) -> int:
    """The priority of a task on ``today``: higher comes first."""
    overdue = (today - f.due_on).days
    total = value_weight(f.cls, f.tier) + KIND_WEIGHT.get(f.kind, 10)
    total += sum(FLAG_WEIGHT[name] for name in flags(f))
    total += AT_RISK_WEIGHT if f.status == "at_risk" else 0
    total += min(max(overdue, 0), MAX_OVERDUE_DAYS)
    total += OVERDUE_WEIGHT if overdue > 0 else DUE_TODAY_WEIGHT if overdue == 0 else 0
    return total


def reason_parts(f: TaskFacts, today: date) -> list[tuple[str, dict[str, object]]]:
    """Why a row ranks where it does, as catalog keys with their fields, e.g.
    ``A1 · 12 days overdue · VIP`` (the caller translates)."""
    parts: list[tuple[str, dict[str, object]]] = []
    label = f.cls or f.tier
    if label:
        parts.append(("priority.value", {"value": label}))
    overdue = (today - f.due_on).days
    if overdue > 0:
        parts.append(("priority.overdue", {"days": overdue}))
    elif overdue == 0:
        parts.append(("priority.due_today", {}))
    else:
        parts.append(("priority.due_in", {"days": -overdue}))
    parts.extend((f"priority.flag.{name}", {}) for name in flags(f))
    if f.status == "at_risk":
        parts.append(("priority.at_risk", {}))
    return parts
