"""Weekly visit plans (客户拜访计划表): ISO weeks, clash checks, and the proposal grouping.

Pure: no I/O. Instants are aware datetimes, read in the branch calendar's timezone.

* :func:`check_plan` looks over a manager's planned visits and returns warnings, never
  raises: two visits overlapping, a visit on a non-working day (holidays and make-up working
  days 调休 from :class:`~cmworkbench.domain.calendar.BranchCalendar`), a visit outside the
  customer's preferred hours, more visits on a day than the configured maximum (a customer
  manager holds 5–8 customer meetings a day, DESIGN.md).
* :func:`propose_week` spreads due candidates over the week's working days so that one day
  covers one area (less travel): areas with the most urgent customer first, then the bigger
  ones, at most ``max_per_day`` a day, in default slots within business hours (never over
  lunch, which the business hours leave out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from cmworkbench.domain.calendar import BranchCalendar

HELD_OR_PLANNED = frozenset({"planned", "done", "incident"})
"""Item statuses that occupy the manager's time (a cancelled or moved visit does not)."""


def week_monday(week: str) -> date:
    """The Monday of an ISO week ``2026-W48``; ``ValueError`` when it is no such week."""
    year, sep, number = week.strip().upper().partition("-W")
    if not sep or not year.isdigit() or not number.isdigit():
        raise ValueError(week)
    return date.fromisocalendar(int(year), int(number), 1)


def week_days(week: str) -> list[date]:
    """Monday to Sunday of the ISO week ``week``."""
    monday = week_monday(week)
    return [monday + timedelta(days=i) for i in range(7)]


def week_of(day: date) -> str:
    """The ISO week ``day`` falls in, as ``2026-W48``."""
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def shift_week(week: str, weeks: int) -> str:
    """The ISO week ``weeks`` after (or before) ``week``."""
    return week_of(week_monday(week) + timedelta(weeks=weeks))


def default_week(today: date) -> str:
    """The week a manager plans: from Friday on, next week; else this week."""
    return week_of(today + timedelta(days=7) if today.weekday() >= 4 else today)


def month_bounds(month: str) -> tuple[date, date]:
    """First day of the month ``2026-11`` and first day of the month after; ``ValueError``
    when it is no such month."""
    year, sep, number = month.strip().partition("-")
    if not sep or len(year) != 4 or not year.isdigit() or not number.isdigit():
        raise ValueError(month)
    first = date(int(year), int(number), 1)
    return first, (first + timedelta(days=32)).replace(day=1)


def month_of(day: date) -> str:
    """The month ``day`` falls in, as ``2026-11``."""
    return f"{day.year:04d}-{day.month:02d}"


def shift_month(month: str, months: int) -> str:
    """The month ``months`` after (or before) ``month``."""
    first, _ = month_bounds(month)
    index = first.year * 12 + first.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_span(text: str | None) -> tuple[time, time] | None:
    """``09:00-11:30`` → the two times; ``None`` for no or a malformed span."""
    if not text:
        return None
    start, sep, end = text.strip().partition("-")
    try:
        first, last = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        return None
    return (first, last) if sep and first < last else None


@dataclass(frozen=True)
class PlannedVisit:
    """One visit of a plan, as the checks see it."""

    key: int
    """The item's id (or any number unique within the list)."""
    customer: str
    """The customer's name, for the warning text."""
    starts_at: datetime
    ends_at: datetime
    preferred_hours: str | None = None
    status: str = "planned"


@dataclass(frozen=True)
class VisitWarning:
    """Something about a planned visit the manager should look at."""

    kind: str
    """``overlap``, ``non_working_day``, ``outside_preferred_hours``, ``over_max_per_day``."""
    item: int
    """The key of the visit warned about."""
    message_key: str
    """Catalog key of the text: ``visits.warning.<kind>``."""
    fields: Mapping[str, object] = field(default_factory=dict)
    """Values for the text's ``{fields}``."""


def check_plan(
    items: Sequence[PlannedVisit], *, calendar: BranchCalendar, max_per_day: int
) -> list[VisitWarning]:
    """Every warning about ``items`` (those cancelled or moved away are left out)."""
    live = sorted(
        (i for i in items if i.status in HELD_OR_PLANNED), key=lambda i: (i.starts_at, i.key)
    )
    warnings = _overlaps(live)
    for item in live:
        warnings.extend(_day_and_hours(item, calendar))
    warnings.extend(_over_max(live, calendar, max_per_day))
    return warnings


def _warning(kind: str, item: PlannedVisit, **fields: object) -> VisitWarning:
    return VisitWarning(kind, item.key, f"visits.warning.{kind}", fields)


def _overlaps(live: Sequence[PlannedVisit]) -> list[VisitWarning]:
    """The later of two visits that overlap is warned about, naming the earlier one."""
    found = []
    for i, later in enumerate(live):
        for earlier in live[:i]:
            if earlier.starts_at < later.ends_at and later.starts_at < earlier.ends_at:
                found.append(_warning("overlap", later, other=earlier.customer))
                break
    return found


def _day_and_hours(item: PlannedVisit, calendar: BranchCalendar) -> list[VisitWarning]:
    start = item.starts_at.astimezone(calendar.tz)
    end = item.ends_at.astimezone(calendar.tz)
    found = []
    if not calendar.is_workday(start.date()):
        found.append(_warning("non_working_day", item, day=start.date().isoformat()))
    span = parse_span(item.preferred_hours)
    if span is not None and (start.time() < span[0] or end.time() > span[1]):
        found.append(_warning("outside_preferred_hours", item, hours=item.preferred_hours))
    return found


def _over_max(
    live: Sequence[PlannedVisit], calendar: BranchCalendar, max_per_day: int
) -> list[VisitWarning]:
    """Each visit beyond the ``max_per_day``-th of its day is warned about."""
    per_day: dict[date, int] = defaultdict(int)
    found = []
    for item in live:
        day = item.starts_at.astimezone(calendar.tz).date()
        per_day[day] += 1
        if per_day[day] > max_per_day:
            found.append(_warning("over_max_per_day", item, day=day.isoformat(), most=max_per_day))
    return found


def approved_entry(
    item_id: int, customer: str, starts_at: datetime, purpose: str
) -> dict[str, object]:
    """One planned visit as the plan's approval records it (``approved_snapshot``, JSON): what
    a later change of the plan is compared against."""
    return {
        "item": item_id,
        "customer": customer,
        "starts_at": starts_at.isoformat(),
        "purpose": purpose,
    }


# -- proposals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A customer due a visit, as the proposal sees it."""

    customer_id: int
    area: str | None
    priority: int
    """Higher is more urgent (the call list's score)."""
    preferred_hours: str | None = None
    purpose: str = "courtesy_call"


@dataclass(frozen=True)
class SlotRules:
    """How a proposed day is cut into visits."""

    max_per_day: int = 6
    slot_minutes: int = 60
    preparation_minutes: int = 10
    """Kept free before each visit (travel, preparation)."""


@dataclass(frozen=True)
class Proposal:
    """A visit the planner proposes."""

    candidate: Candidate
    starts_at: datetime
    ends_at: datetime


Span = tuple[datetime, datetime]


def day_slots(day: date, calendar: BranchCalendar, rules: SlotRules) -> list[Span]:
    """Default slots of ``day``: within each business-hours span (so never over lunch), a
    preparation gap then a visit, as many as fit."""
    slot = timedelta(minutes=rules.slot_minutes)
    prep = timedelta(minutes=rules.preparation_minutes)
    slots = []
    for begin, end in calendar.hours:
        start = datetime.combine(day, begin, calendar.tz) + prep
        close = datetime.combine(day, end, calendar.tz)
        while start + slot <= close:
            slots.append((start, start + slot))
            start += slot + prep
    return slots


def _areas_in_order(candidates: Iterable[Candidate]) -> list[list[Candidate]]:
    """Candidates grouped by area, each group most urgent first; groups ordered by their
    most urgent customer, then size, then name."""
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        groups[c.area or ""].append(c)
    ordered = [
        sorted(group, key=lambda c: (-c.priority, c.customer_id)) for group in groups.values()
    ]
    return sorted(ordered, key=lambda g: (-g[0].priority, -len(g), g[0].area or ""))


def _fits(span: Span, hours: str | None, tz: tzinfo) -> bool:
    window = parse_span(hours)
    if window is None:
        return True
    start, end = span[0].astimezone(tz).time(), span[1].astimezone(tz).time()
    return window[0] <= start and end <= window[1]


def _free(slots: list[Span], busy: Sequence[Span]) -> list[Span]:
    return [s for s in slots if not any(s[0] < b[1] and b[0] < s[1] for b in busy)]


def _fill_day(chunk: list[Candidate], free: list[Span], tz: tzinfo) -> list[Proposal]:
    """Seat each candidate in the first free slot within its preferred hours, else the first
    free slot; the day's visits come back in time order."""
    placed = []
    for c in chunk:
        slot = next((s for s in free if _fits(s, c.preferred_hours, tz)), free[0])
        free.remove(slot)
        placed.append(Proposal(c, slot[0], slot[1]))
    return sorted(placed, key=lambda p: p.starts_at)


def propose_week(
    candidates: Sequence[Candidate],
    days: Sequence[date],
    *,
    calendar: BranchCalendar,
    rules: SlotRules,
    busy: Mapping[date, Sequence[Span]] | None = None,
) -> list[Proposal]:
    """Proposals for the working days among ``days``: one area a day, busiest areas first.

    ``busy`` holds the visits already planned per day: their slots are not offered and they
    count towards ``max_per_day``. An area bigger than a day's room continues on the next
    day; candidates left when the week is full are not proposed.
    """
    busy = busy or {}
    free_days = []
    for day in (d for d in days if calendar.is_workday(d)):
        taken = busy.get(day, ())
        free = _free(day_slots(day, calendar, rules), taken)
        room = min(rules.max_per_day - len(taken), len(free))
        if room > 0:
            free_days.append((free, room))
    proposals: list[Proposal] = []
    for group in _areas_in_order(candidates):
        while group and free_days:
            free, room = free_days.pop(0)
            chunk, group = group[:room], group[room:]
            proposals.extend(_fill_day(chunk, free, calendar.tz))
    return proposals
