"""Instants and dates in the text form SQLAlchemy's SQLite types store, formatted fast.

SQLAlchemy stores a ``DateTime`` in SQLite as ``YYYY-MM-DD HH:MM:SS.ffffff`` (SQLModel's
``UTCDateTime`` converts to UTC first and the SQLite dialect drops the offset) and a ``Date``
as ``YYYY-MM-DD``. The demo writes millions of them with ``executemany``, where
``strftime`` per value would cost more than the insert itself, so the text of each UTC hour
and each day is formatted once and cached.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo

_MAX_CACHED_HOURS = 200_000
"""A bound on the hour cache (about 20 MB); twenty years of business hours fit."""


class Stamps:
    """Formats local days, local times of day and UTC epochs as stored text, relative to now."""

    def __init__(self, now: datetime, tz: tzinfo) -> None:
        self.now_epoch = int(now.timestamp())
        self.tz = tz
        self.today = now.astimezone(tz).date()
        self.today_ord = self.today.toordinal()
        self._midnights: dict[int, int] = {}
        self._hours: dict[int, str] = {}
        self._days: dict[int, str] = {}

    def midnight(self, ordinal: int) -> int:
        """The UTC epoch of local midnight starting the day ``ordinal``."""
        epoch = self._midnights.get(ordinal)
        if epoch is None:
            start = datetime.combine(date.fromordinal(ordinal), time(), tzinfo=self.tz)
            epoch = self._midnights[ordinal] = int(start.timestamp())
        return epoch

    def at(self, ordinal: int, seconds: int) -> str:
        """The instant ``seconds`` after local midnight of day ``ordinal``, as stored text."""
        return self.instant(self.midnight(ordinal) + seconds)

    def instant(self, epoch: int) -> str:
        """A UTC epoch (whole seconds) as stored text."""
        hour, rest = divmod(epoch, 3600)
        prefix = self._hours.get(hour)
        if prefix is None:
            if len(self._hours) >= _MAX_CACHED_HOURS:
                self._hours.clear()
            moment = datetime.fromtimestamp(hour * 3600, UTC)
            prefix = self._hours[hour] = moment.strftime("%Y-%m-%d %H:")
        minute, second = divmod(rest, 60)
        return f"{prefix}{minute:02d}:{second:02d}.000000"

    def maybe(self, epoch: int | None) -> str | None:
        """Like :meth:`instant`, passing ``None`` (a step not reached yet) through."""
        return None if epoch is None else self.instant(epoch)

    def day(self, ordinal: int) -> str:
        """A calendar day as stored text."""
        text = self._days.get(ordinal)
        if text is None:
            text = self._days[ordinal] = date.fromordinal(ordinal).isoformat()
        return text

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
