"""What a manager types for an opportunity, read the way they say it: amounts (``120万``),
days (``12-31``, ``+5``), moments (``明天 10:00``); every problem is gathered by field and
raised at once (nothing is written)."""

from __future__ import annotations

from datetime import date, datetime

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.domain import pipeline as rules
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.when import parse_day, parse_moment
from cmworkbench.i18n import t
from cmworkbench.services.core.validation import FieldsInvalid, read_yuan, text_problem
from cmworkbench.services.pipeline.opportunity_records import FIELDS

STEP_CHARS = 200
yuan = read_yuan
"""An amount typed the way it is said (``120万``), into ``problems`` when it is not one."""


def calendar(settings: Settings) -> BranchCalendar:
    return BranchCalendar.from_settings(settings.calendar)


def day(
    problems: dict[str, str], field: str, text: str | date | None, settings: Settings
) -> date | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        problems[field] = t("input.required")
        return None
    if isinstance(text, date):
        day: date | None = text
    else:
        day = parse_day(text.strip(), clock.today(), calendar(settings))
    if day is None:
        problems[field] = t("opportunity.bad_day", value=text)
    elif day < clock.today():
        problems[field] = t("opportunity.day_past", day=day.isoformat())
        return None
    return day


def moment(
    problems: dict[str, str], field: str, text: str | datetime | None, settings: Settings
) -> datetime | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, datetime):
        when: datetime | None = text
    else:
        typed = text.strip().replace("T", " ", 1)
        when = parse_moment(typed, clock.today(), calendar(settings))
    if when is None:
        problems[field] = t("opportunity.bad_when", value=text)
    elif when < clock.now():  # a next step is ahead: one already past would be quiet at once
        problems[field] = t("opportunity.moment_past", moment=f"{when:%Y-%m-%d %H:%M}")
        return None
    return when


def next_step_of(
    problems: dict[str, str],
    settings: Settings,
    next_step: str | None,
    next_due: str | datetime | None,
) -> tuple[str | None, datetime | None]:
    """A next step and its due moment: a due without a step is refused; a step without a due
    is due at the end of the next working day."""
    if problem := text_problem(next_step, most=STEP_CHARS):
        problems["next_step"] = problem
    step = (next_step or "").strip() or None
    due = moment(problems, "next_due", next_due, settings)
    if due is not None and step is None and "next_step" not in problems:
        problems["next_step"] = t("opportunity.step_without_text")
    if step is not None and due is None and "next_due" not in problems:
        due = rules.by_next_workday(calendar(settings), clock.today())
    return step, due


def raise_problems(problems: dict[str, str]) -> None:
    if problems:
        raise FieldsInvalid(problems, label_prefix=FIELDS)
