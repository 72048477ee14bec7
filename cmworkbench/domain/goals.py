"""Sales goals' arithmetic, pure: sharing a whole over its parts so the parts always sum to it.

* :func:`share`: a whole over weights by the largest remainder (Hamilton's method): each part
  gets the whole number part of its exact share, and the units left go to the largest
  remainders, ties to the earlier part, so the same input always gives the same parts.
* :func:`months`, :func:`month_weeks`: a year's months (shared evenly: 1,200 a year is 100 a
  month) and a month's weeks on the branch calendar, weighted by the month's working days in
  each (a week across two months has a part in each; a week without a working day gets none).
* :func:`adjust`: one part changed by hand; the others take up the difference in proportion to
  what they had, so the whole is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from cmworkbench.config import GOAL_UNITS

K = TypeVar("K")

UNITS = {
    "new_customers": "count",
    "deposit_growth": "yuan",
    "products_opened": "count",
    "opportunities_won": "count",
    "won_value": "yuan",
    "referrals_converted": "count",
    "visits_done": "count",
}
"""The measures a goal may be set on, and their unit. ``products_opened`` may name a category
(``products_opened.wealth``: the ``[referrals] products``)."""
assert tuple(UNITS) == GOAL_UNITS


def base_measure(measure: str) -> str:
    """``products_opened.wealth`` → ``products_opened``."""
    return measure.split(".", 1)[0]


def share(whole: int, weights: Sequence[float]) -> list[int]:
    """``whole`` over ``weights`` (none negative) by the largest remainder; the parts sum to
    ``whole``. All weights zero: shared evenly."""
    if not weights:
        return []
    if whole < 0:
        return [-p for p in share(-whole, weights)]
    total = float(sum(weights))
    if total <= 0:
        weights, total = [1.0] * len(weights), float(len(weights))
    exact = [whole * w / total for w in weights]
    parts = [int(x) for x in exact]
    left = whole - sum(parts)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def share_by(whole: int, weights: Mapping[K, float]) -> dict[K, int]:
    """:func:`share` over a mapping, in its order."""
    keys = list(weights)
    return dict(zip(keys, share(whole, [weights[k] for k in keys]), strict=True))


def months(year: int) -> list[str]:
    """``2026-01`` … ``2026-12``."""
    return [f"{year:04d}-{m:02d}" for m in range(1, 13)]


@dataclass(frozen=True)
class WeekPart:
    """The part of an ISO week inside a month."""

    key: str
    """``2026-12-W49``."""
    first: date
    last: date
    workdays: int


def month_days(month: str) -> tuple[date, date]:
    """The first and last day of ``2026-12``."""
    year, m = (int(x) for x in month.split("-"))
    first = date(year, m, 1)
    nxt = date(year + (m == 12), m % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def month_weeks(month: str, is_workday: Callable[[date], bool]) -> list[WeekPart]:
    """The weeks of ``month`` (ISO weeks, Monday to Sunday, cut at the month's edges) with the
    month's working days in each (the branch calendar: holidays, make-up days 调休)."""
    first, last = month_days(month)
    parts: list[WeekPart] = []
    start = first
    while start <= last:
        end = min(start + timedelta(days=6 - start.weekday()), last)
        week = start.isocalendar()[1]
        days = sum(1 for n in range((end - start).days + 1) if is_workday(start + timedelta(n)))
        parts.append(WeekPart(f"{month}-W{week:02d}", start, end, days))
        start = end + timedelta(days=1)
    return parts


def week_shares(whole: int, weeks: Sequence[WeekPart]) -> list[int]:
    """A month's goal over its weeks by working days (a month without one: evenly)."""
    return share(whole, [float(w.workdays) for w in weeks])


def adjust(parts: Mapping[K, int], key: K, value: int) -> dict[K, int]:
    """``parts`` with ``parts[key]`` set to ``value``, the others taking up the difference in
    proportion to what they had (evenly when they had nothing), so the whole is kept. Raises
    :class:`ValueError` when it cannot be kept: ``value`` below 0 or above the whole, or no
    other part to take up the difference."""
    whole = sum(parts.values())
    if key not in parts:
        raise ValueError("no such part")
    if value < 0 or (whole >= 0 and value > whole):
        raise ValueError("out of range")
    others = [k for k in parts if k != key]
    if not others:
        if value != whole:
            raise ValueError("no other part")
        return dict(parts)
    rest = whole - value
    shared = share_by(rest, {k: float(parts[k]) for k in others})
    return {k: (value if k == key else shared[k]) for k in parts}
