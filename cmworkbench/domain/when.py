"""A moment as people say it on the phone: ``14:30``, ``明天 10:00``, ``+2`` (working days).

What the call-back prompt (``c 3``) and ``cmw log --at`` read. A day is ``今天`` / ``today``,
``明天`` / ``tomorrow``, ``后天``, ``+N`` (the N-th next *working* day of the branch calendar:
weekends and holidays skipped, make-up days 调休 counted), ``11-25`` (this year, or next if
passed) or ``2026-11-25``; a time is ``H:MM``. A time alone is today; a day alone is at the
opening of that day. Pure: the calendar and "today" are given.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from cmworkbench.domain.calendar import BranchCalendar

DAY_WORDS = {"今天": 0, "today": 0, "明天": 1, "tomorrow": 1, "后天": 2}
"""Words for a day, in calendar days from today."""


def parse_day(text: str, today: date, calendar: BranchCalendar) -> date | None:
    """The day ``text`` names (see the module), or ``None``."""
    word = text.lower()
    if word in DAY_WORDS:
        return today + timedelta(days=DAY_WORDS[word])
    try:
        if re.fullmatch(r"\+\d{1,3}", text):
            return calendar.add_workdays(today, int(text[1:]))
        if re.fullmatch(r"\d{1,2}-\d{1,2}", text):
            month, day = (int(part) for part in text.split("-"))
            candidate = date(today.year, month, day)
            return candidate if candidate >= today else date(today.year + 1, month, day)
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


def parse_time(text: str) -> time | None:
    """``14:30`` or ``9:00`` (also with a full-width colon, as a Chinese input method types)."""
    match = re.fullmatch(r"(\d{1,2})[:：](\d{2})", text)
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_moment(text: str, today: date, calendar: BranchCalendar) -> datetime | None:
    """The aware moment ``text`` names at the branch (see the module), or ``None``."""
    parts = text.split()
    if len(parts) == 1 and (alone := parse_time(parts[0])) is not None:
        return datetime.combine(today, alone, calendar.tz)
    if not 1 <= len(parts) <= 2:
        return None
    day = parse_day(parts[0], today, calendar)
    if day is None:
        return None
    if len(parts) == 1:
        return calendar.opening(day)
    at = parse_time(parts[1])
    return None if at is None else datetime.combine(day, at, calendar.tz)
