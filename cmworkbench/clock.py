"""The one source of "now" for the whole workbench.

Nothing else in the package calls ``datetime.now()``. Tests, demos and support staff set the
time with ``--now ISO`` or ``CMW_NOW``, so deadlines, cadences and reminders are checkable to
the minute.

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
from zoneinfo import ZoneInfo

_branch_tz: tzinfo = ZoneInfo("Asia/Shanghai")
_anchor: datetime | None = None  # the instant the override started at (aware UTC)
_anchor_mono: float = 0.0
_frozen: bool = False


class ClockError(ValueError):
    """A ``--now`` / ``CMW_NOW`` value that is not an ISO date or date-time."""


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
        raise ClockError(
            f"--now/CMW_NOW: {value!r} is not an ISO date-time (e.g. 2026-11-23T08:30)"
        ) from None
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


def now_local() -> datetime:
    """The current instant in the branch timezone."""
    return now().astimezone(_branch_tz)


def today() -> date:
    """Today's date at the branch."""
    return now_local().date()


def _to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_branch_tz)
    return moment.astimezone(UTC)
