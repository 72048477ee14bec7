"""When a monthly market report (市场信息报告) is due, and where each person's stands: what
the report's own module and the team board share (:mod:`.market`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import MarketReport
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import InvalidInput


def due_at(settings: Settings, month: str) -> datetime:
    """The deadline of the report on ``month``: the close of business
    ``reminders.monthly_due_workdays`` working days after the next month's first working day
    (the monthly task's due time)."""
    next_month = month_start(month) + relativedelta(months=1)
    cal = BranchCalendar.from_settings(settings.calendar)
    return cal.monthly_deadline(next_month, settings.reminders.monthly_due_workdays)


def market_states(
    session: Session, settings: Settings, staff_ids: list[int], month: str
) -> dict[int, str]:
    """Each person's report on ``month``: ``on_time``, ``late``, ``missing`` or ``pending``."""
    due = due_at(settings, month)
    found = dict(
        session.exec(
            select(MarketReport.author_id, MarketReport.submitted_at).where(
                col(MarketReport.author_id).in_(staff_ids), col(MarketReport.month) == month
            )
        ).all()
    )
    now = clock.now()
    return {i: state(found.get(i), due, now) for i in staff_ids}


def last_month(day: date) -> str:
    """``YYYY-MM`` of the month before ``day``'s."""
    return f"{day.replace(day=1) - timedelta(days=1):%Y-%m}"


def state(submitted: datetime | None, due: datetime, now: datetime) -> str:
    if submitted is not None:
        return "on_time" if submitted <= due else "late"
    return "missing" if now > due else "pending"


def month_start(month: str) -> date:
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise InvalidInput(t("market.bad_month", month=month)) from None
    if len(month) != 7:
        raise InvalidInput(t("market.bad_month", month=month))
    return first
