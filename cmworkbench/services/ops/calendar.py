"""The branch calendar past the years the ``chinese-calendar`` package knows (issue 21).

The package carries China's official holidays and make-up working days (调休) year by year;
the State Council publishes next year's in the autumn, and a package without it would let
every holiday count as a working day. :func:`check` says which years are covered and whether
the coming one is; the admin enters a year the package lacks (:func:`set_year`, ``cmw calendar
set``): stored in the database, audited, and it wins over the package's. :func:`load` makes
the stored years the process's calendar (every process calls it when it opens the database,
the scheduler before each run), and a change recomputes the open tickets' deadlines.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import CalendarYear
from cmworkbench.domain import calendar as cal
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import t
from cmworkbench.services.complaints.api import refresh_all
from cmworkbench.services.core import audit
from cmworkbench.services.core.calendar_years import load, missing
from cmworkbench.services.core.errors import OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.ops.schemas import CalendarCheck, CalendarYearOut

__all__ = ["check", "set_year"]


def check(*, settings: Settings, today: date | None = None) -> CalendarCheck:
    """Which years around today the branch calendar knows the holidays of, and by whom; the
    years it needs and lacks (this one, and from 1 December the next)."""
    today = today or clock.today()
    if settings.calendar.source != "official-cn":  # weekends and the branch's own days only
        return CalendarCheck(years=[], missing=[])
    entered = cal.admin_years()
    branch = cal.BranchCalendar.from_settings(settings.calendar)
    years = []
    for year in range(today.year - 1, today.year + 2):
        source = (
            "admin" if year in entered else "official" if branch.has_official_data(year) else "none"
        )
        years.append(CalendarYearOut(year, source))
    return CalendarCheck(years=years, missing=missing(settings, today))


def set_year(
    *,
    session: Session,
    actor: Actor | None,
    settings: Settings,
    year: int,
    holidays: Sequence[date],
    workdays: Sequence[date],
) -> CalendarYearOut:
    """Store ``year``'s holidays and make-up working days (the admin's, or the service
    account's), audited; the process's calendar and the open tickets' deadlines follow."""
    if actor is not None and actor.role != Role.ADMIN:
        raise OutOfScope(t("calendar.admin_only"))
    problems = {}
    if not 2000 <= year <= 2100:
        problems["year"] = t("calendar.bad_year", year=year)
    for name, days in (("holidays", holidays), ("workdays", workdays)):
        stray = [day for day in days if day.year != year]
        if stray:
            problems[name] = t("calendar.other_year", day=stray[0].isoformat(), year=year)
    both = sorted(set(holidays) & set(workdays))
    if both:
        problems["workdays"] = t("calendar.both", day=both[0].isoformat())
    if not holidays:
        problems["holidays"] = t("calendar.no_holidays", year=year)
    if problems:
        raise FieldsInvalid(problems, label_prefix="calendar.field.")
    row = session.get(CalendarYear, year) or CalendarYear(
        year=year, holidays="", workdays="", set_at=clock.now()
    )
    row.holidays = ",".join(day.isoformat() for day in sorted(set(holidays)))
    row.workdays = ",".join(day.isoformat() for day in sorted(set(workdays)))
    row.set_at, row.set_by_id = clock.now(), actor.id if actor else None
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="calendar_set",
        object_type="calendar_year",
        object_id=year,
        detail=f"{year}: {len(set(holidays))} holidays, {len(set(workdays))} make-up working days",
    )
    load(session.connection())  # this process at once; the others when they next open or run
    refresh_all(session=session, settings=settings, open_only=True)
    return CalendarYearOut(year, "admin")
