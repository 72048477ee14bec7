"""The branch calendar: working days, business hours, and time counted in business hours.

Every "working day" and every business-hours SLA clock of the workbench uses this one
calendar (DESIGN.md, "Working days"): weekdays, minus China's public holidays, plus the
make-up working days (调休) that move a weekend day to work, as published each year by the
State Council (the ``chinese-calendar`` package carries the official schedule), then the
branch's own closures and extra working days from config, which always win.

A year the package has no data for yet (the State Council publishes next year's schedule in
the autumn) would fall back to plain weekends: every holiday a working day in SLA clocks,
snoozes and reports. :func:`uncovered` names such years (this one, and from 1 December the
next), so the admin is warned, and the admin enters the year's holidays and make-up working
days (``cmw calendar set``, stored in the database): :func:`set_admin_years` makes them the
process's, and the admin's year wins over the package's.

Pure: no I/O. Instants are aware datetimes; they are read in the branch timezone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


def _package(day: date) -> bool | None:
    """Official working day or not by the ``chinese-calendar`` package; ``None`` when it has no
    data for that year."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@dataclass(frozen=True)
class YearSchedule:
    """A year's public holidays and make-up working days (调休), as the admin entered them."""

    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


_source: Callable[[date], bool | None] = _package
_years: dict[int, YearSchedule] = {}


def _official(day: date) -> bool | None:
    """Official working day or not: the admin's year first, then the source; ``None``: no one
    knows that year."""
    entered = _years.get(day.year)
    if entered is not None:
        return entered.is_workday(day)
    return _source(day)


_official_cached = lru_cache(maxsize=4096)(_official)


def set_official_source(source: Callable[[date], bool | None] | None) -> None:
    """Read the official schedule from ``source`` (``None``: the package again); tests use a
    source of their own instead of the installed package's coverage."""
    global _source
    _source = source or _package
    _official_cached.cache_clear()


def set_admin_years(years: Mapping[int, YearSchedule]) -> None:
    """The years the admin entered (``cmw calendar set``): they win over the source. Called
    when a process opens the database and whenever they change, so no process keeps a stale
    calendar."""
    global _years
    if dict(years) != _years:  # unchanged (the usual reload): the cache stays
        _years = dict(years)
        _official_cached.cache_clear()


def admin_years() -> dict[int, YearSchedule]:
    """The years the admin entered, as the process knows them."""
    return dict(_years)


def uncovered(today: date) -> list[int]:
    """The years the branch calendar needs and nobody has the holidays of: this year, and
    from 1 December the next (the State Council publishes it in the autumn)."""
    needed = [today.year, today.year + 1] if today.month == 12 else [today.year]
    return [year for year in needed if _official_cached(date(year, 6, 1)) is None]


def parse_hours(spans: Iterable[str]) -> tuple[tuple[time, time], ...]:
    """``["08:30-12:00", "13:30-17:30"]`` → pairs of times, in order."""
    pairs = []
    for span in spans:
        start, end = span.split("-")
        pairs.append((time.fromisoformat(start), time.fromisoformat(end)))
    return tuple(sorted(pairs))


@dataclass(frozen=True)
class BranchCalendar:
    """Working days and business hours of one branch."""

    timezone: str = "Asia/Shanghai"
    hours: tuple[tuple[time, time], ...] = ((time(8, 30), time(12)), (time(13, 30), time(17, 30)))
    official: bool = True
    """Use China's official holidays and make-up working days (``source = "official-cn"``)."""
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_settings(cls, settings: object) -> BranchCalendar:
        """Build from ``config.CalendarSettings`` (duck-typed: the domain imports no config)."""
        return cls(
            timezone=settings.timezone,  # type: ignore[attr-defined]
            hours=parse_hours(settings.hours),  # type: ignore[attr-defined]
            official=settings.source == "official-cn",  # type: ignore[attr-defined]
            extra_holidays=frozenset(settings.extra_holidays),  # type: ignore[attr-defined]
            extra_workdays=frozenset(settings.extra_workdays),  # type: ignore[attr-defined]
        )

    @property
    def tz(self) -> ZoneInfo:
        """The branch timezone."""
        return ZoneInfo(self.timezone)

    def has_official_data(self, year: int) -> bool:
        """True when the official schedule of ``year`` is known (always true without it)."""
        return not self.official or _official_cached(date(year, 6, 1)) is not None

    def is_workday(self, day: date) -> bool:
        """A working day at this branch."""
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        if self.official:
            known = _official_cached(day)
            if known is not None:
                return known
        return day.weekday() < 5

    def add_workdays(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (``n`` ≥ 1), e.g. "in 2 working days"."""
        if n < 1:
            raise ValueError("n must be 1 or more")
        current = day
        while n:
            current += timedelta(days=1)
            if self.is_workday(current):
                n -= 1
        return current

    def workdays_before(self, day: date, n: int) -> date:
        """The ``n``-th working day before ``day`` (``n`` ≥ 1), e.g. "tell the customer 2
        working days before the promised date"."""
        if n < 1:
            raise ValueError("n must be 1 or more")
        current = day
        while n:
            current -= timedelta(days=1)
            if self.is_workday(current):
                n -= 1
        return current

    def previous_workday(self, day: date) -> date:
        """The last working day before ``day`` (the work log a supervisor checks in the
        morning is that day's)."""
        current = day - timedelta(days=1)
        while not self.is_workday(current):
            current -= timedelta(days=1)
        return current

    def next_workday(self, day: date) -> date:
        """``day`` itself if it is a working day, else the next one."""
        return day if self.is_workday(day) else self.add_workdays(day, 1)

    def opening(self, day: date) -> datetime:
        """When business starts on ``day`` (aware, branch time)."""
        return datetime.combine(day, self.hours[0][0], self.tz)

    def closing(self, day: date) -> datetime:
        """When business ends on ``day`` (aware, branch time)."""
        return datetime.combine(day, self.hours[-1][1], self.tz)

    def monthly_deadline(self, day: date, workdays: int) -> datetime:
        """The close of business ``workdays`` working days after the first working day of
        ``day``'s month: when the monthly work made that first day is due (the directory
        and market-report tasks, and so the market report itself)."""
        first = self.next_workday(day.replace(day=1))
        return self.closing(self.add_workdays(first, workdays))

    def _spans(self, start_day: date) -> Iterator[tuple[datetime, datetime]]:
        """Business-hour spans from ``start_day`` on, forever (working days only)."""
        day = start_day
        while True:
            if self.is_workday(day):
                for begin, end in self.hours:
                    yield datetime.combine(day, begin, self.tz), datetime.combine(day, end, self.tz)
            day += timedelta(days=1)

    def add_business_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant ``amount`` of business time after ``start`` (a clock that runs only in
        business hours of working days). Starting outside hours, it starts at the next
        opening."""
        local = start.astimezone(self.tz)
        left = amount
        for begin, end in self._spans(local.date()):
            if end <= local:
                continue
            begin = max(begin, local)
            if end - begin >= left:
                return begin + left
            left -= end - begin
        raise AssertionError("unreachable")  # pragma: no cover

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Business time from ``start`` to ``end`` (zero if ``end`` is not after ``start``)."""
        a, b = start.astimezone(self.tz), end.astimezone(self.tz)
        total = timedelta()
        if b <= a:
            return total
        for begin, finish in self._spans(a.date()):
            if begin >= b:
                break
            overlap = min(finish, b) - max(begin, a)
            if overlap > timedelta():
                total += overlap
        return total
