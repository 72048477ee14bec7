"""Instants and dates in the text form SQLAlchemy's SQLite types store, formatted fast.

SQLAlchemy stores a ``DateTime`` in SQLite as ``YYYY-MM-DD HH:MM:SS.ffffff`` (SQLModel's
``UTCDateTime`` converts to UTC first and the SQLite dialect drops the offset) and a ``Date``
as ``YYYY-MM-DD``. The demo writes millions of them with ``executemany``, where
``strftime`` per value would cost more than the insert itself, so the text of each UTC hour
and each day is formatted once and cached.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, tzinfo

_MAX_CACHED_HOURS = 200_000
"""A bound on the hour cache (about 20 MB); twenty years of business hours fit."""
_CLOCK = tuple(f"{minute:02d}:{second:02d}.000000" for minute in range(60) for second in range(60))
"""The text of each second of an hour (``MM:SS.ffffff``)."""


class _Hours(dict[int, str]):
    """UTC hour (epoch // 3600) → its text ``YYYY-MM-DD HH:``, formatted on first use."""

    def __missing__(self, hour: int) -> str:
        if len(self) >= _MAX_CACHED_HOURS:
            self.clear()
        text = self[hour] = datetime.fromtimestamp(hour * 3600, UTC).strftime("%Y-%m-%d %H:")
        return text


class _Days(dict[int, str]):
    """Day ordinal → its text ``YYYY-MM-DD``, formatted on first use."""

    def __missing__(self, ordinal: int) -> str:
        text = self[ordinal] = date.fromordinal(ordinal).isoformat()
        return text


class _Midnights(dict[int, int]):
    """Day ordinal → the UTC epoch of its local midnight, worked out on first use."""

    def __init__(self, tz: tzinfo) -> None:
        super().__init__()
        self.tz = tz

    def __missing__(self, ordinal: int) -> int:
        start = datetime.combine(date.fromordinal(ordinal), time(), tzinfo=self.tz)
        epoch = self[ordinal] = int(start.timestamp())
        return epoch


class Stamps:
    """Formats local days, local times of day and UTC epochs as stored text, relative to now.

    ``midnight(ordinal)``: the UTC epoch of local midnight starting the day ``ordinal``;
    ``day(ordinal)``: a calendar day as stored text. Both are dictionary look-ups (a cached
    value, or worked out once), called millions of times in a large build.
    """

    def __init__(self, now: datetime, tz: tzinfo) -> None:
        self.now_epoch = int(now.timestamp())
        self.tz = tz
        self.today = now.astimezone(tz).date()
        self.today_ord = self.today.toordinal()
        self._hours = _Hours()
        self.midnight: Callable[[int], int] = _Midnights(tz).__getitem__
        self.day: Callable[[int], str] = _Days().__getitem__

    def at(self, ordinal: int, seconds: int) -> str:
        """The instant ``seconds`` after local midnight of day ``ordinal``, as stored text."""
        return self.instant(self.midnight(ordinal) + seconds)

    def instant(self, epoch: int) -> str:
        """A UTC epoch (whole seconds) as stored text."""
        return self._hours[epoch // 3600] + _CLOCK[epoch % 3600]

    def maybe(self, epoch: int | None) -> str | None:
        """Like :meth:`instant`, passing ``None`` (a step not reached yet) through."""
        return None if epoch is None else self.instant(epoch)

    def local_date(self, epoch: int) -> date:
        """The branch-local calendar date of a UTC epoch."""
        return datetime.fromtimestamp(epoch, self.tz).date()

    def month_end(self, epoch: int) -> int:
        """The last second of the local calendar month containing ``epoch``."""
        local = self.local_date(epoch)
        first_next = date(local.year + local.month // 12, local.month % 12 + 1, 1)
        return self.midnight(first_next.toordinal()) - 1

    def months_before(self, count: int) -> list[str]:
        """The ``count`` local months before the current one, oldest first (``YYYY-MM``)."""
        year, month = self.today.year, self.today.month
        out = []
        for _ in range(count):
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
            out.append(f"{year:04d}-{month:02d}")
        return out[::-1]
