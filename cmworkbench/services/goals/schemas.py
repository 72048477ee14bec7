"""What the goals services return (screens and the CLI import these, never the services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cmworkbench.i18n import label
from cmworkbench.services.reports.schemas import yuan_short

LEVELS = ("branch", "team", "staff")
RULES = ("even", "book", "last_year")
"""How a goal is shared over teams and managers: evenly, by book size (customers owned), or by
last year's share of the measure's actuals (evenly where there were none)."""


@dataclass(frozen=True)
class GoalOut:
    """One goal: whose, for which period, how much, and how it was reached."""

    measure: str
    period: str
    """``2026``, ``2026-12`` or ``2026-12-W49`` (the part of week 49 in December)."""
    level: str
    """One of :data:`LEVELS`."""
    holder: str
    """``branch:1``, ``team:3``, ``staff:12``."""
    name: str
    """The branch's, the team's or the manager's name."""
    login: str | None
    """The manager's login (``None`` for the branch and a team)."""
    team: str | None
    """The manager's team name."""
    amount: int
    rule: str
    version: int


@dataclass(frozen=True)
class GoalChange:
    """What a breakdown or an adjustment wrote: how many goals, and the ones it changed."""

    measure: str
    period: str
    written: int
    changed: tuple[GoalOut, ...]


YUAN_MEASURES = ("deposit_growth", "won_value")
"""Measures counted in yuan (the rest count records: customers, products, visits …)."""


def measure_label(measure: str) -> str:
    """``新增客户``; a measure of one category: ``产品开通·理财``."""
    base, _, category = measure.partition(".")
    name = label("goal_measure", base)
    return f"{name}·{label('product_kind', category)}" if category else name


def amount_text(measure: str, amount: float) -> str:
    """An amount of ``measure`` for people: ``120.0万`` for yuan, ``12`` for a count (none:
    ``0``)."""
    if measure.split(".", 1)[0] in YUAN_MEASURES and amount:
        return yuan_short(amount)
    return f"{amount:,.0f}"


def share_text(share: float | None) -> str:
    """A share of goal for people: ``85.0%``; ``—`` without a goal."""
    return "—" if share is None else f"{share * 100:.1f}%"


def change_text(change: int | None) -> str:
    """A change of rank since the day before: ``↑2``, ``↓1``, ``=``; ``—`` when there was
    no rank then (or is none now)."""
    if change is None:
        return "—"
    if change > 0:
        return f"↑{change}"
    return f"↓{-change}" if change < 0 else "="


@dataclass(frozen=True)
class MeasureResult:
    """One measure of a leaderboard line: the month's goal, what was reached this month up to
    yesterday and yesterday, and the share of the goal."""

    measure: str
    goal: int
    """The month's goal (0: none, and the measure counts in no share)."""
    month: int
    """Reached from the first of the month to yesterday (inclusive)."""
    yesterday: int
    """Reached yesterday (see :class:`Leaderboard`)."""
    share: float | None
    """``month / goal``, not capped (150 % is 150 %); ``None`` without a goal."""


@dataclass(frozen=True)
class LeaderLine:
    """One manager's (or one team's) line of the leaderboard."""

    key: str
    """The manager's login, or the team's name."""
    name: str
    team: str | None
    """The manager's team (``None``: in no team; a team's own line: its name)."""
    rank: int | None
    """1 for the highest share; equal shares share a rank (1, 2, 2, 4); ``None``: no goal."""
    share: float | None
    """The share of goal this month (with no measure chosen: the average over the measures
    with a goal for the holder)."""
    gained: float | None
    """Yesterday's result as a share of the month's goal (averaged the same way)."""
    previous_rank: int | None
    """The rank the same computation gave at the previous morning meeting."""
    previous_share: float | None
    change: int | None
    """``previous_rank - rank``: 2 is two places up, -1 one down; ``None``: no rank then or
    now."""
    measures: tuple[MeasureResult, ...]
    mine: bool
    """The actor's own line (their own row, or their team's)."""


@dataclass(frozen=True)
class ReferrerRank:
    """One referrer's line: referrals converted and made this month up to yesterday."""

    login: str
    name: str
    team: str | None
    rank: int
    """By converted, then made; the same counts share a rank."""
    converted: int
    made: int
    previous_rank: int | None
    change: int | None
    mine: bool


@dataclass(frozen=True)
class Leaderboard:
    """The morning leaderboard (晨会排行榜) of one day, read aloud at the branch's morning
    meeting: the managers, the teams, then the referrers."""

    day: date
    """The meeting's day."""
    yesterday: date
    """The last working day before :attr:`day` on the branch calendar (Monday's: Friday)."""
    through: date
    """The last day counted: the day before :attr:`day`, within the month shown (a weekend
    after Friday counts in Monday's "yesterday" when it is in Friday's month)."""
    month: str
    """The month shown: the month of :attr:`yesterday` (``2026-11``)."""
    first: date
    """The month's first day (the month's result runs from here to :attr:`through`)."""
    measure: str | None
    """The measure ranked by; ``None``: every measure with a goal, averaged."""
    previous_day: date
    """The previous meeting (the previous working day), whose ranks the changes are from."""
    managers: tuple[LeaderLine, ...]
    """Ranked first, by rank; those without a goal last, by login. Empty for a referrer."""
    teams: tuple[LeaderLine, ...]
    referrers: tuple[ReferrerRank, ...]


@dataclass(frozen=True)
class GoalRecord:
    """One record behind a manager's month result (the drill-down of a leaderboard line)."""

    measure: str
    ref: str
    """The record: a customer's number, or ``#12`` for an opportunity, a referral, a visit
    or a product opened."""
    customer_no: str
    """The customer's number (``""``: a prospect not yet a customer)."""
    name: str
    """The customer's (or the prospect's) name."""
    what: str
    """What counted: the product opened, the opportunity won, the visit's purpose …"""
    day: date | None
    amount: int
    """What it adds to the measure: 1, or its yuan for a measure in yuan."""
