"""The one source of "now" for the whole workbench.

Nothing else in the package calls ``datetime.now()``. Tests, demos and support staff set the
time with ``--now ISO`` or ``CMW_NOW``, so deadlines, cadences and reminders are checkable to
the minute.

The real time is kept too: :func:`wall_now` ignores ``--now`` and is what the audit log
records beside the business time, so a backdated command cannot hide from ``cmw audit
--since``.

Years outside :data:`EARLIEST_YEAR` … :data:`LATEST_YEAR` are refused wherever a person gives
a date or an instant (``--now``, ``--date``, ``--since``): nothing a branch does happens in
the year 1 or 9999, and date arithmetic near those ends overflows.

Two ways to set it:

* :func:`set_now` (what ``--now`` / ``CMW_NOW`` do): time *starts* at the given instant and
  then runs on with the wall clock, so a TUI opened "at 08:30 on Monday" still sees minutes
  pass (idle lock, SLA countdowns).
* :func:`freeze`: time stands still at the given instant (tests).

A naive ISO value is read in the branch's timezone (``calendar.timezone``), because that is
what a person means when they type ``--now 2026-11-23T08:30``. Every instant is an aware UTC
``datetime``, and the database stores it as UTC.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as clock_time
from zoneinfo import ZoneInfo

_branch_tz: tzinfo = ZoneInfo("Asia/Shanghai")
_anchor: datetime | None = None  # the instant the override started at (aware UTC)
_anchor_mono: float = 0.0
_frozen: bool = False
_wall: datetime | None = None  # tests only: a fixed real time (see freeze_wall)

EARLIEST_YEAR, LATEST_YEAR = 1900, 2199
"""The years a date or an instant a person gives may fall in."""


class ClockError(ValueError):
    """A ``--now`` / ``CMW_NOW`` value that is not an ISO date or date-time, or a date out of
    :data:`EARLIEST_YEAR` … :data:`LATEST_YEAR`; the message is in the current language."""


def check_year(day: date, what: str) -> date:
    """``day`` if its year is a year a branch works in; :class:`ClockError` otherwise (``what``
    names the value: ``--date``, ``--now``)."""
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        from cmworkbench.i18n import t

        raise ClockError(
            t(
                "clock.year_out_of_range",
                what=what,
                value=day.isoformat(),
                earliest=EARLIEST_YEAR,
                latest=LATEST_YEAR,
            )
        )
    return day


def set_timezone(tz: str | tzinfo) -> None:
    """Set the branch timezone used for local dates and for naive override values."""
    global _branch_tz
    _branch_tz = ZoneInfo(tz) if isinstance(tz, str) else tz


def branch_tz() -> tzinfo:
    """The branch timezone (``calendar.timezone`` in config)."""
    return _branch_tz


def parse_instant(value: str) -> datetime:
    """Parse an ISO date or date-time; naive values are branch-local. Returns aware UTC."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        from cmworkbench.i18n import t

        raise ClockError(t("clock.bad_instant", value=value)) from None
    check_year(parsed.date(), "--now")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_branch_tz)
    return parsed.astimezone(UTC)


def set_now(value: str | datetime | None) -> None:
    """Start the clock at ``value`` and let it run on; ``None`` returns to the real time."""
    global _anchor, _anchor_mono, _frozen
    if value is None:
        _anchor, _frozen = None, False
        return
    _anchor = parse_instant(value) if isinstance(value, str) else _to_utc(value)
    _anchor_mono = time.monotonic()
    _frozen = False


def freeze(value: str | datetime) -> None:
    """Stop the clock at ``value`` (for tests)."""
    global _frozen
    set_now(value)
    _frozen = True


def now() -> datetime:
    """The current instant, aware, in UTC."""
    if _anchor is None:
        return datetime.now(UTC)
    if _frozen:
        return _anchor
    return _anchor + timedelta(seconds=time.monotonic() - _anchor_mono)


def wall_now() -> datetime:
    """The real current instant, aware, in UTC, whatever ``--now`` says: when something was
    actually done (the audit log's ``recorded_at``)."""
    return _wall if _wall is not None else datetime.now(UTC)


def freeze_wall(value: str | datetime | None) -> None:
    """Tests only: stop the real clock at ``value`` (``None``: the machine's clock again), so
    that a test can say what happened on which real day."""
    global _wall
    if value is None:
        _wall = None
    else:
        _wall = parse_instant(value) if isinstance(value, str) else _to_utc(value)


def now_local() -> datetime:
    """The current instant in the branch timezone."""
    return now().astimezone(_branch_tz)


def today() -> date:
    """Today's date at the branch."""
    return now_local().date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The branch-local ``day`` as a half-open UTC range ``[start, end)``: what "on that day"
    means for stored instants (a day of the audit log, of a work log, of tasks due)."""
    start = datetime.combine(day, clock_time(0), tzinfo=_branch_tz)
    end = datetime.combine(day + timedelta(days=1), clock_time(0), tzinfo=_branch_tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def _to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_branch_tz)
    return moment.astimezone(UTC)
