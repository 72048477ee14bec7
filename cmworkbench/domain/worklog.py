"""When a day's work log (工作日志) stops being on time.

The sources ask for a truthful log of every working day, submitted before leaving. A log
written days later from memory is not that log: it counts, but as late. The cut-off is
config (``[worklog] cutoff``): by default the next working day's start of business (a log
finished the next morning before the doors open is still on time; Friday's until Monday's
opening), or a local time of the log's own day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from cmworkbench.domain.calendar import BranchCalendar

NEXT_OPENING = "next_opening"


def cutoff(day: date, cal: BranchCalendar, rule: str = NEXT_OPENING) -> datetime:
    """The moment the log of ``day`` is due by (aware, branch time)."""
    if rule == NEXT_OPENING:
        return cal.opening(cal.next_workday(day + timedelta(days=1)))
    return datetime.combine(day, time.fromisoformat(rule), cal.tz)


def on_time(submitted_at: datetime | None, day: date, cal: BranchCalendar, rule: str) -> bool:
    """The log of ``day`` was submitted by its cut-off."""
    return submitted_at is not None and submitted_at <= cutoff(day, cal, rule)
