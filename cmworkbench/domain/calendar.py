"""The branch calendar: working days, business hours, and time counted in business hours.

Every "working day" and every business-hours SLA clock of the workbench uses this one
calendar (DESIGN.md, "Working days"): weekdays, minus China's public holidays, plus the
make-up working days (调休) that move a weekend day to work, as published each year by the
State Council (the ``chinese-calendar`` package carries the official schedule), then the
branch's own closures and extra working days from config, which always win.

A year the package has no data for yet (the State Council publishes next year's schedule in
the autumn) falls back to plain weekends; :meth:`BranchCalendar.has_official_data` tells, so
the admin can be warned before the year starts.

Pure: no I/O. Instants are aware datetimes; they are read in the branch timezone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


def _official(day: date) -> bool | None:
    """Official working day or not; ``None`` when the package has no data for that year."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


_official_cached = lru_cache(maxsize=4096)(_official)


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
