"""How values look on screen: branch-local dates and times, money, day counts.

Plain functions the customer widgets share, so a date or an amount reads the same everywhere.
"""

from __future__ import annotations

from datetime import date, datetime

from cmworkbench import clock
from cmworkbench.i18n import t


def local_time(moment: datetime | None) -> str:
    """``2026-11-23 08:30`` in the branch's timezone; empty for ``None``."""
    if moment is None:
        return ""
    return moment.astimezone(clock.branch_tz()).strftime("%Y-%m-%d %H:%M")


def local_date(moment: datetime | date | None) -> str:
    """``2026-11-23`` (an instant is read in the branch's timezone); empty for ``None``."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return moment.astimezone(clock.branch_tz()).date().isoformat()
    return moment.isoformat()


def money(yuan: int | None) -> str:
    """``1,234,567 元`` / ``RMB 1,234,567``; empty for ``None``."""
    if yuan is None:
        return ""
    return t("tui.money", amount=f"{yuan:,}")


def days_until(day: date | None) -> str:
    """``in 38 days`` / ``today`` / ``3 days ago`` from today at the branch."""
    if day is None:
        return ""
    days = (day - clock.today()).days
    if days == 0:
        return t("tui.days.today")
    if days > 0:
        return t("tui.days.in", n=days)
    return t("tui.days.ago", n=-days)
