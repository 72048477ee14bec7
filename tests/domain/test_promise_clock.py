"""A promise's deadline on the branch calendar, table-driven (issue 24): same day, working
days, counted back from a date, and hours of calendar time; 2026's National Day and the
make-up Saturday of 10 October included."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cmworkbench.domain import sla
from cmworkbench.domain.calendar import BranchCalendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = BranchCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.mark.parametrize(
    ("rule", "made", "before", "due"),
    [
        # the same day: by the close of business; after it, or on a day off, the next
        # working day's close (当天来电当天回复)
        ("same day", "2026-11-20T16:50", None, "2026-11-20T17:30"),  # a Friday at 16:50
        ("same day", "2026-11-20T07:40", None, "2026-11-20T17:30"),  # before opening
        ("same day", "2026-11-20T17:30", None, "2026-11-23T17:30"),  # at the close: Monday
        ("same day", "2026-11-20T18:05", None, "2026-11-23T17:30"),  # Friday evening
        ("same day", "2026-11-21T10:00", None, "2026-11-23T17:30"),  # a Saturday
        ("same day", "2026-09-30T18:00", None, "2026-10-08T17:30"),  # over National Day
        ("same day", "2026-10-09T18:00", None, "2026-10-10T17:30"),  # the make-up Saturday
        ("same day", "2026-10-10T11:00", None, "2026-10-10T17:30"),  # on it
        # N working days: the close of the N-th working day after the day made
        ("2 workdays", "2026-11-20T16:50", None, "2026-11-24T17:30"),
        ("2 workdays", "2026-11-20T18:30", None, "2026-11-24T17:30"),  # after hours: the same
        ("1 workdays", "2026-11-23T10:00", None, "2026-11-24T17:30"),
        ("2 workdays", "2026-09-30T10:00", None, "2026-10-09T17:30"),  # 1–7 Oct off
        ("1 workdays", "2026-10-09T09:00", None, "2026-10-10T17:30"),  # Saturday worked
        # counted back from a date: 2 working days before a promised activation
        ("2 workdays before", "2026-11-20T10:00", date(2026, 11, 25), "2026-11-23T17:30"),
        ("2 workdays before", "2026-11-20T10:00", date(2026, 11, 24), "2026-11-20T17:30"),
        ("2 workdays before", "2026-10-09T10:00", date(2026, 10, 12), "2026-10-09T17:30"),
        # hours of calendar time: government-important urgent business
        ("2h calendar", "2026-11-20T16:30", None, "2026-11-20T18:30"),
        ("6h calendar", "2026-11-20T16:30", None, "2026-11-20T22:30"),
        ("4h business", "2026-11-20T16:30", None, "2026-11-23T11:30"),
    ],
)
def test_a_promise_falls_due_by_its_rule_on_the_branch_calendar(
    rule: str, made: str, before: date | None, due: str
) -> None:
    assert sla.promise_clock(rule, at(made), CAL, before).due == at(due)


def test_a_promise_of_n_working_days_is_used_up_by_whole_working_days() -> None:
    # made on Monday: the first working day after (Tuesday) is half of "2 workdays", so a
    # step at 0.5 falls at Tuesday's close and one at 1.0 at Wednesday's
    clock = sla.promise_clock("2 workdays", at("2026-11-23T10:00"), CAL)
    assert sla.step_due(clock.start, clock.target, CAL, "owner@0.5") == at("2026-11-24T17:30")
    assert sla.step_due(clock.start, clock.target, CAL, "supervisor@1.0") == clock.due
    one_day = sla.promise_clock("1 workdays", at("2026-11-23T10:00"), CAL)
    assert sla.step_due(one_day.start, one_day.target, CAL, "supervisor@2.0") == at(
        "2026-11-25T17:30"
    )
    # nothing of the day it was made counts
    assert sla.elapsed_fraction(clock.start, at("2026-11-23T17:00"), clock.target, CAL) == 0


def test_a_date_already_too_close_makes_the_promise_late_from_the_start() -> None:
    clock = sla.promise_clock("2 workdays before", at("2026-11-24T09:00"), CAL, date(2026, 11, 25))
    assert clock.due == at("2026-11-23T17:30") < at("2026-11-24T09:00")
    assert sla.elapsed_fraction(clock.start, at("2026-11-24T09:01"), clock.target, CAL) >= 1


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("same day", False),
        ("2 workdays", False),
        ("1 workday", False),
        ("2 workdays before", False),
        ("2h calendar", False),
        ("0 workdays", True),
        ("two days", True),
        ("", True),
    ],
)
def test_a_due_rule_is_checked(text: str, bad: bool) -> None:
    assert (sla.due_rule_problem(text) is not None) is bad


def test_steps_due_include_the_breach_once_the_target_is_used_up() -> None:
    target = sla.Target(timedelta(hours=2), business=False)
    assert sla.steps_due(0.6, [0.5, 0.8], ["supervisor@1.0"], target) == ["owner@0.5"]
    assert sla.steps_due(1.0, [0.5, 0.8], ["supervisor@1.0"], target) == [
        "owner@0.5",
        "owner@0.8",
        "supervisor@1.0",
        "owner@breach",
    ]
