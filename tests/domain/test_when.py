"""A moment as people say it on the phone (the call-back prompt, ``cmw log --at``).

Given Friday 2026-09-25 at the branch (中秋节, a holiday in the official calendar; the National
Day holidays 10-01 to 10-07; Saturday 10-10 a make-up working day, 调休), the words people type
name the moments they mean; ``+N`` counts working days.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.when import parse_moment

CAL = BranchCalendar()
FRIDAY = date(2026, 9, 25)


def at(day: str, hm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=CAL.tz)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("14:30", at("2026-09-25", "14:30")),
        ("14：30", at("2026-09-25", "14:30")),  # a full-width colon from an input method
        ("明天 10:00", at("2026-09-26", "10:00")),
        ("tomorrow 9:15", at("2026-09-26", "09:15")),
        ("后天", at("2026-09-27", "08:30")),  # a day alone: at the opening
        ("+1", at("2026-09-28", "08:30")),  # the next working day: Monday, not Saturday
        ("+2 16:00", at("2026-09-29", "16:00")),
        ("+6", at("2026-10-10", "08:30")),  # over the holidays, onto the make-up Saturday
        ("10-09 11:00", at("2026-10-09", "11:00")),
        ("2026-10-12 11:00", at("2026-10-12", "11:00")),
        ("09-01", at("2027-09-01", "08:30")),  # passed this year: next year's
    ],
)
def test_what_people_type_names_the_moment_they_mean(typed: str, meant: datetime) -> None:
    assert parse_moment(typed, FRIDAY, CAL) == meant


@pytest.mark.parametrize("typed", ["", "noon", "25:00", "14:60", "+0", "13-01", "明天 10", "a b c"])
def test_what_is_no_moment_is_none(typed: str) -> None:
    assert parse_moment(typed, FRIDAY, CAL) is None
