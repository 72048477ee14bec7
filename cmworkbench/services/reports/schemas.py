"""reports: result types and word lists (no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from cmworkbench.i18n import t
from cmworkbench.services.core.errors import InvalidInput

NAMES = ("manager", "team", "branch")
"""Breakdowns of a report: one group per manager, per team, or the whole scope."""


def total_only(role: str) -> str:
    """The breakdown with the fewest groups that ``role`` may ask for: the Dashboard shows
    the report's total (the whole scope) only, and a branch head's ``manager`` breakdown of
    three thousand managers costs seconds for nothing (a supervisor may not ask for
    ``branch``, a manager for anything but ``manager``)."""
    return {"branch_head": "branch", "admin": "branch", "supervisor": "team"}.get(role, "manager")


@dataclass(frozen=True)
class FigurePart:
    """A figure's share of one breakdown value (a customer class, a task kind)."""

    key: str
    numerator: float
    denominator: float
    value: float | None
    target: float | None = None
    """Its own target, when the figure's parts have theirs (accuracy: per class)."""
    below_target: bool = False
    """Worse than its own target."""


@dataclass(frozen=True)
class Figure:
    """One figure: ``value = numerator / denominator`` (``None`` when nothing counts)."""

    key: str
    numerator: float
    denominator: float
    value: float | None
    unit: str
    """``ratio``, ``hours``, ``days`` or ``score`` (an average); ``yuan`` or ``count`` (a
    sum: ``value`` is the numerator, the denominator counts the records)."""
    target: float | None
    below_target: bool
    """Worse than its target (``[targets]`` in config): shown red."""
    parts: tuple[FigurePart, ...] = ()
    oldest_days: float | None = None
    """For a figure of records that wait (proposals waiting for approval): how many days the
    oldest has waited by the report's end (``None``: none waits, or the figure has no wait)."""


@dataclass(frozen=True)
class ReportGroup:
    """The figures of one manager, one team, or the whole scope."""

    kind: str
    """``manager``, ``team`` or ``branch``."""
    key: str
    """Login, team name, or the scope's name."""
    name: str
    figures: tuple[Figure, ...]

    def figure(self, key: str) -> Figure:
        """The figure ``key``."""
        return next(f for f in self.figures if f.key == key)


@dataclass(frozen=True)
class Report:
    """A report over a period."""

    name: str
    start: date
    end: date
    as_of: datetime
    """The period's end or now, whichever came first."""
    scope: str
    """Whose figures: a manager's name, a team's, or the branch's."""
    total: ReportGroup
    groups: tuple[ReportGroup, ...]
    taken_ahead: bool = False
    """The figures are the scheduler's snapshot, standing at ``as_of`` (a few minutes ago)."""


@dataclass(frozen=True)
class DrillRow:
    """One record behind a figure."""

    figure: str
    owner_login: str
    owner_name: str
    group: str
    ref: str
    name: str
    day: str
    numerator: float
    denominator: float
    detail: str


@dataclass(frozen=True)
class TrendPoint:
    """A figure over one ISO week."""

    week: str
    start: date
    end: date
    value: float | None
    below_target: bool


@dataclass(frozen=True)
class Overview:
    """What the shell shows before later screens fill in the details."""

    customers: int
    """Customers in the actor's scope."""
    tasks_due: int
    """The actor's open tasks due by the end of today (overdue included)."""
    tasks_overdue: int
    """The actor's open tasks whose due time has passed."""
    complaints_open: int
    """Open complaint tickets the actor owns."""
    visit_plans: int
    """Visit plans the actor owns."""


SUM_UNITS = ("yuan", "count")
"""Units of figures that are a sum (the pipeline's value, the proposals waiting), not a ratio:
their value is the numerator, their denominator the number of records."""


def format_value(value: float | None, unit: str) -> str:
    """A figure's value for people: ``76.5%``, ``73.7h``, ``12.5天``, ``4.43``, ``370.0万``,
    ``3``; ``—`` when nothing counts."""
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "hours":
        return f"{value:.1f}h"
    if unit == "days":
        return t("report.unit.days", n=f"{value:.1f}")
    if unit == "yuan":
        return yuan_short(value)
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:.2f}"


def figure_about(key: str) -> str:
    """What figure ``key`` counts, in a sentence (``report.about.<key>``), or ``""``."""
    about = f"report.about.{key}"
    text = t(about)
    return "" if text == about else text


def yuan_short(yuan: float) -> str:
    """An amount short enough for a figure's column: in 万 (``370.0万``, ``12,000万``), or
    in thousands in English (``¥3,700k``): the scale is the catalog's."""
    shown = yuan / float(t("report.unit.yuan_per"))
    amount = f"{shown:,.0f}" if abs(shown) >= 1000 else f"{shown:,.1f}"
    return t("report.unit.yuan", amount=amount)


def month_period(month: str) -> tuple[date, date]:
    """``2026-11`` → (1 November, 30 November)."""
    try:
        first = date.fromisoformat(f"{month.strip()}-01")
    except ValueError:
        raise InvalidInput(t("report.bad_month", value=month)) from None
    return month_of(first)


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s month (the Dashboard's period)."""
    first = day.replace(day=1)
    return first, first + relativedelta(months=1) - timedelta(days=1)


@dataclass(frozen=True)
class TeamBelow:
    """A team worse than its target on one figure over a period (the branch head's Today)."""

    team: str
    """The team's name (``""``: the managers in no team)."""
    name: str
    """How to show it (the name, or "no team")."""
    key: str
    value: float
    target: float
    unit: str
