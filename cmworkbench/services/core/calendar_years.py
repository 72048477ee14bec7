"""The years' official holidays the admin entered (``cmw calendar set``), made the process's
branch calendar: every process calls :func:`load` when it opens the database, and the
scheduler before each run, so no process keeps a stale calendar
(:mod:`cmworkbench.services.ops.calendar` stores them)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select
from sqlmodel import col

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import CalendarYear
from cmworkbench.domain import calendar as cal


def load(conn: Connection) -> None:
    """Make the years the admin entered this process's calendar."""
    columns = (col(CalendarYear.year), col(CalendarYear.holidays), col(CalendarYear.workdays))
    cal.set_admin_years(
        {
            year: cal.YearSchedule(days(holidays), days(workdays))
            for year, holidays, workdays in conn.execute(select(*columns))
        }
    )


def missing(settings: Settings, today: date | None = None) -> list[int]:
    """The years the branch calendar needs (this one, and from 1 December the next) and knows
    no holidays of, as this process knows them; none when the branch does not follow the
    official schedule (``calendar.source``)."""
    if settings.calendar.source != "official-cn":
        return []
    return cal.uncovered(today or clock.today())


def days(text: str) -> frozenset[date]:
    """Dates stored as ISO dates separated by commas."""
    return frozenset(date.fromisoformat(part) for part in text.split(",") if part)
